"""The wizard's first two pages: the project folder (the build context, read in a worker; or a new one with
Portside's sample AI app) and the kind of app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QVBoxLayout,
)

from gui.core.dockerfile.folder_checks import scan_folder
from gui.core.dockerfile.recipe import AppKind
from gui.core.dockerfile.sample_project import (
    SAMPLE_FILES,
    SAMPLE_FOLDER_NAME,
    SAMPLE_KIND,
    SAMPLE_PORT,
    create_sample_project,
    sample_target,
)
from gui.core.errors import EngineError
from gui.core.format import human_bytes
from gui.views.dockerfile.wizard_page import WizardPage
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style, error_label_style

if TYPE_CHECKING:
    from gui.core.dockerfile.project_scan import ProjectScan
    from gui.views.dockerfile.wizard import DockerfileWizard

SCAN_DELAY_MS = 300  # typing a path scans once the user pauses


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
        self._creating_sample = False

        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("wizard-folder")
        self.folder_edit.setPlaceholderText("e.g. /home/you/my-ai-app")
        self.folder_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("&Browse…", self)
        self.folder_error = message_label(self, "wizard-folder-error", style=error_label_style(), hidden=True)
        self.status_label = message_label(self, "wizard-folder-status", hidden=True)

        self.found_box = QGroupBox("What Portside found", self)
        self.dependency_value = message_label(self)
        self.entry_value = message_label(self)
        self.notebooks_value = message_label(self)
        self.models_value = message_label(self)
        self.dockerfile_value = message_label(self)
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
        self.existing_error = message_label(self, "wizard-existing-error", style=error_label_style(), hidden=True)
        existing = QVBoxLayout(self.existing_box)
        existing.addWidget(self.existing_text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_existing_button)
        buttons.addStretch(1)
        existing.addLayout(buttons)
        existing.addWidget(self.replace_check)
        existing.addWidget(self.existing_error)
        self.existing_box.setVisible(False)

        self.sample_box = QGroupBox("No project yet?", self)
        sample_text = QLabel(
            "Portside can write a small sample AI app to learn with: a sentiment model served over HTTP. "
            "It uses Python's standard library only, so its image builds without internet access. It goes "
            f"into a new folder: the one typed above if it does not exist yet, else {SAMPLE_FOLDER_NAME} "
            "in your home folder.",
            self.sample_box,
        )
        sample_text.setWordWrap(True)
        self.sample_button = QPushButton("Create a &Sample AI App", self.sample_box)
        self.sample_button.setObjectName("wizard-create-sample")
        self.sample_status = message_label(self, "wizard-sample-status", hidden=True)
        self.sample_error = message_label(self, "wizard-sample-error", style=error_label_style(), hidden=True)
        sample = QVBoxLayout(self.sample_box)
        sample.addWidget(sample_text)
        sample_buttons = QHBoxLayout()
        sample_buttons.addWidget(self.sample_button)
        sample_buttons.addStretch(1)
        sample.addLayout(sample_buttons)
        sample.addWidget(self.sample_status)
        sample.addWidget(self.sample_error)

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
        layout.addWidget(self.sample_box)
        layout.addStretch(1)

        self._delay = QTimer(self, singleShot=True, interval=SCAN_DELAY_MS, timeout=self._start_scan)
        self.folder_edit.textChanged.connect(self._on_text_changed)
        self.browse_button.clicked.connect(self._browse)
        self.open_existing_button.clicked.connect(self._open_existing)
        self.replace_check.toggled.connect(self._update_existing_message)
        self.sample_button.clicked.connect(self._create_sample)
        self._show_empty()

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

    def _create_sample(self) -> None:
        if self._creating_sample:
            return
        self._creating_sample = True
        self.sample_button.setEnabled(False)
        show_message(self.sample_error, None)
        show_message(self.sample_status, "Writing the sample app…")
        typed = self.folder_edit.text()
        self.owner.session.tasks.submit(
            lambda: create_sample_project(sample_target(typed, Path.home())),
            while_alive(self, self._on_sample_created),
            while_alive(self, self._on_sample_failed),
        )

    def _on_sample_created(self, folder: Path) -> None:
        self._creating_sample = False
        self.sample_button.setEnabled(True)
        files = ", ".join(list(SAMPLE_FILES)[:-1]) + f" and {list(SAMPLE_FILES)[-1]}"
        show_message(self.sample_status, f"Created the sample AI app in {folder}: {files}.")
        self.owner.sample_created(folder)

    def _on_sample_failed(self, error: EngineError) -> None:
        self._creating_sample = False
        self.sample_button.setEnabled(True)
        show_message(self.sample_status, None)
        show_message(self.sample_error, error.message)

    def _open_existing(self) -> None:
        if self.scan is not None and self.scan.existing_dockerfile:
            self.owner.open_existing(self.scan.folder / self.scan.existing_dockerfile)

    def _on_text_changed(self, _text: str) -> None:
        self._generation += 1  # whatever is being scanned now is stale
        self.scan = None
        self._scanning = False
        show_message(self.folder_error, None)
        self.folder_error.setStyleSheet(error_label_style())
        show_message(self.status_label, None)
        self.found_box.setVisible(False)
        self.existing_box.setVisible(False)
        self._delay.start()
        self.refresh()

    def _show_empty(self) -> None:
        # What to do first, not a mistake: in the quieter colour, not in red on a page just opened.
        self.folder_error.setStyleSheet(colour_style("secondary"))
        show_message(self.folder_error, "Choose the project folder to continue.")

    def _start_scan(self) -> None:
        text = self.folder_edit.text().strip()
        self._generation += 1
        if not text:
            self._show_empty()
            self.refresh()
            return
        generation = self._generation
        self._scanning = True
        show_message(self.status_label, "Looking at the folder…")
        self.refresh()
        self.owner.session.tasks.submit(
            lambda: scan_folder(text),
            while_alive(self, lambda result: self._on_scanned(generation, result)),
            while_alive(self, lambda error: self._on_scan_failed(generation, error)),
        )

    def _on_scanned(self, generation: int, result: ProjectScan | str) -> None:
        if generation != self._generation:
            return
        self._scanning = False
        show_message(self.status_label, None)
        if isinstance(result, str):
            show_message(self.folder_error, result)
        else:
            self.scan = result
            self._show_scan(result)
            self.scanned.emit(result)
        self.refresh()

    def _on_scan_failed(self, generation: int, error: EngineError) -> None:
        if generation != self._generation:
            return
        self._scanning = False
        show_message(self.status_label, None)
        show_message(self.folder_error, f"Portside could not read the folder: {error.message}")
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
        show_message(self.existing_error, text)
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
        self.suggestion_label = message_label(self, "wizard-kind-suggestion", hidden=True)
        self.kind_error = message_label(self, "wizard-kind-error", style=error_label_style(), hidden=True)
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
            if self.owner.is_sample():
                self.kind_buttons[SAMPLE_KIND].setChecked(True)
                show_message(
                    self.suggestion_label,
                    f"The sample app is an {SAMPLE_KIND.title}: it serves its model on port {SAMPLE_PORT}.",
                )
            elif evidence:
                self.kind_buttons[scan.suggested_kind].setChecked(True)
                found = sorted(scan.frameworks)
                because = f" (found {', '.join(found)})" if found else ""
                show_message(
                    self.suggestion_label,
                    f"Suggested from what is in the folder{because}: {scan.suggested_kind.title}.",
                )
            else:
                self.group.setExclusive(False)
                for button in self.kind_buttons.values():
                    button.setChecked(False)
                self.group.setExclusive(True)
                show_message(self.suggestion_label, "Portside could not tell from the folder what kind of app this is.")
        self._update()

    def _update(self) -> None:
        show_message(self.kind_error, None if self.kind() else "Choose the kind of app to continue.")
        self.refresh()

    def isComplete(self) -> bool:
        return self.kind() is not None
