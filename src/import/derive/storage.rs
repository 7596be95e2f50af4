//! The `[storage]` section: the profile from the checkpoint path's scheme, request latency and
//! bandwidth fitted on the async durations against the checkpointed sizes.

use crate::metrics::flink_resolution::unfloored_estimate_ms;

use super::super::ImportError;
use super::super::fit::{self, median};
use super::super::layout::Layout;
use super::super::write::{Section, bytes_per_s, ms, quote};
use super::{Ctx, channel_files};

pub(super) fn storage(cx: &Ctx) -> Result<Section, ImportError> {
    let path = history_path(cx.layout)?;
    let mut st = Section::new("[storage]");
    let files = if cx.cc.unaligned {
        channel_files::points(cx)
    } else {
        Vec::new()
    };
    let points = if files.is_empty() {
        // Async duration against checkpointed size, over every acknowledging subtask.
        st.note(format!(
            "Fitted by least squares: async_ms = request_latency + checkpointed_size / bandwidth over {} subtask acks ({} checkpoint.async + 0.5 ms, as REST floors it, against checkpointed_size).",
            cx.data.iter().map(|v| v.acks.len()).sum::<usize>(),
            cx.subs
        ));
        cx.data
            .iter()
            .flat_map(|v| {
                v.acks
                    .iter()
                    .map(|a| (a.checkpointed_size, unfloored_estimate_ms(a.async_ms)))
            })
            .collect()
    } else {
        st.note(format!(
            "Unaligned checkpoints share one channel-state file per TaskManager and up to 5 subtasks: fitted by least squares over {} (file, member) points,",
            files.len()
        ));
        st.note(format!(
            "the file's bytes (sum of alignment.persisted) against the end of async of a member without operator state of its own, after the last member's hand-over (start_delay + sync + alignment) ({}).",
            cx.subs
        ));
        files
    };
    st.note("The async phase also holds the heap backend's serialization: it is folded in here (see [state_backend]).");
    profile(&mut st, cx, path.as_deref());
    let subtasks: u32 = cx.job.vertices.iter().map(|v| v.parallelism).sum();
    latency_and_bandwidth(&mut st, &points, subtasks);
    // The fit's intercept is every fixed cost of an upload the job showed, its sync on close
    // among them: a profile's own sync would count it twice.
    st.put(
        "sync_latency",
        ms(0.0),
        "held by request_latency, which is fitted on whole upload durations: every fixed cost of an upload, the sync on close among them",
    );
    Ok(st)
}

fn profile(st: &mut Section, cx: &Ctx, path: Option<&str>) {
    let profile = match path {
        Some(p) if p.starts_with("s3") => "s3",
        Some(p) if p.starts_with("hdfs") => "hdfs",
        Some(p) if p.starts_with("file") => "local-disk",
        _ => "hdfs",
    };
    match path {
        Some(p) => st.put(
            "profile",
            quote(profile),
            format!(
                "the scheme of /jobs/{}/checkpoints history[].external_path ({})",
                cx.j,
                scheme(p)
            ),
        ),
        None => st.assume("profile", quote(profile), "no external_path in the history"),
    };
}

fn latency_and_bandwidth(st: &mut Section, points: &[(f64, f64)], subtasks: u32) {
    let line = fit::least_squares(points);
    match line {
        Some(line) if line.slope > 0.0 && line.slope_is_determined() => {
            let bw = 1000.0 / line.slope; // ms per byte -> bytes per second
            st.put(
                "request_latency",
                ms(line.intercept),
                format!(
                    "least-squares intercept {:.3} ms{}",
                    line.intercept,
                    if line.intercept < 0.0 { ", clamped at 0" } else { "" }
                ),
            )
            .put(
                "per_request_bandwidth",
                bytes_per_s(bw),
                format!("1 / least-squares slope ({:.3e} ms/B): one upload's speed", line.slope),
            )
            .put(
                "bandwidth",
                bytes_per_s(bw * subtasks as f64),
                format!("per_request_bandwidth x {subtasks} subtasks: they all uploaded at once, each at that speed"),
            );
        }
        _ => {
            let m = median(&points.iter().map(|p| p.1).collect::<Vec<_>>()).unwrap_or(0.0);
            let why = match line {
                Some(l) => format!(
                    "the sizes spread too little for their noise: slope {:.3e} ms/B, standard error {:.3e}, intercept {:.3} ms",
                    l.slope, l.slope_std_error, l.intercept
                ),
                None => "the sizes do not spread".to_string(),
            };
            st.put(
                "request_latency",
                ms(m),
                format!("median of the fitted durations: {why}, so no bandwidth can be fitted and the profile's stays"),
            );
        }
    }
}

fn scheme(p: &str) -> String {
    p.split(':').next().unwrap_or(p).to_string() + ":"
}

fn history_path(layout: &Layout) -> Result<Option<String>, ImportError> {
    let doc = layout.read(&layout.checkpoints())?;
    for e in doc.root().get("history")?.items()?.iter().rev() {
        if let Some(p) = e.opt("external_path") {
            return Ok(Some(p.str()?.to_string()));
        }
    }
    Ok(None)
}
