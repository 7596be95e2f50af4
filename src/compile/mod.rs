//! The compile step: turns a validated [`Scenario`] into the per-component configurations the
//! model runs on ([`WorldConfig`]). Configuration flows one way, scenario → compile → model:
//! the model never reads a scenario, and the scenario knows nothing of the model.
//!
//! ```no_run
//! let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/quickstart.toml"))?;
//! let cfg = ckptsim::compile::world_config(&loaded.scenario);
//! let out = ckptsim::model::world::World::new(&cfg, loaded.scenario.simulation.seed, "quickstart").run();
//! # Ok::<(), ckptsim::scenario::ScenarioError>(())
//! ```

use crate::model::backend::changelog::ChangelogConfig;
use crate::model::backend::lsm::LsmConfig;
use crate::model::backend::manifest::ManifestConfig;
use crate::model::backend::{BackendConfig, FlushCost, HeapSerializeCost, SavepointFormat};
use crate::model::config::RecoverySettings;
use crate::model::config::{NO_OUTPUT_FLUSHER, NetworkConfig, RpcConfig, RunConfig, StorageConfig, WorldConfig};
use crate::model::debloat::DebloatConfig;
use crate::model::graph::{ChainedOperator, InputSpec, JobSpec, OperatorSpec};
use crate::model::source::{KeySpace, RateSpec, SourceKind, SourceSpec};
use crate::model::storage::StorageProfile;
use crate::protocol::coordinator::CoordinatorConfig;
use crate::scenario::restart::{RecoveryCfg, effective_restart_strategy};
use crate::scenario::{
    NetworkCfg, OperatorCfg, OperatorKind, SavepointFormatCfg, Scenario, StateBackendCfg, StorageCfg,
};
use crate::time::SimTime;
use crate::vocab::SourceConnector;

pub mod bundle;
pub mod chain;
#[cfg(test)]
mod tests;

/// The configuration of a run of `s` (validated: a scenario that failed validation may panic
/// here, as it would have in the world).
pub fn world_config(s: &Scenario) -> WorldConfig {
    let job = job_spec(s);
    let storage = storage_profile(&s.storage);
    let mut cfg = WorldConfig {
        run: RunConfig {
            duration: s.simulation.duration,
            warmup: SimTime(s.simulation.warmup.as_u64()),
            start_epoch_ms: s.simulation.start_epoch_ms,
            history_size: s.checkpoint.history_size,
            savepoint_times: s
                .checkpoint
                .savepoint_times
                .iter()
                .map(|d| SimTime(d.as_u64()))
                .collect(),
            checkpoint_dir: checkpoint_dir_of(&storage.name),
            keep_committed_output: false,
            records_per_bundle: 1,
        },
        network: network_config(&s.network),
        coordinator: coordinator_config(s, &job),
        rpc: rpc_config(s),
        storage: StorageConfig {
            profile: storage,
            inline_threshold_bytes: s.storage.inline_threshold.as_u64(),
            nic_bytes_per_s: s.cluster.nic_bandwidth.map(|r| r.value),
            max_subtasks_per_channel_state_file: s.checkpoint.max_subtasks_per_channel_state_file,
        },
        backend: backend_config(&s.state_backend, s.checkpoint.num_retained),
        recovery: recovery_settings(&s.recovery),
        restart: effective_restart_strategy(s),
        faults: s.faults.clone().unwrap_or_default(),
        job,
    };
    bundle::apply(&mut cfg, s.simulation.records_per_bundle);
    cfg
}

/// The tasks (operators, chained as Flink chains them: [`chain`]), with inputs resolved to
/// task indices, and their placement.
pub fn job_spec(s: &Scenario) -> JobSpec {
    let chains = chain::chains(s);
    JobSpec {
        operators: chains.iter().map(|c| task_spec(c, &chains, s)).collect(),
        taskmanagers: s.cluster.taskmanagers,
        slots_per_taskmanager: s.cluster.slots_per_taskmanager,
        cores_per_taskmanager: s.cluster.cores_per_taskmanager_or_slots(),
        taskmanagers_per_host: s.cluster.taskmanagers_per_host,
    }
}

