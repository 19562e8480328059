"""The Engine page's GPUs of an engine elsewhere: what `docker info` says, and, only when the user asks, what one
short-lived nvidia-smi container on that computer answers, as a small table with its exact command."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core.engine.connection import Diagnosis
from gui.core.engine.remote_gpus import NO_GPU_SUPPORT, GpuQuery, RemoteGpu, choose_image, query_remote_gpus
from gui.core.errors import EngineError
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.style import colour_style, set_secondary

ASK_TEXT = "Ask the engine's computer for its GPUs"
COLUMNS = ("GPU", "Name", "Memory used", "Memory total", "Utilization", "Temperature")
NOT_AVAILABLE = "n/a"


def _cells(gpu: RemoteGpu) -> tuple[str, ...]:
    def unit(value: int | None, suffix: str) -> str:
        return NOT_AVAILABLE if value is None else f"{value}{suffix}"

    return (
        str(gpu.index),
        gpu.name,
        unit(gpu.memory_used_mib, " MiB"),
        unit(gpu.memory_total_mib, " MiB"),
        unit(gpu.utilization_percent, " %"),
        unit(gpu.temperature_c, " °C"),
    )


class RemoteGpusPanel(QGroupBox):
    """Shown only for a usable engine elsewhere (`show_engine`); asks through `session.run`, never on the GUI thread."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__("GPUs of the engine's computer", parent)
        self.setObjectName("remote-gpus")
        self._session = session
        self._asking = 0  # the number of the question in flight; an answer to an older one (another engine) is dropped
        self._gpu_support: str | None = None
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        set_secondary(self.note)
        self.image = QComboBox(self)
        self.image.setObjectName("remote-gpus-image")
        self.image.setEditable(True)
        self.image.setToolTip("An image on the engine with glibc: the NVIDIA toolkit puts nvidia-smi into it")
        self.image.setMinimumContentsLength(24)
        self.ask_button = QPushButton(ASK_TEXT, self)
        self.ask_button.setObjectName("remote-gpus-ask")
        self.command = QLabel(self)
        self.command.setObjectName("remote-gpus-command")
        self.command.setWordWrap(True)
        self.command.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(self)
        self.message.setObjectName("remote-gpus-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("remote-gpus-table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        row = QHBoxLayout()
        row.addWidget(QLabel("Image:", self))
        row.addWidget(self.image, 1)
        row.addWidget(self.ask_button)
        layout.addLayout(row)
        layout.addWidget(self.command)
        layout.addWidget(self.message)
        layout.addWidget(self.table)
        self.image.currentTextChanged.connect(self._show_command)
        self.ask_button.clicked.connect(self.ask)
        session.snapshotChanged.connect(self._offer_images)
        self.hide()

    def show_engine(self, diagnosis: Diagnosis) -> None:
        """Shown for a connected engine elsewhere only: this computer's GPUs are the Monitor's business."""
        elsewhere = diagnosis.usable and diagnosis.endpoint.elsewhere and diagnosis.info is not None
        if not elsewhere:
            self._asking += 1  # a late answer about an engine no longer shown is dropped
            self.hide()
            return
        support = diagnosis.info.gpu_support
        changed = self.isHidden() or support != self._gpu_support
        self._gpu_support = support
        if changed:
            self._forget_answer()
        said = f"GPUs for containers through the {support}" if support else "no way to give GPUs to containers"
        self.note.setText(
            f"Portside's own GPU readings are of this computer, not of {diagnosis.endpoint.host}. docker info there "
            f"says: {said}. The button runs one short-lived nvidia-smi container on that engine (removed after)."
        )
        self._offer_images(self._session.snapshot)
        self._show_command()
        self._show_ready()
        self.show()

    def ask(self) -> None:
        image = self.image.currentText().strip()
        if not self._gpu_support:
            self._say(NO_GPU_SUPPORT, error=True)
            return
        if not image:
            self._say("Choose or type an image on the engine (one with glibc, such as ubuntu), then ask.", error=True)
            return
        self._asking += 1
        asking = self._asking
        self.ask_button.setEnabled(False)
        self._say(f"Asking the engine's computer (at most {GpuQuery(image).time_limit_s} s)…")
        started = self._session.run(
            lambda engine: query_remote_gpus(engine, image),
            lambda gpus: asking == self._asking and self._show_gpus(gpus),
            lambda error: asking == self._asking and self._show_error(error),
        )
        if started:
            self._session.commandIssued.emit(GpuQuery(image).command, ASK_TEXT)  # the panel adds --context
        else:
            self._show_ready()
            self._say("Portside is not connected to the engine now; ask again once it is.", error=True)

    def _show_gpus(self, gpus: list[RemoteGpu]) -> None:
        self._show_ready()
        self.table.setRowCount(len(gpus))
        for row, gpu in enumerate(gpus):
            for column, text in enumerate(_cells(gpu)):
                item = QTableWidgetItem(text)
                if column == 1 and gpu.uuid:
                    item.setToolTip(gpu.uuid)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(gpus))
        # As tall as its rows: a small table, not a void under the page.
        rows_height = sum(self.table.rowHeight(row) for row in range(len(gpus)))
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows_height + 2 * self.table.frameWidth())
        count = f"{len(gpus)} GPU" + ("s" if len(gpus) != 1 else "")
        self._say(f"The engine's computer has {count}." if gpus else "nvidia-smi listed no GPUs there.")

    def _show_error(self, error: EngineError) -> None:
        self._show_ready()
        self.table.hide()
        self._say(error.message, error=True)

    def _show_ready(self) -> None:
        self.ask_button.setEnabled(bool(self._gpu_support))
        self.ask_button.setToolTip("" if self._gpu_support else NO_GPU_SUPPORT)

    def _forget_answer(self) -> None:
        self._asking += 1
        self.table.setRowCount(0)
        self.table.hide()
        self._say("" if self._gpu_support else NO_GPU_SUPPORT, error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(colour_style("error") if error else "")
        self.message.setVisible(bool(text))

    def _offer_images(self, snapshot) -> None:
        """The engine's tagged images, the likeliest to have glibc chosen unless the user picked or typed one."""
        if snapshot is None:
            return
        names = sorted({f"{row.repository}:{row.tag}" for row in snapshot.images if not row.dangling})
        typed = self.image.currentText().strip()
        if names == [self.image.itemText(index) for index in range(self.image.count())]:
            return
        self.image.blockSignals(True)
        self.image.clear()
        self.image.addItems(names)
        self.image.setCurrentText(typed or choose_image(names) or "")
        self.image.blockSignals(False)
        self._show_command()

    def _show_command(self) -> None:
        image = self.image.currentText().strip() or "IMAGE"
        self.command.setText(for_engine(GpuQuery(image).command))
