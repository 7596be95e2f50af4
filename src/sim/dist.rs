//! Distributions for latencies, service times and sizes.
//!
//! Values are `f64` in base units (nanoseconds or bytes) and become integers only at sampling.
//! In a scenario file a distribution is either a scalar (a constant: `"2ms"`) or a table naming
//! the family:
//!
//! ```toml
//! service_time = "2ms"                                              # constant
//! service_time = { dist = "uniform", min = "1ms", max = "3ms" }
//! service_time = { dist = "exponential", mean = "2ms" }
//! service_time = { dist = "normal", mean = "2ms", std_dev = "0.5ms" }   # clamped at 0
//! service_time = { dist = "lognormal", median = "2ms", sigma = 0.5 }
//! service_time = { dist = "pareto", scale = "1ms", shape = 1.5 }        # heavy tail, min = scale
//! service_time = { dist = "empirical", samples = ["1ms", "2ms", "9ms"] }
//! service_time = { dist = "empirical", percentiles = [[0.0, "1ms"], [0.5, "2ms"], [0.99, "20ms"], [1.0, "50ms"]] }
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::sim::rng::Uniform01;
use crate::units::{self, UnitKind};

#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Constant(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Exponential {
        mean: f64,
    },
    /// Normal clamped at zero (a latency is never negative).
    Normal {
        mean: f64,
        std_dev: f64,
    },
    /// `exp(N(ln median, sigma))`.
    LogNormal {
        median: f64,
        sigma: f64,
    },
    /// Pareto type I: minimum `scale`, tail index `shape`.
    Pareto {
        scale: f64,
        shape: f64,
    },
    /// Draws one of the samples uniformly.
    Samples(Vec<f64>),
    /// Piecewise-linear inverse CDF through `(quantile, value)` points, quantiles from 0 to 1.
    Percentiles(Vec<(f64, f64)>),
    /// The sum of `count` independent draws of `of`: what a bundle of `count` records costs
    /// (`simulation.records_per_bundle`). Never written in a scenario; built by [`Dist::sum_of`].
    Sum {
        count: u32,
        of: Box<Dist>,
    },
}

impl Dist {
    pub fn constant(v: f64) -> Dist {
        Dist::Constant(v)
    }

    /// The sum of `count` independent draws of `d`, in its cheapest exact form: a constant
    /// times `count`, a normal with `count` times the mean and `sqrt(count)` times the
    /// deviation (exact while the clamp at zero does not bite), an exponential as one Erlang
    /// draw, anything else as `count` draws.
    pub fn sum_of(count: u32, d: &Dist) -> Dist {
        let n = count as f64;
        match d {
            _ if count <= 1 => d.clone(),
            Dist::Constant(v) => Dist::Constant(v * n),
            Dist::Normal { mean, std_dev } => Dist::Normal {
                mean: mean * n,
                std_dev: std_dev * n.sqrt(),
            },
            Dist::Sum { count: c, of } => Dist::sum_of(count * c, of),
            _ => Dist::Sum {
                count,
                of: Box::new(d.clone()),
            },
        }
    }

    pub fn is_constant(&self) -> bool {
        matches!(self, Dist::Constant(_))
    }

    /// Always 0 (a cost that is not there: nothing to draw).
    pub fn is_zero(&self) -> bool {
        matches!(self, Dist::Constant(v) if *v == 0.0)
    }

