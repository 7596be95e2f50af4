#!/usr/bin/env python3
"""Opens a ckptsim report.html in headless Chromium (Debian's chromium + chromium-driver, driven
by selenium) and checks what a reader sees: no error on the console, every chart decoded, the
tables present, and, for a run report, every cell of the checkpoint history equal to the run's
checkpoints.csv (and every subtask table to subtasks.csv).

  check_report.py --run-dir DIR            the run report DIR/report.html against DIR's CSVs
  check_report.py --run-dir DIR --corrupt-one-cell
                                           the same on a copy with one number changed: must fail
  check_report.py --sweep-report FILE      a sweep report: console, charts, points table
  check_report.py --advice-dir DIR         an advice report: console, charts, every answer of
                                           DIR/advice.json in the verdict, one table per answer

Exit status: 0 when every check holds, 3 when the page disagrees with the files (what the
negative control expects), 1 for anything else (no browser, no page).
"""

import argparse
import csv
import os
import re
import shutil
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

MISMATCH = 3
EMPTY_CELL = "\u2014"  # what the page shows for an empty CSV cell


class Mismatch(Exception):
    pass


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--allow-file-access-from-files", "--window-size=1400,1000"):
        opts.add_argument(arg)
    # The browser's console, as the DevTools console shows it.
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=opts)


def open_page(driver, path):
    driver.get("file://" + os.path.abspath(path))
    if driver.execute_script("return document.readyState") != "complete":
        raise Mismatch(f"{path}: the page did not finish loading")


def check_console(driver, path):
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    if errors:
        raise Mismatch(f"{path}: console errors: {errors}")


def check_charts(driver, path, at_least):
    imgs = driver.execute_script(
        "return Array.from(document.querySelectorAll('figure img')).map("
        "i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight, i.src.slice(0, 22)]);")
    if len(imgs) < at_least:
        raise Mismatch(f"{path}: {len(imgs)} charts, expected at least {at_least}")
    for alt, complete, w, h, src in imgs:
        if not (complete and w > 0 and h > 0):
            raise Mismatch(f"{path}: chart `{alt[:60]}` did not decode ({w}x{h})")
        if src != "data:image/png;base64,":
            raise Mismatch(f"{path}: chart `{alt[:60]}` is not embedded ({src})")
    return len(imgs)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# All rows of a table in one round trip: [{column: text}, ...], the column of each cell named by
# the data-col of its table's header cell at the same position.
ROWS_JS = """
return Array.from(document.querySelectorAll(arguments[0])).map(function (tr) {
  var cols = Array.from(tr.closest('table').querySelectorAll(':scope > thead > tr > th'))
    .map(function (th) { return th.dataset.col; });
  var row = {};
  Array.from(tr.children).forEach(function (td, i) { if (cols[i]) { row[cols[i]] = td.textContent; } });
  return row;
});
"""


def compare(what, shown, expected):
    """Every cell the page shows equals the file's text (an empty cell shows EMPTY_CELL)."""
    if len(shown) != len(expected):
        raise Mismatch(f"{what}: {len(shown)} rows on the page, {len(expected)} in the file")
    cells = 0
    for i, (page_row, file_row) in enumerate(zip(shown, expected)):
        if not page_row:
            raise Mismatch(f"{what}: row {i} has no cells")
        for col, text in page_row.items():
            if col not in file_row:
                raise Mismatch(f"{what}: row {i}: column `{col}` is not in the file")
            want = file_row[col] if file_row[col] != "" else EMPTY_CELL
            if text != want:
                raise Mismatch(f"{what}: row {i} (id {file_row.get('id', file_row.get('checkpoint_id'))}), "
                               f"`{col}`: page shows {text!r}, file has {file_row[col]!r}")
            # The same value as a number too, so that a reformatting cannot hide a change.
            if want != EMPTY_CELL and re.fullmatch(r"-?[0-9.eE+-]+", want):
                if float(text) != float(want):
                    raise Mismatch(f"{what}: row {i}, `{col}`: {text} != {want}")
            cells += 1
    return cells


