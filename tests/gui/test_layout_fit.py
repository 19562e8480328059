"""What looked wrong at 1280x800 and 1920x1080 (issue 14), as a user sees it: a focused button's text cut off,
the Keyboard Shortcuts window a few rows high, a date or a sparkline stretched across a wide screen while names
are cut off, blank boxes that say nothing (the Commands panel, the build log), and a red error on a form just
opened."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QPushButton, QStyle, QStyleOptionButton

from gui.models.lists import (
    CONTAINER_CREATED_COLUMN,
    CONTAINER_IMAGE_COLUMN,
    CONTAINER_STATUS_COLUMN,
    IMAGE_CREATED_COLUMN,
    USAGE_COLUMNS,
)
from gui.views.widgets.style import install_focus_style
from tests.gui.test_dark_theme import shown_colour

IMAGE_COLUMN, MEMORY_COLUMN = CONTAINER_IMAGE_COLUMN, USAGE_COLUMNS[0] + 1  # GPU after Memory is hidden without GPUs


@pytest.fixture
def focus_style(qapp):
    before = qapp.styleSheet()
    install_focus_style(qapp)
    yield
    qapp.setStyleSheet(before)


def text_room(button) -> int:
    """The width a push button has for its text when it has the keyboard focus."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    option.state |= QStyle.StateFlag.State_HasFocus  # as painted focused, whether or not its window is active now
    return button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button).width()


def test_a_focused_button_shows_its_whole_text(window, qtbot, focus_style):
    window.show_about()
    about = window._dialogs[-1]
    qtbot.waitUntil(about.isVisible, timeout=3000)
    window.show_page("engine")
    for button in (about.copy_button, window.engine_page.check_button, window.commands.findChild(QPushButton)):
        button.setFocus(Qt.FocusReason.TabFocusReason)
        assert text_room(button) >= button.fontMetrics().horizontalAdvance(button.text().replace("&", "")), (
            button.text()
        )


def test_keyboard_shortcuts_window_shows_its_rows(window, qtbot):
    from gui.views.shortcuts_dialog import ShortcutsDialog

    window.menus.show_shortcuts()
    qtbot.waitUntil(lambda: window.findChild(ShortcutsDialog) is not None, timeout=3000)
    dialog = window.findChild(ShortcutsDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    table = dialog.table
    rows_seen = table.viewport().height() // table.rowHeight(0)
    assert rows_seen >= min(len(dialog.rows), 20)


def test_on_a_wide_screen_names_take_the_room(window, qtbot):
    window.resize(1920, 1080)
    window.show_page("containers")
    page = window.containers_page
    qtbot.waitUntil(lambda: page.proxy.rowCount() > 0, timeout=5000)
    table = page.table
    qtbot.waitUntil(lambda: table.viewport().width() > 1500, timeout=3000)
    character = table.fontMetrics().averageCharWidth()
    assert table.columnWidth(IMAGE_COLUMN) > table.columnWidth(MEMORY_COLUMN)
    assert table.columnWidth(MEMORY_COLUMN) <= 20 * character  # a number and a small sparkline, not 1000 px
    assert table.columnWidth(CONTAINER_CREATED_COLUMN) <= 30 * character
    header = table.horizontalHeader()
    assert header.defaultAlignment() & Qt.AlignmentFlag.AlignLeft  # titles over their text, not floating mid-column

    window.show_page("images")
    images = window.images_page.table
    qtbot.waitUntil(lambda: images.viewport().width() > 1500, timeout=3000)
    assert images.columnWidth(0) == max(images.columnWidth(column) for column in range(images.model().columnCount()))
    assert images.columnWidth(IMAGE_CREATED_COLUMN) <= 30 * character


def test_the_builds_started_column_is_never_cut_off(window, history, qtbot, tmp_path):
    from gui.core.build.history import BuildRecord
    from gui.views.build.builds_page import BUILD_STARTED_COLUMN

    started = time.time() - 11 * 60  # "11 minutes ago": cut to "11 minutes …" once the last column stopped stretching
    record = BuildRecord(
        "20260101-120000-abcdef", ("my-ai-app:1.0",), str(tmp_path), "Dockerfile", started, 1.0, "succeeded",
        "sha256:my-ai-app:1.0", 179 * 1024**2, f"docker build -t my-ai-app:1.0 {tmp_path}",
    )  # fmt: skip
    history.add(record, ["Successfully built"])
    window.show_page("builds")
    page = window.builds_page
    page.reload()
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=5000)
    text = page.proxy.index(0, BUILD_STARTED_COLUMN).data()
    assert "minutes ago" in text
    needed = page.table.sizeHintForColumn(BUILD_STARTED_COLUMN)  # the text and the cell's margins
    assert needed > page.table.fontMetrics().horizontalAdvance(text)
    qtbot.waitUntil(lambda: page.table.columnWidth(BUILD_STARTED_COLUMN) >= needed, timeout=3000)


