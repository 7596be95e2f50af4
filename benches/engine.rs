//! Engine speed on the reference job (scenarios/bench_reference.toml): 3 operators at
//! parallelism 32 with hash shuffles, 60 s simulated.
//!
//! Reports events per second (events through the event queue), records per second (record
//! steps inside batches: a record read, processed or written counts once per task), and
//! simulated seconds per wall second. Run: `cargo bench --bench engine`.

use std::path::Path;
use std::time::Instant;

fn main() {
    let loaded = ckptsim::scenario::load_file(Path::new("scenarios/bench_reference.toml")).expect("reference scenario");
    let sc = loaded.scenario;
    // One warm-up run, then the measured ones: report the median.
    let _ = ckptsim::run::run(&sc, 1);
    let mut samples = Vec::new();
    for seed in 1..=3 {
        let t = Instant::now();
        let out = ckptsim::run::run(&sc, seed);
        let wall = t.elapsed().as_secs_f64();
        let events = out.summary.engine.events_processed as f64;
        let records: u64 = out.summary.job.tasks.iter().map(|t| t.records_in).sum();
        samples.push((wall, events, records as f64, out.summary.simulated_seconds));
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (wall, events, records, sim_s) = samples[samples.len() / 2];
    println!("reference job: 3 x 32 subtasks, hash shuffles, {sim_s:.0} s simulated (median of 3 runs)");
    println!("  wall time                  {wall:.3} s");
    println!("  events processed           {events:.0}");
    println!("  events per second          {:.2} M", events / wall / 1e6);
    println!(
        "  record steps per second    {:.2} M ({records:.0} records through tasks)",
        records / wall / 1e6
    );
    println!("  simulated s per wall s     {:.1}", sim_s / wall);
}
