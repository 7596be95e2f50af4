//! Flink's keys and syntax where a Flink user gives them: `[flink]` in a scenario and
//! `--flink-conf config.yaml`. Each key ckptsim claims sets its field to what the same value
//! means in Flink; Flink's spellings parse as Flink parses them; a bundled scenario given as a
//! `config.yaml` produces the same bytes as its TOML twin; and bad input is named by file, line
//! and key.

use std::path::{Path, PathBuf};

use ckptsim::scenario::flink::keys::KEYS;
use ckptsim::scenario::{
    FlinkConf, LoadedScenario, ScenarioError, load_file, load_file_with_flink_conf, parse_str, parse_with_flink_conf,
};
use ckptsim::units::DURATION_UNITS;

const BASE: &str = r#"[simulation]
duration = "60s"
[cluster]
taskmanagers = 2
[[operators]]
name = "source"
kind = "source"
parallelism = 2
rate = { process = "poisson", records_per_second = 100 }
[[faults.taskmanager_loss]]
at = ["30s"]
"#;

/// BASE with `own` merged in (tables that BASE has too, such as `[cluster]`, are joined).
fn base_with(own: &str) -> String {
    if own.is_empty() {
        return format!("{BASE}\n");
    }
    fn merge(into: &mut toml::Table, from: toml::Table) {
        for (k, v) in from {
            match (into.get_mut(&k), v) {
                (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
                (_, v) => {
                    into.insert(k, v);
                }
            }
        }
    }
    let mut t: toml::Table = toml::from_str(BASE).unwrap();
    merge(&mut t, toml::from_str(own).unwrap());
    toml::to_string(&t).unwrap()
}

fn with_flink(flink_lines: &str, own: &str) -> Result<LoadedScenario, ScenarioError> {
    parse_str(&format!("{}[flink]\n{flink_lines}\n", base_with(own)), "flink.toml")
}

fn own(own: &str) -> LoadedScenario {
    parse_str(&base_with(own), "own.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn debug(l: &LoadedScenario) -> String {
    format!("{:?}", l.scenario)
}

/// Every key ckptsim maps: (Flink key, value in Flink's syntax, the same setting written in
/// ckptsim's own TOML, TOML both sides need for the value to be valid).
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "execution.checkpointing.interval",
        "7 s",
        "[checkpoint]\ninterval = \"7s\"",
        "",
    ),
    (
        "pipeline.operator-chaining.enabled",
        "false",
        "[pipeline]\noperator_chaining = false",
        "",
    ),
    ("web.checkpoints.history", "25", "[checkpoint]\nhistory_size = 25", ""),
    (
        "execution.checkpointing.timeout",
        "7 min",
        "[checkpoint]\ntimeout = \"7min\"",
        "",
    ),
    (
        "execution.checkpointing.min-pause",
        "700",
        "[checkpoint]\nmin_pause = \"700ms\"",
        "",
    ),
    (
        "execution.checkpointing.max-concurrent-checkpoints",
        "3",
        "[checkpoint]\nmax_concurrent = 3",
        "",
    ),
    (
        "execution.checkpointing.unaligned.max-subtasks-per-channel-state-file",
        "2",
        "[checkpoint]\nmax_subtasks_per_channel_state_file = 2",
        "",
    ),
    (
        "execution.checkpointing.tolerable-failed-checkpoints",
        "3",
        "[checkpoint]\ntolerable_failed = 3",
        "",
    ),
    (
        "execution.checkpointing.mode",
        "AT_LEAST_ONCE",
        "[checkpoint]\nmode = \"at_least_once\"",
        "",
    ),
    (
        "execution.checkpointing.num-retained",
        "3",
        "[checkpoint]\nnum_retained = 3",
        "",
    ),
    (
        "execution.checkpointing.unaligned.enabled",
        "true",
        "[checkpoint]\nunaligned = true",
        "",
    ),
    (
        "execution.checkpointing.aligned-checkpoint-timeout",
        "30 s",
        "[checkpoint]\nunaligned = true\naligned_checkpoint_timeout = \"30s\"",
        "[checkpoint]\nunaligned = true",
    ),
    (
        "execution.checkpointing.data-inline-threshold",
        "2 kb",
        "[storage]\ninline_threshold = \"2KiB\"",
        "",
    ),
    (
        "execution.checkpointing.incremental",
        "true",
        "[state_backend]\nkind = \"rocksdb\"\nincremental = true",
        "[state_backend]\nkind = \"rocksdb\"",
    ),
    (
        "state.backend.type",
        "rocksdb",
        "[state_backend]\nkind = \"rocksdb\"",
        "",
    ),
    (
        "state.backend.rocksdb.writebuffer.size",
        "32 mb",
        "[state_backend]\nmemtable_size = \"32MiB\"",
        "",
    ),
    (
        "state.backend.rocksdb.checkpoint.transfer.thread.num",
        "8",
        "[state_backend]\ntransfer_threads = 8",
        "",
    ),
    (
        "state.backend.rocksdb.thread.num",
        "8",
        "[state_backend]\nbackground_threads = 8",
        "",
    ),
    (
        "state.backend.rocksdb.compaction.level.max-size-level-base",
        "1 gb",
        "[state_backend.compaction]\nmax_size_level_base = \"1GiB\"",
        "",
    ),
    (
        "state.backend.rocksdb.compaction.level.target-file-size-base",
        "8 mb",
        "[state_backend.compaction]\ntarget_file_size_base = \"8MiB\"",
        "",
    ),
    (
        "state.backend.changelog.enabled",
        "true",
        "[state_backend.changelog]\nenabled = true",
        "",
    ),
    (
        "state.backend.changelog.periodic-materialize.interval",
        "3 min",
        "[state_backend.changelog]\nperiodic_materialize_interval = \"3min\"",
        "",
    ),
    (
        "dstl.dfs.batch.persist-delay",
        "20 ms",
        "[state_backend.changelog]\npersist_delay = \"20ms\"",
        "",
    ),
    (
        "dstl.dfs.batch.persist-size-threshold",
        "4 mb",
        "[state_backend.changelog]\npersist_size_threshold = \"4MiB\"",
        "",
    ),
    (
        "dstl.dfs.preemptive-persist-threshold",
        "2 mb",
        "[state_backend.changelog]\npreemptive_persist_threshold = \"2MiB\"",
        "",
    ),
    (
        "execution.state-recovery.from-local",
        "true",
        "[recovery]\nlocal = true",
        "",
    ),
    (
        "jobmanager.execution.failover-strategy",
        "full",
        "[recovery]\nfailover = \"full\"",
        "",
    ),
    (
        "taskmanager.numberOfTaskSlots",
        "3",
        "[cluster]\nslots_per_taskmanager = 3",
        "",
    ),
    (
        "taskmanager.cpu.cores",
        "1.5",
        "[cluster]\ncores_per_taskmanager = 1.5",
        "",
    ),
    (
        "taskmanager.memory.segment-size",
        "16 kb",
        "[network]\nsegment_size = \"16KiB\"",
        "",
    ),
    (
        "taskmanager.memory.min-segment-size",
        "512 b",
        "[network.debloat]\nmin_segment_size = 512",
        "",
    ),
    (
        "taskmanager.memory.starting-segment-size",
        "2 kb",
        "[network.debloat]\nstarting_segment_size = \"2KiB\"",
        "",
    ),
    (
        "taskmanager.network.memory.buffers-per-channel",
        "3",
        "[network]\nbuffers_per_channel = 3",
        "",
    ),
    (
        "taskmanager.network.memory.floating-buffers-per-gate",
        "3",
        "[network]\nfloating_buffers_per_gate = 3",
        "",
    ),
    (
        "taskmanager.network.memory.max-buffers-per-channel",
        "3",
        "[network]\nmax_buffers_per_channel = 3",
        "",
    ),
    (
        "execution.buffer-timeout.interval",
        "5 ms",
        "[network]\nbuffer_timeout = \"5ms\"",
        "",
    ),
    (
        "execution.buffer-timeout.enabled",
        "false",
        "[network]\nbuffer_timeout_enabled = false",
        "",
    ),
    (
        "taskmanager.network.memory.buffer-debloat.enabled",
        "true",
        "[network.debloat]\nenabled = true",
        "",
    ),
    (
        "taskmanager.network.memory.buffer-debloat.target",
        "2 s",
        "[network.debloat]\ntarget = \"2s\"",
        "",
    ),
    (
        "taskmanager.network.memory.buffer-debloat.period",
        "1 s",
        "[network.debloat]\nperiod = \"1s\"",
        "",
    ),
    (
        "taskmanager.network.memory.buffer-debloat.samples",
        "3",
        "[network.debloat]\nsamples = 3",
        "",
    ),
    (
        "taskmanager.network.memory.buffer-debloat.threshold-percentages",
        "3",
        "[network.debloat]\nthreshold_percentages = 3",
        "",
    ),
    ("heartbeat.timeout", "70 s", "", ""),
    ("heartbeat.interval", "7 s", "", ""),
    (
        "restart-strategy.type",
        "fixeddelay",
        "[restart]\nstrategy = \"fixed-delay\"",
        "",
    ),
    (
        "restart-strategy.fixed-delay.attempts",
        "3",
        "[restart]\nstrategy = \"fixed-delay\"\nattempts = 3",
        "@fixed-delay",
    ),
    (
        "restart-strategy.fixed-delay.delay",
        "7 s",
        "[restart]\nstrategy = \"fixed-delay\"\ndelay = \"7s\"",
        "@fixed-delay",
    ),
    (
        "restart-strategy.exponential-delay.initial-backoff",
        "7 s",
        "[restart]\nstrategy = \"exponential-delay\"\ninitial_backoff = \"7s\"",
        "@exponential-delay",
    ),
    (
        "restart-strategy.exponential-delay.max-backoff",
        "7 min",
        "[restart]\nstrategy = \"exponential-delay\"\nmax_backoff = \"7min\"",
        "@exponential-delay",
    ),
    (
        "restart-strategy.exponential-delay.backoff-multiplier",
        "2.5",
        "[restart]\nstrategy = \"exponential-delay\"\nbackoff_multiplier = 2.5",
        "@exponential-delay",
    ),
    (
        "restart-strategy.exponential-delay.jitter-factor",
        "0.25",
        "[restart]\nstrategy = \"exponential-delay\"\njitter_factor = 0.25",
        "@exponential-delay",
    ),
    (
        "restart-strategy.exponential-delay.reset-backoff-threshold",
        "2 h",
        "[restart]\nstrategy = \"exponential-delay\"\nreset_backoff_threshold = \"2h\"",
        "@exponential-delay",
    ),
    (
        "restart-strategy.exponential-delay.attempts-before-reset-backoff",
        "3",
        "[restart]\nstrategy = \"exponential-delay\"\nattempts_before_reset_backoff = 3",
        "@exponential-delay",
    ),
    (
        "restart-strategy.failure-rate.max-failures-per-interval",
        "3",
        "[restart]\nstrategy = \"failure-rate\"\nmax_failures_per_interval = 3",
        "@failure-rate",
    ),
    (
        "restart-strategy.failure-rate.failure-rate-interval",
        "7 min",
        "[restart]\nstrategy = \"failure-rate\"\nfailure_rate_interval = \"7min\"",
        "@failure-rate",
    ),
    (
        "restart-strategy.failure-rate.delay",
        "7 s",
        "[restart]\nstrategy = \"failure-rate\"\ndelay = \"7s\"",
        "@failure-rate",
    ),
];

