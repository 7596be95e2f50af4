//! What a run will need, estimated from the products of the scenario's numbers before anything
//! is allocated: each number may be in range while their product (p^2 channels of a hash edge,
//! a pending checkpoint per interval of the timeout)
//! is not. A run estimated above the limits is refused with the field that contributes most,
//! so the user sees which number to lower, or raises the limit on the command line.
//!
//! The constants are sizes of the structures the world allocates, rounded up; the estimate is
//! meant to be a ceiling of the same order as the truth, not an exact figure.

use super::faults::{FaultsCfg, fault_targets};
use super::limits::{Limits, human_bytes};
use super::schema::*;
use crate::fault_spec::EventKind;
use crate::vocab::{DEFAULT_KEY_COUNT, DEFAULT_RECORD_BYTES};

type Problem = (String, String);

/// A subtask's fixed structures (task runtime, handler, coordinator, statistics).
const TASK_BYTES: f64 = 4096.0;
/// One channel: its description, both ends' state, counters, the slot in its edge.
const CHANNEL_BYTES: f64 = 400.0;
/// One record inside a network buffer (`Record`, 24 bytes, plus vector slack).
const RECORD_IN_BUFFER_BYTES: f64 = 32.0;
/// One pending checkpoint per subtask (statistics, ack bookkeeping, restore point entry).
const PENDING_CHECKPOINT_PER_SUBTASK_BYTES: f64 = 512.0;
/// One finished checkpoint per subtask kept for `subtasks.csv` and the summary.
const CHECKPOINT_RECORD_PER_SUBTASK_BYTES: f64 = 256.0;
/// One scheduled fault or fault window.
const FAULT_EVENT_BYTES: f64 = 96.0;
/// One record an exactly-once sink holds until its transaction commits: its origin time (the
/// end-to-end latency is measured on commit). A run keeps no record ids (only the exactly-once
/// tests ask for them, through `RunConfig::keep_committed_output`). The sink stores each time
/// as its difference from the one before (`model::arrival_log`), 3-4 bytes for records
/// milliseconds apart; the estimate keeps the 8 of a plain integer, on the safe side.
const SINK_PENDING_RECORD_BYTES: f64 = 8.0;
/// One key in a subtask's log of the keys it saw first (a `u32`), kept with restore points.
const KEY_LOG_BYTES: f64 = 4.0;
/// One SST file of the RocksDB model.
const SST_FILE_BYTES: f64 = 96.0;
/// A network buffer's way through a channel (filled, flushed, delivered, credited, recycled:
/// about three events, each reading a channel end gone cold since the channel's last buffer),
/// in steps. From `cargo bench --bench scale` on 2026-12-07: the production shape (3.1 M record
/// steps and 0.21 M buffers a simulated second, 0.30 CPU s) and the reference job at p = 512
/// (15 M and 4.5 M, 5.29 CPU s) give 24 ns a step and 1.09 us a buffer; the same bench's
/// p = 32, 128 and 256 then imply 0.8-0.9 us a buffer. With a zero buffer timeout on a few
/// channels a buffer costs several times less, and the estimate is on the high side.
const BUFFER_STEPS: f64 = 45.0;

/// One contribution to the estimate: which field drives it and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub field: String,
    pub amount: f64,
    pub what: String,
}

/// Memory (bytes) and work (steps) of one run, by contribution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Estimate {
    pub memory: Vec<Item>,
    pub work: Vec<Item>,
    /// CPU each operator's records take at the sources' mean rates, all its subtasks together,
    /// in cores: records per second times `service_time` (the CPU part; `wait_time` needs no
    /// core), in the order of `operators`. Snapshot threads come on top.
    pub record_cpu_cores: Vec<f64>,
    /// The part of `memory` that full network buffers account for: the buffers every channel
    /// can hold and, with unaligned checkpoints, their persisted copies. Only back-pressure that
    /// lasts long enough to fill them all reaches it (a healthy job's buffers leave at each
    /// flush holding a few records), so a run usually needs far less than the estimate.
    pub full_buffers_bytes: f64,
}

impl Estimate {
    pub fn memory_bytes(&self) -> f64 {
        self.memory.iter().map(|i| i.amount).sum()
    }

