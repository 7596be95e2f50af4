//! The scenario's `[faults]` section (what goes wrong and when): its validation, and the types
//! from `crate::fault_spec` re-exported under the scenario's name. `[restart]` and `[recovery]`
//! are in `scenario::restart`.
//!
//! Each fault type checks itself (`FaultSpec::check` beside its type in `crate::fault_spec`);
//! this walks them in file order, then bounds their sum. An example of every fault type is in
//! the reference catalogue (`reference::catalogue::faults`), and every field in
//! `scenarios/REFERENCE.md`. Every window (partitions, storage latency spikes, outages,
//! throttling, stragglers) takes `start` (one window) or `mtbf` (windows starting as a Poisson
//! process with that mean gap), plus its `duration`.

use super::schema::Scenario;
/// `[faults]` as the file writes it, defined below the scenario and the model, which draws
/// its schedule from the same types.
pub use crate::fault_spec::{
    ConnectionLossCfg, FactorWindowCfg, FaultsCfg, JobManagerFailoverCfg, NetworkPartitionCfg, StorageFaultsCfg,
    StragglerCfg, TaskCrashCfg, TaskManagerLossCfg, WindowCfg,
};
pub use crate::fault_spec::{FAULT_EVENTS_MAX, MTBF_MIN_NS};
use crate::fault_spec::{Problem, Targets};
/// The vocabulary the file shares with the model, defined below both.
pub use crate::vocab::{LossDetection, MtbfScope, StragglerKind};

/// What the scenario's faults can hit: its run length, operators and TaskManagers.
pub fn fault_targets(s: &Scenario) -> Targets<'_> {
    Targets {
        run_ns: s.simulation.duration.value,
        operators: s.operators.iter().map(|o| (o.name.as_str(), o.parallelism)).collect(),
        taskmanagers: s.cluster.taskmanagers,
    }
}

