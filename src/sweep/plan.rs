//! From a scenario file with a `[sweep]` table to a validated plan: every point is built and
//! validated before any run starts, so a bad value fails the sweep at once, naming the point and
//! the assignment, instead of after hours of runs.

use super::error::SweepError;
use super::expand::{Point, expand};
use super::fingerprint::sweep_fingerprint;
use super::seeds::replication_seed;
use super::spec::SweepSpec;
use super::value::{numeric_values, render_value};
use crate::scenario::limits::human_bytes;
use crate::scenario::{LoadedScenario, Scenario};
use crate::sweep_manifest::{FORMAT, Manifest, NumericInfo, ParameterInfo, PointInfo};

/// What the plan keeps per point beyond the scenario text: the validated `Scenario`, its
/// overrides and manifest entry (measured at a few KiB for the bundled sweeps, rounded up).
const POINT_FIXED_BYTES: f64 = 8192.0;

/// Every point is built and kept before the first run: up to a million of them. The plan's
/// memory is checked against the same limit as a run's, before anything is expanded.
fn check_plan_memory(loaded: &LoadedScenario, spec: &SweepSpec) -> Result<(), SweepError> {
    // A point's table is a copy of the scenario's with the overrides applied: about the size of
    // the scenario's canonical text, several times over while it is turned into a `Scenario`.
    let text_bytes = toml::to_string(&loaded.table).map(|t| t.len()).unwrap_or(0) as f64;
    let bytes = spec.point_count() as f64 * (POINT_FIXED_BYTES + 4.0 * text_bytes);
    let limit = loaded.limits.memory_bytes_max as f64;
    if bytes.is_nan() || bytes > limit {
        return Err(SweepError::spec(
            &loaded.file,
            None,
            format!(
                "the plan of {} points would need about {} of memory, above the limit of {} (raise it with \
                 --limit-memory, or sweep fewer values)",
                spec.point_count(),
                human_bytes(bytes),
                human_bytes(limit)
            ),
        ));
    }
    Ok(())
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub spec: SweepSpec,
    pub points: Vec<Point>,
    /// The scenario of each point, validated.
    pub scenarios: Vec<Scenario>,
    pub manifest: Manifest,
}

/// `label` names the scenario in run summaries (usually the file's stem).
pub fn plan(loaded: &LoadedScenario, label: &str) -> Result<Plan, SweepError> {
    let spec = SweepSpec::from_loaded(loaded)?;
    check_plan_memory(loaded, &spec)?;
    let points = expand(&spec);
    let scenarios = points
        .iter()
        .map(|p| {
            loaded.with_overrides(&p.overrides).map_err(|cause| SweepError::Point {
                point: p.index,
                assignments: p.assignments(),
                cause: Box::new(cause),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let parameters = spec
        .parameters
        .iter()
        .map(|p| ParameterInfo {
            path: p.path.clone(),
            values: p.values.iter().map(render_value).collect(),
            numeric: numeric_values(&p.values).map(|(kind, values)| NumericInfo { kind, values }),
        })
        .collect();
    let point_infos = points
        .iter()
        .zip(&scenarios)
        .map(|(p, sc)| PointInfo {
            index: p.index,
            value_indices: p.value_indices.clone(),
            seeds: (0..spec.replications)
                .map(|r| replication_seed(sc.simulation.seed, r))
                .collect(),
        })
        .collect();
    let manifest = Manifest {
        format: FORMAT,
        fingerprint: sweep_fingerprint(&loaded.table, label),
        ckptsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: label.to_string(),
        mode: spec.mode,
        replications: spec.replications,
        parameters,
        points: point_infos,
        plot: spec.plot.clone(),
    };
    Ok(Plan {
        spec,
        points,
        scenarios,
        manifest,
    })
}
