//! A fixed one-minute window over all API requests.

use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Counts requests in the current minute.
#[derive(Debug)]
pub(crate) struct RateWindow {
    limit: u32,
    started: Instant,
    used: u32,
}

impl RateWindow {
    pub(crate) fn new(limit: u32, now: Instant) -> Self {
        Self { limit, started: now, used: 0 }
    }

    /// Takes one request; `Err(seconds)` says how long until the window reopens (at least 1).
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), u64> {
        if now.duration_since(self.started) >= WINDOW {
            self.started = now;
            self.used = 0;
        }
        if self.used < self.limit {
            self.used += 1;
            return Ok(());
        }
        let remaining = WINDOW.saturating_sub(now.duration_since(self.started));
        Err(remaining.as_secs_f64().ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_limit_until_the_window_ends() {
        let start = Instant::now();
        let mut window = RateWindow::new(2, start);
        assert_eq!(window.take(start), Ok(()));
        assert_eq!(window.take(start), Ok(()));
        assert_eq!(window.take(start + Duration::from_secs(10)), Err(50));
        assert_eq!(window.take(start + WINDOW), Ok(()));
    }
}
