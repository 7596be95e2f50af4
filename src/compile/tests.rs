//! Tests of what the model builds from compiled scenarios: fault schedules, failover regions,
//! shared record shapes. They live here, not in `model`, because they start from scenario text
//! and the model does not read scenarios.

mod fault_schedule {
    use crate::ids::SubtaskId;
    use crate::model::faults::*;
    use crate::model::graph::JobGraph;
    use crate::scenario::Scenario;
    use crate::time::{NS_PER_S, SimTime};

    /// The schedule of `s`'s faults over its duration.
    fn generate(s: &Scenario, g: &JobGraph, seed: u64) -> Result<FaultSchedule, FaultScheduleError> {
        let cfg = super::super::world_config(s);
        FaultSchedule::generate(&cfg.faults, SimTime(cfg.run.duration.as_u64()), g, seed)
    }

    fn setup(faults: &str, duration: &str) -> (Scenario, JobGraph) {
        let text = format!(
            "[simulation]\nduration = \"{duration}\"\n[cluster]\ntaskmanagers = 3\nslots_per_taskmanager = 2\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 4\nrate = {{ process = \"constant\", records_per_second = 10 }}\n[[operators]]\nname = \"sink\"\nkind = \"sink\"\nparallelism = 4\ninputs = [{{ from = \"src\", partitioning = \"hash\" }}]\n{faults}"
        );
        let s: Scenario = toml::from_str(&text).unwrap();
        crate::scenario::faults::validate_faults(&s).unwrap();
        let g = JobGraph::build(&super::super::job_spec(&s));
        (s, g)
    }

    /// Random connection losses draw every TaskManager pair alike; a partition with a
    /// `fail_after` shorter than itself breaks the connection then, a longer one never.
    #[test]
    fn connection_losses_cover_every_pair_and_partitions_fail_after_their_timeout() {
        assert_eq!(
            (0..3).map(|k| nth_pair(k, 3)).collect::<Vec<_>>(),
            vec![(0, 1), (0, 2), (1, 2)]
        );
        let (s, g) = setup(
            "[[faults.connection_loss]]\nmtbf = \"1h\"\n[[faults.network_partition]]\nstart = \"10s\"\nduration = \"30s\"\nbetween = [2, 0]\nfail_after = \"20s\"\n[[faults.network_partition]]\nstart = \"1min\"\nduration = \"30s\"\nbetween = [1, 0]\nfail_after = \"40s\"\n",
            "300h",
        );
        let sched = generate(&s, &g, 4).unwrap();
        let mut per_pair = [0u32; 3];
        for e in &sched.events {
            if let Fault::ConnectionLost { a, b } = e.kind {
                if e.at == SimTime(30 * NS_PER_S) {
                    assert_eq!((a, b), (2, 0), "the partition's timeout");
                    continue;
                }
                per_pair[(0..3).position(|k| nth_pair(k, 3) == (a, b)).expect("a pair")] += 1;
            }
        }
        let n: u32 = per_pair.iter().sum();
        assert!(
            (n as f64 - 300.0).abs() < 4.0 * 300f64.sqrt(),
            "{n} losses in 300 h at 1 h MTBF"
        );
        // Each pair ~ Binomial(n, 1/3): 4 standard deviations.
        let sd = (n as f64 * (1.0 / 3.0) * (2.0 / 3.0)).sqrt();
        assert!(
            per_pair.iter().all(|c| (*c as f64 - n as f64 / 3.0).abs() < 4.0 * sd),
            "{per_pair:?}"
        );
        let at_partition = sched
            .events
            .iter()
            .filter(|e| matches!(e.kind, Fault::ConnectionLost { a: 1, b: 0 }) && e.at < SimTime(200 * NS_PER_S))
            .count();
        assert_eq!(at_partition, 0, "the second partition heals before its 40 s timeout");
    }

