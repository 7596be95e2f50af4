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
# # Two sweeps, point by point
#
# Compares two sweeps over the same parameters, by default `results/sweep_interval` (HDFS) and
# `results/sweep_interval_s3` (S3); set `CKPTSIM_SWEEP_A` and `CKPTSIM_SWEEP_B` to compare others
# (two scenario variants, or one scenario under two simulator versions). A difference counts as
# clear when the two 95 % intervals do not overlap: a conservative test (non-overlap implies a
# significant difference at better than 5 %; overlap does not prove there is none).

# %%
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def repo_root() -> Path:
    for d in [Path.cwd(), *Path.cwd().parents]:
        if (d / "Cargo.toml").is_file():
            return d
    raise FileNotFoundError("not inside the ckptsim repository (no Cargo.toml above the working directory)")


ROOT = repo_root()
A = Path(os.environ.get("CKPTSIM_SWEEP_A", ROOT / "results" / "sweep_interval"))
B = Path(os.environ.get("CKPTSIM_SWEEP_B", ROOT / "results" / "sweep_interval_s3"))
FIGURES = ROOT / "results" / "notebooks"
FIGURES.mkdir(parents=True, exist_ok=True)


def load(d: Path):
    for name in ["sweep.json", "points.csv"]:
        if not (d / name).is_file():
            raise FileNotFoundError(
                f"{d / name} is missing: run `cargo run --release -- sweep scenarios/{d.name}.toml` first"
            )
    return json.loads((d / "sweep.json").read_text()), pd.read_csv(d / "points.csv")


(ma, pa), (mb, pb) = load(A), load(B)
params_a = [(p["path"], p["values"]) for p in ma["parameters"]]
params_b = [(p["path"], p["values"]) for p in mb["parameters"]]
if params_a != params_b:
    raise ValueError(f"the sweeps vary different parameters:\n  {A}: {params_a}\n  {B}: {params_b}")
params = [p for p, _ in params_a]
print(f"A = {ma['scenario']} ({A}), B = {mb['scenario']} ({B}); parameters {params}")

# %%
metrics = ["summary.end_to_end_duration.avg", "summary.async_duration.avg", "checkpoint_time_fraction"]
missing = [m for m in metrics if f"{m}.mean" not in pa or f"{m}.mean" not in pb]
if missing:
    raise KeyError(f"metrics missing from a points.csv: {missing}")
cols = [c for m in metrics for c in (f"{m}.mean", f"{m}.ci95")]
both = pa[params + cols].merge(pb[params + cols], on=params, suffixes=(".A", ".B"), validate="one_to_one")
assert len(both) == len(pa) == len(pb), "the sweeps do not have the same points"
for m in metrics:
    both[f"{m}.B-A"] = both[f"{m}.mean.B"] - both[f"{m}.mean.A"]
    both[f"{m}.clear"] = both[f"{m}.B-A"].abs() > both[f"{m}.ci95.A"].fillna(0) + both[f"{m}.ci95.B"].fillna(0)
both[params + [f"{m}.B-A" for m in metrics] + [f"{m}.clear" for m in metrics]]

# %%
x = ma["plot"]["x"] or params[0]
x_num = f"{x}_s" if f"{x}_s" in pa else x
rest = [p for p in params if p != x]
fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4.5))
for ax, m in zip(axes, metrics):
    for label, d in [("A " + ma["scenario"], pa), ("B " + mb["scenario"], pb)]:
        for key, g in d.groupby(rest) if rest else [("", d)]:
            g = g.sort_values(x_num)
            k = ", ".join(map(str, key if isinstance(key, tuple) else (key,)))
            line = ax.plot(g[x_num], g[f"{m}.mean"], marker="o", label=f"{label} {k}")
            ci = g[f"{m}.ci95"].fillna(0)
            ax.fill_between(g[x_num], g[f"{m}.mean"] - ci, g[f"{m}.mean"] + ci, alpha=0.15, color=line[0].get_color())
    ax.set_title(m.removeprefix("summary."))
    ax.set_xlabel(x_num)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=7)
fig.tight_layout()
fig.savefig(FIGURES / "compare_sweeps.png", dpi=110)
