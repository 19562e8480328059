"""Benchmark: the Run dialog's GPU list with 8 GPUs and 30 GPU processes (the fake NVIDIA driver, a fake engine).

    .venv/bin/python -m tests.bench.bench_gpu_choice [--rounds 10] [--seconds 10]

Reports, as medians (max):
- opening the Run dialog on its GPU tab -> its first paint (goal: under 150 ms), and -> ready (the image and the
  host read by a worker, the list showing the Monitor's numbers); the first open of the process apart (warm-up);
- following the Monitor (a sample every 250 ms, the numbers changing each time) with the dialog open: the GUI
  thread's work per sample (the list updated in place), and the longest stall of a 5 ms heartbeat (goal: none over
  50 ms), with the same Monitor and no dialog as the baseline.
Everything runs on this computer's CPU; the driver is tests/fakes/fake_nvml.c, built with gcc.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GPUS = 8
PROCESSES = 30
CONTAINERS = 10
SAMPLE_MS = 250
PAINT_GOAL_MS = 150
STALL_GOAL_MS = 50


def summary(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.1f} ms  (max {max(samples):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    found = measure(args.rounds, args.seconds)
    painted, ready = found["painted"], found["ready"]
    print(f"{GPUS} GPUs, {PROCESSES} GPU processes in {CONTAINERS} containers, a Monitor sample every {SAMPLE_MS} ms")
    # The first dialog of a process also loads fonts and polishes styles once: said apart from the rest.
    print(f"first open -> painted     {painted[0]:7.1f} ms, -> ready {ready[0]:.1f} ms")
    print(f"open -> GPU list painted  {summary(painted[1:] or painted)}   goal < 150 ms")
    print(f"open -> ready, live       {summary(ready[1:] or ready)}")
    print(f"no dialog:   longest stall {found['stall_alone']:4d} ms, {found['over_50ms_alone']} over 50 ms")
    print(f"dialog open: longest stall {found['stall']:4d} ms, {found['over_50ms']} over 50 ms   goal: none over 50")
    print(f"list update per sample    {summary(found['updates'])}   ({len(found['updates'])} samples)")


def metrics(quick: bool):
    """For `python -m tests.bench`: the Run dialog's GPU tab, opened and following the Monitor."""
    from tests.bench.results import Metric

    found = measure(3 if quick else 10, 3.0 if quick else 10.0)
    painted = found["painted"][1:] or found["painted"]
    return [
        Metric(f"Run dialog, {GPUS} GPUs: open -> GPU list painted", statistics.median(painted), goal=PAINT_GOAL_MS),
        Metric("Run dialog GPU list: longest stall while live", found["stall"], goal=STALL_GOAL_MS),
    ]


