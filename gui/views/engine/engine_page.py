"""The engine page: what is wrong and exactly what to do, or what the connected engine offers."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.core.engine import help as engine_help
from gui.core.engine.connection import Diagnosis
from gui.core.engine.doctor import current_platform
from gui.core.format import exact_bytes, human_bytes
from gui.views.engine.remote_gpus_panel import RemoteGpusPanel
from gui.views.widgets.style import ERROR_COLOUR, OK_COLOUR, WARNING_COLOUR, colour_style, set_secondary

STARTING_TEXT = "The Docker engine is starting"


def busy_bar(parent: QWidget, name: str) -> QProgressBar:
    """A small bar that moves to and fro (Qt's busy mode, no range): the spinner of "the engine is starting"."""
    bar = QProgressBar(parent)
    bar.setObjectName(name)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setAccessibleName(STARTING_TEXT)
    bar.setToolTip(f"{STARTING_TEXT}: Portside connects the moment it answers")
    metrics = bar.fontMetrics()
    bar.setFixedSize(metrics.averageCharWidth() * 10, metrics.height())
    bar.hide()
    return bar


def _command_box(text: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    commands = QPlainTextEdit(text, box)
    commands.setReadOnly(True)
    commands.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    commands.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    # As tall as the commands, not the window: the page reads top to bottom without a void.
    commands.setMaximumHeight(commands.fontMetrics().lineSpacing() * (text.count("\n") + 3))
    copy = QPushButton("Copy", box)
    copy.setToolTip("Copy these commands to paste them in a terminal")
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
    layout.addWidget(commands)
    row = QHBoxLayout()
    row.addStretch()
    row.addWidget(copy)
    layout.addLayout(row)
    return box


class EnginePage(QWidget):
    checkRequested = Signal()

    def __init__(self, parent=None, session=None):
        super().__init__(parent)
        self.setObjectName("engine-page")
        # An engine elsewhere: its GPUs, asked on its computer when the user asks (needs the session to ask through).
        self.remote_gpus = RemoteGpusPanel(session, self) if session is not None else None
        self.title = QLabel(self)
        self.title.setObjectName("engine-title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.starting_bar = busy_bar(self, "engine-starting")
        self._status_spinner: QProgressBar | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("engine-summary")
        self.summary.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        set_secondary(self.detail)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel(self)
        self.warning.setObjectName("engine-warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(colour_style("warning"))
        self.steps = QTabWidget(self)
        self.steps.setObjectName("engine-steps")
        self._shown_steps: dict[str, str] | None = None  # what the tabs show now
        self.info_form = QFormLayout()
        self.info_box = QWidget(self)
        self.info_box.setLayout(self.info_form)
        self.retry_note = QLabel(
            "Portside checks again every few seconds and opens your lists the moment the engine answers.", self
        )
        self.retry_note.setWordWrap(True)
        self.check_button = QPushButton("Check now", self)
        self.check_button.clicked.connect(self.checkRequested)

        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.starting_bar)
        head.addStretch()
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.detail)
        layout.addWidget(self.warning)
        layout.addWidget(self.steps)
        layout.addWidget(self.info_box)
        if self.remote_gpus is not None:
            layout.addWidget(self.remote_gpus)
        bottom = QHBoxLayout()
        bottom.addWidget(self.retry_note, 1)
        bottom.addStretch()
        bottom.addWidget(self.check_button)
        layout.addLayout(bottom)
        layout.addStretch()
        self.show_checking()

    def show_checking(self) -> None:
        self.title.setText("Looking for the Docker engine…")
        self.summary.setText("Portside is checking DOCKER_HOST, your docker context and the default socket.")
        for widget in (self.detail, self.warning, self.steps, self.info_box, self.retry_note, self.starting_bar):
            widget.hide()

    def show_diagnosis(self, diagnosis: Diagnosis) -> None:
        advice = engine_help.advice(diagnosis)
        self.title.setText(advice.title)
        self.summary.setText(advice.summary)
        self.detail.setText(
            f"Engine address: {diagnosis.endpoint.host} (from {diagnosis.endpoint.source})"
            + (f"\nDetails: {diagnosis.detail}" if diagnosis.detail else "")
        )
        self.detail.show()
        self.warning.setText(f"⚠ {advice.warning}" if advice.warning else "")
        self.warning.setVisible(bool(advice.warning))
        if diagnosis.usable:
            self._show_steps(None)
            self._show_info(diagnosis)
        else:
            self.info_box.hide()
            self._show_steps(advice.steps)
        self.steps.setVisible(not diagnosis.usable)
        self.retry_note.setVisible(not diagnosis.usable)
        self.starting_bar.setVisible(diagnosis.starting)
        if self.remote_gpus is not None:
            self.remote_gpus.show_engine(diagnosis)

    @staticmethod
    def status_colour(diagnosis: Diagnosis) -> str:
        """The status bar's dot: connected, on its way (starting), or not there."""
        return OK_COLOUR if diagnosis.usable else WARNING_COLOUR if diagnosis.starting else ERROR_COLOUR

    def status_spinner(self, status_bar: QStatusBar) -> QProgressBar:
        """The status bar's spinner for "the engine is starting", placed left of the engine's state on first use."""
        if self._status_spinner is None:
            self._status_spinner = busy_bar(status_bar, "engine-starting-status")
            status_bar.insertPermanentWidget(0, self._status_spinner)
        return self._status_spinner

    def _show_steps(self, steps: dict[str, str] | None) -> None:
        """One tab per platform. The same steps again (a retry every few seconds) leave the tabs as they are,
        so the user's tab and scroll position stay; new steps keep the platform the user picked."""
        if steps == self._shown_steps:
            return
        index = self.steps.currentIndex() if self.steps.count() else engine_help.PLATFORMS.index(current_platform())
        old_pages = [self.steps.widget(tab) for tab in range(self.steps.count())]
        self.steps.clear()  # removes the tabs, not their pages
        for page in old_pages:
            page.deleteLater()
        self._shown_steps = steps
        if steps is None:
            return
        for platform in engine_help.PLATFORMS:
            self.steps.addTab(_command_box(steps.get(platform, "")), platform)
        self.steps.setCurrentIndex(index)

    def _show_info(self, diagnosis: Diagnosis) -> None:
        info = diagnosis.info
        assert info is not None
        while self.info_form.rowCount():
            self.info_form.removeRow(0)
        free = human_bytes(info.data_root_free_bytes) + " free" if info.data_root_free_bytes is not None else "n/a"
        gpu = (
            f"Yes, through the {info.gpu_support}"
            if info.gpu_support
            else "No: install the NVIDIA Container Toolkit to give GPUs to containers"
        )
        rows = [
            ("Engine version", f"Docker {info.engine_version}"),
            ("API version", info.api_version),
            ("Operating system", f"{info.os} ({info.architecture}, kernel {info.kernel})"),
            ("CPUs", str(info.cpus)),
            ("Memory", human_bytes(info.memory_bytes)),
            ("Storage driver", info.storage_driver),
            ("Data root", f"{info.data_root} ({free})"),
            ("GPUs for containers", gpu),
            ("Containers / images", f"{info.containers} / {info.images}"),
        ]
        for label, value in rows:
            value_label = QLabel(value)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value_label.setWordWrap(True)
            if label == "Memory":
                value_label.setToolTip(exact_bytes(info.memory_bytes))
            if label == "GPUs for containers" and not info.gpu_support:
                value_label.setToolTip(engine_help.GPU_TOOLKIT_STEPS)
            self.info_form.addRow(label, value_label)
        self.info_box.show()
