//! The overhead chart with the Young/Daly optimum, drawn from a real sweep over the checkpoint
//! interval: the optimum marked is sqrt(2 c M) with c fitted to the measured overhead.

mod sweep_support;

use ckptsim::plot::{XY, fit_checkpoint_cost_s, young_daly_optimum_s};
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
    let _ = std::fs::remove_dir_all(&dir);
}
