"""Pull and Build warn before they fill the engine's disk: the free space is read afresh when the dialog opens."""

from __future__ import annotations

from gui.views.registry.pull_dialog import PullDialog

WAIT_MS = 5000


def test_a_pull_with_little_free_space_is_warned_about(qtbot, connected, engine):
    engine.free_bytes = 3 * 1024**3
    dialog = PullDialog(connected)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.space_warning.isVisible, timeout=WAIT_MS)
    text = dialog.space_warning.text()
    assert text.startswith("Only 3.0 GiB free on the engine's disk, and AI images often take 5 to 20 GiB: the pull may")
    assert "docker system prune" in text


def test_no_warning_with_room_or_when_the_engine_s_disk_cannot_be_read(qtbot, connected, engine):
    for free in (100 * 1024**3, None):
        engine.free_bytes = free
        dialog = PullDialog(connected)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda dialog=dialog: dialog.space_warning.answered, timeout=WAIT_MS)
        assert not dialog.space_warning.isVisible()


def test_a_build_with_little_free_space_is_warned_about(qtbot, tmp_path, connected, engine):
    from gui.core.build.history import BuildHistory
    from gui.views.build.build_dialog import BuildDialog
    from gui.workers.build_runner import BuildRunner

    engine.free_bytes = 1024**3
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM busybox\n", encoding="utf-8")
    runner = BuildRunner(connected, BuildHistory(tmp_path / "builds"))
    dialog = BuildDialog(connected, runner, tmp_path / "app", "Dockerfile", "app:1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.space_warning.isVisible, timeout=WAIT_MS)
    assert "the build may stop half way" in dialog.space_warning.text()
