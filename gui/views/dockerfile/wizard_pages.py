"""The seven pages of the Dockerfile wizard. Each page checks its own fields, says what is wrong next to
the field, and keeps Next disabled until it is right. Slow work (reading the folder, looking up installed
versions, rendering and linting) runs in the session's task pool, never on the GUI thread."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from gui.core.dockerfile import project_scan
from gui.core.dockerfile.recipe import AppKind, default_base_image
from gui.core.errors import EngineError
from gui.core.format import human_bytes
from gui.core.secrets import secret_problem
from gui.views.widgets.style import OK_COLOUR, WARNING_COLOUR, error_label_style

if TYPE_CHECKING:
    from gui.core.dockerfile.project_scan import ProjectScan
    from gui.views.dockerfile.wizard import DockerfileWizard

PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
SCAN_DELAY_MS = 300  # typing a path scans once the user pauses
ENV_NAME_HINT = "e.g. MODEL_NAME"


def fixed_font():
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def alive(obj, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A task callback that does nothing once the widget it updates is gone (the wizard was closed)."""

    def call(*args):
        if shiboken6.isValid(obj):
            fn(*args)

    return call


# Reading the folder (in a worker) -------------------------------------------------------------------


def folder_problem(text: str) -> str | None:
    """What is wrong with a typed project folder, or None. Touches the disk: call it in a worker."""
    path = Path(text).expanduser()
    if not path.is_absolute():
        return "Give the full path of the folder, starting from the top (for example /home/you/my-app)."
    if not path.exists():
        return f"There is no folder at {path}."
    if not path.is_dir():
        return f"{path} is a file, not a folder. Choose the folder that holds your app."
    if not os.access(path, os.R_OK | os.X_OK):
        return f"Portside may not read {path}. Choose a folder you own."
    if not os.access(path, os.W_OK):
        return f"Portside may not write in {path}, so it could not save the Dockerfile there."
    return None


def scan_folder(text: str) -> ProjectScan | str:
    """The scan of a project folder, or the sentence saying why there is none."""
    problem = folder_problem(text)
    if problem:
        return problem
    return project_scan.scan_project(Path(text).expanduser().resolve())


# The base page ---------------------------------------------------------------------------------------


class WizardPage(QWizardPage):
    """Shared bits: a back-reference to the wizard, messages next to fields, and the spec's problems."""

    def __init__(self, owner: DockerfileWizard, title: str, subtitle: str):
        super().__init__()
        self.owner = owner
        self.setTitle(title)
        self.setSubTitle(subtitle)

    def message_label(self, name: str, colour: str | None = None) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if colour == "error":
            label.setStyleSheet(error_label_style())
        elif colour is not None:
            label.setStyleSheet(f"color: {colour};")
        label.setVisible(False)
        return label

    @staticmethod
    def show_message(label: QLabel, text: str | None) -> None:
        label.setText(text or "")
        label.setVisible(bool(text))

    def problems(self) -> dict[str, str]:
        return self.owner.spec().problems()

    def refresh(self) -> None:
        """Show the current messages and tell the wizard whether Next may be pressed."""
        self.completeChanged.emit()


def with_error(widget: QWidget, error: QLabel, *more: QWidget) -> QVBoxLayout:
    """A field with its error message right under it."""
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(widget)
    box.addWidget(error)
    for extra in more:
        box.addWidget(extra)
    return box


# 1. Project folder ----------------------------------------------------------------------------------