#[test]
fn every_mapped_key_sets_its_field_to_what_flink_means() {
    for k in KEYS {
        assert!(CASES.iter().any(|c| c.0 == k.key), "no case for {}", k.key);
    }
    for (key, value, own_toml, needs) in CASES {
        // `@strategy`: the option needs its restart-strategy.type, given the Flink way.
        let (flink_extra, own_extra) = match needs.strip_prefix('@') {
            Some(strategy) => (format!("\"restart-strategy.type\" = \"{strategy}\"\n"), String::new()),
            None => (String::new(), needs.to_string()),
        };
        let via_flink = with_flink(&format!("{flink_extra}\"{key}\" = \"{value}\""), &own_extra)
            .unwrap_or_else(|e| panic!("{key} = {value}: {e}"));
        let expected = if key.starts_with("heartbeat.") {
            let field = key.trim_start_matches("heartbeat.");
            let secs = value.trim_end_matches(" s");
            parse_str(
                &BASE.replace(
                    "at = [\"30s\"]",
                    &format!("at = [\"30s\"]\nheartbeat_{field} = \"{secs}s\""),
                ),
                "own.toml",
            )
            .unwrap()
        } else {
            own(own_toml)
        };
        assert_eq!(debug(&via_flink), debug(&expected), "{key} = {value}");
        assert_ne!(
            debug(&via_flink),
            debug(&own(&own_extra)),
            "{key} = {value} changed nothing"
        );
    }
}

