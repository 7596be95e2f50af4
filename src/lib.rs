//! # ckptsim
//!
//! A deterministic discrete-event simulator of Apache Flink's checkpoint protocol. A simulated
//! clock drives tasks, network channels (credit-based flow control), TaskManagers and
//! checkpoint storage; on top runs the checkpoint protocol as Flink implements it, and a run
//! reports the checkpoint statistics Flink reports, under Flink's names.
//!
//! ## Running a scenario from the library
//!
//! ```no_run
//! let loaded = ckptsim::scenario::load_file(std::path::Path::new("scenarios/quickstart.toml"))?;
//! let out = ckptsim::run::run(&loaded.scenario, loaded.scenario.simulation.seed);
//! let completed = out.summary.counts.completed;
//! let p50_ms = out.summary.summary["end_to_end_duration"].p50;
//! println!("{completed} checkpoints completed, p50 end-to-end {p50_ms:.1} ms");
//! # Ok::<(), ckptsim::scenario::ScenarioError>(())
//! ```
//!
//! (`tests/library_example.rs` runs these lines, so they stay true.)
//!
//! ## What each module owns
//!
//! - [`sim`]: the engine, knowing nothing of Flink: simulated time, the event queue, seeded
//!   random streams, distributions, the trace hash.
//! - [`protocol`]: the checkpoint protocol, sans-IO: `CheckpointCoordinator`, the barrier
//!   handlers and tracker, the subtask checkpoint coordinator, the failure manager, restart
//!   strategies, the two-phase-commit sink. It takes time and randomness as arguments and
//!   returns what to send; it imports nothing from the simulator.
//! - [`model`]: the simulated world that drives the protocol: job graph, tasks, network
//!   channels, storage, state backends, faults, recovery, and the event loop
//!   ([`model::world::World`]). It runs on its own configuration types, one per component,
//!   gathered in [`model::config::WorldConfig`]; it never reads a scenario.
//! - [`scenario`]: the scenario file: schema, validation, errors naming file, line and field,
//!   `--set` overrides. It knows nothing of the model.
//! - [`compile`]: the one step from a validated scenario to the model's configuration
//!   ([`compile::world_config`]: job spec, network, coordinator, storage, state backend,
//!   recovery, restart strategy, fault plan, run settings).
//! - [`vocab`]: the enums (and defaults) the scenario file and the model share, defined once
//!   below both (operator kind, partitioning, arrival process, key distribution, state-backend
//!   kind, failover strategy, fault scopes); `scenario` re-exports them, so a file spells them
//!   as the model names them. Vocabulary that is the protocol's stays in [`protocol`]
//!   ([`protocol::CheckpointingMode`], which the scenario file reads directly).
//! - [`rate_profile`]: a source's rate over time (steps, ramps, a daily curve) and the time
//!   change that realises it, below both sides: the model's sources draw their arrivals through
//!   it, the scenario's run budget reads its mean factor.
//! - [`fault_spec`]: `[faults]` as the scenario file writes it (fixed times, MTBFs, windows),
//!   defined once below both: the scenario reads it, the model draws its fault schedule from it.
//! - [`metrics`]: the statistics a run produces (checkpoint history, per-subtask
//!   acknowledgements, job metrics, failures, all of it as a [`metrics::RunOutput`]), under
//!   Flink's REST names.
//! - [`run`]: one scenario run end to end ([`run::run`]: compile, build the world, run it),
//!   returning a [`metrics::RunOutput`].
//! - [`verdict`]: a run judged in plain sentences (keeps up? checkpoints healthy? where is the
//!   backpressure? how late is the output? what does a failure cost?), with documented thresholds.
//! - [`summary_table`]: the readable summary `ckptsim run` prints and its report page shows.
//! - [`files`]: a file written whole (a temporary name, then renamed) under a name that stays
//!   inside its directory; below every writer (run directory, sweep, charts, report pages).
//! - [`layout`]: the names of the files in a run directory and a sweep directory, so that the
//!   readers (charts, report pages, `reproduce`) find them without importing their writers.
//! - [`sweep_manifest`]: a sweep directory's plan (`sweep.json`: parameters, points, seeds, the
//!   charts asked for), written by `sweep` and read by the charts and the report page.
//! - [`confidence`]: means and 95 % confidence intervals over replications (Student's t), for
//!   the sweep's tables, the charts' bands and the checks of `advise`.
//! - [`plot`]: charts of runs and sweeps.
//! - [`report`]: the HTML page of a run, a sweep or advice (`report.html`).
//! - [`output`]: the run directory `ckptsim run` writes (files, charts, page), put in place whole.
//! - [`sweep`]: parameter sweeps, shards and merging.
//! - [`advise`]: `ckptsim advise`, a planner's questions answered by simulating variants of the
//!   job (interval, storage bandwidth, catch-up headroom, traffic spike, barrier mode).
//! - [`reproduce`]: `results/` regenerated from `scenarios/` (runs, sweeps and advice).
//! - [`time`], [`ids`], [`units`]: small shared vocabulary (nanosecond time, typed ids,
//!   quantities with units) that every side may import.
//!
//! ## Which way dependencies point
//!
//! No two top-level modules import each other; every arrow below points one way.
//!
//! - Results: `main.rs` → `reproduce` → `advise` → `sweep` and `output` (neither imports the
//!   other; the sweep runner and the run-directory writer both call the charts and the page) →
//!   `report` → `plot` and `summary_table`. Below all of them: `files` (how a file is written),
//!   `layout` (what it is called), `sweep_manifest` (what `sweep.json` holds) and `confidence`
//!   (the statistics the sweep tabulates and the charts draw), which import none of them.
//! - Simulation: `sweep`, `output`, `advise` → `run` → `verdict`, `compile` → `scenario` and
//!   `model`; `summary_table` → `verdict` → `metrics`; `model` → `protocol`, `sim`, `metrics`;
//!   `scenario` → `protocol` and `sim` (for the protocol's configuration types and the
//!   distributions a file writes); both `scenario` and `model` → `vocab` and `rate_profile`.
//! - Everything may use `time`, `ids`, `units`, `vocab`. `protocol`, `sim`, `vocab`,
//!   `rate_profile`, `files`, `layout` and `confidence` import nothing above them.
//!
//! Configuration flows one way: scenario file → [`scenario::Scenario`] (parsed, validated) →
//! [`compile::world_config`] → [`model::config::WorldConfig`] → [`model::world::World::new`].
//! Nothing under `model` names `scenario`, and `scenario` names nothing under `model`. The world
//! returns [`metrics::RunOutput`], so `model` does not depend on `run`, which drives it; the
//! metrics hold the verdict's shape, and `verdict` fills it in, so `metrics` names no module
//! above it.
//!
//! ## The ordering contract
//!
//! Time is an integer number of nanoseconds ([`time::SimTime`]). Every event is scheduled with a
//! sequence number taken from one counter at scheduling time, and events run in `(time, seq)`
//! order: two events at the same instant run in the order they were scheduled. Every component
//! draws from its own ChaCha stream derived from the master seed and the component's id, and
//! nothing inside a run iterates a hash map, reads the wall clock or spawns a thread. A run is
//! therefore a pure function of (scenario, seed): same inputs, same bytes out, and the same
//! trace hash (a fold over every processed event, in `summary.json`).

pub mod advise;
pub mod compile;
pub mod confidence;
pub mod fault_spec;
pub mod files;
pub mod ids;
pub mod import;
pub mod layout;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod protocol;
pub mod rate_profile;
pub mod report;
pub mod reproduce;
pub mod run;
pub mod run_progress;
pub mod scenario;
pub mod sim;
pub mod summary_table;
pub mod sweep;
pub mod sweep_manifest;
pub mod time;
pub mod units;
pub mod verdict;
pub mod vocab;
