//! Colours, fonts sizes and axis helpers shared by the charts.

use plotters::style::RGBColor;

/// A colour-blind-friendly qualitative palette (Tableau 10), cycled for series.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub const FAILED: RGBColor = RGBColor(214, 39, 40);
pub const MARKER: RGBColor = RGBColor(90, 90, 90);

pub const CAPTION_PX: u32 = 24;
pub const PANEL_CAPTION_PX: u32 = 18;
pub const LABEL_PX: u32 = 14;
pub const DESC_PX: u32 = 16;

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// An axis range that contains all finite `values`, padded by 5 % of the span, never empty.
/// Largest magnitude an axis spans. Beyond it the span `hi - lo` or its padding overflows to
/// infinity, and plotters then looks for tick marks forever; values beyond are drawn at the edge.
pub const AXIS_ABS_MAX: f64 = 1e300;

pub fn padded_range(values: impl IntoIterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .into_iter()
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-AXIS_ABS_MAX, AXIS_ABS_MAX))
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        if include_zero && hi == 0.0 {
            return (0.0, 1.0);
        }
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    let lo = if include_zero && lo >= 0.0 { lo } else { lo - pad };
    (lo, hi + pad)
}

/// Tick labels: plain for everyday magnitudes, scientific otherwise, no trailing zeros.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e6).contains(&a) {
        return format!("{v:.2e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_padded_and_never_empty() {
        assert_eq!(padded_range([], false), (0.0, 1.0));
        assert_eq!(padded_range([f64::NAN], false), (0.0, 1.0));
        let (lo, hi) = padded_range([5.0, 5.0], false);
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(padded_range([1.0, 11.0], true), (0.0, 11.55));
        assert_eq!(padded_range([0.0, 0.0], true), (0.0, 1.0));
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(1e7), "1.00e7");
        assert_eq!(tick(100.0), "100");
    }

    #[test]
    fn extreme_values_give_a_finite_range() {
        for values in [
            vec![-1e308, 1e308],
            vec![f64::MAX, -f64::MAX],
            vec![1e308, 1e308],
            vec![-1e308],
        ] {
            for zero in [false, true] {
                let (lo, hi) = padded_range(values.iter().copied(), zero);
                assert!(
                    lo.is_finite() && hi.is_finite() && (hi - lo).is_finite() && hi > lo,
                    "{values:?}: {lo} {hi}"
                );
            }
        }
    }
}
