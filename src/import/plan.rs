//! The job's operators, their edges and chaining, from the vertex names and the plan of
//! `GET /jobs/<jid>`. A vertex is a chain of operators joined by ` -> ` in its name, as Flink
//! names it: `Source: <name>` is a source, `<name>: Writer` a Sink V2 writer (a sink, whose
//! `<name>: Committer` makes it a two-phase-commit sink), anything else an operator.

use std::path::Path;

use crate::vocab::{OperatorKind, Partitioning};

use super::ImportError;
use super::rest_model::Job;

/// One operator of the scenario.
#[derive(Clone, Debug)]
pub struct Op {
    pub name: String,
    pub kind: OperatorKind,
    /// Index of its vertex in `Job::vertices`.
    pub vertex: usize,
    /// First operator of its vertex: the one the vertex's inputs and metrics belong to.
    pub head: bool,
    /// `(upstream operator, partitioning, REST ship strategy or "chained")`.
    pub inputs: Vec<(String, Partitioning, String)>,
    /// A forward edge of equal parallelism that Flink did not chain: the scenario must say so.
    pub start_new_chain: bool,
    /// A sink with a committer (`<name>: Committer`): exactly-once, two-phase commit.
    pub committer: bool,
}

/// The operators in topological order (sources first), and each vertex's task name as the
/// simulator names it (`Source: gen` is the task `gen`; a chain is its names joined by ` -> `).
pub struct Plan {
    pub ops: Vec<Op>,
    pub task_names: Vec<String>,
}

enum Part {
    Source(String),
    Sink(String),
    Committer(String),
    Operator(String),
}

fn parse_part(s: &str) -> Part {
    let s = s.trim();
    if let Some(n) = s.strip_prefix("Source: ") {
        Part::Source(n.trim().to_string())
    } else if let Some(n) = s.strip_suffix(": Writer") {
        Part::Sink(n.trim().to_string())
    } else if let Some(n) = s
        .strip_suffix(": Committer")
        .or_else(|| s.strip_suffix(": Global Committer"))
    {
        Part::Committer(n.trim().to_string())
    } else if let Some(n) = s.strip_prefix("Sink: ") {
        Part::Sink(n.trim().to_string())
    } else {
        Part::Operator(s.to_string())
    }
}

/// The simulator's partitioning for a REST ship strategy.
pub fn partitioning(ship: &str) -> Option<(Partitioning, &'static str)> {
    match ship.to_ascii_uppercase().as_str() {
        "HASH" => Some((Partitioning::Hash, "")),
        "FORWARD" => Some((Partitioning::Forward, "")),
        "REBALANCE" => Some((Partitioning::Rebalance, "")),
        "RESCALE" => Some((
            Partitioning::Rebalance,
            " (RESCALE: round-robin to a subset; modelled as round-robin to all)",
        )),
        "BROADCAST" => Some((Partitioning::Broadcast, "")),
        _ => None,
    }
}

/// Vertices in an order where every vertex comes after its inputs.
fn topological(job: &Job, file: &Path) -> Result<Vec<usize>, ImportError> {
    let n = job.vertices.len();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while order.len() < n {
        let before = order.len();
        for (i, v) in job.vertices.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let ready = v
                .inputs
                .iter()
                .all(|(up, _)| job.vertices.iter().position(|w| &w.id == up).is_some_and(|j| placed[j]));
            if ready {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            return Err(ImportError::Malformed {
                file: file.to_path_buf(),
                field: "plan.nodes[].inputs".into(),
                message: "an input names no vertex of the job, or the plan has a cycle".into(),
            });
        }
    }
    Ok(order)
}

