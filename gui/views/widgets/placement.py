"""Where a window opens: over the main window, inside the screen, and not exactly on top of the last one.

Windows without a parent (logs, Dockerfile editors, build logs) open wherever the platform puts them: on many
desktops the top-left corner, each new one exactly over the last, and as large as they asked even on a small
screen. place_window sizes a window to fit the screen its anchor is on, centres it on the anchor and steps it down
and to the right while another window already sits there. keep_on_screen brings back a window whose restored
geometry lies (partly) off every screen, e.g. a monitor unplugged since the last run.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

MAX_CASCADE = 12  # steps tried before a window may share a spot (a desktop full of logs windows)
FRAME_BORDER = 8  # pixels kept free around a window for its frame


def _safe_area(widget: QWidget | None, window: QWidget) -> QRect:
    """Where `window`'s own area (without the frame the window manager adds) may go: the available geometry (the
    screen less panels and docks) of the screen `widget` is on, less room for the frame, which is unknown until
    the window is shown."""
    screen = None
    if widget is not None:
        screen = QGuiApplication.screenAt(widget.frameGeometry().center()) or widget.screen()
    area = (screen or QGuiApplication.primaryScreen()).availableGeometry()
    border = FRAME_BORDER
    title_bar = window.fontMetrics().height() * 2
    return area.adjusted(border, title_bar, -border, -border)


def _inside(rect: QRect, area: QRect) -> QRect:
    """`rect` no larger than `area`, and moved into it."""
    fitted = QRect(rect.topLeft(), rect.size().boundedTo(area.size()))
    fitted.moveLeft(max(area.left(), min(fitted.left(), area.right() - fitted.width() + 1)))
    fitted.moveTop(max(area.top(), min(fitted.top(), area.bottom() - fitted.height() + 1)))
    return fitted


def place_window(window: QWidget, anchor: QWidget | None = None) -> None:
    """Sizes and moves `window` before it is first shown: centred on `anchor`'s window (or on the screen), inside
    the screen's available geometry, one step down and right of any window already at that spot."""
    anchor_window = anchor.window() if anchor is not None else None
    area = _safe_area(anchor_window, window)
    if not window.testAttribute(Qt.WidgetAttribute.WA_Resized):
        window.adjustSize()  # what show() would do: the size the window asks for
    rect = QRect(QPoint(), window.size().expandedTo(window.minimumSize()))
    visible_anchor = anchor_window is not None and anchor_window.isVisible()
    rect.moveCenter(anchor_window.geometry().center() if visible_anchor else area.center())
    rect = _inside(rect, area)
    taken = {
        other.geometry().topLeft()
        for other in QApplication.topLevelWidgets()
        if other is not window and other.isVisible()
    }
    step = window.fontMetrics().height() * 2  # about a title bar: the one below stays readable
    for _ in range(MAX_CASCADE):
        if rect.topLeft() not in taken:
            break
        cascaded = _inside(rect.translated(step, step), area)
        if cascaded.topLeft() == rect.topLeft():  # in the screen's corner already: share the spot
            break
        rect = cascaded
    window.setGeometry(rect)


def keep_on_screen(window: QWidget) -> None:
    """Moves (and if need be shrinks) a window that is not wholly on a screen back onto the nearest one. For a
    geometry restored from the settings; a maximised or full-screen window is the platform's to place."""
    if window.isMaximized() or window.isFullScreen():
        return
    area = _safe_area(window, window)
    if not area.contains(window.geometry()):
        window.setGeometry(_inside(window.geometry(), area))


def bring_up(window: QWidget) -> None:
    """Shows a window in front of the others and gives it the keyboard (a second click on Logs or Terminal)."""
    window.show()
    window.raise_()
    window.activateWindow()
