//! The `[cluster]` section: TaskManagers and slots from where the subtasks ran, the cores
//! behind them (assumed), and the RPC latencies from the sources' acknowledgements.

use std::collections::{BTreeMap, BTreeSet};

use crate::metrics::flink_resolution::unfloored_estimate_ms;

use super::super::fit;
use super::super::rest_model::SubtaskAck;
use super::super::write::{Section, empirical_ms};
use super::super::{ImportError, ImportOptions};
use super::Ctx;

pub(super) fn cluster(cx: &Ctx) -> Result<Section, ImportError> {
    let (tms, slots) = taskmanagers_and_slots(cx);
    let mut cl = Section::new("[cluster]");
    cl.put(
        "taskmanagers",
        tms.to_string(),
        format!("distinct taskmanager-id of subtasks[] in /jobs/{}/vertices/<vid>", cx.j),
    )
    .put(
        "slots_per_taskmanager",
        slots.to_string(),
        "most subtasks of one vertex on one TaskManager (slot sharing puts one of each vertex in a slot)",
    );
    assumed_cores(&mut cl, cx.opts, slots);
    rpc_latencies(&mut cl, cx)?;
    Ok(cl)
}

/// Distinct TaskManagers, and the most subtasks of one vertex on one of them.
fn taskmanagers_and_slots(cx: &Ctx) -> (u32, u32) {
    let all_tms: BTreeSet<&String> = cx.data.iter().flat_map(|v| v.tms.iter()).collect();
    let mut slots = 1u32;
    for v in &cx.data {
        let mut per_tm: BTreeMap<&String, u32> = BTreeMap::new();
        for t in &v.tms {
            *per_tm.entry(t).or_default() += 1;
        }
        slots = slots.max(per_tm.values().copied().max().unwrap_or(1));
    }
    (all_tms.len().max(1) as u32, slots)
}

fn assumed_cores(cl: &mut Section, opts: &ImportOptions, slots: u32) {
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
}

/// The trigger RPC from the sources' start delays, the acknowledgement RPC from the rest of
/// their end-to-end durations. REST floors a subtask's start delay, sync and async to whole ms
/// (its end-to-end duration is not floored): each is taken as the middle of its millisecond.
fn rpc_latencies(cl: &mut Section, cx: &Ctx) -> Result<(), ImportError> {
    let src_vertices: Vec<usize> = (0..cx.job.vertices.len())
        .filter(|&i| cx.job.vertices[i].inputs.is_empty())
        .collect();
    let src_acks: Vec<&SubtaskAck> = src_vertices.iter().flat_map(|&i| cx.data[i].acks.iter()).collect();
    let est = unfloored_estimate_ms;
    let start: Vec<f64> = src_acks.iter().map(|a| est(a.start_delay_ms)).collect();
    // The JobMaster's main thread draws its wake-up for the first acknowledgement that reaches
    // it idle; later ones that arrive while it wakes share it (`ckptsim::model::world::rpc`). So
    // the latency is read from each checkpoint's first source to be ready, not from every
    // source: the others' waits are shortened by the wake-up they joined.
    let ready = |a: &SubtaskAck| est(a.start_delay_ms) + est(a.sync_ms) + est(a.async_ms);
    let mut first_ready: BTreeMap<u64, &SubtaskAck> = BTreeMap::new();
    for a in &src_acks {
        let first = first_ready.entry(a.checkpoint_id).or_insert(a);
        if ready(a) < ready(first) {
            *first = a;
        }
    }
    let ack: Vec<f64> = first_ready
        .values()
        .map(|a| (a.end_to_end_ms - ready(a)).max(0.0))
        .collect();
    let src_names: Vec<&str> = src_vertices.iter().map(|&i| cx.job.vertices[i].name.as_str()).collect();
    let subs = &cx.subs;
    let rpc = fit::empirical(&start).ok_or_else(|| cx.no_acks(&src_names))?;
    cl.put(
        "rpc_latency",
        empirical_ms(&rpc),
        format!(
            "{subs} start_delay of the sources ({}) + 0.5 ms (REST floors it), percentiles over {} acks: the trigger RPC; notify alike (not in REST)",
            src_names.join(", "),
            start.len()
        ),
    );
    if let Some(a) = fit::empirical(&ack) {
        cl.put(
            "acknowledge_rpc_latency",
            empirical_ms(&a),
            format!(
                "{subs} end_to_end_duration - start_delay - checkpoint.sync - checkpoint.async of each checkpoint's first source to be ready (the JobMaster's wake-up for an idle main thread; later acknowledgements share it), the last three + 0.5 ms each (REST floors them), percentiles over {} checkpoints",
                ack.len()
            ),
        );
    }
    Ok(())
}
