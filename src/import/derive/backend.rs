//! The `[state_backend]` section: heap or RocksDB, incremental or not, changelog; RocksDB's
//! flush throughput from the sync phase (fitted once the operators' state is known).

use super::super::ImportError;
use super::super::rest_model as rest;
use super::super::write::{Section, bytes_per_s, quote};
use super::Ctx;
use super::rocks_state::{ModelRun, flush_throughput_bytes_per_s};
use crate::compile::backend_config;
use crate::model::backend::BackendConfig;
use crate::scenario::schema::StateBackendCfg;
use crate::sim::dist::Duration;
use crate::vocab::StateBackendKind;

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
        put_instance_age(cx, &mut sb);
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

/// How long the RocksDB instances had been open when the imported history starts: since the job
/// last turned RUNNING or was last restored, whichever is later. Their MANIFEST carries the
/// edits of that time into every checkpoint ([`crate::model::backend::manifest`]). A regional
/// failover restores some tasks without the job leaving RUNNING: those instances are younger,
/// the others older, than this.
fn put_instance_age(cx: &Ctx, sb: &mut Section) {
    let Some((age_ms, since)) = instance_age_ms(cx) else {
        sb.assume(
            "instance_age",
            quote("0s"),
            "neither `timestamps.RUNNING` in /jobs/<jid> nor a restore in /checkpoints: RocksDB instances taken as just opened",
        );
        return;
    };
    sb.put(
        "instance_age",
        quote(&format!("{age_ms}ms")),
        format!("the oldest imported checkpoint's trigger_timestamp - {since}: how long RocksDB's instances had been open (their MANIFEST grows all that time)"),
    );
}

/// How long the job's RocksDB instances had been open at the oldest imported checkpoint, ms,
/// and where it was read from; `None` when REST tells neither the job's start nor a restore.
fn instance_age_ms(cx: &Ctx) -> Option<(u64, &'static str)> {
    let opened = [cx.job.running_since_ms, cx.history.restored_ms]
        .into_iter()
        .flatten()
        .max()?;
    let first = cx.history.completed.first()?.trigger_ms;
    let since = if cx.history.restored_ms == Some(opened) {
        "latest.restored.restore_timestamp"
    } else {
        "/jobs/<jid> timestamps.RUNNING"
    };
    Some((first.saturating_sub(opened), since))
}

/// What RocksDB's sync phase flushed (per the backend model at the inverted state), the
/// median sync duration, and the vertex it is from.
pub(super) struct RocksSync {
    pub run: ModelRun,
    pub sync_ms: f64,
    pub vertex: String,
}

/// The backend the simulation will run for this job (the importer leaves RocksDB's memtable
/// and compaction options at Flink's defaults), for the model runs that invert it.
/// Its instances as old as the scenario makes them (`instance_age`): their MANIFEST, which every
/// checkpoint carries, grows all that time (5.6 kB a subtask on i12's 35 s, 3 % of its state).
pub(super) fn model_config(cx: &Ctx, b: &Backend) -> BackendConfig {
    let age_ms = instance_age_ms(cx).map_or(0, |(ms, _)| ms);
    let cfg = StateBackendCfg {
        kind: StateBackendKind::Rocksdb,
        incremental: b.incremental,
        instance_age: Duration::new(age_ms as f64 * 1e6),
        ..StateBackendCfg::default()
    };
    backend_config(&cfg, 1)
}

/// `native_checkpoint_time`, then `flush_throughput` fitted on the sync phase: the model's
/// flushed bytes per checkpoint / (median sync - the part without a core), or the default
/// when the data cannot support a fit.
pub(super) fn put_flush_speed(sb: &mut Section, r: &RocksSync) {
    // The scenario's defaults: REST shows the sync phase only whole, so the fixed part
    // cannot be told from the flush.
    let defaults = StateBackendCfg::default();
    let native_ms = defaults.native_checkpoint_time.value / 1e6;
    sb.assume(
        "native_checkpoint_time",
        quote(&format!("{native_ms}ms")),
        "REST shows the sync phase only whole: the default (measured on Flink 2.3 with RocksDB's directory on ext4 less the same run on tmpfs, tests/fidelity/probes), not fitted",
    );
    let held_ms = defaults.flush_sync_time.value / 1e6;
    sb.assume(
        "flush_sync_time",
        quote(&format!("{held_ms}ms")),
        "the part of native_checkpoint_time RocksDB's flush thread holds (the flush's synced writes): the default (fsyncs traced on Flink 2.3, tests/fidelity/probes), not fitted; it moves only the second of two instances flushing together on one TaskManager",
    );
    let links_ms = r.run.sync_wait_ms - native_ms;
    match flush_throughput_bytes_per_s(&r.run, r.sync_ms) {
        Some(bw) => sb.put(
            "flush_throughput",
            bytes_per_s(bw),
            format!(
                "{:.0} B flushed per checkpoint (the LSM model at the state above: the writes since the last flush) / (median checkpoint.sync of `{}` + 0.5 ms, as REST floors it: {:.1} ms - native_checkpoint_time {native_ms} ms - {links_ms:.2} ms of hard links - {:.1} ms for its puts at the default flush_cpu_per_entry)",
                r.run.flushed_bytes, r.vertex, r.sync_ms, r.run.flush_entry_cpu_ms
            ),
        ),
        None => sb.assume(
            "flush_throughput",
            bytes_per_s(defaults.flush_throughput.value),
            format!(
                "not fitted: the median checkpoint.sync of `{}` + 0.5 ms ({:.1} ms) is not longer than native_checkpoint_time + hard links ({:.2} ms), or nothing is flushed ({:.0} B): the default (calibrated on tests/fidelity c03_rocks_bytes)",
                r.vertex, r.sync_ms, r.run.sync_wait_ms, r.run.flushed_bytes
            ),
        ),
    };
}