    pub fn sample(&self, u: &mut impl Uniform01) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Uniform { min, max } => min + (max - min) * u.next_f64(),
            Dist::Exponential { mean } => -mean * (1.0 - u.next_f64()).ln(),
            Dist::Normal { mean, std_dev } => (mean + std_dev * standard_normal(u)).max(0.0),
            Dist::LogNormal { median, sigma } => median * (sigma * standard_normal(u)).exp(),
            Dist::Pareto { scale, shape } => scale / (1.0 - u.next_f64()).powf(1.0 / shape),
            Dist::Samples(xs) => xs[((u.next_f64() * xs.len() as f64) as usize).min(xs.len() - 1)],
            Dist::Percentiles(points) => interpolate(points, u.next_f64()),
            Dist::Sum { count, of } => match of.as_ref() {
                Dist::Exponential { mean } => mean * crate::sim::gamma::erlang(*count, u),
                d => (0..*count).map(|_| d.sample(u)).sum(),
            },
        }
    }

    /// Sample rounded to a whole unit (nanoseconds or bytes). A constant, which draws nothing,
    /// is answered here without the call: sources' and sinks' service times are constants, and
    /// every record of theirs comes through here.
    #[inline]
    pub fn sample_u64(&self, u: &mut impl Uniform01) -> u64 {
        if let Dist::Constant(v) = self {
            return crate::time::ns_from_f64(*v);
        }
        crate::time::ns_from_f64(self.sample(u))
    }

    /// The distribution's mean (infinite for a Pareto with shape <= 1).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Exponential { mean } => *mean,
            // Clamping at zero shifts the mean up slightly; ignored for sigma << mean.
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Pareto { scale, shape } => {
                if *shape > 1.0 {
                    shape * scale / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
            Dist::Samples(xs) => xs.iter().sum::<f64>() / xs.len() as f64,
            Dist::Percentiles(points) => points
                .windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
                .sum(),
            Dist::Sum { count, of } => *count as f64 * of.mean(),
        }
    }

    /// A value exceeded by at most one draw in a billion: the largest value a run will meet in
    /// practice. Infinite (or NaN) for a distribution whose tail is too heavy to simulate.
    pub fn upper_tail(&self) -> f64 {
        // ln(1e9): the exponential's and Pareto's one-in-a-billion quantile; 6 standard
        // deviations put a normal's tail at 1e-9.
        const LN_1E9: f64 = 20.723_265_836_946_41;
        const Z_1E9: f64 = 6.0;
        match self {
            Dist::Constant(v) => *v,
            Dist::Uniform { max, .. } => *max,
            Dist::Exponential { mean } => mean * LN_1E9,
            Dist::Normal { mean, std_dev } => mean + Z_1E9 * std_dev,
            Dist::LogNormal { median, sigma } => median * (Z_1E9 * sigma).exp(),
            Dist::Pareto { scale, shape } => scale * (LN_1E9 / shape).exp(),
            Dist::Samples(xs) => xs.iter().copied().fold(0.0, f64::max),
            Dist::Percentiles(points) => points.last().map(|p| p.1).unwrap_or(0.0),
            // Bounds the sum: every draw at the tail at once.
            Dist::Sum { count, of } => *count as f64 * of.upper_tail(),
        }
    }

    /// Multiplies every value (used for "slow TaskManager" factors and unit scaling).
    pub fn scaled(&self, k: f64) -> Dist {
        match self {
            Dist::Constant(v) => Dist::Constant(v * k),
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * k,
                max: max * k,
            },
            Dist::Exponential { mean } => Dist::Exponential { mean: mean * k },
            Dist::Normal { mean, std_dev } => Dist::Normal {
                mean: mean * k,
                std_dev: std_dev * k,
            },
            Dist::LogNormal { median, sigma } => Dist::LogNormal {
                median: median * k,
                sigma: *sigma,
            },
            Dist::Pareto { scale, shape } => Dist::Pareto {
                scale: scale * k,
                shape: *shape,
            },
            Dist::Samples(xs) => Dist::Samples(xs.iter().map(|x| x * k).collect()),
            Dist::Percentiles(p) => Dist::Percentiles(p.iter().map(|(q, v)| (*q, v * k)).collect()),
            Dist::Sum { count, of } => Dist::Sum {
                count: *count,
                of: Box::new(of.scaled(k)),
            },
        }
    }

    fn validate(&self) -> Result<(), String> {
        let nonneg = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("`{name}` must be finite and >= 0, got {v}"))
            }
        };
        let fields = match self {
            Dist::Constant(v) => nonneg("value", *v),
            Dist::Uniform { min, max } => {
                nonneg("min", *min)?;
                nonneg("max", *max)?;
                if min > max {
                    Err(format!("`min` ({min}) is above `max` ({max})"))
                } else {
                    Ok(())
                }
            }
            Dist::Exponential { mean } => nonneg("mean", *mean),
            Dist::Normal { mean, std_dev } => {
                nonneg("mean", *mean)?;
                nonneg("std_dev", *std_dev)
            }
            Dist::LogNormal { median, sigma } => {
                nonneg("median", *median)?;
                nonneg("sigma", *sigma)
            }
            Dist::Pareto { scale, shape } => {
                nonneg("scale", *scale)?;
                if *shape > 0.0 && shape.is_finite() {
                    Ok(())
                } else {
                    Err(format!("`shape` must be > 0, got {shape}"))
                }
            }
            Dist::Samples(xs) => {
                if xs.is_empty() {
                    return Err("`samples` must not be empty".into());
                }
                xs.iter().try_for_each(|x| nonneg("samples", *x))
            }
            Dist::Percentiles(points) => {
                if points.len() < 2 {
                    return Err("`percentiles` needs at least two [quantile, value] points".into());
                }
                if points[0].0 != 0.0 || points[points.len() - 1].0 != 1.0 {
                    return Err("`percentiles` must start at quantile 0.0 and end at 1.0".into());
                }
                for w in points.windows(2) {
                    if w[1].0 <= w[0].0 || w[1].1 < w[0].1 {
                        return Err("`percentiles` quantiles must increase and values must not decrease".into());
                    }
                }
                points.iter().try_for_each(|(_, v)| nonneg("percentiles", *v))
            }
            Dist::Sum { of, .. } => of.validate(),
        };
        fields?;
        // A draw beyond this is not a value but a run that never ends (a task busy for
        // centuries) or a size no buffer holds; `pareto` with a tiny shape or `lognormal` with a
        // huge sigma draw such values routinely while each parameter looks finite.
        let tail = self.upper_tail();
        if tail.is_nan() || tail > VALUE_MAX {
            return Err(format!(
                "the distribution is effectively unbounded: one draw in a billion exceeds {tail:.3e}, above the \
                 largest value {VALUE_MAX:.0e} (ns or bytes); a `pareto` needs a larger `shape`, a `lognormal` a \
                 smaller `sigma`"
            ));
        }
        Ok(())
    }
}

