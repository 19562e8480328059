"""Text is not cut off: the Status and Created columns of the Containers and Images tables are as wide as their
longest text, also with a header saved before they sized themselves."""

from __future__ import annotations

import time

from gui.models.lists import CONTAINER_CREATED_COLUMN, CONTAINER_STATUS_COLUMN, IMAGE_CREATED_COLUMN
from tests.fakes import fake_engine

LONG_STATUS = "Exited (137) About a minute ago"


def widest_text(page, column: int) -> int:
    metrics = page.table.fontMetrics()
    return max(
        metrics.horizontalAdvance(page.proxy.index(row, column).data() or "") for row in range(page.proxy.rowCount())
    )


def fits(page, column: int) -> bool:
    return page.table.columnWidth(column) >= widest_text(page, column)


def test_status_and_created_columns_fit_their_longest_text(window, engine, qtbot):
    engine.add_container(
        fake_engine.replace_row(
            fake_engine.container("long-status", state="exited", created=time.time() - 40 * 86400), status=LONG_STATUS
        )
    )
    page = window.containers_page
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 4, timeout=5000)
    qtbot.waitUntil(lambda: fits(page, CONTAINER_STATUS_COLUMN), timeout=3000)
    assert page.table.columnWidth(CONTAINER_STATUS_COLUMN) >= page.table.fontMetrics().horizontalAdvance(LONG_STATUS)
    qtbot.waitUntil(lambda: fits(page, CONTAINER_CREATED_COLUMN), timeout=3000)


def test_images_created_column_fits_its_text(window, qtbot):
    window.show_page("images")
    page = window.images_page
    qtbot.waitUntil(lambda: page.proxy.rowCount() > 0, timeout=5000)
    page.table.setColumnWidth(IMAGE_CREATED_COLUMN, 5)  # a user drags it narrow: it comes back
    qtbot.waitUntil(lambda: fits(page, IMAGE_CREATED_COLUMN), timeout=3000)


def test_a_header_saved_with_narrow_columns_still_fits(window, settings, qtbot):
    page = window.containers_page
    header = page.table.horizontalHeader()
    header.setSectionResizeMode(CONTAINER_STATUS_COLUMN, header.ResizeMode.Interactive)  # as older versions saved it
    page.table.setColumnWidth(CONTAINER_STATUS_COLUMN, 5)
    page.save_state(settings)
    page.restore_state(settings)
    qtbot.waitUntil(lambda: fits(page, CONTAINER_STATUS_COLUMN), timeout=3000)