class FolderPage(WizardPage):
    """The build context: the folder whose files Docker copies into the image."""

    scanned = Signal(object)  # ProjectScan

    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Project folder",
            "Choose the folder that holds your app. Docker sends this folder to the engine as the "
            "build context, and the Dockerfile is written into it.",
        )
        self.scan: ProjectScan | None = None
        self._generation = 0
        self._scanning = False

        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("wizard-folder")
        self.folder_edit.setPlaceholderText("e.g. /home/you/my-ai-app")
        self.folder_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("&Browse…", self)
        self.folder_error = self.message_label("wizard-folder-error", "error")
        self.status_label = self.message_label("wizard-folder-status")

        self.found_box = QGroupBox("What Portside found", self)
        self.dependency_value = self._value_label()
        self.entry_value = self._value_label()
        self.notebooks_value = self._value_label()
        self.models_value = self._value_label()
        self.dockerfile_value = self._value_label()
        found = QFormLayout(self.found_box)
        found.addRow("Dependencies:", self.dependency_value)
        found.addRow("Start script:", self.entry_value)
        found.addRow("Notebooks:", self.notebooks_value)
        found.addRow("Model files:", self.models_value)
        found.addRow("Docker files:", self.dockerfile_value)
        self.found_box.setVisible(False)

        self.existing_box = QGroupBox(self)
        self.existing_text = QLabel(self.existing_box)
        self.existing_text.setWordWrap(True)
        self.open_existing_button = QPushButton("&Open It in the Editor Instead", self.existing_box)
        self.open_existing_button.setObjectName("wizard-open-existing")
        self.replace_check = QCheckBox(self.existing_box)
        self.replace_check.setObjectName("wizard-replace")
        self.existing_error = self.message_label("wizard-existing-error", "error")
        existing = QVBoxLayout(self.existing_box)
        existing.addWidget(self.existing_text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_existing_button)
        buttons.addStretch(1)
        existing.addLayout(buttons)
        existing.addWidget(self.replace_check)
        existing.addWidget(self.existing_error)
        self.existing_box.setVisible(False)

        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.browse_button)
        field = QVBoxLayout()
        field.addLayout(row)
        field.addWidget(self.folder_error)
        field.addWidget(self.status_label)
        label = QLabel("&Folder:", self)
        label.setBuddy(self.folder_edit)
        form = QFormLayout()
        form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.found_box)
        layout.addWidget(self.existing_box)
        layout.addStretch(1)

        self._delay = QTimer(self, singleShot=True, interval=SCAN_DELAY_MS, timeout=self._start_scan)
        self.folder_edit.textChanged.connect(self._on_text_changed)
        self.browse_button.clicked.connect(self._browse)
        self.open_existing_button.clicked.connect(self._open_existing)
        self.replace_check.toggled.connect(self._update_existing_message)
        self._show_empty()

    def _value_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # The user's input

    def folder(self) -> Path | None:
        return self.scan.folder if self.scan else None

    def replace_agreed(self) -> bool:
        return self.replace_check.isChecked()

    def set_folder(self, folder: Path | str) -> None:
        """Fill in the folder and look at it at once."""
        self.folder_edit.setText(str(folder))
        self._delay.stop()
        self._start_scan()

    def _browse(self) -> None:
        start = self.folder_edit.text().strip() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Choose the Project Folder", start)
        if chosen:
            self.set_folder(chosen)

    def _open_existing(self) -> None:
        if self.scan is not None and self.scan.existing_dockerfile:
            self.owner.open_existing(self.scan.folder / self.scan.existing_dockerfile)

    def _on_text_changed(self, _text: str) -> None:
        self._generation += 1  # whatever is being scanned now is stale
        self.scan = None
        self._scanning = False
        self.show_message(self.folder_error, None)
        self.show_message(self.status_label, None)
        self.found_box.setVisible(False)
        self.existing_box.setVisible(False)
        self._delay.start()
        self.refresh()

    def _show_empty(self) -> None:
        self.show_message(self.folder_error, "Choose the project folder to continue.")

    def _start_scan(self) -> None:
        text = self.folder_edit.text().strip()
        self._generation += 1
        if not text:
            self._show_empty()
            self.refresh()
            return
        generation = self._generation
        self._scanning = True
        self.show_message(self.status_label, "Looking at the folder…")
        self.refresh()
        self.owner.session.tasks.submit(
            lambda: scan_folder(text),
            alive(self, lambda result: self._on_scanned(generation, result)),
            alive(self, lambda error: self._on_scan_failed(generation, error)),
        )

    def _on_scanned(self, generation: int, result: ProjectScan | str) -> None:
        if generation != self._generation:
            return
        self._scanning = False
        self.show_message(self.status_label, None)
        if isinstance(result, str):
            self.show_message(self.folder_error, result)
        else:
            self.scan = result
            self._show_scan(result)
            self.scanned.emit(result)
        self.refresh()

    def _on_scan_failed(self, generation: int, error: EngineError) -> None:
        if generation != self._generation:
            return
        self._scanning = False
        self.show_message(self.status_label, None)
        self.show_message(self.folder_error, f"Portside could not read the folder: {error.message}")
        self.refresh()

    # What was found

    def _show_scan(self, scan: ProjectScan) -> None:
        if scan.dependency_file:
            detail = ""
            if scan.dependency_file == "requirements.txt":
                count = len(scan.requirements)
                detail = f" ({count} package{'s' if count != 1 else ''}"
                detail += f", {len(scan.unpinned)} without a pinned version)" if scan.unpinned else ")"
            self.dependency_value.setText(scan.dependency_file + detail)
        else:
            self.dependency_value.setText("none found (no requirements.txt, pyproject.toml or environment.yml)")
        self.entry_value.setText(scan.entry_script or "none found (app.py, main.py, serve.py…)")
        if scan.notebooks:
            shown = ", ".join(scan.notebooks[:3]) + (" …" if len(scan.notebooks) > 3 else "")
            self.notebooks_value.setText(f"{len(scan.notebooks)}: {shown}")
        else:
            self.notebooks_value.setText("none")
        if scan.model_files:
            count = len(scan.model_files)
            self.models_value.setText(
                f"{count} file{'s' if count != 1 else ''}, {human_bytes(scan.model_bytes)} in all"
            )
            self.models_value.setToolTip(
                "\n".join(f"{name}  {human_bytes(size)}" for name, size in scan.model_files[:30])
            )
        else:
            self.models_value.setText("none")
            self.models_value.setToolTip("")
        docker_files = [
            name
            for name, present in (
                ("Dockerfile", bool(scan.existing_dockerfile)),
                (".dockerignore", scan.has_dockerignore),
            )
            if present
        ]
        self.dockerfile_value.setText(", ".join(docker_files) + " (already there)" if docker_files else "none yet")
        self.found_box.setVisible(True)

        self.replace_check.setChecked(False)  # a new folder asks again
        if docker_files:
            both = " and ".join(docker_files)
            self.existing_box.setTitle(f"This folder already has a {both}")
            self.open_existing_button.setVisible(bool(scan.existing_dockerfile))
            them = "them" if len(docker_files) > 1 else "it"
            self.replace_check.setText(f"&Replace {them} (a backup is kept)")
            self.existing_text.setText(
                "Portside never overwrites your files without asking. "
                + (
                    "You can open the Dockerfile you have in the editor, where it is explained and checked, or replace "
                    if scan.existing_dockerfile
                    else "You can replace "
                )
                + f"{them} with new ones: the old {'files are' if len(docker_files) > 1 else 'file is'} "
                "kept next to the new as .bak."
            )
            self.existing_box.setVisible(True)
        else:
            self.existing_box.setVisible(False)
        self._update_existing_message()

    def _has_existing(self) -> bool:
        return self.scan is not None and bool(self.scan.existing_dockerfile or self.scan.has_dockerignore)

    def _update_existing_message(self) -> None:
        waiting = self._has_existing() and not self.replace_check.isChecked()
        if waiting and self.scan is not None and self.scan.existing_dockerfile:
            text = "Choose one to continue: open the Dockerfile in the editor, or tick Replace."
        else:
            text = "Tick Replace to continue." if waiting else None
        self.show_message(self.existing_error, text)
        self.refresh()

    def isComplete(self) -> bool:
        if self.scan is None or self._scanning:
            return False
        return not self._has_existing() or self.replace_check.isChecked()


# 2. Kind of app -------------------------------------------------------------------------------------


