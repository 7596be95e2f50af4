//! Charts render to PNG and SVG with their text, mark what they promise to mark, and are the same
//! bytes every time they are drawn.

mod sweep_support;

use std::path::{Path, PathBuf};

use ckptsim::metrics::{CheckpointRecord, TimelineSample};
use ckptsim::plot::{
    Comparison, ComparisonPanel, MetricChart, Series, XY, plot_checkpoint_timeline, plot_comparison, plot_metric,
    plot_recovery_timeline, plot_run_dir,
};
use sweep_support::*;

/// The red of FAILED checkpoints and failure markers.
const FAILED_RGB: [u8; 3] = [214, 39, 40];

struct Png {
    width: u32,
    height: u32,
    rgb: Vec<[u8; 3]>,
}

fn decode_png(path: &Path) -> Png {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("open png"));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    Png {
        width: info.width,
        height: info.height,
        rgb,
    }
}

/// Checks both files of a chart: the PNG decodes, has the chart's size and is mostly, but not
/// only, background; the SVG holds every expected text.
fn check_chart(files: &[PathBuf], texts: &[&str]) -> Png {
    assert_eq!(files.len(), 2, "{files:?}");
    let png_path = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("a png");
    let svg_path = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "svg"))
        .expect("an svg");
    let png = decode_png(png_path);
    assert!(png.width >= 800 && png.height >= 500, "{}x{}", png.width, png.height);
    assert_eq!(png.rgb.len(), (png.width * png.height) as usize);
    let ink = png.rgb.iter().filter(|p| **p != [255, 255, 255]).count();
    let share = ink as f64 / png.rgb.len() as f64;
    assert!(
        share > 0.01 && share < 0.9,
        "{}: {:.3} of the pixels are not background",
        png_path.display(),
        share
    );
    let svg = std::fs::read_to_string(svg_path).expect("read svg");
    assert!(svg.starts_with("<svg"), "not an svg");
    for t in texts {
        assert!(svg.contains(t), "{} lacks the text `{t}`", svg_path.display());
    }
    png
}

fn has_failed_red(png: &Png) -> bool {
    png.rgb.contains(&FAILED_RGB)
}

fn record(id: u64, status: &str, trigger_ms: f64, e2e: f64) -> CheckpointRecord {
    CheckpointRecord {
        id,
        status: status.into(),
        checkpoint_type: "CHECKPOINT".into(),
        trigger_timestamp: trigger_ms,
        latest_ack_timestamp: Some(trigger_ms + e2e),
        end_to_end_duration: Some(e2e),
        state_size: 1 << 20,
        checkpointed_size: 1 << 20,
        processed_data: 0,
        persisted_data: 0,
        num_subtasks: 4,
        num_acknowledged_subtasks: if status == "COMPLETED" { 4 } else { 2 },
        max_start_delay: e2e * 0.2,
        max_alignment_duration: e2e * 0.3,
        max_sync_duration: e2e * 0.05,
        max_async_duration: e2e * 0.4,
        failure_timestamp: (status == "FAILED").then_some(trigger_ms + e2e),
        failure_reason: (status == "FAILED").then(|| "CHECKPOINT_EXPIRED".into()),
        metadata_write_duration: None,
    }
}

