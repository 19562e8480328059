"""The Volumes page on the fake engine (its volumes are those of tests/fakes/system_df.json: models, old-cache, an
anonymous one and unmeasured; web mounts models): the list with who uses each, a new volume's name checked before
any engine call, removal refused while in use, and Remove unused that previews exactly what goes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.core.engine.volumes import CreateVolume, RemoveUnusedVolumes, RemoveVolume
from tests.gui.user_actions import answer_message_boxes, select

ANONYMOUS = "5f" + "0" * 62
ALL = {"models", "old-cache", ANONYMOUS, "unmeasured"}


@pytest.fixture
def page(qtbot, connected, engine):
    from gui.views.volumes.volumes_page import VolumesPage

    engine.volume_mounts = {"web": ["models"]}
    page = VolumesPage(connected)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    return page


def cell(page, name: str, column: int) -> str:
    row = next(r for r in range(page.model.rowCount()) if page.model.index(r, 0).data() == name)
    return page.model.index(row, column).data()


def volume_actions(engine) -> list:
    return [a for a in engine.performed if type(a).__module__ == "gui.core.engine.volumes"]


def test_the_list_shows_each_volume_with_who_uses_it(page):
    assert {page.model.index(r, 0).data() for r in range(4)} == ALL
    assert cell(page, "models", 1) == "web"
    assert cell(page, "old-cache", 1) == "-"
    assert cell(page, "models", 4) == "/var/lib/docker/volumes/models/_data"
    tip = page.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip is not None and "kept when a container is removed" in tip


def test_sizes_arrive_after_the_list_and_stay_through_a_re_read(qtbot, connected, engine):
    import threading

    from gui.views.volumes.volumes_page import VolumesPage

    engine.volume_sizes_gate = threading.Event()  # the engine is still measuring
    page = VolumesPage(connected)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    assert cell(page, "models", 2) == "-"  # listed, not measured yet
    engine.volume_sizes_gate.set()
    qtbot.waitUntil(lambda: cell(page, "models", 2) == "2.0 GiB", timeout=5000)
    assert cell(page, "old-cache", 2) == "300.0 MiB" and cell(page, "unmeasured", 2) == "-"
    engine.volume_sizes_gate.clear()  # the next measure hangs: the re-read list keeps the last sizes meanwhile
    page.refresh()
    qtbot.waitUntil(lambda: not page._reading, timeout=5000)
    assert cell(page, "models", 2) == "2.0 GiB"
    engine.volume_sizes_gate.set()


def test_a_new_volume_name_is_checked_as_typed_before_any_engine_call(page, engine, qtbot):
    page.new_action.trigger()
    dialog = page.new_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.name_edit.setText("my data")
    assert dialog.problem_label.isVisible() and "not ' '" in dialog.problem_label.text()
    assert not dialog.create_button.isEnabled()
    assert volume_actions(engine) == []
    dialog.name_edit.setText("datasets")
    assert not dialog.problem_label.isVisible() and dialog.create_button.isEnabled()
    assert "docker volume create datasets" in dialog.command_label.text()
    dialog.create_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    assert volume_actions(engine) == [CreateVolume("datasets")]
    assert page.result_label.text() == "Created the volume datasets."


def test_removing_a_volume_in_use_is_refused_in_the_page_with_what_to_do(page, engine, qtbot):
    said: list[str] = []
    page.message.connect(said.append)
    select(page, "models")
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "error-box") is not None, timeout=5000)
    box = page.findChild(QMessageBox, "error-box")
    expected = "web uses this volume: remove that container first (docker rm web), then the volume."
    assert box.text() == expected and said == [expected]
    box.close()
    assert volume_actions(engine) == []  # no engine call at all


def test_removing_an_unused_volume_asks_then_removes_it(page, engine, qtbot):
    seen: list[str] = []
    answer_message_boxes(qtbot, "Remove", seen=seen)
    select(page, "old-cache")
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert "old-cache" in seen[0]
    assert volume_actions(engine) == [RemoveVolume("old-cache")]


def test_remove_unused_previews_exactly_the_unused_and_removes_exactly_them(page, engine, qtbot):
    seen: list[str] = []
    answer_message_boxes(qtbot, "Remove", seen=seen)
    page.prune_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    listed = {line.removeprefix("  • ").split(" ")[0] for line in seen[0].splitlines() if line.startswith("  • ")}
    assert listed == ALL - {"models"}
    assert [type(a) for a in volume_actions(engine)] == [RemoveUnusedVolumes]
    assert set(volume_actions(engine)[0].names) == listed
    assert sorted(name for kind, name in engine.disk_removed if kind == "volume") == sorted(listed)
    qtbot.waitUntil(lambda: page.result_label.text().startswith("Removed 3 unused volume(s): "), timeout=5000)


def test_a_volume_taken_since_the_list_was_read_is_not_offered(page, engine, qtbot):
    answer_message_boxes(qtbot, "Remove")
    engine.volume_mounts["trainer"] = ["old-cache"]  # after the page read the list
    page.prune_action.trigger()  # the page reads again before its preview: old-cache is then in use, never offered
    qtbot.waitUntil(lambda: page.result_label.text().startswith("Removed 2"), timeout=5000)
    assert "old-cache" not in page.result_label.text()
    assert {row.name for row in page.model.rows} == {"models", "old-cache"}


def test_cancelling_remove_unused_removes_nothing(page, engine, qtbot):
    seen: list[str] = []
    answer_message_boxes(qtbot, "Cancel", seen=seen)
    page.prune_action.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert "old-cache" in seen[0] and "models" not in seen[0]
    assert volume_actions(engine) == [] and engine.disk_removed == []


def test_a_container_event_reads_the_list_again(page, engine, qtbot):
    engine.volume_mounts["trainer"] = ["old-cache"]
    engine.emit_event({"Type": "container", "Action": "create", "id": "x", "time": 1})
    qtbot.waitUntil(lambda: cell(page, "old-cache", 1) == "trainer", timeout=5000)


def test_a_volume_event_reads_the_volumes_again_but_not_the_lists(page, engine, connected, qtbot):
    """A volume made in a terminal shows up; the containers and images are not read again for it."""
    snapshots: list = []
    connected.snapshotChanged.connect(snapshots.append)
    engine.volume_mounts["trainer"] = ["old-cache"]  # seen only when the volumes are read again
    engine.emit_event({"Type": "volume", "Action": "create", "id": "old-cache", "time": 2})
    qtbot.waitUntil(lambda: cell(page, "old-cache", 1) == "trainer", timeout=5000)
    qtbot.wait(400)  # longer than the session's coalescing delay: a refresh it started would have landed
    assert snapshots == []