class KindPage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner, "Kind of app", "Each kind has its own template: a base image, how it starts and what it needs."
        )
        self._suggested_for: object = None
        self.suggestion_label = self.message_label("wizard-kind-suggestion")
        self.kind_error = self.message_label("wizard-kind-error", "error")
        self.group = QButtonGroup(self)
        self.kind_buttons: dict[AppKind, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.suggestion_label)
        indent = self.style().pixelMetric(QStyle.PixelMetric.PM_ExclusiveIndicatorWidth) + self.style().pixelMetric(
            QStyle.PixelMetric.PM_RadioButtonLabelSpacing
        )
        for kind in AppKind:
            button = QRadioButton(kind.title, self)
            button.setObjectName(f"wizard-kind-{kind.name.lower()}")
            summary_text = kind.summary
            if kind.uses_gpu:
                summary_text += " The machine that runs it needs the NVIDIA Container Toolkit."
            summary = QLabel(summary_text, self)
            summary.setWordWrap(True)
            summary.setContentsMargins(indent, 0, 0, 0)
            self.group.addButton(button)
            self.kind_buttons[kind] = button
            layout.addWidget(button)
            layout.addWidget(summary)
            layout.addSpacing(self.fontMetrics().lineSpacing() // 3)
        layout.addWidget(self.kind_error)
        layout.addStretch(1)
        self.group.buttonToggled.connect(lambda _button, _checked: self._update())
        self._update()

    def kind(self) -> AppKind | None:
        for kind, button in self.kind_buttons.items():
            if button.isChecked():
                return kind
        return None

    def initializePage(self) -> None:
        scan = self.owner.scan
        if scan is not self._suggested_for:  # a new folder: a new suggestion
            self._suggested_for = scan
            evidence = scan is not None and bool(
                scan.entry_script or scan.dependency_file or scan.notebooks or scan.frameworks
            )
            if evidence:
                self.kind_buttons[scan.suggested_kind].setChecked(True)
                found = sorted(scan.frameworks)
                because = f" (found {', '.join(found)})" if found else ""
                self.show_message(
                    self.suggestion_label,
                    f"Suggested from what is in the folder{because}: {scan.suggested_kind.title}.",
                )
            else:
                self.group.setExclusive(False)
                for button in self.kind_buttons.values():
                    button.setChecked(False)
                self.group.setExclusive(True)
                self.show_message(
                    self.suggestion_label, "Portside could not tell from the folder what kind of app this is."
                )
        self._update()

    def _update(self) -> None:
        self.show_message(self.kind_error, None if self.kind() else "Choose the kind of app to continue.")
        self.refresh()

    def isComplete(self) -> bool:
        return self.kind() is not None


# 3. Base image --------------------------------------------------------------------------------------


class BasePage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Base image",
            "Every image starts FROM another one. A pinned, slim base keeps the image small and its builds repeatable.",
        )
        self.filled_for: AppKind | None = None
        self.image_combo = QComboBox(self)
        self.image_combo.setObjectName("wizard-base-image")
        self.image_combo.setEditable(True)
        self.image_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.image_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.image_combo.setMinimumContentsLength(40)
        # No inline completion: typing python:3.12 must not silently become python:3.12-slim.
        self.image_combo.setCompleter(None)
        self.python_combo = QComboBox(self)
        self.python_combo.setObjectName("wizard-python-version")
        self.python_combo.addItems(PYTHON_VERSIONS)
        self.image_error = self.message_label("wizard-base-error", "error")
        self.python_error = self.message_label("wizard-python-error", "error")
        self.warnings_label = self.message_label("wizard-base-warnings", WARNING_COLOUR)
        self.size_label = self.message_label("wizard-base-size")

        image_label = QLabel("&Base image:", self)
        image_label.setBuddy(self.image_combo)
        python_label = QLabel("&Python version:", self)
        python_label.setBuddy(self.python_combo)
        python_row = QHBoxLayout()
        python_row.addWidget(self.python_combo)
        python_row.addStretch(1)
        python_field = QVBoxLayout()
        python_field.addLayout(python_row)
        python_field.addWidget(self.python_error)
        form = QFormLayout()
        form.addRow(python_label, python_field)
        form.addRow(image_label, with_error(self.image_combo, self.image_error, self.warnings_label))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.size_label)
        layout.addStretch(1)

        self.image_combo.editTextChanged.connect(lambda _text: self._update())
        self.python_combo.currentTextChanged.connect(self._on_python_changed)

    def base_image(self) -> str:
        return self.image_combo.currentText().strip()

    def python_version(self) -> str:
        return self.python_combo.currentText()

    def spec_changes(self, kind: AppKind) -> dict:
        if self.filled_for is not kind:
            return {}
        return {"base_image": self.base_image(), "python_version": self.python_version()}

    def initializePage(self) -> None:
        kind = self.owner.kind()
        if self.filled_for is not kind:
            defaults = self.owner.default_spec(kind)
            self.filled_for = kind
            self.python_combo.blockSignals(True)
            self.python_combo.setCurrentText(defaults.python_version)
            self.python_combo.blockSignals(False)
            self._fill_images(kind, defaults.base_image)
            # Framework images bring their own Python: the version is theirs, not a choice.
            self.python_combo.setEnabled(not kind.uses_gpu)
            self.python_combo.setToolTip("The framework image brings its own Python." if kind.uses_gpu else "")
        self._update()

    def _fill_images(self, kind: AppKind, current: str) -> None:
        choices = [default_base_image(kind, self.python_version())]
        for version in PYTHON_VERSIONS:
            image = default_base_image(kind, version)
            if image not in choices:
                choices.append(image)
        self.image_combo.blockSignals(True)
        self.image_combo.clear()
        self.image_combo.addItems(choices)
        self.image_combo.setEditText(current)
        self.image_combo.blockSignals(False)

    def _on_python_changed(self, version: str) -> None:
        kind = self.owner.kind()
        if self.filled_for is kind and any(
            self.base_image() == default_base_image(kind, old) for old in PYTHON_VERSIONS
        ):
            # Portside's own Python base follows the version; any other base stays as the user set it.
            self._fill_images(kind, default_base_image(kind, version))
        self._update()

    def _update(self) -> None:
        if self.filled_for is None:
            return
        spec = self.owner.spec()
        problems = spec.problems()
        self.show_message(self.image_error, problems.get("base_image"))
        self.show_message(self.python_error, problems.get("python_version"))
        warnings = [] if problems.get("base_image") else spec.base_image_warnings()
        self.show_message(self.warnings_label, "\n\n".join(warnings))
        # The warnings usually say what the base costs; for other images a rough note stands in.
        says_size = any(" MB" in text or " GB" in text or "large" in text for text in warnings)
        note = None if problems.get("base_image") or says_size else size_note(spec.base_image)
        self.show_message(self.size_label, note)
        self.refresh()

    def isComplete(self) -> bool:
        if self.filled_for is None:
            return False
        problems = self.problems()
        return "base_image" not in problems and "python_version" not in problems


