"""Where a rate-limited datagen source's CPU goes, from the per-thread counters of a measured pass.

Flink 2.3's DataGeneratorSource hands every record between two threads: the task thread asks
RateLimitedSourceReader.isAvailable(), whose GuavaRateLimiter runs `acquire` on its own
single-thread executor (`flink-rate-limiter`, CompletableFuture.runAsync) and completes a future
the task thread then resumes on. thread_cpu_window.py's window (after the warm-up) gives each
thread group's CPU per second. This script fits, per thread, CPU per second = fixed + per record x
records per second per subtask on the two paced calibration runs of the pass (c04 at 1,000 and c02
at 20,000 records/s, parallelism 1), then predicts every other run of the pass from its own
source rate and parallelism and prints the prediction beside the measurement.
usage: fit.py PASS_REAL_DIR [CALIBRATION_REAL_DIR]
  (e.g. tests/fidelity/replication/2026-12-05/real; the held-out runs, which have no calibration
  runs of their own, take the pass whose constants they were predicted with:
  tests/fidelity/holdout/real tests/fidelity/replication/2026-12-05/real)
"""
import os, re, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from thread_cpu_window import source_rate, warmup_of, window  # noqa: E402

THREADS = {"task": "Source: gen", "limiter": "flink-rate-limi"}


def thread_ms_per_s(run):
    """Each source thread's CPU, ms per second of the window; None when a snapshot lacks it."""
    seconds, cpu, _ = window(run)
    return {k: cpu[g] / 1e6 / seconds if g in cpu else None for k, g in THREADS.items()}


def rate_and_p(run):
    found = re.search(r"--parallelism (\d+)", open(os.path.join(run, "run-info.txt")).read())
    return source_rate(run, warmup_of(run)), int(found.group(1)) if found else 1


def ms(x):
    return "n/a" if x is None else f"{x:.1f}"


real = sys.argv[1]
runs = sorted(d for d in os.listdir(real)
              if os.path.exists(os.path.join(real, d, "threads_end.json")))
calib = sys.argv[2] if len(sys.argv) > 2 else real
lo, hi = (os.path.join(calib, "c04_empty.r1"), os.path.join(calib, "c02_heap_entries.r1"))
(r_lo, _), (r_hi, _) = rate_and_p(lo), rate_and_p(hi)
w_lo, w_hi = thread_ms_per_s(lo), thread_ms_per_s(hi)
fit = {}
for k in THREADS:
    per_record_us = (w_hi[k] - w_lo[k]) / (r_hi - r_lo) * 1e3
    fixed_ms = w_lo[k] - per_record_us * r_lo / 1e3
    fit[k] = (fixed_ms, per_record_us)
    print(f"{k}: {fixed_ms:.1f} ms/s per subtask + {per_record_us:.2f} us per record "
          f"(c04 {w_lo[k]:.1f} ms/s at {r_lo:.0f}/s, c02 {w_hi[k]:.1f} at {r_hi:.0f}/s)")
print("\nn/a: the thread is missing from a snapshot of the run (not measured).")
print("\n| run | records/s (all subtasks) | p | task thread ms/s: measured / fitted | "
      "rate limiter ms/s: measured / fitted | CPU us per record: measured / per-record part alone |")
print("|---|---|---|---|---|---|")
for d in runs:
    run = os.path.join(real, d)
    rate, p = rate_and_p(run)
    w = thread_ms_per_s(run)
    pred = {k: p * fit[k][0] + fit[k][1] * rate / 1e3 for k in THREADS}
    both = "n/a" if None in w.values() else f"{sum(w.values()) / rate * 1e3:.2f}"
    slope = sum(f[1] for f in fit.values())
    print(f"| {d} | {rate:.0f} | {p} | {ms(w['task'])} / {pred['task']:.1f} | "
          f"{ms(w['limiter'])} / {pred['limiter']:.1f} | {both} / {slope:.2f} |")
