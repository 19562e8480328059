"""Numbers from the kernel for an engine on this computer (issue 23): the collector reads the containers' cgroup files
(recorded trees, tests/fakes/cgroup_trees) and opens no stats stream; a container whose files cannot be read gets
the engine's stream alone; a restart goes on at the new PID without a break; and the Monitor says, per container,
where its numbers come from."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from gui.workers.monitor import container_stats as collector_module
from gui.workers.monitor.container_stats import ContainerStatsCollector
from tests.fakes import fake_engine
from tests.fakes.cgroup_trees import build
from tests.fakes.cgroup_trees.engine import TreeEngine
from tests.fakes.http_answers import chunked
from tests.fakes.unix_server import UnixServer, each_request
from tests.gui.monitor.monitor_stub import stats, tick

WEB = "a1" * 32  # ids as the engine gives them: hexadecimal
TRAINER = "b2" * 32
PIDS = {WEB: 101, TRAINER: 102}


def row(name: str, container_id: str):
    return dataclasses.replace(fake_engine.container(name), id=container_id)


class StatsSocket(UnixServer):
    """The engine's socket, answering stats requests with recorded payloads and keeping the stream open."""

    def __init__(self, path):
        self.requests: list[str] = []
        self.payloads: dict[str, list[dict]] = {}
        super().__init__(str(path))

    def serve(self, connection):
        with connection:  # one request: the stream's, and its connection open until Portside hangs up
            for request in each_request(connection):
                container_id = request.target.split("/containers/")[1].split("/")[0]
                self.requests.append(container_id)
                connection.sendall(chunked(*self.payloads.get(container_id, ())))


class LocalEngine(fake_engine.FakeEngine):
    """The fake engine, as one on this computer: a Unix socket, and containers whose files are in fake trees."""

    def __init__(self, stats_socket: StatsSocket, trees):
        super().__init__()
        self._socket = stats_socket
        self.api = TreeEngine(*trees.values()).api

    def stats_socket(self):
        return self._socket.path

    api_version = "1.41"


@pytest.fixture
def trees(tmp_path):
    return {cid: build(tmp_path / "kernel", "v2-systemd", container_id=cid, pid=pid) for cid, pid in PIDS.items()}


@pytest.fixture
def stats_socket(tmp_path):
    scripted = StatsSocket(tmp_path / "docker.sock")
    yield scripted
    scripted.close()


@pytest.fixture
def engine(trees, stats_socket):
    fake = LocalEngine(stats_socket, trees)
    fake.containers_by_id = {WEB: row("web", WEB), TRAINER: row("trainer", TRAINER)}
    return fake


@pytest.fixture
def collector(qtbot, session, trees):
    collector = ContainerStatsCollector(session, interval_ms=100, kernel=trees[WEB].files)
    yield collector
    collector.stop()
    qtbot.waitUntil(lambda: not [t for t in threading.enumerate() if t.name == "kernel stats"], timeout=10_000)


def start(qtbot, session, collector, ids=(WEB, TRAINER)):
    session.start()
    collector.start()
    qtbot.waitUntil(lambda: set(ids) <= set(collector.latest), timeout=10_000)


def test_local_containers_are_read_from_the_kernel_and_open_no_stream(qtbot, session, collector, stats_socket, trees):
    start(qtbot, session, collector)
    web = collector.latest[WEB]
    assert web.source == f"Numbers from the kernel (cgroup v2, {trees[WEB].folder('')})."
    assert (web.memory_used, web.pids, web.net_rx) == (6_795_264 - 6_291_456, 1, 796)
    assert web.cpu_percent == 0.0  # the recorded counters stand still
    assert collector.kernel_follows == {WEB, TRAINER}
    assert collector.open_streams == frozenset() and stats_socket.requests == []


