"""The Monitor page: this computer, every NVIDIA GPU and the busiest containers on one screen, live.

It reads the one MonitorService of the app and repaints on its `updated` signal, only while someone looks: a
hidden page marks itself stale and catches up when shown, and tells the service so it samples at low cost.
"""

from __future__ import annotations

import heapq
import time
import weakref

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core.format import exact_bytes, human_bytes, short_id
from gui.core.monitor.keys import HOST, ContainerKey
from gui.core.monitor.stats import cpu_percent_tooltip
from gui.core.monitor.timeseries import SeriesBook
from gui.models.table import SPARK_ROLE
from gui.views.monitor.gpu_timeline import GpuTimelinePanel
from gui.views.widgets.sparkline_delegate import SparklineDelegate
from gui.views.widgets.style import colour_style, set_secondary

NA = "n/a"
REFRESH_CHOICES = (("0.5 s", 500), ("1 s", 1000), ("2 s", 2000), ("5 s", 5000))
TOP_CONTAINERS = 10
SPARK_POINTS = 30
HOST_WINDOW = 300  # seconds of host history on this page
LOST_TEXT = (
    "This GPU stopped answering: it fell off the bus or its driver was reloaded. Portside keeps trying "
    "and shows it again when it answers."
)

# The monitor views that are on screen now, per service: the service samples at low cost when none is.
_watchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def note_visible(monitor, view: QWidget, visible: bool) -> None:
    """Tell the service whether any monitor view is on screen (pages switch: one hides as the other shows)."""
    views = _watchers.setdefault(monitor, weakref.WeakSet())
    if visible:
        views.add(view)
    else:
        views.discard(view)
    monitor.set_hidden(not views)


def bold_title(text: str, parent: QWidget, scale: float = 1.5) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def _percent(value: float | None) -> str:
    return NA if value is None else f"{value:.0f} %"


def _of(used: int | None, total: int | None) -> str:
    """'5.1 GiB of 62.7 GiB (8 %)'."""
    if used is None or not total:
        return human_bytes(used) if used is not None else NA
    return f"{human_bytes(used)} of {human_bytes(total)} ({100 * used / total:.0f} %)"


def _recent(book: SeriesBook, key: ContainerKey, metric: str) -> list[float]:
    """The last values for a sparkline, without creating an empty series for a metric never recorded."""
    series = book.get(key, metric)
    return series.recent(SPARK_POINTS) if series is not None else []