def size_note(image: str) -> str:
    """A rough idea of what the base costs in download and disk, in plain words."""
    name = image.split("@")[0].rsplit(":", 1)
    repository, tag = name[0], name[1] if len(name) > 1 else ""
    if repository.endswith("python") and "slim" in tag:
        return "Size: a slim Python base is about 45 MB to download (about 130 MB on disk); your packages come on top."
    if repository.endswith("python") and "alpine" in tag:
        return (
            "Size: Alpine is small (about 20 MB), but many AI packages have no wheels for it and compile "
            "for a long time."
        )
    if repository.endswith("python"):
        return (
            "Size: the full Python image is about 380 MB to download (about 1 GB on disk), because it "
            "carries compilers and many libraries. The -slim variant is usually enough."
        )
    if "nvidia/cuda" in repository:
        if "devel" in tag:
            return (
                "Size: a CUDA devel image is several GB: it carries the compilers. Use it in a builder "
                "stage and a -runtime image to run."
            )
        return (
            "Size: a CUDA runtime image is about 1.5 GB to download (3 GB and more on disk with cuDNN); "
            "the frameworks add several GB."
        )
    if "pytorch" in repository or "tensorflow" in repository:
        return "Size: framework images are large, often 3 to 8 GB on disk, because they bring CUDA with them."
    return "Size: check the image's size on its registry page; each layer you add comes on top."


# 4. Dependencies ------------------------------------------------------------------------------------


class DepsPage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Dependencies",
            "Your packages are installed while the image is built, so the container starts ready.",
        )
        self.filled_for: object = None
        self.pins: dict[str, str] = {}
        self._looking_up = False
        self._generation = 0

        self.file_label = QLabel(self)
        self.file_label.setObjectName("wizard-deps-file")
        self.file_label.setWordWrap(True)
        self.how_label = QLabel(self)
        self.how_label.setWordWrap(True)
        self.how_label.setTextFormat(Qt.TextFormat.RichText)

        self.unpinned_box = QGroupBox("Requirements without a pinned version", self)
        self.unpinned_text = QLabel(self.unpinned_box)
        self.unpinned_text.setWordWrap(True)
        self.unpinned_view = QTreeWidget(self.unpinned_box)
        self.unpinned_view.setObjectName("wizard-unpinned")
        self.unpinned_view.setHeaderLabels(["Requirement", "Installed here"])
        self.unpinned_view.setRootIsDecorated(False)
        self.unpinned_view.setUniformRowHeights(True)
        self.unpinned_view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.unpinned_view.setMaximumHeight(self.fontMetrics().lineSpacing() * 9)
        self.pin_button = QPushButton("&Pin to the Versions Installed Here", self.unpinned_box)
        self.pin_button.setObjectName("wizard-pin")
        self.pin_status = self.message_label("wizard-pin-status")
        self.rewrite_check = QCheckBox(self.unpinned_box)
        self.rewrite_check.setObjectName("wizard-rewrite-requirements")
        self.rewrite_check.setVisible(False)
        pins = QVBoxLayout(self.unpinned_box)
        pins.addWidget(self.unpinned_text)
        pins.addWidget(self.unpinned_view)
        row = QHBoxLayout()
        row.addWidget(self.pin_button)
        row.addStretch(1)
        pins.addLayout(row)
        pins.addWidget(self.pin_status)
        pins.addWidget(self.rewrite_check)
        self.unpinned_box.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.how_label)
        layout.addWidget(self.unpinned_box)
        layout.addStretch(1)
        self.pin_button.clicked.connect(self._look_up_versions)

    def spec_changes(self, kind: AppKind) -> dict:
        return {}  # the dependency file comes from the scan; pinning changes requirements.txt, not the Dockerfile

    def pins_to_write(self) -> dict[str, str]:
        """The versions to write into requirements.txt, only when the user ticked it."""
        offered = not self.rewrite_check.isHidden()  # isVisible() is False whenever another page is shown
        return dict(self.pins) if offered and self.rewrite_check.isChecked() else {}

    def initializePage(self) -> None:
        scan = self.owner.scan
        if scan is self.filled_for:
            return
        self.filled_for = scan
        self._generation += 1
        self._looking_up = False
        self.pins = {}
        self.rewrite_check.setChecked(False)
        self.rewrite_check.setVisible(False)
        self.show_message(self.pin_status, None)
        dependency_file = scan.dependency_file if scan else None
        if dependency_file is None:
            self.file_label.setText(
                "<b>No dependency file found.</b> The image gets Python's standard library "
                "only. To install packages, add a requirements.txt to the folder (one package "
                "a line, e.g. <tt>flask==3.0.3</tt>) and go back to the first page."
            )
            self.how_label.setText("")
        else:
            self.file_label.setText(f"Found <b>{dependency_file}</b>: the image installs what it lists.")
            self.how_label.setText(install_explanation(dependency_file))
        unpinned = scan.unpinned if scan and dependency_file == "requirements.txt" else ()
        self.unpinned_view.clear()
        for name in unpinned:
            self.unpinned_view.addTopLevelItem(QTreeWidgetItem([name, ""]))
        self.unpinned_text.setText(
            f"{len(unpinned)} requirement{'s have' if len(unpinned) != 1 else ' has'} no version (no ==). A build "
            "next month may install newer versions than today's and behave differently. Pinning makes every "
            "build install the same versions."
        )
        self.pin_button.setEnabled(True)
        self.unpinned_box.setVisible(bool(unpinned))
        self.refresh()

    def _look_up_versions(self) -> None:
        scan = self.owner.scan
        if scan is None or self._looking_up:
            return
        names = tuple(scan.unpinned)
        self._looking_up = True
        self._generation += 1
        generation = self._generation
        self.pin_button.setEnabled(False)
        self.show_message(self.pin_status, "Looking up the installed versions…")
        self.owner.session.tasks.submit(
            lambda: project_scan.pin_suggestions(names),
            alive(self, lambda pins: self._on_versions(generation, pins)),
            alive(self, lambda error: self._on_versions_failed(generation, error)),
        )

    def _on_versions(self, generation: int, pins: dict[str, str]) -> None:
        if generation != self._generation:
            return
        self._looking_up = False
        self.pin_button.setEnabled(True)
        self.pins = dict(pins)
        unknown = []
        for index in range(self.unpinned_view.topLevelItemCount()):
            item = self.unpinned_view.topLevelItem(index)
            version = self.pins.get(item.text(0))
            item.setText(1, version or "not installed here")
            if not version:
                unknown.append(item.text(0))
        if not self.pins:
            self.show_message(
                self.pin_status,
                "None of them is installed in the Python that runs Portside, so "
                "there is no version to copy. Pin them by hand in "
                "requirements.txt.",
            )
            self.rewrite_check.setVisible(False)
        else:
            note = f" Not installed here, left as they are: {', '.join(unknown)}." if unknown else ""
            self.show_message(
                self.pin_status, f"Found {len(self.pins)} installed version{'s' if len(self.pins) != 1 else ''}.{note}"
            )
            self.rewrite_check.setText("&Write these versions into requirements.txt (a backup is kept)")
            self.rewrite_check.setToolTip("requirements.txt changes only when you press Write at the end.")
            self.rewrite_check.setVisible(True)
        self.refresh()

    def _on_versions_failed(self, generation: int, error: EngineError) -> None:
        if generation != self._generation:
            return
        self._looking_up = False
        self.pin_button.setEnabled(True)
        self.show_message(self.pin_status, f"Could not look up the installed versions: {error.message}")
        self.refresh()


