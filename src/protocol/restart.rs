//! Restart strategies: `RestartBackoffTimeStrategy` and its implementations in
//! `flink-runtime/.../executiongraph/failover/` (Flink 1.19+, FLIP-364 semantics).
//!
//! Flink's `ExecutionFailureHandler` calls, at the instant of a failure, `notifyFailure`, then
//! `canRestart`, then `getBackoffTime`. The two queries read the clock in Flink; here they read
//! the time of the last `notify_failure`, which is the same instant, so they need no argument.
//! Randomness (the exponential strategy's jitter) is drawn in `notify_failure` from the caller's
//! RNG, so the strategy is a pure function of its inputs.

use rand::Rng;

use crate::time::{DurationNs, NS_PER_S, SimTime};

/// What failed, as the world reports it (Flink passes the `Throwable`; only its kind matters to
/// statistics, not to any strategy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCause {
    /// A task threw (user code, a crash injected into one subtask).
    TaskFailure,
    /// A TaskManager process was lost (detected by disconnect or heartbeat timeout).
    TaskManagerLost,
    /// `tolerable-failed-checkpoints` exceeded (`CheckpointFailureManager`).
    CheckpointToleranceExceeded,
    /// The JobManager failed over; the new leader restores from the completed checkpoint store.
    JobManagerFailover,
    /// A remote input channel failed (`RemoteTransportException`): its TCP connection dropped,
    /// or a network partition outlasted the connection's timeout.
    NetworkFailure,
}

impl FailureCause {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCause::TaskFailure => "task_failure",
            FailureCause::TaskManagerLost => "task_manager_lost",
            FailureCause::CheckpointToleranceExceeded => "checkpoint_tolerance_exceeded",
            FailureCause::JobManagerFailover => "job_manager_failover",
            FailureCause::NetworkFailure => "network_failure",
        }
    }
}

