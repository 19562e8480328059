"""The Networks page on the fake engine (the engine's own bridge, host and none, plus lab-net on 172.28.0.0/16 with
web attached; web and trainer are on bridge): the list with who is on each, a new network checked before any engine
call, removal refused for the engine's own networks and while containers are attached, connect and disconnect."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.core.engine.networks import ConnectContainer, CreateNetwork, DisconnectContainer, RemoveNetwork
from tests.gui.user_actions import answer_message_boxes, select

LAB_IPAM = {"Config": [{"Subnet": "172.28.0.0/16"}]}


@pytest.fixture
def page(qtbot, connected, engine):
    from gui.views.networks.networks_page import NetworksPage

    engine.api.create_network("lab-net", driver="bridge", ipam=LAB_IPAM)
    engine.network_attached = {"web": ["bridge", "lab-net"], "trainer": ["bridge"]}
    qtbot.waitUntil(lambda: connected.snapshot is not None, timeout=5000)
    page = NetworksPage(connected)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    return page


def cell(page, name: str, column: int) -> str:
    row = next(r for r in range(page.model.rowCount()) if page.model.index(r, 0).data() == name)
    return page.model.index(row, column).data()


def network_actions(engine) -> list:
    return [a for a in engine.performed if type(a).__module__ == "gui.core.engine.networks"]


def refused_box(page, qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "error-box") is not None, timeout=5000)
    return page.findChild(QMessageBox, "error-box")


def test_the_list_shows_driver_subnet_and_attached_containers(page):
    assert {page.model.index(r, 0).data() for r in range(4)} == {"bridge", "host", "none", "lab-net"}
    assert cell(page, "lab-net", 1) == "bridge" and cell(page, "lab-net", 2) == "172.28.0.0/16"
    assert cell(page, "lab-net", 3) == "web"
    assert cell(page, "bridge", 3) == "trainer, web"
    assert cell(page, "host", 2) == "-" and cell(page, "host", 3) == "-"
    tip = page.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip is not None and "reach each other by name" in tip


def test_a_bad_subnet_is_refused_as_typed_before_any_engine_call(page, engine, qtbot):
    page.new_action.trigger()
    dialog = page.new_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert not dialog.create_button.isEnabled()  # no name yet
    dialog.name_edit.setText("data-net")
    dialog.subnet_edit.setText("172.29.0.1/16")
    assert dialog.problem_label.isVisible() and "write 172.29.0.0/16" in dialog.problem_label.text()
    assert not dialog.create_button.isEnabled()
    dialog.subnet_edit.setText("172.29.0.0/16")
    assert not dialog.problem_label.isVisible() and dialog.create_button.isEnabled()
    assert "docker network create --subnet 172.29.0.0/16 data-net" in dialog.command_label.text()
    assert network_actions(engine) == []
    dialog.create_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    assert network_actions(engine) == [CreateNetwork("data-net", "172.29.0.0/16")]
    assert cell(page, "data-net", 2) == "172.29.0.0/16"
    assert page.result_label.text() == "Created the network data-net."


def test_a_bad_name_is_refused_as_typed(page, qtbot):
    page.new_action.trigger()
    dialog = page.new_dialog
    dialog.name_edit.setText("my net")
    assert "not ' '" in dialog.problem_label.text() and not dialog.create_button.isEnabled()


@pytest.mark.parametrize("name", ["bridge", "host", "none"])
def test_the_engines_own_networks_are_refused_in_the_page(page, engine, qtbot, name):
    select(page, name)
    page.remove_action.trigger()
    box = refused_box(page, qtbot)
    assert box.text() == f"{name} is one of the engine's own networks: it cannot be removed."
    box.close()
    assert network_actions(engine) == []


def test_a_network_with_containers_attached_is_refused_with_what_to_do(page, engine, qtbot):
    said: list[str] = []
    page.message.connect(said.append)
    select(page, "lab-net")
    page.remove_action.trigger()
    box = refused_box(page, qtbot)
    assert "web is attached to this network" in box.text()
    assert "docker network disconnect lab-net web" in box.text() and said == [box.text()]
    box.close()
    assert network_actions(engine) == []


def test_connect_then_disconnect_show_in_the_list_and_then_remove(page, engine, qtbot):
    select(page, "lab-net")
    page.connect_action.trigger()
    dialog = page.choice_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    offered = [dialog.container_combo.itemText(i) for i in range(dialog.container_combo.count())]
    assert offered == ["old-job", "trainer"]  # web is on it already
    dialog.container_combo.setCurrentText("trainer")
    assert "docker network connect lab-net trainer" in dialog.command_label.text()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: cell(page, "lab-net", 3) == "trainer, web", timeout=5000)
    assert network_actions(engine) == [ConnectContainer("lab-net", "trainer")]

    for container in ("trainer", "web"):
        select(page, "lab-net")
        page.disconnect_action.trigger()
        dialog = page.choice_dialog
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        dialog.container_combo.setCurrentText(container)
        dialog.ok_button.click()
        qtbot.waitUntil(lambda c=container: c not in cell(page, "lab-net", 3), timeout=5000)
    assert cell(page, "lab-net", 3) == "-"
    assert network_actions(engine)[1:] == [
        DisconnectContainer("lab-net", "trainer"),
        DisconnectContainer("lab-net", "web"),
    ]

    answer_message_boxes(qtbot, "Remove")
    select(page, "lab-net")
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert network_actions(engine)[-1] == RemoveNetwork("lab-net")


def test_cancel_does_nothing(page, engine, qtbot):
    select(page, "lab-net")
    page.connect_action.trigger()
    qtbot.waitUntil(page.choice_dialog.isVisible, timeout=5000)
    page.choice_dialog.buttons.button(page.choice_dialog.buttons.StandardButton.Cancel).click()
    page.new_action.trigger()
    page.new_dialog.name_edit.setText("never-made")
    page.new_dialog.buttons.button(page.new_dialog.buttons.StandardButton.Cancel).click()
    engine.network_attached = {}  # lab-net is free now: Remove asks, and Cancel keeps it
    page.refresh()
    qtbot.waitUntil(lambda: cell(page, "lab-net", 3) == "-", timeout=5000)
    seen: list[str] = []
    answer_message_boxes(qtbot, "Cancel", seen=seen)
    select(page, "lab-net")
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert network_actions(engine) == [] and page.model.rowCount() == 4


def test_network_and_container_events_read_the_list_again(page, engine, qtbot):
    engine.network_attached["old-job"] = ["lab-net"]
    engine.emit_event({"Type": "container", "Action": "start", "id": "x", "time": 1})
    qtbot.waitUntil(lambda: cell(page, "lab-net", 3) == "old-job, web", timeout=5000)
    engine.api.create_network("made-in-a-terminal")
    engine.emit_event({"Type": "network", "Action": "create", "id": "y", "time": 2})
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
