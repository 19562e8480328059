"""Container stats from the real engine: Engine.stats_stream / stats_once and the collector on a real session."""

from __future__ import annotations

import threading

import pytest

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint, diagnose
from gui.core.monitor.stats import container_stats
from gui.workers import streams
from tests.engine import engine_helpers as eh

BUSY = ["sh", "-c", "while :; do :; done"]
IDLE = ["sleep", "300"]


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint(eh.engine_url(), "DOCKER_HOST")


@pytest.fixture
def engine(endpoint):
    engine = Engine.from_diagnosis(diagnose(endpoint))
    yield engine
    engine.close()


def run(docker_client, image, command, labels):
    return docker_client.containers.run(image, command, labels=labels, detach=True)


def test_stream_gives_cpu_from_the_second_payload_and_ends_when_the_container_stops(
    engine, docker_client, busybox_image, test_labels
):
    container = run(docker_client, busybox_image, BUSY, test_labels)
    stream = engine.stats_stream(container.id)
    payloads = []
    try:
        for payload in stream:
            payloads.append(payload)
            if len(payloads) == 2:
                break
        first, second = (container_stats(payload) for payload in payloads)
        assert first.cpu_percent is None and second.cpu_percent is not None and second.cpu_percent > 10
        assert second.name == container.name and second.container_id == container.id
        assert second.memory_limit > 0 and second.pids >= 1
        # Stopping the container ends the stream (the engine would otherwise send zero payloads forever).
        ended = threading.Event()

        def drain():
            for _ in stream:
                pass
            ended.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        container.stop(timeout=0)
        assert ended.wait(30)
    finally:
        stream.close()


def test_one_shot_payload_and_cpu_from_our_previous_one(engine, docker_client, busybox_image, test_labels):
    container = run(docker_client, busybox_image, BUSY, test_labels)
    first = engine.stats_once(container.id)
    assert "system_cpu_usage" not in first["precpu_stats"]  # one-shot: the engine did not wait for a 2nd reading
    assert container_stats(first).cpu_percent is None
    second = engine.stats_once(container.id)
    while second["read"] == first["read"]:
        second = engine.stats_once(container.id)
    assert container_stats(second, previous=first).cpu_percent > 10


def test_collector_follows_running_containers(qtbot, endpoint, docker_client, busybox_image, test_labels):
    from gui.workers.monitor.container_stats import ContainerStatsCollector
    from gui.workers.session import EngineSession

    busy = run(docker_client, busybox_image, BUSY, test_labels)
    idle = run(docker_client, busybox_image, IDLE, test_labels)
    session = EngineSession(diagnose_fn=lambda: diagnose(endpoint))
    collector = ContainerStatsCollector(session, interval_ms=500)
    try:
        session.start()
        collector.start()

        def both_with_cpu() -> bool:
            latest = collector.latest
            return all(latest.get(c.id) is not None and latest[c.id].cpu_percent is not None for c in (busy, idle))

        qtbot.waitUntil(both_with_cpu, timeout=30_000)
        qtbot.waitUntil(
            lambda: collector.latest[busy.id].cpu_percent > collector.latest[idle.id].cpu_percent, timeout=30_000
        )
        assert collector.latest[busy.id].name == busy.name

        # A local engine's streams share one thread, not one each.
        assert collector.open_streams >= {busy.id, idle.id}
        assert len([t for t in threading.enumerate() if t.name == "stats streams"]) == 1

        idle.stop(timeout=0)
        qtbot.waitUntil(lambda: idle.id not in collector.latest, timeout=30_000)
        assert busy.id in collector.latest
        # The stopped container's stream is closed, the busy one's remains.
        qtbot.waitUntil(lambda: idle.id not in collector.open_streams, timeout=30_000)
        assert busy.id in collector.open_streams
    finally:
        collector.stop()
        session.stop()
    # Stopping waits for no thread (issue 15); the streams' thread ends by itself at once.
    qtbot.waitUntil(lambda: not [t for t in threading.enumerate() if t.name == "stats streams"], timeout=10_000)
    assert not [w for w in streams.live_workers() if w.name.startswith("stats")]


def test_first_sample_of_a_local_container_comes_from_the_kernel_then_the_engine_carries_on(
    qtbot, endpoint, docker_client, busybox_image, test_labels
):
    """A busy container's first CPU % and memory come from the kernel, a quarter of a second after its stream
    opens, not a round or two of the engine later (such a sample has no network totals: the kernel's cgroup files
    do not say them). The engine's payloads then follow on from it."""
    from gui.workers.monitor.container_stats import ContainerStatsCollector
    from gui.workers.session import EngineSession

    busy = run(docker_client, busybox_image, BUSY, test_labels)
    engine_limit = docker_client.api.stats(busy.id, stream=False)["memory_stats"]["limit"]
    session = EngineSession(diagnose_fn=lambda: diagnose(endpoint))
    collector = ContainerStatsCollector(session, interval_ms=500)
    samples = []
    collector.sampled.connect(lambda batch: busy.id in batch and samples.append(batch[busy.id]))
    try:
        session.start()
        collector.start()
        qtbot.waitUntil(
            lambda: any(sample.net_rx is not None and sample.cpu_percent is not None for sample in samples),
            timeout=30_000,
        )
        first = next(sample for sample in samples if sample.cpu_percent is not None)
        assert first.net_rx is None and first.net_rx_rate is None  # read from the kernel
        # A busy loop: clearly busy, not idle (on a loaded shared machine it may get well under a whole core).
        assert first.cpu_percent > 10
        assert first.memory_used > 0 and first.memory_limit == engine_limit
        assert first.pids == 1
        from_engine = next(sample for sample in samples[samples.index(first) :] if sample.net_rx is not None)
        assert from_engine.cpu_percent > 10
        qtbot.waitUntil(lambda: samples[-1].net_rx_rate is not None, timeout=30_000)  # rates from then on
    finally:
        collector.stop()
        session.stop()
