//! A moving video track: a `<canvas>` of a chosen size and colour, captured.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MediaStream, MediaStreamTrack};

use super::page::{body, create, js_failure, window};
use super::{SeededRng, TestFailure};

/// A colour, 8 bits per channel.
///
/// # Examples
///
/// ```
/// use rtc_peer::testing::Colour;
///
/// let sent = Colour::rgb(200, 40, 40);
/// assert!(sent.is_near(Colour::rgb(190, 48, 37), 24));
/// assert_eq!(sent.css(), "rgb(200, 40, 40)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Colour {
    /// The colour with these channels.
    ///
    /// # Examples
    ///
    /// ```
    /// let green = rtc_peer::testing::Colour::rgb(0, 160, 0);
    /// assert_eq!(green.g, 160);
    /// ```
    pub const fn rgb(r: u8, g: u8, b: u8) -> Colour {
        Colour { r, g, b }
    }

    /// Whether every channel is within `tolerance` of `other`'s (video codecs shift colours
    /// by a few steps).
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::testing::Colour;
    ///
    /// assert!(!Colour::rgb(200, 40, 40).is_near(Colour::rgb(40, 40, 200), 24));
    /// ```
    pub fn is_near(self, other: Colour, tolerance: u8) -> bool {
        self.r.abs_diff(other.r) <= tolerance
            && self.g.abs_diff(other.g) <= tolerance
            && self.b.abs_diff(other.b) <= tolerance
    }

    /// The CSS text of the colour, `rgb(R, G, B)`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(rtc_peer::testing::Colour::rgb(1, 2, 3).css(), "rgb(1, 2, 3)");
    /// ```
    pub fn css(self) -> String {
        format!("rgb({}, {}, {})", self.r, self.g, self.b)
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rgb({}, {}, {})", self.r, self.g, self.b)
    }
}

/// How often the canvas is repainted, in milliseconds (and the capture's frame rate).
const FRAME_MS: i32 = 30;

/// A `<canvas>` attached to the page, filled with one colour and a small white square that
/// moves along its bottom edge on every frame (so the encoder always has new frames), and the
/// video track of its `captureStream(30)`.
///
/// The centre of every frame is the chosen colour, so [`pixel_colour`](super::pixel_colour)
/// on the remote `<video>` tells sources apart. On drop the repainting stops, the track is
/// stopped and the canvas removed.
///
/// # Examples
///
/// ```no_run
/// # fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::{CanvasSource, Colour};
///
/// let source = CanvasSource::new(320, 240, Colour::rgb(0, 160, 0))?;
/// pc.add_track(source.track(), &[source.stream()])?;
/// # Ok(()) }
/// ```
///
/// See [MDN: HTMLCanvasElement.captureStream](https://developer.mozilla.org/en-US/docs/Web/API/HTMLCanvasElement/captureStream).
pub struct CanvasSource {
    canvas: HtmlCanvasElement,
    stream: MediaStream,
    track: MediaStreamTrack,
    colour: Colour,
    interval: i32,
    _paint: Closure<dyn FnMut()>,
}

impl CanvasSource {
    /// A `width` × `height` canvas of `colour`, attached to the page, painting from now on.
    ///
    /// # Errors
    ///
    /// When the page has no body, no 2D context or no `captureStream`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// let source = rtc_peer::testing::CanvasSource::new(160, 120, rtc_peer::testing::Colour::rgb(20, 20, 200))?;
    /// assert_eq!(source.track().kind(), "video");
    /// # Ok(()) }
    /// ```
    pub fn new(width: u32, height: u32, colour: Colour) -> Result<CanvasSource, TestFailure> {
        CanvasSource::painting(width, height, colour, false)
    }

    /// As [`new`](Self::new), with 60 rectangles of random colours drawn over every frame:
    /// video that is hard to compress, so the encoder needs its full bitrate (for tests of
    /// bitrate limits). The centre is no longer one colour.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::testing::{CanvasSource, Colour};
    ///
    /// let busy = CanvasSource::noisy(640, 480, Colour::rgb(0, 64, 128))?;
    /// let sender = pc.add_track(busy.track(), &[busy.stream()])?;
    /// # drop(sender);
    /// # Ok(()) }
    /// ```
    pub fn noisy(width: u32, height: u32, colour: Colour) -> Result<CanvasSource, TestFailure> {
        CanvasSource::painting(width, height, colour, true)
    }

