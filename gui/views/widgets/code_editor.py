"""CodeEditor: a plain-text editor with a line-number gutter, named highlight layers and per-line marks, and
replace_lines, the one-undo-step whole-line edit behind quick fixes, reloads and restores.

Big files stay fluid: layers that can mark thousands of places (every match of a search, every line with a
finding) are made only for the lines on screen, again as the view scrolls or the text changes, so a repaint
or a cursor move costs the same on 5,000 lines as on 50.

The find/replace bar that goes with it lives in gui.views.widgets.find_bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

__all__ = ["CodeEditor", "SelectionsFor", "replace_lines"]

# The order the highlight layers are drawn in: later ones paint over earlier ones.
LAYERS = ("current_line", "lint", "find", "goto")

# Makes a layer's extra selections for one line (a text block) on screen.
SelectionsFor = Callable[[QTextBlock], list[QTextEdit.ExtraSelection]]


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
        self._layers: dict[str, list[QTextEdit.ExtraSelection]] = {name: [] for name in LAYERS}  # as shown
        self._fixed: dict[str, list[QTextEdit.ExtraSelection]] = {}  # layers given as selections
        self._on_screen: dict[str, SelectionsFor] = {}  # layers made for the lines on screen only
        self._line_formats: dict[str, dict[int, QTextCharFormat]] = {}  # line layers: 1-based line -> format
        self._made_for: tuple[int, int, int] | None = None  # (first, last block, revision) _on_screen was made for
        self._revision = 0  # +1 when a layer or the text changes: the selections on screen are made again
        self._marks: dict[int, QColor] = {}
        self._tooltips: dict[int, str] = {}
        self._block_count = self.document().blockCount()
        self._gutter = _Gutter(self)
        self._gutter_margin = -1
        # After an edit the layout settles first, then the layers on screen are made again.
        self._relayer = QTimer(self, singleShot=True, interval=0, timeout=self._show_layers)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._apply_tab_width()
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._highlight_current_line)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._show_layers())
        self.document().contentsChange.connect(self._on_contents_change)
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
        """Replaces one layer (current_line, lint, find, goto) with these extra selections (a few: each is
        handed to Qt on every repaint)."""
        self._on_screen.pop(name, None)
        self._line_formats.pop(name, None)
        self._fixed[name] = list(selections)
        self._show_layers()

    def set_screen_layer(self, name: str, selections_for: SelectionsFor) -> None:
        """Replaces one layer with one made line by line, for the lines on screen only (again as the view
        scrolls or the text changes): for layers that may mark thousands of places."""
        self._line_formats.pop(name, None)
        self._set_screen_layer(name, selections_for)

    def set_line_layer(self, name: str, formats: dict[int, QTextCharFormat]) -> None:
        """Replaces one layer with whole-line marks: each 1-based line in `formats` gets its format over its
        text (without indentation). Made for the lines on screen only; the marks move with their lines when
        lines are added or removed above them."""
        self._line_formats[name] = dict(formats)
        self._set_screen_layer(name, lambda block: self._line_format_selection(name, block))

    def _set_screen_layer(self, name: str, selections_for: SelectionsFor) -> None:
        self._fixed.pop(name, None)
        self._on_screen[name] = selections_for
        self._revision += 1
        self._show_layers()

    def layer(self, name: str) -> list[QTextEdit.ExtraSelection]:
        """The layer's extra selections as shown now (for screen and line layers: those on screen)."""
        return list(self._layers[name])

    def _line_format_selection(self, name: str, block: QTextBlock) -> list[QTextEdit.ExtraSelection]:
        text_format = self._line_formats.get(name, {}).get(block.blockNumber() + 1)
        return [] if text_format is None else [self.line_selection(block.blockNumber() + 1, text_format)]

    def visible_blocks(self) -> list[QTextBlock]:
        """The text blocks (lines) the viewport shows now, top to bottom."""
        blocks = []
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        height = self.viewport().height()
        while block.isValid() and self.blockBoundingGeometry(block).translated(offset).top() <= height:
            if block.isVisible():
                blocks.append(block)
            block = block.next()
        return blocks

    def visible_lines(self) -> tuple[int, int]:
        """The first and last 0-based line numbers on screen, from the top line and the viewport's height
        (lines do not wrap): cheap, and safe to ask in the middle of an edit, as it lays nothing out."""
        first = self.firstVisibleBlock().blockNumber()
        return first, first + self.viewport().height() // max(1, self.fontMetrics().lineSpacing()) + 1

    def _show_layers(self) -> None:
        """Hands Qt the layers' selections: the fixed ones, and the screen layers' for the lines on screen."""
        self._relayer.stop()
        if self._on_screen:
            blocks = self.visible_blocks()
            span = (blocks[0].blockNumber(), blocks[-1].blockNumber()) if blocks else (0, -1)
            if self._made_for != (*span, self._revision):
                self._made_for = (*span, self._revision)
                for name, selections_for in self._on_screen.items():
                    self._layers[name] = [selection for block in blocks for selection in selections_for(block)]
        for name in LAYERS:
            if name in self._fixed:
                self._layers[name] = self._fixed[name]
            elif name not in self._on_screen:
                self._layers[name] = []
        self.setExtraSelections([s for layer in LAYERS for s in self._layers[layer]])

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        """Line marks move with their lines (as cursors would); the layers on screen are made again."""
        count = self.document().blockCount()
        delta, self._block_count = count - self._block_count, count
        if delta:
            block = self.document().findBlock(position)
            line = block.blockNumber() + 1  # lines after this one move by delta
            if delta > 0 and not removed and position == block.position():
                line -= 1  # lines inserted at the start of a line push that line down too
            for formats in self._line_formats.values():
                _shift_lines(formats, line, delta)
            _shift_lines(self._marks, line, delta)
            _shift_lines(self._tooltips, line, delta)
        self._revision += 1
        if self._on_screen:
            self._relayer.start()

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

    def line_tooltips(self) -> dict[int, str]:
        return dict(self._tooltips)

    def gutter_width(self) -> int:
        digits = max(2, len(str(self.line_count())))
        metrics = self.fontMetrics()
        return metrics.horizontalAdvance("9") * digits + self._mark_size() + metrics.horizontalAdvance(" ") * 2

    def _mark_size(self) -> int:
        return max(4, self.fontMetrics().height() // 2)

    def _update_gutter_width(self, *_args) -> None:
        width = self.gutter_width()
        if width != self._gutter_margin:  # setting the same margins again lays the whole view out again
            self._gutter_margin = width
            self.setViewportMargins(width, 0, 0, 0)

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
        self._show_layers()  # more or fewer lines are on screen now

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


def _shift_lines(by_line: dict, after: int, delta: int) -> None:
    """Moves the 1-based line keys after line `after` by `delta` lines (in place); keys of removed lines go."""
    moved = {}
    for line, value in by_line.items():
        if line <= after:
            moved[line] = value
        elif line + delta > after:
            moved[line + delta] = value
    by_line.clear()
    by_line.update(moved)


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