    /// Windows given an MTBF start as a Poisson process (count within 4 standard deviations);
    /// each random partition with a shorter `fail_after` breaks its connections once.
    #[test]
    fn random_windows_start_as_a_poisson_process() {
        let (s, g) = setup(
            "[faults.storage]\noutages = [{ mtbf = \"1h\", duration = \"1min\" }]\n[[faults.straggler]]\nkind = \"disk\"\ntaskmanager = 2\nmtbf = \"2h\"\nduration = \"5min\"\nslowdown = 3\n[[faults.network_partition]]\nmtbf = \"4h\"\nduration = \"30s\"\nbetween = [0, 1]\nfail_after = \"20s\"\n",
            "1000h",
        );
        let sched = generate(&s, &g, 9).unwrap();
        let count = |f: &dyn Fn(&Condition) -> bool| sched.windows.iter().filter(|w| f(&w.condition)).count() as f64;
        for (n, expected) in [
            (count(&|c| *c == Condition::StorageOutage), 1000.0),
            (
                count(&|c| matches!(c, Condition::SlowDisk { taskmanager: 2, .. })),
                500.0,
            ),
            (count(&|c| matches!(c, Condition::NetworkPartition { .. })), 250.0),
        ] {
            assert!(
                (n - expected).abs() < 4.0 * f64::sqrt(expected),
                "{n} windows, expected {expected}"
            );
        }
        assert!(sched.windows.iter().all(|w| w.end.since(w.start) > 0));
        let losses = sched
            .events
            .iter()
            .filter(|e| matches!(e.kind, Fault::ConnectionLost { a: 0, b: 1 }))
            .count() as f64;
        assert_eq!(losses, count(&|c| matches!(c, Condition::NetworkPartition { .. })));
    }

