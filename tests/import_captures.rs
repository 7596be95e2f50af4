//! `ckptsim import` predicts, not echoes (issue 16): a scenario imported from one real Flink
//! run is compared with runs the importer never read.
//!
//! (a) repetition 1 of a configuration against repetition 2;
//! (b) configuration A with exactly one documented parameter changed in the scenario against
//!     a real run of configuration B that differs by that parameter.
//!
//! Criterion: p50 end-to-end duration and p50 start delay of the map's subtasks within
//! +-25 % or +-2 ms. The captures (tests/fidelity/import/, README there) are Flink 2.3 runs of
//! the harness job on this 2-core machine; the assumption lines are filled with the facts of
//! each capture's run-info.txt (`--tms`, `--keys`, host_cpus) and nothing is fitted on the
//! compared run. A pair that misses is pinned below as a known gap with its measured ratio.
//!
//! `cargo test --release --test import_captures -- --nocapture` prints every figure.

mod import_support;

use import_support::{check, range_check, real, scenario, simulated};

/// One comparison: the import of `a` with `changes`, against the real `b`; a pinned known gap
/// per figure (sim / real as measured) when it misses.
fn pair(a: &str, changes: &[&str], b: &str, gaps: (Option<f64>, Option<f64>)) -> Vec<String> {
    let sim = simulated(&scenario(a, changes));
    let real = real(b);
    let label = if changes.is_empty() {
        format!("{a} -> {b}")
    } else {
        format!("{a} [{}] -> {b}", changes.join(", "))
    };
    [
        check(&label, "p50 e2e", real.e2e_ms, sim.e2e_ms, gaps.0),
        check(
            &label,
            "p50 start delay",
            real.map_start_delay_ms,
            sim.map_start_delay_ms,
            gaps.1,
        ),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

fn assert_all(fails: Vec<String>) {
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[test]
fn heap_one_taskmanager_repetition_1_predicts_repetition_2() {
    assert_all(pair("i01_heap_local.r1", &[], "i01_heap_local.r2", (None, None)));
}

/// Within the criterion since the importer takes the synchronous phases out of the busy time
/// it charges per record (start delay 1.11, 10 against 9 ms; a known gap of 1.33 before,
/// 2026-12-04 to 12-05). The map's busy time held its 31-33 ms flush and native checkpoint
/// once a second, which the simulator also runs on the task thread: every record paid for
/// it twice, and a barrier waited behind the records of the last flush interval at that cost.
#[test]
fn rocksdb_two_taskmanagers_repetition_1_predicts_repetition_2() {
    assert_all(pair("i03_rocks_remote.r1", &[], "i03_rocks_remote.r2", (None, None)));
}

/// Within the criterion since the importer stopped trusting a storage line whose slope is
/// lost in its noise (e2e 1.07; 1.29 before): r1's checkpoints persisted 1.13-1.26 MB of
/// channel state each (two shared files, one per TaskManager), too narrow a spread to separate a request latency from a
/// bandwidth, so the fit's intercept and slope were noise and the importer now takes the
/// median duration as the latency and keeps the profile's bandwidth. The rule was added after
/// i10's import gave an intercept of -151 ms (below); it reads r1 only. The two real runs
/// still differ by about the tolerance themselves (r1's median 36 ms, r2's 22 ms).
/// A known gap on end to end from 2026-12-04 (1.25: 27.5 against 22 ms, between r2 and r1's
/// own 36): the importer takes a task's busy time as CPU (REST cannot tell CPU from waiting),
/// so the back-pressured maps, whose per-record cost in the harness is a sleep, hold both
/// cores in the simulator; since a local file's request latency is the snapshot thread's CPU,
/// the snapshot waits for them (1.01 before, 1.22 with that change), and since an unaligned
/// barrier waits for the record in progress, the map starts later too. Within the criterion
/// again (1.20) since acknowledgements share the JobMaster's wake-up and the importer reads
/// that wake-up from each checkpoint's first source to be ready.
#[test]
fn unaligned_under_backpressure_repetition_1_predicts_repetition_2() {
    assert_all(pair(
        "i05_unaligned_remote.r1",
        &[],
        "i05_unaligned_remote.r2",
        (None, None),
    ));
}

/// `--rate 8000` -> `--rate 16000`: the source rate per subtask doubles. The importer wrote
/// the measured rate of A; B's is twice A's offered rate, so the scenario's rate is doubled.
#[test]
fn doubling_the_rate_predicts_the_faster_run() {
    let a = "i01_heap_local.r1";
    let set = rate_doubled(a);
    assert_all(pair(a, &[&set], "i02_heap_local_rate16k.r1", (None, None)));
}

/// `--cpIntervalMs 1000` -> `2000`.
///
/// In Flink the full RocksDB checkpoint's sync phase grows with the interval (i03: 31-33 ms,
/// i04: 76 ms: the memtable holds the writes since the last checkpoint); so does the
/// simulator's since the native full snapshot replaced the legacy model that flushed
/// min(state, memtable_size) whatever the interval (e2e 0.67 then, 0.77 after, 0.84 since the
/// importer inverts the LSM model for the live state and fits `flush_throughput` on r1's sync:
/// within the criterion, unpinned). Start delay: within the criterion since the defaults took the
/// steady-state calibration (ratio 1.01; pinned at 1.31 before, measured 2026-12-02): not the RPC fit (the
/// sources' simulated start delay is 4.3 ms at 1 s and 4.7 ms at 2 s, real 4.0 ms in both) but
/// the phase of the triggers against the output flusher: the simulator's flusher ticks on a
/// fixed 100 ms grid and the triggers on a fixed interval from a random initial delay, so the
/// records a barrier finds in the source's unflushed buffer, which the map must process first,
/// are the same all run (seed 1: first trigger at 126.7 ms with 1 s, 253.3 ms with 2 s: 27 and
/// 53 ms of records, map start delay 10.0 and 15.1 ms); over seeds 1-5 the map's median is
/// 8.6-16.8 ms at 1 s and 8.5-15.1 ms at 2 s, and 130 s runs do not narrow it. Flink's
/// `OutputFlusher` sleeps the timeout between flushes, so its ticks drift against the
/// triggers: the three real runs (i03 r1, r2, i04: 10.5, 9.0, 11.5 ms) spread far less than
/// the simulator's seeds; the moved draws put seed 1 where the real runs are, not the spread.
#[test]
fn doubling_the_interval_predicts_the_slower_cadence() {
    assert_all(pair(
        "i03_rocks_remote.r1",
        &["checkpoint.interval=\"2000ms\""],
        "i04_rocks_remote_interval2s.r1",
        (None, None),
    ));
}

/// `--unaligned true` -> `false`: aligned checkpoints under the same backpressure.
#[test]
fn turning_unaligned_off_predicts_aligned_under_backpressure() {
    assert_all(pair(
        "i05_unaligned_remote.r1",
        &["checkpoint.unaligned=false"],
        "i06_aligned_remote.r1",
        (None, None),
    ));
}

/// Heap, aligned, two TaskManagers (local and remote channels): captured in session 10 with
/// the two pairs below, all three chosen before any of them ran.
#[test]
fn heap_two_taskmanagers_repetition_1_predicts_repetition_2() {
    assert_all(pair("i07_heap_remote.r1", &[], "i07_heap_remote.r2", (None, None)));
}

/// `--parallelism 2` -> `4` on one TaskManager, the total rate unchanged (the harness's
/// `--rate` is the job's): every operator's parallelism, the slots, and the rate per source
/// subtask halved. The key count is the job's, so each map subtask holds half the keys.
/// It sat just inside (0.75) until the importer took REST's floored start delay, sync and
/// async as the middle of their millisecond, which moved half a millisecond of the
/// acknowledgement into them (0.73, pinned), and came back inside (0.77: 19.2 against 25 ms)
/// when a local state file's request latency became the snapshot thread's CPU, which four
/// subtasks' async phases on two cores share. Known gap again since 2026-12-04, pinned
/// (0.70: 17.4 against 25 ms): acknowledgements that reach the JobMaster while it wakes for
/// an earlier one share that wake-up, so the last of eight subtasks no longer waits for a
/// hand-off of its own. The steady-state row of the same shape on two TaskManagers, f03 in
/// the fidelity suite, reads 15.8 against 14.8 ms with it; this capture is from the JIT's
/// first minute (10 s warm-up, `tests/fidelity/import/README.md`). Pooled over seeds 1-6:
/// 0.73 (18.3 ms).
/// On one day this pair passes (`heap_job_pairs_on_one_day_predict_each_change`: 0.92); the
/// runs compared here are hours apart on different VM boots, and at this 10 s warm-up two runs
/// of one configuration differ by up to 1.4x themselves.
#[test]
fn doubling_the_parallelism_predicts_the_wider_job() {
    let a = "i01_heap_local.r1";
    let changes = parallelism_4(a, 4);
    let changes: Vec<&str> = changes.iter().map(String::as_str).collect();
    assert_all(pair(a, &changes, "i08_heap_local_p4.r1", (Some(0.73), None)));
}

/// `--cpIntervalMs 1000` -> `2000` on the heap job. Known gap until 2026-12-04 (simulated /
/// real e2e 0.72, measured 2026-12-02), within the criterion (0.78: 21.7 against 28 ms) since
/// acknowledgements share the JobMaster's wake-up and the importer reads it from each
/// checkpoint's first source to be ready (see i08's pair); pooled over seeds 1-6 it reads 0.75
/// (20.9 ms), 0.1 ms outside, pinned; 0.74 (20.7 ms) since the consumers of one emission share
/// its hand-off. In Flink the heap job's checkpoints got slower with the longer
/// interval (i09's own median e2e 30 ms and map async 13 ms over its whole run, against i01's
/// 20 and 9 ms), with the same state; the simulator's heap snapshot cost does not depend on the
/// interval (20.1 against 19.6 ms). What makes Flink's async phase slower is not known yet (see
/// the fidelity suite's small-state rows, whose async phases are also too short).
/// On one day this pair passes (`heap_job_pairs_on_one_day_predict_each_change`: 0.95); the
/// runs compared here are hours apart on different VM boots, and at this 10 s warm-up two runs
/// of one configuration differ by up to 1.4x themselves.
#[test]
fn doubling_the_interval_of_a_heap_job_predicts_its_cadence() {
    assert_all(pair(
        "i01_heap_local.r1",
        &["checkpoint.interval=\"2000ms\""],
        "i09_heap_local_interval2s.r1",
        (Some(0.74), None),
    ));
}

/// Unaligned under backpressure on one TaskManager (all channels local): a repetition pair
/// beside i05, registered with i11 before either ran (session 11) and reported as it came.
/// Within the criterion on end to end (simulated / real 0.87: 16.5 against 19 ms) since a local
/// state file's request latency is the snapshot thread's CPU (0.85) and the map's unaligned
/// barrier waits for the record in progress (0.87); pinned before at 0.68 (measured
/// 2026-12-03; 0.72 before REST's floored phases were read as the middle of their millisecond,
/// see i08's pair). On
/// the first import the storage fit of r1's shared channel-state files gave an intercept of
/// -151 ms and 3.5 MB/s (e2e 10.2): every checkpoint persisted 0.56-0.66 MB into its one file, and the line through them
/// was noise; the importer now refuses a slope within two standard errors of zero. The map's
/// start delay was a gap too (0.53: the simulator handed the priority barrier to the task at
/// once, 2.7 ms against Flink's 5.0); since the barrier waits for the task thread's mail (an
/// input hand-off) it is 3.6 ms, within 2 ms (0.72), and unpinned (4 ms floored as REST floors it). Flink's map starts 1-3 ms
/// after its sources, more when a record costs more (tests/fidelity/probes/README.md, the
/// unaligned start delay probe).
#[test]
fn unaligned_one_taskmanager_repetition_1_predicts_repetition_2() {
    assert_all(pair(
        "i10_unaligned_local.r1",
        &[],
        "i10_unaligned_local.r2",
        (None, None),
    ));
}

/// `--rate 6000` -> `--rate 12000` on the RocksDB job on two TaskManagers: the rate of a
/// RocksDB job doubled (registered with i10 before either ran). As for the heap job, the
/// importer wrote A's measured rate and the scenario's rate is doubled.
///
/// Known gap, pinned (simulated / real e2e 3.12, start delay 4.21, measured 2026-12-03; 3.21 and
/// 3.75 pooled over seeds 1-6, 2026-12-04; start delay 3.88 since the job's first checkpoint
/// comes when Flink 2.3's does, 2026-12-05; 3.01 and 3.00 since the importer takes the sync
/// phases out of the busy time per record, the same day).
/// Across these two runs Flink got faster at twice the rate: the map's sync phase 33.5 -> 20.5
/// ms, its async 50.5 -> 21.5 ms, end to end 116 -> 57 ms, and its busy time per record 60.1 ->
/// 25.7 us (the source's 38.9 -> 19.7 us), so the simulated map, charged i03's busy time per
/// record twice as often, starts the next barrier late. **The cause is the two days, not the
/// rate:** i03 r1 was captured on 2026-12-02 and i11 r1 on 2026-12-03, each on a freshly booted
/// VM. Both configurations run again on one day (2026-12-05,
/// tests/fidelity/probes/rate_doubling_rocksdb/, registered before they ran) show the opposite:
/// Flink slower at twice the rate (end to end 40-50 -> 56-72 ms) and the map's busy time per
/// record about the same (15.7 -> 13.6 us), and the importer's prediction of that day's pair
/// passes on end to end (`doubling_the_rate_of_a_rocksdb_job_on_one_day_predicts_its_run`).
/// This pair stays as the record of what a day's drift does to an import.
#[test]
fn doubling_the_rate_of_a_rocksdb_job_predicts_the_faster_run() {
    let a = "i03_rocks_remote.r1";
    let set = rate_doubled(a);
    assert_all(pair(
        a,
        &[&set],
        "i11_rocks_remote_rate12k.r1",
        (Some(3.01), Some(3.00)),
    ));
}

/// The same two configurations as the pair above, run alternately on one day (2026-12-05,
/// tests/fidelity/probes/rate_doubling_rocksdb/, registered before they ran; the probe's runs
/// r1 and r2 are the captures' i03 r3 and r4 and i11 r2 and r3). i03 r3 is imported, as i03 r1
/// is above, and run at twice its rate against i11 r2, the first run of each; the repetition
/// i03 r3 -> r4 is checked beside it.
///
/// Measured before any pin (2026-12-05): e2e 1.03 (57.8 against 56 ms) and start delay 8 against
/// 5 ms, one millisecond beyond the criterion's 2 ms: pinned at 1.60. The other same-day
/// combinations, not asserted: i03 r3 -> i11 r3 e2e 0.80 (start delay 8 against 6), i03 r4 ->
/// i11 r2 1.00 (7 against 5); i11's own two runs read 56 and 72 ms.
#[test]
fn doubling_the_rate_of_a_rocksdb_job_on_one_day_predicts_its_run() {
    let a = "i03_rocks_remote.r3";
    let set = rate_doubled(a);
    let mut fails = pair(a, &[], "i03_rocks_remote.r4", (None, None));
    fails.extend(pair(a, &[&set], "i11_rocks_remote_rate12k.r2", (None, Some(1.60))));
    assert_all(fails);
}

/// The heap job's three pinned pairs (parallelism 2 -> 4, interval 1 -> 2 s, backend heap ->
/// RocksDB) run again with every run on one day (2026-12-05 22:51-22:59 UTC,
/// tests/fidelity/probes/same_day_heap_pairs/, registered before they ran): i01, i08, i09, i12,
/// then the same again, captured as i01 r3, r4 and i08, i09, i12 r2, r3. i01 r3 is imported and
/// compared with r4 and, with each pair's change, with the first run of each configuration.
///
/// Measured before any pin: e2e 0.89 (10.7 against 12 ms), 0.92 (10.1 against 11), 0.95 (11.4
/// against 12) and 1.03 (25.7 against 25); start delays 3 against 3, 3, 3 and 5 ms. All pass.
/// Not asserted, and as telling: the runs of one configuration differ by up to 1.4x at this
/// 10 s warm-up (i01 r3 and r4: 9 and 12 ms), so the same changes against the second runs give
/// 0.68-1.03 from r3, and imported from r4 the pairs give 0.97-1.70 (r4 -> r3 itself 1.70).
/// The old pairs' misses (0.71-1.47) lie within what one run against another gives.
#[test]
fn heap_job_pairs_on_one_day_predict_each_change() {
    let a = "i01_heap_local.r3";
    let p4 = parallelism_4(a, 4);
    let p4: Vec<&str> = p4.iter().map(String::as_str).collect();
    let mut fails = pair(a, &[], "i01_heap_local.r4", (None, None));
    fails.extend(pair(a, &p4, "i08_heap_local_p4.r2", (None, None)));
    fails.extend(pair(
        a,
        &["checkpoint.interval=\"2000ms\""],
        "i09_heap_local_interval2s.r2",
        (None, None),
    ));
    fails.extend(pair(
        a,
        &["state_backend.kind=\"rocksdb\""],
        "i12_heap_local_rocksdb.r2",
        (None, None),
    ));
    assert_all(fails);
}

/// The same four configurations again on one day, with the fidelity suite's 90 s warm-up so that
/// the JIT has settled (2026-12-05 23:05-23:25 UTC,
/// tests/fidelity/probes/same_day_heap_pairs_warm/, registered before they ran; captured as
/// `.w1` and `.w2`). Every reading is asserted: the
/// repetition both ways, and each change from either i01 run against either run of the changed
/// configuration.
///
/// Measured before any pin: i01's two runs agree (9 and 9 ms; at the 10 s warm-up they read 9
/// and 12), w1 -> w2 1.16 and w2 -> w1 1.01. From w1 all six changes pass (0.78-1.13). From w2
/// three of six pass: against the first runs of parallelism 4 and interval 2 s it reads 0.70 and
/// 0.71, and the RocksDB run's start delay 2 against 5 ms, pinned. Those first runs are the
/// configurations' slower ones: i08 reads 13 and 9 ms, i09 13 and 10, so Flink's own two runs
/// differ by 1.3-1.4x there.
#[test]
fn heap_job_pairs_with_the_jit_settled_predict_each_change() {
    let mut fails = pair("i01_heap_local.w1", &[], "i01_heap_local.w2", (None, None));
    fails.extend(pair("i01_heap_local.w2", &[], "i01_heap_local.w1", (None, None)));
    for a in ["i01_heap_local.w1", "i01_heap_local.w2"] {
        let from_w2 = a.ends_with("w2");
        let p4 = parallelism_4(a, 4);
        let p4: Vec<&str> = p4.iter().map(String::as_str).collect();
        for k in ["w1", "w2"] {
            let pinned = from_w2 && k == "w1";
            let b = format!("i08_heap_local_p4.{k}");
            fails.extend(pair(a, &p4, &b, (pinned.then_some(0.70), None)));
            let b = format!("i09_heap_local_interval2s.{k}");
            let interval = ["checkpoint.interval=\"2000ms\""];
            fails.extend(pair(a, &interval, &b, (pinned.then_some(0.71), None)));
            let b = format!("i12_heap_local_rocksdb.{k}");
            let backend = ["state_backend.kind=\"rocksdb\""];
            fails.extend(pair(a, &backend, &b, (None, pinned.then_some(0.40))));
        }
    }
    assert_all(fails);
}

/// The RocksDB rate pair again on one day with a 90 s warm-up (2026-12-05 23:28-23:40 UTC,
/// tests/fidelity/probes/rate_doubling_rocksdb_warm/, registered before it ran; captured as
/// `.w1` and `.w2`). Every reading is asserted: i03's repetition both ways, and each i03 run at
/// twice its rate against each i11 run.
///
/// Measured before any pin: the repetition reads 0.99 and 0.79. At twice the rate, against i11
/// w2 it reads 1.02 and 0.92 (start delay 7 against 7.5 ms). Against i11 w1 it reads 0.67 and 0.61,
/// and the start delay 7 against 11 ms, pinned. i11's two runs differ by 1.53x themselves (116
/// and 76 ms), and w1 ran with 0.11 cores of other load on the host, inside `measure.sh`'s
/// 0.2. The 10 s-warm-up pair's start delay miss (8 against 5 ms) does not recur against w2.
#[test]
fn doubling_the_rate_of_a_rocksdb_job_with_the_jit_settled() {
    let mut fails = pair("i03_rocks_remote.w1", &[], "i03_rocks_remote.w2", (None, None));
    fails.extend(pair("i03_rocks_remote.w2", &[], "i03_rocks_remote.w1", (None, None)));
    for (a, e2e_gap) in [("i03_rocks_remote.w1", 0.67), ("i03_rocks_remote.w2", 0.61)] {
        let set = rate_doubled(a);
        let b1 = "i11_rocks_remote_rate12k.w1";
        fails.extend(pair(a, &[&set], b1, (Some(e2e_gap), Some(0.64))));
        fails.extend(pair(a, &[&set], "i11_rocks_remote_rate12k.w2", (None, None)));
    }
    assert_all(fails);
}

/// Three runs of every configuration of the two probes above, all on one boot of this VM
/// (`.w1`, `.w2` from 2026-12-05 23:05-23:40 UTC, `.w3` from 2026-12-06 00:53-01:07 UTC;
/// tests/fidelity/probes/one_boot_three_runs/, its criterion registered before the third runs).
/// Each prediction is held against the range of Flink's own runs of the configuration it
/// predicts (`range_check`): each run of i01 and of i03 against the other two, each run of i01
/// with parallelism 4, interval 2 s and RocksDB against i08's, i09's and i12's three, and each
/// run of i03 at twice its rate against i11's three.
///
/// Measured before any pin (2026-12-06): 35 of the 36 figures lie in the range. Flink's own
/// runs (w1, w2, w3; p50 end to end as the importer reads them): i01 9, 9 and 11 ms; i08 13,
/// 9 and 15; i09 13, 10 and 13; i12 23, 22 and 26; i03 60, 53 and 48; i11 116, 76 and 72.
/// The miss is pinned below.
#[test]
fn one_boot_three_runs_predict_within_flinks_own_spread() {
    let runs = |name: &str| ["w1", "w2", "w3"].map(|k| format!("{name}.{k}"));
    // Each run of `base` against the other two; the one miss (a pinned end-to-end gap) is the
    // import of i01's slowest run (11 ms): 11.95 ms, above its two siblings (9 and 9 ms) by
    // 1.33, the import's overshoot of its own heap run.
    let repetition = |a: &String, base: &str, gap: Option<f64>| {
        let others: Vec<String> = runs(base).into_iter().filter(|b| b != a).collect();
        against_range(a, &[], &others, gap)
    };
    let mut fails = Vec::new();
    for a in &runs("i01_heap_local") {
        fails.extend(repetition(a, "i01_heap_local", a.ends_with("w3").then_some(1.33)));
        let p4 = parallelism_4(a, 4);
        let p4: Vec<&str> = p4.iter().map(String::as_str).collect();
        fails.extend(against_range(a, &p4, &runs("i08_heap_local_p4"), None));
        let interval = ["checkpoint.interval=\"2000ms\""];
        fails.extend(against_range(a, &interval, &runs("i09_heap_local_interval2s"), None));
        let backend = ["state_backend.kind=\"rocksdb\""];
        fails.extend(against_range(a, &backend, &runs("i12_heap_local_rocksdb"), None));
    }
    for a in &runs("i03_rocks_remote") {
        fails.extend(repetition(a, "i03_rocks_remote", None));
        let set = rate_doubled(a);
        fails.extend(against_range(a, &[&set], &runs("i11_rocks_remote_rate12k"), None));
    }
    assert_all(fails);
}

/// The import of `a` with `changes` against the range of the real runs `bs`
/// (`range_check`), on both figures; `e2e_gap` pins a known end-to-end gap as in [`pair`] (no
/// start delay here misses).
fn against_range(a: &str, changes: &[&str], bs: &[String], e2e_gap: Option<f64>) -> Vec<String> {
    let sim = simulated(&scenario(a, changes));
    let reals: Vec<_> = bs.iter().map(|b| real(b)).collect();
    let what = if changes.is_empty() { "itself" } else { "changed" };
    let label = format!("{a} ({what}) -> {}", bs.join(" "));
    let e2e: Vec<f64> = reals.iter().map(|r| r.e2e_ms).collect();
    let delay: Vec<f64> = reals.iter().map(|r| r.map_start_delay_ms).collect();
    [
        range_check(&label, "p50 e2e", &e2e, sim.e2e_ms, e2e_gap),
        range_check(&label, "p50 start delay", &delay, sim.map_start_delay_ms, None),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

/// `--backend hashmap` -> `rocksdb` on the heap job on one TaskManager: the backend changed
/// and nothing else (registered with i13 before either ran, session 12). Known gap, pinned
/// (simulated / real e2e 1.37, measured 2026-12-03; 1.43 pooled over seeds 1-6, 2026-12-04;
/// 1.47 since the consumers of one emission share its hand-off). It passed (1.21) while two errors
/// cancelled: the sync phase was too short and the async phase too long. Since the flush costs
/// CPU per put (c07) and queues for the TaskManager's flush thread, the map's median sync is
/// 9.3 ms against Flink's 8.5 (the subtask that flushes first: 8.6 against 8.0), but the
/// asynchronous phase stays 9.4 against 4.5 ms: the storage line is fitted on the heap run,
/// whose async phase folds the serialization into the bandwidth (23.9 MB/s per upload), and
/// the model's SST files hold 503 kB per subtask where Flink reported 362 kB.
/// On one day this pair passes (`heap_job_pairs_on_one_day_predict_each_change`: 1.03); the
/// runs compared here are hours apart on different VM boots, and at this 10 s warm-up two runs
/// of one configuration differ by up to 1.4x themselves.
#[test]
fn switching_a_heap_job_to_rocksdb_predicts_its_checkpoints() {
    assert_all(pair(
        "i01_heap_local.r1",
        &["state_backend.kind=\"rocksdb\""],
        "i12_heap_local_rocksdb.r1",
        (Some(1.47), None),
    ));
}

/// `--parallelism 2` -> `4` on the RocksDB job on two TaskManagers (two slots each), the
/// job's rate unchanged, so each source subtask's rate halves (registered with i12).
///
/// Within the criterion since the importer takes the synchronous phases out of the busy time
/// it charges per record (start delay 1.20, 6 against 5 ms). It was a known gap (1.60, 8 against
/// 5 ms) from the day the job's first checkpoint moved to Flink 2.3's time, which drew each
/// seed's phases anew, until the same day's fix: the map's per-record cost held its sync
/// phases, and a barrier waited behind the records of a flush interval at that cost.
#[test]
fn doubling_the_parallelism_of_a_rocksdb_job_predicts_the_wider_job() {
    let a = "i03_rocks_remote.r1";
    let changes = parallelism_4(a, 2);
    let changes: Vec<&str> = changes.iter().map(String::as_str).collect();
    assert_all(pair(a, &changes, "i13_rocks_remote_p4.r1", (None, None)));
}

/// The harness's `--parallelism 2` -> `4` on the import of `name`: every operator at 4,
/// `slots` per TaskManager, and the rate per source subtask halved (`--rate` is the job's).
/// The override that runs capture `name`'s imported scenario at twice its source rate (the
/// importer writes the measured rate; the harness's `--rate` doubled doubles it).
fn rate_doubled(name: &str) -> String {
    format!("operators.gen.rate.records_per_second={}", 2.0 * ckptsim_rate(name))
}

fn parallelism_4(name: &str, slots: u32) -> Vec<String> {
    let mut v: Vec<String> = ["gen", "stateful-map", "discard"]
        .iter()
        .map(|op| format!("operators.{op}.parallelism=4"))
        .collect();
    v.push(format!("cluster.slots_per_taskmanager={slots}"));
    v.push(format!(
        "operators.gen.rate.records_per_second={}",
        ckptsim_rate(name) / 2.0
    ));
    v
}

/// The source rate the importer wrote for capture `name`.
fn ckptsim_rate(name: &str) -> f64 {
    let sc = scenario(name, &[]);
    sc.operators
        .iter()
        .find(|o| o.name == "gen")
        .and_then(|o| o.rate.as_ref())
        .map(|r| r.records_per_second)
        .expect("a rate on gen")
}
