//! The suite's configurations and the harness options each one passes to
//! `../shared/flink-real/run.sh`.

use std::fs;

/// One line of `configs.tsv`.
#[derive(Clone, Debug)]
pub struct Config {
    pub name: String,
    /// The harness options as written (`--parallelism 2 --rate 10000 ...`).
    pub args: String,
    pub options: HarnessOptions,
    /// What the configuration shows (the line's third column).
    pub about: String,
}

impl Config {
    /// Calibration runs (`c…`) set constants and are never compared; table runs (`f…`) are
    /// compared and never set anything.
    pub fn is_calibration(&self) -> bool {
        self.name.starts_with('c')
    }

    /// The repetitions measured: calibration runs once, table runs twice.
    pub fn runs(&self) -> Vec<String> {
        if self.is_calibration() {
            vec![format!("{}.r1", self.name)]
        } else {
            vec![format!("{}.r1", self.name), format!("{}.r2", self.name)]
        }
    }

    pub fn has_backpressure(&self) -> bool {
        self.name.contains("_bp_") || self.name.contains("cpu_saturated")
    }

    pub fn has_failure(&self) -> bool {
        self.options.fail_after > 0
    }
}

/// The harness's job options (its README, "Job options"), with its defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct HarnessOptions {
    pub parallelism: u32,
    pub tms: u32,
    pub rate_per_s: f64,
    pub keys: u64,
    pub payload_bytes: u64,
    pub state_bytes: u64,
    pub op_cost_us: f64,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub min_pause_ms: u64,
    pub unaligned: bool,
    pub aligned_timeout_ms: u64,
    pub rocksdb: bool,
    pub incremental: bool,
    pub debloat: bool,
    pub buffer_timeout_ms: u64,
    pub chain: bool,
    pub fail_after: i64,
    pub restart_delay_ms: u64,
}

impl Default for HarnessOptions {
    fn default() -> Self {
        HarnessOptions {
            parallelism: 3,
            tms: 1,
            rate_per_s: 15000.0,
            keys: 50000,
            payload_bytes: 60,
            state_bytes: 0,
            op_cost_us: 0.0,
            interval_ms: 1000,
            timeout_ms: 600_000,
            min_pause_ms: 0,
            unaligned: false,
            aligned_timeout_ms: 0,
            rocksdb: false,
            incremental: false,
            debloat: false,
            buffer_timeout_ms: 100,
            chain: true,
            fail_after: -1,
            restart_delay_ms: 1000,
        }
    }
}

impl HarnessOptions {
    /// Parses `--name value` pairs. The harness ignores a misspelt option silently; here it is
    /// an error, so that a scenario never differs from its measurement unnoticed.
    pub fn parse(args: &str) -> Result<HarnessOptions, String> {
        let words: Vec<&str> = args.split_whitespace().collect();
        if !words.len().is_multiple_of(2) {
            return Err(format!("options must come in `--name value` pairs: `{args}`"));
        }
        let mut o = HarnessOptions::default();
        for pair in words.chunks(2) {
            let (key, v) = (pair[0].trim_start_matches("--"), pair[1]);
            let num = |v: &str| v.parse::<f64>().map_err(|e| format!("--{key} {v}: {e}"));
            let int = |v: &str| v.parse::<u64>().map_err(|e| format!("--{key} {v}: {e}"));
            let flag = |v: &str| v.parse::<bool>().map_err(|e| format!("--{key} {v}: {e}"));
            match key {
                "parallelism" => o.parallelism = int(v)? as u32,
                "tms" => o.tms = int(v)? as u32,
                "rate" => o.rate_per_s = num(v)?,
                "keys" => o.keys = int(v)?,
                "payload" => o.payload_bytes = int(v)?,
                "stateBytes" => o.state_bytes = int(v)?,
                "opCostUs" => o.op_cost_us = num(v)?,
                "cpIntervalMs" => o.interval_ms = int(v)?,
                "cpTimeoutMs" => o.timeout_ms = int(v)?,
                "minPauseMs" => o.min_pause_ms = int(v)?,
                "unaligned" => o.unaligned = flag(v)?,
                "alignedTimeoutMs" => o.aligned_timeout_ms = int(v)?,
                "backend" => {
                    o.rocksdb = match v {
                        "rocksdb" => true,
                        "hashmap" => false,
                        other => return Err(format!("--backend {other}: hashmap or rocksdb")),
                    }
                }
                "incremental" => o.incremental = flag(v)?,
                "debloat" => o.debloat = flag(v)?,
                "bufferTimeoutMs" => o.buffer_timeout_ms = int(v)?,
                "chain" => o.chain = flag(v)?,
                "failAfter" => o.fail_after = v.parse::<i64>().map_err(|e| format!("--{key} {v}: {e}"))?,
                "restartDelayMs" => o.restart_delay_ms = int(v)?,
                other => return Err(format!("unknown harness option --{other}")),
            }
        }
        Ok(o)
    }
}

/// Every configuration of `configs.tsv`, in file order.
pub fn load() -> Vec<Config> {
    load_from(&super::suite_dir().join("configs.tsv"))
}

/// Every configuration of a file in `configs.tsv`'s format (the held-out shapes have their own).
pub fn load_from(path: &std::path::Path) -> Vec<Config> {
    let file = path
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().into_owned());
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() == 3, "{file}:{}: expected name, options, description", i + 1);
            let options = HarnessOptions::parse(cols[1]).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
            Config {
                name: cols[0].to_string(),
                args: cols[1].to_string(),
                options,
                about: cols[2].to_string(),
            }
        })
        .collect()
}
