"""A snapshot of the lists on this computer's socket (gui.core.engine.client.Engine.snapshot) against a scripted
socket: the containers and the images are asked side by side on two connections, their rows joined (an image counts
the containers made from it), and either list's error reaches the caller as the engine's own."""

from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path

import docker.errors
import pytest

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from tests.fakes.unix_server import UnixServer, each_request, json_answer

IMAGE = "sha256:" + "c" * 64
CONTAINER = {"Id": "a" * 64, "Names": ["/web"], "Image": "app:1.0", "ImageID": IMAGE, "State": "running"}
IMAGE_ROW = {"Id": IMAGE, "RepoTags": ["app:1.0"], "Created": 1, "Size": 1000}


class ListsSocket(UnixServer):
    """Answers GET /containers/json and /images/json; with `together`, neither answer is sent before both were
    asked (an engine that only answers a snapshot asked side by side)."""

    def __init__(self, folder: Path, images_status: str = "200 OK", together: bool = False):
        self.images_status = images_status
        self.asked: list[str] = []
        self._both_asked = threading.Barrier(2) if together else None
        super().__init__(str(folder / "engine.sock"))

    def serve(self, connection: socket.socket) -> None:
        with connection:
            for request in each_request(connection):
                self.asked.append(request.path)
                if self._both_asked is not None:
                    self._both_asked.wait(timeout=10)
                if request.path.endswith("/containers/json"):
                    connection.sendall(json_answer([CONTAINER]))
                elif self.images_status.startswith("200"):
                    connection.sendall(json_answer([IMAGE_ROW]))
                else:
                    connection.sendall(json_answer({"message": "images are being pruned"}, self.images_status))


@pytest.fixture
def folder():
    with tempfile.TemporaryDirectory(prefix="pssn-") as name:  # a socket's path may not pass 107 bytes
        yield Path(name)


def engine_on(server: ListsSocket) -> Engine:
    return Engine(Endpoint(server.host, "default"), "1.41")


def test_a_snapshot_asks_both_lists_side_by_side_and_joins_their_rows(folder):
    server = ListsSocket(folder, together=True)  # one list asked after the other would wait here for 10 s
    engine = engine_on(server)
    try:
        snapshot = engine.snapshot()
    finally:
        engine.close()
        server.close()
    assert [row.name for row in snapshot.containers] == ["web"]
    assert [(row.id, row.used_by) for row in snapshot.images] == [(IMAGE, 1)]
    assert sorted(server.asked) == ["/v1.41/containers/json", "/v1.41/images/json"]
    assert server.accepted_count == 2


def test_the_images_list_s_error_reaches_the_caller_as_the_engine_s_own(folder):
    server = ListsSocket(folder, images_status="500 Internal Server Error")
    engine = engine_on(server)
    try:
        with pytest.raises(docker.errors.APIError, match="images are being pruned"):
            engine.snapshot()
    finally:
        engine.close()
        server.close()
