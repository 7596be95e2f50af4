//! `[storage]`: the checkpoint storage a profile names, with per-field overrides.

use crate::sim::dist::{Bytes, DurationDist, Rate};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageCfg {
    /// `local-disk`, `local-page-cache`, `hdfs` or `s3` (`vocab::STORAGE_PROFILES`); the fields
    /// below override the profile's values.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Latency before an upload starts moving bytes (connection, request, first byte).
    pub request_latency: Option<DurationDist>,
    /// Aggregate bandwidth shared by all concurrent uploads.
    pub bandwidth: Option<Rate>,
    /// Cap on the bandwidth of a single upload.
    pub per_request_bandwidth: Option<Rate>,
    /// Time to write the checkpoint's `_metadata` file on completion.
    pub metadata_latency: Option<DurationDist>,
    /// Time to force a closed state file to the device after its bytes (Flink syncs every
    /// file-backed checkpoint stream it closes).
    pub sync_latency: Option<DurationDist>,
    /// Whether a request's latency is CPU of the writing thread (a local file system) rather
    /// than a wait (a remote store); the profile says which by default.
    pub request_latency_is_cpu: Option<bool>,
    /// State at or below this size is inlined into the metadata instead of uploaded
    /// (`execution.checkpointing.data-inline-threshold`, 20 KiB).
    #[serde(default = "default_inline")]
    pub inline_threshold: Bytes,
}

fn default_profile() -> String {
    "hdfs".into()
}
fn default_inline() -> Bytes {
    Bytes::new(20.0 * 1024.0)
}

impl Default for StorageCfg {
    fn default() -> Self {
        StorageCfg {
            profile: default_profile(),
            request_latency: None,
            bandwidth: None,
            per_request_bandwidth: None,
            metadata_latency: None,
            sync_latency: None,
            request_latency_is_cpu: None,
            inline_threshold: default_inline(),
        }
    }
}
