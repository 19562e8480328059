"""Open in browser when no browser is set up: instead of nothing at all, the address to copy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from gui.models.lists import CONTAINER_PORTS_COLUMN
from gui.views.widgets.browser import CopyAddressDialog, open_in_browser
from tests.gui.user_actions import select

WEB = "http://127.0.0.1:5000"


@pytest.fixture
def no_browser(monkeypatch):
    """A desktop with no browser set up: openUrl answers False, as Qt does then. Returns the URLs asked for."""
    asked: list[str] = []

    def refuse(url: QUrl) -> bool:
        asked.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", refuse)
    return asked


def shown_address(qtbot, parent) -> CopyAddressDialog:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.findChildren(CopyAddressDialog)), timeout=3000)
    return next(d for d in parent.findChildren(CopyAddressDialog) if d.isVisible())


def test_without_a_browser_the_address_is_shown_to_copy(qtbot, no_browser):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    assert open_in_browser(parent, WEB) is False
    dialog = shown_address(qtbot, parent)
    assert no_browser == [WEB]
    assert dialog.address.text() == WEB and dialog.address.isReadOnly()
    assert "no web browser is set up" in dialog.message.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == WEB
    assert dialog.copy_button.text() == "Copied"
    dialog.close()


def test_a_folder_shows_its_path(qtbot, no_browser, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    open_in_browser(parent, QUrl.fromLocalFile(str(tmp_path)))
    dialog = shown_address(qtbot, parent)
    assert dialog.address.text() == str(tmp_path) and "folder" in dialog.message.text()
    dialog.close()


def test_with_a_browser_nothing_else_shows(qtbot, opened_urls):
    parent = QWidget()
    qtbot.addWidget(parent)
    assert open_in_browser(parent, WEB) is True
    assert opened_urls == [WEB] and parent.findChildren(CopyAddressDialog) == []


def test_open_in_browser_on_the_containers_page_says_when_no_browser_opens(window, qtbot, no_browser):
    page = window.containers_page
    select(page, "web")
    page.browser_action.trigger()
    dialog = shown_address(qtbot, page)
    assert dialog.address.text() == WEB
    dialog.close()


def test_a_port_link_says_when_no_browser_opens(window, qtbot, no_browser):
    page = window.containers_page
    row = next(r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "web")
    rect = page.table.visualRect(page.proxy.index(row, CONTAINER_PORTS_COLUMN))
    qtbot.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(8, rect.height() // 2)
    )
    dialog = shown_address(qtbot, window)
    assert no_browser == [WEB] and dialog.address.text() == WEB
    dialog.close()
