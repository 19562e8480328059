"""Runs one image build: streams the engine's log, follows the steps, and records the result.

The reader thread only forwards the engine's messages; BuildProgress folds them in the GUI thread in
batches, which keeps its state single-threaded and costs a few microseconds a message.

A build stream that ends with neither an image nor the engine's own error was cut off: the runner asks the
engine whether it is still there. If not, the engine stopped during the build (issue 15): the step container it
was running is left behind (the engine's forcerm never ran), so the runner removes it once the engine is back: the
one the log named ("Running in <id>"), or, when that line never came, the one that bears every mark of the step
(gui.core.build.leftovers), and never any other."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from gui.core import log
from gui.core.build.failures import BuildError
from gui.core.build.history import BuildHistory, BuildRecord
from gui.core.build.leftovers import StepTrace, left_behind
from gui.core.build.progress import BuildProgress
from gui.core.build.spec import BuildSpec
from gui.core.engine.actions import RemoveContainer
from gui.core.engine.build_request import open_build
from gui.core.engine.rows import ContainerRow
from gui.core.errors import EngineError, EngineGone, NotFound
from gui.core.format import short_id
from gui.core.reference import parse
from gui.workers.session import EngineSession
from gui.workers.streams import StreamWorker

logger = log.get("builds")

ENGINE_STOPPED = "The engine stopped during the build; nothing was built. Build again when it is back."
NO_IMAGE = "The engine ended the build without an image. Check the log above."
# The most engine messages (about a log line each) folded and shown at a time: a step printing as fast as it can is
# shown in slices of a few milliseconds, with the dialog's own events handled between them.
MESSAGES_PER_BATCH = 2000


@dataclass(frozen=True)
class BuildOutcome:
    record: BuildRecord
    error: EngineError | None = None
    failed_step: int | None = None
    failed_line: int | None = None  # when the engine's error names it (a Dockerfile parse error)
    engine_stopped: bool = False  # the engine went away during the build

    @property
    def succeeded(self) -> bool:
        return self.record.result == "succeeded"


class BuildRunner(QObject):
    lines = Signal(object)  # a list of log lines to show (object: handed over as it is, not copied item by item)
    progressed = Signal(int, int, str)  # step, total steps, current instruction
    finished = Signal(object)  # BuildOutcome
    cleanedUp = Signal(list)  # short ids of the step containers an interrupted build left, now removed

    def __init__(self, session: EngineSession, history: BuildHistory, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.history = history
        self.spec: BuildSpec | None = None
        self.progress: BuildProgress | None = None
        self._worker: StreamWorker | None = None
        self._log: list[str] = []
        self._started = 0.0
        self._checking = False  # the stream was cut off: asking whether the engine is still there
        self.leftovers: list[str] = []  # step containers of interrupted builds, removed when the engine is back
        self._removing: set[str] = set()
        self._traces: list[StepTrace] = []  # steps of interrupted builds whose unnamed container is still to look for
        self._searching = False  # listing the containers to find them
        session.diagnosisChanged.connect(lambda _diagnosis: self._clean_up())

    @property
    def running(self) -> bool:
        return self._worker is not None or self._checking

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started if self._started else 0.0

    def start(self, spec: BuildSpec) -> bool:
        engine = self.session.engine
        if engine is None or self.running:
            return False
        self.spec, self.progress, self._log = spec, BuildProgress(), []
        self._started = time.monotonic()
        self._wall_started = time.time()
        self.session.commandIssued.emit(spec.command, "build the image")
        # open_build words the refusals that come before any stream (a parse error in the Dockerfile).
        self._worker = StreamWorker(
            lambda: open_build(engine, spec), max_batch=MESSAGES_PER_BATCH, name="build", parent=self
        )
        self._worker.batch.connect(self._on_messages)
        self._worker.ended.connect(self._on_ended)
        self._worker.start()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def dispose(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.dispose()

    # GUI thread ----------------------------------------------------------------------------------

    def _on_messages(self, messages: list[dict]) -> None:
        assert self.progress is not None
        shown: list[str] = []
        step = self.progress.step
        for message in messages:
            shown.extend(self.progress.feed(message))
        self._show(shown)
        if self.progress.step != step:
            self.progressed.emit(self.progress.step, self.progress.total_steps, self.progress.current_instruction)

    def _show(self, lines: list[str]) -> None:
        """The log lines, with the build's secret arguments masked (a RUN that prints one): shown, and kept for the
        history."""
        if not lines:
            return
        assert self.spec is not None
        lines = [self.spec.mask_secrets(line) for line in lines]
        self._log.extend(lines)
        self.lines.emit(lines)

    def _on_ended(self, error: EngineError | None) -> None:
        worker, self._worker = self._worker, None
        cancelled = worker is not None and worker.cancelled
        if worker is not None:
            worker.deleteLater()
        progress, spec = self.progress, self.spec
        assert progress is not None and spec is not None
        self._show(progress.flush())
        if not cancelled and not progress.image_id and progress.error is None and not isinstance(error, BuildError):
            self._check_engine(error)  # cut off: neither an image nor the engine's word that the build failed
            return
        error = error or progress.error
        if cancelled:
            result = "cancelled"
        elif error is None and progress.image_id:
            result = "succeeded"
        else:
            result = "failed"
            if error is None:
                error = EngineError(NO_IMAGE)
        if result == "succeeded":
            self._finish_success(spec, progress.image_id)
        else:
            self._record(result, None, None, error)

    # A build cut off -----------------------------------------------------------------------------

    def _check_engine(self, error: EngineError | None) -> None:
        """Is the engine still there? Either way, what the build left behind goes (now, or once it is back)."""
        assert self.progress is not None
        self.leftovers.extend(cid for cid in self.progress.step_containers if cid not in self.leftovers)
        trace = StepTrace.of(self.progress, self._wall_started, time.time())
        if trace is not None:
            self._traces.append(trace)
        self._checking = True

        def answers(rows: list[ContainerRow]) -> None:
            self._checking = False
            self._found(self._traces_to_search(), rows)
            self._record("failed", None, None, error or EngineError(NO_IMAGE))

        def gone(problem: EngineError) -> None:
            self._checking = False
            if isinstance(problem, EngineGone):
                self._record("failed", None, None, EngineGone(ENGINE_STOPPED), engine_stopped=True)
            else:
                self._record("failed", None, None, error or problem)

        if not self.session.run(lambda engine: engine.containers(), answers, gone):
            gone(EngineGone(ENGINE_STOPPED))

    def _clean_up(self) -> None:
        """Removes the step containers interrupted builds left (docker rm --force), once the engine answers: the
        ones their logs named, and the ones found by their step's marks (gui.core.build.leftovers)."""
        if self.session.engine is None or self._searching:
            return  # the next diagnosis tries again
        traces = self._traces_to_search()
        if not traces:
            self._remove_leftovers()
            return
        self._searching = True

        def found(rows: list[ContainerRow]) -> None:
            self._searching = False
            self._found(traces, rows)

        def failed(problem: EngineError) -> None:
            self._searching = False
            self._traces = traces + self._traces  # the next diagnosis looks again
            logger.info("could not look for the containers an interrupted build left: %s", problem.message)

        if not self.session.run(lambda engine: engine.containers(), found, failed):
            failed(EngineGone(ENGINE_STOPPED))

    def _traces_to_search(self) -> list[StepTrace]:
        traces, self._traces = self._traces, []
        return traces

    def _found(self, traces: list[StepTrace], rows: list[ContainerRow]) -> None:
        for trace in traces:
            for container in left_behind(trace, rows):  # full ids: removed by exactly the container found
                if not any(container.startswith(known) for known in self.leftovers):
                    logger.info("found the step container %s an interrupted build left without naming it", container)
                    self.leftovers.append(container)
        self._remove_leftovers()

    def _remove_leftovers(self) -> None:
        for container in [cid for cid in self.leftovers if cid not in self._removing]:
            self._removing.add(container)
            self.session.perform(
                RemoveContainer(container, force=True),
                lambda _result, c=container: self._removed(c, True),
                lambda error, c=container: self._removed(c, isinstance(error, NotFound)),
            )

    def _removed(self, container: str, gone: bool) -> None:
        self._removing.discard(container)
        if gone and container in self.leftovers:
            self.leftovers.remove(container)
            logger.info("removed the step container %s left by an interrupted build", container)
            self.cleanedUp.emit([short_id(container)])

    def _finish_success(self, spec: BuildSpec, image_id: str) -> None:
        """Apply the extra tags, measure the image, then record: all off the GUI thread."""

        def tag_and_measure(engine):
            for tag in spec.extra_tags:  # the API builds with one tag; `docker build -t a -t b` tags the rest
                reference = parse(tag)
                engine.api.tag(image_id, reference.repository, reference.tag_or_latest)
            return int(engine.api.inspect_image(image_id).get("Size") or 0)

        self.session.run(
            tag_and_measure,
            lambda size: self._record("succeeded", image_id, size, None),
            lambda error: self._record("succeeded", image_id, None, error),
        )
        self.session.refresh()  # the new image appears in Images at once

    def _record(
        self,
        result: str,
        image_id: str | None,
        size: int | None,
        error: EngineError | None,
        engine_stopped: bool = False,
    ) -> None:
        spec, progress = self.spec, self.progress
        assert spec is not None and progress is not None
        if error is not None:  # the engine's words can quote a build argument's value
            error.message, error.detail = spec.mask_secrets(error.message), spec.mask_secrets(error.detail)
        record = BuildRecord(
            id=uuid.uuid4().hex[:12],
            tags=spec.tags,
            context=str(spec.context),
            dockerfile=spec.dockerfile,
            started=self._wall_started,
            duration_s=self.elapsed,
            result=result,
            image_id=image_id,
            image_size=size,
            command=spec.command,
            error=error.message if error else "",
        )
        lines = list(self._log)
        self.session.tasks.submit(
            lambda: self.history.add(record, lines),
            on_error=lambda e: logger.warning("could not save the build history: %s", e.message),
        )
        failed_step = progress.failed_step or getattr(error, "step", None)
        self.finished.emit(
            BuildOutcome(
                record,
                error if result != "succeeded" else None,
                failed_step,
                getattr(error, "line", None),
                engine_stopped,
            )
        )