/// The largest value a distribution or quantity may take, in base units: 1e18 ns is 31 years,
/// 1e18 bytes an exabyte. Well inside `u64`, so sums of a few such values do not overflow.
pub const VALUE_MAX: f64 = 1e18;

/// Standard normal by Box-Muller (one of the pair; simple and exact enough for latencies).
pub(crate) fn standard_normal(u: &mut impl Uniform01) -> f64 {
    let u1 = 1.0 - u.next_f64(); // (0, 1]
    let u2 = u.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn interpolate(points: &[(f64, f64)], q: f64) -> f64 {
    let i = points.partition_point(|(pq, _)| *pq <= q).clamp(1, points.len() - 1);
    let (q0, v0) = points[i - 1];
    let (q1, v1) = points[i];
    v0 + (v1 - v0) * (q - q0) / (q1 - q0)
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dist::Constant(v) => write!(f, "{v}"),
            Dist::Uniform { min, max } => write!(f, "uniform({min}, {max})"),
            Dist::Exponential { mean } => write!(f, "exponential(mean {mean})"),
            Dist::Normal { mean, std_dev } => write!(f, "normal({mean}, {std_dev})"),
            Dist::LogNormal { median, sigma } => write!(f, "lognormal(median {median}, sigma {sigma})"),
            Dist::Pareto { scale, shape } => write!(f, "pareto(scale {scale}, shape {shape})"),
            Dist::Samples(xs) => write!(f, "empirical({} samples)", xs.len()),
            Dist::Percentiles(p) => write!(f, "empirical({} percentiles)", p.len()),
            Dist::Sum { count, of } => write!(f, "sum of {count} x {of}"),
        }
    }
}

/// Marker for the unit a distribution's values are written in.
pub trait DistUnit {
    const KIND: UnitKind;
}
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurationUnit;
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BytesUnit;
impl DistUnit for DurationUnit {
    const KIND: UnitKind = UnitKind::Duration;
}
impl DistUnit for BytesUnit {
    const KIND: UnitKind = UnitKind::Bytes;
}