class CoreBars(QWidget):
    """One thin bar per CPU core, as tall as its use; painted, so 128 cores cost no more than 4."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.values: tuple[float, ...] = ()
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, values: tuple[float, ...]) -> None:
        self.values = tuple(values)
        self.setToolTip(
            "Use of each CPU core:\n" + "\n".join(f"Core {i}: {value:.0f} %" for i, value in enumerate(self.values))
            if self.values
            else ""
        )
        self.update()

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(self.fontMetrics().lineSpacing() * 2)
        return hint

    def paintEvent(self, event) -> None:
        if not self.values:
            return
        painter = QPainter(self)
        palette = self.palette()
        count = len(self.values)
        gap = 1.0 if self.width() / count > 4 else 0.0
        width = self.width() / count
        height = self.height()
        for i, value in enumerate(self.values):
            rect = QRectF(i * width, 0, max(1.0, width - gap), height)
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            filled = height * min(100.0, max(0.0, value)) / 100
            painter.fillRect(
                QRectF(rect.left(), height - filled, rect.width(), filled), palette.color(QPalette.ColorRole.Highlight)
            )
        painter.end()


def _meter(parent: QWidget) -> QProgressBar:
    bar = QProgressBar(parent)
    bar.setRange(0, 1000)
    bar.setTextVisible(False)
    bar.setMaximumHeight(bar.fontMetrics().lineSpacing())
    return bar


class HostPanel(QGroupBox):
    """CPU total and per core, memory, swap, load and the free space of Docker's data root."""

    def __init__(self, parent=None):
        super().__init__("This computer", parent)
        self.setObjectName("monitor-host")
        self.cpu = QLabel(NA, self)
        self.cpu.setObjectName("host-cpu")
        self.cores = CoreBars(self)
        self.memory = QLabel(NA, self)
        self.memory.setObjectName("host-memory")
        self.memory_bar = _meter(self)
        self.swap = QLabel(NA, self)
        self.swap.setObjectName("host-swap")
        self.swap_bar = _meter(self)
        self.load = QLabel(NA, self)
        self.load.setObjectName("host-load")
        self.load.setToolTip(
            "Processes running or waiting for a CPU, averaged over 1, 5 and 15 minutes. "
            "Above the number of CPUs, work waits."
        )
        self.disk = QLabel(NA, self)
        self.disk.setObjectName("host-disk")
        self.disk.setWordWrap(True)
        self.disk_bar = _meter(self)
        self.chart = None  # CPU and memory history, built the first time the page shows

        form = QFormLayout()
        form.addRow("CPU", self.cpu)
        form.addRow("", self.cores)
        form.addRow("Memory", self.memory)
        form.addRow("", self.memory_bar)
        form.addRow("Swap", self.swap)
        form.addRow("", self.swap_bar)
        form.addRow("Load", self.load)
        form.addRow("Docker data", self.disk)
        form.addRow("", self.disk_bar)
        self.columns = QHBoxLayout(self)
        self.columns.addLayout(form, 2)

    def ensure_chart(self) -> None:
        if self.chart is None:
            from gui.views.widgets.charts import PERCENT, TimeChart

            self.chart = TimeChart("Last 5 minutes", PERCENT, ("CPU", "Memory"), self)
            self.chart.setObjectName("host-chart")
            self.chart.set_window(HOST_WINDOW)
            self.columns.addWidget(self.chart, 3)

    def show_sample(self, host) -> None:
        if host is None:
            for label in (self.cpu, self.memory, self.swap, self.load, self.disk):
                label.setText(NA)
            return
        cores = len(host.per_cpu)
        self.cpu.setText(
            f"{host.cpu_percent:.0f} % of {cores} CPU{'s' if cores != 1 else ''}"
            if cores
            else f"{host.cpu_percent:.0f} %"
        )
        self.cores.set_values(host.per_cpu)
        self.memory.setText(_of(host.memory_used, host.memory_total))
        self.memory.setToolTip(f"{exact_bytes(host.memory_used)} of {exact_bytes(host.memory_total)} in use")
        self.memory_bar.setValue(round(10 * host.memory_percent))
        if host.swap_total:
            self.swap.setText(_of(host.swap_used, host.swap_total))
            self.swap_bar.setValue(round(1000 * host.swap_used / host.swap_total))
        else:
            self.swap.setText("No swap")
            self.swap_bar.setValue(0)
        self.swap_bar.setVisible(bool(host.swap_total))
        self.load.setText(NA if host.load is None else "{:.2f} · {:.2f} · {:.2f}  (1, 5 and 15 min)".format(*host.load))
        if host.data_root_free is None or not host.data_root_total:
            self.disk.setText(NA)
            self.disk_bar.hide()
        else:
            where = f"{host.data_root}: " if host.data_root else ""
            self.disk.setText(f"{where}{human_bytes(host.data_root_free)} free of {human_bytes(host.data_root_total)}")
            self.disk.setToolTip(
                f"{exact_bytes(host.data_root_free)} free. Images, containers and volumes are stored here."
            )
            self.disk_bar.setValue(round(1000 * (1 - host.data_root_free / host.data_root_total)))
            self.disk_bar.show()

    def show_history(self, book: SeriesBook, now: float) -> None:
        if self.chart is not None:
            self.chart.set_lines(
                [
                    book.series(HOST, "cpu").window(HOST_WINDOW, now),
                    book.series(HOST, "memory_percent").window(HOST_WINDOW, now),
                ],
                now,
            )


