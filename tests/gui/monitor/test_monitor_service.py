"""The Monitor service with the FakeEngine's recorded stats and the fake NVIDIA library: what one tick records,
pause, interval, hidden sampling, GPU use per container, forgetting destroyed containers, clean stop."""

from __future__ import annotations

import dataclasses
import functools
import math
import os

import pytest

from gui.core.monitor import attribution as gpu_attribution
from gui.core.monitor.keys import HOST, ContainerKey, GpuKey, SeriesKey
from gui.workers.monitor import service as monitor_module
from gui.workers.monitor.service import MonitorService
from tests.fakes import fake_engine
from tests.fakes.fake_nvml import FakeGpu, GiB, write_config

FAST_MS = 250  # the shortest interval the service accepts: quick tests


@pytest.fixture
def fake_proc(tmp_path, monkeypatch):
    """A /proc of our own for attribution: {pid: cgroup text}; this test process is a host process."""
    proc = tmp_path / "proc"

    def add(pid: int, cgroup: str) -> None:
        (proc / str(pid)).mkdir(parents=True, exist_ok=True)
        (proc / str(pid) / "cgroup").write_text(cgroup)

    add(os.getpid(), "0::/user.slice/user-1000.slice/session-1.scope\n")
    monkeypatch.setattr(monitor_module, "attribute", functools.partial(gpu_attribution.attribute, proc=proc))
    return add


@pytest.fixture
def monitor(qtbot, session, stats_feed):
    service = MonitorService(session, interval_ms=FAST_MS)
    yield service
    service.stop()
    # Deleted here, in the GUI thread: left to Python's garbage collector, it could be deleted by whichever thread
    # happens to collect (a stats reader), while this thread still delivers events to it.
    with qtbot.waitSignal(service.destroyed, timeout=5000):
        service.deleteLater()


def two_gpus(trainer_pid: int | None = None) -> list[FakeGpu]:
    processes = ((trainer_pid, 4 * GiB),) if trainer_pid else ()
    return [
        FakeGpu(
            memory_used=20 * GiB,
            utilization_gpu=75,
            temperature=61,
            power_usage=250_000,
            power_limit=700_000,
            processes=processes + ((os.getpid(), GiB),),
        ),
        FakeGpu(
            name="NVIDIA A100-SXM4-40GB",
            memory_total=40 * GiB,
            memory_used=10 * GiB,
            utilization_gpu=5,
            temperature=None,
            power_usage=None,
        ),
    ]


def running_ids(engine) -> list[str]:
    return [row.id for row in engine.containers() if row.state == "running"]


def started(qtbot, session, monitor):
    session.start()
    monitor.start()
    qtbot.waitUntil(lambda: session.snapshot is not None, timeout=5000)
    return monitor


def wait_ticks(qtbot, monitor, count: int) -> None:
    for _ in range(count):
        with qtbot.waitSignal(monitor.updated, timeout=5000):
            pass


def points(monitor, key: SeriesKey, metric: str) -> int:
    series = monitor.book.get(key, metric)
    return 0 if series is None else len(series.window(3600)[0])


def test_a_tick_records_host_gpus_and_containers(qtbot, session, engine, monitor, fake_nvml, fake_proc):
    fake_nvml.set(two_gpus())
    snapshots = []
    monitor.gpuSnapshot.connect(snapshots.append)
    started(qtbot, session, monitor)
    ids = running_ids(engine)
    qtbot.waitUntil(
        lambda: (
            all(monitor.book.get(ContainerKey(cid), "memory") for cid in ids)
            and monitor.book.get(GpuKey(1), "util") is not None
        ),
        timeout=10_000,
    )

    host = monitor.book.series(HOST, "cpu").last()
    assert host is not None and 0.0 <= host <= 100.0
    # The fake engine's socket counts as local: its data-root is measured (once the diagnosis has come)
    qtbot.waitUntil(lambda: monitor.host.data_root == fake_engine.INFO.data_root, timeout=5000)
    # Samples within one second are averaged into one point: the point is near the latest sample, not equal.
    assert monitor.book.series(HOST, "memory_percent").last() == pytest.approx(monitor.host.memory_percent, abs=2)

    assert monitor.book.series(GpuKey(0), "util").last() == 75.0
    assert monitor.book.series(GpuKey(0), "memory_used").last() == 20 * GiB
    assert monitor.book.series(GpuKey(0), "memory_percent").last() == 25.0
    assert monitor.book.series(GpuKey(0), "temperature").last() == 61.0
    assert monitor.book.series(GpuKey(0), "power").last() == 250.0
    assert monitor.book.series(GpuKey(1), "temperature").last() is None  # not supported: a gap, shown as n/a
    assert monitor.gpus is not None and [gpu.index for gpu in monitor.gpus.gpus] == [0, 1]
    assert snapshots and snapshots[-1].gpus[1].name == "NVIDIA A100-SXM4-40GB"

    assert set(monitor.containers) == set(ids)
    for cid in ids:
        assert monitor.book.series(ContainerKey(cid), "memory").last() is not None
        assert set(monitor.book.metrics(ContainerKey(cid))) == set(monitor_module.CONTAINER_METRICS)