def test_the_stretching_column_survives_a_saved_header(window, settings, qtbot):
    page = window.containers_page
    header = page.table.horizontalHeader()
    header.setStretchLastSection(True)  # as a header saved by an older version has it
    header.setSectionResizeMode(IMAGE_COLUMN, header.ResizeMode.Interactive)
    page.save_state(settings)
    page.restore_state(settings)
    assert not header.stretchLastSection()
    assert header.sectionResizeMode(IMAGE_COLUMN) == header.ResizeMode.Stretch


def non_background_pixels(widget) -> int:
    image = widget.grab().toImage()
    base = widget.palette().color(QPalette.ColorRole.Base)
    return sum(
        1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2) if QColor(image.pixel(x, y)) != base
    )


def test_the_empty_commands_panel_says_what_it_will_hold(window, qtbot):
    commands = window.commands
    commands.list.clear()
    assert non_background_pixels(commands.list.viewport()) > 0  # a sentence, not a blank box
    commands.add_command("docker ps --all", "List containers")
    assert commands.commands() == ["docker ps --all"]


def test_the_build_dialog_says_where_the_output_goes(window, qtbot, tmp_path):
    dialog = window.open_build(tmp_path)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert "press Build" in dialog.log_view.placeholderText()
    assert not dialog.progress_bar.isVisible()  # no empty bar before any build


def is_red(colour: QColor) -> bool:
    return colour.red() > colour.green() + 60 and colour.red() > colour.blue() + 60


def test_the_wizard_opens_with_a_hint_not_an_error(window, qtbot, tmp_path):
    wizard = window.open_wizard()
    page = wizard.folder_page
    qtbot.waitUntil(lambda: page.folder_error.isVisible(), timeout=3000)
    assert "Choose the project folder" in page.folder_error.text()
    assert not is_red(shown_colour(page.folder_error))

    (tmp_path / "app.txt").write_text("not a folder")
    page.folder_edit.setFocus()
    qtbot.keyClicks(page.folder_edit, str(tmp_path / "app.txt"))
    qtbot.waitUntil(lambda: "is a file" in page.folder_error.text() and page.folder_error.isVisible(), timeout=5000)
    assert is_red(shown_colour(page.folder_error))  # a real mistake is in red


def test_a_new_containers_age_is_not_cut_off_as_it_grows(window, engine, qtbot):
    from tests.fakes import fake_engine

    page = window.containers_page
    window.show_page("containers")
    engine.add_container(fake_engine.container("fresh", created=time.time() - 3))  # "just now", then "5 seconds ago"
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 4, timeout=5000)
    qtbot.keyClicks(page.filter_edit, "fresh")  # its age alone decides the column's width
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=5000)

    def fits() -> bool:
        text = page.proxy.index(0, CONTAINER_CREATED_COLUMN).data()
        return "seconds ago" in text and page.table.columnWidth(
            CONTAINER_CREATED_COLUMN
        ) >= page.table.sizeHintForColumn(CONTAINER_CREATED_COLUMN)

    qtbot.waitUntil(fits, timeout=15_000)


def test_a_header_saved_when_the_table_had_other_columns_is_not_applied(window, settings):
    """A version with one column fewer saved its header: put on today's columns it would hide or size the wrong ones."""
    page = window.containers_page
    header = page.table.horizontalHeader()
    header.hideSection(CONTAINER_STATUS_COLUMN)
    page.save_state(settings)
    header.showSection(CONTAINER_STATUS_COLUMN)
    page.restore_state(settings)
    assert header.isSectionHidden(CONTAINER_STATUS_COLUMN)  # the same columns: the saved header holds
    header.showSection(CONTAINER_STATUS_COLUMN)
    settings.setValue("containers/columns", page.model.columnCount() - 1)
    page.restore_state(settings)
    assert not header.isSectionHidden(CONTAINER_STATUS_COLUMN)