    #[test]
    fn same_seed_same_schedule_other_seed_other_schedule() {
        let (s, g) = setup(
            "[[faults.task_crash]]\nmtbf = \"1h\"\nper = \"task\"\n[[faults.taskmanager_loss]]\nmtbf = \"3h\"\n",
            "24h",
        );
        let a = generate(&s, &g, 11).unwrap();
        let b = generate(&s, &g, 11).unwrap();
        let c = generate(&s, &g, 12).unwrap();
        assert!(!a.events.is_empty());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.events.windows(2).all(|w| w[0].at <= w[1].at), "time-sorted");
        assert!(a.events.iter().all(|e| e.at < SimTime(24 * 3600 * NS_PER_S)));
    }

    #[test]
    fn adding_a_spec_leaves_the_others_draws_alone() {
        let (s1, g) = setup("[[faults.task_crash]]\nmtbf = \"1h\"\n", "24h");
        let (s2, _) = setup(
            "[[faults.task_crash]]\nmtbf = \"1h\"\n[[faults.taskmanager_loss]]\nmtbf = \"5h\"\n",
            "24h",
        );
        let crashes = |s: &Scenario| -> Vec<FaultEvent> {
            generate(s, &g, 5)
                .unwrap()
                .events
                .into_iter()
                .filter(|e| matches!(e.kind, Fault::TaskFailure { .. }))
                .collect()
        };
        assert_eq!(crashes(&s1), crashes(&s2));
    }

    /// n exponential gaps of mean M: the sample mean has standard error M/sqrt(n). The last gap
    /// is censored by the end of the run, so the gaps are taken between events. 4 standard
    /// errors: a false alarm once in ~16 000 seeds, and the seed is fixed.
    #[test]
    fn mtbf_process_has_the_configured_mean() {
        for (per, expected_rate_per_h) in [("job", 1.0), ("task", 8.0)] {
            let (s, g) = setup(
                &format!("[[faults.task_crash]]\nmtbf = \"1h\"\nper = \"{per}\"\n"),
                "2000h",
            );
            let sched = generate(&s, &g, 3).unwrap();
            let n = sched.events.len() as f64;
            let expected_n = 2000.0 * expected_rate_per_h;
            assert!(
                (n - expected_n).abs() < 4.0 * expected_n.sqrt(),
                "per={per}: {n} events, expected {expected_n} ± {}",
                expected_n.sqrt()
            );
            // Job-wide gaps are Exp(mean 1 h / rate).
            let times: Vec<f64> = sched.events.iter().map(|e| e.at.as_secs_f64()).collect();
            let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
            let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
            let m = 3600.0 / expected_rate_per_h;
            let se = m / (gaps.len() as f64).sqrt();
            assert!(
                (mean - m).abs() < 4.0 * se,
                "per={per}: mean gap {mean} s vs {m} ± {se}"
            );
            // Every subtask is hit.
            let mut hit = [false; 8];
            for e in &sched.events {
                if let Fault::TaskFailure { subtask } = e.kind {
                    hit[subtask.index()] = true;
                }
            }
            assert!(hit.iter().all(|h| *h), "per={per}");
        }
    }

    #[test]
    fn fixed_times_hit_the_named_target_and_detection_follows_the_heartbeat() {
        let (s, g) = setup(
            "[[faults.task_crash]]\nat = [\"30s\", \"10s\", \"2h\"]\noperator = \"sink\"\nsubtask = 2\n[[faults.taskmanager_loss]]\nat = [\"20s\"]\ntaskmanager = 1\n[[faults.taskmanager_loss]]\nat = [\"25s\"]\ndetection = \"connection_drop\"\n",
            "1h",
        );
        let sched = generate(&s, &g, 1).unwrap();
        let kinds: Vec<_> = sched.events.iter().map(|e| (e.at.as_secs_f64(), e.kind)).collect();
        assert_eq!(kinds.len(), 4, "the crash at 2h is past the end: {kinds:?}");
        assert_eq!(kinds[0], (10.0, Fault::TaskFailure { subtask: SubtaskId(6) }));
        match kinds[1].1 {
            Fault::TaskManagerLost {
                taskmanager: 1,
                detection_delay_ns,
                ..
            } => assert!((40 * NS_PER_S..=50 * NS_PER_S).contains(&detection_delay_ns)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            kinds[2].1,
            Fault::TaskManagerLost {
                detection_delay_ns: 100_000_000,
                ..
            }
        ));
        assert_eq!(kinds[3], (30.0, Fault::TaskFailure { subtask: SubtaskId(6) }));
    }

    #[test]
    fn windows_begin_and_end_and_answer_queries() {
        let (s, g) = setup(
            "[faults.storage]\nupload_failure_probability = 0.5\nthrottling = [{ start = \"10s\", duration = \"10s\", factor = 0.5 }, { start = \"15s\", duration = \"10s\", factor = 0.5 }]\noutages = [{ start = \"40s\", duration = \"5s\" }]\n[[faults.network_partition]]\nstart = \"1s\"\nduration = \"2s\"\nbetween = [2, 0]\n[[faults.straggler]]\nkind = \"taskmanager\"\ntaskmanager = 1\nstart = \"0s\"\nduration = \"1min\"\nslowdown = 4\n",
            "1h",
        );
        let sched = generate(&s, &g, 1).unwrap();
        let t = |x: u64| SimTime(x * NS_PER_S);
        assert_eq!(sched.storage_bandwidth_factor(t(12)), 0.5);
        assert_eq!(sched.storage_bandwidth_factor(t(17)), 0.25, "overlaps multiply");
        assert_eq!(sched.storage_bandwidth_factor(t(25)), 1.0, "end is exclusive");
        assert!(!sched.storage_available(t(42)) && sched.storage_available(t(45)));
        assert!(sched.partitioned(0, 2, t(2)) && !sched.partitioned(0, 1, t(2)) && !sched.partitioned(0, 2, t(3)));
        assert_eq!(sched.service_slowdown(1, t(30)), 4.0);
        assert_eq!(sched.service_slowdown(0, t(30)), 1.0);
        let begins = sched
            .events
            .iter()
            .filter(|e| matches!(e.kind, Fault::WindowBegin { .. }))
            .count();
        let ends = sched
            .events
            .iter()
            .filter(|e| matches!(e.kind, Fault::WindowEnd { .. }))
            .count();
        assert_eq!((begins, ends), (5, 5));
        let mut up = UploadFailures::new(1, sched.upload_failure_probability);
        let fails = (0..10_000).filter(|_| up.next_upload_fails()).count();
        // Binomial(10 000, 0.5): sd 50.
        assert!((fails as i64 - 5000).abs() < 200, "{fails}");
    }

    #[test]
    fn no_faults_section_is_an_empty_schedule() {
        let (s, g) = setup("", "1h");
        assert_eq!(generate(&s, &g, 1).unwrap(), FaultSchedule::default());
        assert!(!UploadFailures::new(1, 0.0).next_upload_fails());
    }
}

mod regions {
    use crate::ids::SubtaskId;
    use crate::model::graph::JobGraph;
    use crate::model::regions::*;
    use crate::vocab::FailoverStrategyKind;

    /// The job with chaining off: the regions are those of its operators' subtasks.
    fn graph(ops: &str) -> JobGraph {
        let text = format!(
            "[simulation]\nduration = \"10s\"\n[pipeline]\noperator_chaining = false\n[cluster]\ntaskmanagers = 4\nslots_per_taskmanager = 4\n{ops}"
        );
        let loaded = crate::scenario::parse_str(&text, "test.toml").unwrap();
        JobGraph::build(&super::super::job_spec(&loaded.scenario))
    }

