#!/usr/bin/env python3
"""Start-up benchmark: cold start to interactive wizard, and total RSS of the app's processes
(the app plus its WebKit children), against a blank Tauri window built the same way (same
profile, same features): the floor the webview sets.

"Interactive" for the app is the moment the UI reports that the wizard is rendered with its data
(`report_ready`); for the blank window, the moment its page finished loading. Each run starts
on a fresh data folder (first start, demo workspace seeded). Time is measured from the outside,
from spawning the process to the ready file appearing. RSS is summed over the process tree one
second after ready, once the webview has settled.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("LA_BENCH_RUNS", "7"))
target = os.environ.get("CARGO_TARGET_DIR", "target")
APP = os.path.join(target, "debug", "listing-assistant-app")
BLANK = os.path.join(target, "debug", "blank-window")


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


def rss_kib(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def pss_kib(pids):
    """Proportional set size: shared pages split between the processes sharing them."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run_once(binary):
    work = tempfile.mkdtemp(prefix="la-bench-")
    ready = os.path.join(work, "ready")
    env = dict(os.environ, LISTING_ASSISTANT_DATA_DIR=os.path.join(work, "data"),
               LISTING_ASSISTANT_KEYRING="mock", LA_BENCH_READY_FILE=ready,
               LISTING_ASSISTANT_LOG="warn")
    start = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not os.path.exists(ready):
            if proc.poll() is not None:
                raise RuntimeError(f"{binary} exited with {proc.returncode} before it was ready")
            if time.monotonic() - start > 60:
                raise RuntimeError(f"{binary} not ready after 60 s")
            time.sleep(0.005)
        ms = (time.monotonic() - start) * 1000
        time.sleep(1.0)
        pids = tree(proc.pid)
        return ms, rss_kib(pids) / 1024, pss_kib(pids) / 1024, len(pids)
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    for b in (APP, BLANK):
        if not os.path.exists(b):
            sys.exit(f"{b} is missing: run `make build` first")
    rows = {}
    for name, binary in (("blank Tauri window", BLANK), ("Listing Assistant", APP)):
        run_once(binary)  # warm the page cache; not counted
        results = [run_once(binary) for _ in range(RUNS)]
        rows[name] = tuple(statistics.median(r[i] for r in results) for i in range(4))
    f_ms, f_rss, f_pss, _ = rows["blank Tauri window"]
    print(f"Start-up, median of {RUNS} runs (debug build, --features tauri/custom-protocol, Xvfb)")
    print(f"{'':22} {'ready ms':>9} {'x blank':>8} {'RSS MiB':>8} {'x blank':>8} {'PSS MiB':>8} {'x blank':>8} {'procs':>6}")
    for name, (ms, rss, pss, n) in rows.items():
        print(f"{name:22} {ms:9.0f} {ms / f_ms:8.2f} {rss:8.1f} {rss / f_rss:8.2f} {pss:8.1f} {pss / f_pss:8.2f} {n:6.0f}")


if __name__ == "__main__":
    main()
