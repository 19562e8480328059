"""The Monitor's GPU timeline: each GPU's memory over the last 1 to 60 minutes, stacked by container, so "who took my
GPU, and when" reads at a glance. The history is kept by the GpuWatch worker (gui.core.monitor.gpu_timeline); this
only draws it. Charts are built the first time the page shows.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.core.format import human_bytes, short_id
from gui.core.monitor.timeseries import WINDOWS
from gui.views.widgets.chart_points import last_value
from gui.views.widgets.charts import BYTES, TimeChart
from gui.views.widgets.style import set_secondary

DEFAULT_WINDOW = "15 min"
# Distinct fills that read on light and dark backgrounds (Tableau 10), given to containers in the order they appear.
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f")
HOST_COLOUR = "#8a8a8a"  # this computer's own processes
HOST_NAME = "this computer"
TIP = (
    "GPU memory of each container on this GPU, stacked, over time. The line is the memory in use on the whole card: "
    "it also counts memory that no process owns (the driver's, or processes Portside cannot see)."
)


def owner_name(owner: str | None, names: dict[str, str]) -> str:
    return HOST_NAME if owner is None else names.get(owner) or short_id(owner)


class StackedGpuChart(QWidget):
    """One GPU: a TimeChart whose owners are filled bands stacked from the bottom (biggest first) under a line for
    the card's total."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        # The total in the text's colour: the bands have the others.
        self.chart = TimeChart(title, BYTES, ("all processes",), self, colours=(QPalette.ColorRole.Text,))
        self.chart.setToolTip(TIP)
        self.owners: tuple[str | None, ...] = ()  # what each band shows, bottom first
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chart)

    def set_window(self, seconds: float) -> None:
        self.chart.set_window(seconds)

    def show_stack(self, stack, colours: dict, names: dict[str, str], now: float) -> None:
        # The card's total is the line; the value axis reaches the higher of it and the stack (NVML's total and its
        # processes' figures are read apart, so the stack may stand a little above the line).
        self.chart.set_lines([(stack.times, stack.total)], now)
        bands, bottoms = [], [0.0] * len(stack.times)
        for layer in stack.layers:
            tops = [bottom + value for bottom, value in zip(bottoms, layer.values)]  # NaN (a gap) stays NaN
            bands.append((bottoms, tops, QColor(colours[layer.owner]), owner_name(layer.owner, names)))
            bottoms = tops
        self.chart.set_bands(stack.times, bands, now)
        self.owners = tuple(layer.owner for layer in stack.layers)
        self._legend(stack, colours, names)

    def _legend(self, stack, colours: dict, names: dict[str, str]) -> None:
        chart = self.chart
        line = chart.palette().color(QPalette.ColorRole.Text).name()
        total = last_value(stack.total)
        parts = [
            f"<span style='color:{colours[layer.owner]}'>■</span> {owner_name(layer.owner, names)} "
            f"{human_bytes(layer.last)}"
            for layer in stack.layers
        ]
        parts.append(f"<span style='color:{line}'>—</span> all {human_bytes(total)}")
        chart.values.setText("&nbsp;&nbsp;".join(parts))


class GpuTimelinePanel(QGroupBox):
    """Every GPU's timeline, with a range selector; hidden where there is no GPU."""

    def __init__(self, parent=None):
        super().__init__("GPU memory by container", parent)
        self.setObjectName("gpu-timeline")
        self.window_combo = QComboBox(self)
        self.window_combo.setObjectName("gpu-timeline-window")
        self.window_combo.setToolTip("How far back the GPU timelines go")
        for name, seconds in WINDOWS.items():
            self.window_combo.addItem(f"Last {name}", seconds)
        self.window_combo.setCurrentIndex(list(WINDOWS).index(DEFAULT_WINDOW))
        self.note = QLabel("Who used each GPU's memory, and when. Point at a chart for what the line means.", self)
        set_secondary(self.note)
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.window_combo)
        self.grid = QGridLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.grid)
        self.charts: dict[int, StackedGpuChart] = {}
        self.colours: dict[str | None, str] = {None: HOST_COLOUR}
        self.shown = False  # charts may be built (the page has been on screen)

    @property
    def window_seconds(self) -> int:
        return int(self.window_combo.currentData())

    def show_history(self, watch, gpus, now: float) -> None:
        """The timelines of the GPUs in `gpus` (the last GpuSnapshot) from `watch.timeline`."""
        indices = [gpu.index for gpu in gpus.gpus] if gpus is not None else []
        self.setVisible(bool(indices) and watch is not None)
        if not indices or watch is None or not self.shown:
            return
        titles = {gpu.index: f"GPU {gpu.index} · {gpu.name}" if gpu.name else f"GPU {gpu.index}" for gpu in gpus.gpus}
        if sorted(self.charts) != indices:
            self._build(indices, titles)
        for index, chart in self.charts.items():
            stack = watch.timeline.stack(index, self.window_seconds, now)
            for layer in stack.layers:
                if layer.owner not in self.colours:
                    self.colours[layer.owner] = COLOURS[(len(self.colours) - 1) % len(COLOURS)]
            chart.set_window(self.window_seconds)
            chart.show_stack(stack, self.colours, watch.names, now)

    def _build(self, indices: list[int], titles: dict[int, str]) -> None:
        for chart in self.charts.values():
            chart.deleteLater()
        self.charts = {}
        columns = 1 if len(indices) == 1 else 2
        for position, index in enumerate(indices):
            chart = StackedGpuChart(titles[index], self)
            chart.setObjectName(f"gpu-timeline-{index}")
            self.grid.addWidget(chart, position // columns, position % columns)
            chart.show()
            self.charts[index] = chart
