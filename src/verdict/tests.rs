use super::throughput::slope_of;

#[test]
fn lag_slope_is_the_least_squares_trend() {
    assert_eq!(slope_of(&[(0.0, 0.0), (1.0, 10.0), (2.0, 20.0)]), 10.0);
    assert_eq!(slope_of(&[(0.0, 5.0)]), 0.0);
    let flat = slope_of(&[(0.0, 5.0), (1.0, 5.0), (2.0, 5.0)]);
    assert_eq!(flat, 0.0);
}

/// A failover suspends the coordinator and fails its pending checkpoint, which Flink's
/// `CheckpointFailureManager` does not count: the verdict lists it apart from the counted ones.
#[test]
fn only_the_reasons_flink_counts_are_listed_against_the_tolerable_limit() {
    let reasons: std::collections::BTreeMap<String, u64> = [
        ("CHECKPOINT_ASYNC_EXCEPTION", 2),
        ("CHECKPOINT_COORDINATOR_SUSPEND", 1),
        ("EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE (job failover requested)", 1),
    ]
    .into_iter()
    .map(|(r, n)| (r.to_string(), n))
    .collect();
    let text = super::checkpoints::counted_apart(&reasons);
    assert_eq!(
        text,
        " Failures that count against the tolerable limit: 2 CHECKPOINT_ASYNC_EXCEPTION. The limit was \
         exceeded: 1 EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE (job failover requested). Not counted: 1 \
         CHECKPOINT_COORDINATOR_SUSPEND."
    );
}