/// Range and reference checks for `[faults]`, as (dotted field path, message).
pub fn validate_faults(s: &Scenario) -> Result<(), Problem> {
    let Some(f) = &s.faults else {
        return Ok(());
    };
    let targets = fault_targets(s);
    for spec in f.specs() {
        spec.cfg.check(&spec.path, &targets)?;
    }
    // Each spec is bounded on its own; their sum must fit the schedule too (it holds twice
    // this, so a random schedule of this expected size never overflows it).
    let total = f.loads(&targets).iter().fold(0.0, |sum, l| sum + l.scheduled_events());
    if total > FAULT_EVENTS_MAX {
        return Err((
            "faults".into(),
            format!(
                "the fault specs together ask for about {total:.0} events; at most {FAULT_EVENTS_MAX} are supported"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse_str;

    const BASE: &str = "[simulation]\nduration = \"1h\"\n[checkpoint]\ninterval = \"10s\"\n[cluster]\ntaskmanagers = 2\nslots_per_taskmanager = 2\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 2\nrate = { process = \"constant\", records_per_second = 10 }\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 2\ninputs = [{ from = \"src\", partitioning = \"hash\" }]\n";

    /// Parsed without `validate` (which calls `validate_faults` once wired), then checked here.
    fn scenario(extra: &str) -> Result<crate::scenario::Scenario, String> {
        toml::from_str(&format!("{BASE}{extra}")).map_err(|e: toml::de::Error| e.to_string())
    }

    fn err(extra: &str) -> (String, String) {
        let s = scenario(extra).expect("parses");
        // `[restart]` and `[recovery]` are validated in `scenario::restart`, before `[faults]`.
        crate::scenario::restart::validate_restart_and_recovery(&s)
            .and_then(|()| super::validate_faults(&s))
            .expect_err("should be rejected")
    }

    #[test]
    fn a_full_faults_section_parses() {
        let text = format!(
            "{BASE}{}",
            r#"
[restart]
strategy = "failure-rate"
max_failures_per_interval = 3
failure_rate_interval = "5min"
delay = "10s"
[recovery]
failover = "full"
local = true
[[faults.task_crash]]
at = ["2min", "3min"]
operator = "sink"
subtask = 1
[[faults.task_crash]]
mtbf = "6h"
per = "task"
[[faults.taskmanager_loss]]
at = ["10min"]
taskmanager = 1
detection = "connection_drop"
[[faults.network_partition]]
start = "5min"
duration = "30s"
between = [0, 1]
[faults.storage]
upload_failure_probability = 0.01
latency_spikes = [{ start = "3min", duration = "1min", factor = 10 }]
outages = [{ start = "8min", duration = "2min" }]
throttling = [{ start = "12min", duration = "5min", factor = 0.25 }]
[[faults.straggler]]
kind = "disk"
taskmanager = 0
start = "1min"
duration = "2min"
slowdown = 3.0
[faults.jobmanager_failover]
at = ["20min"]
"#
        );
        let s: crate::scenario::Scenario = toml::from_str(&text).unwrap();
        super::validate_faults(&s).unwrap();
        let f = s.faults.as_ref().unwrap();
        assert_eq!(f.task_crash.len(), 2);
        assert_eq!(s.recovery.failover, crate::vocab::FailoverStrategyKind::Full);
        assert_eq!(
            crate::scenario::restart::effective_restart_strategy(&s),
            crate::protocol::restart::RestartStrategyConfig::FailureRate {
                max_failures_per_interval: 3,
                failure_rate_interval_ns: 300 * crate::time::NS_PER_S,
                delay_ns: 10 * crate::time::NS_PER_S,
            }
        );
    }

    #[test]
    fn defaults_follow_flink() {
        let s = parse_str(BASE, "t.toml").unwrap().scenario;
        assert!(s.faults.is_none());
        assert_eq!(
            crate::scenario::restart::effective_restart_strategy(&s),
            crate::protocol::restart::RestartStrategyConfig::exponential_delay_default()
        );
        assert_eq!(s.recovery.failover, crate::vocab::FailoverStrategyKind::Region);
        let no_ckpt = parse_str(&BASE.replace("interval = \"10s\"", ""), "t.toml")
            .unwrap()
            .scenario;
        assert_eq!(
            crate::scenario::restart::effective_restart_strategy(&no_ckpt),
            crate::protocol::restart::RestartStrategyConfig::NoRestart
        );
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "[restart]\nstrategy = \"fixed-delay\"\njitter_factor = 0.2\n",
                "restart.jitter_factor",
            ),
            (
                "[restart]\nstrategy = \"exponential-delay\"\nbackoff_multiplier = 0.5\n",
                "restart.backoff_multiplier",
            ),
            (
                "[[faults.task_crash]]\noperator = \"nope\"\nat = [\"1s\"]\n",
                "faults.task_crash[0].operator",
            ),
            (
                "[[faults.task_crash]]\noperator = \"sink\"\nsubtask = 2\nat = [\"1s\"]\n",
                "faults.task_crash[0].subtask",
            ),
            (
                "[[faults.task_crash]]\noperator = \"sink\"\n",
                "faults.task_crash[0].at",
            ),
            (
                "[[faults.taskmanager_loss]]\nmtbf = \"1ms\"\nper = \"task\"\n",
                "faults.taskmanager_loss[0].mtbf",
            ),
            (
                "[[faults.network_partition]]\nstart = \"1s\"\nduration = \"1s\"\nbetween = [1, 1]\n",
                "faults.network_partition[0].between",
            ),
            (
                "[[faults.network_partition]]\nstart = \"1s\"\nduration = \"1s\"\nbetween = [0, 1]\nfail_after = \"0s\"\n",
                "faults.network_partition[0].fail_after",
            ),
            (
                "[[faults.connection_loss]]\nat = [\"1s\"]\nbetween = [0, 2]\n",
                "faults.connection_loss[0].between",
            ),
            (
                "[[faults.connection_loss]]\nbetween = [0, 1]\n",
                "faults.connection_loss[0].at",
            ),
            (
                "[faults.storage]\noutages = [{ start = \"1s\", mtbf = \"1h\", duration = \"1s\" }]\n",
                "faults.storage.outages[0].mtbf",
            ),
            (
                "[[faults.straggler]]\nkind = \"disk\"\ntaskmanager = 0\nduration = \"1s\"\nslowdown = 2\n",
                "faults.straggler[0].start",
            ),
            (
                "[faults.storage]\nthrottling = [{ start = \"1s\", duration = \"1s\", factor = 2 }]\n",
                "faults.storage.throttling[0].factor",
            ),
            (
                "[faults.storage]\nupload_failure_probability = 1.5\n",
                "faults.storage.upload_failure_probability",
            ),
            (
                "[[faults.straggler]]\nkind = \"taskmanager\"\ntaskmanager = 5\nstart = \"1s\"\nduration = \"1s\"\nslowdown = 2\n",
                "faults.straggler[0].taskmanager",
            ),
        ];
        for (extra, field) in cases {
            let (f, msg) = err(extra);
            assert_eq!(f, field, "{msg}");
        }
    }

    /// The table validation and the estimate walk lists every fault type in the order of the
    /// file, the reference's order: the catalogue's example of each fault type is valid and is
    /// one spec of its own, with a failure or window of its own in the estimate.
    #[test]
    fn specs_list_every_fault_type_in_the_reference_order() {
        use crate::scenario::reference::catalogue::faults::FAULTS;
        let s = scenario(&crate::scenario::reference::catalogue::faults::examples()).expect("parses");
        super::validate_faults(&s).unwrap();
        let f = s.faults.as_ref().unwrap();
        let specs: Vec<String> = f.specs().iter().map(|s| s.path.as_str().to_string()).collect();
        let documented: Vec<String> = FAULTS.iter().map(|d| d.sections[0].0.replace("[]", "[0]")).collect();
        assert_eq!(specs, documented);
        let loads = f.loads(&super::fault_targets(&s));
        for spec in &specs {
            assert!(loads.iter().any(|l| l.field.starts_with(spec.as_str())), "{spec}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let msg = scenario("[[faults.task_crash]]\nat = [\"1s\"]\nmtbff = \"1h\"\n")
            .err()
            .unwrap();
        assert!(msg.contains("mtbff"), "{msg}");
        let msg = scenario("[restart]\nstrategy = \"sometimes\"\n").err().unwrap();
        assert!(msg.contains("sometimes"), "{msg}");
        // Through the loader, a serde error names file, line and field.
        let e = parse_str(&format!("{BASE}[recovery]\nfailover = \"partial\"\n"), "t.toml")
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("t.toml:"), "{e}");
    }
}
