//! The fast path's field (`simulation.records_per_bundle`): how many records one simulated
//! record stands for, and whether such a bundle still fits the network buffers it travels in.

use super::schema::*;
use super::validate::{Problem, fail};

/// Most records a bundle stands for.
pub const RECORDS_PER_BUNDLE_MAX: u32 = 1024;

/// A bundle must stay a record among others in a network buffer: at most a quarter of a
/// segment on average, so that buffers still fill, flush and take credits as records make them.
pub(super) fn validate_bundle(s: &Scenario) -> Result<(), Problem> {
    let k = s.simulation.records_per_bundle;
    if k == 0 || k > RECORDS_PER_BUNDLE_MAX {
        return fail(
            "simulation.records_per_bundle",
            format!("must be between 1 (the record-level model) and {RECORDS_PER_BUNDLE_MAX}"),
        );
    }
    if k == 1 {
        return Ok(());
    }
    let segment = s.network.segment_size.as_u64() as f64;
    for op in &s.operators {
        let sizes = [
            op.record_size.as_ref().map(|d| d.dist.mean()),
            op.output_record_size.as_ref().map(|d| d.dist.mean()),
            (op.kind == OperatorKind::Source && op.record_size.is_none()).then_some(crate::vocab::DEFAULT_RECORD_BYTES),
        ];
        if let Some(bytes) = sizes.into_iter().flatten().find(|b| b * k as f64 > segment / 4.0) {
            return fail(
                "simulation.records_per_bundle",
                format!(
                    "{k} records of `{}` ({bytes:.0} B on average) make a bundle above a quarter of a \
                     network buffer (network.segment_size {segment:.0} B): use at most {}",
                    op.name,
                    ((segment / 4.0 / bytes).floor() as u32).max(1)
                ),
            );
        }
    }
    Ok(())
}