/// `restart-strategy.type` and its options, with Flink's defaults in [`RestartStrategyConfig::fixed_delay_default`]
/// and friends. Times are nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RestartStrategyConfig {
    /// `none` / `disable`: the job fails terminally on the first failure.
    NoRestart,
    /// `fixed-delay`: at most `attempts` restarts, each after `delay_ns`.
    FixedDelay { attempts: u32, delay_ns: DurationNs },
    /// `exponential-delay`.
    ExponentialDelay {
        initial_backoff_ns: DurationNs,
        max_backoff_ns: DurationNs,
        backoff_multiplier: f64,
        jitter_factor: f64,
        reset_backoff_threshold_ns: DurationNs,
        /// `attempts-before-reset-backoff` (Flink: `Integer.MAX_VALUE`).
        attempts_before_reset_backoff: u32,
    },
    /// `failure-rate`: restart unless more than `max_failures_per_interval` failures fell within
    /// `failure_rate_interval_ns`.
    FailureRate {
        max_failures_per_interval: u32,
        failure_rate_interval_ns: DurationNs,
        delay_ns: DurationNs,
    },
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RestartConfigError {
    #[error("`{field}`: {message}")]
    Invalid { field: &'static str, message: String },
}

fn invalid<T>(field: &'static str, message: impl Into<String>) -> Result<T, RestartConfigError> {
    Err(RestartConfigError::Invalid {
        field,
        message: message.into(),
    })
}

impl RestartStrategyConfig {
    /// `restart-strategy.fixed-delay.attempts` 1, `.delay` 1 s.
    pub fn fixed_delay_default() -> Self {
        RestartStrategyConfig::FixedDelay {
            attempts: 1,
            delay_ns: NS_PER_S,
        }
    }

    /// Flink's default with checkpointing (1.19+): 1 s × 1.5 up to 1 min, jitter 0.1, reset after 1 h.
    pub fn exponential_delay_default() -> Self {
        RestartStrategyConfig::ExponentialDelay {
            initial_backoff_ns: NS_PER_S,
            max_backoff_ns: 60 * NS_PER_S,
            backoff_multiplier: 1.5,
            jitter_factor: 0.1,
            reset_backoff_threshold_ns: 3600 * NS_PER_S,
            attempts_before_reset_backoff: i32::MAX as u32,
        }
    }

    /// `max-failures-per-interval` 1, `failure-rate-interval` 1 min, `delay` 1 s.
    pub fn failure_rate_default() -> Self {
        RestartStrategyConfig::FailureRate {
            max_failures_per_interval: 1,
            failure_rate_interval_ns: 60 * NS_PER_S,
            delay_ns: NS_PER_S,
        }
    }

    /// The backoff before the first restart (`None`: the strategy never restarts).
    pub fn first_delay_ns(&self) -> Option<u64> {
        match *self {
            RestartStrategyConfig::NoRestart => None,
            RestartStrategyConfig::FixedDelay { delay_ns, .. }
            | RestartStrategyConfig::FailureRate { delay_ns, .. } => Some(delay_ns),
            RestartStrategyConfig::ExponentialDelay { initial_backoff_ns, .. } => Some(initial_backoff_ns),
        }
    }

    /// Flink's `checkArgument`s, as errors.
    pub fn validate(&self) -> Result<(), RestartConfigError> {
        match *self {
            RestartStrategyConfig::NoRestart | RestartStrategyConfig::FixedDelay { .. } => Ok(()),
            RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                jitter_factor,
                reset_backoff_threshold_ns,
                attempts_before_reset_backoff,
            } => {
                if initial_backoff_ns == 0 {
                    return invalid("initial_backoff", "must be > 0");
                }
                if max_backoff_ns < initial_backoff_ns {
                    return invalid("max_backoff", "cannot be lower than initial_backoff");
                }
                if !(backoff_multiplier.is_finite() && backoff_multiplier > 1.0) {
                    return invalid("backoff_multiplier", "must be greater than 1");
                }
                if !(0.0..=1.0).contains(&jitter_factor) {
                    return invalid("jitter_factor", "must be between 0 and 1");
                }
                if reset_backoff_threshold_ns == 0 {
                    return invalid("reset_backoff_threshold", "must be > 0");
                }
                if attempts_before_reset_backoff == 0 {
                    return invalid("attempts_before_reset_backoff", "must be at least 1");
                }
                Ok(())
            }
            RestartStrategyConfig::FailureRate {
                max_failures_per_interval,
                failure_rate_interval_ns,
                ..
            } => {
                if max_failures_per_interval == 0 {
                    return invalid("max_failures_per_interval", "must be at least 1");
                }
                if failure_rate_interval_ns == 0 {
                    return invalid("failure_rate_interval", "must be > 0");
                }
                Ok(())
            }
        }
    }

    /// `RestartBackoffTimeStrategyFactoryLoader`: a fresh strategy for a job.
    pub fn create(&self) -> Result<RestartBackoffTimeStrategy, RestartConfigError> {
        self.validate()?;
        Ok(match *self {
            RestartStrategyConfig::NoRestart => RestartBackoffTimeStrategy::NoRestart,
            RestartStrategyConfig::FixedDelay { attempts, delay_ns } => {
                RestartBackoffTimeStrategy::FixedDelay(FixedDelayRestartBackoffTimeStrategy {
                    max_number_restart_attempts: attempts,
                    backoff_time_ns: delay_ns,
                    current_restart_attempt: 0,
                })
            }
            RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                jitter_factor,
                reset_backoff_threshold_ns,
                attempts_before_reset_backoff,
            } => RestartBackoffTimeStrategy::ExponentialDelay(ExponentialDelayRestartBackoffTimeStrategy {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                jitter_factor,
                reset_backoff_threshold_ns,
                attempts_before_reset_backoff,
                current_restart_attempt: 0,
                next_restart_timestamp: None,
                last_notified: SimTime::ZERO,
            }),
            RestartStrategyConfig::FailureRate {
                max_failures_per_interval,
                failure_rate_interval_ns,
                delay_ns,
            } => RestartBackoffTimeStrategy::FailureRate(FailureRateRestartBackoffTimeStrategy {
                max_failures_per_interval,
                failures_interval_ns: failure_rate_interval_ns,
                backoff_time_ns: delay_ns,
                failure_timestamps: Vec::new(),
                last_notified: SimTime::ZERO,
            }),
        })
    }
}

