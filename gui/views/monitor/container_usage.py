"""One container's live charts: CPU, memory, network, disk and GPU memory over the last 1 to 60 minutes, and the
GPU processes running in it. Reached from the Containers list and the Monitor page; Back returns there.

The charts are built the first time a container is shown, not with the window.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core.engine.rows import ContainerRow
from gui.core.format import human_bytes, short_id
from gui.core.monitor.keys import ContainerKey
from gui.core.monitor.stats import cpu_percent_tooltip
from gui.core.monitor.timeseries import WINDOWS, SeriesBook
from gui.views.monitor.gpu_check_view import GpuCheckPanel
from gui.views.monitor.monitor_page import NA, bold_title, note_visible
from gui.views.widgets.style import set_secondary

DEFAULT_WINDOW = "5 min"

# (name, title, kind, lines: ((metric, legend), ...)); the kinds are charts.PERCENT / BYTES / RATE.
CHARTS = (
    ("cpu", "CPU", "percent", (("cpu", ""),)),
    ("memory", "Memory", "bytes", (("memory", ""),)),
    ("network", "Network", "rate", (("net_rx", "received"), ("net_tx", "sent"))),
    ("disk", "Disk", "rate", (("block_read", "read"), ("block_write", "written"))),
    ("gpu_memory", "GPU memory", "bytes", (("gpu_memory", ""),)),
)


def _window(book: SeriesBook, key: ContainerKey, metric: str, seconds: float, now: float):
    """A series' window, without creating an empty series for a metric never recorded (no GPU, say)."""
    series = book.get(key, metric)
    if series is None:
        return (), ()
    return series.window(seconds, now)


