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
//! as Flink's source resumes. While the batch is too small to run the output out ([`Bound`]),
//! its records are only counted, not written into the copy.

use super::Network;
use crate::model::key_groups::key_to_subtask;
use crate::model::records::Record;

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
    /// While `Some`, the batch's records have not been written into `fills` yet: see
    /// [`Bound`].
    bound: Option<Bound>,
}

/// What the batch's records could at most have taken from the pool, from their count and bytes
/// alone. A source's output is far from full most of the time, and then no record of a batch
/// can be the one that takes the pool's last buffer: the copy's per-record write (a key-group
/// hash and a fill level each) is skipped until this bound no longer rules that out, and the
/// records read so far are then written into the copy at once, so the answer is the same.
///
/// A record takes a buffer only when its channel's buffer being filled holds none: a channel
/// closed at the batch's start, or one whose buffer a record of the batch finished. A buffer
/// finishes once its bytes reach its size (record by record), or two thirds of it (a bundle
/// finishes it up to half a record early: [`super::send::bundle_slack_bytes`]). So `F`, the
/// buffers the batch finished, is at most the bytes of the buffers being filled at the start
/// plus those of the batch's records, divided by the smallest buffer size (by two thirds of it
/// with bundles). After `k` records the pool lost at most `min(k, closed + F)` buffers and no
/// channel gained more than `1 + F`. Both conditions come down to limits on `k` and on the
/// batch's bytes, worked out once per batch.
#[derive(Clone, Copy, Debug)]
struct Bound {
    /// With at most this many records, the pool cannot have run out.
    records_limit: i64,
    /// With at most this many bytes, the pool cannot have run out whatever the records' count.
    pool_bytes_limit: i64,
    /// With at most this many bytes, no channel can have reached its cap of buffers.
    cap_bytes_limit: i64,
    records: i64,
    bytes: i64,
}

impl Bound {
    fn of(fills: &[Fill], (used, pool): (u32, u32), cap: u32, channels_at_cap: u32, per_bundle: u32) -> Bound {
        let closed = fills.iter().filter(|f| !f.open).count() as i64;
        let open_bytes: i64 = fills.iter().map(|f| f.bytes as i64).sum();
        let max_usage = fills.iter().map(|f| f.usage as i64).max().unwrap_or(0);
        let min_size = fills.iter().map(|f| f.size.max(1) as i64).min().unwrap_or(1);
        // The most bytes (the start's included) with which at most `f` buffers can finish.
        let filled_limit = |f: i64| match f {
            ..0 => -1,
            f if per_bundle <= 1 => min_size * (f + 1) - 1,
            f => (2 * min_size * (f + 1) - 1) / 3,
        };
        let free = pool as i64 - used as i64;
        Bound {
            records_limit: free - 1,
            pool_bytes_limit: filled_limit(free - closed - 1) - open_bytes,
            cap_bytes_limit: if channels_at_cap > 0 {
                -1
            } else {
                filled_limit(cap as i64 - 2 - max_usage) - open_bytes
            },
            records: 0,
            bytes: 0,
        }
    }

    /// Whether the output is certainly still available after the record of `bytes` just read,
    /// whichever channels the batch's records went to.
    #[inline]
    fn still_available(&mut self, bytes: u32) -> bool {
        self.records += 1;
        self.bytes += bytes as i64;
        self.bytes <= self.cap_bytes_limit
            && (self.records <= self.records_limit || self.bytes <= self.pool_bytes_limit)
    }
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
                    size: c.buffer_bytes(self.set.segment_bytes),
                    usage: c.usage(),
                }
            })
            .collect();
        let o = &self.outputs[s as usize];
        OutputRoom::new(
            hash,
            fills,
            (o.used[0], self.set.pool_size[s as usize][0]),
            self.set.max_buffers_per_channel,
            o.channels_at_cap[0],
            self.set.records_per_bundle,
        )
    }
}

impl OutputRoom {
    /// The copy of an output whose channels' buffers are `fills`, with `(used, pool)` buffers of
    /// its pool, at most `cap` per channel.
    fn new(
        hash: Option<(u32, u32)>,
        fills: Vec<Fill>,
        (used, pool): (u32, u32),
        cap: u32,
        channels_at_cap: u32,
        records_per_bundle: u32,
    ) -> OutputRoom {
        let bound = Bound::of(&fills, (used, pool), cap, channels_at_cap, records_per_bundle);
        OutputRoom {
            hash,
            fills,
            used,
            pool,
            cap,
            channels_at_cap,
            records_per_bundle,
            bound: Some(bound),
        }
    }

    /// Writes the last of the batch's records read so far, `read`, into the copy: whether the
    /// output is still available after it ([`Network::output_available`]).
    #[inline]
    pub(crate) fn write_last(&mut self, read: &[Record]) -> bool {
        let (last, before) = read.split_last().expect("a record just read");
        if let Some(bound) = &mut self.bound {
            if bound.still_available(last.bytes) {
                return true;
            }
            // The bound no longer rules the end out: the records so far go into the copy.
            self.bound = None;
            for r in before {
                let available = self.write(r.key, r.bytes);
                debug_assert!(available, "the bound held for every record before");
            }
        }
        self.write(last.key, last.bytes)
    }

