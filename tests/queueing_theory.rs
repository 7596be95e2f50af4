//! The network and task model against queueing theory (validation-theory.md §3).
//!
//! Tolerances come from the run itself: 99 % confidence intervals from batch means (the
//! standard method for autocorrelated simulation output), except where theory is exact.

mod common;

use ckptsim::model::world::World;
use ckptsim::time::NS_PER_S;

/// Poisson arrivals (800/s) into one server with exponential service (mean 1 ms): M/M/1 with
/// rho = 0.8. Unchained, each operator is a task of its own: buffer timeout 0 sends every record
/// at once to a reader with nothing else to read, and the records that arrive while the server
/// is busy in one buffer when it gets there; the server emits each record when it is done with
/// it. Zero latency and zero source and sink service make the operator the only place a record
/// waits. Back-pressure moves the waiting line upstream (into the buffer being filled, or the
/// source's input) but keeps it FIFO, so the sojourn time is M/M/1's.
///
/// Chained (Flink's default for this job: forward edges, equal parallelism) the three operators
/// are one task and no record crosses a channel: a record starts when it has arrived and the one
/// before it is done, Lindley's recursion, so the sojourn time is M/M/1's as well. The scale
/// bench's tandem compares both against a bare event loop.
fn mm1(chained: bool) -> String {
    let (head, network) = if chained {
        // Flink's defaults: operators chained, the 100 ms buffer timeout.
        ("", "")
    } else {
        (
            "[pipeline]\noperator_chaining = false  # one task per operator: the test reads each one's figures\n",
            "input_handoff_latency = \"0s\"  # the theory's queues have no wake-up latency\n\
             buffer_timeout = \"0s\"\nlocal_latency = \"0s\"\n",
        )
    };
    format!(
        r#"{head}[simulation]
duration = "1500s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
[network]
{network}[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = {{ process = "poisson", records_per_second = 800 }}
service_time = "0s"
[[operators]]
name = "server"
kind = "operator"
parallelism = 1
inputs = [{{ from = "source", partitioning = "forward" }}]
service_time = {{ dist = "exponential", mean = "1ms" }}
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{{ from = "server", partitioning = "forward" }}]
service_time = "0s"
"#
    )
}

struct Sojourns {
    arrivals_ns: Vec<u64>,
    departures_ns: Vec<u64>,
}

fn mm1_sojourns(seed: u64) -> Sojourns {
    let s = common::scenario(&mm1(false));
    let mut w = World::new(&ckptsim::compile::world_config(&s), seed, "mm1");
    w.enable_record_log();
    w.run_to_end();
    let sink = 2;
    let warmup_ns = 50 * NS_PER_S;
    let mut arrivals_ns = Vec::new();
    let mut departures_ns = Vec::new();
    for r in w
        .record_log()
        .unwrap()
        .iter()
        .filter(|r| r.subtask == sink && r.origin_ns >= warmup_ns)
    {
        arrivals_ns.push(r.origin_ns);
        departures_ns.push(r.done.as_ns());
    }
    Sojourns {
        arrivals_ns,
        departures_ns,
    }
}

#[test]
fn mm1_mean_sojourn_time_is_one_over_mu_minus_lambda() {
    let q = mm1_sojourns(11);
    let w: Vec<f64> = q
        .arrivals_ns
        .iter()
        .zip(&q.departures_ns)
        .map(|(a, d)| (d - a) as f64 / 1e6)
        .collect();
    let (mean, se) = common::batch_means(&w, 20);
    let mut sorted = w.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let p99 = sorted[(0.99 * sorted.len() as f64) as usize];
    assert_mm1("M/M/1", mean, common::t_995(19) * se, p99, w.len() as u64);
}

