"""Every running container's stats stream from an engine on this computer, read on one thread.

Why one thread: the engine sends a round's payloads to all its stats streams at once, every second. With a
thread per stream (as the docker CLI does, and Portside did), 100 threads woke together and each parsed its
payload in Python, and the GUI thread waited behind them for the interpreter lock: stalls of 50 to 75 ms with
100 containers. A plain script shows the same: 100 threads each doing 0.5 ms of Python once a second delay a
5 ms sleeper by up to 53 ms; one thread doing all that work delays it by 5 ms. So one thread reads every socket
through a selector and parses one payload at a time, and the GUI thread waits at most one switch interval.

The protocol, by hand over the engine's Unix socket: `GET /vVERSION/containers/ID/stats?stream=1` over
HTTP/1.1, answered with a chunked body of JSON documents, one per line (the engine's encoder ends each with a
newline; gui.core.engine.http_stream reads it). Engines reached over TCP, TLS or SSH keep a thread per stream
(gui.workers.monitor.threaded_stats).
"""

from __future__ import annotations

import heapq
import itertools
import json
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from gui.core import log
from gui.core.engine.http_stream import HttpResponseReader, JsonLines
from gui.core.monitor.stats import is_stopped

logger = log.get("workers")

_CONNECT_TIMEOUT_S = 5.0
_RECEIVE_BYTES = 65536

# (context, payload) for each payload; (context, reason) once a stream ended by itself, reason None when it
# ended as expected (the container stopped). Both run on the streams' thread.
OnPayload = Callable[[Any, dict], None]
OnEnd = Callable[[Any, "str | None"], None]


class _Stream:
    def __init__(self, container_id: str, context: Any, sock: socket.socket):
        self.container_id = container_id
        self.context = context
        self.socket = sock
        self.response = HttpResponseReader()
        self.lines = JsonLines()
        self.refusal = bytearray()


