"""A plain-text code editor with a line-number gutter, and the find/replace bar that goes with it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTextEdit,
    QToolButton,
    QToolTip,
    QWidget,
)

__all__ = ["CodeEditor", "FindBar", "replace_lines"]

MAX_MATCHES = 10_000  # counted and highlighted; past this the count says "10000+"
# The order the highlight layers are drawn in: later ones paint over earlier ones.
LAYERS = ("current_line", "lint", "find", "goto")


class _Gutter(QWidget):
    """The strip left of the text: line numbers, and a mark beside lines with a problem."""

    def __init__(self, editor: CodeEditor):
        super().__init__(editor)
        self._editor = editor
        self.setObjectName("line-numbers")

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_gutter(event)

    def mousePressEvent(self, event) -> None:
        # A click on a number puts the cursor on that line, as in most editors.
        point = event.position().toPoint()
        point.setX(0)  # the gutter and the text share their vertical coordinates
        block = self._editor.cursorForPosition(point).block()
        cursor = QTextCursor(block)
        self._editor.setTextCursor(cursor)
        self._editor.setFocus()


class CodeEditor(QPlainTextEdit):
    """QPlainTextEdit with a gutter of line numbers, named layers of highlights and per-line marks.

    Lines are 1-based in this API, as in every message a user reads.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("code-editor")
        self._layers: dict[str, list[QTextEdit.ExtraSelection]] = {name: [] for name in LAYERS}
        self._marks: dict[int, QColor] = {}
        self._tooltips: dict[int, str] = {}
        self._gutter = _Gutter(self)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._apply_tab_width()
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._highlight_current_line)
        self._update_gutter_width()
        self._highlight_current_line()

    # Lines -------------------------------------------------------------------------------------------

    def current_line(self) -> int:
        return self.textCursor().blockNumber() + 1

    def line_count(self) -> int:
        return self.document().blockCount()

    def line_cursor(self, line: int, select: bool = False) -> QTextCursor:
        """A cursor at the start of 1-based `line` (clamped to the document), selecting its text if asked."""
        line = max(1, min(line, self.line_count()))
        block = self.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        if select:
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def go_to_line(self, line: int, select: bool = False) -> None:
        cursor = self.line_cursor(line, select)
        self.setTextCursor(cursor)
        self.centerCursor()

    # Highlight layers --------------------------------------------------------------------------------

    def set_layer(self, name: str, selections: list[QTextEdit.ExtraSelection]) -> None:
        """Replaces one layer of extra selections (current_line, lint, find, goto)."""
        self._layers[name] = list(selections)
        self.setExtraSelections([s for layer in LAYERS for s in self._layers[layer]])

    def layer(self, name: str) -> list[QTextEdit.ExtraSelection]:
        return list(self._layers[name])

    def line_selection(
        self, line: int, text_format: QTextCharFormat, full_width: bool = False, skip_indent: bool = True
    ) -> QTextEdit.ExtraSelection:
        """An extra selection over the text of one line (without its indentation), or the whole width."""
        selection = QTextEdit.ExtraSelection()
        cursor = self.line_cursor(line)
        if full_width:
            text_format = QTextCharFormat(text_format)
            text_format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        else:
            text = cursor.block().text()
            start = len(text) - len(text.lstrip()) if skip_indent and text.strip() else 0
            end = len(text.rstrip()) if text.strip() else len(text)
            cursor.setPosition(cursor.block().position() + _utf16_length(text[:start]))
            cursor.setPosition(cursor.block().position() + _utf16_length(text[:end]), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = text_format
        return selection

    def _highlight_current_line(self) -> None:
        if self.isReadOnly():
            self.set_layer("current_line", [])
            return
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(28)
        text_format = QTextCharFormat()
        text_format.setBackground(colour)
        self.set_layer("current_line", [self.line_selection(self.current_line(), text_format, full_width=True)])
        self._gutter.update()

    # Gutter --------------------------------------------------------------------------------------------

    def set_line_marks(self, marks: dict[int, QColor]) -> None:
        """A coloured mark in the gutter beside each 1-based line in `marks`."""
        self._marks = dict(marks)
        self._gutter.update()

    def line_marks(self) -> dict[int, QColor]:
        return dict(self._marks)

    def set_line_tooltips(self, tooltips: dict[int, str]) -> None:
        """Text shown when the mouse rests on a 1-based line (or its gutter mark)."""
        self._tooltips = dict(tooltips)

    def gutter_width(self) -> int:
        digits = max(2, len(str(self.line_count())))
        metrics = self.fontMetrics()
        return metrics.horizontalAdvance("9") * digits + self._mark_size() + metrics.horizontalAdvance(" ") * 2

    def _mark_size(self) -> int:
        return max(4, self.fontMetrics().height() // 2)

    def _update_gutter_width(self, *_args) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        contents = self.contentsRect()
        self._gutter.setGeometry(QRect(contents.left(), contents.top(), self.gutter_width(), contents.height()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            if event.type() == QEvent.Type.FontChange:
                self._apply_tab_width()
            self._update_gutter_width()
            self._highlight_current_line()

    def _apply_tab_width(self) -> None:
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Window))
        number_colour = palette.color(QPalette.ColorRole.PlaceholderText)
        current_colour = palette.color(QPalette.ColorRole.Text)
        metrics = self.fontMetrics()
        mark = self._mark_size()
        right = self._gutter.width() - metrics.horizontalAdvance(" ")
        current = self.textCursor().blockNumber()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        font = QFont(self.font())
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber()
                font.setBold(number == current)
                painter.setFont(font)
                painter.setPen(current_colour if number == current else number_colour)
                painter.drawText(0, top, right, metrics.height(), Qt.AlignmentFlag.AlignRight, str(number + 1))
                colour = self._marks.get(number + 1)
                if colour is not None:
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour)
                    y = top + (metrics.height() - mark) // 2
                    painter.drawEllipse(max(1, mark // 3), y, mark, mark)
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
        painter.end()

    # Tool tips -----------------------------------------------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            line = self.cursorForPosition(event.pos()).blockNumber() + 1
            text = self._tooltips.get(line)
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self._gutter.geometry().contains(event.pos()):
            viewport_pos = event.pos() - self.viewport().geometry().topLeft()
            viewport_pos.setX(0)
            line = self.cursorForPosition(viewport_pos).blockNumber() + 1
            text = self._tooltips.get(line)
            if text:
                QToolTip.showText(event.globalPos(), text, self)
                return True
        return super().event(event)

    # Whole-line edits ----------------------------------------------------------------------------------

    def replace_text(self, new_text: str) -> bool:
        """Turns the document into `new_text` with ONE undoable edit that touches only the lines that
        differ, so the cursor, the scroll position and the rest of the undo history stay. False when
        nothing differs."""
        return replace_lines(self.document(), new_text)


def _utf16_length(text: str) -> int:
    """QTextCursor positions count UTF-16 code units; Python counts code points."""
    return len(text.encode("utf-16-le")) // 2


def replace_lines(document: QTextDocument, new_text: str) -> bool:
    """Edits `document` into `new_text` as one undo step, replacing only the run of lines that differ."""
    old_lines = document.toPlainText().split("\n")
    new_lines = new_text.split("\n")
    if old_lines == new_lines:
        return False
    limit = min(len(old_lines), len(new_lines))
    prefix = 0
    while prefix < limit and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old_lines[-1 - suffix] == new_lines[-1 - suffix]:
        suffix += 1
    old_end = len(old_lines) - suffix  # old lines [prefix, old_end) go
    middle = new_lines[prefix : len(new_lines) - suffix]  # these come in their place

    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    try:
        if old_end > prefix:
            start = document.findBlockByNumber(prefix)
            last = document.findBlockByNumber(old_end - 1)
            if middle:
                cursor.setPosition(start.position())
                cursor.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText("\n".join(middle))
            elif old_end < len(old_lines):  # remove whole lines, with their line breaks
                cursor.setPosition(start.position())
                cursor.setPosition(document.findBlockByNumber(old_end).position(), QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
            else:  # remove the last lines and the break before them
                before = document.findBlockByNumber(prefix - 1)
                cursor.setPosition(before.position() + before.length() - 1)
                cursor.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
        elif prefix < len(old_lines):  # insert whole lines before line `prefix`
            cursor.setPosition(document.findBlockByNumber(prefix).position())
            cursor.insertText("\n".join(middle) + "\n")
        else:  # append lines at the very end
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText("\n" + "\n".join(middle))
    finally:
        cursor.endEditBlock()
    return True


# Find and replace ---------------------------------------------------------------------------------------


class _SearchField(QLineEdit):
    """A line edit where Enter goes to the next match and Shift+Enter to the previous one."""

    nextRequested = Signal()
    previousRequested = Signal()
    closeRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previousRequested.emit()
            else:
                self.nextRequested.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.closeRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


@dataclass(frozen=True)
class _Match:
    start: int
    end: int


class FindBar(QWidget):
    """Find (and optionally replace) in a CodeEditor: counts and highlights every match."""

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("find-bar")
        self._editor = editor
        self._matches: list[_Match] = []
        self._truncated = False
        self._note = ""  # a one-off message ("Replaced 3"), cleared by the next search

        self.find_edit = _SearchField(self)
        self.find_edit.setObjectName("find-text")
        self.find_edit.setPlaceholderText("Find")
        self.find_edit.setClearButtonEnabled(True)
        self.replace_edit = _SearchField(self)
        self.replace_edit.setObjectName("replace-text")
        self.replace_edit.setPlaceholderText("Replace with")
        self.match_case = QCheckBox("Match &case", self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("find-count")
        self.previous_button = self._tool_button(QStyle.StandardPixmap.SP_ArrowUp, "Previous match (Shift+Enter)")
        self.next_button = self._tool_button(QStyle.StandardPixmap.SP_ArrowDown, "Next match (Enter)")
        self.close_button = self._tool_button(QStyle.StandardPixmap.SP_TitleBarCloseButton, "Close (Esc)")
        self.close_button.setAutoRaise(True)
        self.replace_button = QPushButton("&Replace", self)
        self.replace_all_button = QPushButton("Replace &All", self)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_edit, 1)
        find_row.addWidget(self.previous_button)
        find_row.addWidget(self.next_button)
        find_row.addWidget(self.match_case)
        find_row.addWidget(self.count_label)
        replace_row = QHBoxLayout()
        replace_row.addWidget(self.replace_edit, 1)
        replace_row.addWidget(self.replace_button)
        replace_row.addWidget(self.replace_all_button)
        layout.addLayout(find_row, 0, 0)
        layout.addWidget(self.close_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(replace_row, 1, 0)
        layout.setColumnStretch(0, 1)
        self.count_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("10000+ matches"))

        self._recount = QTimer(self, singleShot=True, interval=100, timeout=self.refresh)
        self.find_edit.textChanged.connect(self._on_term_edited)
        self.find_edit.nextRequested.connect(self.find_next)
        self.find_edit.previousRequested.connect(self.find_previous)
        self.find_edit.closeRequested.connect(self.close_bar)
        self.replace_edit.nextRequested.connect(self.replace_current)
        self.replace_edit.previousRequested.connect(self.find_previous)
        self.replace_edit.closeRequested.connect(self.close_bar)
        self.match_case.toggled.connect(lambda _checked: self._on_term_edited(self.find_edit.text()))
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button.clicked.connect(self.find_next)
        self.close_button.clicked.connect(self.close_bar)
        self.replace_button.clicked.connect(self.replace_current)
        self.replace_all_button.clicked.connect(self.replace_all)
        editor.document().contentsChanged.connect(self._on_document_changed)
        editor.cursorPositionChanged.connect(self._show_count)
        self._set_replace_visible(False)
        self.hide()

    def _tool_button(self, icon: QStyle.StandardPixmap, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(self.style().standardIcon(icon))
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        return button

    # Showing ------------------------------------------------------------------------------------------

    @property
    def replacing(self) -> bool:
        return not self.replace_edit.isHidden()

    def show_find(self) -> None:
        self._open(replace=False)

    def show_replace(self) -> None:
        self._open(replace=True)

    def _open(self, replace: bool) -> None:
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:  # a selection within one line becomes the search
            self.find_edit.setText(selected)
        self._set_replace_visible(replace)
        self.show()
        self.refresh()
        if replace and self.find_edit.text():
            self.replace_edit.setFocus()
            self.replace_edit.selectAll()
        else:
            self.find_edit.setFocus()
            self.find_edit.selectAll()

    def _set_replace_visible(self, visible: bool) -> None:
        for widget in (self.replace_edit, self.replace_button, self.replace_all_button):
            widget.setVisible(visible)

    def close_bar(self) -> None:
        self.hide()
        self._editor.set_layer("find", [])
        self._editor.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    # Searching ----------------------------------------------------------------------------------------

    @property
    def match_count(self) -> int:
        return len(self._matches)

    def _flags(self) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.match_case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        return flags

    def _on_term_edited(self, _text: str) -> None:
        self._note = ""
        self.refresh()
        # Typing in the box jumps to the first match at or after the cursor, as browsers do.
        if self._matches and self._current_index() is None:
            cursor = self._editor.textCursor()
            self._select_from(cursor.selectionStart(), forward=True)

    def _on_document_changed(self) -> None:
        if self.isVisible():
            self._recount.start()

    def refresh(self) -> None:
        """Counts and highlights the matches of the search text."""
        term = self.find_edit.text()
        self._matches = []
        self._truncated = False
        document = self._editor.document()
        if term:
            cursor = QTextCursor(document)
            flags = self._flags()
            while True:
                cursor = document.find(term, cursor, flags)
                if cursor.isNull():
                    break
                if len(self._matches) >= MAX_MATCHES:
                    self._truncated = True
                    break
                self._matches.append(_Match(cursor.selectionStart(), cursor.selectionEnd()))
        self._highlight()
        self._show_count()

    def _highlight(self) -> None:
        if not self.isVisible():
            self._editor.set_layer("find", [])
            return
        text_format = QTextCharFormat()
        text_format.setBackground(QColor("#ffcc4d"))  # dark text on amber reads on light and dark themes
        text_format.setForeground(QColor("#1a1a1a"))
        selections = []
        for match in self._matches:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self._editor.document())
            cursor.setPosition(match.start)
            cursor.setPosition(match.end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = text_format
            selections.append(selection)
        self._editor.set_layer("find", selections)

    def _current_index(self) -> int | None:
        cursor = self._editor.textCursor()
        for index, match in enumerate(self._matches):
            if match.start == cursor.selectionStart() and match.end == cursor.selectionEnd():
                return index
        return None

    def _show_count(self) -> None:
        palette = self.palette()
        colour = palette.color(QPalette.ColorRole.WindowText)
        if self._note:
            text = self._note
        elif not self.find_edit.text():
            text = ""
        elif not self._matches:
            text = "No matches"
            colour = QColor("#d0453b")
        else:
            total = f"{len(self._matches)}{'+' if self._truncated else ''}"
            index = self._current_index()
            text = f"{index + 1} of {total}" if index is not None else f"{total} match{'es' if total != '1' else ''}"
        self.count_label.setText(text)
        label_palette = self.count_label.palette()
        label_palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.count_label.setPalette(label_palette)

    def find_next(self) -> bool:
        return self._step(forward=True)

    def find_previous(self) -> bool:
        return self._step(forward=False)

    def _step(self, forward: bool) -> bool:
        self._note = ""
        if self._recount.isActive() or not self._matches:
            self._recount.stop()
            self.refresh()
        if not self._matches:
            return False
        cursor = self._editor.textCursor()
        anchor = cursor.selectionEnd() if forward else cursor.selectionStart()
        return self._select_from(anchor, forward)

    def _select_from(self, position: int, forward: bool) -> bool:
        if forward:
            candidates = [m for m in self._matches if m.start >= position]
            match = candidates[0] if candidates else self._matches[0]
        else:
            candidates = [m for m in self._matches if m.start < position]
            match = candidates[-1] if candidates else self._matches[-1]
        cursor = self._editor.textCursor()
        cursor.setPosition(match.start)
        cursor.setPosition(match.end, QTextCursor.MoveMode.KeepAnchor)
        self._editor.setTextCursor(cursor)
        self._editor.ensureCursorVisible()
        self._show_count()
        return True

    # Replacing ----------------------------------------------------------------------------------------

    def replace_current(self) -> bool:
        """Replaces the selected match and moves on to the next; selects the first match when none is."""
        if self._recount.isActive():
            self._recount.stop()
            self.refresh()
        index = self._current_index()
        if index is None:
            return self.find_next()
        cursor = self._editor.textCursor()
        cursor.insertText(self.replace_edit.text())
        self._editor.setTextCursor(cursor)
        self.refresh()
        if self._matches:
            self._select_from(cursor.position(), forward=True)
        return True

    def replace_all(self) -> int:
        """Replaces every match in one undoable edit; returns how many were replaced."""
        self._recount.stop()
        self.refresh()
        matches = list(self._matches)
        if not matches:
            return 0
        replacement = self.replace_edit.text()
        cursor = QTextCursor(self._editor.document())
        cursor.beginEditBlock()
        for match in reversed(matches):  # from the end, so earlier positions stay valid
            cursor.setPosition(match.start)
            cursor.setPosition(match.end, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(replacement)
        cursor.endEditBlock()
        self.refresh()
        count = len(matches)
        self._note = f"Replaced {count} match{'es' if count != 1 else ''}"
        self._show_count()
        return count
