//! The faults of a run, as one component: the scenario's fault schedule (failures at instants,
//! and windows during which a condition holds) plus the failures a test plans. Failures are
//! handed to the failover life cycle when they strike; window edges go to the components whose
//! conditions they change (the storage, the network); the TaskManagers' slowdowns are read here
//! when a task's work is timed.

use crate::model::faults::{Fault, FaultEvent, FaultSchedule};
use crate::time::SimTime;

pub(crate) struct FaultInjector {
    schedule: FaultSchedule,
    /// Failures planned by the schedule or a test, in time order once the run starts.
    planned: Vec<FaultEvent>,
}

impl FaultInjector {
    pub fn new(schedule: FaultSchedule) -> Self {
        FaultInjector {
            schedule,
            planned: Vec::new(),
        }
    }

    /// A test plans a failure.
    pub fn plan(&mut self, fault: FaultEvent) {
        self.planned.push(fault);
    }

    /// At the start: the window edges to schedule (in the schedule's order), after which the
    /// planned failures, the schedule's and the test's, are in time order (stable: faults at one
    /// instant keep their order) and numbered by their position.
    pub fn start(&mut self) -> Vec<FaultEvent> {
        let mut windows = Vec::new();
        for e in self.schedule.events.clone() {
            match e.kind {
                Fault::WindowBegin { .. } | Fault::WindowEnd { .. } => windows.push(e),
                _ => self.planned.push(e),
            }
        }
        self.planned.sort_by_key(|f| f.at);
        windows
    }

    pub fn planned(&self) -> &[FaultEvent] {
        &self.planned
    }

    pub fn fault(&self, index: u32) -> Fault {
        self.planned[index as usize].kind
    }

    /// Whether some condition window holds at `now`.
    pub fn window_active(&self, now: SimTime) -> bool {
        self.schedule.windows.iter().any(|w| w.start <= now && now < w.end)
    }

    /// Whether any condition window exists (else no slowdown is ever read).
    #[inline]
    pub fn has_windows(&self) -> bool {
        !self.schedule.windows.is_empty()
    }

    /// Service-time factor of a straggling TaskManager at `now` (1 when none is slow).
    #[inline]
    pub fn service_slowdown(&self, taskmanager: u32, now: SimTime) -> f64 {
        if self.schedule.windows.is_empty() {
            return 1.0;
        }
        self.schedule.service_slowdown(taskmanager, now)
    }

    /// Local-disk slowdown of a TaskManager at `now` (1 when its disk is fine).
    #[inline]
    pub fn disk_slowdown(&self, taskmanager: u32, now: SimTime) -> f64 {
        if self.schedule.windows.is_empty() {
            return 1.0;
        }
        self.schedule.disk_slowdown(taskmanager, now)
    }
}
