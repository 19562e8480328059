"""Pull an image by name and watch its layers arrive, as `docker pull` shows them in a terminal."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFontDatabase, QPalette
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel, QLineEdit,
                               QProgressBar, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from gui.core import log
from gui.core.errors import EngineError, StreamError
from gui.core.pull import LayerProgress, PullProgress, open_pull
from gui.core.reference import parse, reference_problem
from gui.workers.session import EngineSession
from gui.workers.streams import StreamWorker

logger = log.get("ui")

PLACEHOLDER = "e.g. busybox:1.36 or registry:5000/team/model:1.0"
PROGRESS_STEPS = 1000  # finer than percent, so big pulls visibly move
ID_COLUMN, STATUS_COLUMN, PROGRESS_COLUMN = range(3)
# Qt's palette has no role for errors: a red chosen to read on the palette's own background.
ERROR_ON_LIGHT = QColor("#c62828")
ERROR_ON_DARK = QColor("#ff6b6b")
NOT_CONNECTED = "Portside is not connected to the Docker engine. See the Engine page for what to do."
ENDED_EARLY = ("The engine ended the pull without confirming it. Check the Images list, and pull again "
               "if the image is missing.")


class PullDialog(QDialog):
    # Not `finished`: that would hide QDialog.finished(int), which reports how the dialog closed.
    pullFinished = Signal(bool)  # True when the image arrived

    def __init__(self, session: EngineSession, parent: QWidget | None = None, initial: str = ""):
        super().__init__(parent)
        self.session = session
        self._worker: StreamWorker | None = None
        self._progress = PullProgress()
        self._failure: EngineError | None = None  # reported inside the stream, which may still be open
        self._pulling_text = ""
        self._layer_items: dict[str, QTreeWidgetItem] = {}

        self.setWindowTitle("Pull an Image")
        self._build_widgets()
        self._lay_out()
        self._colour_error_label()
        self.reference_edit.textChanged.connect(self._on_reference_edited)
        self.pull_button.clicked.connect(self.start_pull)
        self.cancel_button.clicked.connect(self.cancel_pull)
        self._buttons.rejected.connect(self.reject)

        self.reference_edit.setText(initial)
        self._on_reference_edited(initial)  # setText("") emits nothing
        self._set_pulling(False)

    # Building --------------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setObjectName("pull-reference")
        self.reference_edit.setPlaceholderText(PLACEHOLDER)
        self.reference_edit.setClearButtonEnabled(True)

        self.error_label = self._message_label("pull-error")
        self.command_label = self._message_label("pull-command")
        self.command_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command_label.setToolTip("What you would type in a terminal to do the same.")

        self.layers_view = QTreeWidget(self)
        self.layers_view.setObjectName("pull-layers")
        self.layers_view.setHeaderLabels(["Layer", "Status", "Progress"])
        self.layers_view.setRootIsDecorated(False)
        self.layers_view.setUniformRowHeights(True)
        self.layers_view.setAlternatingRowColors(True)
        header = self.layers_view.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("pull-progress")
        self.summary_label = self._message_label("pull-summary")
        self.status_label = self._message_label("pull-status")

        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = self._buttons.button(QDialogButtonBox.StandardButton.Close)
        self.pull_button = self._buttons.addButton("&Pull", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self._buttons.addButton("&Cancel Pull", QDialogButtonBox.ButtonRole.ActionRole)

    def _message_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # to copy a command
        return label

    def _lay_out(self) -> None:
        field = QVBoxLayout()
        field.addWidget(self.reference_edit)
        field.addWidget(self.error_label)  # right under the field it is about
        image_label = QLabel("&Image:", self)
        image_label.setBuddy(self.reference_edit)
        form = QFormLayout()
        form.addRow(image_label, field)
        form.addRow("Command:", self.command_label)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.layers_view, stretch=1)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self._buttons)

    def sizeHint(self) -> QSize:
        # Room for a long registry reference and a handful of layers, in the user's own font.
        metrics = self.fontMetrics()
        return super().sizeHint().expandedTo(QSize(metrics.averageCharWidth() * 80, metrics.lineSpacing() * 22))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the user switched between light and dark
            self._colour_error_label()

    def _colour_error_label(self) -> None:
        palette = self.error_label.palette()
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        palette.setColor(QPalette.ColorRole.WindowText, ERROR_ON_DARK if dark else ERROR_ON_LIGHT)
        self.error_label.setPalette(palette)

    # The form --------------------------------------------------------------------------------------

    def _on_reference_edited(self, text: str) -> None:
        text = text.strip()
        # An empty field is not an error yet: the disabled Pull button says enough.
        problem = reference_problem(text) if text else ""
        self._show_error(problem)
        # Only a command the user could really type is shown.
        self.command_label.setText(f"docker pull {text if text and not problem else 'NAME[:TAG]'}")
        self.pull_button.setDefault(True)  # Enter pulls what was just typed
        self._update_pull_button()

    def _update_pull_button(self) -> None:
        text = self.reference_edit.text()
        self.pull_button.setEnabled(self._worker is None and bool(text.strip()) and not reference_problem(text))

    def _set_pulling(self, pulling: bool) -> None:
        self.reference_edit.setReadOnly(pulling)
        self.cancel_button.setEnabled(pulling)
        self._update_pull_button()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    # Pulling ---------------------------------------------------------------------------------------

    def start_pull(self) -> None:
        text = self.reference_edit.text().strip()
        if self._worker is not None or not text or reference_problem(text):
            return
        engine = self.session.engine
        if engine is None:
            self._show_error(NOT_CONNECTED)
            return
        reference = parse(text)
        # A digest travels in the tag parameter, as in docker-py's pull().
        repository, tag = reference.repository, reference.digest or reference.tag_or_latest
        self._start_display(text, PullProgress(repository, tag))
        self._worker = StreamWorker(lambda: open_pull(engine, repository, tag), name="pull", parent=self)
        self._worker.batch.connect(self._on_messages)
        self._worker.ended.connect(self._on_ended)
        self.session.commandIssued.emit(f"docker pull {text}", "pull the image")
        self._set_pulling(True)
        self._worker.start()

    def cancel_pull(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.status_label.setText("Cancelling…")

    def _start_display(self, text: str, progress: PullProgress) -> None:
        self._pulling_text = text
        self._progress = progress
        self._failure = None
        self._layer_items.clear()
        self.layers_view.clear()
        self._show_error("")
        self.status_label.setText(f"Pulling {text}…")
        self.status_label.setToolTip("")
        self._show_progress()

    def _on_messages(self, messages: list) -> None:
        if self._failure is not None:
            return
        try:
            for message in messages:
                self._progress.feed(message)
        except StreamError as error:
            self._failure = error
            if self._worker is not None:
                self._worker.cancel()  # the engine has given up on this pull: stop reading
        self._show_progress()

    def _on_ended(self, error: EngineError | None) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        self._set_pulling(False)
        failure = self._failure or error
        if failure is not None:
            self._end_with_failure(failure.message)
        elif worker is not None and worker.cancelled:
            self._end_with_failure("", status="Pull cancelled.")
        elif not self._progress.finished:
            self._end_with_failure(ENDED_EARLY)
        else:
            self._end_with_success()

    def _end_with_failure(self, message: str, status: str = "The pull failed.") -> None:
        self._show_error(message)
        self.status_label.setText(status)
        self._stop_busy_bar()
        self.pullFinished.emit(False)

    def _end_with_success(self) -> None:
        self._show_progress()
        self.status_label.setText(f"Pulled {self._pulling_text}.")
        self.status_label.setToolTip("\n".join(self._progress.status_lines))  # the digest, for the curious
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.session.refresh()
        self.pullFinished.emit(True)

    # Progress display ------------------------------------------------------------------------------

    def _show_progress(self) -> None:
        for layer in self._progress.layers:
            self._show_layer(layer)
        fraction = self._progress.fraction
        if fraction is None:
            self.progress_bar.setRange(0, 0)  # busy: some sizes are not known yet
        else:
            self.progress_bar.setRange(0, PROGRESS_STEPS)
            self.progress_bar.setValue(round(fraction * PROGRESS_STEPS))
        self.summary_label.setText(self._progress.summary())

    def _show_layer(self, layer: LayerProgress) -> None:
        item = self._layer_items.get(layer.id)
        if item is None:
            item = QTreeWidgetItem(self.layers_view, [layer.id, "", ""])
            self._layer_items[layer.id] = item
        item.setText(STATUS_COLUMN, layer.status)
        item.setText(PROGRESS_COLUMN, layer.progress_text())

    def _stop_busy_bar(self) -> None:
        if self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, PROGRESS_STEPS)
            self.progress_bar.setValue(0)

    # Closing ---------------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._abandon_pull()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._abandon_pull()
        super().closeEvent(event)

    def _abandon_pull(self) -> None:
        """Closing the dialog stops the pull, as Ctrl+C stops `docker pull`, and waits for its thread."""
        worker = self._worker
        if worker is None:
            return
        worker.cancel()
        if not worker.wait():
            logger.warning("the pull of %s did not stop in time", self._pulling_text)
