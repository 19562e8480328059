"""The lean GET client for an engine's Unix socket (gui.core.engine.local_json) against a scripted socket: answers
decoded, the engine's errors raised as docker-py raises them (so the user reads the same sentences), a connection
the engine closed between calls asked again, an engine gone said as gone."""

from __future__ import annotations

import gc
import socket
import tempfile
import threading
from pathlib import Path

import docker.errors
import pytest

from gui.core.engine.local_json import LocalJson
from gui.core.errors import EngineGone, NotFound, explain
from tests.fakes.unix_server import UnixServer, each_request, json_answer
from tests.polling import wait_for

ID = "ab" * 32
PATH = f"/containers/{ID}/json"


class ScriptedSocket(UnixServer):
    """A Unix socket answering each GET with the next of `answers` (status, body); after an answer with
    `close_after`, the connection is closed, as an engine drops an idle kept-alive connection."""

    def __init__(self, folder: Path, answers: list[tuple[int, dict]], close_after: set[int] = frozenset()):
        self.answers = list(answers)
        self.close_after = close_after
        self.requests: list[str] = []
        self.hung_up = 0  # connections whose client hung up
        super().__init__(str(folder / "engine.sock"))

    @property
    def connections(self) -> int:
        return self.accepted_count

    def serve(self, connection: socket.socket) -> None:
        with connection:
            for request in each_request(connection):
                self.requests.append(request.target)
                status, document = self.answers.pop(0)
                connection.sendall(json_answer(document, f"{status} X"))
                if len(self.requests) in self.close_after:
                    return
            self.hung_up += 1


@pytest.fixture
def folder():
    # A short folder of its own: a Unix socket's path may not pass 107 bytes, and tmp_path can be long.
    with tempfile.TemporaryDirectory(prefix="pslj-") as name:
        yield Path(name)


def test_an_inspect_is_the_engine_s_json_asked_at_the_api_version_over_one_kept_connection(folder):
    engine = ScriptedSocket(folder, [(200, {"Id": ID, "State": {"Pid": 7}}), (200, {"Id": ID, "State": {"Pid": 8}})])
    client = LocalJson(engine.path, "1.41")
    try:
        assert client.get(PATH)["State"]["Pid"] == 7
        assert client.get(PATH)["State"]["Pid"] == 8
    finally:
        client.close()
        engine.close()
    assert engine.requests == [f"/v1.41/containers/{ID}/json"] * 2
    assert engine.connections == 1


def test_a_connection_the_engine_closed_between_calls_is_asked_again_on_a_new_one(folder):
    engine = ScriptedSocket(folder, [(200, {"Id": "first"}), (200, {"Id": "second"})], close_after={1})
    client = LocalJson(engine.path, "1.41")
    try:
        assert client.get(PATH)["Id"] == "first"
        assert client.get(PATH)["Id"] == "second"
    finally:
        client.close()
        engine.close()
    assert engine.connections == 2


def test_a_container_gone_is_docker_py_s_not_found_and_reads_as_gone_to_the_user(folder):
    engine = ScriptedSocket(folder, [(404, {"message": f"No such container: {ID}"})])
    client = LocalJson(engine.path, "1.41")
    try:
        with pytest.raises(docker.errors.NotFound) as raised:
            client.get(PATH)
    finally:
        client.close()
        engine.close()
    assert raised.value.explanation == f"No such container: {ID}"
    error = explain(raised.value, "look up the container")
    assert isinstance(error, NotFound) and "no longer exists" in error.message


def test_an_engine_that_is_not_there_reads_as_stopped(folder):
    client = LocalJson(str(folder / "nothing.sock"), "1.41")
    with pytest.raises(ConnectionError) as raised:
        client.get(PATH)
    assert isinstance(explain(raised.value), EngineGone)


def test_each_thread_keeps_its_own_connection(folder):
    engine = ScriptedSocket(folder, [(200, {"Id": str(n)}) for n in range(4)])
    client = LocalJson(engine.path, "1.41")
    answers: list[str] = []
    try:
        threads = [threading.Thread(target=lambda: answers.append(client.get(PATH)["Id"])) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        answers.append(client.get(PATH)["Id"])
    finally:
        client.close()
        engine.close()
    assert sorted(answers) == ["0", "1", "2"]
    assert engine.connections == 3


def test_a_thread_s_connection_is_closed_when_the_thread_ends(folder):
    engine = ScriptedSocket(folder, [(200, {"Id": ID})])
    client = LocalJson(engine.path, "1.41")
    try:
        thread = threading.Thread(target=lambda: client.get(PATH))
        thread.start()
        thread.join(10)
        gc.collect()
        wait_for(lambda: engine.hung_up == 1)  # the engine saw the connection end: no socket left open
    finally:
        client.close()
        engine.close()
