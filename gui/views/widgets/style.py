"""Small shared bits of look: colours that read on light and dark palettes, and a visible keyboard focus."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

ERROR_COLOUR = "#d0453b"
WARNING_COLOUR = "#b7791f"
OK_COLOUR = "#2e9d49"
SECONDARY_COLOUR = "#7f8c8d"  # text that is there to explain, not to be read first

# Where the keyboard is, in the palette's own highlight colour (so it reads in light and dark alike). Fusion marks a
# focused line edit, combo box or check box, but not a focused list or table (the sidebar, the lists, the Commands
# panel) and a focused button only faintly. Lists keep the same outer size focused or not (1 px border + 1 px
# padding, or 2 px border), so that nothing moves when the focus does.
FOCUS_STYLE_SHEET = """
QListView, QTableView, QTreeView { border: 1px solid palette(mid); padding: 1px; }
QListView:focus, QTableView:focus, QTreeView:focus { border: 2px solid palette(highlight); padding: 0px; }
QPushButton:focus, QToolButton:focus {
    border: 2px solid palette(highlight); border-radius: 3px; background-color: palette(button);
    padding: 2px 8px; outline: none;
}
"""


def error_label_style() -> str:
    return f"color: {ERROR_COLOUR};"


def install_focus_style(app: QApplication) -> None:
    """Adds the focus rules to the application's style sheet (once), for every window and dialog."""
    if FOCUS_STYLE_SHEET not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + FOCUS_STYLE_SHEET)
