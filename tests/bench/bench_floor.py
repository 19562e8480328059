"""The machine's own noise: the same 5 ms GUI heartbeat as the other benchmarks, in a Qt app that does nothing.

    .venv/bin/python -m tests.bench.bench_floor [--minutes 10]

Run beside another benchmark (bench_monitor.py --floor does): a stall this app also saw was the machine (other
work on the same cores, the disk), not the app being measured.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tests.bench.benchkit import Heartbeat

    app = QApplication.instance() or QApplication([])
    heartbeat = Heartbeat(note_over_ms=30)
    heartbeat.start()
    QTimer.singleShot(int(args.minutes * 60_000), app.quit)
    app.exec()
    heartbeat.stop()
    print(
        f"idle app beside it: longest stall {heartbeat.longest} ms ({heartbeat.over_50ms} over 50 ms)"
        + (f"\n  over 30 ms at {heartbeat.stall_times()}" if heartbeat.stalls else "")
    )


if __name__ == "__main__":
    main()
