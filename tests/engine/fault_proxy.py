"""A Unix-socket proxy in front of the real engine's socket, with a fault mode switchable at run time.

Point the app at `proxy.host` (a DOCKER_HOST value) and the engine behaves as the mode says:

- pass: every byte goes through unchanged;
- delay(N): each chunk the client sends is held N seconds before the engine gets it (a slow engine);
- stall: connections are accepted and requests read, but nothing reaches the engine and nothing comes back
  (an engine that hangs); what was held goes on once the mode changes back;
- drop(after_bytes=K): pass, then each connection is closed on both sides once K more bytes of the engine's
  answer went through it (a stream cut mid-way); drop_now() closes every open connection at once, whatever
  the mode (an engine killed mid-answer).

Plain Python threads, two per connection and one that accepts, all daemons; the number of connections is
bounded, and stop() closes every socket and waits a bounded time for the threads. No fixtures here
(tests/engine/conftest.py gives one), so it can be used from a benchmark or a debugger.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from pathlib import Path

MAX_CONNECTIONS = 256  # beyond this many at once, a new connection is closed at once
CHUNK_BYTES = 65536
ACCEPT_POLL_S = 0.1  # how often the accepting thread looks at the stop flag
MODES = ("pass", "delay", "stall", "drop")


class _Link:
    """One client connection and its own connection to the engine."""

    def __init__(self, client: socket.socket, engine: socket.socket, drop_budget: int | None):
        self.client = client
        self.engine = engine
        self.drop_budget = drop_budget  # engine bytes still let through before a drop; None: no drop due
        self.closed = threading.Event()
        self._pumps_left = 2
        self._lock = threading.Lock()

    def close(self) -> None:
        """Any thread: wakes both pumps (shutdown); the last pump to end releases the file descriptors."""
        self.closed.set()
        for sock in (self.client, self.engine):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def pump_ended(self) -> bool:
        """True for the last of the two pumps: it closes the sockets (never while the other may use them)."""
        with self._lock:
            self._pumps_left -= 1
            last = self._pumps_left == 0
        if last:
            self.closed.set()
            for sock in (self.client, self.engine):
                sock.close()
        return last


class FaultProxy:
    def __init__(self, upstream: str | os.PathLike, socket_path: str | os.PathLike):
        self.upstream = str(upstream)
        self.socket_path = Path(socket_path)
        self._mode = "pass"
        self._delay_s = 0.0
        self._drop_after: int | None = None
        self._changed = threading.Condition()  # guards the mode and the links; notified on every change
        self._links: set[_Link] = set()
        self._threads: set[threading.Thread] = set()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self.accepted = 0  # connections taken, in all
        self.refused = 0  # connections closed at once because MAX_CONNECTIONS were open

    @property
    def host(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def open_connections(self) -> int:
        with self._changed:
            return len(self._links)

    # Modes -----------------------------------------------------------------------------------------------

    def pass_through(self) -> None:
        self._set("pass")

    def delay(self, seconds: float) -> None:
        self._set("delay", delay_s=seconds)

    def stall(self) -> None:
        self._set("stall")

    def drop(self, after_bytes: int | None = None) -> None:
        """Pass, and cut each connection after `after_bytes` more bytes of the engine's answer (None: only at
        drop_now())."""
        self._set("drop", drop_after=after_bytes)

    def set_mode(self, mode: str, value: float | None = None) -> None:
        """By name: 'pass', 'delay' (value: seconds), 'stall' or 'drop' (value: bytes, or None)."""
        if mode == "pass":
            self.pass_through()
        elif mode == "delay":
            self.delay(float(value or 0))
        elif mode == "stall":
            self.stall()
        elif mode == "drop":
            self.drop(None if value is None else int(value))
        else:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")

    def drop_now(self) -> int:
        """Closes every open connection on both sides; returns how many."""
        with self._changed:
            links = list(self._links)
        for link in links:
            link.close()
        return len(links)

    def _set(self, mode: str, delay_s: float = 0.0, drop_after: int | None = None) -> None:
        with self._changed:
            self._mode, self._delay_s, self._drop_after = mode, delay_s, drop_after
            for link in self._links:
                link.drop_budget = drop_after if mode == "drop" else None
            self._changed.notify_all()

    # Life ------------------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_path))
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL_S)
        self._listener = listener
        self._spawn(self._accept, "fault proxy accept")
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Closes the listener and every connection, and waits (bounded) for the threads. Safe to call twice."""
        self._stopping.set()
        with self._changed:
            links = list(self._links)
            self._changed.notify_all()  # wakes pumps held by stall
        for link in links:
            link.close()
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join(timeout_s)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _spawn(self, target, name: str, *args) -> None:
        thread = threading.Thread(target=self._run, args=(target, *args), name=name, daemon=True)
        with self._changed:
            self._threads.add(thread)
        thread.start()

    def _run(self, target, *args) -> None:
        try:
            target(*args)
        finally:
            with self._changed:
                self._threads.discard(threading.current_thread())

    def _accept(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            client.settimeout(None)
            self.accepted += 1
            if self.open_connections >= MAX_CONNECTIONS:
                self.refused += 1
                client.close()
                continue
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                engine.connect(self.upstream)
            except OSError:
                engine.close()
                client.close()  # the engine itself is gone: the client sees its connection closed
                continue
            with self._changed:
                if self._stopping.is_set():
                    client.close()
                    engine.close()
                    return
                link = _Link(client, engine, self._drop_after if self._mode == "drop" else None)
                self._links.add(link)
            self._spawn(self._pump, "fault proxy to engine", link, True)
            self._spawn(self._pump, "fault proxy to client", link, False)

    # The two directions ----------------------------------------------------------------------------------

    def _pump(self, link: _Link, to_engine: bool) -> None:
        source, sink = (link.client, link.engine) if to_engine else (link.engine, link.client)
        try:
            while True:
                try:
                    data = source.recv(CHUNK_BYTES)
                except OSError:
                    break
                if not data:
                    with contextlib.suppress(OSError):
                        sink.shutdown(socket.SHUT_WR)  # pass the end of this direction on
                    break
                data = self._hold(link, data, to_engine)
                if data is None:
                    break
                try:
                    sink.sendall(data)
                except OSError:
                    link.close()
                    break
                if not to_engine and link.drop_budget == 0:
                    link.close()  # the engine's answer is cut here
                    break
        finally:
            if link.pump_ended():
                with self._changed:
                    self._links.discard(link)

    def _hold(self, link: _Link, data: bytes, to_engine: bool) -> bytes | None:
        """What of `data` goes on now, after the mode's wait; None when the link closed meanwhile."""
        with self._changed:
            while self._mode == "stall" and not link.closed.is_set() and not self._stopping.is_set():
                self._changed.wait(ACCEPT_POLL_S)  # a link closed by drop_now() notifies nobody: look again soon
            delay = self._delay_s if self._mode == "delay" and to_engine else 0.0
            if not to_engine and link.drop_budget is not None:
                data = data[: link.drop_budget]
                link.drop_budget -= len(data)
        if delay and link.closed.wait(delay):
            return None
        return None if link.closed.is_set() else data


def unix_socket_of(url: str) -> str | None:
    """The socket path of a unix:// DOCKER_HOST, or None for any other kind."""
    return url[len("unix://") :] if url.startswith("unix://") else None
