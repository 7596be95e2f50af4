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
import collections, csv, json, os, re, sys



THREADS = {"task": "Source: gen", "limiter": "flink-rate-limi"}


def window(run):
    start = json.load(open(os.path.join(run, "threads_warmup.json")))
    end = json.load(open(os.path.join(run, "threads_end.json")))
    seconds = end["_jvm_age_s"] - start["_jvm_age_s"]
    cpu = collections.Counter()
    for tid, v in end.items():
        if tid.startswith("_"):
            continue
        s = start.get(tid, [v[0], 0, 0, 0])
        cpu[v[0].split(" (")[0]] += v[1] - s[1]
    return {k: cpu[g] / 1e6 / seconds for k, g in THREADS.items()}  # ms of CPU per s


def rate_and_p(run):
    warm = 90.0
    for line in open(os.path.join(run, "run-info.txt")):
        for w in line.split():
            if w.startswith("warmup_s="):
                warm = float(w.split("=")[1])
    found = re.search(r"--parallelism (\d+)", open(os.path.join(run, "run-info.txt")).read())
    p = int(found.group(1)) if found else 1
    rows = [r for r in csv.DictReader(open(os.path.join(run, "metrics.csv")))
            if r["vertex"] == "Source: gen" and r["metric"] == "numRecordsOutPerSecond"
            and float(r["t_rel_s"]) >= warm and r["sum"]]
    return sum(float(r["sum"]) for r in rows) / len(rows), p


real = sys.argv[1]
runs = sorted(d for d in os.listdir(real)
              if os.path.exists(os.path.join(real, d, "threads_end.json")))
calib = sys.argv[2] if len(sys.argv) > 2 else real
lo, hi = (os.path.join(calib, "c04_empty.r1"), os.path.join(calib, "c02_heap_entries.r1"))
(r_lo, _), (r_hi, _) = rate_and_p(lo), rate_and_p(hi)
w_lo, w_hi = window(lo), window(hi)
fit = {}
for k in THREADS:
    per_record_us = (w_hi[k] - w_lo[k]) / (r_hi - r_lo) * 1e3
    fixed_ms = w_lo[k] - per_record_us * r_lo / 1e3
    fit[k] = (fixed_ms, per_record_us)
    print(f"{k}: {fixed_ms:.1f} ms/s per subtask + {per_record_us:.2f} us per record "
          f"(c04 {w_lo[k]:.1f} ms/s at {r_lo:.0f}/s, c02 {w_hi[k]:.1f} at {r_hi:.0f}/s)")
print("\n| run | records/s (all subtasks) | p | task thread ms/s: measured / fitted | "
      "rate limiter ms/s: measured / fitted | CPU us per record: measured / per-record part alone |")
print("|---|---|---|---|---|---|")
for d in runs:
    run = os.path.join(real, d)
    rate, p = rate_and_p(run)
    w = window(run)
    pred = {k: p * fit[k][0] + fit[k][1] * rate / 1e3 for k in THREADS}
    both = sum(w.values()) / rate * 1e3
    slope = sum(f[1] for f in fit.values())
    print(f"| {d} | {rate:.0f} | {p} | {w['task']:.1f} / {pred['task']:.1f} | "
          f"{w['limiter']:.1f} / {pred['limiter']:.1f} | {both:.2f} / {slope:.2f} |")
