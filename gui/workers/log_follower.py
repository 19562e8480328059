"""Follows one container's log, and keeps following it when the engine or the container restarts (issue 15).

A log stream that ends is not the end of the log: the follower asks the engine about the container (off the GUI
thread) and tells "the container ended" (its state and exit code) from "the engine connection dropped" (a running
container whose run began when the stream's did). It follows again when the engine is back or the container starts
again, from the last timestamp shown (`docker logs --since`), dropping the lines shown already: none is shown
twice. An engine that does not answer the request at all (gui.core.engine.client.STREAM_ANSWER_TIMEOUT_S) is said
so, and asked again.

The stream always carries docker's timestamps (that is how the follower knows where it left off); they are
taken off the lines unless the user asked to see them.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.engine.log_resume import STARTED_AGAIN, LogEnd, LogPosition, ResumeFilter, log_end
from gui.core.engine.logtext import LineAssembler
from gui.core.errors import EngineError, EngineGone, EngineNotAnswering, NotFound
from gui.workers.streams import StreamWorker

if TYPE_CHECKING:
    from gui.workers.session import EngineSession

logger = log.get("workers")

DROPPED = "Lost the engine; reconnecting…"
FOLLOWING = "Following…"
ENGINE_BACK = "The engine is back; following the log again."
NOT_ANSWERING = (
    "The engine is not answering; Portside asks again every few seconds. If this goes on, check that Docker is "
    "healthy (run docker info in a terminal)."
)
REMOVED = "The container was removed; the log above is all there is."
# The most lines handed to the view at a time: a container printing as fast as it can is shown in slices of a few
# milliseconds each, a batch per turn of the event loop, with the window's own events handled between them.
LINES_PER_BATCH = 2000
CHECK_EVERY_MS = 2000  # while the engine is away or silent, or the container restarting: look again this often
QUICK_RESUME_MS = 250  # a stream that ended on a running container (it restarted at once)
MAX_RESUME_DELAY_MS = 8000

_START_ACTIONS = ("start", "restart", "unpause")


def _open_stream(engine, container_id: str, tail: int | str, since: int | None):
    # `since` only when resuming: the first stream is the plain `docker logs --follow --tail N`.
    extra = {"since": since} if since is not None else {}
    return engine.logs(container_id, timestamps=True, tail=tail, **extra)


class _Opened:
    """What the reader thread learnt as the stream opened: when the container's run began (a LogStream's
    started_at). Read by the GUI thread once the stream ended."""

    started_at: str | None = None


def _opener(engine, container_id: str, tail: int | str, since: int | None, opened: _Opened):
    def open_stream():
        stream = _open_stream(engine, container_id, tail, since)
        opened.started_at = getattr(stream, "started_at", None)
        return stream

    return open_stream


class _Unfinished(NamedTuple):
    """The last line when the stream ended before its newline: cut off by a dropped connection, or a container's
    last words without one. Shown only once the container is known to have ended; a resumed stream brings it
    whole."""

    timestamp: str | None
    text: str


def _reader_side(resume: ResumeFilter):
    """The reader thread's transform and finish: bytes to (timestamp, text) lines not shown before."""
    assembler = LineAssembler()

    def keep(lines: list[str]) -> list[tuple[str | None, str]]:
        return [item for item in map(resume.keep, lines) if item is not None]

    def finish() -> list[_Unfinished]:
        return [_Unfinished(*item) for item in keep(assembler.flush())]

    return (lambda chunk: keep(assembler.feed(chunk))), finish


def _advance(position: LogPosition, stamps: tuple[str | None, ...]) -> None:
    """Moves `position` past a batch of lines, as advancing it line by line would, but reading only the newest
    timestamp: docker's timestamps (RFC 3339, nine digits, UTC) sort as text when they are all alike."""
    known = [stamp for stamp in stamps if stamp]
    if not known:
        return
    if len(set(map(len, known))) == 1 and "".join(known).count("Z") == len(known):  # one "Z" each: at its end
        newest = max(known)
        for _ in range(known.count(newest)):
            position.advance(newest)
    else:  # mixed forms (an offset instead of Z, digits trimmed): each in turn
        for stamp in known:
            position.advance(stamp)