    const SOURCE: &str = "[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 3\nrate = { process = \"constant\", records_per_second = 10 }\n";

    fn op(name: &str, kind: &str, from: &str, partitioning: &str) -> String {
        format!(
            "[[operators]]\nname = \"{name}\"\nkind = \"{kind}\"\nparallelism = 3\ninputs = [{{ from = \"{from}\", partitioning = \"{partitioning}\" }}]\n"
        )
    }

    #[test]
    fn every_output_edge_numbers_its_channels_consecutively() {
        // A source feeding three operators by hash, broadcast and forward: each edge's channel
        // to consumer i is its first channel plus i (what a record's channel is found by).
        let g = graph(&format!(
            "{SOURCE}{}{}{}",
            op("a", "sink", "src", "hash"),
            op("b", "sink", "src", "broadcast"),
            op("c", "sink", "src", "forward")
        ));
        let edges: Vec<_> = g.outputs.iter().flatten().collect();
        assert_eq!(edges.len(), 9, "three edges from each of three source subtasks");
        for e in edges {
            let first = e.channels[0].0;
            for (i, ch) in e.channels.iter().enumerate() {
                assert_eq!(ch.0, first + i as u32);
            }
        }
    }

    #[test]
    fn a_forward_only_pipeline_has_one_region_per_parallel_pipeline() {
        let g = graph(&format!(
            "{SOURCE}{}{}",
            op("map", "operator", "src", "forward"),
            op("sink", "sink", "map", "forward")
        ));
        let regions = PipelinedRegions::compute(&g);
        assert_eq!(regions.len(), 3);
        // Subtasks are numbered vertex by vertex: src 0-2, map 3-5, sink 6-8.
        assert_eq!(regions.members(1), &[SubtaskId(1), SubtaskId(4), SubtaskId(7)]);
        let f = FailoverStrategy::new(FailoverStrategyKind::Region, &g);
        assert_eq!(
            f.tasks_to_restart(SubtaskId(4)),
            vec![SubtaskId(1), SubtaskId(4), SubtaskId(7)]
        );
        assert_eq!(
            f.tasks_to_restart_all(&[SubtaskId(0), SubtaskId(8)]),
            vec![
                SubtaskId(0),
                SubtaskId(2),
                SubtaskId(3),
                SubtaskId(5),
                SubtaskId(6),
                SubtaskId(8)
            ]
        );
    }

    #[test]
    fn any_all_to_all_edge_makes_the_job_one_region() {
        for partitioning in ["hash", "rebalance", "broadcast"] {
            let g = graph(&format!(
                "{SOURCE}{}{}",
                op("map", "operator", "src", "forward"),
                op("sink", "sink", "map", partitioning)
            ));
            let regions = PipelinedRegions::compute(&g);
            assert_eq!(regions.len(), 1, "{partitioning}");
            let f = FailoverStrategy::new(FailoverStrategyKind::Region, &g);
            assert_eq!(f.tasks_to_restart(SubtaskId(0)).len(), 9, "{partitioning}");
        }
    }

    #[test]
    fn full_failover_restarts_every_task() {
        let g = graph(&format!("{SOURCE}{}", op("sink", "sink", "src", "forward")));
        let f = FailoverStrategy::new(FailoverStrategyKind::Full, &g);
        assert_eq!(
            f.tasks_to_restart(SubtaskId(2)),
            (0..6).map(SubtaskId).collect::<Vec<_>>()
        );
        assert!(
            f.tasks_to_restart(SubtaskId(99)).is_empty(),
            "an unknown id restarts nothing"
        );
    }

    #[test]
    fn two_disconnected_jobs_in_one_graph_restart_separately() {
        let second = "[[operators]]\nname = \"src2\"\nkind = \"source\"\nparallelism = 2\nrate = { process = \"constant\", records_per_second = 10 }\n[[operators]]\nname = \"sink2\"\nkind = \"sink\"\nparallelism = 2\ninputs = [{ from = \"src2\", partitioning = \"hash\" }]\n";
        let g = graph(&format!("{SOURCE}{}{second}", op("sink", "sink", "src", "rebalance")));
        let f = FailoverStrategy::new(FailoverStrategyKind::Region, &g);
        assert_eq!(
            f.tasks_to_restart(SubtaskId(7)),
            vec![SubtaskId(6), SubtaskId(7), SubtaskId(8), SubtaskId(9)]
        );
    }
}