#[test]
fn deprecated_names_and_nested_tables_set_the_same_fields() {
    for (old, new) in [
        (
            "execution.checkpointing.unaligned",
            "execution.checkpointing.unaligned.enabled",
        ),
        ("state.backend.incremental", "execution.checkpointing.incremental"),
        ("state.checkpoints.num-retained", "execution.checkpointing.num-retained"),
        ("state.backend.local-recovery", "execution.state-recovery.from-local"),
        ("execution.buffer-timeout", "execution.buffer-timeout.interval"),
    ] {
        let value = if old == "execution.buffer-timeout" {
            "5 ms"
        } else if old.contains("num-retained") {
            "2"
        } else {
            "true"
        };
        let extra = if old.contains("incremental") {
            "[state_backend]\nkind = \"rocksdb\""
        } else {
            ""
        };
        let a = with_flink(&format!("\"{old}\" = \"{value}\""), extra).unwrap();
        let b = with_flink(&format!("\"{new}\" = \"{value}\""), extra).unwrap();
        assert_eq!(debug(&a), debug(&b), "{old}");
    }
    let nested = with_flink("execution.checkpointing.interval = \"7 s\"", "").unwrap();
    assert_eq!(debug(&nested), debug(&own("[checkpoint]\ninterval = \"7s\"")));
    let both = with_flink(
        "\"execution.checkpointing.unaligned\" = true\n\"execution.checkpointing.unaligned.enabled\" = true",
        "",
    );
    assert!(both.is_err(), "an option given under two names is refused");
}

