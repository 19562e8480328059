"""Driving the Dockerfile editor as a user does (typing, shortcuts, answering its questions), and reading
what it shows."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox

SAMPLE = """\
# A small web app, the seed's sample
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 80
CMD ["python", "app.py"]
"""

Keys = QKeySequence.StandardKey


def type_lines(qtbot, editor, *lines):
    for index, line in enumerate(lines):
        if index:
            qtbot.keyClick(editor.editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.editor, line)


def type_text(qtbot, widget, text):
    """Types `text`, pressing Return for each line break (keyClicks sends characters, not keys)."""
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        if line:
            qtbot.keyClicks(widget, line)


def shortcut(qtbot, widget, key):
    qtbot.keySequence(widget, QKeySequence(key))


def answer_message_box(qtbot, button_text: str, seen: list):
    """Clicks a button of the next modal message box, as the user would (it runs its own event loop)."""

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                return
        raise AssertionError(f"no {button_text!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(20, click)


def formats_at(document: QTextDocument, line: int, column: int) -> list[QTextCharFormat]:
    block = document.findBlockByNumber(line - 1)
    return [QTextCharFormat(r.format) for r in block.layout().formats() if r.start <= column < r.start + r.length]


class FindingRow:
    """One row of the findings list, read as the user reads it; `index` selects or locates it in the view."""

    def __init__(self, tree, row: int):
        self._model = tree.model()
        self.index = self._model.index(row, 0)

    def text(self, column: int) -> str:
        return self._model.index(self.index.row(), column).data()


def finding_items(editor) -> list[FindingRow]:
    tree = editor.findings_panel.tree
    return [FindingRow(tree, row) for row in range(tree.model().rowCount())]
