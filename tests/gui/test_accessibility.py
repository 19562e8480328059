"""Keyboard and screen reader users: every control has a name, focus can be seen, Tab follows the eye."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAccessible, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gui.core.engine.connection import EngineState
from gui.views.main_window import PAGES
from gui.views.run.tables import RowTable
from gui.views.widgets.style import FOCUS_STYLE_SHEET, install_focus_style

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox)


@pytest.fixture
def settings(tmp_path):
    settings = QSettings(str(tmp_path / "portside.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/page", "containers")
    return settings


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def controls(root: QWidget) -> list[QWidget]:
    """The visible controls a user reaches. A header is read through its table, and Qt's own parts of a composite
    control (a spin box's text field, a table's corner button; named qt_…) through the control itself."""
    return [
        widget
        for widget in root.findChildren(QWidget)
        if isinstance(widget, CONTROLS)
        and not isinstance(widget, QHeaderView)
        and not widget.objectName().startswith("qt_")
        and widget.isVisible()
    ]


def nameless(root: QWidget) -> list[str]:
    return [
        f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}"
        for widget in controls(root)
        if not accessible_name(widget)
    ]


def test_every_control_of_every_page_has_a_name(window, qtbot):
    missing = []
    for name in PAGES:
        window.show_page(name)
        missing += [f"{name}: {line}" for line in nameless(window)]
    window.show_container(window.containers_page.model.rows[0].id)
    missing += [f"container: {line}" for line in nameless(window)]
    assert not missing


def test_every_control_of_the_engine_page_has_a_name_while_the_engine_is_down(window, engine, engine_state, qtbot):
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=5000)
    assert window.engine_page.steps.isVisible()
    assert not nameless(window)


def test_every_control_of_the_run_dialog_has_a_name(window, qtbot):
    dialog = window.open_run_dialog("web:1.0")
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    missing = []
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        for table in dialog.tabs.currentWidget().findChildren(RowTable):
            qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)  # the fields of a row need names too
        missing += [f"{dialog.tabs.tabText(index)}: {line}" for line in nameless(dialog)]
    dialog.close()
    assert not missing


def test_every_control_of_the_build_dialog_and_the_wizard_has_a_name(window, qtbot):
    build = window.open_build()
    qtbot.waitUntil(build.isVisible, timeout=3000)
    assert not nameless(build)
    build.close()
    wizard = window.open_wizard()
    qtbot.waitUntil(wizard.isVisible, timeout=3000)
    assert not nameless(wizard)
    wizard.close()


def tabbable(root: QWidget) -> list[QWidget]:
    return [
        widget
        for widget in root.findChildren(QWidget)
        if widget.isVisible()
        and widget.isEnabled()
        and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.focusProxy() is None
    ]


def position(widget: QWidget, root: QWidget) -> QPoint:
    return widget.mapTo(root, QPoint(0, 0))


def focus_chain(root: QWidget) -> list[QWidget]:
    """The widgets Tab visits in `root`, once round, from the top-left one."""
    reachable = tabbable(root)
    start = min(reachable, key=lambda widget: (position(widget, root).y(), position(widget, root).x()))
    chain, widget = [start], start
    for _ in range(500):
        widget = widget.nextInFocusChain()
        if widget is start:
            break
        if widget in reachable:
            chain.append(widget)
    return chain


def reading_order_breaks(root: QWidget) -> list[str]:
    """Where Tab jumps back up the window, or leftwards on the same line."""
    chain = focus_chain(root)
    breaks = []
    for before, after in itertools.pairwise(chain):
        a, b = position(before, root), position(after, root)
        same_line = abs(a.y() - b.y()) < min(before.height(), after.height()) // 2 + 1
        if (same_line and b.x() < a.x()) or (not same_line and b.y() < a.y()):
            breaks.append(
                f"{before.objectName() or type(before).__name__} -> {after.objectName() or type(after).__name__}"
            )
    return breaks


def open_tag_dialog(window):
    from gui.views.registry.tag_dialog import TagDialog

    dialog = TagDialog(window.images_page.model.rows[0], window)
    window.show_dialog(dialog)
    return dialog


DIALOGS = {
    "build": lambda window: window.open_build(),
    "run": lambda window: window.open_run_dialog("web:1.0"),
    "pull": lambda window: (window.open_pull(), window._dialogs[-1])[1],
    "push": lambda window: window.open_push_dialog("web:1.0"),
    "sign in": lambda window: window.registries_page.open_sign_in(),
    "tag": open_tag_dialog,
    "wizard": lambda window: window.open_wizard(),
}


@pytest.mark.parametrize("name", DIALOGS)
def test_tab_in_dialogs_follows_the_reading_order(window, qtbot, name):
    dialog = DIALOGS[name](window)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    if name == "run":
        qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
        dialog = dialog.general  # the fields of the tab shown
    assert len(focus_chain(dialog)) > 1
    assert not reading_order_breaks(dialog)
    dialog.window().close()


def highlight_pixels(widget: QWidget) -> int:
    """How many pixels of the widget's edge are drawn in the palette's highlight colour."""
    image = widget.grab().toImage()
    colour = widget.palette().color(QPalette.ColorRole.Highlight)
    count = 0
    for x in range(image.width()):
        for y in (0, 1, image.height() - 2, image.height() - 1):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - colour.red())
                + abs(pixel.green() - colour.green())
                + abs(pixel.blue() - colour.blue())
                < 30
            ):
                count += 1
    return count


@pytest.fixture
def focus_style(qapp):
    before = qapp.styleSheet()
    install_focus_style(qapp)
    yield
    qapp.setStyleSheet(before)


def test_focus_is_visible_on_the_sidebar_lists_and_buttons(window, qtbot, focus_style):
    assert FOCUS_STYLE_SHEET in QApplication.instance().styleSheet()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    table = window.containers_page.table
    copy = next(button for button in window.commands.findChildren(QPushButton) if button.text() == "Copy")
    for widget in (window.sidebar, table, window.commands.list, copy):
        other = table if widget is not table else window.sidebar
        other.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(other.hasFocus, timeout=3000)
        unfocused = highlight_pixels(widget)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=3000)
        assert highlight_pixels(widget) > unfocused + widget.width(), widget.objectName()


def header_tips(table) -> dict[str, str]:
    model, horizontal = table.model(), Qt.Orientation.Horizontal
    return {
        model.headerData(column, horizontal): model.headerData(column, horizontal, Qt.ItemDataRole.ToolTipRole)
        for column in range(model.columnCount())
    }


def test_every_column_header_of_the_lists_explains_its_word(window):
    for page in (window.containers_page, window.images_page, window.builds_page):
        tips = header_tips(page.table)
        assert all(tips.values()), [title for title, tip in tips.items() if not tip]
    containers, images = header_tips(window.containers_page.table), header_tips(window.images_page.table)
    assert "Port publishing" in containers["Ports"] and "exit code" in containers["Status"]
    assert "dangling image" in images["Tag"] and "digest" in images["Image ID"] and "layers" in images["Size"]
    assert "registry" in images["Repository"]


def test_pointing_at_a_header_shows_its_tooltip(window, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    header = window.images_page.table.horizontalHeader()
    column = next(c for c in range(header.count()) if header.model().headerData(c, Qt.Orientation.Horizontal) == "Tag")
    point = QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)
    QApplication.sendEvent(
        header.viewport(), QHelpEvent(QEvent.Type.ToolTip, point, header.viewport().mapToGlobal(point))
    )
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    assert "dangling image" in QToolTip.text()
    QToolTip.hideText()


def test_the_run_dialogs_tables_explain_ports_and_mounts(window, qtbot):
    dialog = window.open_run_dialog("web:1.0")
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    ports = dialog.findChild(QWidget, "run-ports").table
    mounts = dialog.findChild(QWidget, "run-mounts").table
    assert "Port publishing" in ports.horizontalHeaderItem(0).toolTip()
    assert (
        "bind mount" in mounts.horizontalHeaderItem(0).toolTip()
        and "volume" in mounts.horizontalHeaderItem(0).toolTip()
    )
    assert "entrypoint" in dialog.general.entrypoint_edit.toolTip().lower()
    dialog.close()