/// `RestartBackoffTimeStrategy`: whether and after what delay a failed job restarts.
#[derive(Clone, Debug, PartialEq)]
pub enum RestartBackoffTimeStrategy {
    NoRestart,
    FixedDelay(FixedDelayRestartBackoffTimeStrategy),
    ExponentialDelay(ExponentialDelayRestartBackoffTimeStrategy),
    FailureRate(FailureRateRestartBackoffTimeStrategy),
}

impl RestartBackoffTimeStrategy {
    /// `notifyFailure`. Returns whether the failure counts as a new restart attempt: the
    /// exponential strategy merges failures that arrive while a restart is still pending.
    pub fn notify_failure(&mut self, now: SimTime, _cause: FailureCause, rng: &mut impl Rng) -> bool {
        match self {
            RestartBackoffTimeStrategy::NoRestart => true,
            RestartBackoffTimeStrategy::FixedDelay(s) => {
                s.current_restart_attempt = s.current_restart_attempt.saturating_add(1);
                true
            }
            RestartBackoffTimeStrategy::ExponentialDelay(s) => s.notify_failure(now, rng),
            RestartBackoffTimeStrategy::FailureRate(s) => s.notify_failure(now),
        }
    }

    /// `canRestart`, evaluated at the time of the last `notify_failure`.
    pub fn can_restart(&self) -> bool {
        match self {
            RestartBackoffTimeStrategy::NoRestart => false,
            RestartBackoffTimeStrategy::FixedDelay(s) => s.current_restart_attempt <= s.max_number_restart_attempts,
            RestartBackoffTimeStrategy::ExponentialDelay(s) => {
                s.current_restart_attempt <= s.attempts_before_reset_backoff as u64
            }
            RestartBackoffTimeStrategy::FailureRate(s) => s.can_restart(),
        }
    }

