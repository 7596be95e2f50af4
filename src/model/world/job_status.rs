//! The job's terminal states. A job that reaches one is no longer simulated: the run ends there.

use super::World;
use crate::time::SimTime;

impl World {
    /// The restart strategy refused a restart: as Flink's `DefaultScheduler` does with an
    /// unrecoverable `FailureHandlingResult`, the job goes FAILING, every task is cancelled (not
    /// only the failover region), and the job is FAILED.
    pub(crate) fn fail_job(&mut self, now: SimTime) {
        if self.jm.job_failed_at().is_some() {
            return;
        }
        let out = self.jm.stop_checkpoint_scheduler(now);
        self.apply_coordinator_actions(out);
        let all: Vec<u32> = self.tasks.subtasks().collect();
        self.kill_tasks(now, &all);
        self.jm.job_failed(now);
    }

    /// When the job failed for good (the restart strategy gave up).
    pub fn job_failed_at(&self) -> Option<SimTime> {
        self.jm.job_failed_at()
    }
}