#[test]
fn every_flink_duration_spelling_means_what_flink_means() {
    for (_, labels, ns) in DURATION_UNITS {
        for label in *labels {
            for value in [format!("3{label}"), format!("3 {label}")] {
                let s = with_flink(&format!("\"execution.checkpointing.min-pause\" = \"{value}\""), "")
                    .unwrap_or_else(|e| panic!("{value}: {e}"));
                assert_eq!(s.scenario.checkpoint.min_pause.value, 3.0 * *ns as f64, "{value}");
            }
        }
    }
    let bare = with_flink("\"execution.checkpointing.min-pause\" = 1500", "").unwrap();
    assert_eq!(
        bare.scenario.checkpoint.min_pause.value, 1.5e9,
        "a bare number is milliseconds"
    );
    let iso = with_flink("\"execution.checkpointing.min-pause\" = \"PT2M\"", "").unwrap();
    assert_eq!(iso.scenario.checkpoint.min_pause.value, 120e9);
    for bad in ["1.5 s", "5 parsecs", "-1 s", "s", "30 us"] {
        assert!(
            with_flink(&format!("\"execution.checkpointing.min-pause\" = \"{bad}\""), "").is_err(),
            "{bad}"
        );
    }
}

#[test]
fn every_flink_memory_spelling_is_a_power_of_1024() {
    for (labels, factor) in [
        (&["b", "bytes"][..], 1u64),
        (&["k", "kb", "kibibytes"][..], 1 << 10),
        (&["m", "mb", "mebibytes"][..], 1 << 20),
        (&["g", "gb", "gibibytes"][..], 1 << 30),
    ] {
        for label in labels {
            for value in [format!("2{label}"), format!("2 {}", label.to_uppercase())] {
                let s = with_flink(
                    &format!("\"execution.checkpointing.data-inline-threshold\" = \"{value}\""),
                    "",
                )
                .unwrap_or_else(|e| panic!("{value}: {e}"));
                assert_eq!(
                    s.scenario.storage.inline_threshold.value,
                    (2 * factor) as f64,
                    "{value}"
                );
            }
        }
    }
    let s = with_flink("\"taskmanager.memory.segment-size\" = \"32KB\"", "").unwrap();
    assert_eq!(
        s.scenario.network.segment_size.value, 32768.0,
        "Flink's KB is 1024 bytes"
    );
    // ckptsim's own fields keep their units: KB is 1000 bytes there.
    assert_eq!(
        own("[network]\nsegment_size = \"32KB\"")
            .scenario
            .network
            .segment_size
            .value,
        32000.0
    );
    let bare = with_flink("\"taskmanager.memory.segment-size\" = 4096", "").unwrap();
    assert_eq!(
        bare.scenario.network.segment_size.value, 4096.0,
        "a bare number is bytes"
    );
}