def test_updated_comes_once_per_tick_after_everything_is_recorded(
    qtbot, session, monitor, fake_nvml, fake_proc, monkeypatch
):
    # Each tick hands one host and GPU sampling job to a worker, and the next tick waits for its answer (with no
    # cut-off for a job that hangs, here), so the jobs started count the ticks.
    monkeypatch.setattr(monitor_module, "STALLED_SYSTEM_MS", 3_600_000)
    ticks = []
    sample_system = monitor_module._sample_system

    def counted(*args):
        ticks.append(1)
        return sample_system(*args)

    monkeypatch.setattr(monitor_module, "_sample_system", counted)
    fake_nvml.set(two_gpus())
    seen = []
    monitor.updated.connect(
        lambda: seen.append((len(ticks), monitor.host, monitor.gpus, monitor.book.series(HOST, "cpu").last()))
    )
    started(qtbot, session, monitor)
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=10_000)
    # One `updated` per tick: the n-th comes after the n-th tick's job, never twice for one tick.
    assert [tick for tick, *_ in seen] == list(range(1, len(seen) + 1))
    # And after the tick's samples are in: the host's and the GPUs' numbers, and the host's history.
    assert all(host is not None and gpus is not None and cpu is not None for _, host, gpus, cpu in seen)


def test_no_driver_one_calm_sentence_and_the_rest_works(qtbot, session, monitor, fake_nvml):
    started(qtbot, session, monitor)
    qtbot.waitUntil(lambda: monitor.gpus is not None and monitor.host is not None, timeout=5000)
    assert monitor.gpus.unavailable_reason
    assert monitor.gpus.gpus == ()
    assert not [key for key in monitor.book if isinstance(key, GpuKey)]
    assert monitor.gpu_use == {}
    qtbot.waitUntil(lambda: points(monitor, HOST, "cpu") >= 2, timeout=5000)


def test_attribution_reaches_gpu_use_and_the_container_history(qtbot, session, engine, monitor, fake_nvml, fake_proc):
    # Attribution reads real container ids (64 hex digits) from cgroup paths
    trainer = dataclasses.replace(fake_engine.container("gpu-trainer"), id="ab12" * 16)
    engine.containers_by_id[trainer.id] = trainer
    fake_proc(424242, f"12:memory:/docker/{trainer.id}\n0::/system.slice/docker-{trainer.id}.scope\n")
    fake_nvml.set(two_gpus(trainer_pid=424242))
    started(qtbot, session, monitor)
    qtbot.waitUntil(lambda: trainer.id in monitor.gpu_use, timeout=10_000)

    use = monitor.gpu_use[trainer.id]
    assert use.gpu_memory == 4 * GiB
    assert [process.pid for process in use.processes] == [424242]
    host_use = monitor.gpu_use[None]
    assert [process.pid for process in host_use.processes] == [os.getpid()]
    assert monitor.book.series(ContainerKey(trainer.id), "gpu_memory").last() == 4 * GiB
    web = next(row for row in engine.containers() if row.name == "web")
    assert monitor.book.get(ContainerKey(web.id), "gpu_memory") is None  # never used a GPU: no history kept

    # The training process ended. Only the file changes: FakeNvml.set() also sets the environment variable, and
    # setenv while the sampling thread is inside the fake library (getenv) is a glibc race that corrupts memory.
    write_config(fake_nvml.config_path, two_gpus())
    qtbot.waitUntil(lambda: trainer.id not in monitor.gpu_use, timeout=5000)
    # 0 from then on (a second that had both is their mean)
    qtbot.waitUntil(lambda: monitor.book.series(ContainerKey(trainer.id), "gpu_memory").last() == 0, timeout=5000)


def test_pause_stops_new_points_and_resume_breaks_the_line(qtbot, session, monitor, fake_nvml):
    fake_nvml.set(two_gpus())
    started(qtbot, session, monitor)
    wait_ticks(qtbot, monitor, 2)
    monitor.set_paused(True)
    assert monitor.paused
    before = {key: points(monitor, key, "util" if isinstance(key, GpuKey) else "cpu") for key in monitor.book}
    updates = []
    monitor.updated.connect(lambda: updates.append(1))
    qtbot.wait(4 * FAST_MS)
    assert updates == []
    assert {key: points(monitor, key, "util" if isinstance(key, GpuKey) else "cpu") for key in before} == before
    assert monitor.book.series(HOST, "cpu").last() is None  # the pause is a break in the line
    assert monitor.book.series(GpuKey(0), "util").last() is None

    monitor.set_paused(False)
    qtbot.waitUntil(lambda: monitor.book.series(HOST, "cpu").last() is not None, timeout=5000)
    qtbot.waitUntil(lambda: monitor.book.series(GpuKey(0), "util").last() == 75.0, timeout=5000)


