"""The Monitor page at 1280x800 (issue 14): the busiest containers table is as tall as its rows, so one running
container does not push the page into a scroll bar; ten still show without one."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea

from tests.gui.monitor.monitor_stub import container_id, host_sample, no_driver, stats, tick


def rows_room(table) -> int:
    """How many rows the table shows without scrolling."""
    return table.viewport().height() // table.verticalHeader().defaultSectionSize()


def test_busiest_table_is_as_tall_as_its_rows(qtbot, monitor):
    from gui.views.monitor.monitor_page import TOP_CONTAINERS, MonitorPage

    page = MonitorPage(monitor)
    qtbot.addWidget(page)
    page.resize(1150, 620)  # the page's share of a 1280x800 window
    monitor.host = host_sample()
    monitor.gpus = no_driver()
    monitor.containers = {container_id("web"): stats("web", 3.0)}
    page.show()
    tick(monitor)
    table = page.busiest
    qtbot.waitUntil(lambda: table.rowCount() == 1 and table.isVisible(), timeout=3000)
    assert rows_room(table) == 1
    scroll = page.findChild(QScrollArea)
    qtbot.waitUntil(lambda: not scroll.verticalScrollBar().isVisible(), timeout=3000)  # the whole page fits

    monitor.containers = {container_id(f"c{i}"): stats(f"c{i}", float(i)) for i in range(12)}
    tick(monitor)
    qtbot.waitUntil(lambda: table.rowCount() == TOP_CONTAINERS, timeout=3000)
    assert rows_room(table) >= TOP_CONTAINERS
    assert not table.verticalScrollBar().isVisible()
