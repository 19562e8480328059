"""Benchmark: how many build-log lines per second the Build dialog shows without stalling the window.

    .venv/bin/python -m tests.bench.bench_build_log [--lines 200000] [--probe]

A fake engine streams a build whose RUN step prints N lines as fast as the reader thread can take
them (a pip install or a compiler can print thousands a second). Reports lines per second shown and
the longest gap of a 5 ms heartbeat timer in the GUI thread (a stall the user would feel). The garbage collector
runs as in the app (gui.workers.main_thread_gc). --probe says what the GUI thread was doing when it stalled.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def messages(lines: int):
    yield {"stream": "Step 1/2 : FROM python:3.12-slim\n"}
    yield {"stream": "Step 2/2 : RUN make -j all\n"}
    for i in range(lines):
        # Real chunks carry one line each, some with colours.
        yield {"stream": f"\x1b[32m[{i:07d}]\x1b[0m compiling module_{i % 977}.c -O2 -Wall\n"}
    yield {"aux": {"ID": "sha256:" + "b" * 64}}
    yield {"stream": "Successfully built bbbbbbbbbbbb\n"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--probe", action="store_true", help="say what the GUI thread did when it stalled")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.app import GIL_SWITCH_INTERVAL_S
    from gui.core.build.history import BuildHistory
    from gui.views.main_window import MainWindow
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat, StallProbe
    from tests.fakes import fake_engine

    app = QApplication.instance() or QApplication([])
    # As gui.app.run_gui: collections in the GUI thread, on a timer; the GIL handed round every millisecond.
    MainThreadGarbageCollector(app).start()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    engine = fake_engine.FakeEngine()
    engine.build_messages = list(messages(args.lines))
    session = EngineSession(diagnose_fn=fake_engine.diagnosis, engine_factory=lambda _d: engine)
    folder = Path(tempfile.mkdtemp())
    (folder / "Dockerfile").write_text("FROM python:3.12-slim\nRUN make -j all\n")
    window = MainWindow(
        session, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), BuildHistory(folder / "builds")
    )
    window.show()
    session.start()
    while session.snapshot is None:
        app.processEvents()
    dialog = window.open_build(folder, "Dockerfile", "bench:1.0")
    while not dialog.build_button.isEnabled():  # the form is checked off the GUI thread first
        app.processEvents()
        time.sleep(0.001)

    heartbeat = Heartbeat()
    heartbeat.start()
    probe = StallProbe() if args.probe else None
    if probe is not None:
        probe.start()
    finished = []
    window.build_runner.finished.connect(finished.append)
    began = time.perf_counter()
    dialog.start_build()
    while not finished:
        app.processEvents()
        time.sleep(0.0005)
    seconds = time.perf_counter() - began
    heartbeat.stop()
    if probe is not None:
        probe.stop()
        print(probe.report())
    shown = dialog.log_view.line_count
    print(f"lines streamed          {args.lines}")
    print(f"seconds to show all     {seconds:.2f}")
    print(f"lines per second        {args.lines / seconds:,.0f}")
    print(f"lines kept in the view  {shown} (bounded buffer)")
    print(f"longest GUI stall (ms)  {heartbeat.longest}")
    print(f"result                  {finished[0].record.result}")
    dialog.close()
    window.close()
    session.stop()


if __name__ == "__main__":
    import faulthandler

    faulthandler.dump_traceback_later(60, exit=True)  # a stuck run prints where it is
    main()
