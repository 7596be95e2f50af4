//! A source's rate limiter, as Flink's `RateLimiterStrategy.perSecond` builds it for each source
//! subtask: a Guava `RateLimiter.create(rate)`, i.e. `SmoothBursty` with `maxBurstSeconds = 1`.
//! Unused permits are stored, up to one second's worth, and spent without waiting; a permit
//! beyond them is paid for by the *next* caller (Guava reserves ahead: the caller waits until
//! the earliest free instant recorded by the previous reservation, then pushes it on).
//!
//! Flink acquires one permit per record: `DataGeneratorSource`'s reader emits one record per
//! `pollNext`, and `RateLimitedSourceReader` asks the limiter before (1.x) or for the records
//! emitted by (2.x) each `pollNext`. The rate given to a subtask is the strategy's rate over the
//! source's parallelism.

/// Guava's `SmoothBursty` with `maxBurstSeconds = 1`, in simulated nanoseconds.
#[derive(Clone, Copy, Debug)]
pub struct RateLimiter {
    /// `stableIntervalMicros`, in ns: one permit's worth of time.
    interval_ns: f64,
    /// `maxPermits` = 1 s x the rate.
    max_permits: f64,
    stored_permits: f64,
    /// `nextFreeTicketMicros`, in ns; `None` until the first permit after (re)creation.
    next_free_ns: Option<f64>,
}

impl RateLimiter {
    /// Guava's `maxBurstSeconds` for `RateLimiter.create`.
    pub const MAX_BURST_S: f64 = 1.0;

    /// `RateLimiter.create(permits_per_second)`: nothing stored.
    pub fn per_second(permits_per_second: f64) -> Self {
        RateLimiter {
            interval_ns: 1e9 / permits_per_second,
            max_permits: Self::MAX_BURST_S * permits_per_second,
            stored_permits: 0.0,
            next_free_ns: None,
        }
    }

    /// A new reader's limiter (a task restarted): created as at the first permit it is asked
    /// for, with nothing stored. (Flink creates it with the reader, moments before.)
    pub fn recreated(&self) -> Self {
        RateLimiter {
            stored_permits: 0.0,
            next_free_ns: None,
            ..*self
        }
    }

    /// When a permit asked for at `ask_ns` is granted (no state change).
    pub fn grant_ns(&self, ask_ns: u64) -> u64 {
        match self.next_free_ns {
            Some(free) if free > ask_ns as f64 => crate::time::ns_from_f64(free).max(ask_ns),
            _ => ask_ns,
        }
    }

    /// Takes one permit asked for at `ask_ns` (`acquire()`); returns when it is granted.
    pub fn acquire(&mut self, ask_ns: u64) -> u64 {
        let grant = self.grant_ns(ask_ns);
        let now = ask_ns as f64;
        // resync: permits accrue for the time nobody asked, up to one second's worth.
        let free = match self.next_free_ns {
            None => now,
            Some(free) if now > free => {
                self.stored_permits = (self.stored_permits + (now - free) / self.interval_ns).min(self.max_permits);
                now
            }
            Some(free) => free,
        };
        // reserveEarliestAvailable: stored permits cost no wait, a fresh one an interval.
        let spent = self.stored_permits.min(1.0);
        self.stored_permits -= spent;
        self.next_free_ns = Some(free + (1.0 - spent) * self.interval_ns);
        grant
    }

    /// Permits stored now (for tests).
    pub fn stored_permits(&self) -> f64 {
        self.stored_permits
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimiter;

    const MS: u64 = 1_000_000;

    #[test]
    fn permits_come_one_interval_apart_when_asked_for_continuously() {
        let mut l = RateLimiter::per_second(1000.0);
        let mut t = 0;
        for i in 0..100u64 {
            t = l.acquire(t);
            assert_eq!(t, i * MS, "permit {i}");
        }
    }

    #[test]
    fn an_idle_limiter_stores_at_most_one_second_of_permits() {
        let mut l = RateLimiter::per_second(1000.0);
        l.acquire(0);
        // Idle for 5 s: 1000 permits stored (one second's worth), not 5000.
        let mut granted_at_once = 0;
        let ask = 5_000 * MS;
        loop {
            if l.acquire(ask) > ask {
                break;
            }
            granted_at_once += 1;
        }
        // 1000 stored, plus the one Guava grants on credit (paid for by the next caller).
        assert_eq!(granted_at_once, 1001);
    }

    #[test]
    fn a_recreated_limiter_has_nothing_stored() {
        let mut l = RateLimiter::per_second(10.0);
        l.acquire(0);
        l.acquire(10_000 * MS);
        let mut r = l.recreated();
        assert_eq!(r.stored_permits(), 0.0);
        assert_eq!(r.acquire(20_000 * MS), 20_000 * MS);
        assert_eq!(r.acquire(20_000 * MS), 20_100 * MS);
    }
}
