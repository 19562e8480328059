"""A thousand containers and a thousand images (issue 17): refreshes keep the selection, sorting puts every row in the
right place and keeps it there through refreshes, the filter shows exactly the matching rows, and a burst of engine
events ends with the page equal to the engine."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from gui.core.engine.rows import ImageRow
from gui.models.lists import CONTAINER_STATE_COLUMN, CONTAINER_STATUS_COLUMN, containers_model
from gui.models.table import ROW_ROLE
from tests.fakes import fake_engine

COUNT = 1000
STATES = ("running", "exited", "created", "paused")


def many_containers(count: int = COUNT):
    now = time.time()
    rows = []
    for i in range(count):
        row = fake_engine.container(
            f"c{(i * 7919) % count:04d}",  # names not in the engine's order
            state=STATES[i % len(STATES)],
            image=f"img{i % 37}:1",
            created=now - (i % 50) * 3600,  # many equal keys: ties keep their order
        )
        rows.append(replace(row, status=f"Up {i % 13} minutes" if row.state == "running" else row.status))
    return rows


def many_images(count: int = COUNT):
    return [
        ImageRow(f"sha256:{i:064d}", f"repo/img{i:04d}", f"t{i % 13}", time.time() - i * 60, (i * 7) % 101 * 1024**2)
        for i in range(count)
    ]


@pytest.fixture
def engine():
    fake = fake_engine.FakeEngine()
    fake.containers_by_id = {row.id: row for row in many_containers()}
    fake.images = many_images()
    return fake


def set_engine_rows(engine, rows) -> None:
    with engine._lock:
        engine.containers_by_id = {row.id: row for row in rows}


def shown(page) -> list:
    """The rows the table shows, top to bottom."""
    return [page.proxy.index(i, 0).data(ROW_ROLE) for i in range(page.proxy.rowCount())]


def selected_ids(page) -> set[str]:
    return {row.id for row in page.selected_rows()}


def refresh_and_wait(window, qtbot) -> None:
    before = window.session.snapshot
    window.session.refresh()
    qtbot.waitUntil(lambda: window.session.snapshot is not before, timeout=10_000)


def test_selection_survives_a_refresh_of_a_thousand_changed_rows(window, engine, qtbot):
    page = window.containers_page
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    rows = list(engine.containers_by_id.values())
    picked = {row.id for row in rows[100:110]} | {rows[500].id, rows[999].id}
    page.select_keys(picked, lambda row: row.id)
    assert selected_ids(page) == picked
    # Every row changes, some go, some come: the picked rows stay, changed, and stay selected.
    changed = [replace(row, status=row.status + " (changed)") for row in rows if row.id not in {rows[5].id, rows[7].id}]
    set_engine_rows(engine, changed + [fake_engine.container(f"new{i}") for i in range(20)])
    refresh_and_wait(window, qtbot)
    assert page.model.rowCount() == COUNT - 2 + 20
    assert selected_ids(page) == picked
    assert all(row.status.endswith("(changed)") for row in page.selected_rows())


def test_selection_follows_rows_that_move_when_sorted_by_a_changing_column(window, engine, qtbot):
    page = window.containers_page
    page.table.sortByColumn(CONTAINER_STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
    rows = list(engine.containers_by_id.values())
    picked = {rows[3].id, rows[600].id}
    page.select_keys(picked, lambda row: row.id)
    selection = page.table.selectionModel()
    selection.setCurrentIndex(selection.selectedRows()[0], selection.SelectionFlag.NoUpdate)
    current = page.table.currentIndex().data(ROW_ROLE).id
    set_engine_rows(engine, [replace(row, status="Zzz " + row.status) if row.id in picked else row for row in rows])
    refresh_and_wait(window, qtbot)
    assert [row.id for row in shown(page)[-2:]] == sorted(picked, key=lambda i: engine.containers_by_id[i].status)
    assert selected_ids(page) == picked
    assert page.table.currentIndex().data(ROW_ROLE).id == current


def column_key(page, column: int):
    """The order a user expects of a column: its sort key, else its text in any case."""
    spec = page.model._columns[column]
    return spec.sort_key if spec.sort_key else lambda row: spec.text(row).lower()


@pytest.mark.parametrize("page_name", ["containers", "images"])
def test_every_column_sorts_every_row_both_ways(window, page_name):
    page = getattr(window, f"{page_name}_page")
    window.show_page(page_name)
    engine_order = page.model.rows
    for column in range(page.model.columnCount()):
        key = column_key(page, column)
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            page.table.sortByColumn(column, order)
            keys = [key(row) for row in shown(page)]
            expected = sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)
            assert keys == expected, (page.model.headerData(column, Qt.Orientation.Horizontal), order)
    assert sorted(map(repr, shown(page))) == sorted(map(repr, engine_order))  # every row, once


def test_sorted_rows_stay_in_order_through_refreshes_and_new_rows(window, engine, qtbot):
    page = window.containers_page
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    rows = list(engine.containers_by_id.values())
    renamed = [replace(row, name=f"a-renamed-{row.name}") if i % 10 == 0 else row for i, row in enumerate(rows)]
    set_engine_rows(engine, renamed[50:] + [fake_engine.container(f"zz-new-{i}") for i in range(30)])
    refresh_and_wait(window, qtbot)
    names = [row.name for row in shown(page)]
    assert names == sorted(names, reverse=True)
    assert names[:30] == sorted((f"zz-new-{i}" for i in range(30)), reverse=True)
    assert set(names) == {row.name for row in renamed[50:]} | {f"zz-new-{i}" for i in range(30)}


def test_filter_shows_exactly_the_rows_with_the_text_in_a_cell(window, engine, qtbot):
    page = window.containers_page
    qtbot.keyClicks(page.filter_edit, "IMG3")  # any case, in the Image column
    expected = {row.id for row in engine.containers_by_id.values() if "img3" in row.image}
    assert {row.id for row in shown(page)} == expected
    page.filter_edit.setText("up 12 minutes")  # the Status column
    assert {row.id for row in shown(page)} == {
        row.id for row in engine.containers_by_id.values() if row.status == "Up 12 minutes"
    }
    page.show_all.click()  # running only, and the text
    assert {row.id for row in shown(page)} == {
        row.id for row in engine.containers_by_id.values() if row.status == "Up 12 minutes" and row.running
    }
    page.show_all.click()
    # A refresh that changes a row's text brings it in, or takes it out.
    rows = list(engine.containers_by_id.values())
    newly, no_more = rows[1], next(row for row in rows if row.status == "Up 12 minutes")
    set_engine_rows(
        engine,
        [
            replace(row, status="Up 12 minutes")
            if row is newly
            else replace(row, status="Up 3 hours")
            if row is no_more
            else row
            for row in rows
        ],
    )
    refresh_and_wait(window, qtbot)
    ids = {row.id for row in shown(page)}
    assert newly.id in ids and no_more.id not in ids
    page.filter_edit.clear()
    assert page.proxy.rowCount() == COUNT


def test_a_burst_of_events_ends_with_the_page_equal_to_the_engine(window, engine, qtbot):
    page = window.containers_page
    # By state: a burst moves rows between groups.
    page.table.sortByColumn(CONTAINER_STATE_COLUMN, Qt.SortOrder.AscendingOrder)
    rows = list(engine.containers_by_id.values())
    after = list(rows)
    for i in range(0, 100):  # started and stopped
        after[i] = replace(after[i], state="exited" if after[i].state == "running" else "running")
    for i in range(100, 150):  # renamed
        after[i] = replace(after[i], name=after[i].name + "-renamed")
    gone = {row.id for row in after[150:175]}
    after = [row for row in after if row.id not in gone] + [fake_engine.container(f"burst-{i}") for i in range(25)]
    set_engine_rows(engine, after)
    for i in range(200):
        engine.emit_event({"Type": "container", "Action": "start", "id": rows[i % 175].id, "time": int(time.time())})

    def equal() -> bool:
        return {(row.id, row.name, row.state) for row in page.model.rows} == {
            (row.id, row.name, row.state) for row in after
        }

    qtbot.waitUntil(equal, timeout=10_000)
    states = [row.state for row in shown(page)]
    assert states == sorted(states)


def test_the_model_keeps_qts_rules_while_sorted(qtmodeltester):
    model = containers_model()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    rows = many_containers(50)
    model.set_rows(rows)
    qtmodeltester.check(model)
    model.set_rows([replace(row, name="x" + row.name) if i % 3 == 0 else row for i, row in enumerate(rows[5:])])
    qtmodeltester.check(model)
    names = [row.name for row in model.rows]
    assert names == sorted(names, reverse=True)


def test_long_status_among_a_thousand_rows_is_not_cut_off(window, engine, qtbot):
    page = window.containers_page
    rows = list(engine.containers_by_id.values())
    longest = "Exited (137) About a minute ago, and then some more words"
    set_engine_rows(engine, [replace(rows[700], status=longest), *rows[:700], *rows[701:]])
    refresh_and_wait(window, qtbot)
    needed = page.table.fontMetrics().horizontalAdvance(longest)
    qtbot.waitUntil(lambda: page.table.columnWidth(CONTAINER_STATUS_COLUMN) >= needed, timeout=5000)


def test_sorted_by_status_rows_stay_in_order_as_their_statuses_tick(window, engine, qtbot):
    """Found: a refresh that changed many rows of the sorted column left rows out of order (the sorting proxy placed
    each changed row among rows already changed but not yet announced)."""
    page = window.containers_page
    page.table.sortByColumn(CONTAINER_STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
    rows = list(engine.containers_by_id.values())
    ticked = [replace(row, status=f"Up {(i * 31) % 59} minutes") if row.running else row for i, row in enumerate(rows)]
    set_engine_rows(engine, ticked)
    refresh_and_wait(window, qtbot)
    statuses = [row.status.lower() for row in shown(page)]
    assert statuses == sorted(statuses)