def test_a_container_whose_files_cannot_be_read_gets_the_engine_stream_alone(
    qtbot, session, collector, stats_socket, trees
):
    # The trainer's PID is some other process here (its engine in a VM, say): the engine's numbers it is.
    (trees[TRAINER].root / "proc" / "102" / "cgroup").write_text("0::/user.slice/session-2.scope\n")
    stats_socket.payloads[TRAINER] = fake_engine.stats_payloads("v1-busy-stream.json")
    start(qtbot, session, collector)
    trainer = collector.latest[TRAINER]
    assert trainer.source.startswith("Numbers from the engine's stats stream: its main process (PID 102) is not in")
    assert trainer.memory_used == 331776  # the recorded payload's
    assert collector.open_streams == {TRAINER} and stats_socket.requests == [TRAINER]
    assert collector.latest[WEB].source.startswith("Numbers from the kernel")


def test_a_restart_reads_on_at_the_new_pid_without_a_break(qtbot, session, engine, collector, trees):
    start(qtbot, session, collector)
    batches = []
    collector.sampled.connect(batches.append)
    engine.emit_event({"Type": "container", "Action": "die", "id": WEB})
    down = len(batches)
    qtbot.waitUntil(lambda: len(batches) >= down + 3, timeout=10_000)  # some ticks while it is down
    trees[WEB].update(pid=555, rx=123)  # started again: a new main process in a new network namespace
    trees[WEB].inspect["State"]["Pid"] = 555
    engine.emit_event({"Type": "container", "Action": "start", "id": WEB})
    qtbot.waitUntil(lambda: collector.latest[WEB].net_rx == 123, timeout=10_000)
    assert batches and all(WEB in batch for batch in batches)  # no batch without it: no break in its line


def test_a_container_that_dies_for_good_leaves_after_its_grace(qtbot, session, engine, collector, monkeypatch):
    monkeypatch.setattr(collector_module, "RESTART_GRACE_MS", 200)
    start(qtbot, session, collector)
    engine.containers_by_id[WEB] = fake_engine.replace_row(engine.containers_by_id[WEB], state="exited")
    engine.emit_event({"Type": "container", "Action": "die", "id": WEB})
    qtbot.waitUntil(lambda: WEB not in collector.latest, timeout=10_000)
    assert WEB not in collector.kernel_follows and TRAINER in collector.latest


def test_host_network_is_not_available_and_says_why(qtbot, session, collector, trees):
    trees[WEB].inspect["HostConfig"]["NetworkMode"] = "host"
    start(qtbot, session, collector)
    web = collector.latest[WEB]
    assert (web.net_rx, web.net_tx, web.net_rx_rate) == (None, None, None)
    assert web.source.endswith("; host network: no per-container numbers.")


# The views: where the numbers come from, per container -------------------------------------------------------

SOURCE = "Numbers from the kernel (cgroup v1, /sys/fs/cgroup/memory/docker/4f3a)."


def test_the_busiest_table_tooltip_says_where_the_numbers_come_from(qtbot, monitor):
    from gui.views.monitor.monitor_page import MonitorPage

    page = MonitorPage(monitor)
    qtbot.addWidget(page)
    web = dataclasses.replace(stats("web", 50.0), source=SOURCE)
    monitor.containers = {web.container_id: web}
    page.show()
    tick(monitor)
    tip = page.busiest.item(0, 0).toolTip()
    assert tip.startswith("web\nID ") and tip.endswith("\n" + SOURCE)


def test_the_container_page_has_a_source_line(qtbot, monitor):
    from gui.views.monitor.container_usage import ContainerPage

    page = ContainerPage(monitor)
    qtbot.addWidget(page)
    web = dataclasses.replace(stats("web", 50.0), source=SOURCE)
    monitor.containers = {web.container_id: web}
    page.show()
    page.show_container(row("web", web.container_id))
    assert page.source.text() == SOURCE and page.source.isVisible()
    monitor.containers = {}
    tick(monitor)
    assert not page.source.isVisible()
