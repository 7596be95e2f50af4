//! The `[[operators]]` sections: one per operator of the plan, with its inputs and chaining,
//! a source's rate, record size and keys, the vertex's cost per record and state on its first
//! operator, a sink's guarantee; and the per-task medians of the calibration report.

use crate::vocab::{OperatorKind, Partitioning};

use super::super::fit::{mean, median};
use super::super::plan::Op;
use super::super::rest_model::SubtaskAck;
use super::super::write::{Section, bytes, bytes_per_key, quote, us};
use super::backend::{Backend, RocksSync, model_config};
use super::config::run_length_s;
use super::rocks_state::RocksSubtask;
use super::{Ctx, KEYS_PER_KEY_GROUP, Median, f};

/// A source backpressured more than this share of its time emits less than it would: its
/// measured rate is then only a lower bound of the rate it is asked to produce.
const BACKPRESSURED_SHARE: f64 = 0.1;

/// The operator sections, the per-task medians appended to `medians`, and what RocksDB's sync
/// phase flushed (for `flush_throughput`).
pub(super) fn operators(cx: &Ctx, b: &Backend, medians: &mut Vec<Median>) -> (Vec<Section>, Option<RocksSync>) {
    let mut sections = Vec::new();
    let mut rocks_sync = None;
    for op in &cx.plan.ops {
        let mut s = Section::new("[[operators]]");
        shape(&mut s, cx, op);
        if op.kind == OperatorKind::Source {
            source(&mut s, cx, op);
        }
        service_time(&mut s, cx, op);
        if let Some(r) = state(&mut s, cx, b, op) {
            rocks_sync = Some(r);
        }
        if op.kind == OperatorKind::Sink {
            sink(&mut s, op);
        }
        if op.head {
            task_medians(cx, op, medians);
        }
        sections.push(s);
    }
    (sections, rocks_sync)
}

/// Name, kind, parallelism, inputs and chaining.
fn shape(s: &mut Section, cx: &Ctx, op: &Op) {
    let v = &cx.job.vertices[op.vertex];
    if op.head {
        s.note(format!(
            "Vertex `{}` ({}), task `{}` here.",
            v.name, v.id, cx.plan.task_names[op.vertex]
        ));
    }
    s.put("name", quote(&op.name), format!("from the vertex name `{}`", v.name));
    s.put("kind", quote(kind_name(op.kind)), kind_comment(op.kind));
    s.put(
        "parallelism",
        v.parallelism.to_string(),
        format!("/jobs/{} vertices[id = {}].parallelism", cx.j, v.id),
    );
    if !op.inputs.is_empty() {
        inputs(s, cx, op);
    }
    if op.start_new_chain {
        s.put(
            "chaining",
            quote("start_new_chain"),
            "a forward edge of equal parallelism that Flink did not chain (a vertex of its own)",
        );
    }
}

fn inputs(s: &mut Section, cx: &Ctx, op: &Op) {
    let ins: Vec<String> = op
        .inputs
        .iter()
        .map(|(from, p, _)| format!("{{ from = {}, partitioning = {} }}", quote(from), quote(part_name(*p))))
        .collect();
    let how: Vec<String> = op
        .inputs
        .iter()
        .map(|(_, _, ship)| {
            if ship == "chained" {
                "chained in the vertex".to_string()
            } else {
                format!(
                    "ship_strategy {ship}{}",
                    super::super::plan::partitioning(ship).map(|x| x.1).unwrap_or("")
                )
            }
        })
        .collect();
    s.put(
        "inputs",
        format!("[{}]", ins.join(", ")),
        format!("/jobs/{} plan.nodes[].inputs: {}", cx.j, how.join("; ")),
    );
}

/// A source's connector, rate, record size and keys.
fn source(s: &mut Section, cx: &Ctx, op: &Op) {
    let r = &cx.data[op.vertex].rates;
    let out = r.out_per_s;
    let bp = r.backpressured_ms_per_s / 1000.0;
    s.assume(
        "connector",
        quote("datagen"),
        "REST does not tell a generator from a log reader: \"datagen\" emits the rate and never catches up; a Kafka-like source that falls behind is \"log\"",
    );
    if bp > BACKPRESSURED_SHARE {
        let rate = out / (1.0 - bp.min(0.99));
        s.assume(
            "rate",
            format!("{{ process = \"constant\", records_per_second = {} }}", f(rate)),
            format!(
                "backpressured {:.0} % of the time ({}), so its {} records/s per subtask ({}) are a lower bound; taken as records out / (1 - backpressured share)",
                bp * 100.0,
                r.source[4],
                f(out),
                r.source[1]
            ),
        );
    } else {
        s.put(
            "rate",
            format!("{{ process = \"constant\", records_per_second = {} }}", f(out)),
            format!("records out per second and subtask: {}", r.source[1]),
        );
    }
    if out > 0.0 {
        s.put(
            "record_size",
            bytes(r.bytes_out_per_s / out),
            format!("bytes out / records out: {}", r.source[2]),
        );
    }
    let keys_comment = match cx.opts.keys {
        Some(_) => "given with --keys".to_string(),
        None => format!(
            "REST does not show key counts: {KEYS_PER_KEY_GROUP} per key group of maxParallelism {} (--keys)",
            cx.keyed_max_p.unwrap_or(128)
        ),
    };
    s.assume(
        "keys",
        format!("{{ count = {}, distribution = \"uniform\" }}", cx.keys),
        keys_comment,
    );
}

