//! The overhead chart with the Young/Daly optimum, drawn from a real sweep over the checkpoint
//! interval: the optimum marked is sqrt(2 c M) with c fitted to the measured overhead.

mod sweep_support;

use ckptsim::plot::{PlotOptions, XY, fit_checkpoint_cost_s, plot_sweep_dir_with, young_daly_optimum_s};
use ckptsim::sweep::{SweepOptions, sweep_file};
use sweep_support::*;

#[test]
fn young_daly_chart_from_a_real_interval_sweep() {
    let dir = fresh_dir("young-daly");
    let sweep = r#"
[sweep]
replications = 2
[sweep.parameters]
"checkpoint.interval" = ["250ms", "500ms", "1s", "2s"]
[sweep.plot]
mtbf = "10min"
"#;
    let scenario = write_file(&dir, "interval.toml", &format!("{BASE}{sweep}"));
    let out = dir.join("out");
    let report = sweep_file(
        &scenario,
        &out,
        &SweepOptions {
            threads: Some(2),
            plots: true,
            ..SweepOptions::default()
        },
    )
    .unwrap();
    assert!(report.complete);

    // The overhead measured by the simulator falls with the interval.
    let points = csv_rows(&out.join("points.csv"));
    let (x, y) = (
        column(&points, "checkpoint.interval_s"),
        column(&points, "checkpoint_time_fraction.mean"),
    );
    let data: Vec<XY> = points[1..]
        .iter()
        .map(|r| XY::new(r[x].parse().unwrap(), r[y].parse().unwrap()))
        .collect();
    assert!(
        data.windows(2).all(|w| w[1].y < w[0].y),
        "overhead falls as the interval grows: {data:?}"
    );

    let c = fit_checkpoint_cost_s(&data).expect("overhead was measured");
    let t_opt = young_daly_optimum_s(c, 600.0);
    let svg = std::fs::read_to_string(out.join("plots/young_daly.svg")).expect("young_daly.svg drawn");
    for text in [
        "Young/Daly √(2cM) = ".to_string(),
        format!("{t_opt:.3} s"),
        format!("c = {c:.3} s fitted"),
        "M = 600 s".to_string(),
        "checkpoint interval T (s)".to_string(),
        "checkpoint_time_fraction".to_string(),
    ] {
        assert!(svg.contains(&text), "young_daly.svg lacks `{text}`");
    }
    assert!(out.join("plots/young_daly.png").is_file());
    assert!(
        svg.contains("simulated minimum, T = "),
        "the simulated minimum is marked"
    );
    // Two replications: too few for a 95 % band, so none is drawn.
    assert!(!svg.contains("<polygon"), "no band from two replications");

    // Redrawn with other settings, without running anything: only the charts asked for remain.
    let runs_before = std::fs::read(out.join("runs.csv")).unwrap();
    let options = PlotOptions {
        metrics: vec!["summary.end_to_end_duration.p99".into()],
        ..PlotOptions::default()
    };
    plot_sweep_dir_with(&out, &options).unwrap();
    let mut charts: Vec<String> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    charts.sort();
    assert_eq!(
        charts,
        [
            "summary.end_to_end_duration.p99.png",
            "summary.end_to_end_duration.p99.svg",
            "young_daly.png",
            "young_daly.svg"
        ]
    );
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), runs_before);
    let bad = PlotOptions {
        x: Some("storage.bandwidth".into()),
        ..PlotOptions::default()
    };
    let err = plot_sweep_dir_with(&out, &bad).unwrap_err().to_string();
    assert!(err.contains("not a swept parameter"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
