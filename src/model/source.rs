//! Source input, of two kinds: a log (Kafka, say), where records arrive on their own schedule
//! and wait while the job is slow or down, and Flink's rate-limited `DataGeneratorSource`, which
//! makes each record when its rate limiter lets it, so nothing ever waits. What key and size a
//! record has is a function of its id ([`crate::model::record_shape`]). Either reader is
//! clonable and positioned at the next record to read, so a source's snapshot is a clone and a
//! rewind replays the same records.

use std::sync::Arc;

use crate::model::rate_limiter::RateLimiter;
use crate::rate_profile::RateProfile;
use crate::sim::Dist;
use crate::sim::rng::RngStream;
use crate::vocab::{ArrivalProcess, KeyDistribution};

/// A source's arrival process: `process` at `records_per_second` per subtask; bursts are on
/// for `on` and off for `off`; `profile` multiplies the rate over time.
#[derive(Clone, Debug)]
pub struct RateSpec {
    pub process: ArrivalProcess,
    pub records_per_second: f64,
    pub on: Option<Dist>,
    pub off: Option<Dist>,
    pub profile: Option<Arc<RateProfile>>,
    /// Records per arrival: 1, or a bundle's `k` (`simulation.records_per_bundle`), which
    /// arrives when its last record would. `records_per_second` counts arrivals.
    pub records_per_arrival: u32,
}

/// A source's key space: `count` keys drawn by `distribution` (Zipf with `exponent`).
#[derive(Clone, Copy, Debug)]
pub struct KeySpace {
    pub count: u64,
    pub distribution: KeyDistribution,
    pub exponent: f64,
}

/// What kind of source an operator is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// Reads a log: `rate` is when records arrive there; they accumulate (lag) while the job is
    /// slow or down, and a restore reads them again from the checkpointed offset.
    Log,
    /// Flink's `DataGeneratorSource` with `RateLimiterStrategy.perSecond`: `rate` is each
    /// subtask's limit; it emits at most that, slows under backpressure and builds no backlog.
    Generator,
}

/// What a source operator reads: when records arrive, their keys and sizes, and (bounded
/// input) how many there are per subtask.
#[derive(Clone, Debug)]
pub struct SourceSpec {
    pub kind: SourceKind,
    pub rate: RateSpec,
    /// Default: [`crate::vocab::DEFAULT_RECORD_BYTES`].
    pub record_size: Option<Dist>,
    /// Default: [`crate::vocab::DEFAULT_KEY_COUNT`] uniform keys.
    pub keys: Option<KeySpace>,
    pub max_records: Option<u64>,
}

/// Arrival times of one source subtask's records.
#[derive(Clone, Debug)]
pub struct ArrivalGen {
    rng: RngStream,
    process: ArrivalProcess,
    /// Mean gap between arrivals (bundles, when an arrival is one).
    mean_gap_ns: f64,
    /// Records per arrival (see [`RateSpec::records_per_arrival`]).
    records_per_arrival: u32,
    /// Arrival time (ns, fractional to avoid drift) of record `offset`, in the operational time
    /// of `profile` when there is one (on/off phases included: the process runs there whole).
    t_ns: f64,
    /// The rate over time: arrivals at operational time τ happen at Λ⁻¹(τ) on the clock.
    profile: Option<Arc<RateProfile>>,
    /// Clock time of record `offset`: `t_ns` mapped through the profile (`t_ns` without one).
    clock_ns: f64,
    offset: u64,
    on_phase_end_ns: f64,
    on: Option<(Dist, Dist)>,
    /// No record arriving after this is ever read (the run's end): the search for the next
    /// arrival stops once past it, instead of walking on/off phases until a record at 1e-9/s
    /// turns up centuries later.
    horizon_ns: f64,
}

impl ArrivalGen {
    pub fn new(cfg: &RateSpec, rng: RngStream) -> Self {
        Self::until(cfg, rng, f64::INFINITY)
    }

