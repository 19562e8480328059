"""A Unix-socket engine with one running container whose log is quiet, or an engine that says nothing at all.

Answers, over HTTP/1.1 with keep-alive as dockerd does: `GET /containers/ID/json` (an inspect payload with its
State.StartedAt), `GET /containers/ID/logs` and `GET /events` (the headers of an endless stream, then nothing: a
quiet container, a quiet engine). While `answering` is False it reads every request and answers none (a hung
engine); set it to True and the requests that come after are answered. close() hangs up every connection.
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

CONTAINER_ID = "c0ffee" + "0" * 58
STARTED_AT = "2026-11-25T10:00:00.123456789Z"
_STREAM_HEADERS = (
    b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


def _json_answer(payload: dict, status: str = "200 OK") -> bytes:
    body = json.dumps(payload).encode()
    head = f"HTTP/1.1 {status}\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\n\r\n" + body


def inspect_payload() -> dict:
    return {
        "Id": CONTAINER_ID,
        "Name": "/quiet",
        "State": {"Status": "running", "Running": True, "StartedAt": STARTED_AT, "ExitCode": 0},
        "Config": {"Tty": False},
        "HostConfig": {"RestartPolicy": {"Name": "no"}},
    }


class QuietLogEngine:
    def __init__(self, path: Path, answering: bool = True):
        self.path = Path(path)
        self.answering = answering
        self.requests: list[str] = []  # request lines, answered or not
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.path))
        self._listener.listen(16)
        threading.Thread(target=self._serve, name="quiet log engine", daemon=True).start()

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    def asked(self, part: str) -> int:
        """How many requests so far had `part` in their request line."""
        with self._lock:
            return sum(part in line for line in self.requests)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        received = b""
        try:
            while True:
                while b"\r\n\r\n" not in received:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    received += chunk
                head, _, received = received.partition(b"\r\n\r\n")
                line = head.split(b"\r\n")[0].decode("latin-1")
                with self._lock:
                    self.requests.append(line)
                if not self.answering:
                    continue  # read, never answered: the client waits
                path = line.split(" ")[1].split("?")[0]
                if path.endswith(f"/containers/{CONTAINER_ID}/json"):
                    connection.sendall(_json_answer(inspect_payload()))
                elif path.endswith(f"/containers/{CONTAINER_ID}/logs") or path.endswith("/events"):
                    connection.sendall(_STREAM_HEADERS)  # and then nothing, for as long as the client listens
                else:
                    connection.sendall(_json_answer({"message": f"no such thing: {path}"}, "404 Not Found"))
        except OSError:
            return
