"""Help > About Portside: what Portside is, and the versions a bug report needs (Portside, engine, Qt, Python)."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout

from gui.core.engine.connection import Diagnosis
from gui.core.version import version

SUMMARY = (
    "Portside manages AI containers on your workstation and shows the docker command "
    "behind every click, so you learn the CLI as you go."
)
NOT_CONNECTED = "not connected"


def engine_version(diagnosis: Diagnosis | None) -> str:
    """The engine as the main window last saw it; "not connected" before the first answer or while it is away."""
    if diagnosis is None or not diagnosis.usable or diagnosis.info is None:
        return NOT_CONNECTED
    return f"Docker {diagnosis.info.engine_version} (API {diagnosis.info.api_version})"


def version_rows(diagnosis: Diagnosis | None) -> list[tuple[str, str]]:
    return [
        ("Portside", version()),
        ("Docker engine", engine_version(diagnosis)),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
    ]


class AboutDialog(QDialog):
    def __init__(self, diagnosis: Diagnosis | None, parent=None):
        super().__init__(parent)
        self.setObjectName("about-dialog")
        self.setWindowTitle("About Portside")
        self.rows = version_rows(diagnosis)

        title = QLabel(f"<h2>Portside {version()}</h2>", self)
        summary = QLabel(SUMMARY, self)
        summary.setWordWrap(True)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for name, value in self.rows:
            label = QLabel(value, self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[name] = label
            form.addRow(f"{name}:", label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy versions", self)
        self.copy_button.setToolTip("Copy these versions to the clipboard, for a bug report")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        # Wide enough for the summary in three lines and a long engine version, in the user's own font.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)

    def versions_text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.rows)

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(self.versions_text())
