//! From the REST responses to the scenario's sections: every value with the path, field and
//! statistic it came from.

use std::collections::{BTreeMap, BTreeSet};

use crate::vocab::{OperatorKind, Partitioning};

use super::fit::{self, median};
use super::layout::Layout;
use super::plan::{Plan, plan};
use super::rest_model::{self as rest, CheckpointConfig, History, Job, SubtaskAck, VertexMetrics};
use super::write::{Section, bytes, bytes_per_s, empirical_ms, ms, quote, us};
use super::{ImportError, ImportOptions, Imported};

/// A source backpressured more than this share of its time emits less than it would: its
/// measured rate is then only a lower bound of the rate it is asked to produce.
const BACKPRESSURED_SHARE: f64 = 0.1;

/// Simulated time before statistics count: the job's history comes from a running job, so the
/// simulation first fills its state and queues. The harness skips the same 10 s.
const WARMUP_S: u64 = 10;

/// Keys per key group assumed when `--keys` is not given: enough that hash partitioning
/// spreads keys evenly, few enough that every key is seen within the warm-up, so the keyed
/// state reaches the measured size before statistics count.
const KEYS_PER_KEY_GROUP: u64 = 100;

/// `state_backend.memtable_size`'s default (64 MiB), which the importer leaves as it is.
const MEMTABLE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

struct VertexData {
    acks: Vec<SubtaskAck>,
    tms: Vec<String>,
    rates: Rates,
}

/// Flink's per-second meters (`numRecordsOutPerSecond`, ...) average over the last 60 s and
/// are updated every 5 s: a subtask running for less than this shows a rate diluted by the
/// time before it started, so its counters over its running time are used instead.
const METER_WINDOW_MS: f64 = 65_000.0;

/// A vertex's rates per subtask, and where they came from.
struct Rates {
    in_per_s: f64,
    out_per_s: f64,
    bytes_out_per_s: f64,
    busy_ms_per_s: f64,
    backpressured_ms_per_s: f64,
    /// `(records in, records out, bytes out, busy, backpressured)`: the REST source of each.
    source: [String; 5],
}

fn rates(j: &str, vid: &str, det: &rest::VertexDetails, metrics: Option<VertexMetrics>) -> Result<Rates, ImportError> {
    if let Some(m) = metrics.filter(|_| det.running_ms_min >= METER_WINDOW_MS) {
        let src = |name: &str| {
            format!(
                "/jobs/{j}/vertices/{vid}/subtasks/metrics {name} avg, median of {} samples",
                m.files.len()
            )
        };
        return Ok(Rates {
            in_per_s: m.median_avg("numRecordsInPerSecond")?,
            out_per_s: m.median_avg("numRecordsOutPerSecond")?,
            bytes_out_per_s: m.median_avg("numBytesOutPerSecond")?,
            busy_ms_per_s: m.median_avg("busyTimeMsPerSecond")?,
            backpressured_ms_per_s: m.median_avg("backPressuredTimeMsPerSecond").unwrap_or(0.0),
            source: [
                src("numRecordsInPerSecond"),
                src("numRecordsOutPerSecond"),
                src("numBytesOutPerSecond"),
                src("busyTimeMsPerSecond"),
                src("backPressuredTimeMsPerSecond"),
            ],
        });
    }
    let s = det.running_ms / 1000.0;
    let why = format!(
        "its subtasks ran {:.0} s, less than the 60 s the per-second meters average over",
        det.running_ms_min / 1000.0
    );
    let src = |field: &str| {
        format!(
            "/jobs/{j}/vertices/{vid} subtasks[].metrics.{field} / status-duration.RUNNING, summed over subtasks ({why})"
        )
    };
    Ok(Rates {
        in_per_s: det.read_records / s,
        out_per_s: det.write_records / s,
        bytes_out_per_s: det.write_bytes / s,
        busy_ms_per_s: det.busy_ms / s,
        backpressured_ms_per_s: det.backpressured_ms / s,
        source: [
            src("read-records"),
            src("write-records"),
            src("write-bytes"),
            src("accumulated-busy-time"),
            src("accumulated-backpressured-time"),
        ],
    })
}

fn f(x: f64) -> String {
    format!("{x:.3}")
}

