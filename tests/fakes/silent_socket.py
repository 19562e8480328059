"""A Unix socket that accepts connections and does not answer: a hung engine, or a dockerd still restoring its
containers (its socket takes connections before its API serves them).

Modes: "silent" never writes a byte; "stream" answers every request with the headers of an endless chunked
stream and then nothing (an event or log stream with nothing to say); "starting" answers 503 as an engine
that is not ready; "drop" reads the request and closes the connection without a word. `hang_up()` closes
every accepted connection, so whatever reads them sees the end.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

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


class SilentEngine:
    def __init__(self, path: Path, mode: str = "silent"):
        assert mode in ("silent", "stream", "starting", "drop")
        self.path = Path(path)
        self.mode = mode
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.path))
        self._listener.listen(64)
        self._listener.settimeout(0.05)  # the accept loop looks at `_stopping` this often
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._stopping = threading.Event()
        self.accepted = threading.Semaphore(0)  # released once per accepted connection
        self._thread = threading.Thread(target=self._serve, name="silent engine", daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def hang_up(self) -> None:
        """Closes every accepted connection: a reader blocked on one sees the end of it."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()
        self.hang_up()
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            if self.mode != "silent":
                threading.Thread(target=self._answer, args=(connection,), daemon=True).start()
            self.accepted.release()

    def _answer(self, connection: socket.socket) -> None:
        """Reads one request's head, then answers as the mode says; the connection stays open."""
        received = b""
        try:
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                received += chunk
            if self.mode == "drop":
                connection.close()
                return
            connection.sendall(_STREAM_HEADERS if self.mode == "stream" else _STARTING)
        except OSError:
            return
