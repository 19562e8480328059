"""The Monitor page, a container's page, the charts and the sparkline delegate, fed by a stub Monitor service.

The stub has the MonitorService's attributes and signals (gui/workers/monitor/service.py) and holds the core's own data
classes, so these tests see what a user sees without threads, an engine or NVML.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel, QWheelEvent
from PySide6.QtWidgets import QLabel, QTableView

from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import GpuProcessUse, GpuSample, GpuSnapshot
from gui.core.monitor.host import HostSample
from gui.core.monitor.keys import HOST, ContainerKey
from gui.core.monitor.stats import ContainerStats
from gui.core.monitor.timeseries import SeriesBook
from gui.models.table import SPARK_ROLE
from tests.fakes import fake_engine

GiB = 1024**3
MiB = 1024**2
NO_DRIVER = "No NVIDIA driver is installed, so there are no GPUs to show. Everything else works as usual."


class StubMonitor(QObject):
    """What the views read of MonitorService, with the setters recording their calls."""

    updated = Signal()
    gpuSnapshot = Signal(object)

    def __init__(self):
        super().__init__()
        self.book = SeriesBook()
        self.containers: dict[str, ContainerStats] = {}
        self.gpu_use: dict = {}
        self.host: HostSample | None = None
        self.gpus = None
        self.interval_ms = 1000
        self.paused = False
        self.hidden = False
        self.hidden_calls: list[bool] = []

    def set_interval(self, ms: int) -> None:
        self.interval_ms = ms

    def set_paused(self, paused: bool) -> None:
        self.paused = paused

    def set_hidden(self, hidden: bool) -> None:
        self.hidden = hidden
        self.hidden_calls.append(hidden)


def container_id(name: str) -> str:
    return f"{name}-id".ljust(64, "0")


def stats(
    name: str, cpu: float | None, memory: int = 100 * MiB, limit: int = 16 * GiB, cpus: int = 4, pids: int | None = 3
) -> ContainerStats:
    return ContainerStats(
        container_id=container_id(name),
        name=name,
        read=time.time(),
        cpu_percent=cpu,
        online_cpus=cpus,
        memory_used=memory,
        memory_limit=limit,
        memory_percent=100 * memory / limit,
        net_rx=0,
        net_tx=0,
        block_read=0,
        block_write=0,
        net_rx_rate=2048.0,
        net_tx_rate=1024.0,
        block_read_rate=0.0,
        block_write_rate=512.0,
        pids=pids,
    )


def host_sample(load=(0.52, 0.61, 0.7), swap_total: int = 0) -> HostSample:
    return HostSample(
        time=time.time(),
        cpu_percent=25.0,
        per_cpu=(10.0, 20.0, 30.0, 40.0),
        memory_used=2 * GiB,
        memory_total=8 * GiB,
        memory_percent=25.0,
        swap_used=0,
        swap_total=swap_total,
        load=load,
        data_root="/var/lib/docker",
        data_root_free=120 * GiB,
        data_root_total=400 * GiB,
    )


def gpu(index: int, **changes) -> GpuSample:
    fields = {
        "index": index,
        "name": "NVIDIA H100 80GB HBM3",
        "uuid": f"GPU-{index}aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "utilization": 45.0,
        "memory_utilization": 20.0,
        "memory_used": 12 * GiB,
        "memory_total": 80 * GiB,
        "temperature": 54,
        "power_draw": 120.4,
        "power_limit": 350.0,
        "fan": None,
        "sm_clock": 1755,
        "memory_clock": 2619,
        "processes": (),
    }
    fields.update(changes)
    return GpuSample(**fields)


def two_gpus(*, lost_second: bool = False) -> GpuSnapshot:
    second = (
        gpu(
            1,
            lost=True,
            problem="GPU is lost",
            utilization=None,
            memory_used=None,
            memory_total=None,
            temperature=None,
            power_draw=None,
            power_limit=None,
            sm_clock=None,
            memory_clock=None,
            memory_utilization=None,
        )
        if lost_second
        else gpu(1, utilization=None, power_limit=None)
    )
    return GpuSnapshot(
        gpus=(gpu(0), second),
        driver_version="550.54.15",
        cuda_version=(12, 4),
        unavailable_reason=None,
        time=time.time(),
    )


def no_driver() -> GpuSnapshot:
    return GpuSnapshot(gpus=(), driver_version=None, cuda_version=None, unavailable_reason=NO_DRIVER, time=time.time())


def fill_history(monitor: StubMonitor, name: str, seconds: int = 120, now: float | None = None) -> None:
    """`seconds` of 1 Hz history for a container, up to now: CPU climbing to 50 %, memory at 100 MiB."""
    now = time.time() if now is None else now
    key = ContainerKey(container_id(name))
    for i in range(seconds):
        t = now - seconds + i + 1
        monitor.book.record(
            key,
            t,
            {
                "cpu": 50.0 * (i + 1) / seconds,
                "memory": 100 * MiB,
                "net_rx": 2048.0,
                "net_tx": 1024.0,
                "block_read": 0.0,
                "block_write": 512.0,
            },
        )
        monitor.book.record(HOST, t, {"cpu": 25.0, "memory_percent": 25.0})


@pytest.fixture
def monitor(qtbot):
    return StubMonitor()


@pytest.fixture
def monitor_page(qtbot, monitor):
    from gui.views.monitor.monitor_page import MonitorPage

    page = MonitorPage(monitor)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    return page


@pytest.fixture
def container_page(qtbot, monitor):
    from gui.views.monitor.container_usage import ContainerPage

    page = ContainerPage(monitor)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    return page


def tick(monitor: StubMonitor) -> None:
    monitor.updated.emit()


# The Monitor page ---------------------------------------------------------------------------------------------


def test_host_panel_shows_cpu_memory_swap_load_and_docker_disk(monitor, monitor_page):
    monitor.host = host_sample()
    monitor_page.show()
    tick(monitor)
    host = monitor_page.host
    assert host.cpu.text() == "25 % of 4 CPUs"
    assert host.cores.values == (10.0, 20.0, 30.0, 40.0)
    assert "Core 3: 40 %" in host.cores.toolTip()
    assert host.memory.text() == "2.0 GiB of 8.0 GiB (25 %)"
    assert host.swap.text() == "No swap"
    assert host.load.text().startswith("0.52 · 0.61 · 0.70")
    assert host.disk.text() == "/var/lib/docker: 120.0 GiB free of 400.0 GiB"

    monitor.host = host_sample(load=None, swap_total=4 * GiB)
    tick(monitor)
    assert host.load.text() == "n/a"
    assert host.swap.text() == "0 B of 4.0 GiB (0 %)"


def test_gpu_cards_show_every_field_with_na_for_unsupported_ones(monitor, monitor_page):
    monitor.gpus = two_gpus()
    monitor_page.show()
    tick(monitor)
    panel = monitor_page.gpus
    assert [card.title() for card in panel.cards] == ["GPU 0 · NVIDIA H100 80GB HBM3", "GPU 1 · NVIDIA H100 80GB HBM3"]
    first, second = panel.cards
    assert first.toolTip() == "UUID GPU-0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert first.values["Utilisation"].text() == "45 %"
    assert first.values["Memory"].text() == "12.0 GiB of 80.0 GiB (15 %)"
    assert first.values["Temperature"].text() == "54 °C"
    assert first.values["Power"].text() == "120 W of 350 W"
    assert first.values["Fan"].text() == "n/a"
    assert first.values["Clocks"].text() == "1755 MHz SM · 2619 MHz memory"
    assert second.values["Utilisation"].text() == "n/a"
    assert second.values["Power"].text() == "120 W"  # no limit reported: the draw alone
    assert panel.driver.text() == "Driver 550.54.15, supports CUDA up to 12.4"
    assert panel.driver.isVisible() and not panel.message.isVisible()
    assert not first.lost.isVisible()


def test_a_lost_gpu_says_so_and_comes_back(monitor, monitor_page):
    monitor.gpus = two_gpus(lost_second=True)
    monitor_page.show()
    tick(monitor)
    first, second = monitor_page.gpus.cards
    assert second.lost.isVisible() and "stopped answering" in second.lost.text()
    assert second.lost.toolTip() == "NVML says: GPU is lost"
    assert second.values["Memory"].text() == "n/a"
    assert not first.lost.isVisible()
    monitor.gpus = two_gpus()
    tick(monitor)
    assert monitor_page.gpus.cards[1] is second  # updated in place, not rebuilt
    assert not second.lost.isVisible()


def test_no_driver_is_one_calm_sentence_and_the_rest_works(monitor, monitor_page):
    monitor.gpus = no_driver()
    monitor.host = host_sample()
    monitor.containers = {container_id("web"): stats("web", 3.0)}
    monitor_page.show()
    tick(monitor)
    panel = monitor_page.gpus
    assert panel.message.isVisible() and panel.message.text() == NO_DRIVER
    assert panel.cards == [] and not panel.driver.isVisible()
    assert monitor_page.host.cpu.text() == "25 % of 4 CPUs"
    assert monitor_page.busiest.rowCount() == 1


def test_host_processes_on_gpus_are_listed_apart(monitor, monitor_page):
    process = GpuProcessUse(
        pid=4242, gpu_index=0, gpu_uuid="GPU-0", used_memory=512 * MiB, kind="compute", sm_percent=None
    )
    monitor.gpus = two_gpus()
    monitor.gpu_use = {None: GpuUse(container_id=None, gpu_memory=512 * MiB, processes=(process,), sm_percent=None)}
    monitor_page.show()
    tick(monitor)
    label = monitor_page.gpus.host_processes
    assert label.isVisible()
    assert label.text() == "Host processes (not in a container): 1 using 512.0 MiB of GPU memory."
    assert "PID 4242 on GPU 0" in label.toolTip()


def test_busiest_containers_are_the_top_ten_by_cpu(qtbot, monitor, monitor_page):
    cpus = [5.0, 80.0, None, 12.5, 0.0, 250.0, 1.0, 33.0, 7.0, 60.0, 2.0, 90.0]
    monitor.containers = {container_id(f"c{i}"): stats(f"c{i}", cpu) for i, cpu in enumerate(cpus)}
    trainer = container_id("c5")
    monitor.gpu_use = {trainer: GpuUse(container_id=trainer, gpu_memory=3 * GiB, processes=(), sm_percent=None)}
    fill_history(monitor, "c5", seconds=30)
    monitor_page.show()
    tick(monitor)
    table = monitor_page.busiest
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert names == ["c5", "c11", "c1", "c9", "c7", "c3", "c8", "c0", "c10", "c6"]
    assert [table.item(row, 1).text() for row in range(3)] == ["250.0 %", "90.0 %", "80.0 %"]
    assert table.item(0, 2).text() == "100.0 MiB"
    assert table.item(0, 3).text() == "3.0 GiB" and table.item(1, 3).text() == ""
    assert "up to 400 %" in table.item(0, 1).toolTip()
    assert len(table.item(0, 1).data(SPARK_ROLE)) == 30  # the CPU sparkline's points
    assert not monitor_page.no_containers.isVisible()

    with qtbot.waitSignal(monitor_page.containerRequested) as request:
        table.doubleClicked.emit(table.model().index(0, 0))
    assert request.args == [trainer]


def test_no_running_container_says_what_to_do(monitor, monitor_page):
    monitor_page.show()
    tick(monitor)
    assert monitor_page.no_containers.isVisible()
    assert "No container is running" in monitor_page.no_containers.text()
    assert not monitor_page.busiest.isVisible()


def test_refresh_rate_and_pause_reach_the_service(monitor, monitor_page):
    combo = monitor_page.refresh
    assert [combo.itemText(i) for i in range(combo.count())] == ["Every 0.5 s", "Every 1 s", "Every 2 s", "Every 5 s"]
    assert combo.currentData() == 1000
    combo.setCurrentIndex(combo.findData(2000))
    assert monitor.interval_ms == 2000
    monitor_page.pause.click()
    assert monitor.paused and monitor_page.pause.text() == "Resume"
    assert monitor_page.status.text() == "Paused"
    monitor_page.pause.click()
    assert not monitor.paused and monitor_page.pause.text() == "Pause"


def test_hidden_page_does_no_work_and_catches_up_when_shown(monitor, monitor_page):
    assert monitor.hidden  # built off screen: the service may sample at low cost
    monitor.host = host_sample()
    tick(monitor)
    assert monitor_page.host.cpu.text() == "n/a"  # not repainted while nobody looks
    monitor_page.show()
    assert not monitor.hidden
    assert monitor_page.host.cpu.text() == "25 % of 4 CPUs"
    monitor_page.hide()
    assert monitor.hidden


def test_switching_between_monitor_views_keeps_the_service_awake(qtbot, monitor):
    from PySide6.QtWidgets import QStackedWidget

    from gui.views.monitor.container_usage import ContainerPage
    from gui.views.monitor.monitor_page import MonitorPage

    monitor_page, container_page = MonitorPage(monitor), ContainerPage(monitor)
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.addWidget(QLabel("Containers"))
    stack.addWidget(monitor_page)
    stack.addWidget(container_page)
    stack.show()
    assert monitor.hidden
    stack.setCurrentWidget(monitor_page)
    assert not monitor.hidden
    stack.setCurrentWidget(container_page)
    assert not monitor.hidden
    stack.setCurrentIndex(0)
    assert monitor.hidden


# A container's page -------------------------------------------------------------------------------------------


def show_web(monitor, page, limit: int = 16 * GiB):
    row = fake_engine.container("web")
    monitor.host = host_sample()
    monitor.containers = {row.id: stats("web", 50.0, limit=limit)}
    fill_history(monitor, "web", now=time.time() - 3)
    page.show()
    page.show_container(row)
    return row


def test_container_page_shows_its_charts_with_current_values(monitor, container_page):
    show_web(monitor, container_page)
    assert container_page.title.text() == "web"
    assert container_page.subtitle.text().startswith("web:1.0 · running · web-id")
    assert container_page.subtitle.text().endswith("3 processes")
    charts = container_page.charts
    assert set(charts) == {"cpu", "memory", "network", "disk", "gpu_memory"}
    assert "50.0 %" in charts["cpu"].values.text() and "(4 CPUs)" in charts["cpu"].values.text()
    assert "100.0 MiB" in charts["memory"].values.text()
    assert "no limit" in charts["memory"].values.text()  # the host's memory as the limit is no limit
    assert "received 2.0 KiB/s" in charts["network"].values.text()
    assert "sent 1.0 KiB/s" in charts["network"].values.text()
    assert "written 512 B/s" in charts["disk"].values.text()
    assert not charts["gpu_memory"].isVisible()  # no GPU sample yet: no GPU row
    assert "up to 400 %" in charts["cpu"].values.toolTip()
    low, high = charts["cpu"].y_range()
    assert low == 0 and high >= 50
    assert not container_page.notice.isVisible()


def test_a_memory_limit_is_drawn_and_named(monitor, container_page):
    show_web(monitor, container_page, limit=512 * MiB)
    chart = container_page.charts["memory"]
    assert "limit 512.0 MiB" in chart.values.text()
    assert chart.y_range()[1] >= 512 * MiB


def test_window_selector_changes_the_chart_range(monitor, container_page):
    show_web(monitor, container_page)
    combo = container_page.window_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Last 1 min",
        "Last 5 min",
        "Last 15 min",
        "Last 60 min",
    ]
    assert container_page.charts["cpu"].x_range() == pytest.approx((-300, 0))
    container_page.set_window("15 min")
    for chart in container_page.charts.values():
        assert chart.x_range() == pytest.approx((-900, 0))
    combo.setCurrentIndex(0)
    assert container_page.charts["network"].x_range() == pytest.approx((-60, 0))
    x, _y = container_page.charts["cpu"].curves[0].getData()
    assert x.min() >= -121 and x.max() <= 0  # two minutes of history, at its true age


def test_container_gpu_processes_table(monitor, container_page):
    row = fake_engine.container("trainer")
    processes = (
        GpuProcessUse(pid=101, gpu_index=0, gpu_uuid="GPU-0", used_memory=2 * GiB, kind="compute", sm_percent=37.0),
        GpuProcessUse(pid=102, gpu_index=1, gpu_uuid="GPU-1", used_memory=1 * GiB, kind="graphics", sm_percent=None),
    )
    monitor.gpus = two_gpus()
    monitor.gpu_use = {row.id: GpuUse(container_id=row.id, gpu_memory=3 * GiB, processes=processes, sm_percent=37.0)}
    container_page.show()
    container_page.show_container(row)
    table = container_page.gpu_processes
    assert table.isVisible() and not container_page.gpu_empty.isVisible()
    assert container_page.charts["gpu_memory"].isVisible() and not container_page.gpu_note.isVisible()
    cells = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert cells == [
        ["101", "0 · NVIDIA H100 80GB HBM3", "compute", "2.0 GiB", "37 %"],
        ["102", "1 · NVIDIA H100 80GB HBM3", "graphics", "1.0 GiB", "n/a"],
    ]


def test_container_page_without_a_driver_says_so(monitor, container_page):
    monitor.gpus = no_driver()
    show_web(monitor, container_page)
    assert not container_page.gpu_box.isVisible() and not container_page.charts["gpu_memory"].isVisible()
    assert container_page.gpu_note.isVisible() and container_page.gpu_note.text() == NO_DRIVER


def test_a_stopped_container_keeps_its_history_with_a_note(monitor, container_page):
    row = fake_engine.container("old-job", state="exited")
    fill_history(monitor, "old-job")
    container_page.show()
    container_page.show_container(row)
    assert container_page.notice.isVisible()
    assert "not running" in container_page.notice.text()
    x, _y = container_page.charts["cpu"].curves[0].getData()
    assert len(x) == 120


def test_container_page_updates_only_while_shown(monitor, container_page):
    row = show_web(monitor, container_page)
    container_page.hide()
    monitor.containers = {row.id: stats("web", 75.0)}
    monitor.book.record(ContainerKey(row.id), time.time() - 1, {"cpu": 75.0})
    tick(monitor)
    assert "75.0 %" not in container_page.charts["cpu"].values.text()
    container_page.show()
    assert "75.0 %" in container_page.charts["cpu"].values.text()


def test_back_button(qtbot, container_page):
    with qtbot.waitSignal(container_page.backRequested):
        container_page.back.click()


# Charts and sparklines -------------------------------------------------------------------------------------


def test_axis_labels_are_in_human_units(qtbot):
    from gui.views.widgets import charts

    chart = charts.TimeChart("Memory", charts.BYTES)
    qtbot.addWidget(chart)
    axis = chart.plot.getPlotItem().getAxis("left")
    spacing = axis.tickSpacing(0, 500 * MiB, 300)
    assert spacing[0][0] % MiB == 0  # round MiB steps, not round byte counts
    assert axis.tickStrings([0, 100 * MiB, 200 * MiB], 1, 100 * MiB) == ["0 MiB", "100 MiB", "200 MiB"]
    rate = charts.TimeChart("Network", charts.RATE, ("received", "sent"))
    qtbot.addWidget(rate)
    assert rate.plot.getPlotItem().getAxis("left").tickStrings([1536], 1, 512) == ["1.5 KiB/s"]
    percent = charts.TimeChart("CPU", charts.PERCENT)
    qtbot.addWidget(percent)
    assert percent.plot.getPlotItem().getAxis("left").tickStrings([0, 50, 100], 1, 50) == ["0 %", "50 %", "100 %"]
    times = chart.plot.getPlotItem().getAxis("bottom")
    assert times.tickStrings([-300, -240, -30, 0], 1, 60) == ["−5 min", "−4 min", "−30 s", "now"]
    assert charts.format_value(None, charts.PERCENT) == "n/a"
    assert charts.format_value(math.nan, charts.RATE) == "n/a"


def test_the_value_axis_tops_at_a_round_number_and_stays_while_values_wiggle_under_it(qtbot):
    from gui.views.widgets import charts

    assert charts.round_top(47.0, charts.PERCENT) == 50.0
    assert charts.round_top(100.0, charts.PERCENT) == 120.0  # a full CPU stays under the top
    assert charts.round_top(130 * MiB, charts.BYTES) == 150 * MiB
    assert charts.round_top(1000 * MiB, charts.BYTES) == 1.2 * 1024 * MiB  # 1050 MiB reads as 1.2 GiB
    assert charts.round_top(0.0, charts.RATE) == 1.0
    chart = charts.TimeChart("CPU")
    qtbot.addWidget(chart)
    now = time.time()
    tops = set()
    for value in (41.0, 44.5, 39.2, 46.0):
        chart.set_data([now - 2, now - 1, now], [10.0, 20.0, value], now=now)
        tops.add(chart.y_range())
    assert tops == {(0.0, 50.0)}
    chart.set_data([now - 1, now], [10.0, 55.0], now=now)
    assert chart.y_range() == (0.0, 60.0)


def test_the_wheel_scrolls_the_page_instead_of_zooming(qtbot):
    from gui.views.widgets import charts

    chart = charts.TimeChart("CPU")
    qtbot.addWidget(chart)
    chart.resize(400, 300)
    chart.show()
    chart.set_data([time.time() - 10, time.time()], [1.0, 2.0])
    before = chart.x_range(), chart.y_range()
    centre = QPointF(chart.plot.width() / 2, chart.plot.height() / 2)
    event = QWheelEvent(
        centre,
        chart.plot.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(chart.plot.viewport(), event)
    assert not event.isAccepted()
    assert (chart.x_range(), chart.y_range()) == before


def test_sparkline_path_breaks_at_gaps_and_fits_its_rect():
    from gui.views.widgets.sparkline_delegate import MAX_POINTS, sparkline_path

    rect = QRectF(0, 0, 118, 20)
    path = sparkline_path([1.0, 2.0, math.nan, 4.0, 2.0], rect)
    moves = [path.elementAt(i).isMoveTo() for i in range(path.elementCount())]
    assert moves == [True, False, True, False]  # two pieces either side of the gap
    bounds = path.boundingRect()
    assert rect.adjusted(-0.01, -0.01, 0.01, 0.01).contains(bounds)
    assert bounds.right() == pytest.approx(rect.right())  # the newest value at the right edge
    assert sparkline_path([math.nan, math.nan], rect).isEmpty()
    long = sparkline_path([float(i) for i in range(200)], rect)
    assert long.elementCount() == MAX_POINTS


def test_sparkline_delegate_paints_value_and_line(qtbot):
    from gui.views.widgets.sparkline_delegate import SparklineDelegate

    model = QStandardItemModel(2, 1)
    with_line = QStandardItem("12.5 %")
    with_line.setData([0.0, 5.0, 12.5, math.nan, 10.0, 12.5], SPARK_ROLE)
    model.setItem(0, 0, with_line)
    model.setItem(1, 0, QStandardItem("n/a"))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(0, SparklineDelegate(view))
    view.setColumnWidth(0, view.fontMetrics().averageCharWidth() * 24)
    view.show()
    image = view.grab().toImage()
    image.save("/tmp/shots5/sparkline-test.png")
    assert not image.isNull()
    highlight = view.palette().highlight().color()
    rect = view.visualRect(model.index(0, 0))
    line_pixels = sum(
        1
        for x in range(rect.left(), rect.center().x())
        for y in range(rect.top(), rect.bottom())
        if _near(image.pixelColor(x, y), highlight)
    )
    assert line_pixels > 5  # the sparkline is drawn left of the value


def _near(a, b) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 90


def test_pyqtgraph_loads_only_when_a_chart_is_built():
    code = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "import gui.views.monitor.monitor_page, gui.views.monitor.container_usage, gui.views.widgets.sparkline_delegate;"
        "assert 'pyqtgraph' not in sys.modules, 'imported at start-up';"
        "from gui.views.widgets.charts import TimeChart; TimeChart('CPU');"
        "assert 'pyqtgraph' in sys.modules"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no Qt warnings from loading or configuring pyqtgraph


# With the real service ------------------------------------------------------------------------------------


def test_pages_follow_the_real_monitor_service(qtbot, session, engine, fake_nvml):
    """The real MonitorService on the FakeEngine's recorded stats and two fake GPUs: what the pages read is there."""
    from gui.views.monitor.container_usage import ContainerPage
    from gui.views.monitor.monitor_page import MonitorPage
    from gui.workers.monitor.service import MonitorService
    from tests.fakes.fake_nvml import FakeGpu

    fake_nvml.set(
        [
            FakeGpu(memory_used=20 * GiB, utilization_gpu=75, temperature=61, fan_speed=None),
            FakeGpu(name="NVIDIA A100-SXM4-40GB", memory_total=40 * GiB, power_usage=None),
        ]
    )
    service = MonitorService(session, interval_ms=250)
    page, container = MonitorPage(service), ContainerPage(service)
    qtbot.addWidget(page)
    qtbot.addWidget(container)
    try:
        page.show()
        session.start()
        service.start()
        qtbot.waitUntil(
            lambda: len(page.gpus.cards) == 2 and page.busiest.rowCount() > 0 and page.host.cpu.text() != "n/a",
            timeout=10_000,
        )
        assert not service.hidden
        assert page.gpus.cards[1].title() == "GPU 1 · NVIDIA A100-SXM4-40GB"
        assert page.gpus.cards[0].values["Fan"].text() == "n/a"
        assert page.gpus.cards[1].values["Power"].text() == "n/a"
        running = [row for row in engine.containers() if row.state == "running"]
        assert set(page.busiest.container_ids()) == {row.id for row in running}
        page.hide()
        assert service.hidden
        container.show()
        container.show_container(running[0])
        assert not service.hidden
        memory = container.charts["memory"]
        qtbot.waitUntil(lambda: len(memory.curves[0].getData()[0]) > 0, timeout=10_000)
        assert " KiB" in memory.values.text()  # the recorded payloads' idle busybox
    finally:
        service.stop()