    /// `getBackoffTime`: the delay from the last `notify_failure` until the restart.
    pub fn backoff_time_ns(&self) -> DurationNs {
        match self {
            RestartBackoffTimeStrategy::NoRestart => 0,
            RestartBackoffTimeStrategy::FixedDelay(s) => s.backoff_time_ns,
            RestartBackoffTimeStrategy::ExponentialDelay(s) => {
                s.next_restart_timestamp.map_or(0, |t| t.since(s.last_notified))
            }
            RestartBackoffTimeStrategy::FailureRate(s) => s.backoff_time_ns,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FixedDelayRestartBackoffTimeStrategy {
    max_number_restart_attempts: u32,
    backoff_time_ns: DurationNs,
    current_restart_attempt: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExponentialDelayRestartBackoffTimeStrategy {
    initial_backoff_ns: DurationNs,
    max_backoff_ns: DurationNs,
    backoff_multiplier: f64,
    jitter_factor: f64,
    reset_backoff_threshold_ns: DurationNs,
    attempts_before_reset_backoff: u32,
    /// Attempts since the last reset; the backoff is `initial × multiplier^attempt`.
    current_restart_attempt: u64,
    /// When the pending (or last) restart happens; `None` before the first failure, which
    /// Flink expresses as `Integer.MIN_VALUE` so that the first failure always resets.
    next_restart_timestamp: Option<SimTime>,
    last_notified: SimTime,
}

impl ExponentialDelayRestartBackoffTimeStrategy {
    fn notify_failure(&mut self, now: SimTime, rng: &mut impl Rng) -> bool {
        self.last_notified = now;
        if let Some(next) = self.next_restart_timestamp {
            // A restart is still pending: the tasks that failed now restart with it.
            if now <= next {
                return false;
            }
            // Running smoothly for the threshold since the last restart: start over. This is
            // §2's "now − lastFailure ≥ threshold + currentBackoff", as next = lastFailure + backoff.
            if now.since(next) >= self.reset_backoff_threshold_ns {
                self.current_restart_attempt = 0;
            }
        }
        self.next_restart_timestamp = Some(now + self.actual_backoff_ns(rng));
        self.current_restart_attempt += 1;
        true
    }

    /// `calculateActualBackoffTime`: max(initial, min(backoff ± jitter × backoff, max)).
    fn actual_backoff_ns(&self, rng: &mut impl Rng) -> DurationNs {
        let exp = self.current_restart_attempt.min(i32::MAX as u64) as i32;
        let raw = self.initial_backoff_ns as f64 * self.backoff_multiplier.powi(exp);
        // Truncation as Flink's `(long)` cast; clamp before the cast so a huge power saturates.
        let current = raw.min(u64::MAX as f64 / 2.0) as u64;
        let jittered = if self.jitter_factor == 0.0 {
            current
        } else {
            let offset = (current as f64 * self.jitter_factor) as u64;
            // Uniform integer in [-offset, offset], as `nextLong(-offset, offset + 1)`.
            let span = 2 * offset as u128 + 1;
            let draw = ((rng.next_u64() as u128 * span) >> 64) as u64;
            (current - offset.min(current)) + draw
        };
        jittered.min(self.max_backoff_ns).max(self.initial_backoff_ns)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FailureRateRestartBackoffTimeStrategy {
    max_failures_per_interval: u32,
    failures_interval_ns: DurationNs,
    backoff_time_ns: DurationNs,
    /// The latest `max_failures_per_interval + 1` failure times, oldest first.
    failure_timestamps: Vec<SimTime>,
    last_notified: SimTime,
}

impl FailureRateRestartBackoffTimeStrategy {
    fn is_queue_full(&self) -> bool {
        self.failure_timestamps.len() > self.max_failures_per_interval as usize
    }

    fn notify_failure(&mut self, now: SimTime) -> bool {
        if self.is_queue_full() {
            self.failure_timestamps.remove(0);
        }
        self.failure_timestamps.push(now);
        self.last_notified = now;
        true
    }

    /// Refuses when the oldest of the last `max + 1` failures is within the interval, i.e. the
    /// (max + 1)-th failure inside one interval.
    fn can_restart(&self) -> bool {
        match self.failure_timestamps.first() {
            Some(earliest) if self.is_queue_full() => self.last_notified.since(*earliest) > self.failures_interval_ns,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const S: u64 = NS_PER_S;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    fn no_jitter() -> RestartStrategyConfig {
        match RestartStrategyConfig::exponential_delay_default() {
            RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                reset_backoff_threshold_ns,
                attempts_before_reset_backoff,
                ..
            } => RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                jitter_factor: 0.0,
                reset_backoff_threshold_ns,
                attempts_before_reset_backoff,
            },
            _ => unreachable!(),
        }
    }

    /// Failures each arriving right after the previous restart: the backoff grows by 1.5.
    #[test]
    fn exponential_delay_grows_by_the_multiplier_up_to_the_max() {
        let mut s = no_jitter().create().unwrap();
        let mut r = rng();
        let mut now = SimTime(5 * S);
        let mut delays = Vec::new();
        for _ in 0..14 {
            assert!(s.notify_failure(now, FailureCause::TaskFailure, &mut r));
            assert!(s.can_restart());
            let d = s.backoff_time_ns();
            delays.push(d);
            now = now + d + 1; // fails again 1 ns after restarting
        }
        let expected: Vec<u64> = [
            1.0,
            1.5,
            2.25,
            3.375,
            5.0625,
            7.59375,
            11.390625,
            17.0859375,
            25.62890625,
        ]
        .iter()
        .map(|x: &f64| (x * S as f64) as u64)
        .collect();
        assert_eq!(&delays[..9], &expected[..]);
        assert_eq!(delays[9], 38_443_359_375);
        assert_eq!(delays[10], 57_665_039_062);
        assert!(
            delays[11..].iter().all(|d| *d == 60 * S),
            "capped at max-backoff: {delays:?}"
        );
    }

    #[test]
    fn exponential_delay_jitter_stays_within_ten_percent() {
        let mut s = RestartStrategyConfig::exponential_delay_default().create().unwrap();
        let mut r = rng();
        let mut now = SimTime(S);
        let mut saw_below = false;
        let mut saw_above = false;
        for attempt in 0..10 {
            s.notify_failure(now, FailureCause::TaskFailure, &mut r);
            let nominal = (S as f64 * 1.5f64.powi(attempt)) as u64;
            let d = s.backoff_time_ns();
            let (lo, hi) = (nominal - nominal / 10, nominal + nominal / 10);
            assert!(
                d >= lo.max(S) && d <= hi.min(60 * S),
                "attempt {attempt}: {d} vs {nominal}"
            );
            saw_below |= d < nominal;
            saw_above |= d > nominal;
            now = now + d + 1;
        }
        assert!(saw_below && saw_above, "jitter goes both ways");
    }

    #[test]
    fn exponential_delay_resets_after_the_quiet_threshold() {
        let mut s = no_jitter().create().unwrap();
        let mut r = rng();
        s.notify_failure(SimTime(0), FailureCause::TaskFailure, &mut r);
        s.notify_failure(SimTime(2 * S), FailureCause::TaskFailure, &mut r);
        assert_eq!(s.backoff_time_ns(), 3 * S / 2);
        // Restarted at 3.5 s; one hour minus 1 ns later: no reset yet.
        let restart = SimTime(2 * S + 3 * S / 2);
        s.notify_failure(restart + (3600 * S - 1), FailureCause::TaskFailure, &mut r);
        assert_eq!(s.backoff_time_ns(), 9 * S / 4);
        // One hour after that restart: back to the initial backoff.
        let restart = restart + (3600 * S - 1) + 9 * S / 4;
        s.notify_failure(restart + 3600 * S, FailureCause::TaskFailure, &mut r);
        assert_eq!(s.backoff_time_ns(), S);
    }

    #[test]
    fn exponential_delay_merges_failures_during_a_pending_restart() {
        let mut s = no_jitter().create().unwrap();
        let mut r = rng();
        assert!(s.notify_failure(SimTime(10 * S), FailureCause::TaskManagerLost, &mut r));
        assert!(!s.notify_failure(SimTime(10 * S + S / 4), FailureCause::TaskFailure, &mut r));
        assert_eq!(
            s.backoff_time_ns(),
            3 * S / 4,
            "the remaining time to the pending restart"
        );
        assert!(s.notify_failure(SimTime(11 * S + 1), FailureCause::TaskFailure, &mut r));
        assert_eq!(s.backoff_time_ns(), 3 * S / 2);
    }

    #[test]
    fn exponential_delay_attempt_limit_refuses_past_it() {
        let cfg = match no_jitter() {
            RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                jitter_factor,
                reset_backoff_threshold_ns,
                ..
            } => RestartStrategyConfig::ExponentialDelay {
                initial_backoff_ns,
                max_backoff_ns,
                backoff_multiplier,
                jitter_factor,
                reset_backoff_threshold_ns,
                attempts_before_reset_backoff: 2,
            },
            _ => unreachable!(),
        };
        let mut s = cfg.create().unwrap();
        let mut r = rng();
        let mut now = SimTime(S);
        for allowed in [true, true, false] {
            s.notify_failure(now, FailureCause::TaskFailure, &mut r);
            assert_eq!(s.can_restart(), allowed);
            now = now + s.backoff_time_ns() + 1;
        }
    }

    #[test]
    fn fixed_delay_allows_exactly_its_attempts() {
        let mut s = RestartStrategyConfig::FixedDelay {
            attempts: 3,
            delay_ns: 10 * S,
        }
        .create()
        .unwrap();
        let mut r = rng();
        for i in 1..=4u64 {
            s.notify_failure(SimTime(i * 100 * S), FailureCause::TaskFailure, &mut r);
            assert_eq!(s.can_restart(), i <= 3, "failure {i}");
            assert_eq!(s.backoff_time_ns(), 10 * S);
        }
        let mut d = RestartStrategyConfig::fixed_delay_default().create().unwrap();
        d.notify_failure(SimTime(0), FailureCause::TaskFailure, &mut r);
        assert!(d.can_restart() && d.backoff_time_ns() == S);
        d.notify_failure(SimTime(0), FailureCause::TaskFailure, &mut r);
        assert!(!d.can_restart(), "default: one attempt");
    }

    #[test]
    fn failure_rate_refuses_the_n_plus_first_failure_in_the_window() {
        let mut s = RestartStrategyConfig::FailureRate {
            max_failures_per_interval: 3,
            failure_rate_interval_ns: 60 * S,
            delay_ns: 2 * S,
        }
        .create()
        .unwrap();
        let mut r = rng();
        for t in [0, 10, 20] {
            s.notify_failure(SimTime(t * S), FailureCause::TaskFailure, &mut r);
            assert!(s.can_restart(), "failure at {t}s");
            assert_eq!(s.backoff_time_ns(), 2 * S);
        }
        s.notify_failure(SimTime(30 * S), FailureCause::TaskFailure, &mut r);
        assert!(!s.can_restart(), "4th failure within 60 s");
        // Spaced out: the window [t-60 s, t] never holds 4 failures.
        let mut spaced = RestartStrategyConfig::failure_rate_default().create().unwrap();
        for t in [0, 61, 122, 183] {
            spaced.notify_failure(SimTime(t * S), FailureCause::TaskFailure, &mut r);
            assert!(spaced.can_restart(), "failure at {t}s");
        }
        spaced.notify_failure(SimTime(200 * S), FailureCause::TaskFailure, &mut r);
        assert!(!spaced.can_restart(), "2 failures within 1 min with the default of 1");
    }

    #[test]
    fn no_restart_never_restarts() {
        let mut s = RestartStrategyConfig::NoRestart.create().unwrap();
        s.notify_failure(SimTime(0), FailureCause::TaskFailure, &mut rng());
        assert!(!s.can_restart());
    }

    #[test]
    fn invalid_configs_are_errors() {
        let bad = RestartStrategyConfig::FailureRate {
            max_failures_per_interval: 0,
            failure_rate_interval_ns: 1,
            delay_ns: 0,
        };
        assert!(bad.create().is_err());
        let RestartStrategyConfig::ExponentialDelay {
            initial_backoff_ns,
            max_backoff_ns,
            jitter_factor,
            reset_backoff_threshold_ns,
            attempts_before_reset_backoff,
            ..
        } = RestartStrategyConfig::exponential_delay_default()
        else {
            unreachable!()
        };
        let bad = RestartStrategyConfig::ExponentialDelay {
            initial_backoff_ns,
            max_backoff_ns,
            backoff_multiplier: 1.0,
            jitter_factor,
            reset_backoff_threshold_ns,
            attempts_before_reset_backoff,
        };
        assert_eq!(
            bad.validate(),
            Err(RestartConfigError::Invalid {
                field: "backoff_multiplier",
                message: "must be greater than 1".into()
            })
        );
    }
}
