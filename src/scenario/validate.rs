//! Range and reference checks that serde cannot express. Returns the first problem as
//! (dotted field path, message); the loader turns the path into a line number.

use super::schema::*;
use crate::time::NS_PER_MS;

type Problem = (String, String);

fn fail<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, Problem> {
    Err((path.into(), msg.into()))
}

/// Upper bounds keep a typo from asking for a run that cannot fit in memory.
pub const PARALLELISM_MAX: u32 = 4096;
pub const KEY_COUNT_MAX: u64 = 50_000_000;

pub fn validate(s: &Scenario) -> Result<(), Problem> {
    if s.simulation.duration.value < 1.0 {
        return fail("simulation.duration", "must be > 0");
    }
    if s.simulation.warmup.value >= s.simulation.duration.value {
        return fail("simulation.warmup", "must be shorter than simulation.duration");
    }
    validate_checkpoint(&s.checkpoint)?;
    validate_cluster(s)?;
    validate_network(&s.network)?;
    validate_storage(&s.storage)?;
    validate_operators(s)
}

fn validate_checkpoint(c: &CheckpointCfg) -> Result<(), Problem> {
    if let Some(i) = &c.interval {
        if i.value < NS_PER_MS as f64 {
            return fail(
                "checkpoint.interval",
                "must be at least 1ms (Flink's minimum checkpoint interval is 10ms)",
            );
        }
    }
    if c.timeout.value < NS_PER_MS as f64 {
        return fail("checkpoint.timeout", "must be at least 1ms");
    }
    if c.max_concurrent == 0 {
        return fail("checkpoint.max_concurrent", "must be at least 1");
    }
    if c.num_retained == 0 {
        return fail("checkpoint.num_retained", "must be at least 1");
    }
    Ok(())
}

fn validate_cluster(s: &Scenario) -> Result<(), Problem> {
    let c = &s.cluster;
    if c.taskmanagers == 0 {
        return fail("cluster.taskmanagers", "must be at least 1");
    }
    if c.slots_per_taskmanager == 0 {
        return fail("cluster.slots_per_taskmanager", "must be at least 1");
    }
    let max_par = s.operators.iter().map(|o| o.parallelism).max().unwrap_or(1);
    let slots = c.taskmanagers as u64 * c.slots_per_taskmanager as u64;
    if slots < max_par as u64 {
        return fail(
            "cluster.taskmanagers",
            format!(
                "{slots} slots cannot host the highest parallelism {max_par} (slot sharing needs one slot per parallel pipeline)"
            ),
        );
    }
    Ok(())
}

fn validate_network(n: &NetworkCfg) -> Result<(), Problem> {
    if !(64.0..=(1u64 << 30) as f64).contains(&n.segment_size.value) {
        return fail("network.segment_size", "must be between 64B and 1GiB");
    }
    if n.buffers_per_channel == 0 {
        return fail(
            "network.buffers_per_channel",
            "must be at least 1 (a channel without credit never sends)",
        );
    }
    if n.max_buffers_per_channel == 0 {
        return fail("network.max_buffers_per_channel", "must be at least 1");
    }
    if n.remote_bandwidth.value <= 0.0 {
        return fail("network.remote_bandwidth", "must be > 0");
    }
    Ok(())
}

fn validate_storage(st: &StorageCfg) -> Result<(), Problem> {
    if crate::model::storage::StorageProfile::named(&st.profile).is_none() {
        return fail(
            "storage.profile",
            format!("unknown profile `{}` (use local-disk, hdfs or s3)", st.profile),
        );
    }
    for (name, r) in [
        ("storage.bandwidth", &st.bandwidth),
        ("storage.per_request_bandwidth", &st.per_request_bandwidth),
    ] {
        if let Some(r) = r {
            if r.value <= 0.0 {
                return fail(name, "must be > 0");
            }
        }
    }
    Ok(())
}

