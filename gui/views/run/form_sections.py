"""The Run dialog's form tabs: General (name, command, restart), Resources (memory, CPUs, /dev/shm) and Advanced
(privileged, labels). Each is a column of labelled fields with its hints and problems under them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from gui.core.run.context import RunContext
from gui.core.run.spec import RunSpec
from gui.views.run.sections import Section

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


def _line(parent: QWidget, name: str, placeholder: str = "", tooltip: str = "") -> QLineEdit:
    """A one-line field, named for tests; the placeholder says what an empty field means."""
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
        self.image_label.setToolTip(
            "The image this container starts from: a read-only template of the app and all it needs."
        )
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
            tooltip="The entrypoint is the program a container always starts with. This one runs instead of the "
            "image's ENTRYPOINT; its arguments go in Command (--entrypoint).",
        )
        self.workdir_edit = _line(self, "run-workdir", tooltip="The folder the command starts in (--workdir).")
        self.user_edit = _line(self, "run-user", tooltip="A user name or id, e.g. 1000 or 1000:1000 (--user).")
        self.restart_combo = QComboBox(self)
        self.restart_combo.setObjectName("run-restart")
        self.restart_combo.setToolTip(
            "When Docker starts the container again; on failure means an exit code other than 0."
        )
        for policy, text in RESTART_CHOICES:
            self.restart_combo.addItem(text, policy)
        self.retries_spin = QSpinBox(self)
        self.retries_spin.setObjectName("run-retries")
        self.retries_spin.setAccessibleName("Restart tries")
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
