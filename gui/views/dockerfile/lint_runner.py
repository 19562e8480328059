"""LintRunner: the editor's live lint in two parts, so a slow hadolint never holds back Portside's own rules.

Once typing pauses, Portside's own rules (syntax and best practice) run in a worker and their findings show at once. hadolint then runs
in the background with a time limit; when its findings come they are merged with the own ones (without
repeats, gui.core.dockerfile.lint.combine_findings). An edit meanwhile cancels it: its process is killed and
its answer dropped, and the next pause starts again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gui.core.dockerfile.findings import Finding
from gui.core.dockerfile.hadolint import run_hadolint
from gui.core.dockerfile.lint import combine_findings, own_findings
from gui.core.errors import EngineError
from gui.views.widgets.lifetime import while_alive

__all__ = ["HADOLINT_TIMEOUT_S", "LintRunner"]

HADOLINT_TIMEOUT_S = 10  # hadolint gets this long per text; the own rules do not wait for it


class LintRunner(QObject):
    """Runs lint for one editor. `generation` counts the editor's edits: answers for older text are dropped."""

    ownReady = Signal(list)  # Portside's own findings for the current text (hadolint still running)
    allReady = Signal(list)  # own and hadolint's findings, merged, for the current text
    failed = Signal(str)  # lint itself failed: a sentence for the user

    def __init__(
        self,
        tasks,
        generation: Callable[[], int],
        parent: QObject,
        engine_version: Callable[[], str | None] = lambda: None,
    ):
        super().__init__(parent)
        self._tasks = tasks
        self._generation = generation
        self._engine_version = engine_version  # the connected engine's, for "needs a newer Docker" findings
        self._own_running = False
        self._own_again: tuple[int, str, Path | None] | None = None
        self._cancel: threading.Event | None = None  # the running hadolint's cancel hook

    @property
    def hadolint_running(self) -> bool:
        return self._cancel is not None

    def run(self, text: str, context: Path | None) -> None:
        """Lints `text` (the editor's text at generation()). One own-rules run at a time: a run asked for
        while one is busy waits for it, and only the newest text is linted then."""
        self.cancel_hadolint()
        generation = self._generation()
        if self._own_running:
            self._own_again = (generation, text, context)
            return
        self._own_running = True
        engine_version = self._engine_version()
        self._tasks.submit(
            lambda: own_findings(text, context, engine_version),
            while_alive(self, lambda own: self._on_own_done(generation, text, context, own)),
            while_alive(self, lambda error: self._on_failed(generation, error)),
        )

    def cancel_hadolint(self) -> None:
        """The text changed (or the editor closes): the running hadolint is killed and its answer dropped."""
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    def _own_finished(self) -> bool:
        """Starts the run that waited, if any. True when one started (this answer is then stale)."""
        self._own_running = False
        waiting, self._own_again = self._own_again, None
        if waiting is not None:
            _generation, text, context = waiting
            self.run(text, context)
            return True
        return False

    def _on_own_done(self, generation: int, text: str, context: Path | None, own: list[Finding]) -> None:
        if self._own_finished() or generation != self._generation():
            return  # the text changed meanwhile: a newer run follows
        self.ownReady.emit(own)
        cancel = self._cancel = threading.Event()
        self._tasks.submit(
            lambda: combine_findings(
                text, own, run_hadolint(text, timeout=HADOLINT_TIMEOUT_S, cwd=context, cancel=cancel)
            ),
            while_alive(self, lambda merged: self._on_hadolint_done(generation, cancel, merged)),
            while_alive(self, lambda error: self._on_hadolint_failed(generation, cancel, error)),
        )

    def _on_hadolint_done(self, generation: int, cancel: threading.Event, merged: list[Finding]) -> None:
        if cancel.is_set() or generation != self._generation():
            return
        self._cancel = None
        self.allReady.emit(merged)

    def _on_hadolint_failed(self, generation: int, cancel: threading.Event, error: EngineError) -> None:
        if self._cancel is cancel:
            self._cancel = None
        if not cancel.is_set() and generation == self._generation():
            self.failed.emit(error.message)

    def _on_failed(self, generation: int, error: EngineError) -> None:
        if not self._own_finished() and generation == self._generation():
            self.failed.emit(error.message)
