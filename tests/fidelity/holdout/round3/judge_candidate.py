"""The third round's registered comparison of today's model and the candidate (README.md).

Reads the held-out test's printed figures on stdin (Flink's p50 end to end and map async phase
per shape, as the test computes them from `real/`), and the two committed prediction files. Then
it prints, per shape, Flink's figure, each model's prediction and its error `|ln(predicted /
Flink)|`. Last come the mean errors, the shapes within ±25 % and the verdict by the rule fixed in
README.md.

usage: cargo test --release --test fidelity_holdout the_third -- --nocapture \
         | python3 tests/fidelity/holdout/round3/judge_candidate.py
"""
import csv
import math
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIGURES = {"p50 end_to_end_duration (ms)": "e2e_ms", "p50 map async_duration (ms)": "async_ms"}
MARGIN = 0.03


def predictions(name):
    with open(os.path.join(HERE, name)) as f:
        return {(r["row"], r["figure"]): float(r["sim_seeds_1_6"]) for r in csv.DictReader(f)}


def flink_figures(text):
    real = {}
    for line in text.splitlines():
        m = re.match(r"\s+(h\d\d_\w+)\s+(p50 [\w ]+\(ms\))\s+real\s+([\d.]+)", line)
        if m and m.group(2) in FIGURES:
            real[(m.group(1), FIGURES[m.group(2)])] = float(m.group(3))
    return real


def main():
    real = flink_figures(sys.stdin.read())
    models = {"today's": predictions("predictions.csv"), "candidate": predictions("predictions_candidate.csv")}
    shapes = sorted({row for row, fig in real if fig == "e2e_ms" and row.startswith("h1")})
    if not shapes:
        sys.exit("no third-round figures on stdin")
    print("| shape | Flink p50 e2e (ms) | today's | error | candidate | error | Flink p50 async (ms) | today's | candidate |")
    print("|---|---|---|---|---|---|---|---|---|")
    errors = {m: [] for m in models}
    within = {m: 0 for m in models}
    for s in shapes:
        r = real[(s, "e2e_ms")]
        cells = []
        for m, p in models.items():
            e = abs(math.log(p[(s, "e2e_ms")] / r))
            errors[m].append(e)
            within[m] += abs(p[(s, "e2e_ms")] / r - 1) <= 0.25
            cells.append(f"{p[(s, 'e2e_ms')]:.2f} | {e:.3f}")
        a = real.get((s, "async_ms"), float("nan"))
        asyncs = " | ".join(f"{p[(s, 'async_ms')]:.1f}" for p in models.values())
        print(f"| {s} | {r:.2f} | {' | '.join(cells)} | {a:.1f} | {asyncs} |")
    mean = {m: statistics.mean(e) for m, e in errors.items()}
    for m in models:
        print(f"{m}: mean error {mean[m]:.3f}, {within[m]} of {len(shapes)} within ±25 %")
    t, c = "today's", "candidate"
    if mean[c] <= mean[t] - MARGIN and within[c] >= within[t]:
        verdict = "the candidate predicts better"
    elif mean[t] <= mean[c] - MARGIN and within[t] >= within[c]:
        verdict = "today's model predicts better"
    else:
        verdict = "the round cannot tell them apart"
    print(f"registered verdict: {verdict}")


if __name__ == "__main__":
    main()
