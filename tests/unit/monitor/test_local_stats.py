"""Many stats streams on one thread (gui.workers.monitor.local_stats), against a scripted engine on a Unix socket."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from gui.workers.monitor.local_stats import StatsStreams
from tests.fakes.http_answers import chunked
from tests.fakes.silent_socket import SilentEngine
from tests.fakes.unix_server import UnixServer, each_request
from tests.polling import wait_for

RUNNING = {"read": "2026-12-03T07:00:00.1Z", "cpu_stats": {"cpu_usage": {"total_usage": 5}}}
STOPPED = {"read": "0001-01-01T00:00:00Z"}
ID_A = "a" * 64
ID_B = "b" * 64
# A blocked call ends when the test says so, or by itself after this long: below the 5 s the old stop() waited for
# the thread, so a stop that waits returns only after the thread ended, and one that does not, while it is blocked.
FALLBACK_S = 4.0


class ScriptedEngine(UnixServer):
    """Accepts connections on a Unix socket; answers each stats request with what `answers` says for its id."""

    def __init__(self, path):
        self.answers: dict[str, bytes] = {}
        self.keep_open = True
        self.requests: list[str] = []
        self.closed_by_client: list[str] = []
        super().__init__(str(path))

    def serve(self, connection):
        with connection:
            request = next(each_request(connection), None)
            if request is None:
                return
            self.requests.append(request.line)
            container_id = request.line.split("/containers/")[1].split("/")[0]
            connection.sendall(self.answers.get(container_id, b""))
            if self.keep_open and connection.recv(1) == b"":  # blocks until Portside hangs up
                self.closed_by_client.append(container_id)


@pytest.fixture
def engine(tmp_path):
    scripted = ScriptedEngine(tmp_path / "docker.sock")
    yield scripted
    scripted.close()


@pytest.fixture
def streams(engine):
    got: list[tuple] = []
    ended: list[tuple] = []
    reader = StatsStreams(
        engine.path,
        "1.41",
        lambda context, payload: got.append((context, payload)),
        lambda context, reason: ended.append((context, reason)),
    )
    reader.got, reader.ended = got, ended
    reader.start()
    yield reader
    reader.stop()
    assert reader.wait(10), "the streams' thread did not end"


def test_payloads_arrive_per_container_over_one_thread(engine, streams):
    engine.answers = {ID_A: chunked(RUNNING, RUNNING), ID_B: chunked(RUNNING)}
    streams.open(ID_A, "a")
    streams.open(ID_B, "b")
    wait_for(lambda: len(streams.got) == 3)
    assert sorted(context for context, _ in streams.got) == ["a", "a", "b"]
    assert streams.got[0][1] == RUNNING
    assert sorted(engine.requests) == [
        f"GET /v1.41/containers/{ID_A}/stats?stream=1 HTTP/1.1",
        f"GET /v1.41/containers/{ID_B}/stats?stream=1 HTTP/1.1",
    ]
    assert streams.open_streams == {ID_A, ID_B}
    assert streams.ended == []
    assert len([t for t in threading.enumerate() if t.name == "stats streams"]) == 1


def test_a_stopped_container_ends_its_stream_quietly(engine, streams):
    engine.answers = {ID_A: chunked(RUNNING, STOPPED, RUNNING)}
    streams.open(ID_A, "a")
    wait_for(lambda: streams.ended)
    assert streams.ended == [("a", None)]
    assert len(streams.got) == 1  # nothing after the stopped payload
    wait_for(lambda: engine.closed_by_client == [ID_A])  # and the connection is hung up
    assert streams.open_streams == frozenset()


def test_a_refusal_ends_the_stream_with_the_engines_reason(engine, streams):
    body = json.dumps({"message": f"No such container: {ID_A}"}).encode()
    engine.answers = {
        ID_A: b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    }
    streams.open(ID_A, "a")
    wait_for(lambda: streams.ended)
    assert streams.ended == [("a", f"The engine refused stats (404): No such container: {ID_A}")]


def test_the_engine_going_away_ends_every_stream(engine, streams):
    engine.keep_open = False
    engine.answers = {ID_A: chunked(RUNNING)}
    streams.open(ID_A, "a")
    wait_for(lambda: streams.ended)
    assert streams.ended == [("a", None)] and len(streams.got) == 1


def test_an_engine_that_hangs_up_without_answering_says_so(engine, streams):
    engine.keep_open = False
    engine.answers = {ID_A: b""}
    streams.open(ID_A, "a")
    wait_for(lambda: streams.ended)
    assert streams.ended == [("a", "The engine closed the stats connection without answering.")]


def test_no_engine_at_the_socket_says_so(tmp_path):
    ended = []
    reader = StatsStreams(
        str(tmp_path / "missing.sock"), "1.41", lambda *_: None, lambda context, reason: ended.append((context, reason))
    )
    reader.start()
    reader.open(ID_A, "a")
    wait_for(lambda: ended)
    reader.stop()
    assert reader.wait(10)
    assert ended[0][0] == "a" and ended[0][1].startswith("Could not reach the engine for stats")


def test_closing_a_stream_hangs_up_without_an_end_report(engine, streams):
    engine.answers = {ID_A: chunked(RUNNING)}
    streams.open(ID_A, "a")
    wait_for(lambda: streams.got)
    streams.close(ID_A)
    wait_for(lambda: engine.closed_by_client == [ID_A])
    assert streams.ended == [] and streams.open_streams == frozenset()


def test_stop_hangs_up_everything_and_ends_the_thread(engine, streams):
    engine.answers = {ID_A: chunked(RUNNING), ID_B: chunked(RUNNING)}
    streams.open(ID_A, "a")
    streams.open(ID_B, "b")
    wait_for(lambda: len(streams.got) == 2)
    streams.stop()
    wait_for(lambda: not streams.running)
    wait_for(lambda: sorted(engine.closed_by_client) == [ID_A, ID_B])
    assert streams.ended == []


def test_stop_returns_while_the_streams_thread_is_blocked_on_a_silent_socket(tmp_path):
    """stop() runs on the GUI thread (the Monitor, a window closing, quitting): it never waits for the streams'
    thread, even one stuck on an engine that says nothing; that thread ends by itself once the engine hangs up."""
    silent = SilentEngine(tmp_path / "silent.sock")
    reader = StatsStreams(str(tmp_path / "engine.sock"), "1.41", lambda *_: None, lambda *_: None)
    asked, returned = threading.Event(), threading.Event()

    def ask_the_silent_engine():  # as a stream's first reading from a hung engine would
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(60)  # a safety net only: the engine hangs up first
            sock.connect(str(silent.path))
            asked.set()
            sock.recv(1)  # nothing comes until the engine hangs up

    try:
        reader.start()
        reader.call_later(0, ask_the_silent_engine)
        assert asked.wait(10) and silent.accepted.acquire(timeout=10)
        # The engine hangs up once the test is back from stop(), or after FALLBACK_S, whichever comes first.
        threading.Thread(target=lambda: (returned.wait(FALLBACK_S), silent.hang_up()), daemon=True).start()
        reader.stop()
        stopped_while_blocked = reader.running
        returned.set()
        assert stopped_while_blocked, "stop() waited for the blocked thread"
        wait_for(lambda: not reader.running)  # it ends by itself once the engine hangs up
    finally:
        silent.close()


def test_later_calls_run_on_the_streams_thread_in_order(streams):
    ran = []
    streams.call_later(0.05, lambda: ran.append(("second", threading.current_thread().name)))
    streams.call_later(0, lambda: ran.append(("first", threading.current_thread().name)))
    wait_for(lambda: len(ran) == 2)
    assert ran == [("first", "stats streams"), ("second", "stats streams")]


def test_a_failing_callback_does_not_stop_the_other_streams(engine, expect_log_warnings):
    got = []

    def on_payload(context, payload):
        if context == "a":
            raise RuntimeError("a bug in a callback")
        got.append(context)

    engine.answers = {ID_A: chunked(RUNNING), ID_B: chunked(RUNNING, RUNNING)}
    reader = StatsStreams(engine.path, "1.41", on_payload, lambda *_: None)
    reader.start()
    reader.open(ID_A, "a")
    reader.open(ID_B, "b")
    wait_for(lambda: got == ["b", "b"])
    reader.stop()
    assert reader.wait(10)
