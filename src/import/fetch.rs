//! Fetching a job's REST responses into the [`Layout`] directory: plain
//! HTTP/1.1 GETs over a `TcpStream` (Flink's REST endpoint speaks plain HTTP; no TLS here).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use super::ImportError;
use super::layout::{Doc, Layout};

/// Bytes of one response at most: a REST response of a large job's checkpoint details is a
/// few MB.
const RESPONSE_BYTES_MAX: u64 = 64 << 20;

/// `http://host:port` split into `(host:port, base path)`.
fn parse_base(rest: &str) -> Result<(String, String), ImportError> {
    let err = |m: &str| ImportError::Fetch {
        url: rest.to_string(),
        message: m.to_string(),
    };
    let body = rest
        .strip_prefix("http://")
        .ok_or_else(|| err("only http:// addresses (Flink's REST endpoint without TLS)"))?;
    let (host, path) = match body.find('/') {
        Some(i) => (&body[..i], body[i..].trim_end_matches('/')),
        None => (body, ""),
    };
    if host.is_empty() {
        return Err(err("no host"));
    }
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    Ok((host, path.to_string()))
}

/// GET `base/path`, the body as text; any status but 200 is an error naming the URL.
pub fn get(rest: &str, path: &str) -> Result<String, ImportError> {
    let (host, base) = parse_base(rest)?;
    let url = format!("{}/{path}", rest.trim_end_matches('/'));
    let fail = |m: String| ImportError::Fetch {
        url: url.clone(),
        message: m,
    };
    let mut conn = TcpStream::connect(&host).map_err(|e| fail(format!("connect: {e}")))?;
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let host_name = host.split(':').next().unwrap_or(&host);
    let req = format!(
        "GET {base}/{path} HTTP/1.1\r\nHost: {host_name}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(req.as_bytes()).map_err(|e| fail(format!("send: {e}")))?;
    let mut raw = Vec::new();
    conn.take(RESPONSE_BYTES_MAX)
        .read_to_end(&mut raw)
        .map_err(|e| fail(format!("read: {e}")))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| fail("no HTTP header".into()))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status = head.lines().next().unwrap_or("");
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(fail(format!("answered `{status}`")));
    }
    if head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.to_ascii_lowercase().contains("chunked"))
    {
        body = dechunk(&body).ok_or_else(|| fail("bad chunked encoding".into()))?;
    }
    String::from_utf8(body).map_err(|_| fail("body is not UTF-8".into()))
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..nl]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[nl + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

fn save(layout: &Layout, rest: &str, path: &str) -> Result<Doc, ImportError> {
    let text = get(rest, path)?;
    let file = layout.file(path);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ImportError::Io {
            file: dir.to_path_buf(),
            source: e,
        })?;
    }
    std::fs::write(&file, &text).map_err(|e| ImportError::Io {
        file: file.clone(),
        source: e,
    })?;
    Doc::read(&file, path)
}

/// Fetches every response `import` reads for job `job_id` from `rest` into `dir`, in the
/// layout `import` reads, and returns the layout. The metrics are sampled once.
pub fn fetch(rest: &str, job_id: &str, dir: &Path) -> Result<Layout, ImportError> {
    let layout = Layout {
        dir: dir.to_path_buf(),
        job_id: job_id.to_string(),
    };
    let job = save(&layout, rest, &layout.job())?;
    let vids: Vec<String> = job
        .root()
        .get("vertices")?
        .items()?
        .iter()
        .map(|v| v.get("id").and_then(|i| i.str().map(str::to_string)))
        .collect::<Result<_, _>>()?;
    save(&layout, rest, &layout.job_config())?;
    save(&layout, rest, &layout.checkpoint_config())?;
    let _ = save(&layout, rest, Layout::JOBMANAGER_CONFIG);
    let hist = save(&layout, rest, &layout.checkpoints())?;
    let mut cids = Vec::new();
    for e in hist.root().get("history")?.items()? {
        if super::rest_model::entry_kind(&e)? == "completed" {
            cids.push(e.get("id")?.u64()?);
        }
    }
    for cid in cids {
        save(&layout, rest, &layout.details(cid))?;
        for vid in &vids {
            save(&layout, rest, &layout.subtask_details(cid, vid))?;
        }
    }
    for vid in &vids {
        save(&layout, rest, &layout.vertex(vid))?;
        save(&layout, rest, &layout.metrics_query(vid))?;
    }
    Ok(layout)
}
