"""Benchmark: the Terminal window on the real engine against `docker exec -t` in the same run (issue 18).

    .venv/bin/python -m tests.bench.bench_terminal [--lines 100000] [--keys 30]

A busybox container (labelled io.portside.bench=terminal, removed at the end) and the real app's Terminal window
(a real EngineSession): the shell runs `seq 1 N` and the benchmark times Enter to the last number and the prompt on
pyte's screen, with the longest gap of a 5 ms heartbeat in the GUI thread meanwhile. The anchor is the docker CLI
running the same `seq` with a TTY into /dev/null (no screen to draw: the fastest the engine hands the bytes over).
Then single keystrokes: key press to its echo on the screen, the median of --keys presses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LABEL = {"io.portside.bench": "terminal"}
STALL_GOAL_MS = 50


def measure(lines: int, keys: int, probe: bool = False) -> dict:
    import docker
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gui.app import GIL_SWITCH_INTERVAL_S
    from gui.core.engine.rows import container_row
    from gui.views.terminal.terminal_window import TerminalWindow
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat, StallProbe, wait
    from tests.engine.images import ensure_busybox_image

    client = docker.from_env(version="auto")
    image = ensure_busybox_image(client)
    container = client.containers.run(image, ["sleep", "3600"], detach=True, labels=LABEL)
    try:
        started = time.perf_counter()
        done = subprocess.run(["docker", "exec", "-t", container.id, "seq", "1", str(lines)], capture_output=True)
        anchor_s = time.perf_counter() - started
        assert done.returncode == 0, done.stderr

        app = QApplication.instance() or QApplication([])
        MainThreadGarbageCollector(app).start()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        session = EngineSession()
        session.start()
        wait(app, lambda: session.connected, timeout_s=30)
        window = TerminalWindow(session, container_row(client.api.containers(filters={"id": container.id})[0]))
        window.resize(1000, 700)
        window.show()
        tab = window.terminals()[0]
        view = tab.view

        def screen() -> list[str]:
            return view.screen.text()

        wait(app, lambda: tab.running and "".join(screen()).rstrip().endswith("#"), timeout_s=30, settle_s=0.5)

        QTest.keyClicks(view, f"seq 1 {lines}")
        heartbeat = Heartbeat()
        heartbeat.start()
        prober = StallProbe(threshold_ms=25) if probe else None
        if prober:
            prober.start()
        QTest.keyClick(view, Qt.Key.Key_Return)
        started = time.perf_counter()
        last = str(lines)
        wait(app, lambda: last in screen() and screen()[screen().index(last) + 1].startswith("/ #"), timeout_s=600)
        shown_s = time.perf_counter() - started
        heartbeat.stop()
        if prober:
            prober.stop()
            print(prober.report())

        echoes = []
        for _ in range(keys):
            before = "".join(screen()).count("x")
            QTest.keyClick(view, Qt.Key.Key_X)
            pressed = time.perf_counter()
            wait(app, lambda before=before: "".join(screen()).count("x") > before, timeout_s=10)
            echoes.append((time.perf_counter() - pressed) * 1000)
            wait(app, lambda: True, settle_s=0.02)
        window.close()
        session.stop()
        return {
            "lines_per_s": lines / shown_s,
            "anchor_lines_per_s": lines / anchor_s,
            "stall_ms": heartbeat.longest,
            "echo_ms": statistics.median(echoes),
        }
    finally:
        container.remove(force=True)


def metrics(quick: bool):
    """For `python -m tests.bench`: output shown per second against the CLI's, the stall meanwhile, a key's echo."""
    from tests.bench.results import Metric

    found = measure(20_000 if quick else 100_000, 10 if quick else 30)
    return [
        Metric(
            "terminal: seq lines shown per second",
            found["lines_per_s"],
            anchor=found["anchor_lines_per_s"],
            anchor_name="docker exec -t … > /dev/null",
            unit="lines/s",
            lower_is_better=False,
        ),
        Metric("terminal: longest GUI stall while it prints", found["stall_ms"], goal=STALL_GOAL_MS),
        Metric("terminal: a key to its echo on screen", found["echo_ms"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--probe", action="store_true", help="say what the GUI thread did when it stalled")
    args = parser.parse_args()
    found = measure(args.lines, args.keys, args.probe)
    print(
        f"seq 1 {args.lines}: {found['lines_per_s']:,.0f} lines/s shown (docker exec -t to /dev/null: "
        f"{found['anchor_lines_per_s']:,.0f} lines/s); longest GUI stall {found['stall_ms']} ms; "
        f"a key to its echo: median {found['echo_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
