//! What a task waits to be woken for besides its loop's own wake-up: the input hand-off of an
//! idle task, and its state backend's next background step (changelog uploads,
//! materialization).

use super::Tasks;
use crate::time::SimTime;

impl Tasks {
    /// Task `s` is awake: an input hand-off in progress is over (whichever wake-up came first).
    #[inline]
    pub fn end_input_handoff(&mut self, s: u32) {
        self.tasks[s as usize].input_handoff_until = None;
    }

    /// Starts an input hand-off that wakes idle task `s` at `at`, unless one is pending (it
    /// reads this input too then). Whether one was started. A hand-off that ends `now` is
    /// pending until its wake-up runs: buffers that arrive in the same instant (a source's
    /// last data and its barrier, or several sources' barriers) are read at that wake-up,
    /// and drawing again would replace it with a later one.
    #[inline]
    pub fn start_input_handoff(&mut self, s: u32, now: SimTime, at: impl FnOnce() -> SimTime) -> Option<SimTime> {
        let t = &mut self.tasks[s as usize];
        if t.input_handoff_until.is_some_and(|until| until >= now) {
            return None;
        }
        let at = at();
        t.input_handoff_until = Some(at);
        Some(at)
    }

    /// When task `s`'s state backend wants its next background step, if it has one.
    #[inline]
    pub fn next_backend_step(&mut self, s: u32) -> Option<SimTime> {
        self.tasks[s as usize]
            .backend
            .as_mut()
            .and_then(|b| b.changelog_mut())
            .and_then(|cl| cl.next_wakeup())
    }

    /// Books a backend wake-up of task `s` at `at`, unless one is pending no later. Whether it
    /// was booked (the caller schedules it).
    #[inline]
    pub fn book_backend_wake(&mut self, s: u32, at: SimTime) -> bool {
        let pending = &mut self.backend_wake_at[s as usize];
        if pending.is_some_and(|w| w <= at) {
            return false;
        }
        *pending = Some(at);
        true
    }

    /// A backend wake-up of task `s` fires at `now`: whether it is the one booked (an earlier
    /// one superseded the others). It is no longer pending.
    #[inline]
    pub fn take_backend_wake(&mut self, s: u32, now: SimTime) -> bool {
        let pending = &mut self.backend_wake_at[s as usize];
        if *pending != Some(now) {
            return false;
        }
        *pending = None;
        true
    }

    /// Forgets task `s`'s pending backend wake-up (its backend starts over).
    #[inline]
    pub fn cancel_backend_wake(&mut self, s: u32) {
        self.backend_wake_at[s as usize] = None;
    }
}