class GpuProcessTable(QTableWidget):
    COLUMNS = ("PID", "GPU", "Kind", "Memory", "SM use")

    def __init__(self, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("gpu-processes")
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def show_processes(self, processes, gpus) -> None:
        names = {gpu.index: gpu.name for gpu in (gpus.gpus if gpus is not None else ())}
        self.setRowCount(len(processes))
        for row, process in enumerate(sorted(processes, key=lambda p: (p.gpu_index, p.pid))):
            gpu = f"{process.gpu_index}"
            if names.get(process.gpu_index):
                gpu += f" · {names[process.gpu_index]}"
            cells = (
                str(process.pid),
                gpu,
                process.kind,
                human_bytes(process.used_memory),
                NA if process.sm_percent is None else f"{process.sm_percent:.0f} %",
            )
            for column, text in enumerate(cells):
                item = self.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    if column in (0, 3, 4):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(row, column, item)
                item.setText(text)
            self.item(row, 1).setToolTip(f"UUID {process.gpu_uuid}" if process.gpu_uuid else "")
            self.item(row, 4).setToolTip(
                "" if process.sm_percent is not None else "This GPU does not report the use of each process"
            )


class ContainerPage(QWidget):
    backRequested = Signal()

    def __init__(self, monitor, parent=None):
        super().__init__(parent)
        self.setObjectName("container-page")
        self.monitor = monitor
        self.row: ContainerRow | None = None
        self.charts: dict = {}  # name -> TimeChart, built on first show
        self._stale = True

        self.back = QPushButton("Back", self)
        self.back.setObjectName("container-back")
        self.back.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.back.setToolTip("Back to the page you came from (Alt+Left)")
        self.back.setShortcut("Alt+Left")
        self.back.clicked.connect(self.backRequested)
        self.title = bold_title("", self)
        self.title.setObjectName("container-title")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("container-subtitle")
        set_secondary(self.subtitle)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.window_combo = QComboBox(self)
        self.window_combo.setObjectName("container-window")
        self.window_combo.setToolTip("How far back the charts go")
        for name, seconds in WINDOWS.items():
            self.window_combo.addItem(f"Last {name}", seconds)
        self.window_combo.setCurrentIndex(list(WINDOWS).index(DEFAULT_WINDOW))
        self.window_combo.currentIndexChanged.connect(self._window_changed)
        self.notice = QLabel(self)
        self.notice.setObjectName("container-notice")
        self.notice.setWordWrap(True)
        self.notice.hide()

        top = QHBoxLayout()
        top.addWidget(self.back)
        top.addWidget(self.title)
        top.addWidget(self.subtitle, 1)
        top.addWidget(self.window_combo)

        self.grid = QGridLayout()
        self.gpu_box = QGroupBox("GPU use", self)
        self.gpu_box.hide()
        self.gpu_check = GpuCheckPanel(self.gpu_box)  # its state in words, and Check inside
        self.gpu_processes = GpuProcessTable(self.gpu_box)
        self.gpu_empty = QLabel(self.gpu_box)
        self.gpu_empty.setObjectName("gpu-processes-empty")
        self.gpu_empty.setWordWrap(True)
        set_secondary(self.gpu_empty)
        gpu_layout = QVBoxLayout(self.gpu_box)
        gpu_layout.addWidget(self.gpu_check)
        gpu_layout.addWidget(self.gpu_processes)
        gpu_layout.addWidget(self.gpu_empty)
        gpu_layout.addStretch()
        self.grid.addWidget(self.gpu_box, 2, 1)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.notice)
        body.addLayout(self.grid, 1)  # the charts take the height there is
        self.gpu_note = QLabel(self)  # no driver, no GPU: one sentence instead of an empty GPU row
        self.gpu_note.setObjectName("container-gpu-note")
        self.gpu_note.setWordWrap(True)
        set_secondary(self.gpu_note)
        self.gpu_note.hide()
        body.addWidget(self.gpu_note)
        self.source = QLabel(self)  # where the numbers come from: the kernel's files or the engine's stream
        self.source.setObjectName("container-source")
        self.source.setWordWrap(True)
        set_secondary(self.source)
        body.addWidget(self.source)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        monitor.updated.connect(self._on_updated)

    # Public --------------------------------------------------------------------------------------

    @property
    def window_seconds(self) -> int:
        return int(self.window_combo.currentData())

    def set_window(self, name: str) -> None:
        """One of timeseries.WINDOWS' names, e.g. '15 min'."""
        self.window_combo.setCurrentIndex(list(WINDOWS).index(name))

    def set_gpu_watch(self, watch) -> None:
        """The GpuWatch worker: the container's GPU-use state and Check inside."""
        self.gpu_check.watch = watch
        watch.changed.connect(self._on_updated)

    def show_container(self, row: ContainerRow) -> None:
        self.row = row
        self.gpu_check.show_container(row)
        self.title.setText(row.name)
        self.subtitle.setToolTip(f"ID {row.id}\n{row.status}")
        self._ensure_charts()
        self.refresh_now()

    # Charts --------------------------------------------------------------------------------------

    def _ensure_charts(self) -> None:
        if self.charts:
            return
        from gui.views.widgets.charts import TimeChart

        for position, (name, title, kind, lines) in enumerate(CHARTS):
            chart = TimeChart(title, kind, [legend for _metric, legend in lines], self)
            chart.setObjectName(f"chart-{name}")
            chart.set_window(self.window_seconds)
            self.grid.addWidget(chart, position // 2, position % 2)
            self.charts[name] = chart
        self.charts["cpu"].title.setToolTip(
            "As docker stats counts it: 100 % is one full CPU, so a container using several CPUs shows more than 100 %."
        )
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self.charts["gpu_memory"].hide()  # until GPUs are known to be there

    def _window_changed(self, _index: int) -> None:
        for chart in self.charts.values():
            chart.set_window(self.window_seconds)
        self.refresh_now()

    def _on_updated(self) -> None:
        if self.row is None or not self.isVisible():
            self._stale = True  # nobody looks: catch up when shown
            return
        self.refresh_now()

    def refresh_now(self) -> None:
        if self.row is None or not self.charts:
            return
        self._stale = False
        monitor, container_id = self.monitor, self.row.id
        book, seconds = monitor.book, self.window_seconds
        last = book.last_time
        now = last if monitor.paused and last else time.time()  # paused: the lines stay put, not slide away
        stats = monitor.containers.get(container_id)
        self._show_memory_limit(stats)  # before the data: the notes go out with the values
        self._show_cpus(stats)
        key = ContainerKey(container_id)
        for name, _title, _kind, lines in CHARTS:
            self.charts[name].set_lines([_window(book, key, metric, seconds, now) for metric, _legend in lines], now)

        if monitor.paused:
            self.notice.setText("Sampling is paused: the charts keep what they have.")
        elif stats is None and self.row.state == "running":
            self.notice.setText("Waiting for the first numbers: they come within a second or two.")
        elif stats is None:
            self.notice.setText("This container is not running: the charts show what was recorded while it ran.")
        self.notice.setVisible(stats is None or monitor.paused)
        pids = f" · {stats.pids} processes" if stats is not None and stats.pids is not None else ""
        self.subtitle.setText(f"{self.row.image} · {self.row.state} · {short_id(self.row.id)}{pids}")
        self.source.setText(stats.source if stats is not None else "")
        self.source.setVisible(bool(self.source.text()))
        self._show_gpu_processes()

    def _show_cpus(self, stats) -> None:
        if stats is not None:
            self.charts["cpu"].set_note(f"up to {stats.online_cpus * 100} % ({stats.online_cpus} CPUs)")
            self.charts["cpu"].values.setToolTip(cpu_percent_tooltip(stats.online_cpus))

    def _show_memory_limit(self, stats) -> None:
        chart = self.charts["memory"]
        if stats is None or not stats.memory_limit:
            chart.set_limit(None)
            chart.set_note("")
            return
        host = self.monitor.host
        # Without --memory Docker reports the host's memory as the limit: a line up there would flatten the chart.
        limited = host is not None and stats.memory_limit < host.memory_total * 0.98
        chart.set_limit(stats.memory_limit if limited else None)
        chart.set_note(f"limit {human_bytes(stats.memory_limit)}" if limited else "no limit")
        chart.values.setToolTip(
            f"It may use up to {human_bytes(stats.memory_limit)}"
            + ("" if limited else ", all of this computer's memory (no --memory limit)")
        )

    def _show_gpu_processes(self) -> None:
        gpus = self.monitor.gpus
        has_gpus = gpus is not None and bool(gpus.gpus)
        watch = self.gpu_check.watch
        given = watch is not None and self.row is not None and watch.grant(self.row.id) is not None
        self.charts["gpu_memory"].setVisible(has_gpus)
        self.gpu_box.setVisible(has_gpus or given)  # given a GPU where NVML sees none: Check inside says why
        self.gpu_check.refresh()
        if gpus is not None and not has_gpus:
            self.gpu_note.setText(gpus.unavailable_reason or "This computer has no NVIDIA GPU.")
        self.gpu_note.setVisible(gpus is not None and not has_gpus)
        use = self.monitor.gpu_use.get(self.row.id) if self.row else None
        processes = use.processes if use is not None else ()
        self.gpu_processes.show_processes(processes, gpus)
        self.gpu_processes.setVisible(bool(processes))
        self.gpu_empty.setText("No GPU processes run in this container.")
        self.gpu_empty.setVisible(not processes)

    # Visibility ----------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        note_visible(self.monitor, self, True)
        if self._stale and self.row is not None:
            self._ensure_charts()
            self.refresh_now()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        note_visible(self.monitor, self, False)