pub fn derive(layout: &Layout, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let job = Job::read(layout)?;
    let job_file = layout.file(&layout.job());
    let plan = plan(&job, &job_file)?;
    let cc = CheckpointConfig::read(layout)?;
    let history = History::read(layout)?;
    if history.completed.is_empty() {
        return Err(ImportError::Malformed {
            file: history.file.clone(),
            field: "history".into(),
            message: "no completed checkpoint: nothing to fit".into(),
        });
    }
    let cids: Vec<u64> = history.completed.iter().map(|e| e.id).collect();
    let mut data = Vec::new();
    for v in &job.vertices {
        let mut acks = Vec::new();
        for &cid in &cids {
            rest::check_details(layout, cid)?;
            acks.extend(rest::subtask_acks(layout, cid, &v.id)?);
        }
        let details = rest::vertex_details(layout, &v.id)?;
        data.push(VertexData {
            acks,
            tms: details.taskmanagers.clone(),
            rates: rates(&layout.job_id, &v.id, &details, VertexMetrics::read(layout, &v.id)?)?,
        });
    }
    let j = &layout.job_id;
    let d = |cid: &str| format!("/jobs/{j}/checkpoints/details/{cid}");
    let n_cp = cids.len();
    let cp_range = format!("checkpoints {}..{} ({n_cp})", cids[0], cids[n_cp - 1]);
    let subs = format!("{}/subtasks/<vid>", d("<cid>"));

    let mut sections = Vec::new();

    // [simulation]
    let interval_s = cc.interval_ms.map(|i| i as f64 / 1000.0);
    let measured_s = (WARMUP_S as f64 + 15.0 * interval_s.unwrap_or(2.0)).max(40.0).ceil() as u64;
    let mut sim = Section::new("[simulation]");
    sim.put(
        "duration",
        quote(&format!("{measured_s}s")),
        format!("warm-up + at least 15 intervals, as many checkpoints as the import used ({n_cp})"),
    )
    .put(
        "warmup",
        quote(&format!("{WARMUP_S}s")),
        "statistics skip the start: the imported checkpoints come from a job already running",
    )
    .put("seed", "1", "any seed; the calibration report compares medians");
    sections.push(sim);

    // [checkpoint]
    let ccp = format!("/jobs/{j}/checkpoints/config");
    let mut ck = Section::new("[checkpoint]");
    if let Some(i) = cc.interval_ms {
        ck.put("interval", quote(&format!("{i}ms")), format!("{ccp} interval"));
    }
    ck.put(
        "timeout",
        quote(&format!("{}ms", cc.timeout_ms)),
        format!("{ccp} timeout"),
    )
    .put(
        "min_pause",
        quote(&format!("{}ms", cc.min_pause_ms)),
        format!("{ccp} min_pause"),
    )
    .put(
        "max_concurrent",
        cc.max_concurrent.max(1).to_string(),
        format!("{ccp} max_concurrent"),
    )
    .put(
        "tolerable_failed",
        cc.tolerable_failed.to_string(),
        format!("{ccp} tolerable_failed_checkpoints"),
    );
    let mode = if cc.mode.contains("least") {
        "at_least_once"
    } else {
        "exactly_once"
    };
    ck.put("mode", quote(mode), format!("{ccp} mode = {}", cc.mode));
    ck.put(
        "unaligned",
        cc.unaligned.to_string(),
        format!("{ccp} unaligned_checkpoints"),
    );
    if cc.unaligned {
        ck.put(
            "aligned_checkpoint_timeout",
            quote(&format!("{}ms", cc.aligned_timeout_ms)),
            format!("{ccp} aligned_checkpoint_timeout"),
        );
    }
    ck.put(
        "history_size",
        history.completed.len().max(1).to_string(),
        format!("as many as /jobs/{j}/checkpoints history kept"),
    );
    sections.push(ck);

    // [cluster]
    let all_tms: BTreeSet<&String> = data.iter().flat_map(|v| v.tms.iter()).collect();
    let mut slots = 1u32;
    for v in &data {
        let mut per_tm: BTreeMap<&String, u32> = BTreeMap::new();
        for t in &v.tms {
            *per_tm.entry(t).or_default() += 1;
        }
        slots = slots.max(per_tm.values().copied().max().unwrap_or(1));
    }
    let tms = all_tms.len().max(1) as u32;
    let src_vertices: Vec<usize> = (0..job.vertices.len())
        .filter(|&i| job.vertices[i].inputs.is_empty())
        .collect();
    let src_acks: Vec<&SubtaskAck> = src_vertices.iter().flat_map(|&i| data[i].acks.iter()).collect();
    let start: Vec<f64> = src_acks.iter().map(|a| a.start_delay_ms).collect();
    let ack: Vec<f64> = src_acks
        .iter()
        .map(|a| (a.end_to_end_ms - a.start_delay_ms - a.sync_ms - a.async_ms).max(0.0))
        .collect();
    let src_names: Vec<&str> = src_vertices.iter().map(|&i| job.vertices[i].name.as_str()).collect();
    let mut cl = Section::new("[cluster]");
    cl.put(
        "taskmanagers",
        tms.to_string(),
        format!("distinct taskmanager-id of subtasks[] in /jobs/{j}/vertices/<vid>"),
    )
    .put(
        "slots_per_taskmanager",
        slots.to_string(),
        "most subtasks of one vertex on one TaskManager (slot sharing puts one of each vertex in a slot)",
    );
    match opts.cores_per_taskmanager {
        Some(c) => cl.assume(
            "cores_per_taskmanager",
            format!("{c}"),
            "given with --cores-per-taskmanager",
        ),
        None => cl.assume(
            "cores_per_taskmanager",
            slots.to_string(),
            "REST does not show the cores behind a TaskManager; one per slot assumed (--cores-per-taskmanager)",
        ),
    };
    match opts.taskmanagers_per_host {
        Some(t) => cl.assume(
            "taskmanagers_per_host",
            t.to_string(),
            "given with --taskmanagers-per-host",
        ),
        None => cl.assume(
            "taskmanagers_per_host",
            "1",
            "REST does not show which TaskManagers share a host's cores (--taskmanagers-per-host)",
        ),
    };
    let rpc = fit::empirical(&start).ok_or_else(|| no_acks(layout, &cids, &src_names))?;
    cl.put(
        "rpc_latency",
        empirical_ms(&rpc),
        format!(
            "{subs} start_delay of the sources ({}), percentiles over {} acks: the trigger RPC; notify alike (not in REST)",
            src_names.join(", "),
            start.len()
        ),
    );
    if let Some(a) = fit::empirical(&ack) {
        cl.put(
            "acknowledge_rpc_latency",
            empirical_ms(&a),
            format!(
                "{subs} sources' end_to_end_duration - start_delay - checkpoint.sync - checkpoint.async, percentiles"
            ),
        );
    }
    sections.push(cl);

    // [storage]: async duration against checkpointed size, over every acknowledging subtask.
    let points: Vec<(f64, f64)> = data
        .iter()
        .flat_map(|v| v.acks.iter().map(|a| (a.checkpointed_size, a.async_ms)))
        .collect();
    let path = history_path(layout)?;
    let profile = match path.as_deref() {
        Some(p) if p.starts_with("s3") => "s3",
        Some(p) if p.starts_with("hdfs") => "hdfs",
        Some(p) if p.starts_with("file") => "local-disk",
        _ => "hdfs",
    };
    let subtasks: u32 = job.vertices.iter().map(|v| v.parallelism).sum();
    let mut st = Section::new("[storage]");
    st.note(format!(
        "Fitted by least squares: async_ms = request_latency + checkpointed_size / bandwidth over {} subtask acks ({subs} checkpoint.async, checkpointed_size).",
        points.len()
    ));
    st.note("The async phase also holds the heap backend's serialization: it is folded in here (see [state_backend]).");
    match path.as_deref() {
        Some(p) => st.put(
            "profile",
            quote(profile),
            format!(
                "the scheme of /jobs/{j}/checkpoints history[].external_path ({})",
                scheme(p)
            ),
        ),
        None => st.assume("profile", quote(profile), "no external_path in the history"),
    };
    match fit::least_squares(&points) {
        Some(line) if line.slope > 0.0 => {
            let bw = 1000.0 / line.slope; // ms per byte -> bytes per second
            st.put(
                "request_latency",
                ms(line.intercept),
                format!(
                    "least-squares intercept {:.3} ms{}",
                    line.intercept,
                    if line.intercept < 0.0 { ", clamped at 0" } else { "" }
                ),
            )
            .put(
                "per_request_bandwidth",
                bytes_per_s(bw),
                format!("1 / least-squares slope ({:.3e} ms/B): one upload's speed", line.slope),
            )
            .put(
                "bandwidth",
                bytes_per_s(bw * subtasks as f64),
                format!("per_request_bandwidth x {subtasks} subtasks: they all uploaded at once, each at that speed"),
            );
        }
        _ => {
            let m = median(&points.iter().map(|p| p.1).collect::<Vec<_>>()).unwrap_or(0.0);
            st.put(
                "request_latency",
                ms(m),
                "median checkpoint.async: the sizes do not spread (or the slope is not positive), so no bandwidth can be fitted and the profile's stays",
            );
        }
    }
    sections.push(st);

    // [state_backend]
    let backend_l = cc.state_backend.to_lowercase();
    let rocks = backend_l.contains("rocks");
    let mut sb = Section::new("[state_backend]");
    sb.put(
        "kind",
        quote(if rocks { "rocksdb" } else { "heap" }),
        format!("{ccp} state_backend = {}", cc.state_backend),
    );
    let incremental_key = rest::jobmanager_key(layout, "execution.checkpointing.incremental")?
        .or(rest::jobmanager_key(layout, "state.backend.incremental")?);
    let incremental = rocks && incremental_key.as_deref().is_some_and(|v| v.trim() == "true");
    if rocks {
        match &incremental_key {
            Some(_) => sb.put(
                "incremental",
                incremental.to_string(),
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
    if cc.changelog {
        sb.put(
            "changelog",
            "{ enabled = true }",
            format!("{ccp} state_changelog_enabled"),
        );
    }
    // RocksDB's sync phase flushes the memtable: its speed is fitted after the operators.
    let sb_index = sections.len();
    sections.push(sb);

    // Operators.
    let keyed_max_p = job
        .vertices
        .iter()
        .filter(|v| v.inputs.iter().any(|(_, s)| s.eq_ignore_ascii_case("HASH")))
        .map(|v| v.max_parallelism)
        .max();
    let keys = opts
        .keys
        .unwrap_or(KEYS_PER_KEY_GROUP * u64::from(keyed_max_p.unwrap_or(128)));
    let mut medians = vec![(
        "end_to_end_duration".to_string(),
        None,
        median_of(&history, |e| e.end_to_end_ms),
    )];
    medians.push(("state_size".into(), None, median_of(&history, |e| e.state_size)));
    medians.push((
        "checkpointed_size".into(),
        None,
        median_of(&history, |e| e.checkpointed_size),
    ));
    if cc.unaligned {
        medians.push(("persisted_data".into(), None, median_of(&history, |e| e.persisted_data)));
    }
    let mut rocks_sync: Option<(f64, f64, String)> = None;
    for op in &plan.ops {
        let vi = op.vertex;
        let v = &job.vertices[vi];
        let vd = &data[vi];
        let mut s = Section::new("[[operators]]");
        if op.head {
            s.note(format!(
                "Vertex `{}` ({}), task `{}` here.",
                v.name, v.id, plan.task_names[vi]
            ));
        }
        s.put("name", quote(&op.name), format!("from the vertex name `{}`", v.name));
        let kind = match op.kind {
            OperatorKind::Source => "source",
            OperatorKind::Operator => "operator",
            OperatorKind::Sink => "sink",
        };
        s.put("kind", quote(kind), kind_comment(op.kind));
        s.put(
            "parallelism",
            v.parallelism.to_string(),
            format!("/jobs/{j} vertices[id = {}].parallelism", v.id),
        );
        if !op.inputs.is_empty() {
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
                            super::plan::partitioning(ship).map(|x| x.1).unwrap_or("")
                        )
                    }
                })
                .collect();
            s.put(
                "inputs",
                format!("[{}]", ins.join(", ")),
                format!("/jobs/{j} plan.nodes[].inputs: {}", how.join("; ")),
            );
        }
        if op.start_new_chain {
            s.put(
                "chaining",
                quote("start_new_chain"),
                "a forward edge of equal parallelism that Flink did not chain (a vertex of its own)",
            );
        }
        let r = &vd.rates;
        let p = v.parallelism as f64;
        if op.kind == OperatorKind::Source {
            let out = r.out_per_s;
            let bp = r.backpressured_ms_per_s / 1000.0;
            let bytes_out = r.bytes_out_per_s;
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
                    bytes(bytes_out / out),
                    format!("bytes out / records out: {}", r.source[2]),
                );
            }
            s.assume(
                "keys",
                format!("{{ count = {keys}, distribution = \"uniform\" }}"),
                match opts.keys {
                    Some(_) => "given with --keys".to_string(),
                    None => format!(
                        "REST does not show key counts: {KEYS_PER_KEY_GROUP} per key group of maxParallelism {} (--keys)",
                        keyed_max_p.unwrap_or(128)
                    ),
                },
            );
        }
        // The vertex's busy time per record, on its first operator (REST measures the task).
        if op.head {
            let (per, rate) = if op.kind == OperatorKind::Source {
                ("records out", r.out_per_s)
            } else {
                ("records in", r.in_per_s)
            };
            let busy = r.busy_ms_per_s;
            let cost_us = if rate > 0.0 { busy * 1000.0 / rate } else { 0.0 };
            s.put(
                "service_time",
                us(cost_us),
                format!(
                    "busy time / {per} ({}): the whole task's cost per record; CPU assumed, move time spent waiting (I/O, calls) to wait_time",
                    r.source[3]
                ),
            );
        } else {
            s.put(
                "service_time",
                quote("0us"),
                "in the vertex's first operator: REST measures the task, not each operator",
            );
        }
        // The vertex's state, on its first operator.
        // Flink counts an unaligned checkpoint's persisted in-flight data in the state size;
        // the simulator persists its own, so the operator's state is the rest.
        let state = median(
            &vd.acks
                .iter()
                .map(|a| (a.state_size - a.persisted).max(0.0))
                .collect::<Vec<_>>(),
        )
        .unwrap_or(0.0);
        let keyed = op.head && op.inputs.iter().any(|(_, p, _)| *p == Partitioning::Hash);
        if op.head && state > 0.0 {
            if keyed {
                let per_key = state * p / keys as f64;
                s.put(
                    "state",
                    format!("{{ bytes_per_key = {} }}", bytes(per_key)),
                    format!(
                        "median state_size - alignment.persisted per subtask {} B ({subs}, {cp_range}) x parallelism / keys",
                        f(state)
                    ),
                );
                if rocks {
                    let rate_in = r.in_per_s;
                    let sync = median(&vd.acks.iter().map(|a| a.sync_ms).collect::<Vec<_>>()).unwrap_or(0.0);
                    // What the simulator's sync phase flushes: full checkpoints, the memtable
                    // (at most the state); incremental ones, the writes since the last one.
                    let flushed = if incremental {
                        rate_in * per_key.round() * interval_s.unwrap_or(1.0)
                    } else {
                        state.min(MEMTABLE_BYTES)
                    };
                    if sync > 0.0 && flushed > 0.0 {
                        rocks_sync = Some((flushed, sync, v.name.clone()));
                    }
                }
            } else {
                s.put(
                    "state",
                    format!("{{ initial = {} }}", bytes(state)),
                    format!("median state_size - alignment.persisted per subtask ({subs}, {cp_range})"),
                );
            }
        }
        if op.kind == OperatorKind::Sink {
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
        if op.head {
            let task = plan.task_names[vi].clone();
            for (stat, get) in SUBTASK_STATS {
                let xs: Vec<f64> = vd.acks.iter().map(get).collect();
                if let Some(mv) = median(&xs) {
                    medians.push((stat.to_string(), Some(task.clone()), mv));
                }
            }
        }
        sections.push(s);
    }
    if let Some((flushed, sync, vname)) = rocks_sync {
        let what = if incremental {
            "bytes written per subtask and interval (records in per second x bytes_per_key x interval)"
        } else {
            "min(state per subtask, memtable_size 64 MiB)"
        };
        sections[sb_index].put(
            "local_disk_bandwidth",
            bytes_per_s(flushed / sync * 1000.0),
            format!(
                "{what} / median checkpoint.sync of `{vname}` ({sync:.1} ms): the sync phase flushes the memtable at this speed"
            ),
        );
    }
    Ok(Imported {
        job_id: job.id.clone(),
        job_name: job.name.clone(),
        checkpoints: n_cp,
        history_total: history.total_count,
        sections,
        medians,
        plan_summary: summary(&plan),
    })
}