/// M/M/1 at lambda 800/s and mu 1000/s: the mean sojourn `mean` (ms) with its 99 % half-width
/// `half` must hold the theory's 1 / (mu - lambda) = 5 ms, the interval be within 3 % of it
/// (tight enough to mean something), and `p99` within 3 % of Exp(mu - lambda)'s ln(100) / (mu -
/// lambda) = 23.03 ms.
fn assert_mm1(label: &str, mean: f64, half: f64, p99: f64, records: u64) {
    let theory = MM1_SOJOURN_MS;
    println!("{label}: W = {mean:.4} ms +- {half:.4} (99 %), theory {theory} ms, {records} records");
    assert!(records > 1_000_000, "{label}: {records} records");
    assert!(
        (mean - theory).abs() < half,
        "{label}: W = {mean:.4} ms +- {half:.4} (99 %), theory {theory} ms"
    );
    assert!(
        half < 0.03 * theory,
        "{label}: confidence half-width {half} ms is too wide to test anything"
    );
    let p99_theory = 100f64.ln() / 200.0 * 1e3;
    println!("{label}: p99 = {p99:.3} ms, theory {p99_theory:.3} ms");
    assert!(
        (p99 / p99_theory - 1.0).abs() < 0.03,
        "{label}: p99 {p99:.3} ms vs {p99_theory:.3} ms (+-3 %, validation-theory.md)"
    );
}

/// 1 / (mu - lambda) for the M/M/1 above, in ms.
const MM1_SOJOURN_MS: f64 = 1.0 / (1000.0 - 800.0) * 1e3;

/// The chained M/M/1 (one task, no channel): the record log holds operator tasks' records only,
/// so the sinks' latency statistics of 20 independent replications give the interval. Each
/// replication's mean sojourn is one sample; the 99 % interval of their mean must hold the
/// theory's 5 ms and be within 3 % of it, and the replications' p99 within 3 % of 23.03 ms. The
/// negative control: a server 5 % faster (W = 3.96 ms) must fall outside the same check.
#[test]
fn chained_mm1_mean_sojourn_time_is_one_over_mu_minus_lambda() {
    let (mean, half, p99, records) = chained_mm1_replications("1ms");
    // The p99 is the mean of the replications' p99s.
    assert_mm1("M/M/1 chained", mean, half, p99, records);
    let (faster, faster_half, _, _) = chained_mm1_replications("0.95ms");
    println!("negative control, service 0.95 ms: W = {faster:.4} ms +- {faster_half:.4}");
    assert!(
        (faster - MM1_SOJOURN_MS).abs() > faster_half,
        "the check cannot tell a 5 % faster server ({faster:.4} ms) from the theory's {MM1_SOJOURN_MS} ms"
    );
}

/// Mean sojourn (ms) over 20 replications of the chained M/M/1 with service mean `service`,
/// its 99 % half-width, the mean of the replications' p99 and the records counted.
fn chained_mm1_replications(service: &str) -> (f64, f64, f64, u64) {
    let text = mm1(true)
        .replacen("[simulation]\n", "[simulation]\nwarmup = \"50s\"\n", 1)
        .replacen("mean = \"1ms\"", &format!("mean = \"{service}\""), 1);
    let s = common::scenario(&text);
    let reps: Vec<_> = (1..=20)
        .map(|seed| ckptsim::run::run(&s, seed).summary.job.latency_ms)
        .collect();
    // Independent replications are batches of one: their means' mean and standard error.
    let avgs: Vec<f64> = reps.iter().map(|l| l.avg).collect();
    let (mean, se) = common::batch_means(&avgs, avgs.len());
    let half = common::t_995(avgs.len() - 1) * se;
    let p99 = reps.iter().map(|l| l.p99).sum::<f64>() / reps.len() as f64;
    (mean, half, p99, reps.iter().map(|l| l.count).sum())
}

