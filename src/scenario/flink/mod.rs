//! Flink's own syntax for values: durations as `TimeUtils.parseDuration` reads them (`1 min`,
//! `30 s`, a bare number of milliseconds) and memory sizes as `MemorySize.parse` reads them
//! (`32 kb` = 32,768 bytes).

pub mod duration;
pub mod memory;
