//! How much a scenario may ask of the machine: memory for one run, simulation work for one run,
//! and the size of the scenario file itself. Validation checks each number on its own; these
//! bound what the numbers add up to (see `budget`). The defaults fit a laptop; the command line
//! raises them (`--limit-memory`, `--limit-work`, `--limit-input`).

/// Resource limits a scenario is checked against before anything runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Estimated peak memory of one run.
    pub memory_bytes_max: u64,
    /// Estimated simulation work of one run, in steps (a record through one operator, a barrier
    /// through one channel, a task restarted, a timer fired; a network buffer through a channel
    /// counts as 45).
    pub work_steps_max: u64,
    /// Size of a scenario file: parsing keeps several copies of it, so a huge file is refused
    /// before it is read rather than after it filled the memory.
    pub input_bytes_max: u64,
}

/// 8 GiB: a run estimated above this would swap or abort on most machines.
pub const MEMORY_BYTES_MAX_DEFAULT: u64 = 8 << 30;
/// 2e11 steps: about an hour and a half at the 40 M steps/s the simulator reaches (14-52 M on
/// six bundled scenarios and the scale bench's jobs, 2026-12-07).
pub const WORK_STEPS_MAX_DEFAULT: u64 = 200_000_000_000;
/// 1 MiB: the bundled scenarios are a few KiB; a million-byte sweep list is still allowed.
pub const INPUT_BYTES_MAX_DEFAULT: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes_max: MEMORY_BYTES_MAX_DEFAULT,
            work_steps_max: WORK_STEPS_MAX_DEFAULT,
            input_bytes_max: INPUT_BYTES_MAX_DEFAULT,
        }
    }
}

/// Bytes as text for messages: `6.7 GB`, `512 KB`.
pub fn human_bytes(b: f64) -> String {
    if !b.is_finite() {
        return "an unbounded amount".into();
    }
    let units = [(1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")];
    for (scale, unit) in units {
        if b >= scale {
            return format!("{:.1} {unit}", b / scale);
        }
    }
    format!("{b:.0} B")
}
