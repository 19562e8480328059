"""A Unix-socket engine with one running container whose log is quiet, or an engine that says nothing at all.

Answers, over HTTP/1.1 with keep-alive as dockerd does: `GET /containers/ID/json` (an inspect payload with its
State.StartedAt), `GET /containers/ID/logs` and `GET /events` (the headers of an endless stream, then nothing: a
quiet container, a quiet engine). While `answering` is False it reads every request and answers none (a hung
engine); set it to True and the requests that come after are answered. close() hangs up every connection.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tests.fakes.unix_server import UnixServer, each_request, json_answer

CONTAINER_ID = "c0ffee" + "0" * 58
STARTED_AT = "2026-11-25T10:00:00.123456789Z"
_STREAM_HEADERS = (
    b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
_API_VERSION = {"Api-Version": "1.41"}


def inspect_payload() -> dict:
    return {
        "Id": CONTAINER_ID,
        "Name": "/quiet",
        "State": {"Status": "running", "Running": True, "StartedAt": STARTED_AT, "ExitCode": 0},
        "Config": {"Tty": False},
        "HostConfig": {"RestartPolicy": {"Name": "no"}},
    }


class QuietLogEngine(UnixServer):
    def __init__(self, path: Path, answering: bool = True):
        self.answering = answering
        self.requests: list[str] = []  # request lines, answered or not
        self._lock = threading.Lock()
        super().__init__(Path(path), name="quiet log engine")

    def asked(self, part: str) -> int:
        """How many requests so far had `part` in their request line."""
        with self._lock:
            return sum(part in line for line in self.requests)

    def serve(self, connection) -> None:
        for request in each_request(connection):
            with self._lock:
                self.requests.append(request.line)
            if not self.answering:
                continue  # read, never answered: the client waits
            path = request.path
            if path.endswith(f"/containers/{CONTAINER_ID}/json"):
                connection.sendall(json_answer(inspect_payload(), headers=_API_VERSION))
            elif path.endswith(f"/containers/{CONTAINER_ID}/logs") or path.endswith("/events"):
                connection.sendall(_STREAM_HEADERS)  # and then nothing, for as long as the client listens
            else:
                connection.sendall(json_answer({"message": f"no such thing: {path}"}, "404 Not Found", _API_VERSION))