class StatsStreams:
    """Stats streams of many containers on one thread. open/close/call_later/stop from any thread; the
    callbacks run on the streams' thread."""

    def __init__(
        self, socket_path: str, api_version: str, on_payload: OnPayload, on_end: OnEnd, name: str = "stats streams"
    ):
        self._socket_path = socket_path
        self._api_version = api_version
        self._on_payload = on_payload
        self._on_end = on_end
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        self._lock = threading.Lock()
        self._requests: list[tuple] = []  # ("open", id, context) / ("close", id), under the lock
        self._timers: list[tuple] = []  # (due, sequence, fn), a heap, under the lock
        self._sequence = itertools.count()
        self._streams: dict[str, _Stream] = {}  # the streams' thread only
        self._open_ids: frozenset[str] = frozenset()  # a copy for other threads
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # Any thread ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def open(self, container_id: str, context: Any) -> None:
        self._request(("open", container_id, context))

    def close(self, container_id: str) -> None:
        """Ends a container's stream; no on_end follows."""
        self._request(("close", container_id))

    def call_later(self, seconds: float, fn: Callable[[], None]) -> None:
        """Runs fn on the streams' thread after `seconds` (file reads that belong with the streams)."""
        with self._lock:
            heapq.heappush(self._timers, (time.monotonic() + seconds, next(self._sequence), fn))
        self._wake()

    def stop(self) -> None:
        """Ends every stream (no on_end) and the thread, without waiting for it (issue 15: this runs on the GUI
        thread). Woken, the thread closes every socket and ends; one still busy (a connect to an engine that takes
        no connection, a callback) is left to end by itself once that returns: a daemon thread, it never holds up
        quitting. Safe to call twice, from any thread."""
        self._stopping.set()
        self._wake()

    def wait(self, timeout_s: float = 5.0) -> bool:
        """Blocks until the thread is gone; True when it is. Tests only: the app never waits for it."""
        if self._thread.ident is not None and threading.current_thread() is not self._thread:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def open_streams(self) -> frozenset[str]:
        """The containers whose streams are open now."""
        return self._open_ids

    def _request(self, request: tuple) -> None:
        with self._lock:
            self._requests.append(request)
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_writer.send(b"x")
        except (BlockingIOError, OSError):  # already woken (buffer full) or stopped
            pass

    # The streams' thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._handle_requests()
                for key, _events in self._selector.select(self._seconds_to_next_timer()):
                    if key.fileobj is self._wake_reader:
                        self._drain_wake()
                    else:
                        self._read(key.data)
                self._run_due_timers()
        finally:
            for stream in list(self._streams.values()):
                self._forget(stream)
            self._selector.close()
            self._wake_reader.close()
            self._wake_writer.close()

    def _handle_requests(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, []
        for request in requests:
            if request[0] == "open":
                self._open(request[1], request[2])
            else:
                stream = self._streams.get(request[1])
                if stream is not None:
                    self._forget(stream)

    def _open(self, container_id: str, context: Any) -> None:
        if container_id in self._streams:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(_CONNECT_TIMEOUT_S)
            sock.connect(self._socket_path)
            sock.sendall(self._request_bytes(container_id))
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            self._call(self._on_end, context, f"Could not reach the engine for stats: {exc.strerror or exc}.")
            return
        stream = _Stream(container_id, context, sock)
        self._streams[container_id] = stream
        self._open_ids = frozenset(self._streams)
        self._selector.register(sock, selectors.EVENT_READ, stream)

    def _request_bytes(self, container_id: str) -> bytes:
        if not container_id.isalnum():  # an id or a name; never a path
            raise OSError(f"not a container id: {container_id!r}")
        return (
            f"GET /v{self._api_version}/containers/{container_id}/stats?stream=1 HTTP/1.1\r\n"
            "Host: docker\r\nUser-Agent: Portside\r\nAccept: application/json\r\n\r\n"
        ).encode("ascii")

    def _read(self, stream: _Stream) -> None:
        try:
            data = stream.socket.recv(_RECEIVE_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._end(stream, f"The engine's stats connection failed: {exc.strerror or exc}.")
            return
        if not data:
            self._end(stream, None if stream.response.status == 200 else self._refusal(stream))
            return
        try:
            body = stream.response.feed(data)
            if stream.response.status != 200:
                stream.refusal += body  # the engine's reason, as JSON
                if stream.response.finished:
                    self._end(stream, self._refusal(stream))
                return
            for payload in stream.lines.feed(body):
                if is_stopped(payload):
                    self._end(stream, None)
                    return
                self._call(self._on_payload, stream.context, payload)
        except ValueError as exc:
            self._end(stream, f"The engine sent stats Portside could not read ({exc}).")
            return
        if stream.response.finished:
            self._end(stream, None)

    @staticmethod
    def _refusal(stream: _Stream) -> str:
        if stream.response.status is None:
            return "The engine closed the stats connection without answering."
        text = bytes(stream.refusal).decode("utf-8", "replace").strip()
        try:
            text = str(json.loads(text).get("message") or text)
        except (ValueError, AttributeError):
            pass
        return f"The engine refused stats ({stream.response.status}): {text or 'no reason given'}"

    def _end(self, stream: _Stream, reason: str | None) -> None:
        self._forget(stream)
        self._call(self._on_end, stream.context, reason)

    def _forget(self, stream: _Stream) -> None:
        if self._streams.get(stream.container_id) is stream:
            del self._streams[stream.container_id]
            self._open_ids = frozenset(self._streams)
        try:
            self._selector.unregister(stream.socket)
        except (KeyError, ValueError):
            pass
        stream.socket.close()

    def _drain_wake(self) -> None:
        try:
            while self._wake_reader.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def _seconds_to_next_timer(self) -> float | None:
        with self._lock:
            if not self._timers:
                return None
            return max(0.0, self._timers[0][0] - time.monotonic())

    def _run_due_timers(self) -> None:
        now = time.monotonic()
        due = []
        with self._lock:
            while self._timers and self._timers[0][0] <= now:
                due.append(heapq.heappop(self._timers)[2])
        for fn in due:
            self._call(fn)

    @staticmethod
    def _call(fn: Callable, *args) -> None:
        """A callback's mistake is logged and the other streams go on."""
        try:
            fn(*args)
        except Exception:
            logger.exception("a stats stream callback failed")