pub fn plan(job: &Job, file: &Path) -> Result<Plan, ImportError> {
    let mut ops: Vec<Op> = Vec::new();
    let mut last_op: Vec<Option<String>> = vec![None; job.vertices.len()];
    let mut task_names = vec![String::new(); job.vertices.len()];
    let unique = |ops: &[Op], name: &str| -> String {
        let mut n = name.to_string();
        let mut k = 2;
        while ops.iter().any(|o| o.name == n) {
            n = format!("{name} ({k})");
            k += 1;
        }
        n
    };
    for vi in topological(job, file)? {
        let v = &job.vertices[vi];
        let mut display = Vec::new();
        let mut prev: Option<String> = None;
        for (pi, part) in v.name.split(" -> ").enumerate() {
            let (kind, base) = match parse_part(part) {
                Part::Committer(n) => {
                    // The committer of a sink: that sink commits on checkpoint completion.
                    match ops
                        .iter_mut()
                        .rev()
                        .find(|o| o.kind == OperatorKind::Sink && o.name == n)
                    {
                        Some(sink) => sink.committer = true,
                        None => {
                            return Err(ImportError::Malformed {
                                file: file.to_path_buf(),
                                field: format!("vertices[id = {}].name", v.id),
                                message: format!("committer `{part}` follows no writer `{n}: Writer`"),
                            });
                        }
                    }
                    continue;
                }
                Part::Source(n) => (OperatorKind::Source, n),
                Part::Sink(n) => (OperatorKind::Sink, n),
                Part::Operator(n) if pi == 0 && v.inputs.is_empty() => (OperatorKind::Source, n),
                Part::Operator(n) => (OperatorKind::Operator, n),
            };
            let name = unique(&ops, &base);
            display.push(match kind {
                OperatorKind::Sink => format!("{name}: Writer"),
                _ => name.clone(),
            });
            let mut inputs = Vec::new();
            let head = prev.is_none();
            let mut start_new_chain = false;
            if let Some(p) = &prev {
                inputs.push((p.clone(), Partitioning::Forward, "chained".to_string()));
            } else {
                for (ii, (up, ship)) in v.inputs.iter().enumerate() {
                    let uj = job.vertices.iter().position(|w| &w.id == up).expect("topological");
                    let Some(from) = last_op[uj].clone() else {
                        return Err(ImportError::Malformed {
                            file: file.to_path_buf(),
                            field: format!("plan.nodes[id = {}].inputs[{ii}]", v.id),
                            message: "reads from a vertex with no operator to import".into(),
                        });
                    };
                    let (p, _) = partitioning(ship).ok_or_else(|| ImportError::Malformed {
                        file: file.to_path_buf(),
                        field: format!("plan.nodes[id = {}].inputs[{ii}].ship_strategy", v.id),
                        message: format!(
                            "`{ship}` is not a ship strategy the simulator has (HASH, FORWARD, REBALANCE, RESCALE, BROADCAST)"
                        ),
                    })?;
                    if p == Partitioning::Forward && job.vertices[uj].parallelism == v.parallelism {
                        start_new_chain = true;
                    }
                    inputs.push((from, p, ship.clone()));
                }
            }
            if kind == OperatorKind::Source && !inputs.is_empty() {
                return Err(ImportError::Malformed {
                    file: file.to_path_buf(),
                    field: format!("vertices[id = {}].name", v.id),
                    message: format!("source `{part}` is not the first operator of a vertex without inputs"),
                });
            }
            prev = Some(name.clone());
            ops.push(Op {
                name,
                kind,
                vertex: vi,
                head,
                inputs,
                start_new_chain,
                committer: false,
            });
        }
        if prev.is_none() {
            return Err(ImportError::Malformed {
                file: file.to_path_buf(),
                field: format!("vertices[id = {}].name", v.id),
                message: "no operator in the vertex's name".into(),
            });
        }
        last_op[vi] = prev;
        task_names[vi] = display.join(" -> ");
    }
    // An operator nothing reads from and that is not a sink ends the job: the simulator
    // needs no sink, so it stays an operator.
    Ok(Plan { ops, task_names })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::rest_model::Vertex;

    fn vertex(id: &str, name: &str, p: u32, inputs: &[(&str, &str)]) -> Vertex {
        Vertex {
            id: id.into(),
            name: name.into(),
            parallelism: p,
            max_parallelism: 128,
            inputs: inputs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        }
    }

    fn job(vertices: Vec<Vertex>) -> Job {
        Job {
            id: "j".into(),
            name: "n".into(),
            vertices,
            running_since_ms: None,
        }
    }

    #[test]
    fn vertex_names_become_chained_operators_with_their_kinds() {
        // Listed sink first, as Flink's plan may list them: the order is topological after.
        let j = job(vec![
            vertex("b", "stateful-map -> discard: Writer", 2, &[("a", "HASH")]),
            vertex("a", "Source: gen", 2, &[]),
        ]);
        let p = plan(&j, Path::new("f")).unwrap();
        let names: Vec<(&str, OperatorKind)> = p.ops.iter().map(|o| (o.name.as_str(), o.kind)).collect();
        assert_eq!(
            names,
            [
                ("gen", OperatorKind::Source),
                ("stateful-map", OperatorKind::Operator),
                ("discard", OperatorKind::Sink)
            ]
        );
        assert_eq!(p.ops[1].inputs[0].1, Partitioning::Hash);
        assert_eq!(p.ops[2].inputs[0].2, "chained");
        assert_eq!(p.task_names, ["stateful-map -> discard: Writer", "gen"]);
        assert!(!p.ops.iter().any(|o| o.start_new_chain));
    }

    #[test]
    fn an_unchained_forward_edge_starts_a_new_chain_and_a_committer_makes_two_phase_commit() {
        let j = job(vec![
            vertex("a", "Source: in", 3, &[]),
            vertex("b", "parse", 3, &[("a", "FORWARD")]),
            vertex("c", "out: Writer -> out: Committer", 2, &[("b", "REBALANCE")]),
        ]);
        let p = plan(&j, Path::new("f")).unwrap();
        let parse = p.ops.iter().find(|o| o.name == "parse").unwrap();
        assert!(
            parse.start_new_chain,
            "Flink did not chain it: the scenario must not either"
        );
        let out = p.ops.iter().find(|o| o.name == "out").unwrap();
        assert!(out.committer && out.kind == OperatorKind::Sink);
        assert_eq!(out.inputs[0].1, Partitioning::Rebalance);
        assert_eq!(p.ops.len(), 3, "the committer is the sink's, not an operator");
    }

    #[test]
    fn a_cycle_or_a_dangling_input_is_named() {
        let j = job(vec![
            vertex("a", "Source: s", 1, &[]),
            vertex("b", "m", 1, &[("zz", "HASH")]),
        ]);
        let e = plan(&j, Path::new("f.json")).err().unwrap().to_string();
        assert!(e.contains("f.json") && e.contains("plan.nodes[].inputs"), "{e}");
    }
}
