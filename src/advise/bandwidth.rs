//! How much storage bandwidth keeps the p99 checkpoint duration under a share of the interval?
//!
//! The storage's bandwidth (the aggregate `storage.bandwidth` and the per-upload cap
//! `storage.per_request_bandwidth`, scaled together: what a faster storage delivers) is scaled
//! from 1/16 to 16 times the scenario's, in factors of 2, then refined between the two factors
//! that bracket the target in factors of 2^(1/4). Each run covers 12 intervals after the
//! warm-up. If even 16 times the bandwidth misses the target, bandwidth is not what limits the
//! checkpoint: the answer says which phase does.

use serde::Serialize;

use super::baseline::Baseline;
use super::variants::{Runner, Variant, dur};
use super::{AdviseError, human_ms};
use crate::metrics::RunOutput;

#[derive(Clone, Debug, Serialize)]
pub struct BandwidthPoint {
    pub bandwidth_bytes_per_s: f64,
    pub per_request_bytes_per_s: f64,
    pub p99_ms: f64,
    pub failed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BandwidthAnswer {
    pub target_share: f64,
    pub target_ms: f64,
    pub current_bytes_per_s: f64,
    pub needed_bytes_per_s: Option<f64>,
    pub points: Vec<BandwidthPoint>,
    pub sentence: String,
}

pub fn answer(r: &Runner, base: &Baseline, target_share: f64) -> Result<BandwidthAnswer, AdviseError> {
    let interval = base
        .interval_ms()
        .ok_or_else(|| AdviseError::Question("storage bandwidth: the scenario takes no periodic checkpoints".into()))?;
    let target_ms = target_share * interval;
    let profile = crate::model::storage::StorageProfile::named(&base.scenario.storage.profile)
        .ok_or_else(|| AdviseError::Question(format!("unknown storage profile `{}`", base.scenario.storage.profile)))?;
    let bw0 = base
        .scenario
        .storage
        .bandwidth
        .as_ref()
        .map_or(profile.bandwidth_bytes_per_s, |b| b.value);
    let per0 = base
        .scenario
        .storage
        .per_request_bandwidth
        .as_ref()
        .map_or(profile.per_request_bandwidth_bytes_per_s, |b| b.value);
    let end_ns = base.warmup_ns() + 13.0 * interval * 1e6;
    let run = |factors: &[f64]| -> Result<Vec<BandwidthPoint>, AdviseError> {
        let vs: Vec<Variant> = factors
            .iter()
            .map(|f| {
                Variant::new(base.seed_for(0))
                    .set("storage.bandwidth", format!("\"{}B/s\"", (bw0 * f).round()))
                    .set(
                        "storage.per_request_bandwidth",
                        format!("\"{}B/s\"", (per0 * f).round()),
                    )
                    .set("simulation.duration", dur(end_ns))
            })
            .collect();
        Ok(r.run_all(&vs)?
            .iter()
            .zip(factors)
            .map(|(o, f)| point(o, bw0 * f, per0 * f))
            .collect())
    };
    let coarse: Vec<f64> = (-4..=4).map(|k| 2f64.powi(k)).collect();
    let mut points = run(&coarse)?;
    let meets = |p: &BandwidthPoint| p.failed == 0 && p.p99_ms <= target_ms;
    if let Some(i) = points.iter().position(meets)
        && i > 0
    {
        let lo = coarse[i - 1];
        let fine: Vec<f64> = (1..4).map(|k| lo * 2f64.powf(k as f64 / 4.0)).collect();
        points.extend(run(&fine)?);
        points.sort_by(|a, b| a.bandwidth_bytes_per_s.total_cmp(&b.bandwidth_bytes_per_s));
    }
    let needed = points.iter().find(|p| meets(p)).map(|p| p.bandwidth_bytes_per_s);
    let sentence = match needed {
        Some(bw) => format!(
            "To keep p99 checkpoint duration under {:.0} % of the {} interval ({}), the storage must deliver about \
             {} in aggregate ({} per upload); the scenario has {}{}.",
            target_share * 100.0,
            human_ms(interval),
            human_ms(target_ms),
            mb(bw),
            mb(bw / bw0 * per0),
            mb(bw0),
            if bw <= bw0 { ": enough" } else { ": too little" }
        ),
        None => {
            let fastest = points.last().expect("nine runs");
            format!(
                "Even at 16x the storage bandwidth ({}), p99 checkpoint duration is {} against a target of {} ({:.0} \
                 % of the interval): storage bandwidth is not what limits it. {}{}",
                mb(fastest.bandwidth_bytes_per_s),
                human_ms(fastest.p99_ms),
                human_ms(target_ms),
                target_share * 100.0,
                limiting_phase(&base.out),
                nic_note(base)
            )
        }
    };
    Ok(BandwidthAnswer {
        target_share,
        target_ms,
        current_bytes_per_s: bw0,
        needed_bytes_per_s: needed,
        points,
        sentence,
    })
}

fn point(o: &RunOutput, bw: f64, per: f64) -> BandwidthPoint {
    let s = &o.summary;
    BandwidthPoint {
        bandwidth_bytes_per_s: bw,
        per_request_bytes_per_s: per,
        p99_ms: s
            .summary
            .get("end_to_end_duration")
            .filter(|e| e.count > 0)
            .map_or(f64::INFINITY, |e| e.p99),
        failed: s.counts.failed,
    }
}

/// The TaskManagers' NICs are not scaled with the storage: when they are limited, they may be
/// what holds the uploads back.
fn nic_note(base: &Baseline) -> String {
    match &base.scenario.cluster.nic_bandwidth {
        Some(nic) => format!(
            " Each TaskManager's NIC ({}, `cluster.nic_bandwidth`) was not scaled: if the uploads are the longest \
             phase, the NICs may be their limit (more TaskManagers spread them over more NICs).",
            mb(nic.value)
        ),
        None => String::new(),
    }
}

/// The phase with the largest p99 among the subtasks' acknowledgements.
fn limiting_phase(o: &RunOutput) -> String {
    let phases = ["start_delay", "alignment_duration", "sync_duration", "async_duration"];
    let worst = phases
        .iter()
        .filter_map(|p| o.summary.summary.get(*p).map(|s| (*p, s.p99)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match worst {
        Some((p, v)) => format!("The longest phase is {p} (p99 {}).", human_ms(v)),
        None => String::new(),
    }
}

pub fn mb(bytes_per_s: f64) -> String {
    if bytes_per_s >= 1e9 {
        format!("{:.2} GB/s", bytes_per_s / 1e9)
    } else {
        format!("{:.0} MB/s", bytes_per_s / 1e6)
    }
}
