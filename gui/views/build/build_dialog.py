"""Build an image: the form (checked before any engine call), then the live log, steps and time.

The tags follow the build folder: each folder gets folder-name:1.0 suggested, or the tags typed for it, never
the previous project's; a tag that already names an image on the engine is flagged before Build.

Build needs the engine: the button is off while it is away. A build the engine's going away cut off says so, and
offers Build again once the engine is back (gui.workers.build_runner removes what that build left behind).

Build arguments are rows of a name and a value, as the Run dialog's variables: a secret's value shows as dots, and
is masked in the command, the log, the result and the history; only the build itself gets it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui.core.build.progress import failing_line
from gui.core.build.spec import BuildSpec, replaced_tag_warnings, stage_names, suggested_tag
from gui.core.format import human_bytes, human_duration
from gui.views.build.build_args import BuildArgsSection
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.log_view import LogView
from gui.views.widgets.space_warning import SpaceWarning
from gui.views.widgets.style import colour_style, error_label_style, text_colour
from gui.workers.build_runner import BuildOutcome, BuildRunner

_BUILD_TIP = "Build the image (docker build)"
_NEEDS_ENGINE = "Needs the Docker engine, which is not connected: see the Engine page."


def _stage_names(dockerfile: Path) -> list[str]:
    """Named stages (FROM ... AS name), for the target list. Reads the disk: run it in a worker."""
    try:
        return stage_names(dockerfile.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def _problems(spec: BuildSpec, has_context: bool) -> dict[str, str]:
    """The form's problems. Reads the disk: run it in a worker."""
    if not has_context:
        return {"context": "Choose the folder to build: the one with your Dockerfile."}
    return spec.problems()


