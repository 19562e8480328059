"""A stub Monitor service for the view tests and builders for the samples it holds (container stats, host, GPUs,
history); conftest.py's `monitor` fixture gives one.

The stub has the MonitorService's attributes and signals (gui/workers/monitor/service.py) and holds the core's own data
classes, so the views' tests see what a user sees without threads, an engine or NVML.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from gui.core.monitor.gpu import GpuSample, GpuSnapshot
from gui.core.monitor.host import HostSample
from gui.core.monitor.keys import HOST, ContainerKey
from gui.core.monitor.stats import ContainerStats
from gui.core.monitor.timeseries import SeriesBook

GiB = 1024**3
MiB = 1024**2
NO_DRIVER = "No NVIDIA driver is installed, so there are no GPUs to show. Everything else works as usual."


class StubMonitor(QObject):
    """What the views read of MonitorService, with the setters recording their calls."""

    updated = Signal()
    gpuSnapshot = Signal(object)

    def __init__(self):
        super().__init__()
        self.book = SeriesBook()
        self.containers: dict[str, ContainerStats] = {}
        self.gpu_use: dict = {}
        self.host: HostSample | None = None
        self.gpus = None
        self.interval_ms = 1000
        self.paused = False
        self.hidden = False
        self.hidden_calls: list[bool] = []

    def set_interval(self, ms: int) -> None:
        self.interval_ms = ms

    def set_paused(self, paused: bool) -> None:
        self.paused = paused

    def set_hidden(self, hidden: bool) -> None:
        self.hidden = hidden
        self.hidden_calls.append(hidden)


def container_id(name: str) -> str:
    return f"{name}-id".ljust(64, "0")


def stats(
    name: str, cpu: float | None, memory: int = 100 * MiB, limit: int = 16 * GiB, cpus: int = 4, pids: int | None = 3
) -> ContainerStats:
    return ContainerStats(
        container_id=container_id(name),
        name=name,
        read=time.time(),
        cpu_percent=cpu,
        online_cpus=cpus,
        memory_used=memory,
        memory_limit=limit,
        memory_percent=100 * memory / limit,
        net_rx=0,
        net_tx=0,
        block_read=0,
        block_write=0,
        net_rx_rate=2048.0,
        net_tx_rate=1024.0,
        block_read_rate=0.0,
        block_write_rate=512.0,
        pids=pids,
    )


def host_sample(load=(0.52, 0.61, 0.7), swap_total: int = 0) -> HostSample:
    return HostSample(
        time=time.time(),
        cpu_percent=25.0,
        per_cpu=(10.0, 20.0, 30.0, 40.0),
        memory_used=2 * GiB,
        memory_total=8 * GiB,
        memory_percent=25.0,
        swap_used=0,
        swap_total=swap_total,
        load=load,
        data_root="/var/lib/docker",
        data_root_free=120 * GiB,
        data_root_total=400 * GiB,
    )


def gpu(index: int, **changes) -> GpuSample:
    fields = {
        "index": index,
        "name": "NVIDIA H100 80GB HBM3",
        "uuid": f"GPU-{index}aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "utilization": 45.0,
        "memory_utilization": 20.0,
        "memory_used": 12 * GiB,
        "memory_total": 80 * GiB,
        "temperature": 54,
        "power_draw": 120.4,
        "power_limit": 350.0,
        "fan": None,
        "sm_clock": 1755,
        "memory_clock": 2619,
        "processes": (),
    }
    fields.update(changes)
    return GpuSample(**fields)


def two_gpus(*, lost_second: bool = False) -> GpuSnapshot:
    second = (
        gpu(
            1,
            lost=True,
            problem="GPU is lost",
            utilization=None,
            memory_used=None,
            memory_total=None,
            temperature=None,
            power_draw=None,
            power_limit=None,
            sm_clock=None,
            memory_clock=None,
            memory_utilization=None,
        )
        if lost_second
        else gpu(1, utilization=None, power_limit=None)
    )
    return GpuSnapshot(
        gpus=(gpu(0), second),
        driver_version="550.54.15",
        cuda_version=(12, 4),
        unavailable_reason=None,
        time=time.time(),
    )


def no_driver() -> GpuSnapshot:
    return GpuSnapshot(gpus=(), driver_version=None, cuda_version=None, unavailable_reason=NO_DRIVER, time=time.time())


def fill_history(monitor: StubMonitor, name: str, seconds: int = 120, now: float | None = None) -> None:
    """`seconds` of 1 Hz history for a container, up to now: CPU climbing to 50 %, memory at 100 MiB."""
    now = time.time() if now is None else now
    key = ContainerKey(container_id(name))
    for i in range(seconds):
        t = now - seconds + i + 1
        monitor.book.record(
            key,
            t,
            {
                "cpu": 50.0 * (i + 1) / seconds,
                "memory": 100 * MiB,
                "net_rx": 2048.0,
                "net_tx": 1024.0,
                "block_read": 0.0,
                "block_write": 512.0,
            },
        )
        monitor.book.record(HOST, t, {"cpu": 25.0, "memory_percent": 25.0})


def tick(monitor: StubMonitor) -> None:
    monitor.updated.emit()
