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
    heartbeat = idle(args.minutes * 60)
    print(
        f"idle app beside it: longest stall {heartbeat.longest} ms ({heartbeat.over_50ms} over 50 ms)"
        + (f"\n  over 30 ms at {heartbeat.stall_times()}" if heartbeat.stalls else "")
    )


def metrics(quick: bool):
    """For `python -m tests.bench`: the machine's own stalls during this run, to read the others' against."""
    from tests.bench.results import Metric

    seconds = 10 if quick else 60
    heartbeat = idle(seconds)
    return [Metric(f"machine noise: an idle Qt app's longest stall over {seconds} s", heartbeat.longest)]


def idle(seconds: float):
    """The heartbeat of an empty event loop that ran `seconds`."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tests.bench.benchkit import Heartbeat

    app = QApplication.instance() or QApplication([])
    heartbeat = Heartbeat(note_over_ms=30)
    heartbeat.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    heartbeat.stop()
    return heartbeat


if __name__ == "__main__":
    main()
