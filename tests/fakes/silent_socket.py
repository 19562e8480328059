"""A Unix socket that accepts connections and does not answer: a hung engine, or a dockerd still restoring its
containers (its socket takes connections before its API serves them).

Modes: "silent" never writes a byte; "stream" answers every request with the headers of an endless chunked
stream and then nothing (an event or log stream with nothing to say); "starting" answers 503 as an engine
that is not ready; "drop" reads the request and closes the connection without a word. `hang_up()` closes
every accepted connection, so whatever reads them sees the end.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tests.fakes.unix_server import UnixServer, each_request

_STREAM_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.46\r\nTransfer-Encoding: chunked\r\n\r\n"
)
_STARTING_BODY = b'{"message":"the engine is starting"}'
_STARTING = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(_STARTING_BODY)).encode()
    + b"\r\n\r\n"
    + _STARTING_BODY
)


class SilentEngine(UnixServer):
    def __init__(self, path: Path, mode: str = "silent"):
        assert mode in ("silent", "stream", "starting", "drop")
        self.mode = mode
        self.accepted = threading.Semaphore(0)  # released once per accepted connection
        super().__init__(Path(path), backlog=64, name="silent engine")

    @property
    def connections(self) -> int:
        return self.held

    def serve(self, connection) -> None:
        """Reads one request's head (unless silent), then answers as the mode says; the connection stays open."""
        self.accepted.release()
        if self.mode == "silent" or next(each_request(connection), None) is None:
            return
        if self.mode == "drop":
            connection.close()
            return
        connection.sendall(_STREAM_HEADERS if self.mode == "stream" else _STARTING)
