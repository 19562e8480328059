"""Compose projects on the Containers page, as a user meets them: a Project column (only when there are projects),
Group by project, and the project's Up, Stop, Start, Down… and Logs from the context menu's Project menu
(the project's logs window: test_project_logs.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.models.lists import (
    CONTAINER_CREATED_COLUMN,
    CONTAINER_IMAGE_COLUMN,
    CONTAINER_PORTS_COLUMN,
    CONTAINER_PROJECT_COLUMN,
    CONTAINER_STATE_COLUMN,
    CONTAINER_STATUS_COLUMN,
    USAGE_COLUMNS,
)
from gui.views.containers.containers_page import ContainersPage
from tests.fakes import fake_engine
from tests.fakes.fake_compose import FakeComposeEngine, compose_container, compose_network
from tests.gui.user_actions import answer_message_boxes


@pytest.fixture
def engine(tmp_path):
    fake = FakeComposeEngine()
    rows = (
        compose_container("shop", "web", folder=str(tmp_path)),
        compose_container("shop", "db", folder=str(tmp_path)),
        compose_container("blog", "app", state="exited"),
        fake_engine.container("solo"),
        fake_engine.container("alpha", state="exited"),
    )
    fake.containers_by_id = {row.id: row for row in rows}
    fake.networks_raw.append(compose_network("shop"))
    return fake


@pytest.fixture
def page(qtbot, session, engine):
    page = ContainersPage(session)
    qtbot.addWidget(page)
    page.show()
    session.start()
    qtbot.waitUntil(lambda: page.proxy.rowCount() == len(engine.containers_by_id), timeout=5000)
    return page


def names(page) -> list[str]:
    return [page.proxy.index(row, 0).data() for row in range(page.proxy.rowCount())]


def select(page, *wanted: str) -> None:
    page.select_keys(set(wanted), lambda row: row.name)


def cell(page, name: str, column: int, role=Qt.ItemDataRole.DisplayRole):
    return page.proxy.index(names(page).index(name), column).data(role)


def state_of(engine, name: str) -> str | None:
    return next((row.state for row in engine.containers_by_id.values() if row.name == name), None)


def test_every_column_place_names_its_column(page):
    titles = {
        0: "Name",
        CONTAINER_PROJECT_COLUMN: "Project",
        CONTAINER_IMAGE_COLUMN: "Image",
        CONTAINER_STATE_COLUMN: "State",
        CONTAINER_STATUS_COLUMN: "Status",
        CONTAINER_PORTS_COLUMN: "Ports",
        CONTAINER_CREATED_COLUMN: "Created",
        USAGE_COLUMNS[0]: "CPU",
        USAGE_COLUMNS[1]: "GPU",
    }
    for column, title in titles.items():
        assert page.model.headerData(column, Qt.Orientation.Horizontal) == title


def test_the_project_column_names_the_project_and_the_service_in_its_tooltip(page):
    assert not page.table.isColumnHidden(CONTAINER_PROJECT_COLUMN)
    assert cell(page, "shop-web-1", CONTAINER_PROJECT_COLUMN) == "shop"
    assert cell(page, "shop-web-1", CONTAINER_PROJECT_COLUMN, Qt.ItemDataRole.ToolTipRole) == (
        "Compose project shop, service web"
    )
    assert cell(page, "solo", CONTAINER_PROJECT_COLUMN) == ""


def test_the_project_column_shows_only_while_a_container_has_a_project(page, engine, qtbot):
    for row in list(engine.containers_by_id.values()):
        if row.name.startswith(("shop", "blog")):
            del engine.containers_by_id[row.id]
    engine.emit_event({"Type": "container", "Action": "destroy"})
    qtbot.waitUntil(lambda: page.table.isColumnHidden(CONTAINER_PROJECT_COLUMN), timeout=5000)

    engine.add_container(compose_container("lab", "notebook"))
    qtbot.waitUntil(lambda: not page.table.isColumnHidden(CONTAINER_PROJECT_COLUMN), timeout=5000)


def test_group_by_project_keeps_projects_together_and_the_rest_last(page, qtbot):
    assert names(page) == ["alpha", "blog-app-1", "shop-db-1", "shop-web-1", "solo"]  # by name at first
    page.group_by_project.click()
    assert names(page) == ["blog-app-1", "shop-db-1", "shop-web-1", "alpha", "solo"]
    # Sorting by another column ends the grouping, and the box says so.
    page.table.sortByColumn(CONTAINER_STATE_COLUMN, Qt.SortOrder.AscendingOrder)
    assert not page.group_by_project.isChecked()
    page.group_by_project.click()
    page.group_by_project.click()  # off again: back to by name
    assert names(page) == ["alpha", "blog-app-1", "shop-db-1", "shop-web-1", "solo"]


def in_context_menu(page) -> bool:
    """What the right-click menu shows: the actions that need a selection (ListPage), here enabled."""
    action = page.projects.menu_action
    return bool(action.property("needs_selection")) and action.isEnabled()


def test_the_project_menu_is_there_only_when_the_selection_shares_a_project(page):
    select(page, "shop-web-1")
    assert in_context_menu(page)
    assert page.projects.menu.title() == "Project shop"
    assert "docker compose -p shop stop" in page.projects.stop_action.toolTip()
    assert not page.projects.start_action.isEnabled()  # both running: nothing to start
    select(page, "shop-web-1", "shop-db-1")
    assert in_context_menu(page)
    select(page, "shop-web-1", "solo")
    assert not in_context_menu(page)
    select(page, "solo")
    assert not in_context_menu(page) and page.projects.menu.title() == "Project"


def test_stop_and_start_act_on_every_container_of_the_project(page, engine, qtbot):
    select(page, "shop-web-1")  # one of them selected: the project's other one goes too
    page.projects.stop_action.trigger()
    qtbot.waitUntil(lambda: state_of(engine, "shop-db-1") == state_of(engine, "shop-web-1") == "exited", timeout=5000)
    assert state_of(engine, "solo") == "running"
    qtbot.waitUntil(lambda: page.projects.start_action.isEnabled(), timeout=5000)
    page.projects.start_action.trigger()
    qtbot.waitUntil(lambda: state_of(engine, "shop-db-1") == state_of(engine, "shop-web-1") == "running", timeout=5000)
    assert state_of(engine, "blog-app-1") == "exited"


def test_down_names_what_goes_and_removes_containers_and_network(page, engine, qtbot):
    select(page, "shop-db-1")
    seen: list[str] = []
    answer_message_boxes(qtbot, "Down", seen=seen)
    page.projects.down_action.trigger()
    qtbot.waitUntil(lambda: not any(r.name.startswith("shop") for r in engine.containers_by_id.values()), timeout=5000)
    assert "shop-db-1, shop-web-1" in seen[0] and "shop_default" in seen[0] and "volumes are kept" in seen[0]
    assert "shop_default" not in [n["Name"] for n in engine.networks_raw]
    assert {"solo", "alpha", "blog-app-1"} <= {r.name for r in engine.containers_by_id.values()}


def test_down_cancelled_removes_nothing(page, engine, qtbot):
    select(page, "shop-db-1")
    answer_message_boxes(qtbot, "Cancel")
    page.projects.down_action.trigger()
    qtbot.waitUntil(lambda: page.findChild(QMessageBox) is None or not page.findChild(QMessageBox).isVisible())
    assert len(engine.containers_by_id) == 5 and "shop_default" in [n["Name"] for n in engine.networks_raw]


def test_up_runs_compose_with_the_projects_own_files(page, engine, qtbot, tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    select(page, "shop-web-1")
    assert f"docker compose -p shop -f {tmp_path / 'compose.yaml'} up -d" in page.projects.up_action.toolTip()
    page.projects.up_action.trigger()
    qtbot.waitUntil(lambda: len(engine.ups) == 1, timeout=5000)
    assert engine.ups[0].config_files == (str(tmp_path / "compose.yaml"),)


def test_up_without_the_compose_file_here_says_what_to_do(page, engine, qtbot):
    select(page, "shop-web-1")  # its compose.yaml was never written
    page.projects.up_action.trigger()
    qtbot.waitUntil(lambda: any(box.isVisible() for box in page.findChildren(QMessageBox)), timeout=5000)
    box = next(box for box in page.findChildren(QMessageBox) if box.isVisible())
    assert "is not on this computer" in box.text() and "Run docker compose up where the file is" in box.text()
    assert engine.ups == []