def install_explanation(dependency_file: str) -> str:
    if dependency_file == "requirements.txt":
        return (
            "The Dockerfile copies <tt>requirements.txt</tt> on its own and runs "
            "<tt>pip install --no-cache-dir -r requirements.txt</tt> <i>before</i> it copies the rest of your "
            "code. Docker keeps that step's result as a cached layer, so when you change only your code the "
            "next build skips the install. <tt>--no-cache-dir</tt> keeps pip's download cache out of the "
            "image, which makes it smaller."
        )
    if dependency_file == "pyproject.toml":
        return (
            "The Dockerfile copies <tt>pyproject.toml</tt> first and installs with "
            "<tt>pip install --no-cache-dir</tt> before it copies the rest of your code, so the install is a "
            "cached layer that survives code changes. <tt>--no-cache-dir</tt> keeps pip's download cache out "
            "of the image."
        )
    return (
        f"The Dockerfile copies <tt>{dependency_file}</tt> before the rest of your code and installs from it, "
        "so the install is a cached layer that survives code changes. Package caches are left out of the "
        "image."
    )


def pin_requirements(text: str, pins: dict[str, str]) -> str:
    """requirements.txt with `name==version` for each pinned name that had no exact version.

    Comments, options (-r, -e, --index-url), URLs, extras and environment markers are kept as they are."""
    wanted = {_normal(name): version for name, version in pins.items()}
    pattern = re.compile(
        r"^(?P<lead>\s*)(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\s*\[[^\]]*\])?"
        r"(?P<spec>[^;#]*?)(?P<rest>\s*(?:;[^#]*)?(?:\s+#.*)?)$"
    )
    lines = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        match = pattern.match(body)
        if (
            match
            and not body.lstrip().startswith(("-", "#"))
            and "@" not in body.split("#")[0]
            and "://" not in body
            and "==" not in match["spec"]
        ):
            version = wanted.get(_normal(match["name"]))
            if version:
                body = f"{match['lead']}{match['name']}{match['extras'] or ''}=={version}{match['rest']}"
        lines.append(body + ending)
    return "".join(lines)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# 5. Files and start ---------------------------------------------------------------------------------


class FilesPage(WizardPage):
    FIELDS = ("workdir", "port", "command")

    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Files and start command",
            "Where your files go inside the image, the port your app listens on, and the command that starts it.",
        )
        self.filled_for: tuple | None = None
        self.workdir_edit = QLineEdit(self)
        self.workdir_edit.setObjectName("wizard-workdir")
        self.workdir_edit.setPlaceholderText("/app")
        self.port_edit = QLineEdit(self)
        self.port_edit.setObjectName("wizard-port")
        self.port_edit.setPlaceholderText("none: the app serves nothing over the network")
        self.command_edit = QLineEdit(self)
        self.command_edit.setObjectName("wizard-command")
        self.command_edit.setFont(fixed_font())
        self.command_edit.setPlaceholderText("e.g. python app.py")
        self.workdir_error = self.message_label("wizard-workdir-error", "error")
        self.port_error = self.message_label("wizard-port-error", "error")
        self.command_error = self.message_label("wizard-command-error", "error")
        self.port_hint = self.message_label("wizard-port-hint")
        self.command_preview = self.message_label("wizard-command-preview")
        self.command_preview.setTextFormat(Qt.TextFormat.RichText)
        self.command_preview.setFont(fixed_font())
        self.files_note = QLabel(self)
        self.files_note.setWordWrap(True)
        self.errors = {"workdir": self.workdir_error, "port": self.port_error, "command": self.command_error}

        form = QFormLayout()
        for text, edit, error, *more in (
            ("&Working directory:", self.workdir_edit, self.workdir_error),
            ("&Port:", self.port_edit, self.port_error, self.port_hint),
            ("&Start command:", self.command_edit, self.command_error, self.command_preview),
        ):
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addRow(label, with_error(edit, error, *more))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.files_note)
        layout.addStretch(1)
        for edit in (self.workdir_edit, self.port_edit, self.command_edit):
            edit.textChanged.connect(lambda _text: self._update())

    # Parsing what was typed

    def port_text_problem(self) -> str | None:
        text = self.port_edit.text().strip()
        if text and not text.isdigit():
            return "The port is a whole number from 1 to 65535, such as 8000, or empty when nothing listens."
        return None

    def port(self) -> int | None:
        text = self.port_edit.text().strip()
        return int(text) if text.isdigit() else None

    def command_text_problem(self) -> str | None:
        try:
            shlex.split(self.command_edit.text())
        except ValueError as exc:
            if "quotation" in str(exc):
                return "The start command has a quote that is never closed. Close it, or remove it."
            return "The start command ends with a lone backslash. Remove it, or put something after it."
        return None

    def command(self) -> tuple[str, ...]:
        try:
            return tuple(shlex.split(self.command_edit.text()))
        except ValueError:
            return ()

    def spec_changes(self, kind: AppKind) -> dict:
        if self.filled_for != (id(self.owner.scan), kind):
            return {}
        return {"workdir": self.workdir_edit.text().strip(), "port": self.port(), "command": self.command()}

    def initializePage(self) -> None:
        kind = self.owner.kind()
        key = (id(self.owner.scan), kind)
        if self.filled_for != key:
            defaults = self.owner.default_spec(kind)
            self.filled_for = key
            for edit, text in (
                (self.workdir_edit, defaults.workdir),
                (self.port_edit, "" if defaults.port is None else str(defaults.port)),
                (self.command_edit, shlex.join(defaults.command)),
            ):
                edit.blockSignals(True)
                edit.setText(text)
                edit.blockSignals(False)
            scan = self.owner.scan
            kind_port = kind.default_port if kind else None
            self.port_hint.setText(
                f"{kind.title if kind else 'This kind'} usually listens on {kind_port}. "
                "The Run dialog publishes it on your machine."
                if kind_port
                else "Leave it empty if the app serves nothing over the network."
            )
            self.port_hint.setVisible(True)
            self.files_note.setText(
                "Everything in the project folder is copied into the working directory, except what "
                ".dockerignore leaves out (Git history, virtual environments, caches"
                + (
                    ", and large data and model files unless you include them on the next page"
                    if scan and scan.model_files
                    else ""
                )
                + "). You see the .dockerignore on the Review page."
            )
        self._update()

    def _update(self) -> None:
        if self.filled_for is None:
            return
        problems = self.problems()
        own = {"port": self.port_text_problem(), "command": self.command_text_problem()}
        for field, label in self.errors.items():
            self.show_message(label, own.get(field) or problems.get(field))
        command = self.command()
        if command and not own["command"]:
            # Lines break between the parts, never inside one ("--port=8000" stays whole).
            parts = [
                f"<span style='white-space:pre'>{html.escape(_json_string(part))}"
                f"{',' if index < len(command) - 1 else ''}</span>"
                for index, part in enumerate(command)
            ]
            self.show_message(self.command_preview, f"In the Dockerfile: CMD [{' '.join(parts)}]")
        else:
            self.show_message(self.command_preview, None)
        self.refresh()

    def isComplete(self) -> bool:
        if self.filled_for is None or self.port_text_problem() or self.command_text_problem():
            return False
        problems = self.problems()
        return not any(field in problems for field in self.FIELDS)


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# 6. Good practice -----------------------------------------------------------------------------------


