"""One place for uncaught exceptions: log the trace, tell the user in plain words, keep running."""

from __future__ import annotations

import sys
import threading
import traceback

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.core import log

logger = log.get("crash")


class CrashReporter(QObject):
    # Exceptions may happen in any thread; the dialog must appear in the GUI thread.
    crashed = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.crashed.connect(self._show)
        self.shown = 0
        self._box: QMessageBox | None = None

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = lambda args: self._excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _excepthook(self, exc_type, exc_value, exc_traceback) -> None:
        trace = "".join(traceback.format_exception(exc_type, exc_value, exc_traceback))
        logger.error("uncaught exception\n%s", trace)
        self.crashed.emit(f"{exc_type.__name__}: {exc_value}", trace)

    @Slot(str, str)
    def _show(self, summary: str, trace: str) -> None:
        self.shown += 1
        if self._box is not None and self._box.isVisible():
            return  # one dialog at a time; the log has every trace
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Portside hit a bug",
            "Something unexpected went wrong inside Portside. Your containers and images are not "
            "affected, and the app keeps running.\n\n"
            f"What happened: {summary}\n\nThe details are in the log file:\n{log.log_file()}\n"
            "Please attach it if you report the problem.",
            QMessageBox.StandardButton.Ok,
            QApplication.activeWindow(),
        )
        box.setObjectName("crash-dialog")
        box.setDetailedText(trace)
        box.open()
        self._box = box
