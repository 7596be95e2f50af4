//! Pipelined regions and the failover strategies that restart them.
//!
//! `SchedulingPipelinedRegionComputeUtil` computes regions as the connected components over
//! pipelined result partitions (union-find), then merges strongly connected components. In
//! streaming every edge is pipelined and the job graph is acyclic, so a region is a connected
//! component of the subtask graph: any all-to-all edge (hash, rebalance, broadcast) joins both
//! vertices into one region, and only forward-only pipelines split into one region per
//! parallel pipeline.

use crate::ids::SubtaskId;
use crate::model::graph::JobGraph;
use crate::vocab::FailoverStrategyKind;

/// Regions of the subtask graph, numbered in order of their lowest subtask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelinedRegions {
    /// Region index of every subtask.
    region_of: Vec<u32>,
    /// Subtasks of every region, ascending.
    members: Vec<Vec<SubtaskId>>,
    /// Regions consuming from each region (other than itself), ascending.
    consumers: Vec<Vec<u32>>,
}

impl PipelinedRegions {
    pub fn compute(graph: &JobGraph) -> Self {
        let n = graph.subtasks.len();
        let mut uf = UnionFind::new(n);
        for c in &graph.channels {
            uf.union(c.producer.index(), c.consumer.index());
        }
        let mut region_of = vec![u32::MAX; n];
        let mut members: Vec<Vec<SubtaskId>> = Vec::new();
        let mut root_region = vec![u32::MAX; n];
        for (s, region) in region_of.iter_mut().enumerate() {
            let root = uf.find(s);
            if root_region[root] == u32::MAX {
                root_region[root] = members.len() as u32;
                members.push(Vec::new());
            }
            *region = root_region[root];
            members[root_region[root] as usize].push(SubtaskId(s as u32));
        }
        // Kept for the general rule (consumer regions of restarted regions); empty whenever every
        // edge is pipelined, as a channel joins its two ends into one region.
        let mut consumers = vec![Vec::new(); members.len()];
        for c in &graph.channels {
            let (p, q) = (region_of[c.producer.index()], region_of[c.consumer.index()]);
            if p != q {
                consumers[p as usize].push(q);
            }
        }
        for list in &mut consumers {
            list.sort_unstable();
            list.dedup();
        }
        PipelinedRegions {
            region_of,
            members,
            consumers,
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The region of a subtask; `None` for an id outside the graph.
    pub fn region_of(&self, s: SubtaskId) -> Option<u32> {
        self.region_of.get(s.index()).copied()
    }

    pub fn members(&self, region: u32) -> &[SubtaskId] {
        self.members.get(region as usize).map_or(&[], |m| m.as_slice())
    }
}

/// A failover strategy bound to a job graph: which subtasks restart when some fail.
#[derive(Clone, Debug)]
pub enum FailoverStrategy {
    RestartAll { num_subtasks: u32 },
    RestartPipelinedRegion(PipelinedRegions),
}

impl FailoverStrategy {
    pub fn new(kind: FailoverStrategyKind, graph: &JobGraph) -> Self {
        match kind {
            FailoverStrategyKind::Full => FailoverStrategy::RestartAll {
                num_subtasks: graph.subtasks.len() as u32,
            },
            FailoverStrategyKind::Region => FailoverStrategy::RestartPipelinedRegion(PipelinedRegions::compute(graph)),
        }
    }

    /// `getTasksNeedingRestart` for one failed subtask, ascending.
    pub fn tasks_to_restart(&self, failed: SubtaskId) -> Vec<SubtaskId> {
        self.tasks_to_restart_all(&[failed])
    }

    /// The union over several failed subtasks (a lost TaskManager fails all its subtasks).
    /// Ids outside the graph are ignored. Ascending, without repeats.
    pub fn tasks_to_restart_all(&self, failed: &[SubtaskId]) -> Vec<SubtaskId> {
        match self {
            FailoverStrategy::RestartAll { num_subtasks } => {
                if failed.iter().any(|s| s.0 < *num_subtasks) {
                    (0..*num_subtasks).map(SubtaskId).collect()
                } else {
                    Vec::new()
                }
            }
            FailoverStrategy::RestartPipelinedRegion(r) => {
                // The failed regions, then every consumer region of a restarted region (its input
                // would be gone), transitively. The producer regions of unavailable partitions are
                // never needed: pipelined partitions are produced by the same region.
                let mut restart = vec![false; r.len()];
                let mut stack: Vec<u32> = failed.iter().filter_map(|s| r.region_of(*s)).collect();
                while let Some(region) = stack.pop() {
                    if std::mem::replace(&mut restart[region as usize], true) {
                        continue;
                    }
                    stack.extend(r.consumers[region as usize].iter().copied());
                }
                let mut out: Vec<SubtaskId> = restart
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| **r)
                    .flat_map(|(i, _)| r.members(i as u32).iter().copied())
                    .collect();
                out.sort_unstable();
                out
            }
        }
    }
}

/// Union-find with path halving and union by size.
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}
