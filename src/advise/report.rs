//! The advice on disk: `advice.json` (every answer with its evidence), the charts under
//! `plots/`, and `report.html`, one page with the answers first. Written into a staging
//! directory and put in place at once, as a run directory is; a directory that holds anything
//! else is not replaced.

use std::path::{Path, PathBuf};

use super::{Advice, AdviseError, human_ms};
use crate::files::write_json;
use crate::layout::{PLOTS_DIR, REPORT_HTML};
use crate::output::{OutputError, Replace, publish_dir};
use crate::report::{Block, Report, Section, write_report};

pub const ADVICE_JSON: &str = "advice.json";

/// Refuses a directory that is not an advice directory written before.
fn check_replaceable(dir: &Path) -> Result<(), OutputError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_str().unwrap_or("");
        if ![ADVICE_JSON, REPORT_HTML, PLOTS_DIR].contains(&name) {
            return Err(OutputError::ForeignDir {
                dir: dir.to_path_buf(),
                entry: e.path(),
            });
        }
    }
    Ok(())
}

pub fn write_advice_dir(dir: &Path, advice: &Advice, plots: bool) -> Result<Vec<PathBuf>, AdviseError> {
    check_replaceable(dir)?;
    publish_dir(dir, Replace::Anything, |staging| -> Result<Vec<PathBuf>, AdviseError> {
        let json = staging.join(ADVICE_JSON);
        write_json(&json, advice)?;
        let mut files = vec![json];
        let mut charts = Vec::new();
        if plots {
            let p = staging.join(PLOTS_DIR);
            std::fs::create_dir_all(&p).map_err(|cause| OutputError::Io { path: p.clone(), cause })?;
            charts = super::charts::draw(advice, &p)?;
            files.extend(charts.iter().cloned());
        }
        files.push(write_report(&staging.join(REPORT_HTML), &page(advice, &charts)?)?);
        Ok(files)
    })
}