/// A distribution as written in a scenario file, with values in unit `U`.
#[derive(Clone, Debug, PartialEq)]
pub struct DistOf<U> {
    pub dist: Dist,
    unit: PhantomData<U>,
}

pub type DurationDist = DistOf<DurationUnit>;
pub type BytesDist = DistOf<BytesUnit>;

impl<U> DistOf<U> {
    pub fn new(dist: Dist) -> Self {
        DistOf {
            dist,
            unit: PhantomData,
        }
    }
}

/// A scalar with a unit: `"2ms"` or a bare number.
#[derive(Clone, Debug)]
pub struct Quantity(pub f64);

fn quantity_from_value<E: de::Error>(kind: UnitKind, v: QuantityRaw) -> Result<f64, E> {
    match v {
        QuantityRaw::Text(s) => units::parse_text(kind, &s).map_err(E::custom),
        QuantityRaw::Number(n) => units::from_number(kind, n).map_err(E::custom),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum QuantityRaw {
    Number(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistTable {
    dist: String,
    value: Option<QuantityRaw>,
    min: Option<QuantityRaw>,
    max: Option<QuantityRaw>,
    mean: Option<QuantityRaw>,
    std_dev: Option<QuantityRaw>,
    median: Option<QuantityRaw>,
    sigma: Option<f64>,
    scale: Option<QuantityRaw>,
    shape: Option<f64>,
    samples: Option<Vec<QuantityRaw>>,
    percentiles: Option<Vec<(f64, QuantityRaw)>>,
}

impl DistTable {
    fn into_dist<E: de::Error>(self, kind: UnitKind) -> Result<Dist, E> {
        let q = |name: &str, v: Option<QuantityRaw>| -> Result<f64, E> {
            let v = v.ok_or_else(|| E::custom(format!("distribution `{}` needs `{name}`", self.dist)))?;
            quantity_from_value(kind, v)
        };
        let dist = match self.dist.as_str() {
            "constant" => Dist::Constant(q("value", self.value)?),
            "uniform" => Dist::Uniform {
                min: q("min", self.min)?,
                max: q("max", self.max)?,
            },
            "exponential" => Dist::Exponential {
                mean: q("mean", self.mean)?,
            },
            "normal" => Dist::Normal {
                mean: q("mean", self.mean)?,
                std_dev: q("std_dev", self.std_dev)?,
            },
            "lognormal" => Dist::LogNormal {
                median: q("median", self.median)?,
                sigma: self
                    .sigma
                    .ok_or_else(|| E::custom("distribution `lognormal` needs `sigma`"))?,
            },
            "pareto" => Dist::Pareto {
                scale: q("scale", self.scale)?,
                shape: self
                    .shape
                    .ok_or_else(|| E::custom("distribution `pareto` needs `shape`"))?,
            },
            "empirical" => match (self.samples, self.percentiles) {
                (Some(xs), None) => Dist::Samples(
                    xs.into_iter()
                        .map(|x| quantity_from_value(kind, x))
                        .collect::<Result<_, E>>()?,
                ),
                (None, Some(ps)) => Dist::Percentiles(
                    ps.into_iter()
                        .map(|(p, x)| quantity_from_value(kind, x).map(|v| (p, v)))
                        .collect::<Result<_, E>>()?,
                ),
                _ => {
                    return Err(E::custom(
                        "distribution `empirical` needs exactly one of `samples` or `percentiles`",
                    ));
                }
            },
            other => {
                return Err(E::custom(format!(
                    "unknown distribution `{other}` (use constant, uniform, exponential, normal, lognormal, pareto or empirical)"
                )));
            }
        };
        dist.validate().map_err(E::custom)?;
        Ok(dist)
    }
}

impl<'de, U: DistUnit> Deserialize<'de> for DistOf<U> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<U>(PhantomData<U>);
        impl<'de, U: DistUnit> Visitor<'de> for V<U> {
            type Value = DistOf<U>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(
                    f,
                    "a constant ({}) or a table such as {{ dist = \"exponential\", mean = ... }}",
                    U::KIND.example()
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                let v = units::parse_text(U::KIND, s).map_err(E::custom)?;
                let d = Dist::Constant(v);
                d.validate().map_err(E::custom)?;
                Ok(DistOf::new(d))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                let v = units::from_number(U::KIND, v).map_err(E::custom)?;
                let d = Dist::Constant(v);
                d.validate().map_err(E::custom)?;
                Ok(DistOf::new(d))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let table = DistTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(DistOf::new(table.into_dist::<A::Error>(U::KIND)?))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A single quantity in unit `U` (duration, size, rate), deserialized from `"5ms"` or a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantityOf<U> {
    pub value: f64,
    unit: PhantomData<U>,
}

impl<U> QuantityOf<U> {
    pub fn new(value: f64) -> Self {
        QuantityOf {
            value,
            unit: PhantomData,
        }
    }
    pub fn as_u64(&self) -> u64 {
        crate::time::ns_from_f64(self.value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateUnit;
impl DistUnit for RateUnit {
    const KIND: UnitKind = UnitKind::BytesPerSecond;
}

pub type Duration = QuantityOf<DurationUnit>;
pub type Bytes = QuantityOf<BytesUnit>;
pub type Rate = QuantityOf<RateUnit>;

impl<'de, U: DistUnit> Deserialize<'de> for QuantityOf<U> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = QuantityRaw::deserialize(d)?;
        let v = quantity_from_value::<D::Error>(U::KIND, raw)?;
        // NaN is refused here too: it is neither below nor at or above 0.
        if v.is_nan() || v < 0.0 {
            return Err(de::Error::custom(format!("must be >= 0, got {v}")));
        }
        if v > VALUE_MAX {
            return Err(de::Error::custom(format!(
                "{v:.3e} is above the largest value {VALUE_MAX:.0e} (in ns, bytes or bytes/s)"
            )));
        }
        Ok(QuantityOf::new(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{RngStream, StreamId, StreamKind};

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut r = RngStream::new(1, StreamId::new(StreamKind::TaskService, 0));
        (0..n).map(|_| d.sample(&mut r)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_analytic_means() {
        // n = 200k: the standard error of each mean is sd/sqrt(n) < 0.5 % of the mean for these
        // families (cv <= 1); 4 standard errors give the 2 % bound.
        let n = 200_000;
        for d in [
            Dist::Uniform { min: 1.0, max: 3.0 },
            Dist::Exponential { mean: 2.0 },
            Dist::Normal {
                mean: 10.0,
                std_dev: 1.0,
            },
            Dist::LogNormal {
                median: 1.0,
                sigma: 0.5,
            },
            Dist::Percentiles(vec![(0.0, 1.0), (0.5, 2.0), (1.0, 4.0)]),
            Dist::Samples(vec![1.0, 2.0, 6.0]),
            Dist::sum_of(16, &Dist::Exponential { mean: 2.0 }),
            Dist::sum_of(4, &Dist::Uniform { min: 1.0, max: 3.0 }),
        ] {
            let m = mean_of(&d, n);
            assert!(
                (m / d.mean() - 1.0).abs() < 0.02,
                "{d}: sample mean {m} vs {}",
                d.mean()
            );
        }
    }

    #[test]
    fn pareto_never_goes_below_its_scale() {
        let d = Dist::Pareto { scale: 5.0, shape: 1.5 };
        let mut r = RngStream::new(3, StreamId::new(StreamKind::TaskService, 0));
        assert!((0..10_000).all(|_| d.sample(&mut r) >= 5.0));
    }

    #[derive(Deserialize)]
    struct T {
        a: DurationDist,
        b: BytesDist,
    }

    #[test]
    fn parses_scalar_and_table_forms() {
        let t: T = toml::from_str("a = { dist = \"exponential\", mean = \"2ms\" }\nb = 100").unwrap();
        assert_eq!(t.a.dist, Dist::Exponential { mean: 2e6 });
        assert_eq!(t.b.dist, Dist::Constant(100.0));
        let err = toml::from_str::<T>("a = { dist = \"weibull\", mean = \"2ms\" }\nb = 1")
            .err()
            .unwrap();
        assert!(err.to_string().contains("unknown distribution `weibull`"), "{err}");
        assert!(toml::from_str::<T>("a = 5\nb = 1").is_err(), "a duration needs a unit");
    }
}