class PracticePage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Good practice",
            "Options that make the image smaller, safer and easier to run. The defaults suit most apps.",
        )
        self.filled_for: tuple | None = None
        self._secret_typed = False
        self.multi_stage_check = QCheckBox("&Multi-stage build", self)
        self.multi_stage_check.setObjectName("wizard-multi-stage")
        self.non_root_check = QCheckBox("Run as a &non-root user", self)
        self.non_root_check.setObjectName("wizard-non-root")
        self.healthcheck_check = QCheckBox("Add a &HEALTHCHECK", self)
        self.healthcheck_check.setObjectName("wizard-healthcheck")
        self.healthcheck_note = self.message_label("wizard-healthcheck-note")
        self.healthcheck_note.setContentsMargins(self._indent(), 0, 0, 0)
        # A choice here can clash with an earlier page (Jupyter refuses to run as root, say).
        self.options_error = self.message_label("wizard-options-error", "error")
        self.data_check = QCheckBox("Include large &data and model files in the image", self)
        self.data_check.setObjectName("wizard-include-data")
        self.data_note = self._explanation("")
        self.env_box = QGroupBox("Environment variables", self)
        self.env_intro = QLabel(
            "Settings baked into the image with ENV. Secrets (keys, tokens, passwords) "
            "never go here: they are asked for when the container runs.",
            self.env_box,
        )
        self.env_intro.setWordWrap(True)
        self.env_name_edit = QLineEdit(self.env_box)
        self.env_name_edit.setObjectName("wizard-env-name")
        self.env_name_edit.setPlaceholderText(ENV_NAME_HINT)
        self.env_value_edit = QLineEdit(self.env_box)
        self.env_value_edit.setObjectName("wizard-env-value")
        self.env_value_edit.setPlaceholderText("value")
        self.env_add_button = QPushButton("&Add", self.env_box)
        self.env_add_button.setObjectName("wizard-env-add")
        self.env_error = self.message_label("wizard-env-error", "error")
        self.secret_label = self.message_label("wizard-secret-note", WARNING_COLOUR)
        self.env_table = QTableWidget(0, 2, self.env_box)
        self.env_table.setObjectName("wizard-env-table")
        self.env_table.setHorizontalHeaderLabels(["Name", "Value"])
        self.env_table.horizontalHeader().setStretchLastSection(True)
        self.env_table.verticalHeader().setVisible(False)
        self.env_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.env_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.env_remove_button = QPushButton("Remove", self.env_box)
        self.runtime_label = QLabel("Asked for at run time (never stored in the image):", self.env_box)
        self.runtime_list = QListWidget(self.env_box)
        self.runtime_list.setObjectName("wizard-runtime-env")
        self.runtime_remove_button = QPushButton("Remove", self.env_box)
        lines = self.fontMetrics().lineSpacing()
        for view in (self.env_table, self.runtime_list):
            view.setMinimumHeight(lines * 4)

        env = QVBoxLayout(self.env_box)
        env.addWidget(self.env_intro)
        entry = QHBoxLayout()
        entry.addWidget(self.env_name_edit, 2)
        entry.addWidget(QLabel("=", self.env_box))
        entry.addWidget(self.env_value_edit, 3)
        entry.addWidget(self.env_add_button)
        env.addLayout(entry)
        env.addWidget(self.env_error)
        env.addWidget(self.secret_label)
        tables = QHBoxLayout()
        baked = QVBoxLayout()
        baked.addWidget(QLabel("Baked into the image (ENV):", self.env_box))
        baked.addWidget(self.env_table)
        baked.addWidget(self.env_remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        asked = QVBoxLayout()
        asked.addWidget(self.runtime_label)
        asked.addWidget(self.runtime_list)
        asked.addWidget(self.runtime_remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        tables.addLayout(baked, 3)
        tables.addLayout(asked, 2)
        env.addLayout(tables)

        layout = QVBoxLayout(self)
        for check, explanation in (
            (
                self.multi_stage_check,
                "Compilers and build tools stay in a builder stage; the image you run "
                "gets only the installed packages, on a slim base.",
            ),
            (
                self.non_root_check,
                "A bug in the app, or an attacker using one, cannot change the system inside the container.",
            ),
            (
                self.healthcheck_check,
                "Docker asks the app over HTTP every 30 seconds whether it still "
                "answers, and marks it unhealthy when it does not.",
            ),
        ):
            layout.addWidget(check)
            layout.addWidget(self._explanation(explanation))
        layout.addWidget(self.healthcheck_note)
        layout.addWidget(self.options_error)
        layout.addWidget(self.data_check)
        layout.addWidget(self.data_note)
        layout.addWidget(self.env_box, 1)

        for check in (self.multi_stage_check, self.non_root_check, self.healthcheck_check, self.data_check):
            check.toggled.connect(lambda _checked: self._update())
        self.env_name_edit.textChanged.connect(lambda _text: self._update())
        # Enter in a variable's fields adds it (and does not press Next, the dialog's default button).
        self.env_name_edit.installEventFilter(self)
        self.env_value_edit.installEventFilter(self)
        self.env_add_button.clicked.connect(self.add_variable)
        self.env_remove_button.clicked.connect(self._remove_variable)
        self.runtime_remove_button.clicked.connect(self._remove_runtime)

    def eventFilter(self, watched, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched in (self.env_name_edit, self.env_value_edit)
            and self.env_name_edit.text().strip()
        ):
            self.add_variable()
            return True
        return super().eventFilter(watched, event)

    def _explanation(self, text: str) -> QLabel:
        """A line under a check box, indented to its text."""
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setContentsMargins(self._indent(), 0, 0, 0)
        return label

    def _indent(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + self.style().pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing
        )

    # Values

    def env(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (self.env_table.item(row, 0).text(), self.env_table.item(row, 1).text())
            for row in range(self.env_table.rowCount())
        )

    def runtime_env(self) -> tuple[str, ...]:
        return tuple(self.runtime_list.item(row).text() for row in range(self.runtime_list.count()))

    def spec_changes(self, kind: AppKind) -> dict:
        changes = {"env": self.env(), "runtime_env": self.runtime_env()}
        if self.filled_for == (id(self.owner.scan), kind):
            changes.update(
                multi_stage=self.multi_stage_check.isChecked(),
                non_root=self.non_root_check.isChecked(),
                healthcheck=self.healthcheck_check.isChecked(),
                include_data=self.data_check.isChecked(),
            )
        return changes

    def initializePage(self) -> None:
        kind = self.owner.kind()
        key = (id(self.owner.scan), kind)
        if self.filled_for != key:
            defaults = self.owner.default_spec(kind)
            self.filled_for = key
            for check, value in (
                (self.multi_stage_check, defaults.multi_stage),
                (self.non_root_check, defaults.non_root),
                (self.healthcheck_check, defaults.healthcheck),
                (self.data_check, defaults.include_data),
            ):
                check.blockSignals(True)
                check.setChecked(value)
                check.blockSignals(False)
            scan = self.owner.scan
            if scan and scan.model_files:
                self.data_note.setText(
                    f"The folder has {len(scan.model_files)} model file{'s' if len(scan.model_files) != 1 else ''}"
                    f" ({human_bytes(scan.model_bytes)}). Left out, the image stays small and you mount them when "
                    "the container runs (a volume); included, the image carries them everywhere it goes."
                )
            else:
                self.data_note.setText(
                    "Left out by default: data and model files are better mounted when the "
                    "container runs (a volume) than copied into every image."
                )
        port = self.owner.files_page.port() if self.owner.files_page.filled_for else self.owner.spec().port
        if port is None:
            self.healthcheck_check.blockSignals(True)
            self.healthcheck_check.setChecked(False)
            self.healthcheck_check.blockSignals(False)
        self.healthcheck_check.setEnabled(port is not None)
        self.show_message(
            self.healthcheck_note,
            None
            if port is not None
            else "A health check needs a port to ask; this app has none (see Files and start).",
        )
        self._update()

    # Variables

    def _name_problem(self, name: str) -> str | None:
        if not name:
            return None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return (
                "A variable name has letters, digits and underscores only, and does not start with a digit "
                "(for example MODEL_NAME)."
            )
        return None

    def add_variable(self) -> None:
        name = self.env_name_edit.text().strip()
        value = self.env_value_edit.text()
        if not name or self._name_problem(name):
            self._update()
            return
        why = secret_problem(name)
        if why:
            # Refused as ENV: the value would be readable by anyone with the image. Ask for it at run time.
            self._remove_rows_named(name)
            if name not in self.runtime_env():
                item = QListWidgetItem(name)
                item.setToolTip(why)
                self.runtime_list.addItem(item)
            self.show_message(
                self.secret_label,
                f"{why} {name} was moved to the variables asked for at run "
                "time" + (", and its value was not kept." if value else "."),
            )
            self._secret_typed = False
        else:
            self._remove_rows_named(name)
            for row in range(self.runtime_list.count() - 1, -1, -1):
                if self.runtime_list.item(row).text() == name:
                    self.runtime_list.takeItem(row)
            row = self.env_table.rowCount()
            self.env_table.insertRow(row)
            self.env_table.setItem(row, 0, QTableWidgetItem(name))
            self.env_table.setItem(row, 1, QTableWidgetItem(value))
        self.env_name_edit.clear()
        self.env_value_edit.clear()
        self.env_name_edit.setFocus()
        self._update()

    def _remove_rows_named(self, name: str) -> None:
        for row in range(self.env_table.rowCount() - 1, -1, -1):
            if self.env_table.item(row, 0).text() == name:
                self.env_table.removeRow(row)

    def _remove_variable(self) -> None:
        rows = sorted({index.row() for index in self.env_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.env_table.removeRow(row)
        self._update()

    def _remove_runtime(self) -> None:
        for item in self.runtime_list.selectedItems():
            self.runtime_list.takeItem(self.runtime_list.row(item))
        if not self.runtime_list.count():
            self.show_message(self.secret_label, None)
        self._update()

    def _update(self) -> None:
        if self.filled_for is None:
            return
        name = self.env_name_edit.text().strip()
        problem = self._name_problem(name)
        spec_problems = self.problems()
        problem = problem or spec_problems.get("env") or spec_problems.get("runtime_env")
        self.show_message(self.env_error, problem)
        others = [text for field, text in spec_problems.items() if field not in ("env", "runtime_env")]
        self.show_message(self.options_error, "\n".join(others))
        if name and not problem and secret_problem(name):
            # Said before Add is pressed, so nobody types a real key into the value field for nothing.
            self.env_add_button.setText("&Ask at Run Time")
            self.show_message(self.secret_label, secret_problem(name))
            self._secret_typed = True
        else:
            self.env_add_button.setText("&Add")
            if self._secret_typed:  # the hint was about the name being typed, which is gone now
                self._secret_typed = False
                self.show_message(self.secret_label, None)
        self.env_add_button.setEnabled(bool(name) and not self._name_problem(name))
        self.refresh()

    def validatePage(self) -> bool:
        if self.env_name_edit.text().strip():
            self.add_variable()  # a variable typed but not added is still what the user meant
        return self.isComplete()

    def isComplete(self) -> bool:
        # The last page with choices: nothing goes to Review that the spec finds wrong, whichever page set it.
        if self.filled_for is None or self._name_problem(self.env_name_edit.text().strip()):
            return False
        return not self.problems()


# 7. Review ------------------------------------------------------------------------------------------


class ReviewPage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner, "Review and write", "This is what Portside writes. Finish writes the files into the project folder."
        )
        self.dockerfile_text = ""
        self.dockerignore_text = ""
        self.findings: list = []
        self._generation = 0
        self._rendered = False
        self.writing = False
        self.done = False

        self.tabs = QTabWidget(self)
        self.dockerfile_view = self._code_view("wizard-dockerfile")
        self.dockerignore_view = self._code_view("wizard-dockerignore")
        self.tabs.addTab(self.dockerfile_view, "Dockerfile")
        self.tabs.addTab(self.dockerignore_view, ".dockerignore")
        self.lint_status = QLabel(self)
        self.lint_status.setObjectName("wizard-lint-status")
        self.lint_status.setWordWrap(True)
        self.findings_view = QTreeWidget(self)
        self.findings_view.setObjectName("wizard-findings")
        self.findings_view.setHeaderLabels(["Line", "Rule", "Problem"])
        self.findings_view.setRootIsDecorated(False)
        self.findings_view.setWordWrap(True)
        self.findings_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.findings_view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.findings_view.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        self.findings_view.setVisible(False)
        self.plan_label = QLabel(self)
        self.plan_label.setObjectName("wizard-plan")
        self.plan_label.setWordWrap(True)
        self.write_error = self.message_label("wizard-write-error", "error")

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.lint_status)
        layout.addWidget(self.findings_view)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.write_error)

    def _code_view(self, name: str) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setObjectName(name)
        view.setReadOnly(True)
        view.setFont(fixed_font())
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        return view

    def initializePage(self) -> None:
        self._rendered = False
        self.done = False
        self.show_message(self.write_error, None)
        self.dockerfile_view.setPlainText("")
        self.dockerignore_view.setPlainText("")
        self.findings_view.clear()
        self.findings_view.setVisible(False)
        self._set_lint_status("Writing the Dockerfile and checking it…", None)
        self.plan_label.setText(self.owner.write_plan_text())
        self._generation += 1
        generation = self._generation
        spec, scan = self.owner.spec(), self.owner.scan
        self.owner.session.tasks.submit(
            lambda: render_and_lint(spec, scan),
            alive(self, lambda result: self._on_rendered(generation, result)),
            alive(self, lambda error: self._on_render_failed(generation, error)),
        )
        self.refresh()

    def cleanupPage(self) -> None:
        self._generation += 1  # going back: a render still in flight is no longer wanted
        self._rendered = False

    def _on_rendered(self, generation: int, result: tuple[str, str, list]) -> None:
        if generation != self._generation:
            return
        self.dockerfile_text, self.dockerignore_text, self.findings = result
        self.dockerfile_view.setPlainText(self.dockerfile_text)
        self.dockerignore_view.setPlainText(self.dockerignore_text)
        self._rendered = True
        if not self.findings:
            self._set_lint_status("Checked with hadolint and Portside's rules: No problems found.", OK_COLOUR)
        else:
            count = len(self.findings)
            self._set_lint_status(
                f"Checked with hadolint and Portside's rules: {count} finding"
                f"{'s' if count != 1 else ''}. You can fix them in the editor after writing.",
                WARNING_COLOUR,
            )
            for finding in self.findings:
                item = QTreeWidgetItem([str(finding.line), finding.rule, finding.message])
                item.setToolTip(2, finding.why or finding.message)
                self.findings_view.addTopLevelItem(item)
            self.findings_view.setVisible(True)
        self.refresh()

    def _on_render_failed(self, generation: int, error: EngineError) -> None:
        if generation != self._generation:
            return
        self._set_lint_status(None, None)
        self.show_message(
            self.write_error, f"Portside could not write the Dockerfile from its template: {error.message}"
        )
        self.refresh()

    def _set_lint_status(self, text: str | None, colour: str | None) -> None:
        self.lint_status.setText(text or "")
        self.lint_status.setVisible(bool(text))
        self.lint_status.setStyleSheet(f"color: {colour};" if colour else "")

    def show_write_error(self, message: str) -> None:
        self.show_message(self.write_error, message)

    def validatePage(self) -> bool:
        if self.done:
            return True
        if self.isComplete():
            self.owner.write()
        return False  # the wizard closes itself once the files are on disk

    def isComplete(self) -> bool:
        return self._rendered and not self.writing and not self.problems()


def render_and_lint(spec, scan) -> tuple[str, str, list]:
    """In a worker: both files from the templates, and the lint findings of the Dockerfile."""
    from gui.core.dockerfile.lint import lint_dockerfile
    from gui.core.dockerfile.recipe import render_dockerfile, render_dockerignore

    dockerfile = render_dockerfile(spec)
    dockerignore = render_dockerignore(spec, scan)
    # No context folder: the .dockerignore that rule PS006 asks for is written along with the Dockerfile.
    return dockerfile, dockerignore, lint_dockerfile(dockerfile)


def preferred_size(widget: QWidget) -> QSize:
    metrics = widget.fontMetrics()
    return QSize(metrics.averageCharWidth() * 120, metrics.lineSpacing() * 46)