fn validate_operators(s: &Scenario) -> Result<(), Problem> {
    if s.operators.is_empty() {
        return fail("operators", "a job needs at least one operator");
    }
    if !s.operators.iter().any(|o| o.kind == OperatorKind::Source) {
        return fail("operators", "a job needs at least one operator with kind = \"source\"");
    }
    for (i, op) in s.operators.iter().enumerate() {
        let p = |f: &str| format!("operators[{i}].{f}");
        if op.name.is_empty() {
            return fail(p("name"), "must not be empty");
        }
        if s.operators[..i].iter().any(|o| o.name == op.name) {
            return fail(p("name"), format!("`{}` is used by an earlier operator", op.name));
        }
        if op.parallelism == 0 || op.parallelism > PARALLELISM_MAX {
            return fail(p("parallelism"), format!("must be between 1 and {PARALLELISM_MAX}"));
        }
        match op.kind {
            OperatorKind::Source => validate_source(op, &p)?,
            _ => {
                if op.inputs.is_empty() {
                    return fail(
                        p("inputs"),
                        format!("a {:?} needs at least one input", op.kind).to_lowercase(),
                    );
                }
                for field in [
                    ("rate", op.rate.is_some()),
                    ("keys", op.keys.is_some()),
                    ("max_records", op.max_records.is_some()),
                    ("record_size", op.record_size.is_some()),
                ] {
                    if field.1 {
                        return fail(p(field.0), "only sources take this field");
                    }
                }
            }
        }
        for (j, input) in op.inputs.iter().enumerate() {
            let ip = format!("operators[{i}].inputs[{j}].from");
            let Some(up) = s.operators[..i].iter().find(|o| o.name == input.from) else {
                let later = s.operators[i..].iter().any(|o| o.name == input.from);
                return fail(
                    ip,
                    if later {
                        format!(
                            "`{}` must be defined before `{}` (operators are listed upstream first)",
                            input.from, op.name
                        )
                    } else {
                        format!("no operator named `{}`", input.from)
                    },
                );
            };
            if up.kind == OperatorKind::Sink {
                return fail(ip, format!("`{}` is a sink and has no output", up.name));
            }
            if input.partitioning == Partitioning::Forward && up.parallelism != op.parallelism {
                return fail(
                    format!("operators[{i}].inputs[{j}].partitioning"),
                    format!(
                        "forward needs equal parallelism, but `{}` has {} and `{}` has {}",
                        up.name, up.parallelism, op.name, op.parallelism
                    ),
                );
            }
        }
        if let Some(b) = &op.state.bytes_per_key {
            if b.value > 1e9 {
                return fail(p("state.bytes_per_key"), "must be at most 1GB");
            }
        }
    }
    Ok(())
}

fn validate_source(op: &OperatorCfg, p: &dyn Fn(&str) -> String) -> Result<(), Problem> {
    if !op.inputs.is_empty() {
        return fail(p("inputs"), "a source takes no inputs");
    }
    let Some(rate) = &op.rate else {
        return fail(
            p("rate"),
            "a source needs a rate, e.g. { process = \"poisson\", records_per_second = 1000 }",
        );
    };
    if !(rate.records_per_second > 0.0 && rate.records_per_second <= 1e9) {
        return fail(p("rate.records_per_second"), "must be > 0 and at most 1e9");
    }
    match rate.process {
        ArrivalProcess::Bursts => {
            if rate.on.is_none() || rate.off.is_none() {
                return fail(p("rate"), "process = \"bursts\" needs `on` and `off` durations");
            }
            if rate.on.as_ref().is_some_and(|d| d.dist.mean() <= 0.0) {
                return fail(p("rate.on"), "must have a mean > 0");
            }
        }
        _ => {
            if rate.on.is_some() || rate.off.is_some() {
                return fail(p("rate"), "`on` and `off` only apply to process = \"bursts\"");
            }
        }
    }
    if let Some(size) = &op.record_size {
        if size.dist.mean() < 1.0 {
            return fail(p("record_size"), "records must have at least 1 byte on average");
        }
    }
    if let Some(k) = &op.keys {
        if k.count == 0 || k.count > KEY_COUNT_MAX {
            return fail(p("keys.count"), format!("must be between 1 and {KEY_COUNT_MAX}"));
        }
        if !(k.exponent > 0.0 && k.exponent.is_finite()) {
            return fail(p("keys.exponent"), "must be > 0");
        }
    }
    Ok(())
}