def test_a_hanging_gpu_driver_does_not_stop_container_updates(qtbot, session, engine, monitor, fake_nvml, monkeypatch):
    import threading

    release = threading.Event()
    calls = []

    def hanging_sample_gpus():
        calls.append(1)
        release.wait(30)
        return fake_nvml_snapshot()

    from gui.core.monitor.gpu import sample_gpus as fake_nvml_snapshot

    monkeypatch.setattr(monitor_module, "STALLED_SYSTEM_MS", 500)
    monkeypatch.setattr(monitor_module, "sample_gpus", hanging_sample_gpus)
    started(qtbot, session, monitor)
    web = next(row for row in engine.containers() if row.name == "web")
    try:
        qtbot.waitUntil(lambda: points(monitor, ContainerKey(web.id), "memory") >= 3, timeout=10_000)
        assert calls == [1]  # no second job queued behind the hanging one
        assert monitor.host is None  # the tick's host sample waits with it
    finally:
        release.set()
    qtbot.waitUntil(lambda: monitor.host is not None and monitor.gpus is not None, timeout=5000)


def test_interval_change(qtbot, session, monitor, fake_nvml):
    started(qtbot, session, monitor)
    wait_ticks(qtbot, monitor, 1)
    monitor.set_interval(2000)
    assert monitor.interval_ms == 2000
    assert monitor._timer.interval() == 2000
    monitor.set_interval(10)  # nonsense is raised to the minimum
    assert monitor.interval_ms == monitor_module.MIN_INTERVAL_MS
    count = points(monitor, HOST, "cpu")
    qtbot.waitUntil(lambda: points(monitor, HOST, "cpu") >= count + 2, timeout=5000)


def test_hidden_keeps_containers_and_slows_host_and_gpus(qtbot, session, engine, monitor, fake_nvml, monkeypatch):
    monkeypatch.setattr(monitor_module, "HIDDEN_SYSTEM_INTERVAL_MS", 3_600_000)  # "never" within this test
    fake_nvml.set(two_gpus())
    started(qtbot, session, monitor)
    ids = running_ids(engine)
    qtbot.waitUntil(lambda: all(points(monitor, ContainerKey(cid), "memory") for cid in ids), timeout=10_000)
    monitor.set_hidden(True)
    assert monitor.hidden
    wait_ticks(qtbot, monitor, 1)  # a tick already on its way may still sample
    host_points = points(monitor, HOST, "cpu")
    gpu_points = points(monitor, GpuKey(0), "util")
    container_points = points(monitor, ContainerKey(ids[0]), "memory")
    qtbot.waitUntil(lambda: points(monitor, ContainerKey(ids[0]), "memory") >= container_points + 2, timeout=10_000)
    assert points(monitor, HOST, "cpu") == host_points
    assert points(monitor, GpuKey(0), "util") == gpu_points

    monitor.set_hidden(False)  # back on screen: host and GPUs at once
    qtbot.waitUntil(lambda: points(monitor, HOST, "cpu") > host_points, timeout=5000)
    qtbot.waitUntil(lambda: points(monitor, GpuKey(0), "util") > gpu_points, timeout=5000)


def test_destroyed_container_is_forgotten(qtbot, session, engine, monitor, fake_nvml):
    from gui.core.engine import actions

    started(qtbot, session, monitor)
    web = next(row for row in engine.containers() if row.name == "web")
    key = ContainerKey(web.id)
    qtbot.waitUntil(lambda: key in monitor.book, timeout=10_000)
    with engine._lock:
        engine._apply(actions.RemoveContainer(web.id))
    engine.emit_event({"Type": "container", "Action": "destroy", "id": web.id, "time": 0})
    qtbot.waitUntil(lambda: key not in monitor.book and web.id not in monitor.containers, timeout=5000)


def test_container_missing_from_the_list_is_forgotten_too(qtbot, session, engine, monitor, fake_nvml):
    """A destroy event missed while the engine was away: the next list drops it."""
    started(qtbot, session, monitor)
    monitor.book.record(ContainerKey("f" * 64), 1.0, {"cpu": 1.0})
    session.refresh()
    qtbot.waitUntil(lambda: ContainerKey("f" * 64) not in monitor.book, timeout=5000)


def test_stopped_container_ends_its_line(qtbot, session, engine, monitor, fake_nvml):
    from gui.core.engine import actions

    started(qtbot, session, monitor)
    web = next(row for row in engine.containers() if row.name == "web")
    qtbot.waitUntil(lambda: points(monitor, ContainerKey(web.id), "memory") >= 2, timeout=10_000)
    session.perform(actions.StopContainer(web.id))
    qtbot.waitUntil(lambda: web.id not in monitor.containers, timeout=10_000)
    wait_ticks(qtbot, monitor, 1)
    _, values = monitor.book.series(ContainerKey(web.id), "memory").window(3600)
    assert math.isnan(values[-1]) and not math.isnan(values[0])


def test_stop_ends_everything_and_is_safe_twice(qtbot, session, monitor, fake_nvml):
    started(qtbot, session, monitor)
    wait_ticks(qtbot, monitor, 2)
    monitor.stop()
    monitor.stop()
    updates = []
    monitor.updated.connect(lambda: updates.append(1))
    qtbot.wait(3 * FAST_MS)
    assert updates == []
    assert monitor._system.active == 0
    # (tests/conftest.py fails this test if a stream worker is still running)
