//! Follow mode: poll forever, at jittered intervals, until told to stop.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use rand::Rng;
use serde::de::DeserializeOwned;

use super::feed::{Batch, ChangeFeed};
use crate::error::Result;

/// Completes when a following feed should stop (e.g. a signal handler or a channel closing).
pub type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Waits after a failed pass grow up to this many intervals.
const MAX_BACKOFF_INTERVALS: u32 = 16;

struct Following<T> {
    feed: ChangeFeed<T>,
    interval: Duration,
    pass: Option<BoxStream<'static, Result<Batch<T>>>>,
    shutdown: Shutdown,
    failures: u32,
    stopped: bool,
}

impl<T: DeserializeOwned + Send + 'static> ChangeFeed<T> {
    /// Polls forever: a pass, then a pause of about `interval` (±20 %, so many followers do not
    /// call in step), then the next pass from the last batch's checkpoint. Ends when `shutdown`
    /// completes (between requests; a batch not yet returned is simply not delivered, so nothing
    /// is lost when its checkpoint was never stored).
    ///
    /// Throttling (429) and unavailability are retried inside each request by the client's
    /// [`RetryPolicy`](crate::RetryPolicy), which honours `Retry-After`; a pass that still fails
    /// that way is retried after a growing pause. Any other error is returned and ends the stream.
    pub fn follow(
        self,
        interval: Duration,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> BoxStream<'static, Result<Batch<T>>> {
        let state =
            Following { feed: self, interval, pass: None, shutdown: Box::pin(shutdown), failures: 0, stopped: false };
        stream::unfold(state, |mut state| async move {
            loop {
                if state.stopped {
                    return None;
                }
                let Some(pass) = state.pass.as_mut() else {
                    state.pass = Some(state.feed.poll());
                    continue;
                };
                let next = tokio::select! {
                    biased;
                    () = &mut state.shutdown => return None,
                    next = pass.next() => next,
                };
                let pause = match next {
                    Some(Ok(batch)) => {
                        state.failures = 0;
                        state.feed.checkpoint = batch.checkpoint.clone();
                        return Some((Ok(batch), state));
                    }
                    Some(Err(err)) if err.is_retryable() => {
                        state.failures = state.failures.saturating_add(1);
                        tracing::warn!(error = %err, failures = state.failures, "change feed pass failed; retrying");
                        state
                            .interval
                            .saturating_mul(1 << state.failures.min(4))
                            .min(state.interval * MAX_BACKOFF_INTERVALS)
                    }
                    Some(Err(err)) => {
                        state.stopped = true;
                        return Some((Err(err), state));
                    }
                    None => state.interval,
                };
                state.pass = None;
                let pause = jittered(pause);
                tokio::select! {
                    biased;
                    () = &mut state.shutdown => return None,
                    () = tokio::time::sleep(pause) => {}
                }
            }
        })
        .boxed()
    }
}

/// `pause` ±20 %.
fn jittered(pause: Duration) -> Duration {
    pause.mul_f64(rand::thread_rng().gen_range(0.8..=1.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_fifth() {
        for _ in 0..100 {
            let pause = jittered(Duration::from_secs(10));
            assert!(pause >= Duration::from_secs(8) && pause <= Duration::from_secs(12), "{pause:?}");
        }
    }
}
