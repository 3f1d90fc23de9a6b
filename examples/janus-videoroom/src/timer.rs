//! Waiting in the page: [`sleep`] on `setTimeout`, and [`first_of`] two futures (a deadline).

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds (`setTimeout`); at once when there is no window.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                i32::try_from(ms).unwrap_or(i32::MAX),
            )
            .ok()
        });
        if set.is_none() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// `Ok` with `a`'s output if it finishes first, else `Err` with `b`'s.
pub async fn first_of<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(out) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        match b.as_mut().poll(cx) {
            Poll::Ready(out) => Poll::Ready(Err(out)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