type Stat = (&'static str, fn(&SubtaskAck) -> f64);

/// The per-subtask statistics the calibration report compares, as the run names them.
const SUBTASK_STATS: [Stat; 4] = [
    ("start_delay", |a| a.start_delay_ms),
    ("alignment_duration", |a| a.alignment_ms),
    ("sync_duration", |a| a.sync_ms),
    ("async_duration", |a| a.async_ms),
];

fn median_of(h: &History, get: fn(&rest::HistoryEntry) -> f64) -> f64 {
    median(&h.completed.iter().map(get).collect::<Vec<_>>()).unwrap_or(f64::NAN)
}

fn summary(plan: &Plan) -> String {
    plan.task_names.join(" => ")
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

fn scheme(p: &str) -> String {
    p.split(':').next().unwrap_or(p).to_string() + ":"
}

fn history_path(layout: &Layout) -> Result<Option<String>, ImportError> {
    let doc = layout.read(&layout.checkpoints())?;
    for e in doc.root().get("history")?.items()?.iter().rev() {
        if let Some(p) = e.opt("external_path") {
            return Ok(Some(p.str()?.to_string()));
        }
    }
    Ok(None)
}

fn no_acks(layout: &Layout, cids: &[u64], sources: &[&str]) -> ImportError {
    ImportError::Malformed {
        file: layout.file(&layout.subtask_details(cids[0], "<source vid>")),
        field: "subtasks[].start_delay".into(),
        message: format!("no acknowledged subtask of the sources ({})", sources.join(", ")),
    }
}
