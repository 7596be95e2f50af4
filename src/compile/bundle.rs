//! The fast path (`simulation.records_per_bundle = k`): the job's records travel in bundles of
//! `k`, each simulated as one record, so every per-record step (arrival, key, service time,
//! state update, buffer write, sink write) runs `k` times less often. The model itself is the
//! record-level one; this step only rewrites what one simulated record is:
//!
//! - a source's rate is `k` times lower, and a Poisson source's gap between bundles is the sum
//!   of `k` record gaps (one Erlang draw), so a bundle arrives when its last record would;
//!   constant and bursty sources do the same in their own way ([`crate::model::source`]);
//! - a bundle weighs its records' bytes and costs the sum of their service and wait times
//!   ([`Dist::sum_of`]), so busy time, throughput and bytes on the wire keep their values;
//! - its key is drawn as a record's, so keyed edges split bundles over subtasks exactly as they
//!   split records (Flink's key groups of the same keys: under backpressure the subtask with the
//!   larger share sets the pace); its state goes to the block of `k` keys the key falls in, each
//!   block holding `k` times the state per key ([`crate::model::world`]'s seen keys), so the state
//!   grows by the same bytes as distinct keys are met (exactly, in expectation, for uniform
//!   keys: `n` records over `K` keys meet `K (1 - e^(-n/K))` of them, and `n/k` bundles over
//!   `K/k` blocks meet `K/k (1 - e^(-n/K))` blocks of `k`), and the per-entry costs of
//!   snapshots and flushes are `k` times larger;
//! - selective operators keep or drop whole bundles: the mean passes, its variance grows;
//! - a network buffer is finished half a bundle less half a record early, so that buffers hold
//!   as many bytes on average as record by record, and a buffer that leaves because it filled
//!   moves its bundles' latency origins back by what its records would have waited had they
//!   trickled in (`network_stack::send`); a source's batch caps its size per record
//!   ([`crate::model::world`]);
//! - counts and rates are reported in records (`k` per bundle: [`crate::model::world`]).
//!
//! A bounded source reads `max_records` rounded up to whole bundles (at most `k - 1` more).
//!
//! What it cannot keep: a bundle's records reach a channel together, where the record-level
//! model spreads them over up to `k` buffers, so buffers carry fewer, larger chunks; latency is
//! counted from the bundle's (its last record's) arrival; a Zipf law's hot keys share blocks with
//! their neighbours. The README's fast-path section measures the error on the bundled scenarios
//! and the fidelity suite; the exactly-once tests run record by record.

use crate::model::config::WorldConfig;
use crate::sim::Dist;

/// Rewrites `cfg` so that each simulated record stands for `k` of the job's records. `k` = 1
/// changes nothing.
pub fn apply(cfg: &mut WorldConfig, k: u32) {
    cfg.run.records_per_bundle = k;
    if k <= 1 {
        return;
    }
    let kf = k as f64;
    for op in &mut cfg.job.operators {
        if let Some(src) = &mut op.source {
            src.rate.records_per_arrival = k;
            src.rate.records_per_second /= kf;
            src.record_size = Some(Dist::sum_of(
                k,
                src.record_size
                    .as_ref()
                    .unwrap_or(&Dist::Constant(crate::vocab::DEFAULT_RECORD_BYTES)),
            ));
            src.max_records = src.max_records.map(|n| n.div_ceil(k as u64));
        }
        for c in &mut op.chain {
            c.service_time = Dist::sum_of(k, &c.service_time);
            c.wait_time = Dist::sum_of(k, &c.wait_time);
        }
        op.output_record_size = op.output_record_size.as_ref().map(|d| Dist::sum_of(k, d));
        op.state_bytes_per_key *= k as f64;
    }
    cfg.backend.flush.ns_per_entry *= kf;
    cfg.backend.heap.ns_per_entry *= kf;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(k: u32) -> WorldConfig {
        let text = format!(
            "[simulation]\nduration = \"10s\"\nrecords_per_bundle = {k}\n[cluster]\ntaskmanagers = 1\n\
             [state_backend]\nkind = \"rocksdb\"\n\
             [[operators]]\nname = \"src\"\nkind = \"source\"\nparallelism = 1\n\
             rate = {{ process = \"poisson\", records_per_second = 1600 }}\nrecord_size = \"50B\"\n\
             keys = {{ count = 1000 }}\nmax_records = 100\n\
             [[operators]]\nname = \"op\"\nkind = \"operator\"\nparallelism = 1\n\
             inputs = [{{ from = \"src\", partitioning = \"hash\" }}]\n\
             service_time = {{ dist = \"exponential\", mean = \"1ms\" }}\nstate = {{ bytes_per_key = \"8B\" }}\n"
        );
        let loaded = crate::scenario::parse_str(&text, "t.toml").expect("valid");
        crate::compile::world_config(&loaded.scenario)
    }

    #[test]
    fn a_bundle_is_its_records_summed_keyed_as_a_record_with_k_times_the_state_per_key() {
        let (one, k) = (config(1), config(16));
        let (s1, sk) = (
            one.job.operators[0].source.as_ref().unwrap(),
            k.job.operators[0].source.as_ref().unwrap(),
        );
        assert_eq!(sk.rate.records_per_second, 100.0, "1600 records/s in bundles of 16");
        assert_eq!(sk.rate.records_per_arrival, 16);
        assert_eq!(s1.rate.records_per_arrival, 1);
        assert_eq!(sk.record_size, Some(Dist::Constant(800.0)));
        assert_eq!(
            sk.keys.unwrap().count,
            1000,
            "keys drawn as records' (state goes by blocks of 16)"
        );
        assert_eq!(sk.max_records, Some(7), "100 records in bundles of 16, rounded up");
        let op = &k.job.operators[1];
        assert_eq!(op.state_bytes_per_key, 128.0);
        assert_eq!(op.chain[0].service_time.mean(), 16e6);
        assert_eq!(k.backend.flush.ns_per_entry, 16.0 * one.backend.flush.ns_per_entry);
        assert_eq!(k.backend.heap.ns_per_entry, 16.0 * one.backend.heap.ns_per_entry);
        assert_eq!(k.run.records_per_bundle, 16);
    }
}
