# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Checkpoint interval sweep
#
# Reads `results/sweep_interval/` (written by `cargo run --release -- sweep
# scenarios/sweep_interval.toml`) and redraws its key figures with matplotlib: checkpoint duration
# and overhead against the interval with 95 % confidence bands, and the Young/Daly optimum
# interval sqrt(2 c M) per storage bandwidth. It also checks the simulator's tables against each
# other: the means and intervals in `points.csv` are recomputed from `runs.csv`.

# %%
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def repo_root() -> Path:
    """The directory with Cargo.toml: notebooks run in notebooks/, scripts from anywhere."""
    for d in [Path.cwd(), *Path.cwd().parents]:
        if (d / "Cargo.toml").is_file():
            return d
    raise FileNotFoundError("not inside the ckptsim repository (no Cargo.toml above the working directory)")


ROOT = repo_root()
SWEEP = Path(os.environ.get("CKPTSIM_SWEEP", ROOT / "results" / "sweep_interval"))
FIGURES = ROOT / "results" / "notebooks"
FIGURES.mkdir(parents=True, exist_ok=True)
for name in ["sweep.json", "points.csv", "runs.csv"]:
    if not (SWEEP / name).is_file():
        raise FileNotFoundError(
            f"{SWEEP / name} is missing: run `cargo run --release -- sweep scenarios/sweep_interval.toml` first"
        )

manifest = json.loads((SWEEP / "sweep.json").read_text())
points = pd.read_csv(SWEEP / "points.csv")
runs = pd.read_csv(SWEEP / "runs.csv")
params = [p["path"] for p in manifest["parameters"]]
print(f"{manifest['scenario']}: {len(points)} points x {manifest['replications']} replications = {len(runs)} runs")
print("parameters:", params)

# %% [markdown]
# ## The tables agree with each other
#
# `points.csv` holds, per point and metric, the mean over replications and the half-width
# h = t(0.975, n-1) s / sqrt(n) of its 95 % confidence interval. Recompute both from `runs.csv`;
# the ratio h / (s / sqrt(n)) must be Student's t quantile (4.302653 for n = 3, 3.182446 for n = 4).

# %%
metric = "summary.end_to_end_duration.avg"
grouped = runs.groupby("point")[metric]
recomputed = pd.DataFrame({"mean": grouped.mean(), "sem": grouped.std(ddof=1) / np.sqrt(grouped.count())})
joined = points.set_index("point").join(recomputed)
assert np.allclose(joined[f"{metric}.mean"], joined["mean"], rtol=1e-12), "points.csv means disagree with runs.csv"
ratio = (joined[f"{metric}.ci95"] / joined["sem"]).dropna()
n = manifest["replications"]
T_975 = {2: 12.706205, 3: 4.302653, 4: 3.182446, 5: 2.776445, 6: 2.570582, 10: 2.262157}
if n in T_975:
    assert np.allclose(ratio, T_975[n], rtol=1e-6), f"CI half-widths do not use t(0.975, {n - 1}): {ratio.unique()}"
print(f"t quantile implied by points.csv: {ratio.iloc[0]:.6f} (n = {n})")

# %%
x = "checkpoint.interval_s"
series = [p for p in params if p != "checkpoint.interval"]


def series_label(key) -> str:
    """`storage.bandwidth=200MB/s` for a groupby key over the series parameters."""
    values = key if isinstance(key, tuple) else (key,)
    return ", ".join(f"{p}={v}" for p, v in zip(series, values))


show = [x, *series, "replications", f"{metric}.mean", f"{metric}.ci95", "checkpoint_time_fraction.mean"]
points[show]

# %% [markdown]
# ## Checkpoint duration and overhead against the interval

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, (m, label, scale) in zip(
    axes,
    [
        ("summary.end_to_end_duration.avg", "end-to-end duration (ms)", 1.0),
        ("checkpoint_time_fraction", "checkpoint in progress (% of time)", 100.0),
    ],
):
    for key, g in points.groupby(series) if series else [("", points)]:
        g = g.sort_values(x)
        mean, ci = g[f"{m}.mean"] * scale, g[f"{m}.ci95"].fillna(0) * scale
        line = ax.plot(g[x], mean, marker="o", label=series_label(key) if series else None)
        ax.fill_between(g[x], mean - ci, mean + ci, alpha=0.2, color=line[0].get_color())
    ax.set_xlabel("checkpoint interval (s)")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    if series:
        ax.legend()
fig.suptitle(f"{manifest['scenario']}: mean and 95 % CI over {n} replications")
fig.tight_layout()
fig.savefig(FIGURES / "sweep_interval_duration_overhead.png", dpi=110)

# %% [markdown]
# ## Young/Daly optimum
#
# With overhead ≈ c / T, the least-squares fit is c = Σ(y/T) / Σ(1/T²); the interval that
# minimises c/T + T/(2M) is T* = sqrt(2 c M). M comes from `[sweep.plot] mtbf`.

# %%
mtbf_s = manifest["plot"]["mtbf_s"]
assert mtbf_s, "the sweep sets no [sweep.plot] mtbf"
rows = []
fig, ax = plt.subplots(figsize=(8, 4.5))
for key, g in points.groupby(series) if series else [("", points)]:
    g = g.sort_values(x)
    t, y = g[x].to_numpy(), g["checkpoint_time_fraction.mean"].to_numpy()
    c = np.sum(y / t) / np.sum(1 / t**2)
    t_opt = np.sqrt(2 * c * mtbf_s)
    rows.append({"series": series_label(key), "c_s": c, "t_opt_s": t_opt})
    grid = np.geomspace(t.min() * 0.8, max(t.max(), t_opt) * 1.2, 200)
    line = ax.plot(t, y, marker="o", label=f"measured, {series_label(key)}" if series else "measured")
    ax.plot(grid, c / grid + grid / (2 * mtbf_s), "--", color=line[0].get_color(), label=f"c/T + T/2M, c = {c:.3f} s")
    ax.axvline(t_opt, color=line[0].get_color(), linestyle=":", label=f"T* = {t_opt:.0f} s")
ax.set_xscale("log")
ax.set_xlabel("checkpoint interval T (s)")
ax.set_ylabel("fraction of time")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "sweep_interval_young_daly.png", dpi=110)
pd.DataFrame(rows)
