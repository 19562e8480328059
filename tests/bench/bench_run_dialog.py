"""Benchmark: how quickly the Run dialog opens, follows typing and starts a container, on the real engine.

    .venv/bin/python -m tests.bench.bench_run_dialog [--image portside-test/busybox:1] [--rounds 5]

Reports, as medians (max):
- reading what the form needs (image inspect, containers, host ports, GPUs: run_context.load_context);
- the checks that need the host (preflight) and the pure ones run on every key press (problems + preview);
- the dialog: open -> ready, and the longest GUI stall (5 ms heartbeat) while a user types;
- Run -> the container shown selected in Containers (create + start + list refresh).
Containers it starts carry the label io.portside.bench=1 and are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BENCH_LABEL = ("io.portside.bench", "1")
STALL_GOAL_MS = 50


def summary(samples: list[float]) -> str:
    return f"{statistics.median(samples):8.1f} ms  (max {max(samples):.1f})"


def timed(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", default="portside-test/busybox:1")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    found = measure(args.image, args.rounds, print)
    print(f"dialog open -> ready    {summary(found['opened'])}")
    print(f"typing: longest stall   {summary(found['stalls'])}")
    print(f"Run -> shown selected   {summary(found['started'])}")


def metrics(quick: bool):
    """For `python -m tests.bench`: the Run dialog opening, typing in it, and Run until the new container is shown
    selected, against `docker run -d` of the same image and command (which shows nothing)."""
    from tests.bench.results import Metric
    from tests.engine import engine_helpers, images

    image = images.ensure_busybox_image(engine_helpers.connect())
    rounds = 2 if quick else 5
    found = measure(image, rounds, lambda _line: None)
    return [
        Metric("Run dialog: open -> ready", statistics.median(found["opened"])),
        Metric("Run dialog: longest stall while typing", statistics.median(found["stalls"]), goal=STALL_GOAL_MS),
        Metric(
            "Run -> new container shown selected",
            statistics.median(found["started"]),
            statistics.median(docker_run_ms(image) for _ in range(rounds)),
            "docker run -d",
        ),
    ]


def docker_run_ms(image: str) -> float:
    """`docker run -d` of the benchmark's container, timed; the container is removed after."""
    began = time.perf_counter()
    done = subprocess.run(
        ["docker", "run", "-d", "--label", "=".join(BENCH_LABEL), "-m", "512m", image, "sleep", "300"],
        check=True,
        capture_output=True,
        text=True,
    )
    took = (time.perf_counter() - began) * 1000
    subprocess.run(["docker", "rm", "-f", done.stdout.strip()], check=True, capture_output=True)
    return took


def measure(image: str, rounds: int, say) -> dict:
    """ms lists: opened (open -> ready), stalls (longest while typing), started (Run -> shown selected); `say`
    gets the lines about the engine and the checks."""
    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gui.core.build.history import BuildHistory
    from gui.core.engine.client import Engine
    from gui.core.engine.connection import diagnose
    from gui.core.run.context import load_context, preflight
    from gui.core.run.memory import RunMemory
    from gui.core.run.spec import EnvVar, PortSpec, RunSpec
    from gui.views.main_window import MainWindow
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat, wait

    diagnosis = diagnose()
    engine = Engine.from_diagnosis(diagnosis)
    context = load_context(engine, image, diagnosis.info.gpu_support)
    say(
        f"engine {diagnosis.info.engine_version}, {len(context.container_names)} containers, "
        f"{len(context.ports_in_use)} host ports in use, image {image}"
    )
    say(f"load_context            {summary(timed(lambda: load_context(engine, image, None), 20))}")
    spec = RunSpec(
        image,
        name="bench-web",
        command="sleep 300",
        ports=(PortSpec("80", "5000"),),
        env=(EnvVar("HF_TOKEN", "x"), EnvVar("MODE", "fast")),
        memory="512m",
        cpus="1",
        shm_size="1g",
    )
    say(f"preflight               {summary(timed(lambda: preflight(spec, context), 20))}")
    per_key = timed(lambda: (spec.problems(host_cpus=2), spec.command_line), 2000)
    say(f"problems + preview      {statistics.median(per_key) * 1000:8.0f} µs (per key press)")

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    session = EngineSession()
    window = MainWindow(
        session,
        QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat),
        BuildHistory(folder / "builds"),
        RunMemory(folder / "run.json"),
    )
    window.show()
    session.start()
    wait(app, lambda: session.snapshot is not None)

    heartbeat = Heartbeat()
    opened, started, stalls = [], [], []
    try:
        for round_number in range(rounds):
            began = time.perf_counter()
            dialog = window.open_run_dialog(image)
            wait(app, lambda: dialog.ready)
            opened.append((time.perf_counter() - began) * 1000)

            heartbeat.start()
            name = f"bench-{os.getpid()}-{round_number}"
            for edit in (dialog.general.name_edit, dialog.general.command_edit, dialog.resources.memory_edit):
                edit.clear()  # the last round's settings come back (remembered per image)
            for edit, text in (
                (dialog.general.name_edit, name),
                (dialog.general.command_edit, "sleep 300"),
                (dialog.resources.memory_edit, "512m"),
            ):
                for character in text:  # one key at a time, at a fast typist's pace (50 ms)
                    QTest.keyClicks(edit, character)
                    wait(app, lambda: True, settle_s=0.05)
            dialog.advanced.labels_edit.setPlainText("=".join(BENCH_LABEL))
            wait(app, lambda: dialog.run_button.isEnabled(), settle_s=0.5)
            stalls.append(heartbeat.longest)
            heartbeat.stop()

            began = time.perf_counter()
            dialog.run_button.click()
            wait(app, lambda: [row.name for row in window.containers_page.selected_rows()] == [name])
            started.append((time.perf_counter() - began) * 1000)
    finally:
        for row in engine.api.containers(all=True, filters={"label": "=".join(BENCH_LABEL)}):
            engine.api.remove_container(row["Id"], force=True)
        window.close()
        session.stop()
        engine.close()
    return {"opened": opened, "stalls": stalls, "started": started}


if __name__ == "__main__":
    import faulthandler

    faulthandler.dump_traceback_later(300, exit=True)  # a stuck run prints where it is
    main()
