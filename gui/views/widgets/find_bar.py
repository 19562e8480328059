"""FindBar: find (and optionally replace) in a CodeEditor, counting every match and highlighting those on screen.

Fast on big files: the matches are found by one regular-expression pass over the document's text (positions
kept in sorted lists, so stepping and "3 of 1200" are a bisection), only the matches on screen are
highlighted (the editor makes that layer for the lines on screen), and Replace All is one edit of the text
between the first and the last match: one undo step, however many matches."""

from __future__ import annotations

import bisect
import re
from itertools import islice

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette, QTextBlock, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTextEdit,
    QToolButton,
    QWidget,
)

from gui.views.widgets.code_editor import CodeEditor
from gui.views.widgets.style import text_colour

__all__ = ["MAX_MATCHES", "FindBar"]

MAX_MATCHES = 10_000  # counted and highlighted; past this the count says "10000+"


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


_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")  # characters Qt counts as two (UTF-16 surrogate pairs)


class _Positions:
    """Turns Python string indices into QTextCursor positions, which count UTF-16 code units."""

    def __init__(self, text: str):
        self._astral = [] if text.isascii() else [match.start() for match in _ASTRAL_RE.finditer(text)]
        self.identity = not self._astral

    def __call__(self, index: int) -> int:
        return index + bisect.bisect_left(self._astral, index) if self._astral else index


class FindBar(QWidget):
    """Find (and optionally replace) in a CodeEditor: counts every match and highlights those on screen."""

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("find-bar")
        self._editor = editor
        self._starts: list[int] = []  # the matches' document positions, in order
        self._ends: list[int] = []
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
        return len(self._starts)

    def _pattern(self) -> re.Pattern[str] | None:
        """The search text as a pattern (literal; case-insensitive unless Match case is on), None when empty."""
        term = self.find_edit.text()
        if not term:
            return None
        return re.compile(re.escape(term), 0 if self.match_case.isChecked() else re.IGNORECASE)

    def _on_term_edited(self, _text: str) -> None:
        self._note = ""
        self.refresh()
        # Typing in the box jumps to the first match at or after the cursor, as browsers do.
        if self._starts and self._current_index() is None:
            cursor = self._editor.textCursor()
            self._select_from(cursor.selectionStart(), forward=True)

    def _on_document_changed(self) -> None:
        if self.isVisible():
            self._recount.start()

    def refresh(self) -> None:
        """Counts and highlights the matches of the search text."""
        self._starts, self._ends = [], []
        self._truncated = False
        pattern = self._pattern()
        if pattern is not None:
            text = self._editor.document().toRawText()  # positions as the document counts them (one per line break)
            spans = [match.span() for match in islice(pattern.finditer(text), MAX_MATCHES + 1)]
            self._truncated = len(spans) > MAX_MATCHES
            del spans[MAX_MATCHES:]
            position = _Positions(text)
            if position.identity:  # no characters Qt counts as two: Python's indices are Qt's positions
                self._starts = [start for start, _end in spans]
                self._ends = [end for _start, end in spans]
            else:
                self._starts = [position(start) for start, _end in spans]
                self._ends = [position(end) for _start, end in spans]
        self._highlight(pattern)
        self._show_count()

    def _highlight(self, pattern: re.Pattern[str] | None) -> None:
        if not self.isVisible() or pattern is None:
            self._editor.set_layer("find", [])
            return
        text_format = QTextCharFormat()
        text_format.setBackground(QColor("#ffcc4d"))  # dark text on amber reads on light and dark themes
        text_format.setForeground(QColor("#1a1a1a"))
        document = self._editor.document()

        def matches_in(block: QTextBlock) -> list[QTextEdit.ExtraSelection]:
            selections = []
            text = block.text()
            position = _Positions(text)
            for match in pattern.finditer(text):
                selection = QTextEdit.ExtraSelection()
                cursor = QTextCursor(document)
                cursor.setPosition(block.position() + position(match.start()))
                cursor.setPosition(block.position() + position(match.end()), QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selection.format = text_format
                selections.append(selection)
            return selections

        self._editor.set_screen_layer("find", matches_in)

    def _current_index(self) -> int | None:
        """The index of the match the editor's selection is, or None."""
        cursor = self._editor.textCursor()
        index = bisect.bisect_left(self._starts, cursor.selectionStart())
        if index < len(self._starts) and self._starts[index] == cursor.selectionStart():
            return index if self._ends[index] == cursor.selectionEnd() else None
        return None

    def _show_count(self) -> None:
        palette = self.palette()
        colour = palette.color(QPalette.ColorRole.WindowText)
        if self._note:
            text = self._note
        elif not self.find_edit.text():
            text = ""
        elif not self._starts:
            text = "No matches"
            colour = QColor(text_colour("error", palette))
        else:
            total = f"{len(self._starts)}{'+' if self._truncated else ''}"
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
        if self._recount.isActive() or not self._starts:
            self._recount.stop()
            self.refresh()
        if not self._starts:
            return False
        cursor = self._editor.textCursor()
        anchor = cursor.selectionEnd() if forward else cursor.selectionStart()
        return self._select_from(anchor, forward)

    def _select_from(self, position: int, forward: bool) -> bool:
        """Selects the first match at or after `position` (forward) or the last one before it, wrapping."""
        index = bisect.bisect_left(self._starts, position)
        if forward:
            index = index if index < len(self._starts) else 0
        else:
            index = index - 1 if index > 0 else len(self._starts) - 1
        cursor = self._editor.textCursor()
        cursor.setPosition(self._starts[index])
        cursor.setPosition(self._ends[index], QTextCursor.MoveMode.KeepAnchor)
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
        if self._starts:
            self._select_from(cursor.position(), forward=True)
        return True

    def replace_all(self) -> int:
        """Replaces every counted match in one undoable edit; returns how many were replaced.

        The text from the first match to the last is written once, with the replacements in it: one edit
        for Qt to lay out and highlight, not one per match. The cursor and the view stay where they were."""
        if self._recount.isActive() or not self.isVisible():  # else the matches are those of the text now
            self._recount.stop()
            self.refresh()
        pattern = self._pattern()
        count = len(self._starts)
        if pattern is None or not count:
            return 0
        text = self._editor.document().toRawText()
        replacement = self.replace_edit.text()
        pieces: list[str] = []
        previous = None
        for match in pattern.finditer(text):
            pieces += [text[match.start() if previous is None else previous : match.start()], replacement]
            previous = match.end()
            if len(pieces) == 2 * count:
                break
        editor = self._editor
        line, column = editor.textCursor().blockNumber(), editor.textCursor().positionInBlock()
        scrolled = editor.verticalScrollBar().value(), editor.horizontalScrollBar().value()
        cursor = QTextCursor(editor.document())
        cursor.beginEditBlock()
        cursor.setPosition(self._starts[0])
        cursor.setPosition(self._ends[-1], QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText("".join(pieces))  # block separators (U+2029) in it stay line breaks
        cursor.endEditBlock()
        block = editor.document().findBlockByNumber(line)
        place = QTextCursor(block)
        place.setPosition(block.position() + min(column, block.length() - 1))
        editor.setTextCursor(place)
        editor.verticalScrollBar().setValue(scrolled[0])
        editor.horizontalScrollBar().setValue(scrolled[1])
        self._recount.stop()
        self.refresh()  # the replacements may match too ("a" -> "aa")
        self._note = f"Replaced {count} match{'es' if count != 1 else ''}"
        self._show_count()
        return count