class LogFollower(QObject):
    """The log of one container, as lines for a view, and what the stream is doing, as a sentence."""

    lines = Signal(object)  # a list of lines to append (text, with docker's timestamp in front when asked for)
    status = Signal(str)  # the status line: following, the engine dropped, the container ended…
    commandChanged = Signal(str)  # the `docker logs` command the shown log equals

    def __init__(
        self,
        session: EngineSession,
        container_id: str,
        container_name: str,
        tail: int = 1000,
        max_pending: int = 100_000,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.session = session
        self.container_id = container_id
        self.container_name = container_name
        self.tail = tail
        self.max_pending = max_pending
        self.timestamps = False
        self.position = LogPosition()
        self.state = "idle"  # following | dropped | silent | waiting | ended | idle
        self.command = ""
        self._worker: StreamWorker | None = None
        self._generation = 0  # answers about an older stream are dropped
        self._quick_resumes = 0
        self._started_at: str | None = None  # the container's StartedAt when the last stream began
        self._reopen_status = STARTED_AGAIN  # what a stream opened while "waiting" says
        self._unfinished: list[_Unfinished] = []
        self._stopped = True
        self._check_timer = QTimer(self, interval=CHECK_EVERY_MS, timeout=self._check_again)
        self._resume_timer = QTimer(self, singleShot=True, timeout=lambda: self._open(resumed=True))
        session.diagnosisChanged.connect(self._on_diagnosis)
        session.eventReceived.connect(self._on_event)

    @property
    def following(self) -> bool:
        return self._worker is not None

    def start(self, timestamps: bool) -> None:
        """A fresh log: the last `tail` lines, then follow."""
        self.stop()
        self._stopped = False
        self.timestamps = timestamps
        self.position = LogPosition()
        self._quick_resumes = 0
        self._started_at = None
        self._open(resumed=False)

    def stop(self) -> None:
        """Ends the stream at once (nothing waits) and forgets any answer still on its way."""
        self._stopped = True
        self._generation += 1
        self._check_timer.stop()
        self._resume_timer.stop()
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.dispose()
        self.state = "idle"

    # Opening -------------------------------------------------------------------------------------

    def _open(self, resumed: bool) -> None:
        if self._stopped or self._worker is not None:
            return
        self._generation += 1
        self._check_timer.stop()
        self._unfinished = []  # the next stream brings it whole
        engine = self.session.engine
        if engine is None:
            self._set_dropped()
            return
        since = self.position.since if resumed else None
        tail = "all" if since is not None else self.tail
        transform, finish = _reader_side(self.position.resume_filter())
        opened = _Opened()
        worker = StreamWorker(
            _opener(engine, self.container_id, tail, since, opened),
            transform=transform,
            finish=finish,
            max_pending=self.max_pending,
            max_batch=LINES_PER_BATCH,
            name="logs",
            parent=self,
        )
        generation = self._generation
        worker.batch.connect(self._on_items)
        worker.ended.connect(lambda error: self._on_ended(generation, error, opened.started_at))
        self._worker = worker
        worker.start()
        was = self.state
        self.state = "following"
        self._set_command(since is not None)
        if not resumed or was == "dropped":  # not each restart of a container that keeps restarting
            self.session.commandIssued.emit(
                self.command, f"{'follow the logs again' if resumed else 'show the logs'} of {self.container_name}"
            )
        if was == "silent":  # the engine is not back before it answers: say so once it does
            worker.opened.connect(lambda: self._on_answered(generation))
        else:
            self.status.emit({"dropped": ENGINE_BACK, "waiting": self._reopen_status}.get(was, FOLLOWING))
        self._reopen_status = STARTED_AGAIN

    def _on_answered(self, generation: int) -> None:
        if generation == self._generation and not self._stopped:
            self.status.emit(ENGINE_BACK)

    def _set_command(self, resumed: bool) -> None:
        where = (
            ["--since", self.position.timestamp] if resumed and self.position.timestamp else ["--tail", str(self.tail)]
        )
        flags = ["--follow", *where] + (["--timestamps"] if self.timestamps else [])
        self.command = shlex.join(["docker", "logs", *flags, self.container_name])
        self.commandChanged.emit(self.command)

    def _on_items(self, items: list[tuple[str | None, str]]) -> None:
        if items and isinstance(items[-1], _Unfinished):  # the stream's end: only ever after the last whole line
            whole = [item for item in items if not isinstance(item, _Unfinished)]
            self._unfinished.extend(item for item in items if isinstance(item, _Unfinished))
            items = whole
        if not items:
            return
        stamps, texts = zip(*items)
        _advance(self.position, stamps)
        self._quick_resumes = 0
        self.lines.emit(
            [f"{stamp} {text}" if stamp else text for stamp, text in items] if self.timestamps else list(texts)
        )

    # Why it ended --------------------------------------------------------------------------------

    def _on_ended(self, generation: int, error: EngineError | None, started_at: str | None) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        if generation != self._generation or self._stopped:
            return
        if started_at is not None:
            self._started_at = started_at
        if isinstance(error, EngineGone):
            self._set_dropped()
        elif isinstance(error, EngineNotAnswering):
            self._set_not_answering()
        elif isinstance(error, NotFound):
            self._set_ended(REMOVED)
        else:
            self._inspect(generation, error)

    def _inspect(self, generation: int, stream_error: EngineError | None) -> None:
        """Asks the engine what became of the container; a failure to ask means the engine is gone."""
        container_id = self.container_id
        started_at = self._started_at

        def answered(info: dict) -> None:
            if generation == self._generation and not self._stopped:
                self._on_container(log_end(info, started_at), stream_error)

        def failed(error: EngineError) -> None:
            if generation != self._generation or self._stopped:
                return
            if isinstance(error, NotFound):
                self._set_ended(REMOVED)
            elif isinstance(error, EngineGone):
                self._set_dropped()
            elif isinstance(error, EngineNotAnswering):
                self._set_not_answering()
            else:
                self._set_ended(error.message)

        if not self.session.run(lambda engine: engine.api.inspect_container(container_id), answered, failed):
            self._set_dropped()

    def _on_container(self, end: LogEnd, stream_error: EngineError | None) -> None:
        if stream_error is not None:
            # The engine answers, yet the stream failed (a log driver docker logs cannot read): say so, no retry.
            self._set_ended(stream_error.message)
        elif end.running:
            # It restarted at once, or only the connection dropped; a stream that keeps ending waits longer each time.
            self._quick_resumes += 1
            self.state = "waiting"
            self._reopen_status = end.message
            self._resume_timer.start(min(QUICK_RESUME_MS * 2 ** (self._quick_resumes - 1), MAX_RESUME_DELAY_MS))
        elif end.comes_back:
            self.state = "waiting"
            self.status.emit(end.message)
            self._check_timer.start()
        else:
            self._set_ended(end.message)

    def _set_dropped(self) -> None:
        self.state = "dropped"
        self.status.emit(DROPPED)
        self._check_timer.start()

    def _set_not_answering(self) -> None:
        self.state = "silent"
        self.status.emit(NOT_ANSWERING)
        self._check_timer.start()

    def _set_ended(self, message: str) -> None:
        self.state = "ended"  # a start event still brings it back: the user may start the container again
        self._check_timer.stop()
        unfinished, self._unfinished = self._unfinished, []
        if unfinished:
            self._on_items([tuple(item) for item in unfinished])  # the container's last words, without a newline
        self.status.emit(message)

    # Coming back ---------------------------------------------------------------------------------

    def _check_again(self) -> None:
        if self._stopped or self._worker is not None:
            return
        if self.state in ("dropped", "silent"):
            if self.session.engine is not None:
                self._open(resumed=True)
        elif self.state == "waiting":
            self._inspect(self._generation, None)

    def _on_diagnosis(self, _diagnosis) -> None:
        if self.state in ("dropped", "silent") and not self._stopped and self.session.engine is not None:
            self._open(resumed=True)

    def _on_event(self, event: dict) -> None:
        if self._stopped or self._worker is not None or self.state == "following":
            return
        if event.get("Type", "container") != "container" or event.get("Action") not in _START_ACTIONS:
            return
        if (event.get("id") or (event.get("Actor") or {}).get("ID")) == self.container_id:
            self._resume_timer.stop()
            self._reopen_status = STARTED_AGAIN  # the engine says so, whatever the stream's end looked like
            self._open(resumed=True)
