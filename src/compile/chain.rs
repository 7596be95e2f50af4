//! Operator chaining, as Flink's `StreamingJobGraphGenerator` decides it (`isChainable`,
//! `isChainableInput`): an operator joins its input's chain when
//!
//! - chaining is on for the job (`pipeline.operator-chaining.enabled`, Flink's default true);
//! - it has exactly one input (`getInEdges().size() == 1`), a forward edge
//!   (`ForwardPartitioner`) from an operator of the same parallelism;
//! - neither end refuses: the operator is not `disableChaining()` (`NEVER`) nor
//!   `startNewChain()` (`HEAD`), and its input is not `disableChaining()`;
//! - both are in the same slot-sharing group (a scenario has one group, Flink's `default`).
//!
//! One simplification, which makes every chain a line: an operator whose output goes to more
//! than one operator chains with none of them (Flink would chain each forward consumer of equal
//! parallelism, the others reading the chain's output over the network).

use crate::scenario::{ChainingStrategy, OperatorKind, Partitioning, Scenario};

/// The job's chains, each its scenario operators' indices, head first; chains in the order of
/// their heads (so upstream first, as the operators are listed).
pub fn chains(s: &Scenario) -> Vec<Vec<usize>> {
    let ops = &s.operators;
    let consumers = |i: usize| {
        ops.iter()
            .flat_map(|o| &o.inputs)
            .filter(|input| input.from == ops[i].name)
            .count()
    };
    let mut chains: Vec<Vec<usize>> = Vec::new();
    let mut chain_of = vec![0usize; ops.len()];
    for (i, op) in ops.iter().enumerate() {
        let joins = match op.inputs.as_slice() {
            [input] if s.pipeline.operator_chaining => {
                let up = ops.iter().position(|o| o.name == input.from).expect("validated");
                let upstream = &ops[up];
                let chainable = input.partitioning == Partitioning::Forward
                    && upstream.parallelism == op.parallelism
                    && op.chaining.is_none()
                    && upstream.chaining != Some(ChainingStrategy::Disable)
                    && upstream.kind != OperatorKind::Sink
                    && consumers(up) == 1;
                chainable.then_some(up)
            }
            _ => None,
        };
        match joins {
            Some(up) => {
                chain_of[i] = chain_of[up];
                chains[chain_of[i]].push(i);
            }
            None => {
                chain_of[i] = chains.len();
                chains.push(vec![i]);
            }
        }
    }
    chains
}

/// The name Flink shows for one operator: a Sink V2 writer is `<name>: Writer`
/// (`SinkTransformationTranslator`); other operators keep their name.
pub fn operator_display_name(name: &str, kind: OperatorKind) -> String {
    match kind {
        OperatorKind::Sink => format!("{name}: Writer"),
        _ => name.to_string(),
    }
}

/// Flink's name for a chained vertex: its operators' names joined by ` -> `
/// (`StreamingJobGraphGenerator.createChainedName`).
pub fn chain_name(s: &Scenario, chain: &[usize]) -> String {
    chain
        .iter()
        .map(|&i| operator_display_name(&s.operators[i].name, s.operators[i].kind))
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Each task's name and the names of the tasks it reads from, upstream first (the job as
/// Flink's web UI shows it).
pub fn task_names(s: &Scenario) -> Vec<(String, OperatorKind, Vec<String>)> {
    let chains = chains(s);
    let names: Vec<String> = chains.iter().map(|c| chain_name(s, c)).collect();
    let task_of = |op: &str| {
        let i = s.operators.iter().position(|o| o.name == op).expect("validated");
        chains
            .iter()
            .position(|c| c.contains(&i))
            .expect("every operator is in a chain")
    };
    chains
        .iter()
        .zip(&names)
        .map(|(c, name)| {
            let head = &s.operators[c[0]];
            let tail = &s.operators[*c.last().expect("a chain is never empty")];
            let kind = task_kind(head.kind, tail.kind);
            let inputs = head.inputs.iter().map(|i| names[task_of(&i.from)].clone()).collect();
            (name.clone(), kind, inputs)
        })
        .collect()
}

/// A chain ending in a sink is a sink task; one starting at a source is a source task.
pub fn task_kind(head: OperatorKind, tail: OperatorKind) -> OperatorKind {
    if tail == OperatorKind::Sink {
        OperatorKind::Sink
    } else {
        head
    }
}