/// One task: the chain's head reads its inputs (and the source, if it is one), its operators
/// run in turn, its tail's output is the task's.
fn task_spec(members: &[usize], chains: &[Vec<usize>], s: &Scenario) -> OperatorSpec {
    let ops: Vec<&OperatorCfg> = members.iter().map(|&i| &s.operators[i]).collect();
    let (head, tail) = (ops[0], ops[ops.len() - 1]);
    let task_of = |name: &str| {
        let i = s.operators.iter().position(|o| o.name == name).expect("validated");
        chains
            .iter()
            .position(|c| c.contains(&i))
            .expect("every operator is in a chain")
    };
    let sum = |f: &dyn Fn(&OperatorCfg) -> u64| ops.iter().map(|o| f(o)).sum();
    OperatorSpec {
        name: chain::chain_name(s, members),
        kind: chain::task_kind(head.kind, tail.kind),
        parallelism: head.parallelism,
        inputs: head
            .inputs
            .iter()
            .map(|input| InputSpec {
                from: task_of(&input.from),
                partitioning: input.partitioning,
            })
            .collect(),
        source: (head.kind == OperatorKind::Source).then(|| source_spec(head)),
        chain: members
            .iter()
            .map(|&i| {
                let op = &s.operators[i];
                ChainedOperator {
                    name: op.name.clone(),
                    id: i as u32,
                    service_time: op.service_time.dist.clone(),
                    wait_time: op.wait_time.dist.clone(),
                    selectivity: op.selectivity,
                    sync_time: op.sync_time.dist.clone(),
                }
            })
            .collect(),
        output_record_size: ops
            .iter()
            .rev()
            .find_map(|o| o.output_record_size.as_ref().map(|d| d.dist.clone())),
        state_bytes_per_key: ops.iter().map(|o| o.state.bytes_per_key.map_or(0.0, |b| b.value)).sum(),
        state_initial_bytes: sum(&|o| o.state.initial.map(|b| b.as_u64()).unwrap_or(0)),
        delivery_guarantee: tail.delivery_guarantee.unwrap_or_default(),
        state_waits_for_channel_state: crate::protocol::snapshot_order::state_waits_for_channel_state(
            &ops.iter().map(|o| o.uid.as_deref()).collect::<Vec<_>>(),
            // State as the task counts it (`state_bytes_per_key`, `state_initial_bytes`): 0 B is none.
            &ops.iter()
                .map(|o| {
                    [o.state.bytes_per_key, o.state.initial]
                        .iter()
                        .flatten()
                        .any(|b| b.value > 0.0)
                })
                .collect::<Vec<_>>(),
        )
        .unwrap_or(false),
    }
}

fn source_spec(op: &OperatorCfg) -> SourceSpec {
    let rate = op.rate.as_ref().expect("validated: a source has a rate");
    SourceSpec {
        kind: match op.connector.unwrap_or_default() {
            SourceConnector::Log => SourceKind::Log,
            SourceConnector::Datagen => SourceKind::Generator,
        },
        rate: RateSpec {
            process: rate.process,
            records_per_second: rate.records_per_second,
            on: rate.on.as_ref().map(|d| d.dist.clone()),
            off: rate.off.as_ref().map(|d| d.dist.clone()),
            profile: rate.profile.as_ref().map(|p| std::sync::Arc::new(p.model())),
            records_per_arrival: 1,
        },
        record_size: op.record_size.as_ref().map(|d| d.dist.clone()),
        keys: op.keys.as_ref().map(|k| KeySpace {
            count: k.count,
            distribution: k.distribution,
            exponent: k.exponent,
        }),
        max_records: op.max_records,
    }
}

/// Each RPC kind's latency: its own key, else the shared `cluster.rpc_latency`.
fn rpc_config(s: &Scenario) -> RpcConfig {
    let c = &s.cluster;
    let or_shared = |d: &Option<_>| d.as_ref().unwrap_or(&c.rpc_latency).dist.clone();
    RpcConfig {
        trigger_pipeline: s.checkpoint.trigger_latency.dist.clone(),
        trigger: or_shared(&c.trigger_rpc_latency),
        acknowledge: or_shared(&c.acknowledge_rpc_latency),
        notify: or_shared(&c.notify_rpc_latency),
    }
}

fn network_config(n: &NetworkCfg) -> NetworkConfig {
    NetworkConfig {
        segment_bytes: n.segment_size.as_u64(),
        buffers_per_channel: n.buffers_per_channel,
        floating_buffers_per_gate: n.floating_buffers_per_gate,
        max_buffers_per_channel: n.max_buffers_per_channel,
        buffer_timeout_ns: if n.buffer_timeout_enabled {
            n.buffer_timeout.as_u64()
        } else {
            NO_OUTPUT_FLUSHER
        },
        local_latency: n.local_latency.dist.clone(),
        remote_latency: n.remote_latency.dist.clone(),
        input_handoff_latency: n.input_handoff_latency.dist.clone(),
        remote_bandwidth_bytes_per_s: n.remote_bandwidth.value,
        debloat: debloat_config(n),
    }
}

/// The coordinator's configuration; it waits for every subtask and triggers every source
/// subtask of `job`.
fn coordinator_config(s: &Scenario, job: &JobSpec) -> CoordinatorConfig {
    let c = &s.checkpoint;
    let subtasks = |sources_only: bool| -> u32 {
        job.operators
            .iter()
            .filter(|o| !sources_only || o.source.is_some())
            .map(|o| o.parallelism)
            .sum()
    };
    CoordinatorConfig {
        interval_ns: c.interval.map(|i| i.as_u64()),
        first_trigger_delay_ns: c.first_trigger_delay.map(|d| d.as_u64()),
        timeout_ns: c.timeout.as_u64(),
        min_pause_ns: c.min_pause.as_u64(),
        max_concurrent: c.max_concurrent,
        tolerable_failed: c.tolerable_failed,
        num_retained: c.num_retained,
        num_tasks_to_ack: subtasks(false),
        num_tasks_to_trigger: subtasks(true),
        mode: c.mode,
        unaligned: c.unaligned,
        aligned_checkpoint_timeout_ns: Some(c.aligned_checkpoint_timeout.as_u64()).filter(|t| *t > 0),
    }
}