def measure(rounds: int, seconds: float) -> dict:
    """Opens the dialog `rounds` times (ms to painted and to ready), then follows the Monitor for `seconds` without
    and with it (longest stalls, stalls over 50 ms, ms of each list update)."""
    found: dict = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-gpu-choice-"))
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")  # the GPU needs file of this run only
    from tests.fakes import fake_engine
    from tests.fakes.fake_nvml import CONFIG_VARIABLE, FakeGpu, GiB, build_fake_nvml, load_fake_nvml, write_config

    load_fake_nvml(build_fake_nvml(folder))
    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from gui.core.monitor import attribution
    from gui.core.run.memory import RunMemory
    from gui.views.run.dialog import RunDialog
    from gui.views.run.gpu_section import GpuSection
    from gui.workers.monitor import service as monitor_module
    from gui.workers.monitor.service import MonitorService
    from gui.workers.session import EngineSession
    from tests.bench.benchkit import Heartbeat, wait

    # Ten containers, each with three GPU processes (pids of a /proc of our own), spread over eight GPUs.
    engine = fake_engine.FakeEngine()
    containers = [
        dataclasses.replace(fake_engine.container(f"job-{n}", image=f"job:{n}"), id=f"{n:04x}" * 16)
        for n in range(CONTAINERS)
    ]
    engine.containers_by_id = {row.id: row for row in containers}
    engine.images = [fake_engine.image("job", "0")]
    proc = folder / "proc"
    pids = [100_000 + n for n in range(PROCESSES)]
    for n, pid in enumerate(pids):
        (proc / str(pid)).mkdir(parents=True)
        container = containers[n % CONTAINERS]
        (proc / str(pid) / "cgroup").write_text(f"0::/system.slice/docker-{container.id}.scope\n")
    monitor_module.attribute = functools.partial(attribution.attribute, proc=proc)

    def gpus(step: int) -> list[FakeGpu]:
        return [
            FakeGpu(
                memory_used=(10 + (step + index) % 50) * GiB,
                utilization_gpu=(step * 7 + index * 13) % 100,
                temperature=40 + (step + index) % 40,
                power_usage=300_000,
                power_limit=700_000,
                processes=tuple((pid, (1 + (step + n) % 9) * GiB) for n, pid in enumerate(pids) if n % GPUS == index),
            )
            for index in range(GPUS)
        ]

    config = folder / "nvml.json"
    write_config(config, gpus(0))
    os.environ[CONFIG_VARIABLE] = str(config)  # set once, before any thread reads it

    app = QApplication.instance() or QApplication([])
    info = dataclasses.replace(fake_engine.INFO, gpu_support="nvidia runtime")
    session = EngineSession(
        diagnose_fn=lambda: dataclasses.replace(fake_engine.diagnosis(), info=info),
        engine_factory=lambda _diagnosis: engine,
    )
    monitor = MonitorService(session, interval_ms=SAMPLE_MS)
    session.start()
    monitor.start()
    wait(app, lambda: session.snapshot is not None and monitor.gpus is not None and len(monitor.gpu_use) > 1)
    memory = RunMemory(folder / "run.json")

    # The numbers change on every sample: the file is rewritten from a thread, as a busy machine would change them.
    stop = threading.Event()

    def change() -> None:
        step = 0
        while not stop.wait(SAMPLE_MS / 1000):
            step += 1
            write_config(config, gpus(step))

    changer = threading.Thread(target=change, daemon=True)
    changer.start()

    class FirstPaint(QObject):
        def __init__(self):
            super().__init__()
            self.at: float | None = None

        def eventFilter(self, _watched, event) -> bool:
            if event.type() == QEvent.Type.Paint and self.at is None:
                self.at = time.perf_counter()
            return False

    painted, ready = [], []
    for _ in range(rounds):
        began = time.perf_counter()
        dialog = RunDialog(session, "job:0", None, memory, monitor=monitor)
        dialog.tabs.setCurrentWidget(dialog.gpus)
        first = FirstPaint()
        dialog.gpus.gpu_list.viewport().installEventFilter(first)
        dialog.show()
        wait(app, lambda: first.at is not None)
        painted.append((first.at - began) * 1000)
        wait(app, lambda: dialog.ready and "job-" in dialog.gpus.gpu_list.item(0).text())
        ready.append((time.perf_counter() - began) * 1000)
        dialog.close()
        dialog.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # as the app's event loop does
        wait(app, lambda: session.tasks.active == 0, settle_s=0.1)
    found.update(painted=painted, ready=ready)

    heartbeat = Heartbeat()
    heartbeat.start()
    deadline = time.monotonic() + seconds
    wait(app, lambda: time.monotonic() > deadline)
    heartbeat.stop()
    found.update(stall_alone=heartbeat.longest, over_50ms_alone=heartbeat.over_50ms)

    dialog = RunDialog(session, "job:0", None, memory, monitor=monitor)
    dialog.tabs.setCurrentWidget(dialog.gpus)
    dialog.show()
    wait(app, lambda: dialog.ready)
    updates: list[float] = []
    show_choices = GpuSection._show_choices

    def timed_show(section) -> None:
        began = time.perf_counter()
        show_choices(section)
        updates.append((time.perf_counter() - began) * 1000)

    GpuSection._show_choices = timed_show
    heartbeat.start()
    deadline = time.monotonic() + seconds
    wait(app, lambda: time.monotonic() > deadline)
    heartbeat.stop()
    GpuSection._show_choices = show_choices
    found.update(stall=heartbeat.longest, over_50ms=heartbeat.over_50ms, updates=updates)

    stop.set()
    changer.join()
    dialog.close()
    monitor.stop()
    session.stop()
    wait(app, lambda: session.tasks.active == 0, settle_s=0.2)
    return found


if __name__ == "__main__":
    import faulthandler

    faulthandler.dump_traceback_later(300, exit=True)  # a stuck run prints where it is
    main()
