//! The storage fit's points for unaligned checkpoints: what Flink's async duration contains
//! when subtasks share channel-state files.
//!
//! Since Flink 1.17 (`ChannelStateWriteRequestExecutorFactory`) the subtasks of a job on one
//! TaskManager register, in deployment order, with one channel-state writer until it has
//! `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file` (5) of them; the
//! writer puts their in-flight data of a checkpoint into one file, closed once every member
//! handed over its channel state, and only then is any member's channel state complete. So
//! the async duration REST reports for a subtask holds the wait for its neighbours' barriers
//! and the upload of the whole file, not an upload of its own bytes: fitting
//! `async = latency + own size / bandwidth` on it would count the neighbours twice once the
//! simulator shares the files too (`checkpoint.max_subtasks_per_channel_state_file`). The
//! storage's part is what follows the last hand-over: a point per file and member whose
//! operator state is inlined (nothing of its own uploaded), the file's bytes against the time
//! from the last member's hand-over to the member's end of async.

use std::collections::BTreeMap;

use super::super::rest_model::SubtaskAck;
use super::Ctx;

/// `execution.checkpointing.unaligned.max-subtasks-per-channel-state-file`'s default, which
/// REST does not show (the scenario's default is the same).
const SUBTASKS_PER_FILE: usize = 5;

/// `state.storage.fs.memory-threshold` (20 KiB): smaller state is inlined in the metadata,
/// with no upload of its own.
const INLINE_BYTES: f64 = 20.0 * 1024.0;

/// `(file bytes, ms from the last member's hand-over to the member's end of async)` per
/// checkpoint, file and member with inlined operator state; empty when no such member.
pub(super) fn points(cx: &Ctx) -> Vec<(f64, f64)> {
    let vertices: Vec<(&[SubtaskAck], &[String])> =
        cx.data.iter().map(|v| (v.acks.as_slice(), v.tms.as_slice())).collect();
    file_points(&vertices, &cx.cids)
}

/// [`points`] over `(acknowledgements, TaskManager of each subtask index)` per vertex, in
/// topological order.
fn file_points(vertices: &[(&[SubtaskAck], &[String])], cids: &[u64]) -> Vec<(f64, f64)> {
    let writer = writers(vertices);
    let mut pts = Vec::new();
    for &cid in cids {
        let acks: Vec<(usize, &SubtaskAck)> = vertices
            .iter()
            .enumerate()
            .flat_map(|(vi, v)| v.0.iter().filter(move |a| a.checkpoint_id == cid).map(move |a| (vi, a)))
            .collect();
        // Per writer: the file's bytes and when its last member handed over (after its
        // snapshot and its last barrier), in ms after the trigger.
        let mut files: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
        for (vi, a) in &acks {
            if let Some(&w) = writer.get(&(*vi, a.index)) {
                let f = files.entry(w).or_insert((0.0, 0.0));
                f.0 += a.persisted;
                f.1 = f.1.max(a.start_delay_ms + a.sync_ms + a.alignment_ms);
            }
        }
        for (vi, a) in &acks {
            let own = a.checkpointed_size - a.persisted;
            let file = writer.get(&(*vi, a.index)).and_then(|w| files.get(w));
            if let Some(&(bytes, handed_over_ms)) = file.filter(|f| f.0 > 0.0 && own <= INLINE_BYTES) {
                let end_ms = a.start_delay_ms + a.sync_ms + a.async_ms;
                pts.push((bytes, end_ms - handed_over_ms));
            }
        }
    }
    pts
}

/// The writer of each `(vertex, subtask index)`: per TaskManager, in deployment order
/// (vertices in topological order, then index), up to [`SUBTASKS_PER_FILE`] each.
fn writers(vertices: &[(&[SubtaskAck], &[String])]) -> BTreeMap<(usize, u32), usize> {
    let mut writer = BTreeMap::new();
    let mut filling: BTreeMap<&str, (usize, usize)> = BTreeMap::new(); // TM -> (writer, members)
    let mut next = 0;
    for (vi, v) in vertices.iter().enumerate() {
        for (index, tm) in v.1.iter().enumerate() {
            let w = match filling.get_mut(tm.as_str()) {
                Some((w, n)) if *n < SUBTASKS_PER_FILE => {
                    *n += 1;
                    *w
                }
                _ => {
                    next += 1;
                    filling.insert(tm, (next - 1, 1));
                    next - 1
                }
            };
            writer.insert((vi, index as u32), w);
        }
    }
    writer
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An acknowledgement of checkpoint 1 by subtask `index`.
    fn ack(index: u32, start_delay_ms: f64, alignment_ms: f64, async_ms: f64, own: f64, persisted: f64) -> SubtaskAck {
        SubtaskAck {
            checkpoint_id: 1,
            index,
            end_to_end_ms: start_delay_ms + async_ms + 3.0,
            start_delay_ms,
            alignment_ms,
            sync_ms: 0.0,
            async_ms,
            state_size: own + persisted,
            checkpointed_size: own + persisted,
            persisted,
        }
    }

    fn tms(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    /// A source and a keyed map, one subtask of each on each of two TaskManagers (i05's
    /// shape): each file holds both members' in-flight data; only the source, whose own
    /// state is inlined, tells the file's upload, counted from the map's last barrier.
    #[test]
    fn a_file_holds_its_members_bytes_and_its_upload_starts_at_the_last_hand_over() {
        let src = [
            ack(0, 5.0, 0.0, 14.0, 265.0, 300e3),
            ack(1, 4.0, 0.0, 10.0, 265.0, 310e3),
        ];
        let map = [
            ack(0, 8.0, 4.0, 21.0, 170e3, 280e3),
            ack(1, 7.0, 2.0, 20.0, 170e3, 290e3),
        ];
        let on = tms(&["tm-a", "tm-b"]);
        let pts = file_points(&[(&src, &on), (&map, &on)], &[1]);
        // tm-a: 580 kB, the map's hand-over at 8 + 4 = 12 ms, the source's end at 5 + 14 = 19.
        // tm-b: 600 kB, the map's at 9 ms, the source's end at 14.
        assert_eq!(pts, vec![(580e3, 7.0), (600e3, 5.0)]);
    }

    /// The negative control: a subtask's own size (as the fit before the shared files took
    /// it) is not the file's, and a member with operator state of its own is left out.
    #[test]
    fn members_with_state_of_their_own_and_other_checkpoints_are_left_out() {
        let src = [ack(0, 5.0, 0.0, 14.0, 30e3, 300e3)];
        let mut late = ack(0, 5.0, 0.0, 14.0, 265.0, 300e3);
        late.checkpoint_id = 2;
        let on = tms(&["tm-a"]);
        assert!(file_points(&[(&src, &on)], &[1]).is_empty());
        assert!(file_points(&[(&[late], &on)], &[1]).is_empty());
    }

    #[test]
    fn six_subtasks_on_one_taskmanager_fill_a_file_of_five_then_a_second() {
        let on = tms(&["tm"; 6]);
        let w = writers(&[(&[], &on)]);
        assert_eq!((0..6).map(|i| w[&(0, i)]).collect::<Vec<_>>(), vec![0, 0, 0, 0, 0, 1]);
        let two = tms(&["a", "b", "a"]);
        let w = writers(&[(&[], &two)]);
        assert_eq!((w[&(0, 0)], w[&(0, 1)], w[&(0, 2)]), (0, 1, 0));
    }
}
