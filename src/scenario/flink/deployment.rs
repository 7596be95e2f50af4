//! Flink options that say where and how a cluster is deployed (addresses, ports, process memory,
//! security, logging, high availability, the web UI), not how its jobs checkpoint. Flink's own
//! `config.yaml` sets several of them, so a file taken from a running cluster would otherwise be
//! refused at its first line. They are set aside and listed, never applied. Any other option
//! ckptsim does not model is still refused: an option that might change checkpointing must not
//! pass unseen.

/// Option prefixes (or whole names) with no bearing on what ckptsim models, and why. A modelled
/// option is looked up first, so `web.checkpoints.history` is still read.
const DEPLOYMENT: &[(&str, &str)] = &[
    ("jobmanager.rpc.", "the JobManager's address"),
    ("jobmanager.bind-host", "the JobManager's address"),
    ("taskmanager.bind-host", "a TaskManager's address"),
    ("taskmanager.host", "a TaskManager's address"),
    ("rest.", "the REST endpoint"),
    ("web.", "the web UI"),
    ("jobmanager.memory.", "the JobManager's process memory"),
    (
        "taskmanager.memory.process.size",
        "a TaskManager's process memory (ckptsim takes network buffers and state backend sizes as their own options)",
    ),
    (
        "taskmanager.memory.flink.size",
        "a TaskManager's Flink memory (ckptsim takes network buffers and state backend sizes as their own options)",
    ),
    ("env.", "the JVM's environment"),
    ("security.", "security"),
    ("metrics.", "metric reporters"),
    ("blob.", "the BLOB server"),
    ("io.tmp.dirs", "local directories"),
    ("classloader.", "class loading"),
    ("high-availability.", "the high-availability services' location"),
    ("kubernetes.", "the Kubernetes deployment"),
    ("yarn.", "the YARN deployment"),
    ("historyserver.", "the history server"),
    ("jobmanager.archive.", "the history server's archive"),
    ("execution.target", "the deployment target"),
    ("execution.attached", "the client"),
    ("execution.shutdown-on-attached-exit", "the client"),
    ("pipeline.name", "the job's name"),
    ("pipeline.jars", "the job's jars"),
    ("pipeline.classpaths", "the job's class path"),
    (
        "parallelism.default",
        "the default parallelism (ckptsim sets each operator's: `operators[].parallelism`)",
    ),
];

/// Why option `key` has no bearing on what ckptsim models, if it is a deployment option.
pub fn set_aside_reason(key: &str) -> Option<&'static str> {
    DEPLOYMENT
        .iter()
        // A prefix ending in `.` covers every option under it; a whole name covers itself and
        // the options under it.
        .find(|(prefix, _)| {
            key.strip_prefix(prefix)
                .is_some_and(|rest| prefix.ends_with('.') || rest.is_empty() || rest.starts_with('.'))
        })
        .map(|(_, why)| *why)
}

/// A Flink option set aside: its key, the line of the file it is on, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub file: String,
    pub key: String,
    pub line: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for SetAside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` not used: {}",
            self.file, self.line, self.key, self.reason
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_options_are_set_aside_and_others_are_not() {
        assert_eq!(set_aside_reason("rest.port"), Some("the REST endpoint"));
        assert_eq!(
            set_aside_reason("jobmanager.rpc.address"),
            Some("the JobManager's address")
        );
        assert!(set_aside_reason("taskmanager.memory.process.size").is_some());
        assert!(set_aside_reason("parallelism.default").is_some());
        // A name that only starts like one of them is not one.
        assert_eq!(set_aside_reason("execution.targetx"), None);
        assert_eq!(set_aside_reason("rest"), None);
        // Options that may change checkpointing stay refused.
        assert_eq!(set_aside_reason("taskmanager.memory.managed.fraction"), None);
        assert_eq!(set_aside_reason("state.backend.rocksdb.block.cache-size"), None);
        assert_eq!(set_aside_reason("execution.checkpointing.dir"), None);
    }
}
