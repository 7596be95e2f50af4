//! Expanding a sweep into points: each point is one assignment of a value to every parameter.

use super::spec::SweepSpec;
use super::value::render_value;
use crate::scenario::Override;
use crate::sweep_manifest::Mode;

/// One combination of parameter values, in the order of `SweepSpec::parameters`.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub index: usize,
    /// For each parameter, the index of its value.
    pub value_indices: Vec<usize>,
    pub overrides: Vec<Override>,
}

impl Point {
    /// `path=value, ...`, for messages.
    pub fn assignments(&self) -> String {
        self.overrides
            .iter()
            .map(|o| format!("{}={}", o.path, render_value(&o.value)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The points in a fixed order: grid mode counts like an odometer, the last parameter fastest.
pub fn expand(spec: &SweepSpec) -> Vec<Point> {
    let n = spec.point_count();
    (0..n)
        .map(|index| {
            let value_indices = match spec.mode {
                Mode::Zip => vec![index; spec.parameters.len()],
                Mode::Grid => {
                    let mut rest = index;
                    let mut idx = vec![0; spec.parameters.len()];
                    for (slot, p) in idx.iter_mut().zip(&spec.parameters).rev() {
                        *slot = rest % p.values.len();
                        rest /= p.values.len();
                    }
                    idx
                }
            };
            let overrides = spec
                .parameters
                .iter()
                .zip(&value_indices)
                .map(|(p, &i)| Override {
                    path: p.path.clone(),
                    value: p.values[i].clone(),
                })
                .collect();
            Point {
                index,
                value_indices,
                overrides,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> SweepSpec {
        let t: toml::Table = toml::from_str(text).unwrap();
        SweepSpec::parse(t["sweep"].as_table().unwrap(), "s.toml").unwrap()
    }

    #[test]
    fn grid_is_the_cartesian_product_with_the_last_parameter_fastest() {
        let s = spec("[sweep.parameters]\na = [1, 2]\nb = [\"x\", \"y\", \"z\"]");
        let pts = expand(&s);
        assert_eq!(pts.len(), 6);
        let idx: Vec<_> = pts.iter().map(|p| p.value_indices.clone()).collect();
        assert_eq!(idx, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
        assert_eq!(pts[4].assignments(), "a=2, b=y");
    }

    #[test]
    fn zip_pairs_the_ith_values() {
        let s = spec("[sweep]\nmode = \"zip\"\n[sweep.parameters]\na = [1, 2]\nb = [\"x\", \"y\"]");
        let pts = expand(&s);
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[1].assignments(), "a=2, b=y");
    }
}