#[test]
fn own_fields_take_flinks_duration_spellings_without_changing_meaning() {
    let a = own("[checkpoint]\ninterval = \"30 s\"\ntimeout = \"1 min\"\nmin_pause = \"500 millis\"");
    let b = own("[checkpoint]\ninterval = \"30s\"\ntimeout = \"60s\"\nmin_pause = \"500ms\"");
    assert_eq!(debug(&a), debug(&b));
    assert_eq!(
        own("[state_backend]\nkind = \"hashmap\"").scenario.state_backend.kind,
        own("").scenario.state_backend.kind
    );
    let e = parse_str(&format!("{BASE}[checkpoint]\ninterval = 30000\n"), "own.toml").unwrap_err();
    assert!(
        e.to_string().contains("[flink]"),
        "the error points to Flink's syntax: {e}"
    );
}

fn field_and_line(e: &ScenarioError) -> (String, Option<usize>) {
    (e.field().unwrap_or_default().to_string(), e.line())
}

#[test]
fn errors_name_file_line_and_key() {
    // BASE has 11 lines and an empty line follows; the [flink] header is line 13.
    let e = with_flink("\"state.backend.rocksdb.block.cache-size\" = \"64 mb\"", "").unwrap_err();
    assert_eq!(
        field_and_line(&e),
        ("state.backend.rocksdb.block.cache-size".into(), Some(14))
    );
    assert!(e.to_string().starts_with("flink.toml:14:"), "{e}");
    assert!(e.to_string().contains("does not model"), "{e}");
    let e = with_flink("\"execution.checkpointing.interval\" = \"7 parsecs\"", "").unwrap_err();
    assert_eq!(field_and_line(&e).0, "execution.checkpointing.interval");
    // A value that parses but is out of range: named by its Flink key, with the field it sets.
    let e = with_flink("\"execution.checkpointing.timeout\" = \"0 ms\"", "").unwrap_err();
    assert_eq!(field_and_line(&e), ("execution.checkpointing.timeout".into(), Some(14)));
    assert!(e.to_string().contains("checkpoint.timeout"), "{e}");
    // The same field twice in one file.
    let e = with_flink(
        "\"execution.checkpointing.interval\" = \"7 s\"",
        "[checkpoint]\ninterval = \"7s\"",
    )
    .unwrap_err();
    assert!(e.to_string().contains("give it once"), "{e}");
    // Restart options of another strategy.
    let e = with_flink(
        "\"restart-strategy.type\" = \"fixed-delay\"\n\"restart-strategy.failure-rate.delay\" = \"1 s\"",
        "",
    )
    .unwrap_err();
    assert_eq!(field_and_line(&e).0, "restart-strategy.failure-rate.delay");
    // In a config.yaml: its own file name and line.
    let conf = FlinkConf::parse(
        "execution.checkpointing.interval: 1 s\n\nstate:\n  backend.rocksdb.block.cache-size: 64mb\n",
        "conf.yaml",
    )
    .unwrap();
    let e = parse_with_flink_conf(BASE, "job.toml", Some(&conf)).unwrap_err();
    assert!(e.to_string().starts_with("conf.yaml:4:"), "{e}");
    assert_eq!(field_and_line(&e).0, "state.backend.rocksdb.block.cache-size");
    let e = FlinkConf::parse("a: 1\nb: |\n  text\n", "conf.yaml").unwrap_err();
    assert!(e.to_string().starts_with("conf.yaml:2:"), "{e}");
}

#[test]
fn flink_conf_replaces_scenario_values_like_set() {
    let conf = FlinkConf::parse("execution.checkpointing.interval: 7 s\n", "conf.yaml").unwrap();
    let with_interval = base_with("[checkpoint]\ninterval = \"2s\"");
    let l = parse_with_flink_conf(&with_interval, "job.toml", Some(&conf)).unwrap();
    assert_eq!(l.scenario.checkpoint.interval.unwrap().value, 7e9);
    // Later overrides still apply on top.
    let o = ckptsim::scenario::Override::parse("checkpoint.interval=9s").unwrap();
    assert_eq!(l.with_overrides(&[o]).unwrap().checkpoint.interval.unwrap().value, 9e9);
}

