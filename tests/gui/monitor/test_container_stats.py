"""ContainerStatsCollector on the real session with the fake engine, fed from recorded stats payloads."""

from __future__ import annotations

import pytest

from gui.core.engine import actions
from gui.core.engine.connection import EngineState
from gui.workers import streams
from gui.workers.monitor.container_stats import ContainerStatsCollector
from tests.fakes import fake_engine

WEB = fake_engine.container("web").id
TRAINER = fake_engine.container("trainer").id
OLD_JOB = fake_engine.container("old-job").id


@pytest.fixture
def collector(qtbot, session, engine):
    # The trainer is busy (a recorded `while :; do :; done`), web is idle (the fake's default payloads).
    engine.stats_payloads = {TRAINER: fake_engine.stats_payloads("v1-busy-stream.json")}
    collector = ContainerStatsCollector(session, interval_ms=50)
    yield collector
    collector.stop()


def started(qtbot, session, collector):
    session.start()
    collector.start()
    qtbot.waitUntil(lambda: {WEB, TRAINER} <= set(collector.latest), timeout=5000)
    return collector.latest


def test_samples_every_running_container_in_one_batch(qtbot, session, collector):
    batches = []
    collector.sampled.connect(batches.append)
    latest = started(qtbot, session, collector)
    assert set(latest) == {WEB, TRAINER}  # old-job is not running
    assert OLD_JOB not in latest
    trainer, web = latest[TRAINER], latest[WEB]
    assert trainer.name == "trainer" and web.name == "web"
    # The newest recorded payload, against its own precpu reading: (77342037664 - 76339695903) / 2e9 × 2 × 100.
    assert trainer.cpu_percent == pytest.approx((77342037664 - 76339695903) / 2_000_000_000 * 200)
    assert web.cpu_percent == 0.0
    assert trainer.memory_used == 331776
    # One signal carries every container: both arrived together in some batch, never one signal per container.
    assert any({WEB, TRAINER} <= set(batch) for batch in batches)


def test_a_second_payload_is_measured_against_the_first(qtbot, session, engine, collector):
    first, second = fake_engine.stats_payloads("v1-net-stream.json", engine._find("web"))
    engine.stats_payloads = {WEB: [first]}
    started(qtbot, session, collector)
    assert collector.latest[WEB].net_tx_rate is None
    engine.stats_streams[WEB][-1].push(second)
    qtbot.waitUntil(lambda: collector.latest[WEB].net_tx_rate is not None, timeout=5000)
    assert collector.latest[WEB].net_tx_rate == pytest.approx((882588 - 853748) / (58.707659363 - 57.704064254))


def test_a_stopped_container_leaves_latest_and_its_stream_ends(qtbot, session, engine, collector):
    started(qtbot, session, collector)
    stream = engine.stats_streams[TRAINER][-1]
    session.perform(actions.StopContainer("trainer"))
    qtbot.waitUntil(lambda: TRAINER not in collector.latest, timeout=5000)
    qtbot.waitUntil(lambda: stream.cancelled, timeout=5000)
    assert WEB in collector.latest


def test_a_die_event_drops_the_sample_at_once(qtbot, session, engine, collector):
    started(qtbot, session, collector)
    batches = []
    collector.sampled.connect(batches.append)
    engine.containers_by_id[TRAINER] = fake_engine.replace_row(engine.containers_by_id[TRAINER], state="exited")
    engine.emit_event({"Type": "container", "Action": "die", "id": TRAINER, "time": 1})
    qtbot.waitUntil(lambda: bool(batches) and TRAINER not in batches[-1], timeout=5000)
    assert TRAINER not in collector.latest


def test_a_stream_that_ends_by_itself_ends_quietly(qtbot, session, engine, collector):
    # The real stream ends when the container stops (before the die event arrives): no warning, no leftover worker.
    started(qtbot, session, collector)
    engine.stats_streams[TRAINER][-1].end()
    qtbot.waitUntil(lambda: TRAINER not in collector.latest, timeout=5000)
    qtbot.waitUntil(lambda: len([w for w in streams.live_workers() if w.name.startswith("stats")]) == 1, timeout=5000)


def test_a_container_that_starts_is_followed(qtbot, session, engine, collector):
    started(qtbot, session, collector)
    row = fake_engine.container("new-job")
    engine.add_container(row)
    engine.emit_event(
        {
            "Type": "container",
            "Action": "start",
            "id": row.id,
            "time": 1,
            "Actor": {"ID": row.id, "Attributes": {"name": "new-job"}},
        }
    )
    qtbot.waitUntil(lambda: row.id in collector.latest, timeout=5000)
    assert collector.latest[row.id].name == "new-job"


def test_collection_resumes_after_the_engine_comes_back(qtbot, session, engine, engine_state, collector):
    started(qtbot, session, collector)
    opened = len(engine.stats_streams[WEB])
    # The engine goes away: every stream ends, the session finds it gone, then connects again.
    engine_state.state = EngineState.NOT_RUNNING
    for opened_streams in engine.stats_streams.values():
        for stream in opened_streams:
            stream.end()
    engine.end_event_streams()
    qtbot.waitUntil(lambda: not collector.latest, timeout=5000)
    engine_state.state = EngineState.CONNECTED
    session.check()
    qtbot.waitUntil(
        lambda: len(engine.stats_streams[WEB]) > opened and {WEB, TRAINER} <= set(collector.latest), timeout=10_000
    )


def test_stop_ends_every_stream_and_is_safe_twice(qtbot, session, engine, collector):
    started(qtbot, session, collector)
    collector.stop()
    collector.stop()
    assert not [worker for worker in streams.live_workers() if worker.name.startswith("stats")]
    assert all(stream.cancelled for opened in engine.stats_streams.values() for stream in opened)
    assert collector.latest == {}


def test_set_interval_sets_when_the_next_batch_comes(qtbot, session, engine):
    first, second = fake_engine.stats_payloads("v1-net-stream.json", engine._find("web"))
    engine.stats_payloads = {WEB: [first]}
    # An hour between ticks: the first samples come from the first readings (they do not wait for a tick), and a
    # later payload waits for the next tick.
    collector = ContainerStatsCollector(session, interval_ms=3_600_000)
    try:
        started(qtbot, session, collector)
        engine.stats_streams[WEB][-1].push(second)
        collector.set_interval(100)
        qtbot.waitUntil(lambda: collector.latest[WEB].net_tx_rate is not None, timeout=5000)
        assert collector.interval_ms == 100
        collector.set_interval(10)  # nonsense is raised to the minimum
        assert collector.interval_ms == 50
    finally:
        collector.stop()


def test_fake_engine_one_shot_payloads(engine):
    assert engine.stats_once("web")["precpu_stats"]["cpu_usage"]["total_usage"] == 0
    assert engine.stats_once("old-job")["read"].startswith("0001-01-01")