    /// Writes a record of `bytes` with `key` into the copy: whether the output is still
    /// available after it.
    fn write(&mut self, key: u32, bytes: u32) -> bool {
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
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    fn room(fills: Vec<Fill>, used: u32, pool: u32) -> OutputRoom {
        OutputRoom::new(None, fills, (used, pool), 10, 0, 1)
    }

    fn fill(open: bool, bytes: u32, usage: u32) -> Fill {
        Fill {
            open,
            bytes,
            size: 1000,
            usage,
        }
    }

    /// Reads a record of `key` and `bytes` into `read` and asks the room about it.
    fn read_one(room: &mut OutputRoom, read: &mut Vec<Record>, key: u32, bytes: u32) -> bool {
        read.push(Record {
            id: read.len() as u64,
            origin_ns: 0,
            key,
            bytes,
        });
        room.write_last(read)
    }

    #[test]
    fn the_record_that_opens_a_buffer_in_a_full_pool_is_the_last() {
        // 11 of 12 buffers used, the channel's buffer being filled finished by the third record:
        // the fourth opens the last buffer, and the output is unavailable after it.
        let (mut r, mut read) = (room(vec![fill(true, 700, 3)], 11, 12), vec![]);
        assert!(read_one(&mut r, &mut read, 1, 100));
        assert!(read_one(&mut r, &mut read, 1, 100));
        assert!(read_one(&mut r, &mut read, 1, 100), "finishing a buffer takes none");
        assert!(
            !read_one(&mut r, &mut read, 1, 100),
            "the next record takes the pool's last buffer"
        );
    }

    #[test]
    fn a_channel_at_its_cap_stops_the_output() {
        let (mut r, mut read) = (room(vec![fill(false, 0, 9)], 9, 100), vec![]);
        assert!(!read_one(&mut r, &mut read, 1, 100), "the tenth buffer of one channel");
    }

    #[test]
    fn a_far_from_full_output_skips_the_copy() {
        // 4 channels, 40 buffers free: 30 records of 10 bytes cannot take them.
        let fills = (0..4).map(|i| fill(i % 2 == 0, 500, 2)).collect();
        let (mut r, mut read) = (OutputRoom::new(Some((128, 4)), fills, (6, 46), 10, 0, 1), vec![]);
        for key in 0..30 {
            assert!(read_one(&mut r, &mut read, key, 10));
        }
        assert!(r.bound.is_some(), "no record was written into the copy");
    }

    /// One output and one batch: channels' fills, the pool and the records read.
    #[derive(Clone, Debug)]
    struct Case {
        fills: Vec<Fill>,
        used_extra: u32,
        pool_free: u32,
        cap: u32,
        per_bundle: u32,
        records: Vec<(u32, u32)>,
    }

    fn cases() -> impl Strategy<Value = Case> {
        let fill = (any::<bool>(), 0..300u32, prop_oneof![Just(0u32), 50..400u32], 0..6u32);
        (
            prop::collection::vec(fill, 1..6),
            0..8u32,
            0..12u32,
            2..9u32,
            prop_oneof![Just(1u32), 2..33u32],
            prop::collection::vec((0..1000u32, 1..250u32), 1..80),
        )
            .prop_map(|(fills, used_extra, pool_free, cap, per_bundle, records)| Case {
                fills: fills
                    .into_iter()
                    .map(|(open, bytes, size, usage)| Fill {
                        open,
                        bytes: if open { bytes } else { 0 },
                        size: if size == 0 { 400 } else { size },
                        usage: usage + u32::from(open),
                    })
                    .collect(),
                used_extra,
                pool_free,
                cap,
                per_bundle,
                records,
            })
    }

    /// Where each case's batch ends, with the bound (`skip`) or with every record written
    /// into the copy.
    fn batch_end(case: &Case, skip: bool, break_bound: bool) -> Option<usize> {
        let used = case.fills.iter().map(|f| f.usage).sum::<u32>() + case.used_extra;
        let at_cap = case.fills.iter().filter(|f| f.usage >= case.cap).count() as u32;
        let hash = Some((128, case.fills.len() as u32));
        let mut room = OutputRoom::new(
            hash,
            case.fills.clone(),
            (used, used + case.pool_free),
            case.cap,
            at_cap,
            case.per_bundle,
        );
        if !skip {
            room.bound = None;
        }
        if break_bound && let Some(b) = &mut room.bound {
            // The negative control: as if the batch's records finished no buffer (a limit that
            // holds for its first byte holds for all).
            for limit in [&mut b.pool_bytes_limit, &mut b.cap_bytes_limit] {
                if *limit > 0 {
                    *limit = i64::MAX;
                }
            }
        }
        let mut read = vec![];
        case.records
            .iter()
            .position(|&(key, bytes)| !read_one(&mut room, &mut read, key, bytes))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_bound_ends_every_batch_where_the_copy_does(case in cases()) {
            prop_assert_eq!(batch_end(&case, true, false), batch_end(&case, false, false));
        }
    }

    #[test]
    fn a_bound_blind_to_the_buffers_a_batch_finishes_is_caught() {
        // The negative control of the property above: with the finished buffers left out of
        // the bound, some batch ends later than the copy says it must.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let caught = (0..2000).any(|_| {
            let case = cases().new_tree(&mut runner).expect("a case").current();
            batch_end(&case, true, true) != batch_end(&case, false, false)
        });
        assert!(caught, "the comparison cannot tell a wrong bound");
    }
}
