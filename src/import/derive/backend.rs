//! The `[state_backend]` section: heap or RocksDB, incremental or not, changelog; RocksDB's
//! memtable flush speed from the sync phase (fitted once the operators' state is known).

use super::super::ImportError;
use super::super::rest_model as rest;
use super::super::write::{Section, bytes_per_s, quote};
use super::Ctx;

/// `state_backend.memtable_size`'s default (64 MiB), which the importer leaves as it is.
pub(super) const MEMTABLE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The backend's kind, as the other sections need it.
pub(super) struct Backend {
    pub rocks: bool,
    pub incremental: bool,
    incremental_key: Option<String>,
}

impl Backend {
    pub(super) fn read(cx: &Ctx) -> Result<Backend, ImportError> {
        let rocks = cx.cc.state_backend.to_lowercase().contains("rocks");
        let incremental_key = rest::jobmanager_key(cx.layout, "execution.checkpointing.incremental")?
            .or(rest::jobmanager_key(cx.layout, "state.backend.incremental")?);
        let incremental = rocks && incremental_key.as_deref().is_some_and(|v| v.trim() == "true");
        Ok(Backend {
            rocks,
            incremental,
            incremental_key,
        })
    }
}

pub(super) fn state_backend(cx: &Ctx, b: &Backend) -> Section {
    let ccp = &cx.ccp;
    let mut sb = Section::new("[state_backend]");
    sb.put(
        "kind",
        quote(if b.rocks { "rocksdb" } else { "heap" }),
        format!("{ccp} state_backend = {}", cx.cc.state_backend),
    );
    if b.rocks {
        match &b.incremental_key {
            Some(_) => sb.put(
                "incremental",
                b.incremental.to_string(),
                "/jobmanager/config execution.checkpointing.incremental",
            ),
            None => sb.assume(
                "incremental",
                "false",
                "/jobmanager/config not saved: incremental checkpoints unknown",
            ),
        };
    } else {
        sb.put(
            "heap_serialize_per_entry",
            quote("0ns"),
            "folded into the storage fit: REST shows serialization and upload only as their sum (async)",
        )
        .put(
            "heap_serialize_bandwidth",
            quote("1000TB/s"),
            "as heap_serialize_per_entry",
        );
    }
    if cx.cc.changelog {
        sb.put(
            "changelog",
            "{ enabled = true }",
            format!("{ccp} state_changelog_enabled"),
        );
    }
    sb
}

/// What RocksDB's sync phase flushed, the median sync duration, and the vertex it is from.
pub(super) struct RocksSync {
    pub flushed_bytes: f64,
    pub sync_ms: f64,
    pub vertex: String,
}

/// `local_disk_bandwidth`: the sync phase flushes the memtable at this speed.
pub(super) fn put_flush_speed(sb: &mut Section, b: &Backend, r: &RocksSync) {
    let what = if b.incremental {
        "bytes written per subtask and interval (records in per second x bytes_per_key x interval)"
    } else {
        "min(state per subtask, memtable_size 64 MiB)"
    };
    sb.put(
        "local_disk_bandwidth",
        bytes_per_s(r.flushed_bytes / r.sync_ms * 1000.0),
        format!(
            "{what} / median checkpoint.sync of `{}` ({:.1} ms): the sync phase flushes the memtable at this speed",
            r.vertex, r.sync_ms
        ),
    );
}
