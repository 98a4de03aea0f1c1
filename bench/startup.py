#!/usr/bin/env python3
"""Start-up benchmark: spawn to an interactive wizard, and the memory (RSS and PSS) of the app's
whole process tree (the app plus its WebKit children), against a blank Tauri window built the
same way (same profile, same features, an empty page through the same asset protocol): the floor
the webview sets.

"Interactive" for the app is the moment the UI reports that the wizard is committed to the page
with its data and handlers (`report_ready`, from a layout effect); for the blank window, the
moment its page finished loading. Time is measured
from the outside, from spawning the process to the ready file appearing; memory is summed over
the process tree one second after ready, once the webview has settled.

Two cases, as issue 15 asks: a first start (a fresh data folder each time: migrations, the Demo
workspace seeded) and a later start (the same data folder again). Runs are paired and
interleaved — blank, app (first), blank, app (later), … — and each app run is divided by the
blank run next to it, so a machine busy with other work weighs on both sides of each ratio. The
figures printed are the medians of those ratios.

`bench/startup.sh` runs it under Xvfb. LA_BENCH_RUNS (7) sets the pairs per case;
LA_BENCH_PROFILE (both by default, release or debug) which builds are measured.
LA_BENCH_BEFORE=PATH adds another build of the app (an older commit's, say) to the same
interleaving, for before/after figures taken under the same load.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("LA_BENCH_RUNS", "7"))
TARGET = 1.25
target_dir = os.environ.get("CARGO_TARGET_DIR", "target")


def tree(pid):
    pids, frontier = [pid], [pid]
    while frontier:
        p = frontier.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        pids += kids
        frontier += kids
    return pids


def field_kib(pids, path, name):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/{path}") as f:
                for line in f:
                    if line.startswith(name):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run_once(binary, data_dir, **extra_env):
    """(ms to ready, RSS MiB, PSS MiB) of one start of `binary` on `data_dir`."""
    work = tempfile.mkdtemp(prefix="la-bench-")
    ready = os.path.join(work, "ready")
    env = dict(os.environ, LISTING_ASSISTANT_DATA_DIR=data_dir,
               LISTING_ASSISTANT_KEYRING="mock", LA_BENCH_READY_FILE=ready,
               LISTING_ASSISTANT_LOG="warn", **extra_env)
    start = time.monotonic()
    err = open(os.path.join(work, "stderr"), "w+")
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        while not os.path.exists(ready):
            if proc.poll() is not None:
                err.seek(0)
                tail = err.read()[-2000:]
                raise RuntimeError(f"{binary} exited with {proc.returncode} before it was ready:\n{tail}")
            if time.monotonic() - start > 60:
                raise RuntimeError(f"{binary} not ready after 60 s")
            time.sleep(0.002)
        ms = (time.monotonic() - start) * 1000
        time.sleep(1.0)
        pids = tree(proc.pid)
        rss = field_kib(pids, "status", "VmRSS:") / 1024
        pss = field_kib(pids, "smaps_rollup", "Pss:") / 1024
        return ms, rss, pss
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err.close()
        shutil.rmtree(work, ignore_errors=True)


def measure(profile):
    app = os.path.join(target_dir, profile, "listing-assistant-app")
    blank = os.path.join(target_dir, profile, "blank-window")
    for b in (app, blank):
        if not os.path.exists(b):
            sys.exit(f"{b} is missing: build it first (bench/startup.sh does)")
    apps = {"": app}
    before = os.environ.get("LA_BENCH_BEFORE")
    if before:
        apps = {" (before)": before, "": app}
    scratch = tempfile.mkdtemp(prefix="la-bench-data-")
    try:
        # Warm the page cache (not counted), and make the data folders later starts reuse.
        run_once(blank, os.path.join(scratch, "blank"))
        for tag, binary in apps.items():
            run_once(binary, os.path.join(scratch, "later" + tag.strip(" ()")))
        rows = {}
        for i in range(RUNS):
            for case in ("first", "later"):
                for tag, binary in apps.items():
                    b = run_once(blank, os.path.join(scratch, f"blank-{case}-{i}"))
                    name = tag.strip(" ()")
                    data = os.path.join(scratch, f"first-{i}{name}" if case == "first" else f"later{name}")
                    a = run_once(binary, data)
                    rows.setdefault((case, tag), []).append((b, a))
        # For reference, not a target: the blank window with software rendering (the opt-in
        # LISTING_ASSISTANT_SOFTWARE_RENDERING=1; run the whole benchmark with it set to compare
        # the app drawn that way).
        rows[("gpu", "")] = [run_once(blank, os.path.join(scratch, f"blank-sw-{i}"),
                                      LISTING_ASSISTANT_SOFTWARE_RENDERING="1") for i in range(3)]
        return rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(profile, rows):
    print(f"Start-up ({profile} build, --features tauri/custom-protocol, Xvfb), {RUNS} interleaved pairs per case, medians")
    print(f"{'':44} {'ready ms':>9} {'RSS MiB':>8} {'PSS MiB':>8}   {'time x blank':>12} {'PSS x blank':>11} {'RSS x blank':>11}")
    worst = 0.0
    med = lambda xs: statistics.median(xs)
    gpu = rows.pop(("gpu", ""), None)
    for (case, tag), pairs in rows.items():
        b = [p[0] for p in pairs]
        a = [p[1] for p in pairs]
        t_ratio = med([x[0] / y[0] for y, x in pairs])
        p_ratio = med([x[2] / y[2] for y, x in pairs])
        r_ratio = med([x[1] / y[1] for y, x in pairs])
        if not tag:
            worst = max(worst, t_ratio, p_ratio)
        print(f"{'blank Tauri window':44} {med([x[0] for x in b]):9.0f} {med([x[1] for x in b]):8.1f} {med([x[2] for x in b]):8.1f}")
        label = "Listing Assistant, " + ("first start" if case == "first" else "later start") + tag
        print(f"{label:44} {med([x[0] for x in a]):9.0f} {med([x[1] for x in a]):8.1f} {med([x[2] for x in a]):8.1f}   "
              f"{t_ratio:11.2f}x {p_ratio:10.2f}x {r_ratio:10.2f}x")
    if gpu:
        print(f"{'blank Tauri window, software rendering':44} {med([x[0] for x in gpu]):9.0f} "
              f"{med([x[1] for x in gpu]):8.1f} {med([x[2] for x in gpu]):8.1f}   (reference only)")
    verdict = "meets" if worst <= TARGET else "misses"
    print(f"target: time and PSS <= {TARGET:.2f}x the blank window, both cases -> worst {worst:.2f}x ({verdict})")
    print()


def main():
    wanted = os.environ.get("LA_BENCH_PROFILE", "both")
    profiles = ["debug", "release"] if wanted == "both" else [wanted]
    for profile in profiles:
        report(profile, measure(profile))


if __name__ == "__main__":
    main()
