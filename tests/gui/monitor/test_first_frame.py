"""The Monitor's first complete frame (issue 23): for an engine on this computer, a container's very first sample has
CPU %, memory and the network and disk rates, measured from the starting point read when it was added; every batch
holds all of a round's containers, never part of them; and the Monitor shows new containers' first numbers without
waiting for its next tick. Recorded cgroup trees (tests/fakes/cgroup_trees) stand in for the kernel."""

from __future__ import annotations

import threading

import pytest

from gui.core.monitor.keys import ContainerKey
from gui.workers.monitor import kernel_stats as kernel_module
from gui.workers.monitor.container_stats import ContainerStatsCollector
from gui.workers.monitor.service import MonitorService
from tests.fakes.cgroup_trees import build
from tests.gui.monitor.test_kernel_source import PIDS, TRAINER, WEB, LocalEngine, StatsSocket, row

COMPLETE = ("cpu_percent", "memory_used", "net_rx_rate", "net_tx_rate", "block_read_rate", "block_write_rate")


@pytest.fixture
def trees(tmp_path):
    return {cid: build(tmp_path / "kernel", "v1-cgroupfs", container_id=cid, pid=pid) for cid, pid in PIDS.items()}


@pytest.fixture
def engine(trees, tmp_path):
    scripted = StatsSocket(tmp_path / "docker.sock")
    fake = LocalEngine(scripted, trees)
    fake.containers_by_id = {WEB: row("web", WEB), TRAINER: row("trainer", TRAINER)}
    yield fake
    scripted.close()


def no_kernel_thread_left(qtbot):
    qtbot.waitUntil(lambda: not [t for t in threading.enumerate() if t.name == "kernel stats"], timeout=10_000)


@pytest.fixture
def collector(qtbot, session, trees):
    # A long interval: the regular rounds come too late to give the first sample anything.
    collector = ContainerStatsCollector(session, interval_ms=60_000, kernel=trees[WEB].files)
    yield collector
    collector.stop()
    no_kernel_thread_left(qtbot)


def test_the_first_sample_has_cpu_memory_and_network_and_disk_rates(qtbot, session, collector, trees):
    trees[WEB].update(rx=796 + 50_000)  # it received 50 kB before Portside looked: not a rate
    batches = []
    collector.sampled.connect(batches.append)
    session.start()
    collector.start()
    qtbot.waitUntil(lambda: bool(batches), timeout=10_000)
    first = batches[0][WEB]
    assert all(getattr(first, name) is not None for name in COMPLETE)
    assert first.net_rx_rate == 0.0 and first.cpu_percent == 0.0  # the recorded counters stand still since
    assert first.source.startswith("Numbers from the kernel")


def test_every_batch_holds_the_whole_round(qtbot, session, trees, monkeypatch):
    # Slow reads: a round takes longer than the collector's own interval, so its timer ticks in the middle of rounds.
    read_payload = kernel_module.read_payload

    def slow(*args, **kwargs):
        threading.Event().wait(0.06)
        return read_payload(*args, **kwargs)

    monkeypatch.setattr(kernel_module, "read_payload", slow)
    collector = ContainerStatsCollector(session, interval_ms=50, kernel=trees[WEB].files)
    batches = []
    collector.sampled.connect(batches.append)
    session.start()
    collector.start()
    try:
        qtbot.waitUntil(lambda: len(batches) >= 6, timeout=20_000)
    finally:
        collector.stop()
    no_kernel_thread_left(qtbot)
    assert all(set(batch) == {WEB, TRAINER} for batch in batches)


def test_the_monitor_shows_new_containers_without_waiting_for_its_next_tick(qtbot, session, trees):
    # An interval of a minute: the first tick comes at start, before any container is read, the next a minute on.
    collector = ContainerStatsCollector(session, interval_ms=60_000, kernel=trees[WEB].files)
    monitor = MonitorService(session, interval_ms=60_000, collector=collector)
    shown = []
    monitor.updated.connect(lambda: shown.append(set(monitor.containers)))
    session.start()
    monitor.start()
    try:
        qtbot.waitUntil(lambda: bool(shown) and shown[-1] == {WEB, TRAINER}, timeout=10_000)
        assert monitor.book.series(ContainerKey(WEB), "net_rx").last() == 0.0  # its first rate is in the history
    finally:
        monitor.stop()
    no_kernel_thread_left(qtbot)
    with qtbot.waitSignal(monitor.destroyed, timeout=5000):
        monitor.deleteLater()
