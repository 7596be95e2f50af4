//! Where `advise`'s options come from, each over the one before: built-in defaults, the
//! scenario's `[advise]` table (the planner's questions, kept with the job), the command line.

use super::{AdviseOptions, FailureKind, MtbfPer, Question};

impl Default for AdviseOptions {
    fn default() -> Self {
        AdviseOptions {
            questions: vec![
                Question::Interval,
                Question::Bandwidth,
                Question::CatchUp,
                Question::Spike,
                Question::Mode,
            ],
            failure: FailureKind::TaskmanagerLost,
            mtbf_s: 86_400.0,
            mtbf_per: MtbfPer::Taskmanager,
            target_share: 0.5,
            catch_up_ms: 120e3,
            spike_factor: 2.0,
            spike_length_ms: 60e3,
            verify_runs: 0,
            verify_mtbfs: 20.0,
            threads: None,
        }
    }
}

fn enum_value<T: clap::ValueEnum>(key: &str, text: &str) -> Result<T, String> {
    T::from_str(text, true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!("advise.{key}: `{text}` is not one of {}", names.join(", "))
    })
}

fn duration_s(key: &str, v: &toml::Value) -> Result<f64, String> {
    let text = v
        .as_str()
        .ok_or_else(|| format!("advise.{key}: expected a duration such as \"1d\""))?;
    let ns = crate::units::parse_duration_ns(text).map_err(|e| format!("advise.{key}: {e}"))?;
    if ns > 0.0 && ns.is_finite() {
        Ok(ns / 1e9)
    } else {
        Err(format!("advise.{key}: must be positive"))
    }
}

fn number(key: &str, v: &toml::Value, lo: f64, hi: f64) -> Result<f64, String> {
    let x = v
        .as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .ok_or_else(|| format!("advise.{key}: expected a number"))?;
    if x > lo && x <= hi {
        Ok(x)
    } else {
        Err(format!("advise.{key}: {x} is not in ({lo}, {hi}]"))
    }
}

impl AdviseOptions {
    /// Applies a scenario's `[advise]` table; an unknown key or a bad value is an error naming it.
    pub fn apply_table(&mut self, t: &toml::Table) -> Result<(), String> {
        for (key, v) in t {
            let text = || v.as_str().ok_or_else(|| format!("advise.{key}: expected a string"));
            match key.as_str() {
                "questions" => {
                    let list = v
                        .as_array()
                        .ok_or("advise.questions: expected a list such as [\"interval\"]")?;
                    self.questions = list
                        .iter()
                        .map(|q| enum_value(key, q.as_str().unwrap_or("")))
                        .collect::<Result<_, _>>()?;
                }
                "mtbf" => self.mtbf_s = duration_s(key, v)?,
                "mtbf_per" => self.mtbf_per = enum_value(key, text()?)?,
                "failure" => self.failure = enum_value(key, text()?)?,
                "target_share" => self.target_share = number(key, v, 0.0, 1.0)?,
                "catch_up" => self.catch_up_ms = duration_s(key, v)? * 1e3,
                "spike" => self.spike_factor = number(key, v, 0.0, 100.0)?,
                "spike_length" => self.spike_length_ms = duration_s(key, v)? * 1e3,
                "verify_runs" => self.verify_runs = number(key, v, -1.0, 1000.0)? as u32,
                "verify_mtbfs" => self.verify_mtbfs = number(key, v, 0.0, 1e4)?,
                other => {
                    return Err(format!(
                        "advise.{other}: unknown key (questions, mtbf, mtbf_per, failure, target_share, catch_up, \
                         spike, spike_length, verify_runs, verify_mtbfs)"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_overrides_the_defaults_and_names_a_bad_key() {
        let mut o = AdviseOptions::default();
        let t: toml::Table = toml::from_str("questions = [\"spike\"]\nmtbf = \"6h\"\nspike = 3").unwrap();
        o.apply_table(&t).unwrap();
        assert_eq!(o.questions, vec![Question::Spike]);
        assert_eq!(o.mtbf_s, 6.0 * 3600.0);
        assert_eq!(o.spike_factor, 3.0);
        let bad: toml::Table = toml::from_str("mtfb = \"6h\"").unwrap();
        assert!(o.apply_table(&bad).unwrap_err().starts_with("advise.mtfb: unknown key"));
        let bad: toml::Table = toml::from_str("failure = \"disk\"").unwrap();
        assert!(o.apply_table(&bad).unwrap_err().contains("taskmanager-lost"));
    }
}