#[test]
fn checkpoint_timeline_shows_phases_and_marks_failed_checkpoints() {
    let dir = fresh_dir("plot-timeline");
    let ok: Vec<CheckpointRecord> = (1..=6)
        .map(|i| record(i, "COMPLETED", i as f64 * 2000.0, 300.0 + 20.0 * i as f64))
        .collect();
    let files = plot_checkpoint_timeline(&ok, "Checkpoints of test", &dir.join("ok")).unwrap();
    let png = check_chart(
        &files,
        &[
            "Checkpoints of test",
            "trigger time (s)",
            "duration (ms)",
            "start delay",
            "alignment",
            "async phase",
            "end-to-end duration",
        ],
    );
    assert!(!has_failed_red(&png), "no checkpoint failed, so nothing is red");
    assert!(!std::fs::read_to_string(&files[1]).unwrap().contains("FAILED"));

    let mut some_failed = ok.clone();
    some_failed[3] = record(4, "FAILED", 8000.0, 900.0);
    let files = plot_checkpoint_timeline(&some_failed, "Checkpoints of test", &dir.join("failed")).unwrap();
    let png = check_chart(&files, &["FAILED"]);
    assert!(has_failed_red(&png), "a failed checkpoint is marked in red");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn metric_chart_draws_one_line_per_series_with_confidence_bands() {
    let dir = fresh_dir("plot-metric");
    let series = |label: &str, k: f64| {
        Series::measured(
            label,
            (1..=5)
                .map(|i| XY {
                    x: i as f64,
                    y: k * i as f64,
                    ci: Some(0.5),
                })
                .collect(),
        )
    };
    let chart = MetricChart {
        title: "end_to_end_duration.avg vs checkpoint.interval".into(),
        x_label: "checkpoint.interval (s)".into(),
        y_label: "end_to_end_duration.avg (ms)".into(),
        series: vec![series("parallelism=2", 1.0), series("parallelism=4", 2.0)],
        x_categories: None,
    };
    let files = plot_metric(&chart, &dir.join("metric")).unwrap();
    check_chart(
        &files,
        &[
            "end_to_end_duration.avg vs checkpoint.interval",
            "checkpoint.interval (s)",
            "parallelism=2",
            "parallelism=4",
        ],
    );
    // The band is a filled polygon per series in the SVG.
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.matches("<polygon").count() >= 2, "two confidence bands");
    // The legend has a column of its own right of the plot's 1000 pixels: it hides no point.
    let label_x: f64 = svg
        .split("<text ")
        .find(|t| t.contains("\nparallelism=4\n"))
        .and_then(|t| t.strip_prefix("x=\""))
        .and_then(|t| t.split('"').next())
        .and_then(|x| x.parse().ok())
        .expect("the legend names the series");
    assert!(label_x >= 1000.0, "legend label at x = {label_x}, inside the plot");

    // Values that are names, not quantities, are categories on the x axis.
    let chart = MetricChart {
        x_categories: Some(vec!["hdfs".into(), "s3".into()]),
        series: vec![Series::measured("", vec![XY::new(0.0, 3.0), XY::new(1.0, 5.0)])],
        ..chart
    };
    let files = plot_metric(&chart, &dir.join("categories")).unwrap();
    check_chart(&files, &["hdfs", "s3"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn comparison_chart_has_both_configurations_in_every_panel() {
    let dir = fresh_dir("plot-comparison");
    let line = |k: f64| {
        (1..=4)
            .map(|i| XY {
                x: i as f64 * 10.0,
                y: k * i as f64,
                ci: Some(0.2),
            })
            .collect::<Vec<_>>()
    };
    let c = Comparison {
        title: "Aligned vs unaligned under backpressure".into(),
        x_label: "source rate (records/s)".into(),
        labels: ["aligned".into(), "unaligned".into()],
        panels: vec![
            ComparisonPanel {
                y_label: "checkpoint duration (ms)".into(),
                series: [line(50.0), line(5.0)],
                y_limits: (0.0, f64::INFINITY),
            },
            ComparisonPanel {
                y_label: "persisted data (MB)".into(),
                series: [line(0.0), line(3.0)],
                y_limits: (0.0, f64::INFINITY),
            },
        ],
    };
    let files = plot_comparison(&c, &dir.join("cmp")).unwrap();
    check_chart(
        &files,
        &[
            "Aligned vs unaligned under backpressure",
            "source rate (records/s)",
            "checkpoint duration (ms)",
            "persisted data (MB)",
        ],
    );
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    // plotters writes each text on a line of its own.
    assert_eq!(svg.matches("\nunaligned\n").count(), 2, "a legend entry per panel");
    let _ = std::fs::remove_dir_all(&dir);
}

fn timeline() -> Vec<TimelineSample> {
    (0..30)
        .map(|t| {
            let down = (10..14).contains(&t);
            TimelineSample {
                time_s: t as f64,
                source_records_per_second: if down {
                    0.0
                } else if (14..20).contains(&t) {
                    3000.0
                } else {
                    1000.0
                },
                sink_records_per_second: if down { 0.0 } else { 1000.0 },
                input_lag_ms: if down { 1000.0 * (t - 9) as f64 } else { 0.0 },
                in_flight_bytes: 100_000 + 1000 * t,
            }
        })
        .collect()
}

#[test]
fn recovery_timeline_marks_failures() {
    let dir = fresh_dir("plot-recovery");
    let files = plot_recovery_timeline("Recovery of test", &timeline(), &[10.0], &dir.join("with")).unwrap();
    let png = check_chart(
        &files,
        &[
            "Recovery of test",
            "time (s)",
            "records/s",
            "input lag (ms)",
            "in flight (MB)",
            "failure",
            "source records/s",
        ],
    );
    assert!(has_failed_red(&png), "the failure marker is drawn");
    let files = plot_recovery_timeline("Recovery of test", &timeline(), &[], &dir.join("without")).unwrap();
    let png = check_chart(&files, &["Recovery of test"]);
    assert!(!has_failed_red(&png), "no failure, no marker");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn charts_are_the_same_bytes_every_time() {
    let dir = fresh_dir("plot-repeat");
    let records: Vec<CheckpointRecord> = (1..=5)
        .map(|i| record(i, "COMPLETED", i as f64 * 1000.0, 100.0 * i as f64))
        .collect();
    let a = plot_checkpoint_timeline(&records, "repeat", &dir.join("a")).unwrap();
    let b = plot_checkpoint_timeline(&records, "repeat", &dir.join("b")).unwrap();
    let c = plot_recovery_timeline("repeat", &timeline(), &[10.0], &dir.join("c")).unwrap();
    let d = plot_recovery_timeline("repeat", &timeline(), &[10.0], &dir.join("d")).unwrap();
    for (x, y) in a.iter().zip(&b).chain(c.iter().zip(&d)) {
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{} vs {}",
            x.display(),
            y.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_real_run_directory_gets_its_timelines() {
    let dir = fresh_dir("plot-run");
    let scenario = ckptsim::scenario::parse_str(BASE, "base.toml").unwrap().scenario;
    let out = ckptsim::run::run_labelled(&scenario, 5, "base");
    assert!(!out.checkpoints.is_empty() && !out.timeline.is_empty());
    let run_dir = dir.join("base");
    ckptsim::output::write_run(&run_dir, &out).unwrap();
    let files = plot_run_dir(&run_dir).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["checkpoints.png", "checkpoints.svg", "timeline.png", "timeline.svg"]
    );
    check_chart(&files[..2], &["Checkpoints — base", "trigger time (s)"]);
    check_chart(&files[2..], &["Job timeline — base", "records/s"]);

    // A directory with nothing to draw is an error that says so, not a panic.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let err = plot_run_dir(&empty).unwrap_err();
    assert!(err.to_string().contains("nothing to plot"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
