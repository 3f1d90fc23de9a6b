// Runs the suite against the `--target web` package, served at /pkg/ next to this page.
import init, * as rtc from "/pkg/rtc_peer.js";
import { runTests } from "./harness.js";
import { tests } from "./suite.js";

try {
  await init();
  await runTests("web", tests(rtc));
} catch (err) {
  // The package failed to load: publish that as one failure so the runner reports it.
  window.__rtcPeerTests = {
    label: "web",
    done: true,
    passed: 0,
    failed: 1,
    skipped: 0,
    results: [{ name: "load the package", status: "failed", message: String(err && err.stack || err) }],
    userAgent: navigator.userAgent,
  };
  document.getElementById("summary").textContent = `failed to load the package: ${err}`;
}
