"""Benchmark: the window's worst freeze while the engine is slow, silent or cut off (issue 15). Run by hand:

    .venv/bin/python -m tests.bench.bench_faults [--modes pass,delay,stall,drop] [--probe]

For each fault mode a fault proxy (tests/engine/fault_proxy.py) stands between a fresh window and the real engine,
and the user's tour (tests/engine/fault_tour.py) runs: start-up, every page, a container's logs opened and closed,
a build, a pull of a name no registry has, and quitting. Prints a table: mode x activity, the longest gap of a 5 ms
GUI-thread heartbeat (ms; goal: none over 50), and the outcome (ok / recovered / clear message / waiting / wrong
message / lost data) with what the window said. --probe adds what the GUI thread was doing in each late beat.
A first window (mode pass: start-up, every page, quit) warms the process up before the modes are measured: its
numbers are printed apart as "cold", since the first visit of a page pays its imports whatever the engine does. The proxy runs in this process: its threads only pass bytes on.
Needs the engine and the shared busybox test image (built here if missing); what it creates carries a test label
and is removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import sys
import tempfile
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOAL_MS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="pass,delay,stall,drop", help="comma-separated: pass, delay, stall, drop")
    parser.add_argument("--probe", action="store_true", help="sample the GUI thread's stack in each late beat")
    parser.add_argument("--depth", type=int, default=8, help="stack frames per --probe sample")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from gui.app import GIL_SWITCH_INTERVAL_S
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from tests.bench import benchkit
    from tests.engine import engine_helpers as eh
    from tests.engine import images
    from tests.engine.fault_proxy import FaultProxy, unix_socket_of
    from tests.engine.fault_tour import MODES, FaultTour, open_window

    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown modes {unknown}; choose from {', '.join(MODES)}")
    upstream = unix_socket_of(eh.engine_url())
    if upstream is None:
        sys.exit(f"the fault proxy needs a unix:// engine, not {eh.engine_url()}")

    app = QApplication.instance() or QApplication(sys.argv[:1])
    MainThreadGarbageCollector(app).start()  # as the app runs: no collection in a worker thread
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    client = eh.connect()
    busybox = images.ensure_busybox_image(client)
    work = Path(tempfile.mkdtemp(prefix="psbf-"))  # short: the proxy's socket lives here
    results = {}
    probes = {}
    stack = contextlib.ExitStack()
    stack.enter_context(_no_test_sweep())
    try:
        results["cold"] = warm_up(app, client, busybox, work)
        for mode in modes:
            labels = eh.labels_for(f"bench_faults:{mode}")
            proxy = FaultProxy(upstream, work / f"{mode}.sock").start()
            folder = work / mode
            folder.mkdir()
            made = []

            def make(proxy=proxy, folder=folder, made=made):
                made.append(open_window(proxy.host, folder, len(made)))
                return made[-1]

            tour = FaultTour(
                proxy,
                mode,
                make,
                wait=lambda condition, seconds: benchkit.wait(app, condition, seconds),
                settle=lambda seconds: benchkit.wait(app, lambda: True, settle_s=seconds),
                client=client,
                busybox=busybox,
                labels=labels,
                workdir=folder,
            )
            probe = benchkit.StallProbe(threshold_ms=GOAL_MS, depth=args.depth) if args.probe else None
            if probe:
                probe.start()
            try:
                tour.run()
            except Exception:  # the table still shows how far it got
                print(f"{mode}: the tour stopped:", file=sys.stderr)
                traceback.print_exc()
            finally:
                if probe:
                    probe.stop()
                    probes[mode] = probe.report()
                results[mode] = list(tour.state.steps)
                for window in made:
                    window.close()
                    window.session.stop()
                    window.deleteLater()
                benchkit.wait(app, lambda: True, settle_s=0.2)
                proxy.stop()
                for error in eh.remove_labelled(client, f"{eh.CASE_LABEL}={labels[eh.CASE_LABEL]}"):
                    print(f"cleanup: {error}", file=sys.stderr)
    finally:
        stack.close()
        client.close()
    print_table(results)
    for mode, report in probes.items():
        print(f"\n--- {mode}: where the GUI thread was late ---\n{report}")


@contextlib.contextmanager
def _no_test_sweep():
    """Holds the engine tests' shared lock (tests/engine/engine_helpers.session_sweep): a test session that starts
    or ends meanwhile then leaves this benchmark's labelled container alone."""
    from tests.engine import engine_helpers as eh

    eh.SWEEP_LOCK_PATH.touch(exist_ok=True)
    with open(eh.SWEEP_LOCK_PATH) as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def warm_up(app, client, busybox: str, work: Path) -> list:
    """A first window through the proxy in mode pass: start-up, every page, quit. Its steps, for the "cold" rows."""
    from tests.bench import benchkit
    from tests.engine import engine_helpers as eh
    from tests.engine.fault_proxy import FaultProxy, unix_socket_of
    from tests.engine.fault_tour import FaultTour, open_window

    folder = work / "cold"
    folder.mkdir()
    with FaultProxy(unix_socket_of(eh.engine_url()), work / "cold.sock") as proxy:
        tour = FaultTour(
            proxy,
            "pass",
            lambda: open_window(proxy.host, folder),
            wait=lambda condition, seconds: benchkit.wait(app, condition, seconds),
            settle=lambda seconds: benchkit.wait(app, lambda: True, settle_s=seconds),
            client=client,
            busybox=busybox,
            labels=eh.labels_for("bench_faults:cold"),
            workdir=folder,
        )
        for activity in (tour.start_up, tour.pages, tour.quit):
            activity()
        tour.window.deleteLater()
        benchkit.wait(app, lambda: True, settle_s=0.2)
    return tour.state.steps


def print_table(results: dict) -> None:
    print(f"\nlongest GUI-thread gap per fault mode and activity (goal: none over {GOAL_MS} ms)")
    print(f"{'mode':7} {'activity':9} {'gap ms':>7}  {'outcome':14} what the window said")
    for mode, steps in results.items():
        for step in steps:
            flag = " *" if step.longest_gap_ms > GOAL_MS else "  "
            print(f"{mode:7} {step.activity:9} {step.longest_gap_ms:>7}{flag}{step.outcome:14} {step.said}")
        worst = max((step.longest_gap_ms for step in steps), default=0)
        print(f"{mode:7} {'worst':9} {worst:>7}")


if __name__ == "__main__":
    main()
