"""The wizard's pages on what the image is built from: the base image (the engine's own Python images first, so
a build works offline) and the dependencies (with pinning)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from gui.core.dockerfile import project_scan
from gui.core.dockerfile.base_choices import PYTHON_VERSIONS, base_choices, best_base, download_note
from gui.core.dockerfile.base_image_size import size_note
from gui.core.dockerfile.recipe import AppKind
from gui.core.dockerfile.requirements import install_explanation
from gui.core.errors import EngineError
from gui.views.dockerfile.wizard_page import WizardPage, with_error
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style, error_label_style

if TYPE_CHECKING:
    from gui.views.dockerfile.wizard import DockerfileWizard

ON_MACHINE_ROLE = Qt.ItemDataRole.UserRole + 1
ON_MACHINE_TEXT = "on this machine"


# 3. Base image --------------------------------------------------------------------------------------


class BaseChoiceDelegate(QStyledItemDelegate):
    """The list shows "on this machine" after the images a build can start from offline; the text that goes
    into the field stays the image's name."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if index.data(ON_MACHINE_ROLE):
            option.text = f"{option.text}    ({ON_MACHINE_TEXT})"


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
        self.image_combo.setItemDelegate(BaseChoiceDelegate(self.image_combo))
        self.python_combo = QComboBox(self)
        self.python_combo.setObjectName("wizard-python-version")
        self.python_combo.addItems(PYTHON_VERSIONS)
        self.image_error = message_label(self, "wizard-base-error", style=error_label_style(), hidden=True)
        self.python_error = message_label(self, "wizard-python-error", style=error_label_style(), hidden=True)
        self.warnings_label = message_label(self, "wizard-base-warnings", style=colour_style("warning"), hidden=True)
        self.size_label = message_label(self, "wizard-base-size", hidden=True)
        # Whether the build must download the base: a plain sentence, before any build fails offline.
        self.download_label = message_label(self, "wizard-base-download", hidden=True)

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
        form.addRow(
            image_label, with_error(self.image_combo, self.image_error, self.download_label, self.warnings_label)
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.size_label)
        layout.addStretch(1)

        self.image_combo.editTextChanged.connect(lambda _text: self._update())
        self.python_combo.currentTextChanged.connect(self._on_python_changed)
        owner.session.snapshotChanged.connect(self._on_snapshot)

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
        """The list: Python images already on the engine first, marked, then Docker Hub's slim ones."""
        self.image_combo.blockSignals(True)
        self.image_combo.clear()
        for choice in base_choices(kind, self.python_version(), self.owner.local_images()):
            self.image_combo.addItem(choice.image)
            index = self.image_combo.count() - 1
            self.image_combo.setItemData(index, choice.on_this_machine, ON_MACHINE_ROLE)
            tip = "On this machine: a build starts from it offline." if choice.on_this_machine else "Needs a download."
            self.image_combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.image_combo.setEditText(current)
        self.image_combo.blockSignals(False)

    def _on_python_changed(self, version: str) -> None:
        kind = self.owner.kind()
        images = self.owner.local_images()
        offered = {choice.image for old in PYTHON_VERSIONS for choice in base_choices(kind, old, images)}
        if self.filled_for is kind and self.base_image() in offered:
            # A base the list offered follows the version; any other base stays as the user set it.
            self._fill_images(kind, best_base(kind, version, images))
        self._update()

    def _on_snapshot(self, _snapshot) -> None:
        """The engine's images changed (a pull, a build, a removal): the marks and the note follow."""
        if self.filled_for is not None:
            self._fill_images(self.filled_for, self.base_image())
            self._update()

    def _update(self) -> None:
        if self.filled_for is None:
            return
        spec = self.owner.spec()
        problems = spec.problems()
        show_message(self.image_error, problems.get("base_image"))
        show_message(self.python_error, problems.get("python_version"))
        # Nothing asks a registry: a base the engine's list does not have needs a download.
        here = (
            None if self.owner.session.snapshot is None else download_note(spec.base_image, self.owner.local_images())
        )
        on_machine = here is not None and here[0]
        show_message(self.download_label, here[1] if here else None)
        self.download_label.setStyleSheet(colour_style("ok" if on_machine else "warning"))
        warnings = [] if problems.get("base_image") else spec.base_image_warnings(on_this_machine=on_machine)
        show_message(self.warnings_label, "\n\n".join(warnings))
        # The warnings usually say what the base costs; for other images a rough note stands in.
        says_size = on_machine or any(" MB" in text or " GB" in text or "large" in text for text in warnings)
        note = None if problems.get("base_image") or says_size else size_note(spec.base_image)
        show_message(self.size_label, note)
        self.refresh()

    def isComplete(self) -> bool:
        if self.filled_for is None:
            return False
        problems = self.problems()
        return "base_image" not in problems and "python_version" not in problems


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
        self.pin_status = message_label(self, "wizard-pin-status", hidden=True)
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
        show_message(self.pin_status, None)
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
        show_message(self.pin_status, "Looking up the installed versions…")
        self.owner.session.tasks.submit(
            lambda: project_scan.pin_suggestions(names),
            while_alive(self, lambda pins: self._on_versions(generation, pins)),
            while_alive(self, lambda error: self._on_versions_failed(generation, error)),
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
            show_message(
                self.pin_status,
                "None of them is installed in the Python that runs Portside, so "
                "there is no version to copy. Pin them by hand in "
                "requirements.txt.",
            )
            self.rewrite_check.setVisible(False)
        else:
            note = f" Not installed here, left as they are: {', '.join(unknown)}." if unknown else ""
            show_message(
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
        show_message(self.pin_status, f"Could not look up the installed versions: {error.message}")
        self.refresh()