    /// The memory estimate as a person reads it: a ceiling, and how much of it only full
    /// network buffers take (e.g. "up to about 22.4 GB of memory (22.2 GB of it only if
    /// back-pressure fills every network buffer)").
    pub fn memory_ceiling_text(&self) -> String {
        let total = human_bytes(self.memory_bytes());
        if self.full_buffers_bytes > 0.0 {
            format!(
                "up to about {total} of memory ({} of it only if back-pressure fills every network buffer)",
                human_bytes(self.full_buffers_bytes)
            )
        } else {
            format!("up to about {total} of memory")
        }
    }
    pub fn work_steps(&self) -> f64 {
        self.work.iter().map(|i| i.amount).sum()
    }
    fn mem(&mut self, field: impl Into<String>, amount: f64, what: impl Into<String>) {
        self.memory.push(Item {
            field: field.into(),
            amount,
            what: what.into(),
        });
    }
    fn work(&mut self, field: impl Into<String>, amount: f64, what: impl Into<String>) {
        self.work.push(Item {
            field: field.into(),
            amount,
            what: what.into(),
        });
    }
}

/// Refuses a validated scenario whose run would need more than `limits`.
pub fn check(s: &Scenario, limits: &Limits) -> Result<(), Problem> {
    let e = estimate(s);
    let memory = e.memory_bytes();
    // NaN (an estimate from an undefined product) is refused like infinity.
    if memory.is_nan() || memory > limits.memory_bytes_max as f64 {
        let top = largest(&e.memory);
        return Err((
            top.field.clone(),
            format!(
                "the run could need {}, above the limit of {} (raise it with --limit-memory); \
                 the largest part: {}, {}",
                e.memory_ceiling_text(),
                human_bytes(limits.memory_bytes_max as f64),
                top.what,
                human_bytes(top.amount)
            ),
        ));
    }
    let work = e.work_steps();
    if work.is_nan() || work > limits.work_steps_max as f64 {
        let top = largest(&e.work);
        return Err((
            top.field.clone(),
            format!(
                "the run would take about {work:.2e} simulation steps, above the limit of {:.2e} (raise it with \
                 --limit-work); the largest part: {}, {:.2e} steps",
                limits.work_steps_max as f64, top.what, top.amount
            ),
        ));
    }
    Ok(())
}

fn largest(items: &[Item]) -> &Item {
    items
        .iter()
        .max_by(|a, b| a.amount.total_cmp(&b.amount))
        .expect("an estimate always has a task item")
}

/// Number of channels of the edge from `up` into `op`.
fn edge_channels(up: &OperatorCfg, op: &OperatorCfg, partitioning: Partitioning) -> f64 {
    match partitioning {
        Partitioning::Forward => op.parallelism as f64,
        _ => up.parallelism as f64 * op.parallelism as f64,
    }
}

/// Buffers a second through an edge of `channels` carrying `rate` records a second, with room
/// for `records_per_buffer`: one a record with a zero buffer timeout (Flink flushes after every
/// record); otherwise the full ones and, at each flush of the output flusher, one per channel
/// holding a record (with Poisson arrivals, a share 1 - e^-λ of the channels for λ records a
/// channel between flushes); without the flusher, the full ones alone.
fn buffers_per_s(rate: f64, channels: f64, records_per_buffer: f64, flush_interval_s: Option<f64>) -> f64 {
    let full = rate / records_per_buffer;
    match flush_interval_s {
        Some(t) if t <= 0.0 => rate,
        Some(t) => {
            let per_channel = rate * t / channels.max(1.0);
            full + channels * (1.0 - (-per_channel).exp()) / t
        }
        None => full,
    }
}

