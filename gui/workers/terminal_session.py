"""One terminal in a container: a `docker exec -it` session's output to the GUI thread in slices, keystrokes and
resizes back to it.

Two threads of its own, neither touching a Qt object: the reader finds the shell, opens the session and reads until
it ends; the writer sends keystrokes, pastes and resizes in the order typed. The GUI thread drains what was read on a
timer, for at most DRAIN_BUDGET_S a turn, so a program printing as fast as it can leaves the window responsive. While
PENDING_LIMIT bytes wait, the reader stops reading: the program then waits for the window, as in any terminal, and
memory stays bounded (nothing is dropped, which would garble the screen).
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.errors import explain
from gui.workers.priority import give_way_to_gui_thread

if TYPE_CHECKING:
    from gui.core.engine.client import Engine
    from gui.core.engine.exec_terminal import ExecTerminal
    from gui.workers.session import EngineSession

logger = log.get("terminal")

# Output is handed to the screen in pieces for at most DRAIN_BUDGET_S a turn of the GUI thread: the emulator
# (pyte, pure Python) reads some 700 KB a second here, so a fixed 64 KiB a turn held the window for 100 ms
# (bench_terminal: the longest stall while `seq 1 100000` prints, 117 ms then, 27 to 40 ms now).
PIECE = 1024  # some 1.5 ms of the emulator's work
DRAIN_BUDGET_S = 0.008
PENDING_LIMIT = 1024 * 1024  # bytes read and not yet shown, at most
DRAIN_MS = 15

NO_SHELL = (
    "This container has no shell Portside knows (bash or sh): its image may be built FROM scratch. "
    "Type a program it has in the Command box, or add a shell to its image to work in it."
)


def ending_sentence(exit_code: int | None) -> str:
    if exit_code is None:
        return "The session ended: the container stopped, or the engine closed the connection."
    return f"The session ended (exit code {exit_code}). Press Enter to open a new one."


class _Link:
    """What the reader, the writer and the GUI thread share: plain Python, so a thread left running after the
    window closed never touches an object that is gone."""

    def __init__(self):
        self.lock = threading.Condition()
        self.pending = bytearray()
        self.terminal: ExecTerminal | None = None
        self.command: list[str] | None = None
        self.failure: str | None = None  # a sentence: it could not open
        self.ended = False  # the reader is done: everything it read is in `pending`
        self.exit_code: int | None = None
        self.closed = threading.Event()  # the window let go
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()  # bytes to send, or (rows, columns) to resize to

    def put(self, data: bytes) -> bool:
        """Reader: queues output, waiting while too much is unshown. False once the window let go."""
        with self.lock:
            while len(self.pending) >= PENDING_LIMIT and not self.closed.is_set():
                self.lock.wait(0.5)
            self.pending += data
        return not self.closed.is_set()

    def take(self, most: int) -> bytes:
        """GUI thread: up to `most` bytes of output, waking a reader that waits for room."""
        with self.lock:
            data = bytes(self.pending[:most])
            del self.pending[:most]
            self.lock.notify_all()
        return data

    def close(self) -> None:
        self.closed.set()
        self.inbox.put(None)
        with self.lock:
            self.lock.notify_all()
            terminal = self.terminal
        if terminal is not None:
            terminal.close()  # a read blocked on its socket returns at once


def _read(link: _Link, engine: Engine, container_id: str, command: list[str] | None, rows: int, columns: int):
    give_way_to_gui_thread()
    try:
        if command is None:
            shell = engine.find_shell(container_id)
            if shell is None:
                link.failure = NO_SHELL
                return
            command = [shell]
        link.command = command
        terminal = engine.open_terminal(container_id, command, rows, columns)
        with link.lock:
            link.terminal = terminal
        if link.closed.is_set():
            terminal.close()
            return
        threading.Thread(target=_write, args=(link, terminal), name="portside terminal input", daemon=True).start()
        while data := terminal.read():
            if not link.put(data):
                return
        link.exit_code = terminal.exit_code()
    except Exception as exc:
        if not link.closed.is_set():
            error = explain(exc, "open a terminal")
            link.failure = error.message if link.terminal is None else None
            logger.info("terminal in %s: %s", container_id[:12], error.message)
    finally:
        with link.lock:
            link.ended = True
            terminal = link.terminal
        if terminal is not None:
            terminal.close()
        link.inbox.put(None)


def _write(link: _Link, terminal: ExecTerminal) -> None:
    while (item := link.inbox.get()) is not None and not link.closed.is_set():
        try:
            if isinstance(item, bytes):
                terminal.write(item)
            else:
                terminal.resize(*item)
        except Exception as exc:  # the session ended meanwhile: the reader says so
            logger.debug("terminal input: %s", exc)
            return


class TerminalSession(QObject):
    """A terminal's link to its exec session. `start` once; `write` and `resize` any time (queued until it opened);
    `close` never waits."""

    opened = Signal(str)  # the command that runs, as the CLI twin shows it
    received = Signal(bytes)  # output, in order
    ended = Signal(str)  # a sentence: how the session ended
    failed = Signal(str)  # a sentence: why it could not open, and what to do

    def __init__(self, session: EngineSession, container_id: str, parent: QObject | None = None):
        super().__init__(parent)
        self._session = session
        self.container_id = container_id
        self._link: _Link | None = None
        self._announced = False
        self._timer = QTimer(self, interval=DRAIN_MS, timeout=self._drain)

    @property
    def running(self) -> bool:
        return self._link is not None and not self._link.closed.is_set()

    @property
    def command(self) -> list[str] | None:
        return None if self._link is None else self._link.command

    def start(self, rows: int, columns: int, command: list[str] | None = None) -> None:
        """Opens the session: `command`, or the container's shell when None."""
        self.close()
        engine = self._session.engine
        if engine is None:
            self.failed.emit("Portside is not connected to the engine. Start Docker, then open the terminal again.")
            return
        link = self._link = _Link()
        self._announced = False
        threading.Thread(
            target=_read,
            args=(link, engine, self.container_id, command, rows, columns),
            name="portside terminal",
            daemon=True,
        ).start()
        self._timer.start()

    def write(self, data: bytes) -> None:
        if self.running and data:
            self._link.inbox.put(data)

    def resize(self, rows: int, columns: int) -> None:
        if self.running:
            self._link.inbox.put((rows, columns))

    def close(self) -> None:
        """Ends the session without waiting (closing its socket ends the exec's input: the shell exits)."""
        self._timer.stop()
        if self._link is not None:
            self._link.close()
            self._link = None

    def _drain(self) -> None:
        link = self._link
        if link is None:
            return
        if not self._announced and link.command is not None and link.terminal is not None:
            self._announced = True
            self.opened.emit(" ".join(link.command))
        deadline = time.perf_counter() + DRAIN_BUDGET_S
        while data := link.take(PIECE):
            self.received.emit(data)
            if self._link is not link:  # closed while the output was shown
                return
            if time.perf_counter() >= deadline:
                return  # the rest next turn: typing and painting come first
        with link.lock:
            finished = link.ended and not link.pending
        if finished:
            self._timer.stop()
            self._link = None
            link.close()
            if link.failure is not None:
                self.failed.emit(link.failure)
            else:
                self.ended.emit(ending_sentence(link.exit_code))
