//! How the JobManager brings failed tasks back, as one component: the failover strategy that
//! names the tasks to restart (`jobmanager.execution.failover-strategy`), the deployment time,
//! where restored state is read from and how fast (`[recovery]`), and the random stream both
//! the restart strategy and the deployment draw from.

use crate::model::config::RecoverySettings;
use crate::model::graph::JobGraph;
use crate::model::regions::FailoverStrategy;
use crate::sim::RngStream;

pub(crate) struct Redeployment {
    strategy: FailoverStrategy,
    settings: RecoverySettings,
    rng: RngStream,
}

impl Redeployment {
    pub fn new(settings: RecoverySettings, graph: &JobGraph, rng: RngStream) -> Self {
        Redeployment {
            strategy: FailoverStrategy::new(settings.failover, graph),
            settings,
            rng,
        }
    }

    /// Replaces the recovery settings (and the failover strategy they name).
    pub fn set_settings(&mut self, settings: RecoverySettings, graph: &JobGraph) {
        self.strategy = FailoverStrategy::new(settings.failover, graph);
        self.settings = settings;
    }

    /// Tasks to restart: the failover strategy's answer, or everything for a global failover
    /// (`failed` empty) of a job of `tasks` subtasks.
    pub fn restart_set(&self, failed: &[u32], tasks: u32) -> Vec<u32> {
        if failed.is_empty() {
            return (0..tasks).collect();
        }
        let failed: Vec<crate::ids::SubtaskId> = failed.iter().map(|s| crate::ids::SubtaskId(*s)).collect();
        self.strategy
            .tasks_to_restart_all(&failed)
            .into_iter()
            .map(|s| s.0)
            .collect()
    }

    /// The stream the restart strategy draws its backoff jitter from.
    pub fn rng_mut(&mut self) -> &mut RngStream {
        &mut self.rng
    }

    /// How long deploying one task takes.
    pub fn deploy_ns(&mut self) -> u64 {
        self.settings.deploy.sample_u64(&mut self.rng)
    }

    /// How long a failed task takes to report its failure to the JobManager.
    pub fn task_failure_report_ns(&mut self) -> u64 {
        self.settings.task_failure_report.sample_u64(&mut self.rng)
    }

    /// The rate at which a task reads its state back: from local disk when local recovery is on
    /// and its TaskManager kept the copy, else the fixed restore rate if one is set (`None`:
    /// download through the checkpoint storage, sharing its bandwidth).
    pub fn restore_rate(&self, local_copy_exists: bool) -> Option<f64> {
        if self.settings.local_recovery && local_copy_exists {
            Some(self.settings.local_restore_bytes_per_s)
        } else {
            self.settings.restore_bytes_per_s
        }
    }
}
