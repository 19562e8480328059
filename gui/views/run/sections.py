"""The Run dialog's sections, one tab each: what the user types, read back as RunSpec fields.

A section knows its own widgets only: `load(spec)` fills them, `values()` returns RunSpec keyword arguments,
`show_problems(problems)` puts each message next to its field, and `changed` says the user edited something.
No engine, no disk: the dialog does that through the session's workers."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.core.run.context import RunContext, gpu_unavailable_reason
from gui.core.run.gpus import describe
from gui.core.run.spec import GPU_CAPABILITIES, GpuMode, GpuSpec, Problem, RunSpec
from gui.views.run.tables import EnvTable, MountsTable, PortsTable
from gui.views.widgets.style import WARNING_COLOUR, error_label_style

RESTART_CHOICES = (
    ("no", "Never (no)"),
    ("on-failure", "When it fails (on-failure)"),
    ("always", "Always, also when Docker starts (always)"),
    ("unless-stopped", "Always, unless you stopped it (unless-stopped)"),
)
PRIVILEGED_WARNING = (
    "--privileged gives the container every device and capability of this computer: a program "
    "in it can take over the host. Use it only for containers you trust, and only when nothing "
    "narrower works."
)


def message_label(parent: QWidget, name: str = "", colour_style: str = "") -> QLabel:
    label = QLabel(parent)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if colour_style:
        label.setStyleSheet(colour_style)
    label.hide()
    return label


class Section(QWidget):
    changed = Signal()
    TITLE = ""
    FIELDS: tuple[str, ...] = ()  # the Problem.field values shown in this section

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._errors: dict[str, QLabel] = {}  # field -> the error label under it
        self._warnings: dict[str, QLabel] = {}

    def load(self, spec: RunSpec) -> None:
        raise NotImplementedError

    def values(self) -> dict:
        raise NotImplementedError

    def set_context(self, context: RunContext) -> None:
        """The image's defaults and the host's facts, for placeholders and hints."""

    def show_problems(self, problems: list[Problem]) -> None:
        for field in self._errors:
            own = [problem for problem in problems if problem.field == field]
            self._show(self._errors[field], [p for p in own if not p.warning])
            self._show(self._warnings[field], [p for p in own if p.warning])

    def display_row(self, problem: Problem) -> int | None:
        """The row number the user sees for a problem (from 1), or None."""
        return problem.row + 1 if problem.row is not None else None

    def describe(self, problem: Problem) -> str:
        row = self.display_row(problem)
        return f"Row {row}: {problem.message}" if row is not None else problem.message

    def _show(self, label: QLabel, problems: list[Problem]) -> None:
        label.setText("\n".join(self.describe(problem) for problem in problems))
        label.setVisible(bool(problems))

    def _form(self) -> QFormLayout:
        """A form at the top of the section; the space left over stays below it."""
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        return form

    def _add_field(
        self,
        form: QFormLayout,
        text: str,
        field: str,
        widget: QWidget | None = None,
        layout: QHBoxLayout | None = None,
        hint: str = "",
        buddy: QWidget | None = None,
    ) -> QLabel | None:
        """A form row: the input, then its hint, warnings and errors right under it. Returns the hint label."""
        box = QVBoxLayout()
        box.setSpacing(2)
        if layout is not None:
            box.addLayout(layout)
        if widget is not None:
            box.addWidget(widget)
        hint_label = None
        if hint:
            hint_label = QLabel(hint, self)
            hint_label.setWordWrap(True)
            hint_label.setEnabled(False)  # the palette's quieter text colour, in light and dark themes
            box.addWidget(hint_label)
        self._warnings[field] = message_label(self, f"{field}-warning", f"color: {WARNING_COLOUR};")
        self._errors[field] = message_label(self, f"{field}-error", error_label_style())
        box.addWidget(self._warnings[field])
        box.addWidget(self._errors[field])
        label = QLabel(text, self)
        if buddy or widget:
            label.setBuddy(buddy or widget)
        form.addRow(label, box)
        return hint_label

    def _connect(self, *widgets: QWidget) -> None:
        for widget in widgets:
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.changed)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.changed)
            elif isinstance(widget, QAbstractButton):
                widget.toggled.connect(self.changed)
            elif isinstance(widget, QSpinBox):
                widget.valueChanged.connect(self.changed)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.changed)


def _line(parent: QWidget, name: str, placeholder: str = "", tooltip: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setToolTip(tooltip)
    edit.setClearButtonEnabled(True)
    return edit


class GeneralSection(Section):
    TITLE = "General"
    FIELDS = ("image", "name", "command", "entrypoint", "workdir", "user", "restart")

    def __init__(self, image: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.image_label = QLabel(image, self)
        self.image_label.setObjectName("run-image")
        self.image_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_edit = _line(
            self, "run-name", "Docker picks a name", "Letters, digits, and _ . - after the first character (--name)"
        )
        self.command_edit = _line(
            self,
            "run-command",
            tooltip="The program and its arguments, as in a shell. Empty: the image's own command (CMD).",
        )
        self.entrypoint_edit = _line(
            self,
            "run-entrypoint",
            tooltip="One program that runs instead of the "
            "image's ENTRYPOINT; its arguments go in Command (--entrypoint).",
        )
        self.workdir_edit = _line(self, "run-workdir", tooltip="The folder the command starts in (--workdir).")
        self.user_edit = _line(self, "run-user", tooltip="A user name or id, e.g. 1000 or 1000:1000 (--user).")
        self.restart_combo = QComboBox(self)
        self.restart_combo.setObjectName("run-restart")
        for policy, text in RESTART_CHOICES:
            self.restart_combo.addItem(text, policy)
        self.retries_spin = QSpinBox(self)
        self.retries_spin.setObjectName("run-retries")
        self.retries_spin.setRange(0, 1000)
        self.retries_spin.setSpecialValueText("unlimited tries")
        self.retries_spin.setSuffix(" tries")
        self.retries_spin.setToolTip("How many times Docker restarts a failing container before giving up.")
        self.auto_remove_box = QCheckBox("Remove the container when it exits (--rm)", self)
        self.auto_remove_box.setObjectName("run-rm")
        self.tty_box = QCheckBox("Keep its input open and give it a terminal (--interactive --tty)", self)
        self.tty_box.setObjectName("run-tty")
        self.tty_box.setToolTip("For programs that expect a terminal, such as a shell or a REPL.")

        form = self._form()
        self._add_field(form, "Image", "image", self.image_label)
        self._add_field(form, "&Name", "name", self.name_edit)
        self._add_field(form, "&Command", "command", self.command_edit)
        self._add_field(form, "&Entrypoint", "entrypoint", self.entrypoint_edit)
        self._add_field(form, "&Working folder", "workdir", self.workdir_edit)
        self._add_field(form, "&User", "user", self.user_edit)
        restart_row = QHBoxLayout()
        restart_row.addWidget(self.restart_combo, 1)
        restart_row.addWidget(self.retries_spin)
        self._add_field(form, "&Restart", "restart", layout=restart_row, buddy=self.restart_combo)
        form.addRow("", self.auto_remove_box)
        form.addRow("", self.tty_box)
        self._connect(
            self.name_edit,
            self.command_edit,
            self.entrypoint_edit,
            self.workdir_edit,
            self.user_edit,
            self.restart_combo,
            self.retries_spin,
            self.auto_remove_box,
            self.tty_box,
        )
        self.restart_combo.currentIndexChanged.connect(self._update_retries)
        self._update_retries()

    def _update_retries(self) -> None:
        self.retries_spin.setEnabled(self.restart_combo.currentData() == "on-failure")

    def set_context(self, context: RunContext) -> None:
        defaults = context.image_defaults
        for edit, key, fallback in (
            (self.command_edit, "command", "the image's default command"),
            (self.entrypoint_edit, "entrypoint", "none"),
            (self.workdir_edit, "workdir", "/"),
            (self.user_edit, "user", "root"),
        ):
            value = defaults.get(key) or ""
            edit.setPlaceholderText(f"{value} (the image's default)" if value else f"{fallback} (the image's default)")

    def load(self, spec: RunSpec) -> None:
        self.name_edit.setText(spec.name)
        self.command_edit.setText(spec.command)
        self.entrypoint_edit.setText(spec.entrypoint)
        self.workdir_edit.setText(spec.workdir)
        self.user_edit.setText(spec.user)
        self.restart_combo.setCurrentIndex(max(self.restart_combo.findData(spec.restart), 0))
        self.retries_spin.setValue(spec.restart_max_retries)
        self.auto_remove_box.setChecked(spec.auto_remove)
        self.tty_box.setChecked(spec.interactive_tty)

    def values(self) -> dict:
        restart = self.restart_combo.currentData()
        return {
            "name": self.name_edit.text().strip(),
            "command": self.command_edit.text().strip(),
            "entrypoint": self.entrypoint_edit.text().strip(),
            "workdir": self.workdir_edit.text().strip(),
            "user": self.user_edit.text().strip(),
            "restart": restart,
            "restart_max_retries": self.retries_spin.value() if restart == "on-failure" else 0,
            "auto_remove": self.auto_remove_box.isChecked(),
            "interactive_tty": self.tty_box.isChecked(),
        }


class _TableSection(Section):
    """A table of rows, with its problems listed under it and marked on the rows."""

    def __init__(self, table, field: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = table
        self.field = field
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(table, 1)
        self._warnings[field] = message_label(self, f"{field}-warning", f"color: {WARNING_COLOUR};")
        self._errors[field] = message_label(self, f"{field}-error", error_label_style())
        self.layout_.addWidget(self._warnings[field])
        self.layout_.addWidget(self._errors[field])
        table.changed.connect(self.changed)

    def show_problems(self, problems: list[Problem]) -> None:
        super().show_problems(problems)
        self.table.mark_problems([problem for problem in problems if problem.field == self.field])

    def display_row(self, problem: Problem) -> int | None:
        # Problems count values; the table may also hold empty rows, which are not values.
        row = self.table.row_of(problem.row) if problem.row is not None else None
        return row + 1 if row is not None else None


class PortsSection(_TableSection):
    TITLE = "Ports"
    FIELDS = ("ports",)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(PortsTable(), "ports", parent)
        self.table.setObjectName("run-ports")
        self.exposed_label = QLabel(self)
        self.exposed_label.setWordWrap(True)
        self.publish_all_box = QCheckBox(
            "Also publish every port the image exposes, each on a random host port (--publish-all)", self
        )
        self.publish_all_box.setObjectName("run-publish-all")
        self.publish_all_box.setToolTip("-P publishes on all interfaces, not only 127.0.0.1.")
        self.layout_.insertWidget(0, self.exposed_label)
        self.layout_.insertWidget(2, self.publish_all_box)
        self._connect(self.publish_all_box)

    def set_context(self, context: RunContext) -> None:
        exposed = ", ".join(f"{port}/{protocol}" for port, protocol in context.exposed_ports)
        self.exposed_label.setText(
            (f"The image exposes {exposed}. " if exposed else "The image declares no ports. ")
            + "Ports are published on 127.0.0.1 only, so only this computer can reach them, unless you tick "
            "All interfaces."
        )

    def load(self, spec: RunSpec) -> None:
        self.table.set_values(spec.ports)
        self.publish_all_box.setChecked(spec.publish_all)

    def values(self) -> dict:
        return {"ports": self.table.values(), "publish_all": self.publish_all_box.isChecked()}


class EnvSection(_TableSection):
    TITLE = "Environment"
    FIELDS = ("env",)
    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(EnvTable(), "env", parent)
        self.table.setObjectName("run-env")
        self.import_button = QPushButton("Import .env…", self)
        self.import_button.setAutoDefault(False)
        self.import_button.setToolTip("Add the variables of a .env file (NAME=value lines), as --env-file would.")
        self.import_button.clicked.connect(self.importRequested)
        self.reveal_box = QCheckBox("Show secret values", self)
        self.reveal_box.setObjectName("run-reveal")
        self.reveal_box.toggled.connect(self.table.set_reveal)
        self.table.buttons.insertWidget(1, self.import_button)
        self.table.buttons.addWidget(self.reveal_box)
        QWidget.setTabOrder(self.table.add_button, self.import_button)
        self.note_label = message_label(self, "env-note")
        self.note_label.setText(
            "Values of names such as API_KEY or HF_TOKEN are secrets: shown as dots, masked in "
            "the command below, and never remembered by Portside."
        )
        self.note_label.show()
        self.import_label = message_label(self, "env-import")
        self.layout_.insertWidget(0, self.note_label)
        self.layout_.addWidget(self.import_label)

    def show_import_report(self, text: str, warning: bool) -> None:
        self.import_label.setStyleSheet(f"color: {WARNING_COLOUR};" if warning else "")
        self.import_label.setText(text)
        self.import_label.setVisible(bool(text))

    def load(self, spec: RunSpec) -> None:
        self.table.set_values(spec.env)

    def values(self) -> dict:
        return {"env": self.table.values()}


class VolumesSection(_TableSection):
    TITLE = "Volumes"
    FIELDS = ("mounts",)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(MountsTable(), "mounts", parent)
        self.table.setObjectName("run-mounts")
        hint = QLabel(
            "Share a folder of this computer (a bind mount) or keep data in a named volume that outlives "
            "the container. A host folder must exist: Portside uses --mount, which refuses a missing "
            "folder instead of quietly creating an empty one.",
            self,
        )
        hint.setWordWrap(True)
        self.layout_.insertWidget(0, hint)

    def load(self, spec: RunSpec) -> None:
        self.table.set_values(spec.mounts)

    def values(self) -> dict:
        return {"mounts": self.table.values()}


class GpuSection(Section):
    TITLE = "GPUs"
    FIELDS = ("gpus",)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.reason_label = message_label(self, "gpu-reason")
        self.none_radio = QRadioButton("No GPU", self)
        self.all_radio = QRadioButton("All GPUs (--gpus all)", self)
        self.count_radio = QRadioButton("A number of GPUs:", self)
        self.chosen_radio = QRadioButton("These GPUs:", self)
        for radio, name in (
            (self.none_radio, "none"),
            (self.all_radio, "all"),
            (self.count_radio, "count"),
            (self.chosen_radio, "chosen"),
        ):
            radio.setObjectName(f"gpu-{name}")
        self.mode_group = QButtonGroup(self)
        for radio in self._radios().values():
            self.mode_group.addButton(radio)
        self.none_radio.setChecked(True)
        self.count_spin = QSpinBox(self)
        self.count_spin.setObjectName("gpu-count")
        self.count_spin.setRange(1, 64)
        self.gpu_list = QListWidget(self)
        self.gpu_list.setObjectName("gpu-list")
        self.gpu_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.capability_boxes = {name: QCheckBox(name, self) for name in GPU_CAPABILITIES}
        for name, box in self.capability_boxes.items():
            box.setObjectName(f"gpu-capability-{name}")
        self.capability_boxes["compute"].setToolTip("CUDA and OpenCL")
        self.capability_boxes["utility"].setToolTip("nvidia-smi and NVML")
        self.capability_boxes["graphics"].setToolTip("OpenGL and Vulkan")
        self.capability_boxes["video"].setToolTip("The video encoder and decoder")

        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        choices = QGridLayout()
        choices.addWidget(self.none_radio, 0, 0)
        choices.addWidget(self.all_radio, 1, 0)
        choices.addWidget(self.count_radio, 2, 0)
        choices.addWidget(self.count_spin, 2, 1, Qt.AlignmentFlag.AlignLeft)
        choices.addWidget(self.chosen_radio, 3, 0, Qt.AlignmentFlag.AlignTop)
        choices.addWidget(self.gpu_list, 3, 1)
        choices.setColumnStretch(1, 1)
        layout.addLayout(choices)
        capabilities = QHBoxLayout()
        capabilities.addWidget(QLabel("Give it:", self))
        for box in self.capability_boxes.values():
            capabilities.addWidget(box)
        capabilities.addStretch()
        layout.addLayout(capabilities)
        self._warnings["gpus"] = message_label(self, "gpus-warning", f"color: {WARNING_COLOUR};")
        self._errors["gpus"] = message_label(self, "gpus-error", error_label_style())
        layout.addWidget(self._warnings["gpus"])
        layout.addWidget(self._errors["gpus"])
        layout.addStretch()
        self._connect(*self._radios().values(), self.count_spin, *self.capability_boxes.values())
        self.gpu_list.itemChanged.connect(lambda _item: self.changed.emit())
        self.mode_group.buttonToggled.connect(lambda *_: self._update_enabled())
        self._available = True
        self.load(RunSpec(image=""))

    def _radios(self) -> dict[GpuMode, QRadioButton]:
        return {
            GpuMode.NONE: self.none_radio,
            GpuMode.ALL: self.all_radio,
            GpuMode.COUNT: self.count_radio,
            GpuMode.CHOSEN: self.chosen_radio,
        }

    def set_context(self, context: RunContext) -> None:
        reason = gpu_unavailable_reason(context)
        self._available = reason is None
        self.reason_label.setText(reason or "")
        self.reason_label.setVisible(reason is not None)
        self.gpu_list.blockSignals(True)
        chosen = self._chosen_ids()
        self.gpu_list.clear()
        for gpu in context.gpus.gpus:
            item = QListWidgetItem(describe(gpu), self.gpu_list)
            item.setData(Qt.ItemDataRole.UserRole, str(gpu.index))
            item.setData(Qt.ItemDataRole.UserRole + 1, gpu.uuid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.gpu_list.blockSignals(False)
        self._check_ids(chosen)
        self._update_enabled()

    def _chosen_ids(self) -> tuple[str, ...]:
        ids = []
        for row in range(self.gpu_list.count()):
            item = self.gpu_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(item.data(Qt.ItemDataRole.UserRole))
        return tuple(ids)

    def _check_ids(self, ids: tuple[str, ...]) -> None:
        """Ticks the GPUs named by index or UUID; an id no GPU here has stays listed, so the user sees it."""
        self.gpu_list.blockSignals(True)
        for device_id in ids:
            item = next(
                (
                    self.gpu_list.item(row)
                    for row in range(self.gpu_list.count())
                    if device_id
                    in (
                        self.gpu_list.item(row).data(Qt.ItemDataRole.UserRole),
                        self.gpu_list.item(row).data(Qt.ItemDataRole.UserRole + 1),
                    )
                ),
                None,
            )
            if item is None:
                item = QListWidgetItem(f"{device_id} · not on this computer", self.gpu_list)
                item.setData(Qt.ItemDataRole.UserRole, device_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.gpu_list.blockSignals(False)

    def _update_enabled(self) -> None:
        # Unavailable GPUs: only "No GPU" stays open, so a request loaded from elsewhere can still be undone.
        for mode, radio in self._radios().items():
            radio.setEnabled(self._available or mode is GpuMode.NONE or radio.isChecked())
        wants_gpus = not self.none_radio.isChecked()
        self.count_spin.setEnabled(self.count_radio.isChecked())
        self.gpu_list.setEnabled(self.chosen_radio.isChecked())
        for box in self.capability_boxes.values():
            box.setEnabled(wants_gpus)

    def load(self, spec: RunSpec) -> None:
        gpus = spec.gpus
        self._radios()[gpus.mode].setChecked(True)
        self.count_spin.setValue(max(1, gpus.count))
        for row in range(self.gpu_list.count()):
            self.gpu_list.item(row).setCheckState(Qt.CheckState.Unchecked)
        self._check_ids(gpus.device_ids if gpus.mode is GpuMode.CHOSEN else ())
        for name, box in self.capability_boxes.items():
            box.setChecked(name in gpus.capabilities)
        self._update_enabled()

    def values(self) -> dict:
        mode = next(mode for mode, radio in self._radios().items() if radio.isChecked())
        capabilities = tuple(name for name, box in self.capability_boxes.items() if box.isChecked())
        return {
            "gpus": GpuSpec(
                mode=mode,
                count=self.count_spin.value(),
                device_ids=self._chosen_ids() if mode is GpuMode.CHOSEN else (),
                capabilities=capabilities,
            )
        }


class ResourcesSection(Section):
    TITLE = "Resources"
    FIELDS = ("memory", "cpus", "shm_size")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.memory_edit = _line(self, "run-memory", "no limit", "e.g. 512m or 4g (--memory)")
        self.cpus_edit = _line(self, "run-cpus", "no limit", "e.g. 1.5 for one and a half CPUs (--cpus)")
        self.shm_edit = _line(self, "run-shm", "64m (Docker's default)", "Shared memory, /dev/shm (--shm-size)")
        form = self._form()
        self._add_field(
            form,
            "&Memory",
            "memory",
            self.memory_edit,
            hint="The most memory the container may use; past it, the kernel stops the program.",
        )
        self.cpus_hint = self._add_field(form, "C&PUs", "cpus", self.cpus_edit, hint=" ")
        self._add_field(
            form,
            "&Shared memory",
            "shm_size",
            self.shm_edit,
            hint="PyTorch DataLoader workers share data through /dev/shm: 64 MB is often too small "
            "for them; try 1g or more.",
        )
        self._connect(self.memory_edit, self.cpus_edit, self.shm_edit)

    def set_context(self, context: RunContext) -> None:
        plural = "s" if context.host_cpus != 1 else ""
        self.cpus_hint.setText(
            f"This computer has {context.host_cpus} CPU{plural}; a container may use up to that many."
        )

    def load(self, spec: RunSpec) -> None:
        self.memory_edit.setText(spec.memory)
        self.cpus_edit.setText(spec.cpus)
        self.shm_edit.setText(spec.shm_size)

    def values(self) -> dict:
        return {
            "memory": self.memory_edit.text().strip(),
            "cpus": self.cpus_edit.text().strip(),
            "shm_size": self.shm_edit.text().strip(),
        }


class AdvancedSection(Section):
    TITLE = "Advanced"
    FIELDS = ("privileged", "labels")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.privileged_box = QCheckBox(
            "Privileged: give the container full access to this computer (--privileged)", self
        )
        self.privileged_box.setObjectName("run-privileged")
        self.privileged_box.clicked.connect(self._privileged_clicked)
        self.labels_edit = QPlainTextEdit(self)
        self.labels_edit.setObjectName("run-labels")
        self.labels_edit.setPlaceholderText("One key=value per line, e.g. project=demo (--label)")
        self.labels_edit.setTabChangesFocus(True)
        self.labels_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.confirm_box: QMessageBox | None = None
        form = self._form()
        self._add_field(form, "", "privileged", self.privileged_box)
        self._add_field(form, "&Labels", "labels", self.labels_edit)
        self._connect(self.privileged_box, self.labels_edit)

    def _privileged_clicked(self, checked: bool) -> None:
        """Ticking it asks first; the box stays clear until the user agrees."""
        if not checked:
            return
        self.privileged_box.setChecked(False)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Run privileged?", PRIVILEGED_WARNING, QMessageBox.StandardButton.Cancel, self
        )
        box.setObjectName("privileged-confirm")
        agree = box.addButton("Run Privileged", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: button is agree and self.privileged_box.setChecked(True))
        box.finished.connect(lambda _result: setattr(self, "confirm_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box
        box.open()

    def load(self, spec: RunSpec) -> None:
        self.privileged_box.setChecked(spec.privileged)
        self.labels_edit.setPlainText("\n".join(f"{key}={value}" for key, value in spec.labels))

    def values(self) -> dict:
        labels = []
        for line in self.labels_edit.toPlainText().splitlines():
            if line.strip():
                key, _, value = line.strip().partition("=")
                labels.append((key.strip(), value.strip()))
        return {"privileged": self.privileged_box.isChecked(), "labels": tuple(labels)}
