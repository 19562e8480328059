"""The Services page and Deploy as service… on the fake engine made a one-node swarm: a deployed run shows with its
replicas, its tasks below on the node's hostname, Scale… with its twin, Remove once confirmed; an engine outside a
swarm gets the sentence that says what to do."""

from __future__ import annotations

import pytest

from gui.core.run.spec import PortSpec, RunSpec
from gui.core.swarm.services import NOT_IN_SWARM, CreateService, RemoveService, ScaleService
from tests.fakes.fake_swarm import with_swarm
from tests.gui.user_actions import answer_message_boxes, select

RUN = RunSpec("web:1.0", name="web", ports=(PortSpec("80", "8080"),), memory="256m")


@pytest.fixture
def swarm(engine):
    return with_swarm(engine)


def make_page(qtbot, connected):
    from gui.views.swarm.services_page import ServicesPage

    page = ServicesPage(connected)
    qtbot.addWidget(page)
    page.show()
    return page


def swarm_actions(engine) -> list:
    return [a for a in engine.performed if type(a).__module__ == "gui.core.swarm.services"]


def test_deploy_shows_the_twin_and_the_service_with_its_tasks(qtbot, swarm, connected):
    from gui.views.swarm.deploy_dialog import DeployDialog

    dialog = DeployDialog(RUN, connected)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.memory_edit.text() == "256m"  # prefilled from the run
    dialog.replicas_spin.setValue(2)
    qtbot.keyClicks(dialog.placement_edit, "node.role==boss")
    assert "manager or worker" in dialog.problem_label.text() and not dialog.deploy_button.isEnabled()
    dialog.placement_edit.setPlainText("node.role==manager")
    assert dialog.deploy_button.isEnabled()
    command = dialog.command_label.text()
    assert "docker service create --name web --replicas 2 --publish published=8080,target=80" in command
    assert "--limit-memory 256m --constraint node.role==manager" in command
    assert "127.0.0.1" in dialog.notes_label.text()  # the run's loopback-only port is not kept
    dialog.deploy_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    (action,) = swarm_actions(swarm)
    assert isinstance(action, CreateService) and action.command == command.removeprefix("Equivalent command: ")

    page = make_page(qtbot, connected)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.model.index(0, 3).data() == "2/2" and page.model.index(0, 4).data() == "8080->80/tcp (ingress)"
    select(page, "web")
    qtbot.waitUntil(lambda: page.tasks_model.rowCount() == 2, timeout=5000)
    assert {page.tasks_model.index(r, 1).data() for r in range(2)} == {"workstation"}
    assert page.tasks_label.text().startswith("Tasks of web")


def test_scale_and_remove(qtbot, swarm, connected):
    swarm.api.create_service({"ContainerSpec": {"Image": "web:1.0"}}, name="web", mode={"replicated": {"Replicas": 1}})
    page = make_page(qtbot, connected)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    select(page, "web")
    qtbot.waitUntil(lambda: page.tasks_model.rowCount() == 1, timeout=5000)
    page.scale_action.trigger()
    dialog = page.scale_dialog
    dialog.replicas_spin.setValue(3)
    assert dialog.command_label.text() == "Equivalent command: docker service scale web=3"
    dialog.scale_button.click()
    qtbot.waitUntil(lambda: page.tasks_model.rowCount() == 3, timeout=8000)  # the 2 s reading, or the event
    assert page.model.index(0, 3).data() == "3/3"
    assert isinstance(swarm_actions(swarm)[-1], ScaleService)

    answer_message_boxes(qtbot, "Remove")
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    assert isinstance(swarm_actions(swarm)[-1], RemoveService)
    assert "Deploy as service" in page.empty_label.text()


def test_an_engine_outside_a_swarm_gets_a_sentence(qtbot, engine, connected):
    with_swarm(engine, state="inactive")
    page = make_page(qtbot, connected)
    qtbot.waitUntil(lambda: page.empty_label.text() == NOT_IN_SWARM, timeout=5000)
    assert page.showing_empty_state and not page.scale_action.isEnabled()


def test_a_global_service_leaves_the_replica_count_out(qtbot, connected):
    from gui.views.swarm.deploy_dialog import DeployDialog

    dialog = DeployDialog(RUN, connected)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.global_box.setChecked(True)
    assert not dialog.replicas_spin.isEnabled()
    assert "docker service create --name web --mode global --publish" in dialog.command_label.text()
