"""A scripted engine's Unix socket, for fakes that speak HTTP/1.1 by hand: UnixServer accepts connections and serves
each on a daemon thread of its own; each_request reads the request heads that arrive on one; json_answer writes an
answer the way the engine does. A fake subclasses UnixServer and says, in serve(), what to do with one connection.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

_ACCEPT_POLL_S = 0.05  # how often the accept loop looks whether close() was called


@dataclass(frozen=True)
class Request:
    """One request as it came: its request line and headers, its body (by Content-Length), and the bytes already
    received after it (what a fake that takes the connection over, as the engine hijacks it, must not lose)."""

    head: str
    body: bytes = b""
    after: bytes = b""

    @property
    def line(self) -> str:
        """`GET /v1.41/containers/ID/json?size=1 HTTP/1.1`"""
        return self.head.split("\r\n", 1)[0]

    @property
    def target(self) -> str:
        """`/v1.41/containers/ID/json?size=1`"""
        return self.line.split(" ")[1]

    @property
    def path(self) -> str:
        """`/v1.41/containers/ID/json`"""
        return self.target.split("?", 1)[0]


def each_request(connection: socket.socket) -> Iterator[Request]:
    """The requests a client sends on one kept-alive connection, each once it has arrived, until it hangs up."""
    received = b""
    while True:
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                return
            received += chunk
        head_bytes, _, received = received.partition(b"\r\n\r\n")
        head = head_bytes.decode("latin-1")
        length = next((int(line.split(":")[1]) for line in head.split("\r\n") if _is_length(line)), 0)
        while len(received) < length:
            chunk = connection.recv(4096)
            if not chunk:
                return
            received += chunk
        body, received = received[:length], received[length:]
        yield Request(head, body, received)


def _is_length(header: str) -> bool:
    return header.lower().startswith("content-length:")


def json_answer(document: object, status: str = "200 OK", headers: Mapping[str, str] | None = None) -> bytes:
    """An answer whose body is `document` as JSON; `headers` come before the body's own two."""
    body = json.dumps(document).encode()
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    head = f"HTTP/1.1 {status}\r\n{extra}Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class UnixServer:
    """Listens at `path` and hands every connection it accepts to serve() on a daemon thread of its own.

    A connection stays open after serve() returns unless serve() closed it: hang_up() closes every one still held,
    so whatever reads their other end sees the end; close() stops accepting, hangs up and removes the socket file.
    """

    def __init__(self, path: str | Path, backlog: int = 16, name: str = "unix server"):
        self.path = path  # as the fake's caller gave it: some hand it on as a str, some as a Path
        self._name = name
        self.accepted_count = 0  # connections accepted so far, held or not
        self._held: list[socket.socket] = []
        self._held_lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(os.fspath(path))
        self._listener.listen(backlog)
        self._listener.settimeout(_ACCEPT_POLL_S)  # accept() does not wake when another thread closes the socket
        self._accepting = threading.Thread(target=self._accept_loop, name=name, daemon=True)
        self._accepting.start()

    @property
    def host(self) -> str:
        """The engine address a client is given: DOCKER_HOST's form."""
        return f"unix://{self.path}"

    @property
    def held(self) -> int:
        """How many accepted connections are not hung up yet (serve() may have closed some of them)."""
        with self._held_lock:
            return len(self._held)

    def serve(self, connection: socket.socket) -> None:
        """What the fake does with one connection; an OSError (the client hung up, or close() did) just ends it."""
        raise NotImplementedError

    def hang_up(self) -> None:
        """Closes every connection still held: a reader blocked on one sees the end of it."""
        with self._held_lock:
            connections, self._held = self._held, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already, by serve() or by the client
            connection.close()

    def close(self) -> None:
        self._stopping.set()
        self._accepting.join(5)  # so no connection is accepted after the hang-up below
        self._listener.close()
        self.hang_up()
        Path(self.path).unlink(missing_ok=True)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.setblocking(True)  # serve() waits on it as long as it takes, whatever the listener's timeout
            with self._held_lock:
                self._held.append(connection)
                self.accepted_count += 1
            threading.Thread(
                target=self._serve_one, args=(connection,), name=f"{self._name} connection", daemon=True
            ).start()

    def _serve_one(self, connection: socket.socket) -> None:
        try:
            self.serve(connection)
        except OSError:
            pass  # nobody is left to answer