    /// Arrivals up to `horizon_ns` (the run's end); beyond it the generator stops looking and
    /// stands at some time past the horizon. Arrivals before the horizon are those of `new`.
    pub fn until(cfg: &RateSpec, rng: RngStream, horizon_ns: f64) -> Self {
        let mean_gap_ns = 1e9 / cfg.records_per_second;
        let on = match cfg.process {
            ArrivalProcess::Bursts => Some((
                cfg.on.as_ref().expect("validated").clone(),
                cfg.off.as_ref().expect("validated").clone(),
            )),
            _ => None,
        };
        // The phases' search stops at the horizon in operational time.
        let horizon_ns = match &cfg.profile {
            Some(p) if horizon_ns.is_finite() => p.cumulative_ns(horizon_ns),
            _ => horizon_ns,
        };
        let mut g = ArrivalGen {
            rng,
            process: cfg.process,
            mean_gap_ns,
            records_per_arrival: cfg.records_per_arrival.max(1),
            t_ns: 0.0,
            profile: cfg.profile.clone(),
            clock_ns: 0.0,
            offset: 0,
            on_phase_end_ns: f64::INFINITY,
            on,
            horizon_ns,
        };
        if let Some((on_d, _)) = &g.on {
            g.on_phase_end_ns = on_d.sample(&mut g.rng);
        }
        g.t_ns = g.next_arrival_after(0.0);
        g.clock_ns = g.clock_of(g.t_ns, 0.0);
        g
    }

    /// Clock time of an arrival at operational time `t_ns`, never before `previous_ns` (the
    /// inverse is monotone; this keeps rounding from ever reordering two arrivals).
    #[inline]
    fn clock_of(&self, t_ns: f64, previous_ns: f64) -> f64 {
        match &self.profile {
            None => t_ns,
            Some(p) => p.clock_ns(t_ns).max(previous_ns),
        }
    }

    fn next_arrival_after(&mut self, t: f64) -> f64 {
        let k = self.records_per_arrival;
        if k > 1 {
            return self.next_bundle_after(t, k);
        }
        match self.process {
            // From the offset, not by accumulation: no drift however long the run.
            ArrivalProcess::Constant => (self.offset + 1) as f64 * self.mean_gap_ns,
            ArrivalProcess::Poisson => t - self.mean_gap_ns * (1.0 - self.rng.next_f64()).ln(),
            ArrivalProcess::Bursts => self.next_burst_arrival_after(t, self.mean_gap_ns),
        }
    }

    /// When a bundle of `k` records that follows an arrival at `t` is complete: its last
    /// record's arrival. `mean_gap_ns` is a bundle's gap, `k` record gaps.
    fn next_bundle_after(&mut self, t: f64, k: u32) -> f64 {
        let record_gap_ns = self.mean_gap_ns / k as f64;
        match self.process {
            ArrivalProcess::Constant => (self.offset + 1) as f64 * self.mean_gap_ns,
            // The sum of k exponential gaps, in one draw.
            ArrivalProcess::Poisson => t + record_gap_ns * crate::sim::gamma::erlang(k, &mut self.rng),
            // Record by record, across on- and off-phases as the records would arrive.
            ArrivalProcess::Bursts => {
                let mut t = t;
                for _ in 0..k {
                    t = self.next_burst_arrival_after(t, record_gap_ns);
                }
                t
            }
        }
    }

    /// The next arrival after `t` of a Poisson process of mean gap `gap_ns` that runs only in
    /// on-phases.
    fn next_burst_arrival_after(&mut self, t: f64, gap_ns: f64) -> f64 {
        let mut t = t;
        loop {
            let next = t - gap_ns * (1.0 - self.rng.next_f64()).ln();
            if next <= self.on_phase_end_ns {
                return next;
            }
            // Memoryless: restart the Poisson clock at the next on-phase.
            let (on_d, off_d) = self.on.as_ref().expect("bursts have phases");
            let off = off_d.sample(&mut self.rng);
            let on = on_d.sample(&mut self.rng).max(1.0);
            t = self.on_phase_end_ns + off;
            self.on_phase_end_ns = t + on;
            if t > self.horizon_ns {
                // Never read: any time past the horizon will do.
                return t;
            }
        }
    }

    /// Arrival time (ns) of the next record to read.
    pub fn peek_arrival_ns(&self) -> u64 {
        crate::time::ns_from_f64(self.clock_ns)
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Where the generator stands: everything [`ArrivalGen::advance`] changes.
    fn mark(&self) -> ArrivalMark {
        ArrivalMark {
            offset: self.offset,
            t_ns: self.t_ns,
            clock_ns: self.clock_ns,
            on_phase_end_ns: self.on_phase_end_ns,
            rng_position: self.rng.position(),
        }
    }

    /// Back (or forward) to `mark`, taken on this generator: it then arrives as it did from there.
    fn go_to(&mut self, mark: &ArrivalMark) {
        self.offset = mark.offset;
        self.t_ns = mark.t_ns;
        self.clock_ns = mark.clock_ns;
        self.on_phase_end_ns = mark.on_phase_end_ns;
        self.rng.seek(mark.rng_position);
    }

    /// Consumes the next record: returns (offset, arrival ns).
    pub fn advance(&mut self) -> (u64, u64) {
        let r = (self.offset, self.peek_arrival_ns());
        self.offset += 1;
        self.t_ns = self.next_arrival_after(self.t_ns);
        self.clock_ns = self.clock_of(self.t_ns, self.clock_ns);
        debug_assert!(self.clock_ns >= r.1 as f64 - 0.5, "arrivals are monotone");
        r
    }
}

/// What one source subtask reads, positioned at its next record.
// One reader per source task, kept in place: boxing the log's larger generator would only add
// an indirection to every record it reads.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum SourceReader {
    /// A log: records arrive on their own schedule.
    Log(ArrivalGen),
    /// A rate-limited generator: record `offset` (its sequence number, as a
    /// `NumberSequenceSplit`'s) is made when the limiter grants its permit.
    Generator { offset: u64, limiter: RateLimiter },
}