    fn painting(
        width: u32,
        height: u32,
        colour: Colour,
        noisy: bool,
    ) -> Result<CanvasSource, TestFailure> {
        let canvas: HtmlCanvasElement = create("canvas")?;
        canvas.set_width(width);
        canvas.set_height(height);
        body()?
            .append_child(&canvas)
            .map_err(|e| js_failure("appending the canvas", &e))?;
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(|e| js_failure("getContext(2d)", &e))?
            .ok_or_else(|| TestFailure::new("the canvas has no 2d context"))?
            .dyn_into()
            .map_err(|_| TestFailure::new("the 2d context is not a CanvasRenderingContext2d"))?;
        let stream = canvas
            .capture_stream_with_frame_request_rate(f64::from(1000 / FRAME_MS))
            .map_err(|e| js_failure("captureStream", &e))?;
        let track: MediaStreamTrack = stream
            .get_video_tracks()
            .get(0)
            .dyn_into()
            .map_err(|_| TestFailure::new("captureStream gave no video track"))?;
        let fill = colour.css();
        let (w, h) = (f64::from(width), f64::from(height));
        let side = (h / 8.0).max(2.0);
        let frame = Rc::new(Cell::new(0u32));
        let mut noise = SeededRng::new(u64::from(width) << 32 | u64::from(height));
        let paint = move || {
            let n = frame.get().wrapping_add(1);
            frame.set(n);
            context.set_fill_style_str(&fill);
            context.fill_rect(0.0, 0.0, w, h);
            if noisy {
                scribble(&context, &mut noise, (width, height));
            }
            context.set_fill_style_str("white");
            let x = f64::from(n % 64) / 64.0 * (w - side).max(0.0);
            context.fill_rect(x, h - side, side, side);
        };
        let paint = Closure::<dyn FnMut()>::new(paint);
        let interval = window()?
            .set_interval_with_callback_and_timeout_and_arguments_0(
                paint.as_ref().unchecked_ref(),
                FRAME_MS,
            )
            .map_err(|e| js_failure("setInterval", &e))?;
        paint_now(&paint);
        Ok(CanvasSource {
            canvas,
            stream,
            track,
            colour,
            interval,
            _paint: paint,
        })
    }

    /// The captured video track.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(source: rtc_peer::testing::CanvasSource) {
    /// assert_eq!(source.track().ready_state(), web_sys::MediaStreamTrackState::Live);
    /// # }
    /// ```
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }

    /// The capture stream holding [`track`](Self::track).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(source: rtc_peer::testing::CanvasSource) {
    /// let id = source.stream().id();
    /// # let _ = id;
    /// # }
    /// ```
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// The canvas being captured (attached to the page).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(source: rtc_peer::testing::CanvasSource) {
    /// assert_eq!(source.canvas().width(), 320);
    /// # }
    /// ```
    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// The colour of every frame's centre.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(source: rtc_peer::testing::CanvasSource) {
    /// println!("sending {}", source.colour());
    /// # }
    /// ```
    pub fn colour(&self) -> Colour {
        self.colour
    }

    /// Stops painting, stops the track and removes the canvas (what dropping does).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(source: rtc_peer::testing::CanvasSource) {
    /// source.stop();
    /// # }
    /// ```
    pub fn stop(self) {
        drop(self);
    }
}

/// Draws 60 rectangles of random colours, places and sizes.
fn scribble(context: &CanvasRenderingContext2d, rng: &mut SeededRng, (w, h): (u32, u32)) {
    for _ in 0..60 {
        let (r, g, b) = (rng.upto(255), rng.upto(255), rng.upto(255));
        context.set_fill_style_str(&format!("rgb({r},{g},{b})"));
        context.fill_rect(
            f64::from(rng.upto(w)),
            f64::from(rng.upto(h)),
            f64::from(8 + rng.upto(60)),
            f64::from(8 + rng.upto(60)),
        );
    }
}

/// Paints the first frame at once, so the capture has a frame before the first tick.
fn paint_now(paint: &Closure<dyn FnMut()>) {
    let function: &js_sys::Function = paint.as_ref().unchecked_ref();
    let _ = function.call0(&wasm_bindgen::JsValue::UNDEFINED);
}

impl fmt::Debug for CanvasSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanvasSource")
            .field("width", &self.canvas.width())
            .field("height", &self.canvas.height())
            .field("colour", &self.colour)
            .field("track", &self.track.id())
            .finish()
    }
}

impl Drop for CanvasSource {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.interval);
        }
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
        self.track.stop();
        self.canvas.remove();
    }
}
