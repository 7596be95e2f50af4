//! The consistent-cut check's count for jobs with selective operators: how many records reach
//! a sink from a source subtask's first `offset` records. Each record's count of outputs is a
//! pure function of its id (`model::selectivity`) and every copy keeps that id, so along the
//! one path a source's records take (the cut check applies only when there is one) a record
//! becomes the product of its counts at the selective operators on it.

use crate::ids::SubtaskId;
use crate::model::graph::JobGraph;
use crate::model::records::record_id;
use crate::model::selectivity::outputs_of;
use crate::vocab::OperatorKind;

pub(crate) struct SinkRecordCounts {
    seed: u64,
    /// Per subtask (empty for non-sources): (vertex, selectivity) of each selective operator
    /// its records cross on their way to a sink.
    paths: Vec<Vec<(u32, f64)>>,
    /// Per subtask: a bounded source's record count (its last record passes every filter).
    max_records: Vec<Option<u64>>,
    /// Per subtask: the last answer, (offset, sink records of the offsets below it): completed
    /// checkpoints move forward, so each record is counted about once.
    cursor: Vec<(u64, u64)>,
}

impl SinkRecordCounts {
    /// `None` when every operator emits one record per record read (the count is the offset).
    /// `max_records[s]`: the bound of source subtask `s`. Call only where the cut check
    /// applies (one output edge per non-sink).
    pub fn new(graph: &JobGraph, seed: u64, max_records: Vec<Option<u64>>) -> Option<Self> {
        if graph.vertices.iter().all(|v| v.selectivity == 1.0) {
            return None;
        }
        let paths = (0..graph.subtasks.len())
            .map(|s| {
                let mut path = Vec::new();
                if graph.vertex_of(SubtaskId(s as u32)).kind != OperatorKind::Source {
                    return path;
                }
                let mut cur = s;
                // One output edge per non-sink: any of its channels leads to the next vertex.
                while let Some(edge) = graph.outputs[cur].first() {
                    cur = graph.channels[edge.channels[0].0 as usize].consumer.0 as usize;
                    let v = graph.subtasks[cur].vertex.index();
                    let selectivity = graph.vertices[v].selectivity;
                    if selectivity != 1.0 {
                        path.push((v as u32, selectivity));
                    }
                }
                path
            })
            .collect();
        let n = graph.subtasks.len();
        Some(SinkRecordCounts {
            seed,
            paths,
            max_records,
            cursor: vec![(0, 0); n],
        })
    }

    /// Records at the sinks that the first `offset` records of source subtask `s` become.
    pub fn below(&mut self, s: u32, offset: u64) -> u64 {
        let si = s as usize;
        let (mut at, mut total) = self.cursor[si];
        if offset < at {
            (at, total) = (0, 0); // a restored, earlier cut: count again from the start
        }
        for k in at..offset {
            total += self.of_record(s, k);
        }
        self.cursor[si] = (offset, total);
        total
    }

    fn of_record(&self, s: u32, offset: u64) -> u64 {
        let id = record_id(s, offset);
        let last = self.max_records[s as usize].is_some_and(|m| offset + 1 == m);
        let mut copies = 1u64;
        for &(v, selectivity) in &self.paths[s as usize] {
            let n = outputs_of(self.seed, v, id, selectivity) as u64;
            // As the world does: the last record of a bounded source always passes.
            copies *= if n == 0 && last { 1 } else { n };
        }
        copies
    }
}
