"""A container's GPU use in words, and "Check inside": the panel on its Usage page, and the box the Containers page's
menu opens. The check itself runs in the GpuWatch worker (gui.workers.monitor.gpu_watch)."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from gui.core.monitor.gpu_use import NOT_USED
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style, text_colour

CHECK_TIP = (
    "Look inside the running container for why it does not use its GPU: a missing GPU device, missing driver "
    "libraries, a CPU-only PyTorch, or an image built for a newer CUDA than the driver. Runs one short docker exec."
)


def findings_html(report) -> str:
    """The findings as rich text: each one's title in bold, problems in the warning colour, then its sentence."""
    parts = []
    for finding in report.findings:
        colour = text_colour("warning" if finding.problem else "ok")
        parts.append(
            f"<p><b style='color:{colour}'>{html.escape(finding.title)}</b><br>{html.escape(finding.sentence)}</p>"
        )
    return "".join(parts)


def show_report_box(parent: QWidget, report) -> QMessageBox:
    """The findings in a message box (from the Containers page's menu); not modal."""
    problems = report.problems
    box = QMessageBox(
        QMessageBox.Icon.Warning if problems else QMessageBox.Icon.Information,
        f"GPU check of {report.container}",
        problems[0].title if problems else report.findings[0].title,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("gpu-check-box")
    box.setInformativeText(report.text())
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


class GpuCheckPanel(QWidget):
    """The GPU-use state of one container, a Check inside button, and what the last check found."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.watch = None
        self.row = None
        self.state = QLabel(self)
        self.state.setObjectName("gpu-use-state")
        self.state.setWordWrap(True)
        self.check_button = QPushButton("Check inside", self)
        self.check_button.setObjectName("gpu-check-inside")
        self.check_button.setToolTip(CHECK_TIP)
        self.check_button.clicked.connect(self.check_inside)
        self.findings = QLabel(self)
        self.findings.setObjectName("gpu-check-findings")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.RichText)
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.state, 1)
        top.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.findings)
        self._checking_id: str | None = None  # the container a check in flight is for

    def show_container(self, row) -> None:
        if self.row is None or row.id != self.row.id:
            self.findings.hide()  # another container: the last check's findings were not about it
            self.findings.clear()
        self.row = row
        self.refresh()

    def refresh(self) -> None:
        """The state now (called on every Monitor update while the page shows)."""
        row, watch = self.row, self.watch
        state = watch.state(row.id) if watch is not None and row is not None and row.state == "running" else None
        grant = watch.grant(row.id) if watch is not None and row is not None else None
        if state is None:
            text = "Not given a GPU, and using none." if row is not None and row.state == "running" else ""
            self.state.setText(text)
            self.state.setToolTip("")
        else:
            self.state.setText(state.text[:1].upper() + state.text[1:])  # in a box titled "GPU use"
            self.state.setToolTip(state.tooltip)
        self.state.setStyleSheet(colour_style("warning") if state is not None and state.kind == NOT_USED else "")
        running = row is not None and row.state == "running"
        self.check_button.setEnabled(running and grant is not None and self._checking_id is None)
        if self._checking_id is not None:
            self.check_button.setToolTip("Checking…")
        elif not running:
            self.check_button.setToolTip("The container is not running: a check runs inside a running container.")
        elif grant is None:
            self.check_button.setToolTip(
                "This container was not given a GPU (docker run --gpus), so there is nothing to check."
            )
        else:
            self.check_button.setToolTip(CHECK_TIP)

    def check_inside(self) -> None:
        if self.watch is None or self.row is None or self._checking_id is not None:
            return
        row = self.row
        started = self.watch.check_inside(
            row,
            while_alive(self, lambda report: self._checked(row.id, report)),
            while_alive(self, lambda error: self._failed(row.id, error)),
        )
        if not started:
            self._show("<p>Portside is not connected to the Docker engine: see the Engine page.</p>")
            return
        self._checking_id = row.id
        self._show(f"<p>Looking inside {row.name}…</p>")
        self.refresh()

    def _checked(self, container_id: str, report) -> None:
        self._checking_id = None
        if self.row is not None and self.row.id == container_id:
            self._show(findings_html(report) + f"<p><i>Checked at {time.strftime('%H:%M:%S')}.</i></p>")
        self.refresh()

    def _failed(self, container_id: str, error) -> None:
        self._checking_id = None
        if self.row is not None and self.row.id == container_id:
            colour = text_colour("error")
            self._show(f"<p><b style='color:{colour}'>Could not check inside</b><br>{html.escape(error.message)}</p>")
        self.refresh()

    def _show(self, rich_text: str) -> None:
        self.findings.setText(rich_text)
        self.findings.show()
