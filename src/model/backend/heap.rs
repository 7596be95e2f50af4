//! `HashMapStateBackend`: state lives on the JVM heap. The synchronous phase only takes a
//! copy-on-write snapshot of the state tables (O(1) in the state size); the asynchronous phase
//! serializes and uploads all of it.

use super::SnapshotCost;

#[derive(Clone, Debug)]
pub struct HeapBackend {
    live_bytes: u64,
}

impl HeapBackend {
    pub fn new(initial_live_bytes: u64) -> Self {
        HeapBackend {
            live_bytes: initial_live_bytes,
        }
    }

    pub fn on_state_change(&mut self, live_bytes: u64) {
        self.live_bytes = live_bytes;
    }

    pub fn live_bytes(&self) -> u64 {
        self.live_bytes
    }

    /// Full snapshot: everything is written, every time.
    pub fn snapshot(&self) -> SnapshotCost {
        SnapshotCost {
            sync_ns: 0,
            upload_bytes: self.live_bytes,
            upload_files: u32::from(self.live_bytes > 0),
            async_delay_ns: 0,
            checkpointed_size: self.live_bytes,
            state_size: self.live_bytes,
            changelog_replay_bytes: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §1.6: the heap backend's sync part is a copy-on-write snapshot, independent of the size;
    /// the async part uploads the full state.
    #[test]
    fn heap_sync_is_constant_and_upload_is_full() {
        let mut b = HeapBackend::new(10);
        b.on_state_change(1_000_000);
        let c = b.snapshot();
        assert_eq!(c.sync_ns, 0);
        assert_eq!(
            (c.upload_bytes, c.checkpointed_size, c.state_size),
            (1_000_000, 1_000_000, 1_000_000)
        );
    }
}