fn run_files(loaded: &LoadedScenario, tag: &str) -> Vec<(String, Vec<u8>)> {
    let out = ckptsim::run::run_labelled(
        &loaded.scenario,
        loaded.scenario.simulation.seed,
        "failures_taskmanager_loss",
    );
    let dir = std::env::temp_dir().join(format!("ckptsim-flinkconf-{}-{tag}", std::process::id()));
    let files = ckptsim::output::write_run(&dir, &out).unwrap();
    let mut v: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    v.sort();
    std::fs::remove_dir_all(&dir).unwrap();
    v
}

#[test]
fn a_bundled_scenario_given_as_flink_config_yaml_produces_the_same_bytes() {
    let fixtures = Path::new("tests/fixtures/flink-conf");
    let bundled = load_file(&PathBuf::from("scenarios/failures_taskmanager_loss.toml")).unwrap();
    let conf = FlinkConf::load(&fixtures.join("failures_taskmanager_loss.config.yaml")).unwrap();
    let via_yaml = load_file_with_flink_conf(&fixtures.join("failures_taskmanager_loss.job.toml"), &conf).unwrap();
    let via_table = load_file(&fixtures.join("failures_taskmanager_loss.flink-table.toml")).unwrap();
    let expected = run_files(&bundled, "toml");
    assert_eq!(expected.len(), 7);
    for (name, files) in [
        ("config.yaml", run_files(&via_yaml, "yaml")),
        ("[flink]", run_files(&via_table, "table")),
    ] {
        for ((n1, b1), (n2, b2)) in expected.iter().zip(&files) {
            assert_eq!(n1, n2);
            assert!(
                b1 == b2,
                "{n1} differs between the bundled scenario and its {name} twin"
            );
        }
    }
}

/// A cluster's own config.yaml sets deployment options (addresses, ports, process memory): they
/// are accepted and listed, never applied, and the options after them keep their own lines in
/// errors. An option that may bear on checkpointing is still refused.
#[test]
fn a_clusters_deployment_options_are_set_aside_and_listed() {
    let text = "jobmanager.rpc.address: localhost\nrest.port: 8081\ntaskmanager.memory.process.size: 1728m\nparallelism.default: 1\nexecution.checkpointing.interval: 7 s\n";
    let conf = FlinkConf::parse(text, "config.yaml").unwrap();
    let loaded = parse_with_flink_conf(&base_with(""), "job.toml", Some(&conf)).unwrap();
    let aside: Vec<(String, usize)> = loaded.set_aside.iter().map(|s| (s.key.clone(), s.line)).collect();
    assert_eq!(
        aside,
        vec![
            ("jobmanager.rpc.address".to_string(), 1),
            ("rest.port".to_string(), 2),
            ("taskmanager.memory.process.size".to_string(), 3),
            ("parallelism.default".to_string(), 4),
        ]
    );
    assert_eq!(loaded.scenario.checkpoint.interval.unwrap().value, 7e9);
    assert!(
        loaded.set_aside[1]
            .to_string()
            .contains("config.yaml:2: `rest.port` not used")
    );
    // An error after set-aside options names its own line.
    let bad = FlinkConf::parse(
        "rest.port: 8081\nexecution.checkpointing.timeout: 0 ms\n",
        "config.yaml",
    )
    .unwrap();
    let e = parse_with_flink_conf(&base_with(""), "job.toml", Some(&bad)).unwrap_err();
    assert_eq!(field_and_line(&e), ("execution.checkpointing.timeout".into(), Some(2)));
    // Not a deployment option: refused.
    let refused = FlinkConf::parse(
        "rest.port: 8081\ntaskmanager.memory.managed.fraction: 0.4\n",
        "config.yaml",
    )
    .unwrap();
    let e = parse_with_flink_conf(&base_with(""), "job.toml", Some(&refused)).unwrap_err();
    assert_eq!(
        field_and_line(&e),
        ("taskmanager.memory.managed.fraction".into(), Some(2))
    );
}
