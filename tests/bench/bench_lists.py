"""Benchmark: start-up and list refresh with many containers and images (run by hand, prints numbers).

    .venv/bin/python -m tests.bench.bench_lists [--containers 200] [--images 200]

Creates labelled objects on the engine (removed at the end), then measures:
- start-up: process start to first window, and to the first filled lists (subprocess, 5 runs);
- one list read (Engine.snapshot) and one model update in the GUI thread, with N rows;
- event latency: `docker create` from outside until the row is in the model;
- the longest stall of the GUI event loop during refreshes (a 5 ms heartbeat timer).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import docker

LABEL = {"io.portside.bench": "1"}
BASE = "portside-bench/busybox:base"


def build_base(client: docker.DockerClient) -> None:
    context = Path(tempfile.mkdtemp())
    (context / "busybox").write_bytes(Path("/bin/busybox").read_bytes())
    (context / "Dockerfile").write_text('FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "true"]\n')
    client.images.build(path=str(context), tag=BASE, labels=LABEL, rm=True)


def make_objects(client: docker.DockerClient, containers: int, images: int) -> None:
    build_base(client)
    for i in range(images):
        # Half distinct images (a metadata-only build is quick), half extra tags: 200 rows as `docker images`.
        if i % 2 == 0:
            context = Path(tempfile.mkdtemp())
            (context / "Dockerfile").write_text(f"FROM {BASE}\nLABEL n={i}\n")
            client.images.build(path=str(context), tag=f"portside-bench/img:b{i}", labels=LABEL, rm=True)
        else:
            client.api.tag(f"portside-bench/img:b{i - 1}", "portside-bench/img", f"t{i}")
    for i in range(containers):
        client.containers.create(BASE, name=f"bench-{i}", labels=LABEL)


def cleanup(client: docker.DockerClient) -> None:
    for container in client.containers.list(all=True, filters={"label": "io.portside.bench=1"}):
        container.remove(force=True)
    for image in client.images.list(filters={"label": "io.portside.bench=1"}):
        try:
            client.images.remove(image.id, force=True)
        except docker.errors.APIError:
            pass


def startup_runs(runs: int = 5) -> list[tuple[float, float, float]]:
    results = []
    for _ in range(runs):
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "gui", "--startup-report"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        ).stdout
        wall = (time.perf_counter() - began) * 1000
        values = dict(line.split()[:2] for line in out.splitlines() if line.endswith(tuple("0123456789")))
        results.append((float(values["first_window_ms"]), float(values["lists_filled_ms"]), wall))
    return results


def in_process(rounds: int = 10) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from gui.core.engine.client import Engine
    from gui.core.engine.connection import diagnose
    from gui.models.lists import containers_model, images_model
    from gui.views.main_window import MainWindow
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat

    app = QApplication.instance() or QApplication([])
    engine = Engine.from_diagnosis(diagnose())
    snapshot_ms = []
    for _ in range(rounds):
        began = time.perf_counter()
        snapshot = engine.snapshot()
        snapshot_ms.append((time.perf_counter() - began) * 1000)
    model_ms = []
    for _ in range(rounds):
        c_model, i_model = containers_model(), images_model()
        began = time.perf_counter()
        c_model.set_rows(snapshot.containers)
        i_model.set_rows(snapshot.images)
        model_ms.append((time.perf_counter() - began) * 1000)

    # The whole app: heartbeat stalls while refreshes run, and event-to-row latency.
    session = EngineSession()
    window = MainWindow(session)
    window.show()
    session.start()
    while session.snapshot is None:
        app.processEvents()
        time.sleep(0.005)
    heartbeat = Heartbeat()
    heartbeat.start()
    # Containers are created from another thread, as a terminal would: the GUI thread only
    # processes events, so the heartbeat measures the app, not this script.
    client = docker.from_env(version="auto")
    requested: dict[str, float] = {}
    shown: dict[str, float] = {}
    model = window.containers_page.model

    def on_rows_inserted(_parent, first, last):
        for position in range(first, last + 1):
            shown.setdefault(model.row_at(position).name, time.perf_counter())

    model.rowsInserted.connect(on_rows_inserted)

    def create_containers():
        for i in range(10):
            name = f"bench-event-{i}"
            requested[name] = time.perf_counter()
            client.containers.create(BASE, name=name, labels=LABEL)
            time.sleep(0.3)

    creator = threading.Thread(target=create_containers)
    creator.start()
    deadline = time.perf_counter() + 60
    while (
        creator.is_alive() or len(shown.keys() & requested.keys()) < len(requested)
    ) and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    creator.join()
    latencies = [(shown[name] - requested[name]) * 1000 for name in requested]
    heartbeat.stop()
    window.close()
    session.stop()
    return {
        "rows_containers": len(snapshot.containers),
        "rows_images": len(snapshot.images),
        "snapshot_ms_median": statistics.median(snapshot_ms),
        "snapshot_ms_max": max(snapshot_ms),
        "model_update_ms_median": statistics.median(model_ms),
        "model_update_ms_max": max(model_ms),
        "event_to_row_ms_median": statistics.median(latencies),
        "event_to_row_ms_max": max(latencies),
        "longest_gui_stall_ms": heartbeat.longest,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=200)
    parser.add_argument("--images", type=int, default=200)
    args = parser.parse_args()
    client = docker.from_env(version="auto")
    cleanup(client)
    began = time.perf_counter()
    make_objects(client, args.containers, args.images)
    print(
        f"created {args.containers} containers and {args.images} image tags in "
        f"{time.perf_counter() - began:.1f} s; the engine now lists "
        f"{len(client.api.containers(all=True))} containers"
    )
    try:
        runs = startup_runs()
        for label, index in (("first window", 0), ("lists filled", 1), ("process wall", 2)):
            values = [run[index] for run in runs]
            print(f"startup {label:13s} median {statistics.median(values):7.0f} ms  max {max(values):7.0f} ms")
        for key, value in in_process().items():
            print(f"{key:24s} {value:8.1f}" if isinstance(value, float) else f"{key:24s} {value:8d}")
    finally:
        cleanup(client)


if __name__ == "__main__":
    main()