/// Where an [`ArrivalGen`] stands: its position in the log and in its random stream.
#[derive(Clone, Copy, Debug)]
struct ArrivalMark {
    offset: u64,
    t_ns: f64,
    clock_ns: f64,
    on_phase_end_ns: f64,
    rng_position: u128,
}

/// Where a [`SourceReader`] stands, noted at the start of every source batch so that a snapshot
/// taken inside the batch can put the reader back at its first record not yet emitted. A mark
/// is a few words; a clone of the reader copies its random generator's 256-byte buffer and,
/// boxed, allocated once per batch (once per record with a zero buffer timeout).
#[derive(Clone, Copy, Debug)]
pub struct ReaderMark(MarkOf);

#[derive(Clone, Copy, Debug)]
enum MarkOf {
    Log(ArrivalMark),
    Generator { offset: u64, limiter: RateLimiter },
}

impl SourceReader {
    /// Where this reader stands now.
    #[inline]
    pub fn mark(&self) -> ReaderMark {
        ReaderMark(match self {
            SourceReader::Log(g) => MarkOf::Log(g.mark()),
            SourceReader::Generator { offset, limiter } => MarkOf::Generator {
                offset: *offset,
                limiter: *limiter,
            },
        })
    }

    /// A copy of this reader put at `mark`, which was taken on this reader (earlier: what it
    /// reads from there is what it read then).
    pub fn at_mark(&self, mark: &ReaderMark) -> SourceReader {
        let mut r = self.clone();
        match (&mut r, &mark.0) {
            (SourceReader::Log(g), MarkOf::Log(m)) => g.go_to(m),
            (SourceReader::Generator { offset, limiter }, MarkOf::Generator { offset: o, limiter: l }) => {
                *offset = *o;
                *limiter = *l;
            }
            _ => unreachable!("a reader's mark is of its own kind"),
        }
        r
    }

    /// Subtask `rng`'s reader of `spec`; a log's arrivals are searched up to `horizon_ns`.
    pub fn new(spec: &SourceSpec, rng: RngStream, horizon_ns: f64) -> Self {
        match spec.kind {
            SourceKind::Log => SourceReader::Log(ArrivalGen::until(&spec.rate, rng, horizon_ns)),
            SourceKind::Generator => SourceReader::Generator {
                offset: 0,
                limiter: RateLimiter::per_second(spec.rate.records_per_second),
            },
        }
    }

    pub fn offset(&self) -> u64 {
        match self {
            SourceReader::Log(g) => g.offset(),
            SourceReader::Generator { offset, .. } => *offset,
        }
    }

    pub fn is_generator(&self) -> bool {
        matches!(self, SourceReader::Generator { .. })
    }

    /// When a task that asks at `ask_ns` reads the next record: once it has arrived (a log), or
    /// once its permit is granted (a generator). Changes nothing.
    #[inline]
    pub fn next_read_ns(&self, ask_ns: u64) -> u64 {
        match self {
            SourceReader::Log(g) => ask_ns.max(g.peek_arrival_ns()),
            SourceReader::Generator { limiter, .. } => limiter.grant_ns(ask_ns),
        }
    }

    /// Reads the next record, asked for at `ask_ns`: its offset and when it entered the job's
    /// input (its arrival in the log; for a generator, the instant it is made).
    #[inline]
    pub fn read(&mut self, ask_ns: u64) -> (u64, u64) {
        match self {
            SourceReader::Log(g) => g.advance(),
            SourceReader::Generator { offset, limiter } => {
                let made = limiter.acquire(ask_ns);
                *offset += 1;
                (*offset - 1, made)
            }
        }
    }

