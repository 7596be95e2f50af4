//! The scenario's `[restart]` (`restart-strategy.*`) and `[recovery]` (failover strategy, state
//! restore) sections, with their validation.
//!
//! ```toml
//! [restart]
//! strategy = "exponential-delay"      # none | fixed-delay | exponential-delay | failure-rate
//! initial_backoff = "1s"              # Flink's names and defaults, see RestartCfg
//!
//! [recovery]
//! failover = "region"                 # region | full
//! local = false                       # execution.state-recovery.from-local
//! ```

use super::schema::Scenario;
pub use super::schema::{
    DEPLOYMENT_TIME_MS, FailoverStrategyKind, RecoveryCfg, RestartCfg, RestartStrategyKind,
    TASK_FAILURE_REPORT_DELAY_MS,
};
use crate::protocol::restart::RestartStrategyConfig;

type Problem = (String, String);

fn fail<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, Problem> {
    Err((path.into(), msg.into()))
}

// ---------------------------------------------------------------------------------------------
// [restart]

/// Flink's default restart strategy: exponential-delay when checkpointing is enabled (1.19+),
/// none (`disable`) otherwise.
pub fn effective_restart_strategy(s: &Scenario) -> RestartStrategyConfig {
    match &s.restart {
        Some(r) => r.to_config(),
        None if s.checkpoint.interval.is_some() => RestartStrategyConfig::exponential_delay_default(),
        None => RestartStrategyConfig::NoRestart,
    }
}

// ---------------------------------------------------------------------------------------------
// validation

/// Range checks for `[restart]` and `[recovery]`, as (dotted field path, message).
pub fn validate_restart_and_recovery(s: &Scenario) -> Result<(), Problem> {
    if let Some(r) = &s.restart {
        validate_restart(r)?;
    }
    validate_recovery(&s.recovery)
}

fn validate_restart(r: &RestartCfg) -> Result<(), Problem> {
    let allowed: &[&str] = match r.strategy {
        RestartStrategyKind::None => &[],
        RestartStrategyKind::FixedDelay => &["attempts", "delay"],
        RestartStrategyKind::ExponentialDelay => &[
            "initial_backoff",
            "max_backoff",
            "backoff_multiplier",
            "jitter_factor",
            "reset_backoff_threshold",
            "attempts_before_reset_backoff",
        ],
        RestartStrategyKind::FailureRate => &["max_failures_per_interval", "failure_rate_interval", "delay"],
    };
    for (name, given) in r.given() {
        if given && !allowed.contains(&name) {
            return fail(
                format!("restart.{name}"),
                format!("does not apply to strategy = \"{}\"", strategy_name(r.strategy)),
            );
        }
    }
    r.to_config().validate().map_err(|e| match e {
        crate::protocol::restart::RestartConfigError::Invalid { field, message } => {
            (format!("restart.{field}"), message)
        }
    })
}

fn strategy_name(k: RestartStrategyKind) -> &'static str {
    match k {
        RestartStrategyKind::None => "none",
        RestartStrategyKind::FixedDelay => "fixed-delay",
        RestartStrategyKind::ExponentialDelay => "exponential-delay",
        RestartStrategyKind::FailureRate => "failure-rate",
    }
}

fn validate_recovery(r: &RecoveryCfg) -> Result<(), Problem> {
    if let Some(b) = &r.restore_bandwidth
        && b.value <= 0.0
    {
        return fail("recovery.restore_bandwidth", "must be > 0");
    }
    if r.local_restore_bandwidth.value <= 0.0 {
        return fail("recovery.local_restore_bandwidth", "must be > 0");
    }
    Ok(())
}