/// Buffer debloating; `None` when it is off.
pub fn debloat_config(n: &NetworkCfg) -> Option<DebloatConfig> {
    let d = &n.debloat;
    if !d.enabled {
        return None;
    }
    let max = n.segment_size.as_u64().min(u32::MAX as u64) as u32;
    let min = (d.min_segment_size.as_u64().min(max as u64) as u32).max(1);
    Some(DebloatConfig {
        target_ns: d.target.as_u64(),
        period_ns: d.period.as_u64(),
        samples: d.samples.max(1),
        threshold_percentages: d.threshold_percentages,
        min_buffer_bytes: min,
        max_buffer_bytes: max,
        starting_buffer_bytes: (d.starting_segment_size.as_u64().min(max as u64) as u32).max(min),
    })
}

/// The named profile with the scenario's overrides applied.
pub fn storage_profile(cfg: &StorageCfg) -> StorageProfile {
    let mut p = StorageProfile::named(&cfg.profile).expect("validated profile");
    if let Some(d) = &cfg.request_latency {
        p.request_latency = d.dist.clone();
    }
    if let Some(b) = &cfg.bandwidth {
        p.bandwidth_bytes_per_s = b.value;
        if cfg.per_request_bandwidth.is_none() {
            p.per_request_bandwidth_bytes_per_s = p.per_request_bandwidth_bytes_per_s.max(b.value);
        }
    }
    if let Some(b) = &cfg.per_request_bandwidth {
        p.per_request_bandwidth_bytes_per_s = b.value;
    }
    if let Some(d) = &cfg.metadata_latency {
        p.metadata_latency = d.dist.clone();
    }
    if let Some(d) = &cfg.sync_latency {
        p.sync_latency = d.dist.clone();
    }
    if let Some(cpu) = cfg.request_latency_is_cpu {
        p.request_is_writer_cpu = cpu;
    }
    p
}

/// A plausible `execution.checkpointing.dir` for the storage profile, for the `external_path`
/// Flink reports of a completed checkpoint.
fn checkpoint_dir_of(profile: &str) -> String {
    match profile {
        "s3" => "s3://ckptsim/checkpoints".into(),
        "hdfs" => "hdfs:///ckptsim/checkpoints".into(),
        _ => "file:/ckptsim/checkpoints".into(),
    }
}

/// The state backend; `num_retained` (`execution.checkpointing.num-retained`) bounds the
/// shared-state reference counts.
pub fn backend_config(cfg: &StateBackendCfg, num_retained: u32) -> BackendConfig {
    let c = &cfg.compaction;
    let cl = &cfg.changelog;
    BackendConfig {
        kind: cfg.kind,
        incremental: cfg.incremental,
        local_disk_bytes_per_s: cfg.local_disk_bandwidth.value,
        flush: FlushCost {
            bytes_per_s: cfg.flush_throughput.value,
            ns_per_entry: cfg.flush_cpu_per_entry.value,
            fixed_ns: cfg.native_checkpoint_time.as_u64(),
            flush_sync_ns: cfg.flush_sync_time.as_u64(),
        },
        transfer_threads: cfg.transfer_threads,
        background_jobs: cfg.background_threads,
        savepoint_format: match cfg.savepoint_format {
            SavepointFormatCfg::Canonical => SavepointFormat::Canonical,
            SavepointFormatCfg::Native => SavepointFormat::Native,
        },
        lsm: LsmConfig {
            write_buffer_bytes: cfg.memtable_size.as_u64(),
            level0_file_num_compaction_trigger: c.level0_file_num_compaction_trigger,
            max_size_level_base_bytes: c.max_size_level_base.as_u64(),
            level_multiplier: c.level_multiplier,
            target_file_size_bytes: c.target_file_size_base.as_u64(),
            manifest: ManifestConfig {
                instance_age_ns: cfg.instance_age.as_u64(),
                max_file_bytes: cfg.max_manifest_file_size.as_u64(),
            },
        },
        num_retained,
        heap: HeapSerializeCost {
            ns_per_entry: cfg.heap_serialize_per_entry.value,
            bytes_per_s: cfg.heap_serialize_bandwidth.value,
        },
        changelog: cl.enabled.then(|| ChangelogConfig {
            materialize_interval_ns: cl.periodic_materialize_interval.as_u64(),
            persist_delay_ns: cl.persist_delay.as_u64(),
            persist_size_threshold_bytes: cl.persist_size_threshold.as_u64(),
            preemptive_persist_threshold_bytes: cl.preemptive_persist_threshold.as_u64(),
        }),
    }
}

/// `[recovery]`.
pub fn recovery_settings(c: &RecoveryCfg) -> RecoverySettings {
    RecoverySettings {
        deploy: c.deployment_time.dist.clone(),
        task_failure_report: c.task_failure_report_delay.dist.clone(),
        local_recovery: c.local,
        local_restore_bytes_per_s: c.local_restore_bandwidth.value,
        restore_bytes_per_s: c.restore_bandwidth.map(|b| b.value),
        failover: c.failover,
    }
}
