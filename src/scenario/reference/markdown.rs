//! Renders `scenarios/REFERENCE.md`.

use std::fmt::Write;

use super::catalogue::{Def, Unit, sections};
use super::{Field, fields};
use crate::scenario::flink::keys::{self, KEYS};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn unit_text(f: &Field) -> String {
    let base = match f.doc.unit {
        Unit::Enum => format!(
            "one of {}",
            f.enum_values()
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        u => u.describe().to_string(),
    };
    if f.traced.list { format!("list of {base}") } else { base }
}

fn default_text(d: Def) -> String {
    match d {
        Def::Required => "**required**".into(),
        Def::Absent(what) => format!("absent: {what}"),
        Def::Value(v) => format!("`{v}`"),
    }
}

fn flink_text(path: &str) -> String {
    let ks = keys::for_field(path);
    if ks.is_empty() {
        "-".into()
    } else {
        ks.iter().map(|k| format!("`{}`", k.key)).collect::<Vec<_>>().join(", ")
    }
}

fn heading(section: &str) -> String {
    match section {
        "" => "Top level".into(),
        s => match s.strip_suffix("[]") {
            Some(list) if !list.contains('[') => format!("`[[{list}]]`"),
            Some(list) => format!("`{list}` (a list of tables)"),
            None => format!("`[{s}]`"),
        },
    }
}

const UNITS: &str = r#"## Units: ckptsim's fields and Flink's keys

ckptsim's own fields keep their units, so no scenario changes meaning; the `[flink]` table and
`ckptsim run --flink-conf config.yaml` take Flink's keys with Flink's syntax.

| quantity | in ckptsim's fields | under `[flink]` / `--flink-conf` (as Flink reads it) |
|---|---|---|
| duration | `ns`, `us`/`µs`, `ms`, `s`, `min`, `h`, `d`, fractions allowed (`1.5s`); also Flink's spellings in any case (`30 s`, `1 min`, `2 hours`, `500 millis`, `5m` = 5 minutes, ISO-8601 `PT30S`); a bare number is refused (ambiguous), except `0` | a whole number and a unit in any case: `d`/`day(s)`, `h`/`hour(s)`, `min`/`m`/`minute(s)`, `s`/`sec(s)`/`second(s)`, `ms`/`milli(s)`/`millisecond(s)`, `µs`/`micro(s)`/`microsecond(s)`, `ns`/`nano(s)`/`nanosecond(s)`, or ISO-8601; **a bare number is milliseconds**; no fractions (`1.5 s` is refused, as Flink refuses it) |
| size | `B`, `KB` = 1,000 B, `MB`, `GB`, `TB` (powers of 1000), `KiB` = 1,024 B, `MiB`, `GiB`, `TiB` (powers of 1024), `Kbit`, `Mbit`, `Gbit`; a bare number is bytes | `b`/`bytes`, `k`/`kb`/`kibibytes`, `m`/`mb`/`mebibytes`, `g`/`gb`/`gibibytes`, `t`/`tb`/`tebibytes`, any case, **all powers of 1024** (`32kb` = 32,768 B); a bare number is bytes |
| rate | a size per second: `400MB/s`, `10Gbit/s`, or bytes per second | (no Flink key is a rate) |
| distribution | a constant (`"2ms"`) or a table: `{ dist = "exponential", mean = "2ms" }`, `uniform` (`min`, `max`), `normal` (`mean`, `std_dev`), `lognormal` (`median`, `sigma`), `pareto` (`scale`, `shape`), `empirical` (`samples` or `percentiles`) | - |
| state backend | `heap` or `rocksdb` (`hashmap` accepted for `heap`) | `hashmap` or `rocksdb` |

A deployment option (an address, a port, process memory, security, logging, high availability,
the web UI, `parallelism.default`: what Flink's own `config.yaml` sets) is accepted, not used,
and listed with its line. Any other Flink key ckptsim does not model is refused with its name,
file and line. A `[flink]` key and
the field it sets must not both be given in one file; `--flink-conf` replaces the scenario's
value, as `--set` does (and `--set` comes last).
"#;

/// The whole reference.
pub fn markdown() -> String {
    let all = fields();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Scenario reference\n\nGenerated from the code by `ckptsim reference` (`src/scenario/reference/`): do not edit, \
         rerun the command. `tests/scenario_reference.rs` regenerates this file and \
         `ckptsim-scenario.schema.json` (a JSON Schema for editor completion) and fails when they differ, \
         when a field of the schema is missing here, or when a default below is not the one the code applies.\n\n\
         Each field is written as its path (`--set` takes the same path; an operator may be named: \
         `operators.map.parallelism`). *Scope* says what one value describes: the job, one operator, \
         each subtask, each TaskManager, and so on.\n"
    );
    md.push_str(UNITS);
    for (section, sentence) in sections() {
        let rows: Vec<&Field> = all.iter().filter(|f| f.section() == section).collect();
        let _ = writeln!(md, "\n## {}\n\n{sentence}\n", heading(section));
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "| field | unit | default | scope | Flink key | meaning |\n|---|---|---|---|---|---|"
        );
        for f in rows {
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} | {} |",
                f.doc.path,
                cell(&unit_text(f)),
                cell(&default_text(f.doc.default)),
                cell(f.doc.scope),
                cell(&flink_text(f.doc.path)),
                cell(f.doc.meaning)
            );
        }
    }
    let _ = writeln!(
        md,
        "\n## Flink keys\n\nThe Flink options ckptsim reads under `[flink]` and from `--flink-conf`, the type Flink \
         reads each as, and the field it sets (`[*]`: every entry of that list). Restart options apply only \
         with their `restart-strategy.type`.\n\n| Flink key | older names | type | sets |\n|---|---|---|---|"
    );
    for k in KEYS {
        let older = if k.deprecated.is_empty() {
            "-".to_string()
        } else {
            k.deprecated
                .iter()
                .map(|d| format!("`{d}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | `{}` |",
            k.key,
            older,
            cell(&k.ty.describe()),
            k.path
        );
    }
    md
}
