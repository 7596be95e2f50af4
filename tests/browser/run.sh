#!/usr/bin/env bash
# The reports in a real browser: runs ckptsim on bundled scenarios into a temporary directory,
# opens each report.html in headless Chromium (Debian's chromium and chromium-driver, driven by
# selenium from PyPI) and checks it (tests/browser/check_report.py); then a copy with one number
# changed, which the check must reject. Installs what it needs once: the Debian packages when
# missing, selenium into tests/browser/.venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${CKPTSIM:-$root/${CARGO_TARGET_DIR:-target}/release/ckptsim}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac

if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
  echo "installing chromium and chromium-driver (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver > /dev/null
fi
venv="$here/.venv"
selenium_version="4.51.0"
if ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "selenium==$selenium_version"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# quickstart: every checkpoint completed; failures_flaky_storage: FAILED rows and empty cells.
for scenario in quickstart failures_flaky_storage; do
  "$bin" run "$root/scenarios/$scenario.toml" --out "$work/$scenario" > /dev/null
  "$venv/bin/python" "$here/check_report.py" --run-dir "$work/$scenario"
done
"$venv/bin/python" "$here/check_report.py" --sweep-report "$root/results/sweep_interval/report.html"
# An advice report: the spike and mode answers of spike_aligned.
"$bin" advise "$root/scenarios/spike_aligned.toml" --out "$work/advice_spike_aligned" > /dev/null
"$venv/bin/python" "$here/check_report.py" --advice-dir "$work/advice_spike_aligned"

# Negative control: one changed digit in the history must be caught (exit 3), not pass.
set +e
"$venv/bin/python" "$here/check_report.py" --run-dir "$work/quickstart" --corrupt-one-cell 2> "$work/control.err"
status=$?
set -e
if [ "$status" -ne 3 ]; then
  echo "browser: the negative control was not caught (exit $status, expected 3):" >&2
  cat "$work/control.err" >&2
  exit 1
fi
echo "browser: negative control caught: $(head -c 300 "$work/control.err")"
echo "browser: reports checked"
