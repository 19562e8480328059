"""What the pull and push dialogs share: the transfer view and its buttons, the error line, starting and ending a run,
and closing that stops the transfer. Each dialog keeps its own form, words and what follows a success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton

from gui.views.registry.transfer_run import TransferRun, TransferWords
from gui.views.registry.transfer_view import TransferView, colour_as_error
from gui.views.widgets.feedback import show_message

if TYPE_CHECKING:
    from gui.core.engine.client import Engine, Stream
    from gui.core.registry.transfer import TransferProgress
    from gui.workers.session import EngineSession

NOT_CONNECTED = "Portside is not connected to the Docker engine. See the Engine page for what to do."


class TransferDialog:
    """Mixed into a QDialog, before it. The dialog builds `error_label`, calls _build_transfer() after its other
    widgets (they keep their tab order), defines _set_transferring() and connects transfer_run.ended to its ending."""

    session: EngineSession
    error_label: QLabel
    _progress: TransferProgress

    def _build_transfer(self, name: str, verb: str, words: TransferWords) -> QPushButton:
        """The layers view, Close, VERB and Cancel VERB buttons, and the run behind them. Returns the VERB button."""
        self.transfer = TransferView(self, name=name)
        # The parts tests and callers look at, under the names they had before the view was shared.
        self.layers_view = self.transfer.layers_view
        self.progress_bar = self.transfer.progress_bar
        self.summary_label = self.transfer.summary_label
        self.status_label = self.transfer.status_label

        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self._buttons.button(QDialogButtonBox.StandardButton.Close)
        start_button = self._buttons.addButton(f"&{verb}", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self._buttons.addButton(f"&Cancel {verb}", QDialogButtonBox.ButtonRole.ActionRole)

        self.transfer_run = TransferRun(self.transfer, name, words, parent=self)
        self.cancel_button.clicked.connect(self.transfer_run.cancel)
        self._buttons.rejected.connect(self.reject)
        return start_button

    def _set_transferring(self, transferring: bool) -> None:
        """Enables what may be used while a transfer runs, or after it."""
        raise NotImplementedError

    # Starting and ending ---------------------------------------------------------------------------------------

    def _engine_or_say_so(self) -> Engine | None:
        engine = self.session.engine
        if engine is None:
            self._show_error(NOT_CONNECTED)
        return engine

    def _start_transfer(
        self, reference: str, progress: TransferProgress, open_stream: Callable[[], Stream], action: str
    ) -> None:
        """Runs the transfer of `reference` (open_stream runs in the stream's thread) and says so in the Commands
        panel as `docker ACTION REFERENCE`."""
        self._progress = progress
        self._show_error("")
        self.transfer_run.start(reference, progress, open_stream)
        self.session.commandIssued.emit(f"docker {action} {reference}", f"{action} the image")
        self._set_transferring(True)

    def _show_ending(self, succeeded: bool, error: str, success_text: str) -> None:
        """The error under the form, or the success in the status line, with the engine's own lines (the digest,
        for the curious) in its tooltip, and Close ready to press."""
        self._set_transferring(False)
        self._show_error(error)
        if succeeded:
            self.transfer.show_status(success_text, details="\n".join(self._progress.status_lines))
            self.close_button.setDefault(True)
            self.close_button.setFocus()

    def _show_error(self, message: str) -> None:
        show_message(self.error_label, message)

    # The window --------------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        # Room for a long registry reference and a handful of layers, in the user's own font.
        metrics = self.fontMetrics()
        return super().sizeHint().expandedTo(QSize(metrics.averageCharWidth() * 80, metrics.lineSpacing() * 22))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the user switched between light and dark
            colour_as_error(self.error_label, self)

    # Closing stops the transfer, as Ctrl+C stops `docker pull` or `docker push`, and waits for its thread.

    def done(self, result: int) -> None:
        self.transfer_run.abandon()
        super().done(result)  # QDialog's: next in the dialog's MRO

    def closeEvent(self, event: QCloseEvent) -> None:  # also a hidden dialog's close, which skips done()
        self.transfer_run.abandon()
        super().closeEvent(event)
