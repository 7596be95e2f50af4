//! A single run's progress on stderr, for the runs long enough to wait for: how much of the
//! simulated duration is done, with an ETA from the wall clock (display only: it never reaches a
//! result). Hidden when stderr is not a terminal (CI logs, pipes, tests). And the notes before
//! a run: a long record-by-record run is told that the fast path exists, a job whose records
//! need more CPU than its TaskManagers' cores is told before it runs.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scenario::Scenario;
use crate::scenario::budget::Estimate;
use crate::time::SimTime;

/// Runs estimated below this many simulation steps end within seconds: no bar.
pub const BAR_FROM_STEPS: f64 = 1e8;

/// Record-by-record runs estimated at this many steps or more get the note on the fast path
/// (the scale issue's production shape, 4.4e10 steps, takes 18-27 CPU minutes).
pub const FAST_PATH_NOTE_FROM_STEPS: f64 = 1e9;

/// The bar for a run of `s`, counting simulated seconds; hidden for a short run or when stderr
/// is not a terminal.
pub fn bar(s: &Scenario, needs: &Estimate) -> ProgressBar {
    let shown = needs.work_steps() >= BAR_FROM_STEPS && std::io::stderr().is_terminal();
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let simulated_s = (s.simulation.duration.value / 1e9).ceil().max(1.0) as u64;
    let style = ProgressStyle::with_template("[{elapsed_precise}] {wide_bar} {pos}/{len} simulated s  ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(simulated_s), target).with_style(style)
}

/// Moves `bar` to the simulated clock `now`.
pub fn show(bar: &ProgressBar, now: SimTime) {
    bar.set_position(now.as_ns() / crate::time::NS_PER_S);
}

/// The note before a long record-by-record run: its size, what such a run costs, and the fast
/// path's field. `None` for a short run or one already on the fast path.
pub fn long_run_note(s: &Scenario, needs: &Estimate) -> Option<String> {
    let steps = needs.work_steps();
    if steps < FAST_PATH_NOTE_FROM_STEPS || s.simulation.records_per_bundle > 1 {
        return None;
    }
    Some(format!(
        "note: about {steps:.1e} simulation steps record by record. For scale, \
         benches/scenarios/production_hour.toml (4.4e10 steps: 300 subtasks moving 1 M records/s \
         for an hour) takes 18-27 CPU minutes record by record and about 2.5 with \
         `--set simulation.records_per_bundle=32`, the fast path (README, \"The fast path\"); \
         its verdict says when the bundles are too coarse for the job."
    ))
}

/// Every note to print before a run (or after `validate`'s estimates), in order.
pub fn notes(s: &Scenario, needs: &Estimate) -> Vec<String> {
    [long_run_note(s, needs), cores_note(s, needs)]
        .into_iter()
        .flatten()
        .collect()
}

/// The note before a run whose records need more CPU than it can have, or `None`: a task whose
/// thread alone needs more than a core's share that leaves the verdict's spare throughput (25 %)
/// misses it on any number of cores (more parallelism is the remedy); otherwise a job whose
/// records need more of its TaskManagers' cores than leave that spare is pointed at the cores
/// question. Estimated at the sources' mean
/// rates ([`Estimate::record_cpu_cores`]) against the cores of all TaskManagers, so an uneven
/// spread or the snapshot threads can make a job short of cores that passes it.
pub fn cores_note(s: &Scenario, needs: &Estimate) -> Option<String> {
    let spare = crate::verdict::thresholds::HEADROOM_WARNING;
    let near_capacity = 1.0 / (1.0 + spare);
    let cpu = |i: usize| needs.record_cpu_cores.get(i).copied().unwrap_or(0.0);
    // A task's thread: its chained operators' records, shared by its subtasks.
    let busiest_thread = crate::compile::chain::chains(s)
        .iter()
        .map(|chain| {
            let per_subtask = chain.iter().map(|&i| cpu(i)).sum::<f64>() / s.operators[chain[0]].parallelism as f64;
            (crate::compile::chain::chain_name(s, chain), per_subtask)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((task, per_subtask)) = busiest_thread
        && per_subtask > near_capacity
    {
        return Some(format!(
            "note: at the sources' rates each subtask of `{task}` needs about {per_subtask:.2} cores of CPU \
             (records per second times service_time): a task thread runs on one core at a time, so more cores \
             would not make it keep up with {:.0} % spare throughput; more parallelism would.",
            spare * 100.0
        ));
    }
    let c = &s.cluster;
    let per_tm = c.cores_per_taskmanager_or_slots();
    let cores = per_tm * c.taskmanagers as f64;
    let needed: f64 = needs.record_cpu_cores.iter().sum();
    if !cores.is_finite() || needed <= near_capacity * cores {
        return None;
    }
    let what = if needed > cores {
        "the job cannot keep up with its input"
    } else {
        &format!("the job has under {:.0} % spare throughput at best", spare * 100.0)
    };
    Some(format!(
        "note: at the sources' rates the operators' records need about {needed:.2} cores of CPU (records per \
         second times service_time, summed over the operators), and the TaskManagers have {cores} in all ({} x \
         taskmanager.cpu.cores: {per_tm}): {what}. `ckptsim advise --question cores` finds how many it needs.",
        c.taskmanagers
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        crate::scenario::parse_str(text, "t.toml")
            .expect("a valid scenario")
            .scenario
    }

    const JOB: &str = "[simulation]\nduration = \"DURATION\"\n[cluster]\ntaskmanagers = 25\n\
                       slots_per_taskmanager = 4\n[[operators]]\nname = \"src\"\nkind = \"source\"\n\
                       parallelism = 100\nrate = { process = \"poisson\", records_per_second = 10000 }\n\
                       [[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 100\n\
                       inputs = [{ from = \"src\", partitioning = \"hash\" }]\n";

    #[test]
    fn a_long_record_by_record_run_is_told_of_the_fast_path() {
        let long = scenario(&JOB.replace("DURATION", "1h"));
        let needs = crate::scenario::budget::estimate(&long);
        assert!(
            needs.work_steps() >= FAST_PATH_NOTE_FROM_STEPS,
            "{}",
            needs.work_steps()
        );
        let note = long_run_note(&long, &needs).expect("a note");
        assert!(note.contains("simulation.records_per_bundle=32"), "{note}");
        let short = scenario(&JOB.replace("DURATION", "60s"));
        assert_eq!(long_run_note(&short, &crate::scenario::budget::estimate(&short)), None);
        let mut bundled = long.clone();
        bundled.simulation.records_per_bundle = 32;
        assert_eq!(long_run_note(&bundled, &needs), None, "already on the fast path");
    }

    #[test]
    fn the_bar_counts_whole_simulated_seconds() {
        let s = scenario(&JOB.replace("DURATION", "90s"));
        let b = bar(&s, &crate::scenario::budget::estimate(&s));
        assert_eq!(b.length(), Some(90));
        show(&b, SimTime(42_700_000_000));
        assert_eq!(b.position(), 42);
    }

    /// Two pipelines `source -> sink` on one TaskManager of `cores` cores and two slots, each
    /// source at 10,000 records/s, 25 us of CPU a record in the source and `sink_us` in the sink.
    fn pipelines(cores: &str, sink_us: u32) -> Scenario {
        scenario(&format!(
            "[pipeline]\noperator_chaining = false\n[simulation]\nduration = \"10s\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 2\n{cores}\n\
             [[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 2\n\
             rate = {{ process = \"constant\", records_per_second = 10000 }}\nservice_time = \"25us\"\n\
             [[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 2\n\
             inputs = [{{ from = \"src\", partitioning = \"forward\" }}]\nservice_time = \"{sink_us}us\"\n"
        ))
    }

    fn note(s: &Scenario) -> Option<String> {
        cores_note(s, &crate::scenario::budget::estimate(s))
    }

    #[test]
    fn a_job_needing_more_cores_than_its_taskmanagers_have_is_told_before_it_runs() {
        // 2 x 10,000 x (25 + 60) us = 1.7 cores on 1.
        let short = note(&pipelines("cores_per_taskmanager = 1", 60)).expect("a note");
        assert!(short.contains("1.70 cores"), "{short}");
        assert!(short.contains("cannot keep up"), "{short}");
        assert!(short.contains("advise --question cores"), "{short}");
        // On 2 cores: 85 % of them, under 25 % spare throughput at best.
        let tight = note(&pipelines("cores_per_taskmanager = 2", 60)).expect("a note");
        assert!(tight.contains("under 25 % spare"), "{tight}");
        // Control: on 3 cores (57 %) nothing to say.
        assert_eq!(note(&pipelines("cores_per_taskmanager = 3", 60)), None);
    }

    #[test]
    fn a_task_thread_needing_more_than_a_core_is_pointed_at_parallelism_not_cores() {
        // The sink's subtasks need 10,000 x 125 us = 1.25 cores each: no core count helps.
        let text = note(&pipelines("cores_per_taskmanager = 16", 125)).expect("a note");
        assert!(
            text.contains("each subtask of `sink: Writer` needs about 1.25 cores"),
            "{text}"
        );
        assert!(text.contains("more parallelism would"), "{text}");
    }
}
