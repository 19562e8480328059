"""Windows open over the main window and inside the screen, never piled up or off-screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from gui.views.widgets.placement import keep_on_screen, place_window


@pytest.fixture
def settings(tmp_path):
    settings = QSettings(str(tmp_path / "portside.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/page", "containers")
    return settings


def screen_area() -> QRect:
    return QGuiApplication.primaryScreen().availableGeometry()


def on_screen(window) -> bool:
    return screen_area().contains(window.frameGeometry())


def off_screen_geometry(qtbot) -> bytes:
    """What a window saved while it sat on a second monitor, right of and below this one, that is gone now."""
    area = screen_area()
    old = QMainWindow()
    qtbot.addWidget(old)
    old.setGeometry(area.right() + 400, area.bottom() + 300, 700, 500)
    return old.saveGeometry()


def test_a_first_start_opens_the_main_window_inside_the_screen(window):
    assert on_screen(window)


def test_a_saved_geometry_off_screen_comes_back_on_screen(qtbot, session, settings, history):
    from gui.views.main_window import MainWindow

    settings.setValue("window/geometry", off_screen_geometry(qtbot))
    main = MainWindow(session, settings, history)
    qtbot.addWidget(main)
    main.show()
    assert on_screen(main)
    main.close()


def test_keep_on_screen_moves_a_window_partly_off_the_screen_back(qtbot):
    area = screen_area()
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setGeometry(area.right() - 100, area.bottom() - 50, 400, 300)  # three quarters of it off the edge
    keep_on_screen(window)
    assert area.contains(window.frameGeometry())
    assert window.size().width() == 400


def test_logs_windows_open_on_the_main_window_one_beside_the_other(window, qtbot):
    rows = window.containers_page.model.rows
    window.open_logs(rows[0])
    window.open_logs(rows[1])
    first, second = (window.logs_windows[row.id] for row in rows[:2])
    qtbot.waitUntil(lambda: first.isVisible() and second.isVisible(), timeout=3000)
    assert on_screen(first) and on_screen(second)
    assert first.pos() != second.pos()  # cascaded, not piled up
    centre, main_centre = first.frameGeometry().center(), window.frameGeometry().center()
    assert abs(centre.x() - main_centre.x()) <= first.width() // 2  # over the main window
    for logs in (first, second):
        logs.close()


def test_a_large_editor_fits_the_screen(window, qtbot, tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12-slim\n")
    editor = window.open_editor(path)
    qtbot.waitUntil(editor.isVisible, timeout=3000)
    assert on_screen(editor)
    editor.close()


def test_a_build_log_window_opens_on_screen(window, qtbot, history):
    from gui.core.build.history import BuildRecord

    record = BuildRecord(
        id="b1",
        context="/tmp/app",
        dockerfile="Dockerfile",
        tags=("app:1.0",),
        result="succeeded",
        started=0.0,
        duration_s=1.0,
        image_id="sha256:1",
        image_size=1,
        command="docker build -t app:1.0 /tmp/app",
    )
    window.show_page("builds")
    window.builds_page.add_record(record)
    window.builds_page.table.selectRow(0)
    window.builds_page.view_log()
    logs = window.builds_page._log_windows[-1]
    qtbot.waitUntil(logs.isVisible, timeout=3000)
    assert on_screen(logs)
    logs.close()


def test_place_window_shrinks_a_window_larger_than_the_screen(qtbot):
    area = screen_area()
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(area.width() * 2, area.height() * 2)
    place_window(window)
    window.show()
    assert area.contains(window.frameGeometry())
