"""Deploy as service…: a run (a RunSpec from the Run dialog or a container) as a Swarm service. Replicas, publish
mode, placement rules (one a line, each checked as typed) and limits prefilled from the run; the
`docker service create …` twin and what the service does differently from the run update as the form changes. Deploy
runs in a worker; the dialog stays open with the engine's sentence when it refuses."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from gui.core.errors import EngineError
from gui.core.run.spec import RunSpec
from gui.core.swarm.service_spec import PUBLISH_MODES, ServiceSpec
from gui.core.swarm.services import CreateService
from gui.views.widgets import feedback
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.style import error_label_style, set_secondary
from gui.workers.session import EngineSession

PUBLISH_TIPS = {
    "ingress": "ingress: every node of the swarm answers on the published port and passes it to a task (the routing "
    "mesh).",
    "host": "host: only the node a task runs on answers, on that node's own port (no routing mesh).",
}


class DeployDialog(QDialog):
    deployed = Signal(str)  # the sentence for the status bar

    def __init__(self, run: RunSpec, session: EngineSession, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Deploy as service")
        self.run_spec, self.session = run, session
        self.name_edit = self._line("deploy-name", "Service name", run.name, "for example web (empty: Docker picks)")
        self.replicas_spin = QSpinBox(self, objectName="deploy-replicas", minimum=0, maximum=1000, value=1)
        self.replicas_spin.setAccessibleName("Replicas")
        self.global_box = QCheckBox("One task on every node (global)", self, objectName="deploy-global")
        self.global_box.setToolTip("--mode global: a task on each node the placement allows, as for a monitoring agent")
        self.global_box.toggled.connect(lambda on: self.replicas_spin.setEnabled(not on))
        self.mode_combo = QComboBox(self, objectName="deploy-publish-mode")
        self.mode_combo.setAccessibleName("Publish mode")
        for mode in PUBLISH_MODES:
            self.mode_combo.addItem(mode)
            self.mode_combo.setItemData(self.mode_combo.count() - 1, PUBLISH_TIPS[mode], Qt.ItemDataRole.ToolTipRole)
        self.placement_edit = QPlainTextEdit(self, objectName="deploy-placement")
        self.placement_edit.setAccessibleName("Placement rules")
        self.placement_edit.setPlaceholderText(
            "one rule a line, for example node.role==manager or node.labels.gpu==true"
        )
        self.placement_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.memory_edit = self._line("deploy-memory", "Memory limit", run.memory, "for example 512m (empty: none)")
        self.cpus_edit = self._line("deploy-cpus", "CPU limit", run.cpus, "for example 1.5 (empty: none)")
        self.problem_label = feedback.message_label(self, "deploy-problem", style=error_label_style(), hidden=True)
        self.notes_label = feedback.message_label(self, "deploy-notes", hidden=True)
        self.command_label = feedback.message_label(self, "deploy-command")
        set_secondary(self.command_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.deploy_button = self.buttons.addButton("Deploy", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.deploy)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        form.addRow("Replicas:", self.replicas_spin)
        form.addRow("", self.global_box)
        form.addRow("Publish mode:", self.mode_combo)
        form.addRow("Placement:", self.placement_edit)
        form.addRow("Memory limit:", self.memory_edit)
        form.addRow("CPU limit:", self.cpus_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.command_label)
        layout.addWidget(self.buttons)
        for edit in (self.name_edit, self.memory_edit, self.cpus_edit):
            edit.textChanged.connect(self._check)
        self.placement_edit.textChanged.connect(self._check)
        self.replicas_spin.valueChanged.connect(self._check)
        self.global_box.toggled.connect(self._check)
        self.mode_combo.currentTextChanged.connect(self._check)
        self._deploying = False
        self._check()

    def _line(self, name: str, accessible: str, text: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(text, self, objectName=name, placeholderText=placeholder)
        edit.setAccessibleName(accessible)
        return edit

    def spec(self) -> ServiceSpec:
        run = replace(
            self.run_spec,
            name=self.name_edit.text().strip(),
            memory=self.memory_edit.text().strip(),
            cpus=self.cpus_edit.text().strip(),
        )
        rules = tuple(line.strip() for line in self.placement_edit.toPlainText().splitlines() if line.strip())
        return ServiceSpec(
            run, self.replicas_spin.value(), rules, self.mode_combo.currentText(), self.global_box.isChecked()
        )

    def _check(self) -> None:
        spec = self.spec()
        problems = spec.problems()
        feedback.show_message(self.problem_label, "\n".join(problems))
        feedback.show_message(self.notes_label, "\n".join(spec.notes()))
        self.deploy_button.setEnabled(not problems and not self._deploying)
        self.command_label.setText(f"Equivalent command: {for_engine(spec.command_line)}")

    def deploy(self) -> None:
        """Sends the service in a worker; the dialog closes when the engine has it."""
        spec = self.spec()
        if spec.problems() or self._deploying:
            return
        self._deploying = self.session.perform(CreateService(spec), self._done, self._failed)
        self._check()

    def _done(self, _service_id: str) -> None:
        self._deploying = False
        name = self.spec().name or "the service"
        self.deployed.emit(f"Deployed {name}: see its tasks on the Services page.")
        self.accept()

    def _failed(self, error: EngineError) -> None:
        self._deploying = False
        self._check()
        feedback.show_message(self.problem_label, f"Could not deploy the service: {error.message}")
