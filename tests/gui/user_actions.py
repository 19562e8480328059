"""What a user does in every page's tests: pick a row by name, press a toolbar button, answer message boxes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def select(page, name: str) -> None:
    page.filter_edit.clear()
    for row in range(page.proxy.rowCount()):
        index = page.proxy.index(row, 0)
        if index.data() == name:
            page.table.selectRow(row)
            return
    raise AssertionError(f"{name} not shown")


def toolbar_button(page, action):
    return page.toolbar.widgetForAction(action)


def answer_message_boxes(qtbot, *button_texts: str, seen: list | None = None):
    """Clicks a button of each of the next modal message boxes, in order, as the user would.
    Scheduled before the action: a modal box runs its own event loop, so the test cannot wait for it."""
    answers = list(button_texts)
    clicked: list = []

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box in clicked:
            QTimer.singleShot(20, click)
            return
        clicked.append(box)
        if seen is not None:
            seen.append(box.text())
        wanted = answers.pop(0)
        for button in box.buttons():
            if button.text().replace("&", "") == wanted:
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                break
        else:
            raise AssertionError(f"no {wanted!r} in {[b.text() for b in box.buttons()]}")
        if answers:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)
