"""A terminal widget: paints a TerminalScreen in cells of a fixed-width font and turns keys, pastes and mouse
selections into what a terminal does with them.

Keys go out as an xterm's bytes (keys.py), through `typed`; the size in cells goes out through `sizeChanged` when the
window is resized, so the program inside redraws for it. Copy and paste are Ctrl+Shift+C and Ctrl+Shift+V (Ctrl+C
is the program's interrupt), a selection is also the X11 selection (middle click pastes it), and the wheel or
Shift+Page Up/Down scroll back through what scrolled off the top.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QClipboard, QColor, QFont, QFontDatabase, QGuiApplication, QKeySequence, QPainter
from PySide6.QtWidgets import QMenu, QScrollBar, QWidget

from gui.core.terminal.lines import Style, cells_of, line_text, style_runs
from gui.core.terminal.screen import TerminalScreen
from gui.views.terminal.keys import key_bytes, paste_bytes

BACKGROUND = QColor("#1e1e1e")
FOREGROUND = QColor("#d4d4d4")
SELECTION = QColor("#264f78")
# Tango's 16 colours (pyte names yellow "brown")
_NAMED = dict(
    zip(
        ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white"),
        ("#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf"),
    )
)
_NAMED.update(
    {
        f"bright{name}": colour
        for name, colour in zip(
            ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white"),
            ("#555753", "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec"),
        )
    }
)
WHEEL_LINES = 3
MARGIN = 4  # pixels around the cells: text does not touch the frame
RESIZE_SETTLE_MS = 80  # a window dragged to a new size sends one resize to the program, not one per pixel


def colour(name: str, default: QColor) -> QColor:
    if name == "default":
        return default
    named = _NAMED.get(name)
    if named is not None:
        return QColor(named)
    return QColor(f"#{name}") if len(name) == 6 else default


class TerminalView(QWidget):
    typed = Signal(bytes)  # keys and pastes, for the program
    sizeChanged = Signal(int, int)  # rows, columns

    def __init__(self, parent: QWidget | None = None, columns: int = 80, rows: int = 24):
        super().__init__(parent)
        self.setObjectName("terminal-view")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        self.setFont(font)
        self._bold = QFont(font)
        self._bold.setBold(True)
        metrics = self.fontMetrics()
        self.cell_width = max(1, metrics.horizontalAdvance("M"))
        self.cell_height = max(1, metrics.height())
        self._ascent = metrics.ascent()
        self.screen = TerminalScreen(columns, rows)
        self.back = 0  # lines scrolled back into the scrollback (0: the live screen)
        self._anchor: tuple[int, int] | None = None  # selection: (line, column) in scrollback + screen lines
        self._caret: tuple[int, int] | None = None
        self.scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.scrollbar.valueChanged.connect(self._scrolled)
        self._settle = QTimer(self, singleShot=True, interval=RESIZE_SETTLE_MS, timeout=self._send_size)
        self._sync_scrollbar()

    # Output ---------------------------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        before = len(self.screen.scrollback)
        self.screen.feed(data)
        if self.back:  # scrolled back: what is in view stays in view while output goes on
            self.back = min(self.back + len(self.screen.scrollback) - before, len(self.screen.scrollback))
        self._sync_scrollbar()
        self.update()

    def set_size(self, rows: int, columns: int) -> None:
        self.screen.resize(rows, columns)
        self._sync_scrollbar()
        self.update()

    def clear_scrollback(self) -> None:
        self.screen.scrollback.clear()
        self.back = 0
        self._clear_selection()
        self._sync_scrollbar()
        self.update()

    # Size ------------------------------------------------------------------------------------------------------

    def size_in_cells(self) -> tuple[int, int]:
        """(rows, columns) that fit the widget, the scrollbar aside."""
        width = self.width() - self.scrollbar.sizeHint().width() - 2 * MARGIN
        return max(2, (self.height() - 2 * MARGIN) // self.cell_height), max(10, width // self.cell_width)

    def resizeEvent(self, event) -> None:
        bar = self.scrollbar.sizeHint().width()
        self.scrollbar.setGeometry(self.width() - bar, 0, bar, self.height())
        rows, columns = self.size_in_cells()
        if (rows, columns) != (self.screen.lines, self.screen.columns):
            self.set_size(rows, columns)
            self._settle.start()
        super().resizeEvent(event)

    def _send_size(self) -> None:
        self.sizeChanged.emit(self.screen.lines, self.screen.columns)

    # Scrolling -------------------------------------------------------------------------------------------------

    def _sync_scrollbar(self) -> None:
        history = len(self.screen.scrollback)
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, history)
        self.scrollbar.setPageStep(self.screen.lines)
        self.scrollbar.setValue(history - self.back)
        self.scrollbar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        self.back = len(self.screen.scrollback) - value
        self.update()

    def scroll_back(self, lines: int) -> None:
        """Positive: further back into the scrollback; negative: towards the live screen."""
        self.back = max(0, min(self.back + lines, len(self.screen.scrollback)))
        self._sync_scrollbar()
        self.update()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() // 120
        if steps:
            self.scroll_back(steps * WHEEL_LINES)

    # Keys ------------------------------------------------------------------------------------------------------

    def event(self, event) -> bool:
        # Keys go to the program, before any shortcut of the window's (Ctrl+L, Ctrl+F...); Ctrl+Shift with a key is
        # the window's (copy, paste, new tab), as in GNOME Terminal and Konsole: a terminal sends the same byte
        # for Ctrl+Shift+X as for Ctrl+X, so the program loses nothing.
        if event.type() == QEvent.Type.ShortcutOverride and not self._is_window_key(event):
            event.accept()
            return True
        return super().event(event)

    def _is_window_key(self, event) -> bool:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return modifiers == Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

    def focusNextPrevChild(self, _next: bool) -> bool:
        return False  # Tab completes in the shell; it does not leave the terminal

    def keyPressEvent(self, event) -> None:
        key, modifiers = event.key(), event.modifiers()
        if self._is_window_key(event):
            if key == Qt.Key.Key_C:
                self.copy()
            elif key == Qt.Key.Key_V:
                self.paste()
            else:
                event.ignore()  # the window's, if it has such a shortcut
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            page = max(1, self.screen.lines - 1)
            self.scroll_back(page if key == Qt.Key.Key_PageUp else -page)
            return
        data = key_bytes(key, modifiers, event.text(), self.screen.application_cursor_keys)
        if data:
            self._send(data)

    def inputMethodEvent(self, event) -> None:
        if event.commitString():
            self._send(event.commitString().encode())

    def _send(self, data: bytes) -> None:
        if self.back:
            self.back = 0  # typing goes back to the live screen, as in any terminal
            self._sync_scrollbar()
            self.update()
        self._clear_selection()
        self.typed.emit(data)

    # Copy and paste --------------------------------------------------------------------------------------------

    def copy(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste(self, mode: QClipboard.Mode = QClipboard.Mode.Clipboard) -> None:
        text = QGuiApplication.clipboard().text(mode)
        if text:
            self._send(paste_bytes(text, self.screen.bracketed_paste))

    def _lines(self) -> list:
        return [*self.screen.scrollback, *(self.screen.buffer[y] for y in range(self.screen.lines))]

    def _cell_at(self, point: QPoint) -> tuple[int, int]:
        row = max(0, min((point.y() - MARGIN) // self.cell_height, self.screen.lines - 1))
        column = max(0, min(round((point.x() - MARGIN) / self.cell_width), self.screen.columns))
        return len(self.screen.scrollback) - self.back + row, column

    def _selection(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if self._anchor is None or self._caret is None or self._anchor == self._caret:
            return None
        return min(self._anchor, self._caret), max(self._anchor, self._caret)

    def selected_text(self) -> str:
        selection = self._selection()
        if selection is None:
            return ""
        (first_line, first_column), (last_line, last_column) = selection
        lines = self._lines()[first_line : last_line + 1]
        texts = [line_text(line, self.screen.columns) for line in lines]
        if len(texts) == 1:
            return texts[0][first_column:last_column]
        return "\n".join([texts[0][first_column:], *texts[1:-1], texts[-1][:last_column]])

    def select_all(self) -> None:
        self._anchor, self._caret = (0, 0), (len(self.screen.scrollback) + self.screen.lines, 0)
        self.update()

    def _clear_selection(self) -> None:
        if self._anchor is not None:
            self._anchor = self._caret = None
            self.update()

    def mousePressEvent(self, event) -> None:
        self.setFocus()
        if event.button() == Qt.MouseButton.LeftButton:
            self._anchor = self._caret = self._cell_at(event.position().toPoint())
            self.update()
        elif event.button() == Qt.MouseButton.MiddleButton:
            self.paste(QClipboard.Mode.Selection)

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._anchor is not None:
            self._caret = self._cell_at(event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        clipboard = QGuiApplication.clipboard()
        if event.button() == Qt.MouseButton.LeftButton and clipboard.supportsSelection() and self.selected_text():
            clipboard.setText(self.selected_text(), QClipboard.Mode.Selection)

    def mouseDoubleClickEvent(self, event) -> None:
        line, column = self._cell_at(event.position().toPoint())
        text = line_text(self._lines()[line], self.screen.columns)
        start = column
        while start > 0 and start - 1 < len(text) and not text[start - 1].isspace():
            start -= 1
        end = column
        while end < len(text) and not text[end].isspace():
            end += 1
        self._anchor, self._caret = (line, start), (line, end)
        self.update()

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        copy = QAction("Copy", menu, shortcut=QKeySequence("Ctrl+Shift+C"), triggered=self.copy)
        copy.setEnabled(bool(self.selected_text()))
        menu.addAction(copy)
        menu.addAction(QAction("Paste", menu, shortcut=QKeySequence("Ctrl+Shift+V"), triggered=self.paste))
        menu.addAction(QAction("Select all", menu, triggered=self.select_all))
        menu.addSeparator()
        menu.addAction(QAction("Clear scrollback", menu, triggered=self.clear_scrollback))
        menu.exec(event.globalPos())

    # Painting --------------------------------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        painter.translate(MARGIN, MARGIN)
        selection = self._selection()
        top_line = len(self.screen.scrollback) - self.back
        for row, line in enumerate(self.screen.view(self.back)):
            self._paint_row(painter, row, line, top_line + row, selection)
        if self.back == 0 and self.screen.cursor_visible:
            self._paint_cursor(painter)
        painter.end()

    def _paint_row(self, painter: QPainter, row: int, line, absolute: int, selection) -> None:
        y = row * self.cell_height
        selected_from, selected_to = _selected_columns(selection, absolute, self.screen.columns)
        for start, end, style in style_runs(line, self.screen.columns):
            # A run crossing the selection's edge is painted in up to three pieces.
            for piece_start, piece_end in _split(start, end, selected_from, selected_to):
                selected = selected_from <= piece_start < selected_to
                self._paint_run(painter, piece_start, y, cells_of(line, piece_start, piece_end), style, selected)

    def _paint_run(self, painter: QPainter, x: int, y: int, cells: list[str], style: Style, selected: bool) -> None:
        fg_name, bg_name, bold, italics, underscore, strikethrough, reverse = style
        fg = colour(fg_name, FOREGROUND)
        bg = colour(bg_name, BACKGROUND)
        if reverse:
            fg, bg = bg, fg
        if selected:
            bg = SELECTION
        left = x * self.cell_width
        rect = QRect(left, y, len(cells) * self.cell_width, self.cell_height)
        if bg != BACKGROUND:
            painter.fillRect(rect, bg)
        if not any(cell.strip() for cell in cells):
            return
        font = QFont(self._bold if bold else self.font())
        font.setItalic(italics)
        font.setUnderline(underscore)
        font.setStrikeOut(strikethrough)
        painter.setFont(font)
        painter.setPen(fg)
        baseline = y + self._ascent
        if all(cell.isascii() and len(cell) == 1 for cell in cells):
            painter.drawText(left, baseline, "".join(cells))
            return
        for offset, cell in enumerate(cells):  # wide or combined characters: each in its own cell(s)
            if cell:
                painter.drawText(left + offset * self.cell_width, baseline, cell)

    def _paint_cursor(self, painter: QPainter) -> None:
        cursor = self.screen.cursor
        rect = QRect(cursor.x * self.cell_width, cursor.y * self.cell_height, self.cell_width, self.cell_height)
        if self.hasFocus():
            painter.fillRect(rect, FOREGROUND)
            char = self.screen.buffer[cursor.y][cursor.x]
            if char.data.strip():
                painter.setFont(self._bold if char.bold else self.font())
                painter.setPen(BACKGROUND)
                painter.drawText(rect.left(), rect.top() + self._ascent, char.data)
        else:
            painter.setPen(FOREGROUND)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))


def _selected_columns(selection, line: int, columns: int) -> tuple[int, int]:
    """The columns of `line` inside the selection, as [from, to) (empty when none)."""
    if selection is None:
        return 0, 0
    (first_line, first_column), (last_line, last_column) = selection
    if not first_line <= line <= last_line:
        return 0, 0
    return (first_column if line == first_line else 0), (last_column if line == last_line else columns)


def _split(start: int, end: int, cut_from: int, cut_to: int) -> list[tuple[int, int]]:
    """[start, end) cut at cut_from and cut_to, the empty pieces left out."""
    edges = sorted({start, end, *(edge for edge in (cut_from, cut_to) if start < edge < end)})
    return list(pairwise(edges))
