//! How far to trust RocksDB's synchronous phase. Against a real Flink 2.3 with two RocksDB
//! instances on one TaskManager, ckptsim's synchronous phase came out short on every day the
//! fidelity suite measured it ([`FLINK_OVER_CKPTSIM_SYNC`]): Flink's instances share RocksDB's
//! one flush thread, which ckptsim models, and each instance's task thread waits for a core
//! while the other's flush, the uploads and the JVM's other threads run, which it does not
//! (`tests/fidelity/probes/rocksdb_first_instance/`: 3 ms of 5.5 for the instance that starts
//! first; not the disk; about half of that wait with the other core idle,
//! `rocksdb_wait_placement/`). Where that gap could move the end-to-end duration by more than
//! ckptsim's agreement with Flink, the verdict says so.

use super::thresholds::{FIDELITY_TOLERANCE, FLINK_OVER_CKPTSIM_SYNC};
use super::{JobShape, finding, human_ms};
use crate::metrics::{Finding, RunSummary, Status};

/// `None` unless a TaskManager runs two or more RocksDB instances and their synchronous phase
/// could move the end-to-end duration by more than [`FIDELITY_TOLERANCE`].
pub fn judge(s: &RunSummary, job: &JobShape) -> Option<Finding> {
    let instances = job.rocksdb_instances_per_taskmanager;
    if instances < 2 {
        return None;
    }
    let sync = s.summary.get("sync_duration").filter(|x| x.count > 0)?.p99;
    let e2e = s.summary.get("end_to_end_duration").filter(|x| x.count > 0)?.p50;
    let (low, high) = FLINK_OVER_CKPTSIM_SYNC;
    let more_ms = (high - 1.0) * sync;
    if !(sync > 0.0 && e2e > 0.0 && more_ms >= FIDELITY_TOLERANCE * e2e) {
        return None;
    }
    Some(finding(
        "rocksdb_sync",
        Status::Info,
        format!(
            "RocksDB's synchronous phase takes up to {} (p99 over the subtasks) against a p50 end-to-end duration \
             of {}, with {} RocksDB instances on a TaskManager. With two instances on one TaskManager a real \
             Flink 2.3 took {:.1}-{:.1}x ckptsim's synchronous phase (fidelity rows f12 and f13, a local disk): \
             there each instance's task thread waits for a core while the other's flush, the uploads and the \
             JVM's other threads run, which ckptsim does not model. Read this phase as a lower bound: at {:.1}x \
             it adds about {} to a checkpoint.",
            human_ms(sync),
            human_ms(e2e),
            instances,
            low,
            high,
            high,
            human_ms(more_ms),
        ),
        &[
            ("sync_duration_p99_ms", sync),
            ("end_to_end_duration_p50_ms", e2e),
            ("rocksdb_instances_per_taskmanager", instances as f64),
        ],
    ))
}