class BuildDialog(QDialog):
    """Non-modal: the user can watch a build and keep working."""

    openDockerfileAt = Signal(Path, int, str)  # the Dockerfile, the failing line, the plain error
    built = Signal(object)  # BuildOutcome of a successful build
    runRequested = Signal(str)  # the image just built (its first tag)

    def __init__(
        self,
        session,
        runner: BuildRunner,
        context: Path | None = None,
        dockerfile: str = "Dockerfile",
        tags: str = "",
        parent=None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Build an image")
        self.session = session
        self.runner = runner
        self._field_errors: dict[str, QLabel] = {}
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self, interval=500, timeout=self._show_status)
        self._generation = 0
        self._shown_generation = -1  # the form check whose result is shown
        self.problems_shown: dict[str, str] | None = None  # the last check's result, None before the first
        self._validation_timer = QTimer(self, singleShot=True, interval=150, timeout=self._check_now)

        self.context_edit = QLineEdit(str(context) if context else "", self)
        self.context_edit.setObjectName("build-context")
        self.context_edit.setAccessibleName("Context folder")
        self.context_edit.setPlaceholderText("The folder with your app and its Dockerfile")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_context)
        self.dockerfile_edit = QLineEdit(dockerfile, self)
        self.dockerfile_edit.setAccessibleName("Dockerfile")
        self.tags_edit = QLineEdit(tags, self)
        self.tags_edit.setObjectName("build-tags")
        self.tags_edit.setAccessibleName("Tags")
        self.tags_edit.setPlaceholderText("e.g. my-ai-app:1.0 (several: separate with spaces)")
        self._typed_tags: dict[str, str] = {}  # build folder -> the tags typed (or given) for it
        self._loose_tags = False  # typed before any folder: they go with the folder chosen next
        self._setting_tags = False  # the dialog itself is filling the tags in
        self.tag_warning_label = QLabel(self)
        self.tag_warning_label.setObjectName("build-tag-warning")
        self.tag_warning_label.setWordWrap(True)
        self.tag_warning_label.setStyleSheet(colour_style("warning"))
        self.tag_warning_label.hide()
        self.args_section = BuildArgsSection(self)
        self.args_table = self.args_section.table
        self.args_warning_label = QLabel(self)
        self.args_warning_label.setObjectName("build-args-warning")
        self.args_warning_label.setWordWrap(True)
        self.args_warning_label.setStyleSheet(colour_style("warning"))
        self.args_warning_label.hide()
        self.target_combo = QComboBox(self)
        self.target_combo.setEditable(True)
        self.target_combo.lineEdit().setAccessibleName("Target stage")
        self.target_combo.setToolTip("Build up to a named stage (FROM … AS name); empty builds the last stage")
        self.no_cache_box = QCheckBox("Do not use the cache (--no-cache)", self)
        self.pull_box = QCheckBox("Pull a newer base image (--pull)", self)
        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet(colour_style("warning"))
        self.command_label = QLabel(self)
        self.command_label.setObjectName("build-command")
        self.command_label.setWordWrap(True)
        self.command_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        form = QFormLayout()
        context_row = QHBoxLayout()
        context_row.addWidget(self.context_edit, 1)
        context_row.addWidget(browse)
        self._add_row(form, "Context folder", context_row, "context")
        self._add_row(form, "Dockerfile", self.dockerfile_edit, "dockerfile")
        self._add_row(form, "Tags", self.tags_edit, "tags")
        form.addRow("", self.tag_warning_label)
        self._add_row(form, "Build arguments", self.args_section, "build_args")
        form.addRow("", self.args_warning_label)
        form.addRow("Target stage", self.target_combo)
        form.addRow("", self.no_cache_box)
        form.addRow("", self.pull_box)
        form.addRow("", self.hint_label)
        self.space_warning = SpaceWarning("build", self)
        form.addRow("", self.space_warning)
        self.space_warning.check(session)  # read afresh: the engine's disk fills between builds
        form.addRow("Command", self.command_label)
        form_box = QWidget(self)
        form_box.setLayout(form)

        self.log_view = LogView(self, max_lines=20_000)
        self.log_view.setPlaceholderText("The build's output shows here, step by step, once you press Build.")
        self.step_label = QLabel(self)
        self.step_label.setObjectName("build-step")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()  # until a build starts: an empty bar looks like a box to type in
        self.result_label = QLabel(self)
        self.result_label.setObjectName("build-result")
        self.result_label.setWordWrap(True)
        log_box = QWidget(self)
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(self.step_label)
        log_layout.addWidget(self.progress_bar)
        log_layout.addWidget(self.log_view, 1)
        log_layout.addWidget(self.result_label)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(form_box)
        splitter.addWidget(log_box)
        splitter.setStretchFactor(1, 1)

        self.build_button = QPushButton("Build", self)
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(self.start_build)
        self.cancel_button = QPushButton("Cancel build", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_build)
        self.run_button = QPushButton("Run…", self)
        self.run_button.setToolTip("Start a container from the new image: ports, GPUs, environment (docker run)")
        self.run_button.hide()
        self.run_button.clicked.connect(lambda: self._last_image and self.runRequested.emit(self._last_image))
        self._last_image: str | None = None
        self.run_after_box = QCheckBox("Open the Run dialog when it is &built", self)
        self.run_after_box.setObjectName("build-run-after")
        self.run_after_box.setToolTip(
            "Once the build succeeds, the Run dialog opens on the new image, ready to start it"
        )
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_after_box)
        buttons.addStretch()
        for button in (self.run_button, self.build_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        for edit in (self.context_edit, self.dockerfile_edit, self.tags_edit):
            edit.textChanged.connect(self._validate)
        self.args_table.changed.connect(self._validate)
        self.target_combo.currentTextChanged.connect(self._validate)
        self.no_cache_box.toggled.connect(self._validate)
        self.pull_box.toggled.connect(self._validate)
        self.context_edit.editingFinished.connect(self._load_stages)
        self.context_edit.textChanged.connect(self._on_context_changed)
        self.tags_edit.textChanged.connect(self._on_tags_changed)
        session.snapshotChanged.connect(self._show_tag_warning)
        session.diagnosisChanged.connect(lambda _diagnosis: self._update_build_button())
        runner.cleanedUp.connect(self._show_cleaned_up)
        runner.lines.connect(self.log_view.append_lines)
        runner.progressed.connect(lambda *_: self._show_status())
        runner.finished.connect(self._on_finished)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 42)
        if tags:
            self._on_tags_changed(tags)  # given with the folder: they are this folder's
        else:
            self._on_context_changed()
        self._validate()
        self._load_stages()

    def _add_row(self, form: QFormLayout, label: str, field, name: str) -> None:
        error = QLabel(self)
        error.setStyleSheet(error_label_style())
        error.setWordWrap(True)
        error.hide()
        self._field_errors[name] = error
        box = QVBoxLayout()
        box.setSpacing(2)
        if isinstance(field, QHBoxLayout):
            box.addLayout(field)
        else:
            box.addWidget(field)
        box.addWidget(error)
        form.addRow(label, box)

    # The form ------------------------------------------------------------------------------------

    def spec(self) -> BuildSpec:
        return BuildSpec(
            context=Path(self.context_edit.text().strip() or "."),
            dockerfile=self.dockerfile_edit.text().strip() or "Dockerfile",
            tags=tuple(self.tags_edit.text().replace(",", " ").split()),
            build_args=self.args_table.build_args(),
            target=self.target_combo.currentText().strip() or None,
            no_cache=self.no_cache_box.isChecked(),
            pull=self.pull_box.isChecked(),
        )

    def _validate(self) -> None:
        """Checks the form off the GUI thread (it reads the disk), a moment after the last keystroke."""
        self.build_button.setEnabled(False)
        self._generation += 1
        self._validation_timer.start()

    def _check_now(self) -> None:
        generation = self._generation
        spec, has_context = self.spec(), bool(self.context_edit.text().strip())  # widgets are read here only
        self.session.tasks.submit(
            lambda: _problems(spec, has_context), lambda problems: self._show_problems(generation, problems)
        )

    def _show_problems(self, generation: int, problems: dict[str, str]) -> None:
        if generation != self._generation:
            return  # the form changed since: a newer check is on its way
        self.problems_shown = problems
        self._shown_generation = generation
        for name, label in self._field_errors.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        valid = not problems
        self._update_build_button()
        spec = self.spec()
        self.command_label.setText(for_engine(spec.command) if valid else "")
        self.hint_label.setText(" ".join(spec.tag_hints()) if valid else "")
        self.hint_label.setVisible(bool(self.hint_label.text()))
        warnings = " ".join(spec.build_arg_warnings())  # names and words only: never a value
        self.args_warning_label.setText(warnings)
        self.args_warning_label.setVisible(bool(warnings))
        self._show_tag_warning()

    def _update_build_button(self) -> None:
        """Build (or Build again) needs a valid form, no build running, and the engine."""
        connected = self.session.connected
        valid = self.problems_shown == {} and self._shown_generation == self._generation
        self.build_button.setEnabled(valid and connected and not self.runner.running)
        self.build_button.setToolTip(_BUILD_TIP if connected else f"{_BUILD_TIP}\n{_NEEDS_ENGINE}")

    # The tags follow the folder ---------------------------------------------------------------------------

    def _folder_key(self) -> str:
        text = self.context_edit.text().strip()
        return str(Path(text)) if text else ""

    def _on_tags_changed(self, text: str) -> None:
        if self._setting_tags:
            return
        key = self._folder_key()
        if not key:
            self._loose_tags = bool(text.strip())
            return
        self._loose_tags = False
        if text.strip():
            self._typed_tags[key] = text
        else:
            self._typed_tags.pop(key, None)

    def _on_context_changed(self, _text: str = "") -> None:
        """Another folder: its own tags, or the suggestion from its name; never the last project's tags."""
        if self._loose_tags:
            return  # typed before the folder was: they are meant for it
        key = self._folder_key()
        text = self._typed_tags.get(key) or suggested_tag(key) or ""
        if text != self.tags_edit.text():
            self._setting_tags = True
            try:
                self.tags_edit.setText(text)
            finally:
                self._setting_tags = False

    def _show_tag_warning(self, _snapshot=None) -> None:
        """Says when a tag already names an image on the engine (from the session's list: no engine call)."""
        spec = self.spec()
        snapshot = self.session.snapshot
        bad_tags = self.problems_shown is None or "tags" in self.problems_shown
        warnings = [] if bad_tags or snapshot is None else replaced_tag_warnings(spec.tags, snapshot.images)
        self.tag_warning_label.setText(" ".join(warnings))
        self.tag_warning_label.setVisible(bool(warnings))

    def _browse_context(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Build context", self.context_edit.text())
        if folder:
            self.context_edit.setText(folder)
            self._load_stages()

    def _load_stages(self) -> None:
        dockerfile = Path(self.context_edit.text().strip()) / (self.dockerfile_edit.text().strip() or "Dockerfile")
        self.session.tasks.submit(lambda: _stage_names(dockerfile), self._set_stages)

    def _set_stages(self, names: list[str]) -> None:
        current = self.target_combo.currentText()
        self.target_combo.clear()
        self.target_combo.addItems([""] + names)
        self.target_combo.setCurrentText(current)

    # The build -----------------------------------------------------------------------------------

    def start_build(self) -> None:
        if self.problems_shown is None or self.problems_shown or self.runner.running:
            return
        key = self._folder_key()
        if key:  # built with these tags: from now on they are this folder's
            self._typed_tags[key] = self.tags_edit.text()
            self._loose_tags = False
        self.log_view.clear_log()
        self.result_label.clear()
        self.run_button.hide()
        self.build_button.setText("Build")
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        if not self.runner.start(self.spec()):
            self._show_result("Portside is not connected to the engine. See the Engine page.", text_colour("error"))
            return
        self._clock.start()
        self._ticker.start()
        self.build_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._show_status()

    def cancel_build(self) -> None:
        self.runner.cancel()
        self.cancel_button.setEnabled(False)
        self.step_label.setText("Cancelling…")

    def _show_status(self) -> None:
        progress = self.runner.progress
        elapsed = human_duration(self._clock.elapsed() / 1000) if self._clock.isValid() else ""
        if progress is None or not self.runner.running:
            return
        if progress.total_steps:
            self.progress_bar.setRange(0, progress.total_steps)
            self.progress_bar.setValue(progress.step)
            self.step_label.setText(
                f"Step {progress.step}/{progress.total_steps}: {progress.current_instruction} — {elapsed}"
            )
        else:
            self.step_label.setText(f"Sending the build context… — {elapsed}")

    def _on_finished(self, outcome: BuildOutcome) -> None:
        self._ticker.stop()
        self.cancel_button.setEnabled(False)
        self.progress_bar.setRange(0, 1)
        record = outcome.record
        took = human_duration(record.duration_s)
        if outcome.succeeded:
            self.progress_bar.setValue(1)
            size = f" ({human_bytes(record.image_size)})" if record.image_size else ""
            self.step_label.setText(f"Built in {took}")
            self._show_result(
                f"Built {', '.join(record.tags)}{size} in {took}. It is in Images now.", text_colour("ok")
            )
            self._last_image = record.tags[0] if record.tags else record.image_id
            self.run_button.show()
            self.built.emit(outcome)
            if self.run_after_box.isChecked() and self._last_image:
                self.runRequested.emit(self._last_image)  # the next thing a beginner does with a fresh image
        elif record.result == "cancelled":
            self.progress_bar.setValue(0)
            self.step_label.setText("Cancelled")
            self._show_result(
                f"Build cancelled after {took}. The engine removed its temporary container; "
                "nothing is left to clean up.",
                text_colour("warning"),
            )
        elif outcome.engine_stopped:
            self.progress_bar.setValue(0)
            self.step_label.setText("The engine stopped")
            self._show_result(outcome.error.message if outcome.error else "", text_colour("error"))
            self.build_button.setText("Build again")  # enabled once the engine is back
        else:
            self.progress_bar.setValue(0)
            self._show_failure(outcome)
        self._validate()

    def _show_cleaned_up(self, containers: list[str]) -> None:
        """The engine is back and the container the cut-off build left is gone: say so after the message."""
        if self.build_button.text() != "Build again":
            return  # a later build is shown now
        command = f"docker rm --force {' '.join(containers)}"
        self.result_label.setText(
            f"{self.result_label.text()} The engine is back: Portside removed the container that build left "
            f"behind ({command})."
        )

    def _show_failure(self, outcome: BuildOutcome) -> None:
        message = outcome.error.message if outcome.error else "The build failed."
        step = outcome.failed_step
        self.step_label.setText(f"Failed at step {step}" if step else "Failed")
        self._show_result(message, text_colour("error"))
        if step:
            self.log_view.find_all(f"Step {step}/")  # the failing step, highlighted in the log
            self.log_view.find_next()
        dockerfile = self.spec().context / self.spec().dockerfile
        if outcome.failed_line:
            self.openDockerfileAt.emit(dockerfile, outcome.failed_line, message)
        elif step:
            self._open_failing_line(dockerfile, step, message)

    def _open_failing_line(self, dockerfile: Path, step: int, message: str) -> None:
        def locate():
            return failing_line(dockerfile.read_text(encoding="utf-8", errors="replace"), step)

        self.session.tasks.submit(locate, lambda line: line and self.openDockerfileAt.emit(dockerfile, line, message))

    def _show_result(self, text: str, colour: str) -> None:
        self.result_label.setStyleSheet(f"color: {colour};")
        self.result_label.setText(text)

    def closeEvent(self, event) -> None:
        if self.runner.running:
            self.runner.cancel()
        super().closeEvent(event)
