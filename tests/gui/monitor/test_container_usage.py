"""A container's page (gui/views/monitor/container_usage.py) fed by a stub Monitor service: its charts and their
current values, the time window, its GPU processes, a stopped container's history and updating only while shown."""

from __future__ import annotations

import time

import pytest

from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import GpuProcessUse
from gui.core.monitor.keys import ContainerKey
from tests.fakes import fake_engine
from tests.gui.monitor.monitor_stub import (
    NO_DRIVER,
    GiB,
    MiB,
    fill_history,
    host_sample,
    no_driver,
    stats,
    tick,
    two_gpus,
)


@pytest.fixture
def container_page(qtbot, monitor):
    from gui.views.monitor.container_usage import ContainerPage

    page = ContainerPage(monitor)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    return page


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
    x, _y = container_page.charts["cpu"].line_data(0)
    assert min(x) >= -121 and max(x) <= 0  # two minutes of history, at its true age


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
    x, _y = container_page.charts["cpu"].line_data(0)
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