/// The estimate of a validated scenario (references resolve, numbers are in range).
pub fn estimate(s: &Scenario) -> Estimate {
    let mut e = Estimate::default();
    let duration_s = s.simulation.duration.value / 1e9;
    let subtasks: f64 = s.operators.iter().map(|o| o.parallelism as f64).sum();
    e.mem("operators", subtasks * TASK_BYTES, format!("{subtasks} subtasks"));

    let tms = s.cluster.taskmanagers as f64;
    e.mem(
        "cluster.taskmanagers",
        tms * tms * 8.0 + tms * 64.0,
        format!("connections between {tms} TaskManagers"),
    );

    // The fast path simulates one record per bundle (`compile::bundle`): bundles are what fill
    // buffers, take steps and set bits.
    let bundle = s.simulation.records_per_bundle.max(1) as f64;
    // Channels and the records their buffers can hold when back-pressure fills them.
    let n = &s.network;
    let record_bytes = s
        .operators
        .iter()
        .filter_map(|o| o.record_size.as_ref().map(|d| d.dist.mean()))
        .fold(DEFAULT_RECORD_BYTES, f64::min)
        .max(1.0)
        * bundle;
    let records_per_buffer = (n.segment_size.value / record_bytes).max(1.0);
    // Both ends: the producer's pool holds `buffers_per_channel` per subpartition plus the
    // floating ones, the consumer's exclusive buffers as many, plus floating ones per gate.
    let buffers_per_channel = 2.0 * n.buffers_per_channel as f64;
    let floating = n.floating_buffers_per_gate as f64;
    let mut channels_total = 0.0;
    let mut buffer_bytes_total = 0.0;
    let mut rate_out: Vec<f64> = Vec::with_capacity(s.operators.len());
    let mut record_steps_total = 0.0;
    let mut steps_of: Vec<f64> = Vec::with_capacity(s.operators.len());
    // An operator chained to its input reads its records in the same task: that edge has no
    // channels, and no buffers move through it.
    let mut chained = vec![false; s.operators.len()];
    for chain in crate::compile::chain::chains(s) {
        for &member in chain.iter().skip(1) {
            chained[member] = true;
        }
    }
    let flush_interval_s = n.buffer_timeout_enabled.then_some(n.buffer_timeout.value / 1e9);
    for (i, op) in s.operators.iter().enumerate() {
        let mut rate_in = 0.0;
        for (j, input) in op.inputs.iter().enumerate() {
            let Some(u) = s.operators.iter().position(|o| o.name == input.from) else {
                continue;
            };
            let up = &s.operators[u];
            let channels = edge_channels(up, op, input.partitioning);
            channels_total += channels;
            let kind = format!("{:?}", input.partitioning).to_lowercase();
            e.mem(
                format!("operators[{i}].inputs[{j}].partitioning"),
                channels * CHANNEL_BYTES,
                format!(
                    "{channels} channels of the {kind} edge from `{}` to `{}`",
                    up.name, op.name
                ),
            );
            let buffers = channels * buffers_per_channel + (up.parallelism as f64 + op.parallelism as f64) * floating;
            let buffer_bytes = buffers * records_per_buffer * RECORD_IN_BUFFER_BYTES;
            buffer_bytes_total += buffer_bytes;
            e.mem(
                format!("operators[{i}].inputs[{j}].partitioning"),
                buffer_bytes,
                format!(
                    "{buffers} full network buffers of the edge from `{}` to `{}` ({records_per_buffer:.0} records \
                     each, from network.segment_size and the record size)",
                    up.name, op.name
                ),
            );
            let upstream = rate_out.get(u).copied().unwrap_or(0.0);
            let edge_rate = match input.partitioning {
                Partitioning::Broadcast => upstream * op.parallelism as f64,
                _ => upstream,
            };
            rate_in += edge_rate;
            if !chained[i] {
                let buffers = buffers_per_s(edge_rate, channels, records_per_buffer, flush_interval_s) * duration_s;
                e.work(
                    format!("operators[{i}].inputs[{j}].partitioning"),
                    buffers * BUFFER_STEPS,
                    format!(
                        "{buffers:.3e} network buffers through the {kind} edge from `{}` to `{}`",
                        up.name, op.name
                    ),
                );
            }
            if op.kind == OperatorKind::Sink {
                // Each sink subtask counts what it absorbed from every subtask.
                e.mem(
                    format!("operators[{i}].parallelism"),
                    op.parallelism as f64 * subtasks * 8.0,
                    format!("per-source counters of the {} sink subtasks", op.parallelism),
                );
            }
        }
        if op.kind == OperatorKind::Source
            && let Some(rate) = &op.rate
        {
            // A profile's mean factor over the run: the records the run is expected to read
            // (a spike's peak lasts only its window; the buffers above bound the peak's memory).
            let factor = rate
                .profile
                .as_ref()
                .map_or(1.0, |p| p.model().mean_factor(duration_s * 1e9));
            let mut records = rate.records_per_second * factor * op.parallelism as f64 * duration_s;
            if let Some(max) = op.max_records {
                records = records.min(max as f64 * op.parallelism as f64);
            }
            rate_in = records / bundle / duration_s.max(1e-9);
            if let (Some(on), Some(off)) = (&rate.on, &rate.off) {
                let phase_s = ((on.dist.mean() + off.dist.mean()) / 1e9).max(1e-9);
                e.work(
                    format!("operators[{i}].rate.on"),
                    duration_s / phase_s * op.parallelism as f64,
                    format!("on/off phases of `{}`", op.name),
                );
            }
            if let Some(k) = &op.keys
                && k.distribution == KeyDistribution::Zipf
            {
                e.mem(
                    format!("operators[{i}].keys.count"),
                    k.count as f64 * 8.0,
                    format!("the Zipf table of `{}` ({} keys)", op.name, k.count),
                );
            }
        }
        // Records out per record in: what the next operators read.
        rate_out.push(rate_in * op.selectivity);
        e.record_cpu_cores
            .push(rate_in * bundle * op.service_time.dist.mean() / 1e9);
        let steps = rate_in * duration_s;
        if op.kind == OperatorKind::Sink
            && op.delivery_guarantee.unwrap_or(DeliveryGuarantee::ExactlyOnce) == DeliveryGuarantee::ExactlyOnce
            && let Some(interval) = &s.checkpoint.interval
        {
            // An exactly-once sink holds each record's origin time in its open transaction and
            // then in the pre-committed one until the checkpoint's commit: about two intervals'
            // worth, bounded by the run (without periodic checkpoints nothing commits, and the
            // sink keeps nothing). At-least-once and discarding sinks keep nothing per record.
            let held_s = (2.0 * interval.value / 1e9).min(duration_s);
            let held = rate_in * held_s;
            e.mem(
                "checkpoint.interval",
                held * SINK_PENDING_RECORD_BYTES,
                format!(
                    "origin times of the {held:.3e} records sink `{}` holds until a commit",
                    op.name
                ),
            );
        }
        record_steps_total += steps;
        steps_of.push(steps);
        e.work(
            format!("operators[{i}].parallelism"),
            steps,
            format!("records through `{}`", op.name),
        );
    }
    e.mem(
        "operators",
        channels_total * 16.0,
        "per-channel record counters".to_string(),
    );

    // Keys (`model::world::seen_keys`): behind keyed inputs only, an operator's subtasks see
    // disjoint keys and share one bitset over the key space; behind any other input each
    // subtask has its own. While restore points are kept (checkpointing on, or faults planned)
    // each subtask logs its new keys (4 bytes each), and a restore point keeps only their count.
    let (key_field, key_space) = s
        .operators
        .iter()
        .enumerate()
        .filter(|(_, o)| o.kind == OperatorKind::Source)
        .map(|(i, o)| {
            (
                format!("operators[{i}].keys.count"),
                (o.keys.as_ref().map(|k| k.count).unwrap_or(DEFAULT_KEY_COUNT) as f64 / bundle).ceil(),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or(("operators".into(), 1.0));
    let stateful: f64 = s
        .operators
        .iter()
        .filter(|o| o.state.bytes_per_key.is_some_and(|b| b.value >= 0.5))
        .map(|o| o.parallelism as f64)
        .sum();
    // With RocksDB each key also has a memtable bit (`seen_keys`: two bits a key), and each
    // subtask lists the keys in its memtable: at most a memtable's worth of entries.
    let rocksdb = s.state_backend.kind == StateBackendKind::Rocksdb;
    let bitset_bytes = (key_space * if rocksdb { 2.0 } else { 1.0 } / 8.0).ceil() + 8.0;
    let memtable_bytes = s.state_backend.memtable_size.value.max(1.0);
    for (i, o) in s.operators.iter().enumerate() {
        if !o.state.bytes_per_key.is_some_and(|b| b.value >= 0.5) {
            continue;
        }
        let keyed = !o.inputs.is_empty() && o.inputs.iter().all(|i| i.partitioning == Partitioning::Hash);
        let bitsets = if keyed { 1.0 } else { o.parallelism as f64 };
        e.mem(
            key_field.clone(),
            bitsets * bitset_bytes,
            format!("{bitsets} key bitsets of `{}` over {key_space} keys", o.name),
        );
        if rocksdb {
            let bytes_per_key = o.state.bytes_per_key.map_or(1.0, |b| b.value.max(1.0)) * bundle;
            let listed = steps_of[i]
                .min(bitsets * key_space)
                .min(o.parallelism as f64 * (memtable_bytes / bytes_per_key).ceil());
            e.mem(
                key_field.clone(),
                listed * KEY_LOG_BYTES,
                format!("the memtable key lists of `{}` (up to {listed:.3e} keys)", o.name),
            );
        }
        if s.checkpoint.interval.is_some() || s.faults.is_some() {
            let logged = steps_of[i].min(bitsets * key_space);
            e.mem(
                key_field.clone(),
                logged * KEY_LOG_BYTES,
                format!("the log of up to {logged:.3e} keys first seen by `{}`", o.name),
            );
        }
    }

    // Checkpoints: pending ones (each with a restore point) and finished ones kept for output.
    let c = &s.checkpoint;
    let savepoints = c.savepoint_times.len() as f64;
    let (pending, checkpoints) = match &c.interval {
        Some(i) => {
            let interval = i.value.max(1.0);
            let pending = (c.timeout.value / interval + 1.0).min(c.max_concurrent as f64) + savepoints;
            (pending.max(1.0), s.simulation.duration.value / interval + savepoints)
        }
        None => (savepoints.max(1.0), savepoints),
    };
    let restore_points = pending + c.num_retained as f64;
    e.mem(
        "checkpoint.max_concurrent",
        pending * subtasks * PENDING_CHECKPOINT_PER_SUBTASK_BYTES,
        format!("{pending:.0} pending checkpoints of {subtasks} subtasks"),
    );
    e.full_buffers_bytes = buffer_bytes_total;
    if c.unaligned {
        // An unaligned checkpoint copies the in-flight buffers it overtakes, and a restore
        // point keeps them: at most every buffer, per pending and retained checkpoint.
        e.full_buffers_bytes += restore_points * buffer_bytes_total;
        e.mem(
            if c.max_concurrent > 1 {
                "checkpoint.max_concurrent"
            } else {
                "checkpoint.num_retained"
            },
            restore_points * buffer_bytes_total,
            format!("in-flight data persisted by {restore_points:.0} unaligned checkpoints"),
        );
    }
    e.mem(
        "checkpoint.interval",
        checkpoints * subtasks * CHECKPOINT_RECORD_PER_SUBTASK_BYTES,
        format!("statistics of {checkpoints:.0} checkpoints of {subtasks} subtasks"),
    );
    e.work(
        "checkpoint.interval",
        checkpoints * (channels_total + subtasks),
        format!("barriers of {checkpoints:.0} checkpoints"),
    );

    // RocksDB keeps a list of SST files whose number follows the state size.
    if s.state_backend.kind == StateBackendKind::Rocksdb {
        let file_bytes = s.state_backend.compaction.target_file_size_base.value.max(1.0);
        let state_bytes: f64 = s
            .operators
            .iter()
            .map(|o| {
                let per_key = o.state.bytes_per_key.map(|b| b.value).unwrap_or(0.0) * bundle;
                let initial = o.state.initial.map(|b| b.value).unwrap_or(0.0);
                (per_key * key_space + initial) * o.parallelism as f64
            })
            .sum();
        e.mem(
            "state_backend.compaction.target_file_size_base",
            state_bytes / file_bytes * SST_FILE_BYTES * restore_points.min(16.0),
            "SST file lists of the RocksDB model".to_string(),
        );
    }
    let cl = &s.state_backend.changelog;
    if cl.enabled {
        e.work(
            "state_backend.changelog.periodic_materialize_interval",
            s.simulation.duration.value / cl.periodic_materialize_interval.value.max(1.0) * stateful,
            "changelog materializations".to_string(),
        );
    }
    if n.debloat.enabled {
        e.work(
            "network.debloat.period",
            s.simulation.duration.value / n.debloat.period.value.max(1.0) * subtasks,
            "buffer debloating rounds".to_string(),
        );
    }

    if let Some(f) = &s.faults {
        faults(&mut e, f, s, subtasks, channels_total, record_steps_total, checkpoints);
    }
    e
}

/// Faults: each failure restarts tasks (work over all subtasks and channels); each fault window
/// is consulted by every network and storage operation while the schedule holds it. What each
/// spec adds is its own (`FaultSpec::loads`), failures first, then windows (`FaultsCfg::loads`).
fn faults(
    e: &mut Estimate,
    f: &FaultsCfg,
    s: &Scenario,
    subtasks: f64,
    channels: f64,
    record_steps: f64,
    checkpoints: f64,
) {
    let loads = f.loads(&fault_targets(s));
    for l in loads.iter().filter(|l| l.kind == EventKind::Failure) {
        let n = l.count;
        e.mem(l.field.clone(), n * FAULT_EVENT_BYTES, format!("{n:.0} failures"));
        e.work(
            l.field.clone(),
            n * (subtasks + channels),
            format!("restarts of {n:.0} failures"),
        );
    }
    // Every buffer sent and every storage request asks the windows whether they apply.
    let lookups = record_steps / 16.0 + checkpoints * subtasks;
    for l in loads.iter().filter(|l| l.kind.is_window()) {
        let n = l.count;
        e.mem(
            l.field.clone(),
            2.0 * n * FAULT_EVENT_BYTES,
            format!("{n:.0} fault windows"),
        );
        e.work(
            l.field.clone(),
            n * (1.0 + lookups),
            format!("lookups in {n:.0} fault windows"),
        );
    }
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
