"""f14's end to end, map async phase and map throughput per pass, from saved outputs of
`cargo test --release --test fidelity -- --nocapture` (one file per what-if setting).

usage: python3 read_f14.py LABEL=FILE [LABEL=FILE ...]
"""
import re
import sys

FIGS = {"p50 end_to_end_duration (ms)": "e2e", "p50 map async_duration (ms)": "async",
        "map records in per s": "records/s"}


def read(path):
    day, out = None, {}
    for line in open(path):
        m = re.match(r"## the pass of (\S+)", line)
        if m:
            day = m.group(1)
            continue
        m = re.match(r"\s+f14_cpu_saturated\s+(.*?)\s+real\s+(\S+).*?sim\s+(\S+)", line)
        if m and day and m.group(1) in FIGS:
            out[(day, FIGS[m.group(1)])] = (float(m.group(2)), float(m.group(3)))
    return out


def main():
    runs = [(a.split("=", 1)[0], read(a.split("=", 1)[1])) for a in sys.argv[1:]]
    days = sorted({d for _, r in runs for d, _ in r})
    for fig in FIGS.values():
        print(f"\n{fig}: Flink, then ckptsim per setting")
        print("| pass | Flink | " + " | ".join(label for label, _ in runs) + " |")
        print("|---|---|" + "---|" * len(runs))
        for d in days:
            real = runs[0][1].get((d, fig), (float("nan"),))[0]
            cells = [f"{r.get((d, fig), (0, float('nan')))[1]:g}" for _, r in runs]
            print(f"| {d} | {real:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