/// The vertex's busy time per record, on its first operator (REST measures the task).
fn service_time(s: &mut Section, cx: &Ctx, op: &Op) {
    if !op.head {
        s.put(
            "service_time",
            quote("0us"),
            "in the vertex's first operator: REST measures the task, not each operator",
        );
        return;
    }
    let r = &cx.data[op.vertex].rates;
    let (per, rate) = if op.kind == OperatorKind::Source {
        ("records out", r.out_per_s)
    } else {
        ("records in", r.in_per_s)
    };
    // Flink counts a checkpoint's synchronous phase as busy time (the task thread runs it),
    // and the simulator runs that phase on the task thread as well: the cost per record is
    // the rest. On RocksDB the phase (a flush and a native checkpoint, 5-20 ms a checkpoint)
    // was a fifth of a lightly loaded map's busy time, charged again to every record.
    let sync_ms_per_s = sync_busy_ms_per_s(cx, op.vertex);
    let cost_us = if rate > 0.0 {
        (r.busy_ms_per_s - sync_ms_per_s).max(0.0) * 1000.0 / rate
    } else {
        0.0
    };
    let less_sync = if sync_ms_per_s > 0.0 {
        format!(
            ", less {sync_ms_per_s:.2} ms/s of synchronous phases (checkpoint.sync as reported, per subtask, times the checkpoints a second)"
        )
    } else {
        String::new()
    };
    s.put(
        "service_time",
        us(cost_us),
        format!(
            "busy time{less_sync} / {per} ({}): the whole task's cost per record; CPU assumed, move time spent waiting (I/O, calls) to wait_time",
            r.source[3]
        ),
    );
}

/// The busy time a subtask of `vertex` spends in synchronous phases, ms per second: the mean
/// `checkpoint.sync` of its acknowledgements (as REST reports it, floored: a heap backend's
/// phases under a millisecond count nothing) times the imported checkpoints' rate (their
/// first to last trigger). Zero with fewer than two checkpoints.
fn sync_busy_ms_per_s(cx: &Ctx, vertex: usize) -> f64 {
    let acks = &cx.data[vertex].acks;
    let triggers: Vec<u64> = cx
        .history
        .completed
        .iter()
        .filter(|e| cx.cids.contains(&e.id))
        .map(|e| e.trigger_ms)
        .collect();
    let (Some(first), Some(last)) = (triggers.iter().min(), triggers.iter().max()) else {
        return 0.0;
    };
    if acks.is_empty() || last <= first {
        return 0.0;
    }
    let per_s = (triggers.len() - 1) as f64 / ((last - first) as f64 / 1000.0);
    acks.iter().map(|a| a.sync_ms).sum::<f64>() / acks.len() as f64 * per_s
}