#[test]
fn littles_law_holds_for_the_time_average_number_in_system() {
    let q = mm1_sojourns(12);
    // Time-average number in the system over [t0, t1], integrating N(t) between events.
    let t0 = q.arrivals_ns[0];
    let t1 = *q.arrivals_ns.last().unwrap();
    let mut events: Vec<(u64, i64)> = q.arrivals_ns.iter().map(|a| (*a, 1)).collect();
    events.extend(q.departures_ns.iter().filter(|d| **d <= t1).map(|d| (*d, -1)));
    events.sort();
    let (mut n, mut last, mut area) = (0i64, t0, 0f64);
    for (t, delta) in events {
        area += n as f64 * (t - last) as f64;
        n += delta;
        last = t;
    }
    let l = area / (t1 - t0) as f64;
    println!("Little: L = {l:.4} (theory 4)");
    let lambda = q.arrivals_ns.len() as f64 / ((t1 - t0) as f64 / 1e9);
    let w_mean: f64 = q
        .arrivals_ns
        .iter()
        .zip(&q.departures_ns)
        .map(|(a, d)| (d - a) as f64 / 1e9)
        .sum::<f64>()
        / q.arrivals_ns.len() as f64;
    // L = lambda W holds on the sample path up to boundary effects (records in the system at
    // t1): 0.5 % as validation-theory.md asks.
    assert!(
        (l / (lambda * w_mean) - 1.0).abs() < 0.005,
        "L = {l:.4}, lambda W = {:.4}",
        lambda * w_mean
    );
    // And L matches the theory rho / (1 - rho) = 4 within 5 % (the batch-means interval of W
    // above is about 2.5 % at 99 %; L inherits it).
    assert!((l / 4.0 - 1.0).abs() < 0.05, "L = {l:.4}, theory 4");
}

/// Deterministic tandem with back-pressure: throughput equals the slowest stage exactly, and
/// only the stages upstream of the bottleneck are back-pressured. Each of the four task
/// threads has a core of its own (the stages need 0.71 core-seconds per 1,000 records: on the
/// one core of the default they would share it).
const TANDEM: &str = r#"
[pipeline]
operator_chaining = false  # one task per operator: the test reads each one's figures
[simulation]
duration = "30s"
warmup = "10s"
[cluster]
taskmanagers = 1
slots_per_taskmanager = 1
cores_per_taskmanager = 4
[network]
input_handoff_latency = "0s"  # the theory's queues have no wake-up latency
buffer_timeout = "0s"
[[operators]]
name = "source"
kind = "source"
parallelism = 1
rate = { process = "constant", records_per_second = 10000 }
service_time = "10us"
[[operators]]
name = "fast"
kind = "operator"
parallelism = 1
inputs = [{ from = "source", partitioning = "forward" }]
service_time = "100us"
[[operators]]
name = "bottleneck"
kind = "operator"
parallelism = 1
inputs = [{ from = "fast", partitioning = "forward" }]
service_time = "400us"
[[operators]]
name = "sink"
kind = "sink"
parallelism = 1
inputs = [{ from = "bottleneck", partitioning = "forward" }]
service_time = "200us"
"#;

#[test]
fn deterministic_pipeline_throughput_equals_the_slowest_stage() {
    let s = common::scenario(TANDEM);
    let out = ckptsim::run::run(&s, 1);
    let ops = &out.summary.job.operators;
    // 20 s window at 1 / 400 us = 2500 records/s: 50000 records. Into the sink, which keeps
    // up, every record travels alone (Flink's flush after every record), and the record in
    // service at each edge of the window is the only slack. Into `fast` and the bottleneck the
    // queues are back-pressured, and a flush finishes no buffer while its reader is behind, so
    // records arrive in buffers of up to a 32 KiB segment, whose records a task counts in when
    // it takes the buffer: up to a buffer's records of slack.
    for o in ops.iter().skip(1) {
        let records = (o.records_per_second * 20.0).round() as i64;
        let slack = if o.name.starts_with("sink") {
            1
        } else {
            (32768.0 / (o.bytes_per_second / o.records_per_second)).ceil() as i64
        };
        assert!(
            (records - 50_000).abs() <= slack,
            "{}: {records} records in 20 s (slack {slack})",
            o.name
        );
    }
    let bp = |name: &str| {
        ops.iter()
            .find(|o| o.name == name)
            .unwrap()
            .back_pressured_time_ms_per_second
    };
    assert!(bp("source") > 700.0, "source back-pressured {} ms/s", bp("source"));
    assert!(bp("fast") > 700.0, "fast back-pressured {} ms/s", bp("fast"));
    assert_eq!(bp("bottleneck"), 0.0);
    assert_eq!(bp("sink: Writer"), 0.0);
    let busy = ops
        .iter()
        .find(|o| o.name == "bottleneck")
        .unwrap()
        .busy_time_ms_per_second;
    assert!(
        (busy - 1000.0).abs() < 1.0,
        "the bottleneck is never idle: busy {busy} ms/s"
    );
}