class GpuCard(QGroupBox):
    """One GPU: what NVML says about it now; fields the GPU does not report read n/a."""

    FIELDS = ("Utilisation", "Memory", "Temperature", "Power", "Fan", "Clocks", "Processes")

    def __init__(self, sample, parent=None):
        super().__init__(parent)
        self.setObjectName(f"gpu-card-{sample.index}")
        self.values: dict[str, QLabel] = {}
        form = QFormLayout(self)
        for field in self.FIELDS:
            label = QLabel(NA, self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[field] = label
            form.addRow(field, label)
        self.lost = QLabel(LOST_TEXT, self)
        self.lost.setObjectName("gpu-lost")
        self.lost.setWordWrap(True)
        self.lost.setStyleSheet(colour_style("warning"))
        form.addRow(self.lost)
        self.show_sample(sample)

    def show_sample(self, gpu) -> None:
        plain = f"GPU {gpu.index}"
        self.setTitle(f"{plain} · {gpu.name}" if gpu.name and gpu.name != plain else plain)
        self.setToolTip(f"UUID {gpu.uuid}" if gpu.uuid else "")
        problem = getattr(gpu, "problem", None)  # NVML's own words, for the curious
        if gpu.lost:
            self.lost.setText(LOST_TEXT)
        elif problem:
            self.lost.setText("Portside could not read this GPU now; it tries again on every update.")
        self.lost.setToolTip(f"NVML says: {problem}" if problem else "")
        self.lost.setVisible(gpu.lost or bool(problem))
        v = self.values
        v["Utilisation"].setText(_percent(gpu.utilization))
        v["Utilisation"].setToolTip(
            ""
            if gpu.memory_utilization is None
            else f"Memory controller busy {gpu.memory_utilization:.0f} % of the time"
        )
        v["Memory"].setText(_of(gpu.memory_used, gpu.memory_total))
        v["Temperature"].setText(NA if gpu.temperature is None else f"{gpu.temperature} °C")
        if gpu.power_draw is None:
            v["Power"].setText(NA)
        else:
            limit = f" of {gpu.power_limit:.0f} W" if gpu.power_limit is not None else ""
            v["Power"].setText(f"{gpu.power_draw:.0f} W{limit}")
        v["Fan"].setText(_percent(gpu.fan))
        clocks = []
        if gpu.sm_clock is not None:
            clocks.append(f"{gpu.sm_clock} MHz SM")
        if gpu.memory_clock is not None:
            clocks.append(f"{gpu.memory_clock} MHz memory")
        v["Clocks"].setText(" · ".join(clocks) or NA)
        count = len(gpu.processes)
        v["Processes"].setText(
            NA if gpu.lost else "None" if not count else f"{count} process{'es' if count != 1 else ''}"
        )
        for field in self.FIELDS:
            v[field].setEnabled(not gpu.lost)


class GpuPanel(QGroupBox):
    """Every GPU as a card, with the driver; one calm sentence when there is no driver or no GPU."""

    def __init__(self, parent=None):
        super().__init__("NVIDIA GPUs", parent)
        self.setObjectName("monitor-gpus")
        self.driver = QLabel(self)
        self.driver.setObjectName("gpu-driver")
        self.message = QLabel("Looking for NVIDIA GPUs…", self)
        self.message.setObjectName("gpu-message")
        self.message.setWordWrap(True)
        self.host_processes = QLabel(self)
        self.host_processes.setObjectName("gpu-host-processes")
        self.host_processes.setWordWrap(True)
        self.grid = QGridLayout()
        self.cards: list[GpuCard] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.driver)
        layout.addWidget(self.message)
        layout.addLayout(self.grid)
        layout.addWidget(self.host_processes)
        self.driver.hide()
        self.host_processes.hide()

    def show_snapshot(self, snapshot, gpu_use: dict) -> None:
        if snapshot is None:
            return
        if snapshot.unavailable_reason or not snapshot.gpus:
            self.message.setText(snapshot.unavailable_reason or "This computer has no NVIDIA GPU.")
            self.message.show()
            self._set_cards(())
        else:
            self.message.hide()
            self._set_cards(snapshot.gpus)
        driver = []
        if snapshot.driver_version:
            driver.append(f"Driver {snapshot.driver_version}")
        if snapshot.cuda_version:
            driver.append("supports CUDA up to {}.{}".format(*snapshot.cuda_version))
        self.driver.setText(", ".join(driver))
        self.driver.setToolTip("Images built for a newer CUDA than this need a newer driver.")
        self.driver.setVisible(bool(driver) and bool(snapshot.gpus))
        host = gpu_use.get(None)
        if host is not None and host.processes:
            count = len(host.processes)
            self.host_processes.setText(
                f"Host processes (not in a container): {count} using {human_bytes(host.gpu_memory)} of GPU memory."
            )
            self.host_processes.setToolTip(
                "\n".join(f"PID {p.pid} on GPU {p.gpu_index}: {human_bytes(p.used_memory)}" for p in host.processes)
            )
        self.host_processes.setVisible(host is not None and bool(host.processes))

    def _set_cards(self, gpus) -> None:
        if [card.objectName() for card in self.cards] != [f"gpu-card-{gpu.index}" for gpu in gpus]:
            for card in self.cards:
                card.deleteLater()
            self.cards = []
            columns = 1 if len(gpus) == 1 else 2 if len(gpus) in (2, 4) else 3
            for i, gpu in enumerate(gpus):
                card = GpuCard(gpu, self)
                self.grid.addWidget(card, i // columns, i % columns)
                card.show()  # now, not on the layout's next pass: the page is already on screen
                self.cards.append(card)
        else:
            for card, gpu in zip(self.cards, gpus):
                card.show_sample(gpu)


class BusiestTable(QTableWidget):
    """The containers using the most CPU now, with memory and GPU use; activate a row to open its charts."""

    COLUMNS = ("Container", "CPU", "Memory", "GPU")

    def __init__(self, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("busiest-table")
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        width = self.fontMetrics().averageCharWidth()
        for column, characters in ((1, 22), (2, 22), (3, 32)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, characters * width)
        self.setItemDelegateForColumn(1, SparklineDelegate(self))
        self.setItemDelegateForColumn(2, SparklineDelegate(self))
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # its box takes no spare height
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its rows (ten at most), never a scroll bar: room for ten kept empty made the page scroll at
        1280x800 with a single container running."""
        self.setFixedHeight(
            self.horizontalHeader().sizeHint().height()
            + 2 * self.frameWidth()
            + self.verticalHeader().defaultSectionSize() * max(1, min(self.rowCount(), TOP_CONTAINERS))
        )

    def show_containers(self, containers: dict, gpu_use: dict, book: SeriesBook, state_of=None) -> None:
        """state_of: container id -> GpuUseState (gui.core.monitor.gpu_use), where the GPU watch is wired; asked for
        the rows shown only (with 500 containers, asking for all was most of the page's time)."""
        busiest = heapq.nsmallest(
            TOP_CONTAINERS,
            containers.values(),
            key=lambda s: (-(s.cpu_percent if s.cpu_percent is not None else -1), s.name),
        )
        self.setRowCount(len(busiest))
        self._fit_height()
        for row, stats in enumerate(busiest):
            gpu = gpu_use.get(stats.container_id)
            key = ContainerKey(stats.container_id)
            cpu = NA if stats.cpu_percent is None else f"{stats.cpu_percent:.1f} %"
            memory = human_bytes(stats.memory_used)
            gpu_memory = human_bytes(gpu.gpu_memory) if gpu is not None and gpu.gpu_memory else ""
            gpu_tip = "GPU memory its processes use" if gpu_memory else ""
            state = state_of(stats.container_id) if state_of is not None else None
            if state is not None:
                gpu_memory, gpu_tip = state.text, state.tooltip
            name_tip = f"{stats.name}\nID {short_id(stats.container_id)}. Double-click for its charts."
            cells = (
                (stats.name, f"{name_tip}\n{stats.source}" if stats.source else name_tip, None),
                (cpu, cpu_percent_tooltip(stats.online_cpus), _recent(book, key, "cpu")),
                (memory, _of(stats.memory_used, stats.memory_limit) + " of its limit", _recent(book, key, "memory")),
                (gpu_memory, gpu_tip, None),
            )
            for column, (text, tip, spark) in enumerate(cells):
                item = self.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    if column:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(row, column, item)
                item.setText(text)
                item.setToolTip(tip)
                item.setData(Qt.ItemDataRole.UserRole, stats.container_id)
                item.setData(SPARK_ROLE, spark)

    def container_ids(self) -> list[str]:
        return [self.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(self.rowCount())]


class MonitorPage(QWidget):
    containerRequested = Signal(str)  # container id: open its charts

    def __init__(self, monitor, parent=None):
        super().__init__(parent)
        self.setObjectName("monitor-page")
        self.monitor = monitor
        self.watch = None  # the GpuWatch worker (set_gpu_watch): GPU-use states and the GPU timeline
        self._stale = True

        self.title = bold_title("Monitor", self)
        self.refresh = QComboBox(self)
        self.refresh.setObjectName("monitor-refresh")
        self.refresh.setToolTip("How often Portside samples the containers, this computer and the GPUs")
        for text, ms in REFRESH_CHOICES:
            self.refresh.addItem(f"Every {text}", ms)
        current = self.refresh.findData(monitor.interval_ms)
        self.refresh.setCurrentIndex(current if current >= 0 else 1)
        self.refresh.currentIndexChanged.connect(lambda _i: self.monitor.set_interval(self.refresh.currentData()))
        self.pause = QPushButton("Pause", self)
        self.pause.setObjectName("monitor-pause")
        self.pause.setCheckable(True)
        self.pause.setToolTip("Stop sampling for now; the history keeps what it has")
        self.pause.toggled.connect(self._set_paused)
        self.status = QLabel(self)
        self.status.setObjectName("monitor-status")
        set_secondary(self.status)

        self.host = HostPanel(self)
        self.gpus = GpuPanel(self)
        self.timeline = GpuTimelinePanel(self)
        self.timeline.hide()
        self.timeline.window_combo.currentIndexChanged.connect(lambda _i: self.refresh_now())
        self.busiest = BusiestTable(self)
        self.busiest.activated.connect(self._activated)
        self.busiest.doubleClicked.connect(self._activated)
        self.no_containers = QLabel(
            "No container is running. Start one from the Containers page and it shows up here with its CPU and memory.",
            self,
        )
        self.no_containers.setObjectName("busiest-empty")
        self.no_containers.setWordWrap(True)
        set_secondary(self.no_containers)
        busiest_box = QGroupBox(f"Busiest containers (top {TOP_CONTAINERS} by CPU)", self)
        busiest_layout = QVBoxLayout(busiest_box)
        busiest_layout.addWidget(self.busiest)
        busiest_layout.addWidget(self.no_containers)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch()
        top.addWidget(self.status)
        top.addWidget(self.refresh)
        top.addWidget(self.pause)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.host)
        body.addWidget(self.gpus)
        body.addWidget(self.timeline)
        body.addWidget(busiest_box)
        body.addStretch()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

        self._set_paused(monitor.paused)
        monitor.updated.connect(self._on_updated)
        note_visible(monitor, self, False)

    def show_engine_place(self, engine_elsewhere: str | None) -> None:
        """The host and GPU panels always read this computer (psutil, NVML): with an engine elsewhere (its address
        given) they say so, since its containers run on another computer."""
        mark = " (not the engine's)" if engine_elsewhere else ""
        self.host.setTitle(f"This computer{mark}")
        self.gpus.setTitle(f"NVIDIA GPUs of this computer{mark}" if mark else "NVIDIA GPUs")
        tip = (
            f"These numbers are this workstation's. The engine in use is at {engine_elsewhere}: its computer's CPU, "
            "memory and GPUs are not read from here; the containers' own numbers are the engine's."
        )
        for panel in (self.host, self.gpus):
            panel.setToolTip(tip if engine_elsewhere else "")

    def set_gpu_watch(self, watch) -> None:
        self.watch = watch
        watch.changed.connect(self._on_updated)

    # Controls ------------------------------------------------------------------------------------

    def _set_paused(self, paused: bool) -> None:
        if self.pause.isChecked() != paused:
            self.pause.setChecked(paused)  # re-enters through toggled
            return
        if self.monitor.paused != paused:
            self.monitor.set_paused(paused)
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setToolTip("Sample again" if paused else "Stop sampling for now; the history keeps what it has")
        self.status.setText("Paused" if paused else "")

    def _activated(self, index) -> None:
        container_id = self.busiest.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        if container_id:
            self.containerRequested.emit(container_id)

    # Updates -------------------------------------------------------------------------------------

    def _on_updated(self) -> None:
        if not self.isVisible():
            self._stale = True  # nobody looks: catch up when shown
            return
        self.refresh_now()

    def refresh_now(self) -> None:
        monitor = self.monitor
        self._stale = False
        self.host.show_sample(monitor.host)
        now = time.time()
        self.host.show_history(monitor.book, now)
        self.gpus.show_snapshot(monitor.gpus, monitor.gpu_use)
        self.timeline.show_history(self.watch, monitor.gpus, now)
        watch = self.watch
        state_of = (lambda container_id: watch.state(container_id, now)) if watch is not None else None
        self.busiest.show_containers(monitor.containers, monitor.gpu_use, monitor.book, state_of)
        empty = not monitor.containers
        self.busiest.setVisible(not empty)
        self.no_containers.setVisible(empty)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.host.ensure_chart()
        self.timeline.shown = True  # its charts may be built now
        note_visible(self.monitor, self, True)
        if self._stale:
            self.refresh_now()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        note_visible(self.monitor, self, False)
