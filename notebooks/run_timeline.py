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
# # One run: checkpoint phases and the job timeline
#
# Reads `results/quickstart/` (written by `cargo run --release -- run scenarios/quickstart.toml`):
# per checkpoint the largest start delay, alignment, sync and async duration over its subtasks,
# and the job sampled over time.

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
RUN = Path(os.environ.get("CKPTSIM_RUN", ROOT / "results" / "quickstart"))
FIGURES = ROOT / "results" / "notebooks"
FIGURES.mkdir(parents=True, exist_ok=True)
for name in ["checkpoints.csv", "timeline.csv", "summary.json"]:
    if not (RUN / name).is_file():
        raise FileNotFoundError(f"{RUN / name} is missing: run `cargo run --release -- run scenarios/quickstart.toml` first")

checkpoints = pd.read_csv(RUN / "checkpoints.csv")
timeline = pd.read_csv(RUN / "timeline.csv")
summary = json.loads((RUN / "summary.json").read_text())
if checkpoints.empty:
    raise ValueError(f"{RUN / 'checkpoints.csv'} has no checkpoint: nothing to show")
print(summary["scenario"], "seed", summary["seed"], summary["counts"])
checkpoints.groupby("status").size()

# %%
phases = ["max_start_delay", "max_alignment_duration", "max_sync_duration", "max_async_duration"]
checkpoints[["id", "status", "trigger_timestamp", "end_to_end_duration", *phases]].describe()

# %%
fig, ax = plt.subplots(figsize=(11, 4.5))
t = checkpoints["trigger_timestamp"] / 1000
width = 0.6 * t.diff().min() if len(t) > 1 else 1.0
bottom = pd.Series(0.0, index=checkpoints.index)
for p in phases:
    ax.bar(t, checkpoints[p], width, bottom=bottom, label=p.removeprefix("max_").replace("_", " "))
    bottom += checkpoints[p]
done = checkpoints[checkpoints["status"] == "COMPLETED"]
failed = checkpoints[checkpoints["status"] == "FAILED"]
ax.plot(done["trigger_timestamp"] / 1000, done["end_to_end_duration"], "ko", label="end-to-end")
if not failed.empty:
    ax.plot(failed["trigger_timestamp"] / 1000, failed["end_to_end_duration"], "rx", ms=10, mew=3, label="FAILED")
ax.set_xlabel("trigger time (s)")
ax.set_ylabel("duration (ms)")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIGURES / "quickstart_checkpoints.png", dpi=110)

# %%
fig, axes = plt.subplots(3, 1, figsize=(11, 8), sharex=True)
axes[0].plot(timeline["time_s"], timeline["source_records_per_second"], label="source")
axes[0].plot(timeline["time_s"], timeline["sink_records_per_second"], label="sink")
axes[0].set_ylabel("records/s")
axes[0].legend()
axes[1].plot(timeline["time_s"], timeline["input_lag_ms"])
axes[1].set_ylabel("input lag (ms)")
axes[2].plot(timeline["time_s"], timeline["in_flight_bytes"] / 1e6)
axes[2].set_ylabel("in flight (MB)")
axes[2].set_xlabel("time (s)")
for ax in axes:
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIGURES / "quickstart_timeline.png", dpi=110)
