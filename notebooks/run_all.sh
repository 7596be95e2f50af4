#!/usr/bin/env bash
# Executes every notebook headless and fails (non-zero) if one fails.
#
#   notebooks/run_all.sh
#
# The notebooks are jupytext percent scripts (notebooks/*.py, the committed source). This script
# makes a venv in .venv-nb (once), converts each script to .ipynb (gitignored) and executes it
# with `jupyter execute --inplace`, so the .ipynb holds the outputs. The notebooks read results/,
# which is committed; to regenerate it from the code:
#
#   cargo run --release -- reproduce
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/.venv-nb"

if [ ! -x "$venv/bin/jupyter" ] || [ ! -x "$venv/bin/jupytext" ]; then
    echo "creating $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r notebooks/requirements.txt
fi

failed=()
for script in notebooks/*.py; do
    name="$(basename "$script" .py)"
    echo "== $name" >&2
    "$venv/bin/jupytext" --quiet --to ipynb "$script" -o "notebooks/$name.ipynb"
    # The kernel runs in notebooks/, where the notebooks resolve results/ from.
    if ! "$venv/bin/jupyter" execute --inplace --timeout=600 "notebooks/$name.ipynb"; then
        failed+=("$name")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "failed: ${failed[*]}" >&2
    exit 1
fi
echo "all notebooks ran; figures are in results/notebooks/" >&2
