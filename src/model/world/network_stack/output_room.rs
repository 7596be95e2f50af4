//! Where a source's batch must end for its output: Flink's task checks its output's
//! availability before every record (`StreamTask.processInput` asks `taskIsAvailable()` after
//! each one) and so stops right after the record that took its pool's last buffer, or brought a
//! subpartition to `max-buffers-per-channel`. A source here reads its records in batches of
//! about a buffer's worth and checks before each batch, so without this a back-pressured
//! source wrote on past that record, about half a batch more into its subpartitions than
//! Flink's (f06: 0.3 buffers of in-flight data per source, and a smooth spread of it where
//! Flink's clusters at whole buffers). [`OutputRoom`] writes a batch's records into a copy of
//! the channels' fill levels, by the rules of [`Network::write_record`], and says where the
//! output runs out; the batch ends there, and the next one starts once the output has room,
//! as Flink's source resumes.

use super::Network;
use crate::model::key_groups::key_to_subtask;

/// One channel's buffer being filled, and the buffers of the pool it holds, as
/// [`Network::write_record`] would change them.
#[derive(Clone, Copy, Debug)]
struct Fill {
    /// The buffer being filled holds records.
    open: bool,
    bytes: u32,
    /// Where the buffer is finished (the segment, or the debloated size).
    size: u32,
    /// Buffers of the pool the channel holds ([`crate::model::network::ProducerEnd::usage`]).
    usage: u32,
}

/// The room left in the output pool of a task with one forward or hash output edge.
#[derive(Debug)]
pub(crate) struct OutputRoom {
    /// A hash edge's consumer max parallelism and parallelism; `None` for a forward edge.
    hash: Option<(u32, u32)>,
    fills: Vec<Fill>,
    used: u32,
    pool: u32,
    cap: u32,
    channels_at_cap: u32,
    records_per_bundle: u32,
}

impl Network {
    /// The room in producer `s`'s pool of its only output edge, whose channels are
    /// `first_channel` and the `channels - 1` after it.
    pub(crate) fn output_room(
        &self,
        s: u32,
        first_channel: u32,
        channels: u32,
        hash: Option<(u32, u32)>,
    ) -> OutputRoom {
        debug_assert_eq!(self.outputs[s as usize].used.len(), 1, "one output edge");
        let fills = (first_channel..first_channel + channels)
            .map(|ch| {
                let c = &self.prod[ch as usize];
                Fill {
                    open: !c.builder.is_empty(),
                    bytes: c.builder_bytes,
                    size: if c.buffer_size == 0 {
                        self.set.segment_bytes
                    } else {
                        c.buffer_size
                    },
                    usage: c.usage(),
                }
            })
            .collect();
        let o = &self.outputs[s as usize];
        OutputRoom {
            hash,
            fills,
            used: o.used[0],
            pool: self.set.pool_size[s as usize][0],
            cap: self.set.max_buffers_per_channel,
            channels_at_cap: o.channels_at_cap[0],
            records_per_bundle: self.set.records_per_bundle,
        }
    }
}

impl OutputRoom {
    /// Writes a record of `bytes` with `key` into the copy: whether the output is still
    /// available after it ([`Network::output_available`]).
    pub(crate) fn write(&mut self, key: u32, bytes: u32) -> bool {
        let i = match self.hash {
            None => 0,
            Some((max_parallelism, parallelism)) => key_to_subtask(key, max_parallelism, parallelism) as usize,
        };
        let f = &mut self.fills[i];
        if !f.open {
            // A buffer's first record takes a buffer of the pool.
            f.open = true;
            f.usage += 1;
            self.used += 1;
            if f.usage == self.cap {
                self.channels_at_cap += 1;
            }
        }
        f.bytes += bytes;
        if f.bytes + super::send::bundle_slack_bytes(bytes, self.records_per_bundle) >= f.size {
            // Finished: the buffer waits in the queue, still the channel's.
            f.open = false;
            f.bytes = 0;
        }
        self.used < self.pool && self.channels_at_cap == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(fills: Vec<Fill>, used: u32, pool: u32) -> OutputRoom {
        OutputRoom {
            hash: None,
            fills,
            used,
            pool,
            cap: 10,
            channels_at_cap: 0,
            records_per_bundle: 1,
        }
    }

    fn fill(open: bool, bytes: u32, usage: u32) -> Fill {
        Fill {
            open,
            bytes,
            size: 1000,
            usage,
        }
    }

    #[test]
    fn the_record_that_opens_a_buffer_in_a_full_pool_is_the_last() {
        // 11 of 12 buffers used, the channel's buffer being filled finished by the third record:
        // the fourth opens the last buffer, and the output is unavailable after it.
        let mut r = room(vec![fill(true, 700, 3)], 11, 12);
        assert!(r.write(1, 100));
        assert!(r.write(1, 100));
        assert!(r.write(1, 100), "finishing a buffer takes none");
        assert!(!r.write(1, 100), "the next record takes the pool's last buffer");
    }

    #[test]
    fn a_channel_at_its_cap_stops_the_output() {
        let mut r = room(vec![fill(false, 0, 9)], 9, 100);
        assert!(!r.write(1, 100), "the tenth buffer of one channel");
    }
}
