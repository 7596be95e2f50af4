//! `HashMapStateBackend`: state lives on the JVM heap. The synchronous phase only takes a
//! copy-on-write snapshot of the state tables (`CopyOnWriteStateTable.stateSnapshot()`: a
//! version bump and a shallow copy of the bucket array, O(1) in the entries, modelled as
//! zero); the asynchronous phase (`HeapSnapshotStrategy.asyncSnapshot`, via
//! `AsyncSnapshotCallable` on the snapshot thread) serializes every entry
//! (`CopyOnWriteStateMapSnapshot.writeState`: key, namespace and value serializers) into the
//! checkpoint stream, then the stream is written to checkpoint storage. The serialization is
//! CPU on the TaskManager's cores: a cost per entry and one per byte.

use super::{HeapSerializeCost, SnapshotCost};

#[derive(Clone, Debug)]
pub struct HeapBackend {
    live_bytes: u64,
    entries: u64,
    serialize: HeapSerializeCost,
}

impl HeapBackend {
    pub fn new(initial_live_bytes: u64, serialize: HeapSerializeCost) -> Self {
        HeapBackend {
            live_bytes: initial_live_bytes,
            entries: 0,
            serialize,
        }
    }

    pub fn on_state_change(&mut self, live_bytes: u64) {
        self.live_bytes = live_bytes;
    }

    /// The state table now holds `entries` entries.
    pub fn on_entries(&mut self, entries: u64) {
        self.entries = entries;
    }

    pub fn live_bytes(&self) -> u64 {
        self.live_bytes
    }

    /// Full snapshot: everything is serialized and written, every time.
    pub fn snapshot(&self) -> SnapshotCost {
        SnapshotCost {
            sync_ns: 0,
            sync_cpu_ns: 0,
            sync_held_ns: 0,
            upload_bytes: self.live_bytes,
            upload_plan: SnapshotCost::one_file(self.live_bytes),
            upload_threads: 1,
            async_delay_ns: 0,
            async_cpu_ns: self.serialize.cpu_ns(self.entries, self.live_bytes),
            written_by_snapshot_thread: true,
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
    /// the async part serializes every entry and uploads the full state.
    #[test]
    fn heap_sync_is_constant_and_upload_is_full() {
        let cost = HeapSerializeCost {
            ns_per_entry: 200.0,
            bytes_per_s: 1e9,
        };
        let mut b = HeapBackend::new(10, cost);
        b.on_state_change(1_000_000);
        b.on_entries(1000);
        let c = b.snapshot();
        assert_eq!(c.sync_ns, 0);
        assert_eq!(
            (c.upload_bytes, c.checkpointed_size, c.state_size),
            (1_000_000, 1_000_000, 1_000_000)
        );
        // 1000 entries x 200 ns + 1 MB at 1 GB/s of CPU.
        assert_eq!(c.async_cpu_ns, 200_000 + 1_000_000);
    }
}
