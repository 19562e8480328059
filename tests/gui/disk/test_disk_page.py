"""The Disk page on the fake engine (its disk usage is the recording tests/fakes/system_df.json): the four categories,
the items biggest first, the free space, and clean-ups that preview exactly what goes and remove nothing unconfirmed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton, QTableWidget

from gui.core.disk.usage import Cleanup
from tests.gui.user_actions import answer_message_boxes


@pytest.fixture
def page(qtbot, session):
    from gui.views.disk.disk_page import DiskPage

    page = DiskPage(session)
    qtbot.addWidget(page)
    session.start()
    qtbot.waitUntil(lambda: session.connected, timeout=5000)
    page.show()
    qtbot.waitUntil(lambda: page.findChild(QTableWidget, "disk-summary").rowCount() == 4, timeout=5000)
    return page


def column(table: QTableWidget, index: int) -> list[str]:
    return [table.item(row, index).text() for row in range(table.rowCount())]


def button(page, cleanup: Cleanup) -> QPushButton:
    return page.findChild(QPushButton, f"cleanup-{cleanup.name.lower().replace('_', '-')}")


def test_the_page_shows_each_category_its_items_and_the_free_space(page, qtbot):
    summary = page.findChild(QTableWidget, "disk-summary")
    assert column(summary, 0) == ["Images", "Containers", "Local Volumes", "Build Cache"]
    assert column(summary, 3) == ["1000.0 MiB", "65.0 MiB", "2.4 GiB", "50.0 MiB"]
    assert column(summary, 4)[0] == "440.0 MiB (44 %)"
    items = page.findChild(QTableWidget, "disk-items")
    assert column(items, 0)[:3] == ["trainer:2.1", "web:1.0", "notebook:old"]  # the images, biggest first
    summary.selectRow(1)
    assert column(items, 0) == ["old-job", "web", "paused-one", "never-started"]
    assert "100.0 GiB" in page.free_label.text()  # the fake engine's data_root_free_bytes
    assert page.chart.usage is page.usage


def test_cancelling_the_preview_removes_nothing(page, engine, qtbot):
    seen: list[str] = []
    answer_message_boxes(qtbot, "Cancel", seen=seen)
    button(page, Cleanup.STOPPED_CONTAINERS).click()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert "These 2 containers will be removed, freeing 50.0 MiB" in seen[0]
    assert engine.disk_removed == []
    assert not any(type(action).__module__ == "gui.core.disk.cleanup" for action in engine.performed)


def test_the_preview_lists_exactly_the_planned_items_and_confirming_removes_them(page, engine, qtbot):
    seen: list[str] = []
    answer_message_boxes(qtbot, "Remove", seen=seen)
    button(page, Cleanup.UNUSED_VOLUMES).click()
    qtbot.waitUntil(lambda: len(engine.disk_removed) == 3, timeout=5000)
    listed = [line.removeprefix("  • ").split(":")[0] for line in seen[0].splitlines() if line.startswith("  • ")]
    assert sorted(listed) == sorted(["old-cache", "5f" + "0" * 62, "unmeasured"])
    assert sorted(name for _kind, name in engine.disk_removed) == sorted(listed)
    assert "models" not in seen[0]  # in use: never offered
    result = page.result_label
    qtbot.waitUntil(lambda: result.isVisible() and result.text() == "Freed 400.0 MiB (3 volumes).", timeout=5000)
    # The page reads the engine again: the volumes that went are gone from its numbers.
    summary = page.findChild(QTableWidget, "disk-summary")
    qtbot.waitUntil(lambda: column(summary, 1)[2] == "1", timeout=5000)


def test_a_clean_up_with_nothing_to_remove_cannot_be_started(page, engine, qtbot):
    answer_message_boxes(qtbot, "Remove")
    button(page, Cleanup.DANGLING_IMAGES).click()
    qtbot.waitUntil(lambda: len(engine.disk_removed) == 2, timeout=5000)
    qtbot.waitUntil(
        lambda: not button(page, Cleanup.DANGLING_IMAGES).isEnabled() and page.usage is not None, timeout=5000
    )
    assert page.result_label.text() == "Freed 120.0 MiB (2 images)."


def test_a_failed_read_is_said_in_a_sentence(qtbot, session, engine):
    from gui.core.errors import EngineError
    from gui.views.disk.disk_page import DiskPage

    def refuse():
        raise EngineError("The engine could not measure its disk usage.", "df failed")

    engine.disk_usage = refuse
    page = DiskPage(session)
    qtbot.addWidget(page)
    session.start()
    qtbot.waitUntil(lambda: session.connected, timeout=5000)
    page.show()
    qtbot.waitUntil(lambda: page.error_label.isVisible(), timeout=5000)
    assert page.error_label.text() == "Could not read the disk usage: The engine could not measure its disk usage."