def check_run(driver, run_dir, page):
    open_page(driver, page)
    check_console(driver, page)
    plots = os.path.join(run_dir, "plots")
    n_png = len([f for f in os.listdir(plots) if f.endswith(".png")]) if os.path.isdir(plots) else 0
    charts = check_charts(driver, page, n_png)
    if driver.execute_script("return document.querySelectorAll('table.history').length") != 1:
        raise Mismatch(f"{page}: no checkpoint history table")
    checkpoints = read_csv(os.path.join(run_dir, "checkpoints.csv"))
    shown = driver.execute_script(ROWS_JS, "table.history > tbody > tr.checkpoint")
    cells = compare(f"{page}: checkpoint history vs checkpoints.csv", shown, checkpoints)
    # Each checkpoint's subtasks, below its row, as subtasks.csv lists them.
    subtasks = read_csv(os.path.join(run_dir, "subtasks.csv"))
    sub_rows = 0
    for cp in checkpoints:
        mine = [r for r in subtasks if r["checkpoint_id"] == cp["id"]]
        shown = driver.execute_script(
            ROWS_JS, f"tr.subtasks[data-id='{cp['id']}'] table.subtask-table tr.subtask")
        cells += compare(f"{page}: subtasks of checkpoint {cp['id']} vs subtasks.csv", shown, mine)
        sub_rows += len(mine)
    # The page's script works: "Expand all" opens every checkpoint's details.
    driver.execute_script("document.querySelector(\"button[data-details='open']\").click();")
    closed = driver.execute_script("return document.querySelectorAll('details:not([open])').length")
    if closed:
        raise Mismatch(f"{page}: `Expand all` left {closed} details closed")
    check_console(driver, page)
    print(f"browser: {page}: {len(checkpoints)} checkpoints and {sub_rows} subtask rows "
          f"({cells} cells) equal the CSVs; {charts} charts decoded; no console errors")


def check_sweep(driver, page):
    open_page(driver, page)
    check_console(driver, page)
    charts = check_charts(driver, page, 1)
    rows = driver.execute_script("return document.querySelectorAll('table.points tbody tr').length")
    if rows < 1:
        raise Mismatch(f"{page}: no points table")
    print(f"browser: {page}: {charts} charts decoded, {rows} points; no console errors")


def check_advice(driver, advice_dir):
    import json
    page = os.path.join(advice_dir, "report.html")
    with open(os.path.join(advice_dir, "advice.json"), encoding="utf-8") as f:
        advice = json.load(f)
    open_page(driver, page)
    check_console(driver, page)
    charts = check_charts(driver, page, 1)
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('#verdict li')).map(li => li.innerText);")
    answers = [advice[k]["sentence"] for k in ("interval", "verification", "bandwidth", "catch_up", "spike", "mode")
               if advice.get(k)]
    if not answers:
        raise Mismatch(f"{page}: advice.json holds no answer")
    for a in answers:
        if not any(a in line for line in shown):
            raise Mismatch(f"{page}: the answer `{a[:80]}...` is not in the verdict")
    tables = driver.execute_script("return document.querySelectorAll('section table').length")
    if tables < len(answers):
        raise Mismatch(f"{page}: {tables} tables for {len(answers)} answers")
    print(f"browser: {page}: {len(answers)} answers in the verdict as advice.json holds them, "
          f"{tables} tables, {charts} charts decoded; no console errors")


def corrupted_copy(page, tmp):
    """A copy of the page with one digit of one history cell changed, as a wrong number would be."""
    with open(page, encoding="utf-8") as f:
        html = f.read()
    # The end-to-end duration is the 5th cell of a history row (see HISTORY_COLUMNS in src/report/run.rs).
    m = re.search(r'(<tr class="checkpoint[^"]*" data-id="[^"]*">(?:<td>[^<]*</td>){4}<td>)([0-9])', html)
    if not m:
        sys.exit(f"{page}: no end-to-end duration to corrupt")
    digit = "1" if m.group(2) != "1" else "2"
    html = html[:m.start(2)] + digit + html[m.end(2):]
    out = os.path.join(tmp, "report.html")
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-dir")
    ap.add_argument("--corrupt-one-cell", action="store_true")
    ap.add_argument("--sweep-report")
    ap.add_argument("--advice-dir")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ckptsim-browser-")
    driver = browser()
    try:
        if args.run_dir:
            page = os.path.join(args.run_dir, "report.html")
            if args.corrupt_one_cell:
                page = corrupted_copy(page, tmp)
            check_run(driver, args.run_dir, page)
        if args.sweep_report:
            check_sweep(driver, args.sweep_report)
        if args.advice_dir:
            check_advice(driver, args.advice_dir)
    except Mismatch as e:
        print(f"browser: MISMATCH: {e}", file=sys.stderr)
        return MISMATCH
    finally:
        driver.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
