"""InspectDialog built from payloads saved from a real engine (tests/fakes)."""

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication

from gui.core.engine.inspect_summary import container_summary, image_summary
from gui.views.widgets.inspect_dialog import InspectDialog

FAKES = Path(__file__).parents[2] / "fakes"
SECRET_VALUE = "abc123"  # the container fixture was run with -e API_TOKEN=abc123


def _load(name: str):
    return json.loads((FAKES / name).read_text(encoding="utf-8"))


def _tab_titles(dialog):
    return [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]


@pytest.fixture
def container_dialog(qtbot):
    raw = _load("inspect_container.json")
    dialog = InspectDialog(
        "Container portside-inspect-dev", container_summary(raw), raw, "docker container inspect portside-inspect-dev"
    )
    qtbot.addWidget(dialog)
    return dialog


@pytest.fixture
def image_dialog(qtbot):
    raw = _load("inspect_image.json")
    dialog = InspectDialog(
        "Image portside-dev/inspect:1",
        image_summary(raw),
        raw,
        "docker image inspect portside-dev/inspect:1",
        history=_load("image_history.json"),
    )
    qtbot.addWidget(dialog)
    return dialog


def test_title_and_tabs(container_dialog, image_dialog):
    assert container_dialog.windowTitle() == "Container portside-inspect-dev"
    assert _tab_titles(container_dialog) == ["Summary", "JSON"]
    assert container_dialog.layers_table is None
    assert _tab_titles(image_dialog) == ["Summary", "Layers", "JSON"]


def test_summary_shows_published_port(container_dialog):
    matches = container_dialog.summary_tree.findItems(
        "127.0.0.1:18080 -> 80/tcp", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 1
    )
    assert len(matches) == 1
    assert matches[0].text(0) == "Published port"
    assert matches[0].toolTip(1) == "127.0.0.1:18080 -> 80/tcp"


def test_section_headers_are_bold(container_dialog):
    tree = container_dialog.summary_tree
    headers = [tree.topLevelItem(index) for index in range(tree.topLevelItemCount())]
    assert headers[0].text(0) == "General"
    assert all(header.font(0).bold() for header in headers)


def test_secret_is_masked_everywhere(container_dialog):
    assert "API_TOKEN" in container_dialog.json_view.toPlainText()
    assert SECRET_VALUE not in container_dialog.json_view.toPlainText()
    tree = container_dialog.summary_tree
    every_item = tree.findItems("", Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive, 0)
    assert not any(SECRET_VALUE in item.text(1) for item in every_item)


def test_json_is_read_only_and_monospace(container_dialog):
    view = container_dialog.json_view
    assert view.isReadOnly()
    assert view.font().family() == QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()


def test_layers_table_matches_history(image_dialog):
    history = _load("image_history.json")
    table = image_dialog.layers_table
    assert table.rowCount() == len(history)
    assert table.columnCount() == 4
    assert table.item(0, 1).text() == 'CMD ["sh"]'
    last = len(history) - 1
    size = table.item(last, 2)
    assert size.text() == "1.9 MiB"
    assert size.toolTip() == f"{history[last]['Size']:,} bytes"
    assert size.textAlignment() & Qt.AlignmentFlag.AlignRight


def test_copy_puts_command_on_clipboard(container_dialog, qtbot):
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(container_dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "docker container inspect portside-inspect-dev"
    assert container_dialog.command_edit.isReadOnly()


def test_copy_selected_summary_value(container_dialog):
    tree = container_dialog.summary_tree
    matches = tree.findItems("Command", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)
    [item] = [match for match in matches if match.parent()]  # the row, not the section
    tree.setCurrentItem(item)
    QGuiApplication.clipboard().clear()
    [copy_action] = tree.actions()
    copy_action.trigger()
    assert QGuiApplication.clipboard().text() == "sleep 300"


def test_empty_payload_builds(qtbot):
    dialog = InspectDialog("Empty", container_summary({}), {}, "docker container inspect x", history=[])
    qtbot.addWidget(dialog)
    assert dialog.layers_table.rowCount() == 0
    assert dialog.json_view.toPlainText() == "{}"


def test_shows_non_modal(container_dialog, qtbot):
    container_dialog.show()
    qtbot.waitExposed(container_dialog)
    assert not container_dialog.isModal()
    assert container_dialog.width() > container_dialog.fontMetrics().averageCharWidth() * 40


def test_inspect_from_the_images_page_lists_every_layer(window, engine, qtbot, monkeypatch):
    """Issue 14: the Layers tab of an image opened from the Images page was blank (rows converted twice)."""
    from gui.core.engine import actions
    from tests.gui.user_actions import select, toolbar_button

    history = _load("image_history.json")
    plain_apply = engine._apply

    def apply(action):
        if isinstance(action, actions.InspectImage):
            return {"inspect": _load("inspect_image.json"), "history": history}
        return plain_apply(action)

    monkeypatch.setattr(engine, "_apply", apply)
    window.show_page("images")
    page = window.images_page
    select(page, "web")
    qtbot.mouseClick(toolbar_button(page, page.inspect_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(isinstance(dialog, InspectDialog) for dialog in window._dialogs), timeout=5000)
    dialog = next(dialog for dialog in window._dialogs if isinstance(dialog, InspectDialog))
    qtbot.waitExposed(dialog)
    bar = dialog.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(_tab_titles(dialog).index("Layers")).center())
    table = dialog.layers_table
    assert dialog.tabs.currentWidget() is table
    assert table.isVisible()
    assert table.rowCount() == len(history)
    assert [table.item(row, 1).text() for row in range(table.rowCount())] == [
        'CMD ["sh"]',
        "LABEL x=y",
        "ENV A=1",
        "EXPOSE 80",
        "/bin/busybox --install -s /bin",
        "COPY file:73e2b2d48642b21b357384b0cb81c1869cc5e0c48a00f61553756196058304b9 in /bin/busybox",
    ]
    assert [table.item(row, 2).text() for row in range(table.rowCount())] == ["0 B"] * 4 + ["3.1 KiB", "1.9 MiB"]
    assert table.item(len(history) - 1, 2).toolTip() == "1,982,256 bytes"
    dialog.close()
