"""The late window of the four back-pressured remote rows: Flink (real/, r1 and r2) beside
ckptsim with two binaries (README.md says how it is read; the rule was fixed before the runs).

python3 compare.py BASE_BIN PATCH_BIN [OUT]

Simulates each row's suite scenario (../../scenarios/) with warmup 180 s and duration 240 s on
seeds 1-6 with both binaries into OUT (default /tmp/after_the_walk), then prints a table per row:
Flink's mean of r1 and r2 and their spread, the tolerance by the suite's rule, and each
binary's figure (pooled over the six seeds) with ok / OUT. Checkpoints count when triggered
180 s or more after the job's start, on both sides."""

import csv
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "..", "..", "scenarios")
WARMUP_S = 180.0
DURATION_S = 240
SEEDS = range(1, 7)
MAP = "stateful-map"

ROWS = {
    "f05_bp_aligned_remote": ["e2e", "alignment"],
    "f07_bp_unaligned_remote": ["e2e", "state", "persisted"],
    "f08_bp_timeout_remote": ["e2e", "state", "persisted"],
    "f09_bp_debloat_remote": ["e2e", "alignment"],
}
NAMES = {
    "e2e": "p50 end_to_end_duration (ms)",
    "alignment": "p50 map alignment_duration (ms)",
    "state": "mean state_size (kB)",
    "persisted": "p50 persisted_data (kB)",
}


def percentile(xs, q):
    """Linear between ranks, as the suite's (numpy's default)."""
    xs = sorted(x for x in xs if math.isfinite(x))
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def figures(checkpoints, map_alignments):
    """checkpoints: (e2e ms, state B, persisted B) per completed checkpoint in the window;
    map_alignments: floored ms per map subtask of those checkpoints."""
    e2e = [c[0] for c in checkpoints]
    return {
        "e2e": percentile(e2e, 0.5),
        "state": sum(c[1] for c in checkpoints) / len(checkpoints) / 1000 if checkpoints else float("nan"),
        "persisted": percentile([c[2] for c in checkpoints], 0.5) / 1000,
        "alignment": percentile(map_alignments, 0.5),
    }


def real_figures(row, run):
    d = os.path.join(HERE, "real", f"{row}.{run}")
    cps = {}
    for r in csv.DictReader(open(os.path.join(d, "checkpoints.csv"))):
        if r["status"] == "COMPLETED" and float(r["t_since_job_start_s"]) >= WARMUP_S:
            cps[r["checkpoint_id"]] = (float(r["end_to_end_ms"]), float(r["state_size_b"]), float(r["persisted_data_b"]))
    aligns = [
        float(r["alignment_ms"])
        for r in csv.DictReader(open(os.path.join(d, "subtasks.csv")))
        if r["status"] == "completed" and r["vertex"].startswith(MAP) and r["checkpoint_id"] in cps
    ]
    return figures(list(cps.values()), aligns)


def simulate(binary, row, out):
    cps, aligns = [], []
    os.makedirs(out, exist_ok=True)
    text = open(os.path.join(SCENARIOS, f"{row}.toml")).read()
    text = re.sub(r'(?m)^duration = "[^"]*"', f'duration = "{DURATION_S}s"', text)
    text = re.sub(r'(?m)^warmup = "[^"]*"', f'warmup = "{WARMUP_S:.0f}s"', text)
    for seed in SEEDS:
        d = os.path.join(out, f"{row}_s{seed}")
        scen = d + ".toml"
        with open(scen, "w") as f:
            f.write(re.sub(r"(?m)^seed = \d+", f"seed = {seed}", text))
        subprocess.run([binary, "run", scen, "--out", d, "--no-plots"], check=True, stdout=subprocess.DEVNULL)
        ids = set()
        for r in csv.DictReader(open(os.path.join(d, "checkpoints.csv"))):
            if r["status"] == "COMPLETED" and float(r["trigger_timestamp"]) >= WARMUP_S * 1000:
                ids.add(r["id"])
                cps.append((float(r["end_to_end_duration"]), float(r["state_size"]), float(r["persisted_data"])))
        for r in csv.DictReader(open(os.path.join(d, "subtasks.csv"))):
            task = r["task"]
            if r["checkpoint_id"] in ids and (task == MAP or task.startswith(MAP + " -> ")):
                aligns.append(math.floor(float(r["alignment_duration"])))
    return figures(cps, aligns)


def tolerance(fig, real, spread):
    """The suite's rule (tests/fidelity_support/compare.rs): the headline ±25 % (at least 2 ms),
    the others max(2 x spread, 2 ms | 20 kB)."""
    if fig == "e2e":
        return max(0.25 * abs(real), 2.0)
    return max(2.0 * spread, 20.0 if fig in ("state", "persisted") else 2.0)


def main():
    base, patch = sys.argv[1], sys.argv[2]
    out = sys.argv[3] if len(sys.argv) > 3 else "/tmp/after_the_walk"
    print("| row | figure | Flink r1, r2 | tolerance | committed | with the patch |")
    print("|---|---|---|---|---|---|")
    for row, figs in ROWS.items():
        r1, r2 = real_figures(row, "r1"), real_figures(row, "r2")
        sims = []
        for name, binary in (("base", base), ("patch", patch)):
            sims.append(simulate(binary, row, os.path.join(out, name)))
        for fig in figs:
            real = (r1[fig] + r2[fig]) / 2
            tol = tolerance(fig, real, abs(r1[fig] - r2[fig]))
            cells = []
            for s in sims:
                verdict = "ok" if abs(s[fig] - real) <= tol else "OUT"
                cells.append(f"{s[fig]:.1f} {verdict}")
            print(f"| {row} | {NAMES[fig]} | {r1[fig]:.1f}, {r2[fig]:.1f} | {tol:.1f} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
