"""Benchmark: the whole app monitoring many containers on the real engine, as the issue measures it.

    .venv/bin/python -m tests.bench.bench_monitor [--first 50] [--steady 100] [--minutes 10] [--page monitor]
                                                  [--probe] [--floor]

1. Time to the first complete set of container stats (every one of --first containers has a CPU %), from the
   moment the engine answers, against `docker stats --no-stream` timed in the same run.
2. Steady state with --steady containers at 1 Hz for --minutes, with the chosen page on screen: the app's own
   CPU use (% of one core), its resident memory at the end, and the longest GUI stall (5 ms heartbeat).
Containers run busybox `sleep`, carry the label io.portside.bench=monitor and are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
LABEL = "io.portside.bench=monitor"


def start_containers(client, image: str, count: int) -> list[str]:
    key, value = LABEL.split("=")
    ids = []
    for _ in range(count):
        container = client.api.create_container(
            image, "sleep 3600", labels={key: value}, host_config=client.api.create_host_config(auto_remove=False)
        )
        client.api.start(container["Id"])
        ids.append(container["Id"])
    return ids


def remove_containers(client) -> None:
    import docker.errors

    for container in client.api.containers(all=True, filters={"label": LABEL}):
        try:
            client.api.remove_container(container["Id"], force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # an earlier run still removing it: wait for that
            if exc.status_code != 409:
                raise
    while client.api.containers(all=True, filters={"label": LABEL}):
        time.sleep(0.5)


def cli_no_stream_seconds() -> float:
    began = time.perf_counter()
    subprocess.run(["docker", "stats", "--no-stream"], check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--steady", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--page", default="monitor", help="page on screen during the steady state")
    parser.add_argument("--probe", action="store_true", help="also say what the GUI thread did when it stalled")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run bench_floor.py beside it: the stalls an idle app sees on this machine",
    )
    parser.add_argument(
        "--switch-ms",
        type=float,
        default=1.0,
        help="Python's GIL switch interval; 1 ms as the app sets it (gui/app.py), Python's own is 5",
    )
    args = parser.parse_args()

    import psutil
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.core.build.history import BuildHistory
    from gui.core.run.memory import RunMemory
    from gui.views.main_window import MainWindow
    from gui.workers.main_thread_gc import MainThreadGarbageCollector
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat, StallProbe, wait
    from tests.engine import engine_helpers as eh
    from tests.engine import images

    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)
    client = eh.connect()
    image = images.ensure_busybox_image(client)
    remove_containers(client)
    app = QApplication.instance() or QApplication([])
    MainThreadGarbageCollector(app).start()  # as the app does (gui/app.py)
    me = psutil.Process()
    try:
        ids = start_containers(client, image, args.first)
        print(f"docker stats --no-stream, {args.first} containers: {cli_no_stream_seconds():.2f} s")

        folder = Path(tempfile.mkdtemp())
        session = EngineSession()
        window = MainWindow(
            session,
            QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat),
            BuildHistory(folder / "builds"),
            RunMemory(folder / "run.json"),
        )
        window.resize(window.sizeHint())
        window.show()
        session.start()
        wait(app, lambda: session.diagnosis is not None and session.diagnosis.usable)
        connected = time.perf_counter()
        window.show_page(args.page)
        wait(
            app,
            lambda: all(
                (window.monitor.containers.get(i) is not None and window.monitor.containers[i].cpu_percent is not None)
                for i in ids
            ),
            60,
        )
        print(
            f"first complete set, {args.first} containers: {time.perf_counter() - connected:.2f} s "
            "(from the engine answering)"
        )

        ids += start_containers(client, image, max(0, args.steady - args.first))
        wait(app, lambda: all(i in window.monitor.containers for i in ids), 60)
        print(f"steady state: {len(ids)} containers, page {args.page}, {args.minutes:g} minutes")

        heartbeat = Heartbeat()
        wait(app, lambda: True, settle_s=3)  # let the first charts build before measuring stalls
        cpu_before, wall_before = sum(me.cpu_times()[:2]), time.perf_counter()
        heartbeat.start()
        floor = (
            subprocess.Popen(
                [sys.executable, "-m", "tests.bench.bench_floor", "--minutes", str(args.minutes)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            if args.floor
            else None
        )
        probe = StallProbe() if args.probe else None
        if probe:
            probe.start()
        report = QTimer(
            interval=60_000,
            timeout=lambda: print(
                f"  rss {me.memory_info().rss / 2**20:.0f} MiB, longest stall so far {heartbeat.longest} ms, "
                f"{heartbeat.over_50ms} over 50 ms",
                flush=True,
            ),
        )
        report.start()
        QTimer.singleShot(int(args.minutes * 60_000), app.quit)
        app.exec()  # the real event loop: the CPU measured is the app's own
        report.stop()
        heartbeat.stop()
        if probe:
            probe.stop()
            print(probe.report())
        cpu = (sum(me.cpu_times()[:2]) - cpu_before) / (time.perf_counter() - wall_before) * 100
        print(f"app CPU                 {cpu:.1f} % of one core")
        print(f"resident memory         {me.memory_info().rss / 2**20:.0f} MiB")
        print(f"longest GUI stall       {heartbeat.longest} ms ({heartbeat.over_50ms} stalls over 50 ms)")
        if heartbeat.stalls:
            print(f"  at {heartbeat.stall_times()}")
        if floor:
            print(floor.communicate()[0].strip())
        window.close()
        session.stop()
    finally:
        remove_containers(client)


if __name__ == "__main__":
    main()
