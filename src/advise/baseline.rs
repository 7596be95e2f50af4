//! The scenario run as written: the reference every answer starts from (checkpoint durations,
//! the bottleneck's busy share, the verdict), and the helpers that size the answers' runs.

use super::failure::FailureModel;
use crate::metrics::RunOutput;
use crate::scenario::Scenario;
use crate::sweep::seeds::replication_seed;
use crate::verdict::{Headroom, JobShape};

pub struct Baseline {
    pub scenario: Scenario,
    pub shape: JobShape,
    pub out: RunOutput,
    pub master_seed: u64,
}

impl Baseline {
    pub fn new(scenario: Scenario, out: RunOutput, master_seed: u64) -> Self {
        Baseline {
            shape: JobShape::of(&scenario),
            scenario,
            out,
            master_seed,
        }
    }

    fn e2e(&self, f: fn(&crate::metrics::StatsSummary) -> f64) -> f64 {
        self.out
            .summary
            .summary
            .get("end_to_end_duration")
            .filter(|e| e.count > 0)
            .map_or(0.0, f)
    }

    pub fn checkpoint_p50_ms(&self) -> f64 {
        self.e2e(|e| e.p50)
    }

    pub fn checkpoint_p99_ms(&self) -> f64 {
        self.e2e(|e| e.p99)
    }

    pub fn interval_ms(&self) -> Option<f64> {
        self.shape.interval_ms
    }

    pub fn warmup_ns(&self) -> f64 {
        self.scenario.simulation.warmup.as_u64() as f64
    }

    pub fn duration_ns(&self) -> f64 {
        self.scenario.simulation.duration.as_u64() as f64
    }

    /// The first instant from `t_ns` on that lies half an interval after a periodic trigger
    /// (`t_ns` itself without periodic checkpoints). The triggers come the minimum pause after
    /// the job's start and every `max(interval, min pause)` after that, as Flink 2.3's, so a
    /// failure at a round time can fall on one, where a run loses a whole interval of work;
    /// half an interval after one it loses the mean over where a failure may fall.
    pub fn mid_interval_from_ns(&self, t_ns: f64) -> f64 {
        let c = &self.scenario.checkpoint;
        let Some(interval) = &c.interval else {
            return t_ns;
        };
        let pause = c.min_pause.as_u64() as f64;
        let period = (interval.as_u64() as f64).max(pause).max(1.0);
        let mid = pause + 0.5 * period;
        mid + ((t_ns - mid) / period).ceil().max(0.0) * period
    }

    pub fn headroom(&self) -> Headroom {
        Headroom::of(&self.out.summary)
    }

    /// The k-th seed of the answers' runs: runs of different candidates share them (common
    /// random numbers), so differences between candidates are not seed noise.
    pub fn seed_for(&self, k: u32) -> u64 {
        replication_seed(self.master_seed, k)
    }

    /// An estimate of the outage after `failure`: detection, restart and deployment, and a state
    /// download as long as the p99 upload (the same bytes over the same storage) (ms).
    pub fn outage_estimate_ms(&self, failure: &FailureModel) -> f64 {
        let restore = self
            .out
            .summary
            .summary
            .get("async_duration")
            .filter(|e| e.count > 0)
            .map_or(0.0, |e| e.p99);
        failure.detection_ms() + self.shape.restart_and_deploy_ms + restore
    }

    /// Time after a failure to let a run go on so that the job can be live again: twice an
    /// estimate of detection, restart, state download and the catch-up of the outage plus
    /// `lost_ms` of replay at the job's spare rate, plus 10 s; at most 4 hours (ms). A run that
    /// is still not live at its end is reported as censored, never silently cut.
    pub fn recovery_window_ms(&self, failure: &FailureModel, lost_ms: f64) -> f64 {
        let down = self.outage_estimate_ms(failure);
        let rho = self.headroom().busy_ratio.min(0.95);
        let estimate = down + (down + lost_ms) * rho / (1.0 - rho);
        (10e3 + 2.0 * estimate).min(4.0 * 3600e3)
    }
}
