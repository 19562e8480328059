"""The Files window's transfer line: what is being copied, how far (bytes done of the total, or a moving bar when
the total is not known), Cancel; then how it ended, with Open folder after a download."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from gui.core.format import exact_bytes, human_bytes
from gui.views.widgets.browser import open_in_browser
from gui.views.widgets.feedback import message_label

STEPS = 1000  # the bar counts in thousandths: byte counts overflow a QProgressBar's int


def progress_text(done: int, total: int | None) -> str:
    """'412.0 MiB of 1.0 GiB', or '412.0 MiB so far' when the total is not known."""
    if total is None:
        return f"{human_bytes(done)} so far"
    return f"{human_bytes(done)} of {human_bytes(total)}"


class TransferBar(QWidget):
    """`cancelRequested` when the user presses Cancel."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.what = QLabel(self)
        self.what.setObjectName("files-transfer-what")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("files-transfer-bar")
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("files-transfer-cancel")
        self.cancel_button.setToolTip("Stop the copy; what it wrote so far is removed")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.result = message_label(self, "files-transfer-result")
        self.open_button = QPushButton("Open folder", self)
        self.open_button.setObjectName("files-open-folder")
        self.open_button.setToolTip("Show the downloaded files in your file manager")
        self.open_button.clicked.connect(self.open_folder)
        self.folder: Path | None = None
        self.what_prefix = ""
        self._running = QWidget(self)
        running = QHBoxLayout(self._running)
        running.setContentsMargins(0, 0, 0, 0)
        running.addWidget(self.what)
        running.addWidget(self.bar, 1)
        running.addWidget(self.cancel_button)
        self._ended = QWidget(self)
        ended = QHBoxLayout(self._ended)
        ended.setContentsMargins(0, 0, 0, 0)
        ended.addWidget(self.result, 1)
        ended.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._running)
        layout.addWidget(self._ended)
        self._running.hide()
        self._ended.hide()

    def begin(self, what: str) -> None:
        """A copy starts: its name, a moving bar until the first progress."""
        self.what_prefix = what
        self.what.setText(what)
        self.bar.setRange(0, 0)
        self.bar.setToolTip("")
        self.cancel_button.setEnabled(True)
        self._running.show()

    def show_progress(self, done: int, total: int | None) -> None:
        self.what.setText(f"{self.what_prefix}: {progress_text(done, total)}")
        if total:
            self.bar.setRange(0, STEPS)
            self.bar.setValue(min(STEPS, done * STEPS // total))
            self.bar.setToolTip(f"{exact_bytes(done)} of {exact_bytes(total)}")
        else:
            self.bar.setRange(0, 0)  # moving: the engine did not say how much there is
            self.bar.setToolTip(exact_bytes(done))

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.what.setText(f"{self.what_prefix}: cancelling…")

    def end(self, sentence: str, folder: Path | None = None) -> None:
        """The copies ended: how, and the host folder to open after a download (None: no Open folder)."""
        self._running.hide()
        self.folder = folder
        self.result.setText(sentence)
        self.open_button.setVisible(folder is not None)
        self._ended.setVisible(bool(sentence))

    @property
    def busy(self) -> bool:
        return self._running.isVisibleTo(self)

    def open_folder(self) -> None:
        if self.folder is not None:
            open_in_browser(self, QUrl.fromLocalFile(str(self.folder)))