/// The vertex's state, on its first operator. Flink counts an unaligned checkpoint's persisted
/// in-flight data in the state size; the simulator persists its own, so the operator's state
/// is the rest. Returns what RocksDB's sync phase flushed for a keyed RocksDB operator.
///
/// A keyed RocksDB state is taken as the mean over the acknowledgements, not the median: it
/// saw-tooths over the L0 files that pile up between compactions (i03: 15.0, 17.3, 19.6,
/// 21.9 MB), and a median is whichever level the checkpoints' phase makes it.
fn state(s: &mut Section, cx: &Ctx, b: &Backend, op: &Op) -> Option<RocksSync> {
    let vd = &cx.data[op.vertex];
    let sizes: Vec<f64> = vd.acks.iter().map(|a| (a.state_size - a.persisted).max(0.0)).collect();
    let keyed = op.inputs.iter().any(|(_, p, _)| *p == Partitioning::Hash);
    // RocksDB (not under the changelog, whose size is its materialization plus the log).
    let keyed_rocks = keyed && b.rocks && !cx.cc.changelog;
    let state = if keyed_rocks { mean(&sizes) } else { median(&sizes) }.unwrap_or(0.0);
    if !op.head || state <= 0.0 {
        return None;
    }
    let (subs, cp_range) = (&cx.subs, &cx.cp_range);
    if !keyed {
        s.put(
            "state",
            format!("{{ initial = {} }}", bytes(state)),
            format!("median state_size - alignment.persisted per subtask ({subs}, {cp_range})"),
        );
        return None;
    }
    let p = cx.job.vertices[op.vertex].parallelism as f64;
    // RocksDB: Flink's size counts the SST versions not yet compacted, which the simulator's
    // LSM adds again, so the live state is found by inverting the model.
    if keyed_rocks {
        let model = rocks_model(cx, b, op);
        if let Some((per_key, run)) = model.invert(state) {
            s.put(
                "state",
                format!("{{ bytes_per_key = {} }}", bytes_per_key(per_key)),
                format!(
                    "inverted LSM model: the backend model alone ({}, default memtable and compaction; {:.0} keys and {} records/s per subtask, a checkpoint every {} s, the mean over its checkpoints after the warm-up) gives {:.0} B, the mean state_size - alignment.persisted per subtask {:.0} B ({subs}, {cp_range}): live state plus the SST versions not yet compacted",
                    if b.incremental { "incremental" } else { "native full" },
                    model.keys,
                    f(model.records_per_s),
                    model.interval_s,
                    run.state_size_bytes,
                    state
                ),
            );
            // REST floors checkpoint.sync to whole ms: the middle of its millisecond.
            let sync = crate::metrics::flink_resolution::unfloored_estimate_ms(
                median(&vd.acks.iter().map(|a| a.sync_ms).collect::<Vec<_>>()).unwrap_or(0.0),
            );
            return Some(RocksSync {
                run,
                sync_ms: sync,
                vertex: cx.job.vertices[op.vertex].name.clone(),
            });
        }
        let per_key = state * p / cx.keys as f64;
        s.assume(
            "state",
            format!("{{ bytes_per_key = {} }}", bytes_per_key(per_key)),
            format!(
                "the LSM model cannot reach the mean state_size - alignment.persisted per subtask {} B ({subs}, {cp_range}) with 1 B to 1 GB per key: taken as live state (x parallelism / keys), which the model inflates by the SST versions not yet compacted",
                f(state)
            ),
        );
        return None;
    }
    let per_key = state * p / cx.keys as f64;
    s.put(
        "state",
        format!("{{ bytes_per_key = {} }}", bytes_per_key(per_key)),
        format!(
            "median state_size - alignment.persisted per subtask {} B ({subs}, {cp_range}) x parallelism / keys",
            f(state)
        ),
    );
    None
}

/// A keyed RocksDB subtask of `op` as the simulation will run it: the keys spread over the
/// parallelism, the vertex's records in per subtask, the checkpoint interval, the run's
/// warm-up and length.
fn rocks_model(cx: &Ctx, b: &Backend, op: &Op) -> RocksSubtask {
    let p = u64::from(cx.job.vertices[op.vertex].parallelism.max(1));
    let (duration_s, warmup_s) = run_length_s(cx);
    RocksSubtask {
        cfg: model_config(cx, b),
        keys: cx.keys.div_ceil(p),
        records_per_s: cx.data[op.vertex].rates.in_per_s,
        interval_s: cx.interval_s().unwrap_or(1.0),
        warmup_s: warmup_s as f64,
        duration_s: duration_s as f64,
    }
}

fn sink(s: &mut Section, op: &Op) {
    if op.committer {
        s.put(
            "delivery_guarantee",
            quote("exactly-once"),
            format!("the vertex name shows `{}: Committer`: two-phase commit", op.name),
        );
    } else {
        s.assume(
            "delivery_guarantee",
            quote("at-least-once"),
            "a writer without a committer: at-least-once (flushes on checkpoint) or \"none\" (keeps nothing, a DiscardingSink)",
        );
    }
}

type Stat = (&'static str, fn(&SubtaskAck) -> f64);

/// The per-subtask statistics the calibration report compares, as the run names them.
const SUBTASK_STATS: [Stat; 4] = [
    ("start_delay", |a| a.start_delay_ms),
    ("alignment_duration", |a| a.alignment_ms),
    ("sync_duration", |a| a.sync_ms),
    ("async_duration", |a| a.async_ms),
];

fn task_medians(cx: &Ctx, op: &Op, medians: &mut Vec<Median>) {
    let task = cx.plan.task_names[op.vertex].clone();
    for (stat, get) in SUBTASK_STATS {
        let xs: Vec<f64> = cx.data[op.vertex].acks.iter().map(get).collect();
        if let Some(mv) = median(&xs) {
            medians.push((stat.to_string(), Some(task.clone()), mv));
        }
    }
}

fn kind_name(k: OperatorKind) -> &'static str {
    match k {
        OperatorKind::Source => "source",
        OperatorKind::Operator => "operator",
        OperatorKind::Sink => "sink",
    }
}

fn part_name(p: Partitioning) -> &'static str {
    match p {
        Partitioning::Forward => "forward",
        Partitioning::Hash => "hash",
        Partitioning::Rebalance => "rebalance",
        Partitioning::Broadcast => "broadcast",
    }
}

fn kind_comment(k: OperatorKind) -> &'static str {
    match k {
        OperatorKind::Source => "`Source: ` in the vertex name (or the first operator of a vertex without inputs)",
        OperatorKind::Sink => "`: Writer` in the vertex name (a Sink V2 writer)",
        OperatorKind::Operator => "neither `Source: ` nor `: Writer` in the vertex name",
    }
}
