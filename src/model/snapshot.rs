//! State backend cost models: how long the synchronous phase takes and how many bytes the
//! asynchronous phase uploads, for a given state size.

use crate::model::backend::BackendConfig;
use crate::time::{DurationNs, NS_PER_S, ns_from_f64};
use crate::vocab::StateBackendKind;

#[derive(Clone, Debug)]
pub struct BackendModel {
    kind: StateBackendKind,
    memtable_bytes: u64,
    local_disk_bytes_per_s: f64,
}

impl BackendModel {
    pub fn new(cfg: &BackendConfig) -> Self {
        BackendModel {
            kind: cfg.kind,
            memtable_bytes: cfg.lsm.write_buffer_bytes,
            local_disk_bytes_per_s: cfg.local_disk_bytes_per_s,
        }
    }

    /// Backend work in the synchronous phase, on top of the operator's own `sync_time`.
    /// Heap: a copy-on-write snapshot of the state tables, O(1) in the state size.
    /// RocksDB: flush the memtable to an SST on local disk, then hard-link the live SSTs.
    pub fn sync_ns(&self, state_bytes: u64) -> DurationNs {
        match self.kind {
            StateBackendKind::Heap => 0,
            StateBackendKind::Rocksdb => {
                let flush = state_bytes.min(self.memtable_bytes) as f64;
                ns_from_f64(flush / self.local_disk_bytes_per_s * NS_PER_S as f64)
            }
        }
    }

    /// Bytes the asynchronous phase uploads (both backends here write the full state).
    pub fn upload_bytes(&self, state_bytes: u64) -> u64 {
        state_bytes
    }
}