mod shared_shape_tests {
    /// A Zipf table of 50 M keys is 400 MB: built once per source operator, not per subtask.
    #[test]
    fn the_subtasks_of_a_source_share_one_record_shape() {
        let text = "[simulation]\nduration = \"1s\"\n[cluster]\ntaskmanagers = 1\nslots_per_taskmanager = 4\n\
                    [[operators]]\nname = \"source\"\nkind = \"source\"\nparallelism = 4\n\
                    rate = { process = \"constant\", records_per_second = 10 }\n\
                    keys = { count = 1000, distribution = \"zipf\", exponent = 1.1 }\n";
        let loaded = crate::scenario::parse_str(text, "shapes.toml").expect("valid");
        let w = crate::model::world::World::new(&super::super::world_config(&loaded.scenario), 1, "shapes");
        let shapes = w.tasks.source_shapes();
        assert_eq!(shapes.len(), 4);
        assert!(shapes.windows(2).all(|p| std::sync::Arc::ptr_eq(p[0], p[1])));
    }
}

/// Every profile name the scenario accepts has figures in the model.
#[test]
fn every_accepted_storage_profile_has_figures() {
    for p in crate::vocab::STORAGE_PROFILES {
        let named = crate::model::storage::StorageProfile::named(p.name).expect(p.name);
        assert_eq!(named.bandwidth_bytes_per_s, p.bandwidth_bytes_per_s, "{}", p.name);
    }
    assert!(crate::model::storage::StorageProfile::named("tape").is_none());
}

/// The seen-keys bitsets (`model::world::seen_keys`) on a compiled job.
mod seen_keys {
    use crate::model::graph::JobGraph;
    use crate::model::key_groups::key_to_subtask;
    use crate::model::world::seen_keys::SeenKeys;

    /// On a compiled job: the operator behind a hash edge shares one bitset (its subtasks get
    /// disjoint keys) and counts per subtask the distinct keys its key groups route to it; the
    /// operator behind a forward edge, whose every subtask sees every key here, has one bitset
    /// per subtask and counts all of them at each (one shared bitset would count them once).
    #[test]
    fn a_keyed_operator_shares_a_bitset_and_a_forward_fed_one_does_not() {
        let text = "[simulation]\nduration = \"1s\"\n[pipeline]\noperator_chaining = false\n[cluster]\ntaskmanagers = 2\nslots_per_taskmanager = 4\n[[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 4\nrate = { process = \"constant\", records_per_second = 10 }\nkeys = { count = 10000 }\n[[operators]]\nname = \"count\"\nkind = \"operator\"\nparallelism = 4\ninputs = [{ from = \"src\", partitioning = \"hash\" }]\nstate = { bytes_per_key = \"100B\" }\n[[operators]]\nname = \"agg\"\nkind = \"operator\"\nparallelism = 4\ninputs = [{ from = \"count\", partitioning = \"forward\" }]\nstate = { bytes_per_key = \"100B\" }\n";
        let loaded = crate::scenario::parse_str(text, "t.toml").unwrap();
        let g = JobGraph::build(&crate::compile::world_config(&loaded.scenario).job);
        // With RocksDB's memtable bits too (two bits a key): the same counts.
        for memtables in [false, true] {
            let mut k = SeenKeys::new(&g, 10_000, 1, true, memtables);
            assert_eq!(k.bitset_count(), 1 + 4, "one shared bitset for `count`, four for `agg`");
            let (count, agg) = (&g.vertices[1], &g.vertices[2]);
            let mut routed = vec![std::collections::BTreeSet::new(); 4];
            for _source in 0..4 {
                for key in 0..10_000u32 {
                    let i = key_to_subtask(key, count.max_parallelism, count.parallelism);
                    routed[i as usize].insert(key);
                    assert!(k.see(count.first_subtask + i, key).is_some());
                    assert!(k.see(agg.first_subtask + (key % 4), key).is_some());
                    assert!(k.see(agg.first_subtask + ((key + 1) % 4), key).is_some());
                }
            }
            for i in 0..4 {
                assert_eq!(k.distinct(count.first_subtask + i), routed[i as usize].len() as u64);
                assert_eq!(k.distinct(agg.first_subtask + i), 5_000);
            }
            assert!(
                k.see(g.vertices[0].first_subtask, 7).is_none(),
                "sources here keep no keyed state"
            );
        }
    }
}
