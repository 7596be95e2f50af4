//! The consistent-cut check's counts for jobs with selective operators: how many records reach
//! a sink from a source subtask's first `offset` records, and from one record persisted in a
//! channel's state. Each record's count of outputs at an operator is a pure function of its id
//! (`model::selectivity`) and every copy keeps that id, so along the one path records take
//! from an operator to a sink (the cut check applies only when there is one) a record becomes
//! the product of its counts at the selective operators still ahead of it.

use crate::model::graph::JobGraph;
use crate::model::records::{OFFSET_BITS, record_id};
use crate::model::selectivity::outputs_of;

pub(crate) struct SinkRecordCounts {
    seed: u64,
    /// Per vertex: (operator id, selectivity) of each selective operator from it (its own
    /// chained operators included) to the sink its records reach.
    ahead: Vec<Vec<(u32, f64)>>,
    /// Per subtask: its vertex.
    vertex_of: Vec<u32>,
    /// Per channel: its consumer's vertex.
    consumer_vertex: Vec<u32>,
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
        if !graph.vertices.iter().any(|v| v.is_selective()) {
            return None;
        }
        let ahead = (0..graph.vertices.len())
            .map(|v| {
                let mut path = Vec::new();
                let mut cur = graph.vertices[v].first_subtask as usize;
                loop {
                    let vertex = graph.subtasks[cur].vertex.index();
                    for op in &graph.vertices[vertex].chain {
                        if op.selectivity != 1.0 {
                            path.push((op.id, op.selectivity));
                        }
                    }
                    // One output edge per non-sink: any of its channels leads to the next vertex.
                    let Some(edge) = graph.outputs[cur].first() else {
                        break;
                    };
                    cur = graph.channels[edge.channels[0].0 as usize].consumer.0 as usize;
                }
                path
            })
            .collect();
        let n = graph.subtasks.len();
        Some(SinkRecordCounts {
            seed,
            ahead,
            vertex_of: graph.subtasks.iter().map(|st| st.vertex.index() as u32).collect(),
            consumer_vertex: graph
                .channels
                .iter()
                .map(|c| graph.subtasks[c.consumer.0 as usize].vertex.index() as u32)
                .collect(),
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
        let vertex = self.vertex_of[si];
        for k in at..offset {
            total += self.downstream_of(vertex, record_id(s, k));
        }
        self.cursor[si] = (offset, total);
        total
    }

    /// Records at the sinks that record `id`, persisted in `channel`'s state (not yet processed
    /// by the channel's consumer), becomes.
    pub fn of_persisted(&self, channel: u32, id: u64) -> u64 {
        self.downstream_of(self.consumer_vertex[channel as usize], id)
    }

    /// Records at the sinks that record `id` becomes from vertex `vertex` on.
    fn downstream_of(&self, vertex: u32, id: u64) -> u64 {
        let source = (id >> OFFSET_BITS) as usize;
        let offset = id & ((1u64 << OFFSET_BITS) - 1);
        let last = self.max_records[source].is_some_and(|m| offset + 1 == m);
        let mut copies = 1u64;
        for &(v, selectivity) in &self.ahead[vertex as usize] {
            let n = outputs_of(self.seed, v, id, selectivity) as u64;
            // As the world does: the last record of a bounded source always passes.
            copies *= if n == 0 && last { 1 } else { n };
        }
        copies
    }
}