    /// Moves past the next record without timing it (a snapshot's position inside a batch).
    pub fn skip(&mut self) {
        match self {
            SourceReader::Log(g) => {
                g.advance();
            }
            SourceReader::Generator { offset, .. } => *offset += 1,
        }
    }

    /// Arrival of the next unread record in the log; `None` for a generator, where nothing
    /// waits to be read (it cannot fall behind, it is throttled).
    pub fn next_arrival_ns(&self) -> Option<u64> {
        match self {
            SourceReader::Log(g) => Some(g.peek_arrival_ns()),
            SourceReader::Generator { .. } => None,
        }
    }

    /// The reader a restarted task gets from this position: a log's stays where it was; a
    /// generator continues from its sequence number with a new limiter (nothing stored).
    pub fn restarted(&self) -> Self {
        match self {
            SourceReader::Log(g) => SourceReader::Log(g.clone()),
            SourceReader::Generator { offset, limiter } => SourceReader::Generator {
                offset: *offset,
                limiter: limiter.recreated(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{StreamId, StreamKind};

    fn arrivals_of(process: ArrivalProcess, rate: f64) -> ArrivalGen {
        let cfg = RateSpec {
            process,
            records_per_second: rate,
            on: None,
            off: None,
            profile: None,
            records_per_arrival: 1,
        };
        ArrivalGen::new(&cfg, RngStream::new(5, StreamId::new(StreamKind::SourceArrivals, 0)))
    }

    #[test]
    fn constant_rate_has_no_drift() {
        let mut g = arrivals_of(ArrivalProcess::Constant, 3.0);
        let mut last = 0;
        for _ in 0..300_000 {
            last = g.advance().1;
        }
        assert_eq!(
            last,
            100_000 * 1_000_000_000,
            "record 300000 at 3/s arrives at exactly 100000 s"
        );
    }

    #[test]
    fn poisson_rate_matches_within_four_standard_errors() {
        // n gaps of Exp(mean m): the mean gap has standard error m/sqrt(n).
        let n = 100_000;
        let mut g = arrivals_of(ArrivalProcess::Poisson, 1000.0);
        let mut last = 0;
        for _ in 0..n {
            last = g.advance().1;
        }
        let mean_gap = last as f64 / n as f64;
        let se = 1e6 / (n as f64).sqrt();
        assert!((mean_gap - 1e6).abs() < 4.0 * se, "mean gap {mean_gap}");
    }

    #[test]
    fn a_nearly_silent_burst_source_stops_at_the_horizon() {
        // 1e-9 records/s during 1 ms on-phases: the first record would come after about 1e12
        // phases, which walking them one by one never reaches.
        let ms = || Dist::Exponential { mean: 1e6 };
        let cfg = RateSpec {
            process: ArrivalProcess::Bursts,
            records_per_second: 1e-9,
            on: Some(ms()),
            off: Some(ms()),
            profile: None,
            records_per_arrival: 1,
        };
        let rng = RngStream::new(5, StreamId::new(StreamKind::SourceArrivals, 0));
        let g = ArrivalGen::until(&cfg, rng, 60e9);
        assert!(
            g.peek_arrival_ns() as f64 > 60e9,
            "the next record lies past the run's end"
        );
    }

    #[test]
    fn a_horizon_leaves_the_arrivals_before_it_alone() {
        let ms = |v: f64| Dist::Exponential { mean: v };
        let cfg = RateSpec {
            process: ArrivalProcess::Bursts,
            records_per_second: 5000.0,
            on: Some(ms(2e7)),
            off: Some(ms(5e7)),
            profile: None,
            records_per_arrival: 1,
        };
        let stream = || RngStream::new(9, StreamId::new(StreamKind::SourceArrivals, 3));
        let mut free = ArrivalGen::new(&cfg, stream());
        let mut bounded = ArrivalGen::until(&cfg, stream(), 1e9);
        loop {
            let (a, b) = (free.advance(), bounded.advance());
            if a.1 as f64 > 1e9 {
                break;
            }
            assert_eq!(a, b);
        }
    }

    #[test]
    fn a_profile_of_one_changes_no_arrival() {
        let flat = RateProfile::piecewise(&[(0.0, 1.0)], false);
        let stream = || RngStream::new(5, StreamId::new(StreamKind::SourceArrivals, 0));
        for process in [ArrivalProcess::Poisson, ArrivalProcess::Constant] {
            let mut cfg = RateSpec {
                process,
                records_per_second: 1000.0,
                on: None,
                off: None,
                profile: None,
                records_per_arrival: 1,
            };
            let mut plain = ArrivalGen::new(&cfg, stream());
            cfg.profile = Some(Arc::new(flat.clone()));
            let mut mapped = ArrivalGen::new(&cfg, stream());
            for _ in 0..10_000 {
                assert_eq!(plain.advance(), mapped.advance());
            }
        }
    }

    /// Gaps of a bundle source (`records_per_arrival` = k, the rate in bundles): a Poisson
    /// bundle arrives k record gaps after the last, so its gaps are Erlang(k): mean k/λ and a
    /// coefficient of variation of 1/sqrt(k) (an exponential gap would have 1).
    fn bundle_gaps(process: ArrivalProcess, k: u32, records_per_second: f64) -> Vec<f64> {
        let cfg = RateSpec {
            process,
            records_per_second: records_per_second / k as f64,
            on: None,
            off: None,
            profile: None,
            records_per_arrival: k,
        };
        let mut g = ArrivalGen::new(&cfg, RngStream::new(5, StreamId::new(StreamKind::SourceArrivals, 0)));
        let mut last = 0;
        (0..50_000)
            .map(|_| {
                let t = g.advance().1;
                let gap = (t - last) as f64;
                last = t;
                gap
            })
            .collect()
    }

    fn mean_and_cv(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        (m, sd / m)
    }

    #[test]
    fn a_poisson_bundle_arrives_after_the_sum_of_its_records_gaps() {
        // 50,000 gaps: the mean's standard error is 1/sqrt(k n) of it; the CV's about
        // cv / sqrt(2 n) (0.1 % here): 4 standard errors, and a CV check at 3 %.
        let (mean, cv) = mean_and_cv(&bundle_gaps(ArrivalProcess::Poisson, 16, 1000.0));
        assert!(
            (mean / 16e6 - 1.0).abs() < 4.0 / (16.0f64 * 50_000.0).sqrt(),
            "mean gap {mean}"
        );
        assert!(
            (cv - 0.25).abs() < 0.03 * 0.25,
            "coefficient of variation {cv}, not 1/sqrt(16)"
        );
        // Negative control: bundles arriving as a Poisson process of their own (exponential
        // gaps at the bundle rate) have the same mean and a CV of 1.
        let (_, cv1) = mean_and_cv(&bundle_gaps(ArrivalProcess::Poisson, 1, 1000.0 / 16.0));
        assert!(
            (cv1 - 0.25).abs() > 0.03 * 0.25,
            "the check cannot tell exponential gaps: cv {cv1}"
        );
    }

    #[test]
    fn a_constant_bundle_arrives_with_its_last_record() {
        let gaps = bundle_gaps(ArrivalProcess::Constant, 10, 1000.0);
        assert_eq!(gaps[0], 10e6, "the first bundle is complete with record 10, at 10 ms");
        assert!(
            gaps.iter().all(|g| *g == 10e6),
            "every bundle 10 record gaps after the last"
        );
    }

    #[test]
    fn a_clone_replays_the_same_arrivals() {
        let mut g = arrivals_of(ArrivalProcess::Poisson, 1000.0);
        g.advance();
        let mut snapshot = g.clone();
        let a: Vec<_> = (0..10).map(|_| g.advance()).collect();
        let b: Vec<_> = (0..10).map(|_| snapshot.advance()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn a_reader_put_back_at_its_mark_reads_what_it_read_from_there() {
        let bursts = RateSpec {
            process: ArrivalProcess::Bursts,
            records_per_second: 5000.0,
            on: Some(Dist::Exponential { mean: 2e6 }),
            off: Some(Dist::Exponential { mean: 5e6 }),
            profile: None,
            records_per_arrival: 1,
        };
        let stream = || RngStream::new(9, StreamId::new(StreamKind::SourceArrivals, 3));
        let readers = [
            SourceReader::Log(arrivals_of(ArrivalProcess::Poisson, 1000.0)),
            // Bursts move the on-phase's end as well as the stream.
            SourceReader::Log(ArrivalGen::new(&bursts, stream())),
            SourceReader::Generator {
                offset: 0,
                limiter: RateLimiter::per_second(1000.0),
            },
        ];
        for mut r in readers {
            // Marks from the start to past a few of the random generator's 64-word buffers.
            for step in 0..150u64 {
                let ask_ns = step * 700_000;
                let mark = r.mark();
                let read: Vec<_> = (0..5).map(|i| r.read(ask_ns + i * 300_000)).collect();
                let mut again = r.at_mark(&mark);
                let reread: Vec<_> = (0..5).map(|i| again.read(ask_ns + i * 300_000)).collect();
                assert_eq!(read, reread, "{r:?} at step {step}");
                assert_eq!(again.offset(), r.offset());
            }
        }
    }
}
