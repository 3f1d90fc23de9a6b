// Local media for the demo: the camera and microphone, or, when there is no device or no
// permission, a synthetic source (an animated canvas and a quiet tone) so there is always moving
// video to send.

const WIDTH = 640;
const HEIGHT = 480;
// Shown on the synthetic source, so a call between two browsers shows which side is which.
const BROWSER = /Firefox\//.test(navigator.userAgent)
  ? "Firefox"
  : /Edg\//.test(navigator.userAgent)
    ? "Edge"
    : /Chrome\//.test(navigator.userAgent)
      ? "Chromium"
      : /Safari\//.test(navigator.userAgent)
        ? "Safari"
        : "";

/**
 * @typedef {object} LocalMedia
 * @property {MediaStream} stream   what the call sends
 * @property {boolean} synthetic    true when this is the canvas + tone fallback
 * @property {string} reason        why the fallback was used ("" for the camera)
 * @property {() => void} release   stops the fallback's timers and audio graph (tracks are
 *                                  stopped by the call's hang-up)
 */

/** Camera + microphone, or the synthetic source. @returns {Promise<LocalMedia>} */
export async function localMedia() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return synthetic("this page cannot use a camera here (it needs https:// or localhost)");
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: WIDTH }, height: { ideal: HEIGHT } },
      audio: true,
    });
    return { stream, synthetic: false, reason: "", release() {} };
  } catch (err) {
    const why =
      err && err.name === "NotAllowedError"
        ? "camera permission was refused"
        : err && err.name === "NotFoundError"
          ? "no camera or microphone was found"
          : `the camera is unavailable (${(err && err.name) || "error"})`;
    return synthetic(why);
  }
}

/** The camera alone (for "Switch camera"). @returns {Promise<LocalMedia>} */
export async function cameraVideo() {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: WIDTH }, height: { ideal: HEIGHT } },
  });
  return { stream, synthetic: false, reason: "", release() {} };
}

/**
 * An animated test pattern and, unless `withAudio` is false, a tone.
 * @returns {LocalMedia}
 */
export function synthetic(reason, withAudio = true) {
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext("2d");
  const started = performance.now();
  let frame = 0;

  const draw = () => {
    const t = (performance.now() - started) / 1000;
    const hue = (t * 24) % 360;
    const g = ctx.createLinearGradient(0, 0, WIDTH, HEIGHT);
    g.addColorStop(0, `hsl(${hue}, 70%, 38%)`);
    g.addColorStop(1, `hsl(${(hue + 80) % 360}, 70%, 22%)`);
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, WIDTH, HEIGHT);

    // Colour bars along the bottom.
    const bars = ["#f5f5f5", "#f5d300", "#00c8d6", "#00c040", "#d600c8", "#d61e1e", "#1e3cd6"];
    const bw = WIDTH / bars.length;
    bars.forEach((c, i) => {
      ctx.fillStyle = c;
      ctx.fillRect(i * bw, HEIGHT - 56, bw + 1, 56);
    });

    // The project's name in the middle, and a ball orbiting it.
    ctx.textAlign = "center";
    ctx.fillStyle = "rgba(255,255,255,0.18)";
    ctx.font = "700 92px system-ui, sans-serif";
    ctx.fillText("rtc-peer", WIDTH / 2, HEIGHT / 2 + 2);
    ctx.textAlign = "start";
    const cx = WIDTH / 2 + Math.cos(t * 1.7) * 190;
    const cy = HEIGHT / 2 - 30 + Math.sin(t * 1.7) * 120;
    ctx.beginPath();
    ctx.arc(cx, cy, 30, 0, Math.PI * 2);
    ctx.fillStyle = "rgba(255,255,255,0.92)";
    ctx.fill();

    ctx.fillStyle = "rgba(0,0,0,0.45)";
    ctx.fillRect(20, 20, 430, 72);
    ctx.fillStyle = "#fff";
    ctx.font = "600 26px system-ui, sans-serif";
    ctx.fillText(BROWSER ? `Synthetic source · ${BROWSER}` : "Synthetic source", 36, 52);
    ctx.font = "18px ui-monospace, monospace";
    ctx.fillText(`${t.toFixed(1).padStart(6, " ")} s   frame ${frame}`, 36, 80);
    frame += 1;
  };
  draw();
  // A timer, not requestAnimationFrame: it keeps drawing in a background tab (two-tab mode).
  const timer = setInterval(draw, 1000 / 30);
  const stream = canvas.captureStream(30);

  let audio = null;
  if (withAudio) {
    try {
      const AudioCtx = window.AudioContext || window.webkitAudioContext;
      const ac = new AudioCtx();
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      osc.type = "sine";
      osc.frequency.value = 440;
      gain.gain.value = 0.04;
      const out = ac.createMediaStreamDestination();
      osc.connect(gain).connect(out);
      osc.start();
      for (const track of out.stream.getAudioTracks()) stream.addTrack(track);
      audio = { ac, osc };
    } catch (err) {
      console.info("synthetic source: no audio tone", err && err.name);
    }
  }

  return {
    stream,
    synthetic: true,
    reason,
    release() {
      clearInterval(timer);
      if (audio) {
        try {
          audio.osc.stop();
        } catch {
          // already stopped
        }
        audio.ac.close().catch(() => {});
        audio = null;
      }
    },
  };
}
