"""The Run dialog's GPU tab: none, all, a number or chosen GPUs (--gpus), and the capabilities to give them.

When the engine cannot give GPUs, the tab says why and only "No GPU" stays open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.core.run.context import RunContext, gpu_unavailable_reason
from gui.core.run.gpus import describe
from gui.core.run.spec import GPU_CAPABILITIES, GpuMode, GpuSpec, RunSpec
from gui.views.run.sections import Section
from gui.views.widgets.feedback import message_label, show_message


class GpuSection(Section):
    TITLE = "GPUs"
    FIELDS = ("gpus",)

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
        self.gpu_list = QListWidget(self)
        self.gpu_list.setObjectName("gpu-list")
        self.gpu_list.setAccessibleName("GPUs to give")
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
        self._add_problem_labels("gpus", layout)
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
        show_message(self.reason_label, reason)
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