fn png(charts: &[PathBuf], stem: &str) -> Result<Option<Vec<u8>>, AdviseError> {
    let Some(p) = charts
        .iter()
        .find(|p| p.file_name().and_then(|n| n.to_str()) == Some(&format!("{stem}.png")))
    else {
        return Ok(None);
    };
    Ok(Some(
        std::fs::read(p).map_err(|cause| OutputError::Io { path: p.clone(), cause })?,
    ))
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        class: "summary".into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

fn pct(x: f64) -> String {
    format!("{:.3} %", x * 100.0)
}

fn page(a: &Advice, charts: &[PathBuf]) -> Result<Report, AdviseError> {
    let mut sections = Vec::new();
    let mut section = |id: &str, heading: &str, sentence: &str, how: &str, t: Block, chart: Option<(&str, &str)>| {
        let mut blocks = vec![
            Block::Paragraph(sentence.to_string()),
            Block::Paragraph(how.to_string()),
            t,
        ];
        if let Some((stem, caption)) = chart
            && let Ok(Some(png)) = png(charts, stem)
        {
            blocks.push(Block::Chart {
                caption: caption.to_string(),
                png,
            });
        }
        sections.push(Section {
            id: id.into(),
            heading: heading.into(),
            blocks,
        });
    };
    if let Some(i) = &a.interval {
        section(
            "interval",
            "Checkpoint interval",
            &i.sentence,
            &format!(
                "Each candidate was run failing once at 1/6, 1/2 and 5/6 of an interval; the time from the fault to \
                 live output, over the job's MTBF ({}), is the share lost to failures. Once more without failure, \
                 to measure what a checkpoint blocks the bottleneck operator (synchronous phase and alignment), \
                 a share of max(interval, p50 duration {}).",
                human_ms(i.failure.job_mtbf_s * 1e3),
                human_ms(i.checkpoint_p50_ms)
            ),
            table(
                &[
                    "interval",
                    "blocked per checkpoint",
                    "fault to live output per phase",
                    "to checkpoints",
                    "to failures",
                    "total",
                ],
                i.points
                    .iter()
                    .map(|p| {
                        vec![
                            human_ms(p.interval_ms),
                            human_ms(p.blocked_ms_per_checkpoint),
                            p.stale_ms.iter().map(|s| human_ms(*s)).collect::<Vec<_>>().join(", "),
                            pct(p.checkpoint_share),
                            pct(p.failure_share),
                            pct(p.total_share),
                        ]
                    })
                    .collect(),
            ),
            Some((
                "advice_interval",
                "Time lost against the interval: total, and its two parts.",
            )),
        );
    }
    if let Some(v) = &a.verification {
        section(
            "verification",
            "The advised interval, checked",
            &v.sentence,
            "Independent of the search: long runs with failures at random, seeds the search never used, and the \
             cost measured in each run directly.",
            table(
                &["interval", "runs", "failures", "time lost (mean)", "95 % CI ±"],
                v.intervals
                    .iter()
                    .map(|i| {
                        vec![
                            human_ms(i.interval_ms),
                            i.costs.len().to_string(),
                            i.failures.to_string(),
                            pct(i.mean),
                            pct(i.ci95),
                        ]
                    })
                    .collect(),
            ),
            None,
        );
    }
    if let Some(b) = &a.bandwidth {
        section(
            "bandwidth",
            "Storage bandwidth",
            &b.sentence,
            "The storage's aggregate and per-upload bandwidth scaled together from 1/16 to 16 times the scenario's, \
             refined around the target; 12 intervals each.",
            table(
                &["aggregate", "per upload", "p99 duration", "failed"],
                b.points
                    .iter()
                    .map(|p| {
                        vec![
                            super::bandwidth::mb(p.bandwidth_bytes_per_s),
                            super::bandwidth::mb(p.per_request_bytes_per_s),
                            human_ms(p.p99_ms),
                            p.failed.to_string(),
                        ]
                    })
                    .collect(),
            ),
            Some((
                "advice_bandwidth",
                "p99 checkpoint duration against storage bandwidth, with the target.",
            )),
        );
    }
    if let Some(c) = &a.catch_up {
        section(
            "catch-up",
            "Spare throughput to catch up",
            &c.sentence,
            "Every source's rate scaled; one failure half an interval after a checkpoint; the time from the fault to \
             live output measured.",
            table(
                &["input (x today)", "spare throughput", "fault to live output"],
                c.points
                    .iter()
                    .map(|p| {
                        vec![
                            format!("{:.2}", p.input_factor),
                            format!("{:.0} %", p.spare_throughput * 100.0),
                            if p.censored {
                                format!("> {}", human_ms(p.back_live_ms))
                            } else {
                                human_ms(p.back_live_ms)
                            },
                        ]
                    })
                    .collect(),
            ),
            Some((
                "advice_catch_up",
                "Time from a failure to live output against the input rate, with the target.",
            )),
        );
    }
    if let Some(s) = &a.spike {
        section(
            "spike",
            "Traffic spike",
            &s.sentence,
            "Every source's rate stepped up for the spike (rate.profile); checkpoints triggered from the spike on.",
            table(
                &[
                    "run",
                    "Flink configuration",
                    "completed",
                    "failed",
                    "expired",
                    "p99",
                    "longest",
                    "max lag",
                ],
                s.runs
                    .iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.flink.clone(),
                            r.completed.to_string(),
                            r.failed.to_string(),
                            r.expired.to_string(),
                            human_ms(r.p99_ms),
                            human_ms(r.max_ms),
                            human_ms(r.lag_max_ms),
                        ]
                    })
                    .collect(),
            ),
            Some((
                "advice_spike",
                "Checkpoints from the spike on, as configured and with each fix.",
            )),
        );
    }
    if let Some(m) = &a.mode {
        section(
            "mode",
            "Barrier mode",
            &m.sentence,
            "Each mode run as written and once more failing halfway through, half an interval after a checkpoint.",
            table(
                &[
                    "mode",
                    "completed",
                    "failed",
                    "p50",
                    "p99",
                    "persisted p99 (B)",
                    "restore",
                    "fault to live output",
                ],
                m.points
                    .iter()
                    .map(|p| {
                        vec![
                            p.mode.clone(),
                            p.completed.to_string(),
                            p.failed.to_string(),
                            human_ms(p.p50_ms),
                            human_ms(p.p99_ms),
                            format!("{:.0}", p.persisted_p99_bytes),
                            p.restore_ms.map_or("-".into(), human_ms),
                            match (p.back_live_ms, p.back_live_censored) {
                                (None, _) => "-".into(),
                                (Some(b), true) => format!("> {} (run ended)", human_ms(b)),
                                (Some(b), false) => human_ms(b),
                            },
                        ]
                    })
                    .collect(),
            ),
            Some(("advice_mode", "Checkpoint duration and recovery per barrier mode.")),
        );
    }
    if let Some(g) = &a.aging {
        section(
            "aging",
            "RocksDB checkpoints as the job ages",
            &g.sentence,
            "The scenario with its RocksDB instances open for 0 s to 90 days when the run starts \
             (state_backend.instance_age); 12 intervals each.",
            table(
                &[
                    "uptime",
                    "p50 duration",
                    "p99 duration",
                    "average checkpointed size",
                    "failed",
                ],
                g.points
                    .iter()
                    .map(|p| {
                        vec![
                            format!("{:.0} d", p.age_days),
                            human_ms(p.p50_ms),
                            human_ms(p.p99_ms),
                            format!("{:.1} MB", p.checkpointed_avg_bytes / 1e6),
                            p.failed.to_string(),
                        ]
                    })
                    .collect(),
            ),
            Some((
                "advice_aging",
                "Checkpoint duration and upload against the RocksDB instances' uptime, with the target.",
            )),
        );
    }
    if let Some(c) = &a.cores {
        section(
            "cores",
            "Cores per TaskManager",
            &c.sentence,
            "The TaskManagers' cores (taskmanager.cpu.cores) set to 1/4 to 4 times the scenario's, in quarter cores, \
             refined in quarter cores below the first count that meets the target; 13 intervals (at least 30 s) \
             each, on one seed. Met: the job keeps up with its input, 25 % spare throughput, no failed checkpoint.",
            table(
                &[
                    "cores per TaskManager",
                    "keeps up",
                    "busiest subtask busy",
                    "of it waiting for a core",
                    "spare throughput",
                    "p99 duration",
                    "failed",
                ],
                c.points
                    .iter()
                    .map(|p| {
                        vec![
                            format!("{}", p.cores_per_taskmanager),
                            if p.keeps_up { "yes" } else { "no" }.to_string(),
                            format!("{:.0} %", p.busy_ratio * 100.0),
                            format!("{:.0} %", p.waiting_for_cores_share * 100.0),
                            format!("{:.0} %", p.spare() * 100.0),
                            human_ms(p.p99_ms),
                            p.failed.to_string(),
                        ]
                    })
                    .collect(),
            ),
            Some((
                "advice_cores",
                "The busiest subtask's busy time, and the part of it waiting for a core, against the cores per \
                 TaskManager.",
            )),
        );
    }
    let mut verdict: Vec<String> = a.sentences().iter().map(|(q, s)| format!("{q}: {s}")).collect();
    verdict.extend(
        a.verdict
            .iter()
            .map(|f| format!("as written, {}: {}", f.status.label(), f.text)),
    );
    Ok(Report {
        title: format!("Advice — {}", a.scenario),
        verdict,
        sections,
    })
}
