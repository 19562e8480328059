"""The Run dialog's GPU tab: none, all, a number or chosen GPUs (--gpus), and the capabilities to give them.

When the engine cannot give GPUs, the tab says why and only "No GPU" stays open. With the Monitor service followed
(`follow`), each GPU shows what is on it now, from the Monitor's own samples (no second NVML poller), and "Needs
about N GiB" (prefilled from what this image's containers used before) warns when the chosen GPUs lack the memory,
naming who holds it and offering a GPU where it fits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.core.run.context import RunContext, gpu_unavailable_reason
from gui.core.run.gpu_need import FitAdvice, fit_advice, need_text, parse_need
from gui.core.run.gpus import GpuChoice, GpuInventory, gpu_choices
from gui.core.run.spec import GPU_CAPABILITIES, GpuMode, GpuSpec, Problem, RunSpec
from gui.views.run.gpu_list import GpuList
from gui.views.run.sections import Section
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import set_secondary

if TYPE_CHECKING:
    from gui.workers.monitor.service import MonitorService
    from gui.workers.session import EngineSession

NEED_KNOWN = "The most GPU memory this image's containers used before. Change it if this run needs more or less."
NEED_UNKNOWN = "Not known yet: Portside learns it while a container of this image uses a GPU. Type it if you know."
NOT_SAMPLED = "Memory in use shows once the Monitor has sampled the GPUs."
PAUSED = "The Monitor is paused, so these numbers stay as they were: resume it on the Monitor page to follow them."


class GpuSection(Section):
    TITLE = "GPUs"
    FIELDS = ("gpus",)
    adviceChanged = Signal()  # the memory warning changed without an edit (a new sample, the need typed)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.reason_label = message_label(self, "gpu-reason", hidden=True)
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
        self.count_spin.setAccessibleName("Number of GPUs")
        self.count_spin.setRange(1, 64)
        self.gpu_list = GpuList(self)
        self.gpu_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.notes_label = message_label(self, "gpu-notes", hidden=True)
        set_secondary(self.notes_label)
        self.need_edit = QLineEdit(self)
        self.need_edit.setObjectName("gpu-need")
        self.need_edit.setAccessibleName("GPU memory this run needs, in GiB")
        self.need_edit.setPlaceholderText("unknown")
        self.need_edit.setValidator(QDoubleValidator(0.0, 1e6, 1, self.need_edit))
        self.need_edit.setMaximumWidth(self.fontMetrics().averageCharWidth() * 10)
        self.need_hint = QLabel(NEED_UNKNOWN, self)
        self.need_hint.setObjectName("gpu-need-hint")
        self.need_hint.setWordWrap(True)
        set_secondary(self.need_hint)
        self.switch_button = QPushButton(self)
        self.switch_button.setObjectName("gpu-switch")
        self.switch_button.setAutoDefault(False)
        self.switch_button.hide()
        self.capability_boxes = {name: QCheckBox(name, self) for name in GPU_CAPABILITIES}
        for name, box in self.capability_boxes.items():
            box.setObjectName(f"gpu-capability-{name}")
        self.capability_boxes["compute"].setToolTip("CUDA and OpenCL")
        self.capability_boxes["utility"].setToolTip("nvidia-smi and NVML")
        self.capability_boxes["graphics"].setToolTip("OpenGL and Vulkan")
        self.capability_boxes["video"].setToolTip("The video encoder and decoder")
        self._lay_out()

        self._inventory = GpuInventory(gpus=(), driver_version=None, cuda_version=None, unavailable_reason=None)
        self._choices: tuple[GpuChoice, ...] = ()
        self._monitor: MonitorService | None = None
        self._session: EngineSession | None = None
        self._need_typed = False  # the user typed a need: a late remembered figure does not replace it
        self._shown_advice: FitAdvice | None = None
        self._available = True
        # The advice follows every edit: connected before `changed`, so it is current when the dialog reads it.
        for signal in (self.mode_group.buttonToggled, self.gpu_list.itemChanged):
            signal.connect(lambda *_: self._refresh_advice())
        self._connect(*self._radios().values(), self.count_spin, *self.capability_boxes.values())
        self.gpu_list.itemChanged.connect(lambda _item: self.changed.emit())
        self.mode_group.buttonToggled.connect(lambda *_: self._update_enabled())
        self.need_edit.textEdited.connect(self._on_need_typed)
        self.switch_button.clicked.connect(self._switch)
        self.load(RunSpec(image=""))

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        choices = QGridLayout()
        choices.addWidget(self.none_radio, 0, 0)
        choices.addWidget(self.all_radio, 1, 0)
        choices.addWidget(self.count_radio, 2, 0)
        choices.addWidget(self.count_spin, 2, 1, Qt.AlignmentFlag.AlignLeft)
        choices.addWidget(self.chosen_radio, 3, 0, Qt.AlignmentFlag.AlignTop)
        choices.addWidget(self.gpu_list, 3, 1)
        choices.addWidget(self.notes_label, 4, 1)
        choices.setColumnStretch(1, 1)
        choices.setRowStretch(3, 1)
        layout.addLayout(choices, 1)
        need = QHBoxLayout()
        need_label = QLabel("Needs &about", self)
        need_label.setBuddy(self.need_edit)
        need.addWidget(need_label)
        need.addWidget(self.need_edit)
        need.addWidget(QLabel("GiB of GPU memory", self))
        need.addStretch()
        layout.addLayout(need)
        layout.addWidget(self.need_hint)
        self._add_problem_labels("gpus", layout)
        switch = QHBoxLayout()
        switch.addWidget(self.switch_button)
        switch.addStretch()
        layout.addLayout(switch)
        capabilities = QHBoxLayout()
        capabilities.addWidget(QLabel("Give it:", self))
        for box in self.capability_boxes.values():
            capabilities.addWidget(box)
        capabilities.addStretch()
        layout.addLayout(capabilities)

    def _radios(self) -> dict[GpuMode, QRadioButton]:
        return {
            GpuMode.NONE: self.none_radio,
            GpuMode.ALL: self.all_radio,
            GpuMode.COUNT: self.count_radio,
            GpuMode.CHOSEN: self.chosen_radio,
        }

    # What is on the GPUs ----------------------------------------------------------------------------------------

    def follow(self, monitor: MonitorService, session: EngineSession, image: str) -> None:
        """Shows the Monitor's GPU samples as they come, and asks a worker for this image's remembered need."""
        self._monitor, self._session = monitor, session
        monitor.gpuSnapshot.connect(self._on_sample)  # dropped by Qt when this section is deleted
        needs = monitor.gpu_needs
        session.tasks.submit(lambda: needs.recall(image), self._on_need_recalled)
        self._show_choices()

    def set_context(self, context: RunContext) -> None:
        reason = gpu_unavailable_reason(context)
        self._available = reason is None
        show_message(self.reason_label, reason)
        self._inventory = context.gpus
        self._show_choices()
        self._update_enabled()

    @property
    def choices(self) -> tuple[GpuChoice, ...]:
        """The GPUs and MIG instances offered now, with the Monitor's latest numbers where it has sampled them."""
        return self._choices

    def _on_sample(self, _snapshot) -> None:
        if self.window().isVisible():  # a closed dialog waiting to be deleted has nothing to show
            self._show_choices()

    def _show_choices(self) -> None:
        monitor = self._monitor
        snapshot = monitor.gpus if monitor is not None else None
        use = monitor.gpu_use if monitor is not None else {}
        session_snapshot = self._session.snapshot if self._session is not None else None
        names = {row.id: row.name for row in session_snapshot.containers} if session_snapshot is not None else {}
        self._choices = gpu_choices(self._inventory, snapshot, use, names)
        self.gpu_list.show_choices(self._choices)
        notes = list(self._inventory.notes)
        notes += [choice.problem for choice in self._choices if choice.mig_enabled and choice.problem]
        if monitor is not None and self._choices and (monitor.gpus is None or monitor.paused):
            notes.append(NOT_SAMPLED if monitor.gpus is None else PAUSED)
        show_message(self.notes_label, "\n".join(notes))
        self._refresh_advice()

    # The memory it needs -------------------------------------------------------------------------------------------

    def _on_need_recalled(self, need: int | None) -> None:
        if self._need_typed:
            return
        self.need_edit.setText(need_text(need))
        self.need_hint.setText(NEED_KNOWN if need else NEED_UNKNOWN)
        self._refresh_advice()

    def _on_need_typed(self, _text: str) -> None:
        self._need_typed = True
        self._refresh_advice()

    def advice(self) -> FitAdvice | None:
        """The memory warning for the form as it is now; None when it fits or cannot be told."""
        return fit_advice(parse_need(self.need_edit.text()), self._gpu_spec(), self._choices)

    def advice_problems(self) -> list[Problem]:
        """The memory warning as a problem for the dialog's list (a warning: Run stays open)."""
        advice = self.advice()
        return [Problem("gpus", advice.message, warning=True)] if advice is not None else []

    def _refresh_advice(self) -> None:
        advice = self.advice()
        instead = advice.instead if advice is not None else None
        self.switch_button.setText(advice.switch_text if advice is not None else "")
        self.switch_button.setVisible(instead is not None)
        if advice != self._shown_advice:
            self._shown_advice = advice
            self.adviceChanged.emit()

    def _switch(self) -> None:
        """Chooses the GPU the warning offers instead of the ones chosen."""
        advice = self.advice()
        if advice is None or advice.instead is None:
            return
        self.gpu_list.uncheck_all()
        self.chosen_radio.setChecked(True)
        self.gpu_list.check_ids((advice.instead.device_id,))
        self._update_enabled()
        self._refresh_advice()
        self.changed.emit()

    # The form -------------------------------------------------------------------------------------------------------

    def _update_enabled(self) -> None:
        # Unavailable GPUs: only "No GPU" stays open, so a request loaded from elsewhere can still be undone.
        for mode, radio in self._radios().items():
            radio.setEnabled(self._available or mode is GpuMode.NONE or radio.isChecked())
        wants_gpus = not self.none_radio.isChecked()
        self.count_spin.setEnabled(self.count_radio.isChecked())
        self.gpu_list.setEnabled(self.chosen_radio.isChecked())
        self.need_edit.setEnabled(wants_gpus)
        for box in self.capability_boxes.values():
            box.setEnabled(wants_gpus)

    def load(self, spec: RunSpec) -> None:
        gpus = spec.gpus
        self._radios()[gpus.mode].setChecked(True)
        self.count_spin.setValue(max(1, gpus.count))
        self.gpu_list.uncheck_all()
        self.gpu_list.check_ids(gpus.device_ids if gpus.mode is GpuMode.CHOSEN else ())
        for name, box in self.capability_boxes.items():
            box.setChecked(name in gpus.capabilities)
        self._update_enabled()
        self._refresh_advice()

    def _gpu_spec(self) -> GpuSpec:
        mode = next(mode for mode, radio in self._radios().items() if radio.isChecked())
        capabilities = tuple(name for name, box in self.capability_boxes.items() if box.isChecked())
        return GpuSpec(
            mode=mode,
            count=self.count_spin.value(),
            device_ids=self.gpu_list.chosen_ids() if mode is GpuMode.CHOSEN else (),
            capabilities=capabilities,
        )

    def values(self) -> dict:
        return {"gpus": self._gpu_spec()}
