//! Is the fast path fine enough for this job? A bundle is served as one record, so a barrier
//! waits behind up to one bundle's service, and a channel that carries few bundles per output
//! flush passes its barriers sooner than one carrying many records.

use super::finding;
use super::thresholds::BUNDLE_SERVICE_WARNING_MS;
use crate::metrics::{Finding, Status};
use crate::scenario::{OperatorKind, Partitioning, Scenario};

/// A bundle's service time: fractions of a millisecond matter here.
fn ms_2(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        crate::units::human_ms(ms)
    }
}

/// What the verdict needs to know of a run on the fast path.
#[derive(Clone, Debug)]
pub struct BundleShape {
    pub records_per_bundle: u32,
    /// The operator whose bundle takes longest (mean service and wait times `k`), and that (ms).
    pub slowest: (String, f64),
    /// Fewest bundles a hash channel out of a source carries per output flush, if there is one.
    pub fewest_per_flush: Option<f64>,
}

impl BundleShape {
    /// One bundle's service at the slowest operator is above the warning threshold: timings
    /// move by more than Flink's statistics resolve.
    pub fn too_coarse(&self) -> bool {
        self.slowest.1 > BUNDLE_SERVICE_WARNING_MS
    }

    pub fn of(s: &Scenario) -> Option<BundleShape> {
        let k = s.simulation.records_per_bundle;
        if k <= 1 {
            return None;
        }
        let slowest = s
            .operators
            .iter()
            .map(|o| {
                let ms = (o.service_time.dist.mean() + o.wait_time.dist.mean()) * k as f64 / 1e6;
                (o.name.clone(), ms)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        let timeout_s = s.network.buffer_timeout.as_u64() as f64 / 1e9;
        let fewest_per_flush = s
            .operators
            .iter()
            .flat_map(|o| o.inputs.iter().map(move |i| (o, i)))
            // Without an output flusher no buffer leaves part-full on a timer.
            .filter(|(_, i)| s.network.buffer_timeout_enabled && i.partitioning == Partitioning::Hash)
            .filter_map(|(o, i)| {
                let up = s.operators.iter().find(|u| u.name == i.from)?;
                let rate = up.rate.as_ref().filter(|_| up.kind == OperatorKind::Source)?;
                Some(rate.records_per_second / k as f64 / o.parallelism as f64 * timeout_s)
            })
            .filter(|x| *x > 0.0)
            .min_by(|a, b| a.total_cmp(b));
        Some(BundleShape {
            records_per_bundle: k,
            slowest,
            fewest_per_flush,
        })
    }
}

pub fn judge(b: &BundleShape) -> Finding {
    let k = b.records_per_bundle;
    let (op, ms) = (&b.slowest.0, b.slowest.1);
    let lumpy = match b.fewest_per_flush {
        Some(n) if n < 4.0 => format!(
            " Hash channels out of the sources carry as few as {n:.1} bundles per output flush, so first \
             barriers arrive sooner than record by record: read start delay and alignment together (their sum \
             holds)."
        ),
        _ => String::new(),
    };
    let figures = [("records_per_bundle", k as f64), ("bundle_service_ms", ms)];
    if b.too_coarse() {
        let fits = ((BUNDLE_SERVICE_WARNING_MS / (ms / k as f64)).floor() as u32).max(1);
        let advice = if fits > 1 {
            format!("set simulation.records_per_bundle to {fits} or less")
        } else {
            "run it record by record (simulation.records_per_bundle = 1)".to_string()
        };
        return finding(
            "fast_path",
            Status::Warning,
            format!(
                "Fast path too coarse for this job: a bundle of {k} records takes {} at `{op}`, so checkpoint \
                 timings and latencies move by up to that much; {advice}.{lumpy}",
                ms_2(ms)
            ),
            &figures,
        );
    }
    finding(
        "fast_path",
        Status::Info,
        format!(
            "Fast path: records in bundles of {k} (a bundle takes at most {} at `{op}`); throughput, busy time, \
             state and checkpoint sizes keep the record-level model's values, and its error on the bundled \
             scenarios is measured in the README.{lumpy}",
            ms_2(ms)
        ),
        &figures,
    )
}
