"""Small shared bits of look: colours that read on light and dark palettes, and a visible keyboard focus."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

# Qt's palette has no role for errors, warnings or success. Each has a shade for light backgrounds and one for
# dark ones, both at least 4.5:1 (WCAG AA for text) against a window or a list of its kind (#e0e0e0 to #ffffff,
# #1e1e1e to #3a3a3a). text_colour picks the one for the palette in use.
TEXT_COLOURS = {
    "error": ("#b3261e", "#ff8a80"),
    "warning": ("#8a5300", "#f0b040"),
    "ok": ("#17692b", "#5fd47c"),
    "info": ("#1d64ad", "#7db9ff"),
}
SECONDARY_BLEND = 0.4  # secondary text: the text colour, this far towards the background (still over 4.5:1)

# Middle shades for marks that are not text (the status bar's dot, underlines, line marks): over 3:1 on light and
# dark backgrounds alike. Text takes text_colour() and secondary_colour(), which ask the palette.
ERROR_COLOUR = "#d0453b"
WARNING_COLOUR = "#b7791f"
OK_COLOUR = "#2e9d49"
SECONDARY_COLOUR = "#7f8c8d"

# Where the keyboard is, in the palette's own highlight colour (so it reads in light and dark alike). Fusion marks a
# focused line edit, combo box or check box, but not a focused list or table (the sidebar, the lists, the Commands
# panel) and a focused button only faintly. Lists keep the same outer size focused or not (1 px border + 1 px
# padding, or 2 px border), so that nothing moves when the focus does. A button keeps the size it was given
# unfocused (border and padding here fit inside Fusion's own margins), so its text is never cut off when focused.
FOCUS_STYLE_SHEET = """
QListView, QTableView, QTreeView { border: 1px solid palette(mid); padding: 1px; }
QListView:focus, QTableView:focus, QTreeView:focus { border: 2px solid palette(highlight); padding: 0px; }
QPushButton:focus, QToolButton:focus {
    border: 2px solid palette(highlight); border-radius: 3px; background-color: palette(button);
    padding: 1px 4px; outline: none;
}
QToolButton:focus { padding: 0px 1px; }
"""


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether text is light on a dark window (a dark desktop theme)."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def text_colour(kind: str, palette: QPalette | None = None) -> str:
    """The shade of "error", "warning", "ok" or "info" that reads on `palette` (the application's by default)."""
    light, dark = TEXT_COLOURS[kind]
    return dark if is_dark(palette) else light


def secondary_colour(palette: QPalette | None = None) -> str:
    """Quieter text than the palette's own, yet readable: disabled text (Fusion's #bebebe on #efefef) is not."""
    palette = palette or QApplication.palette()
    text, window = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    mixed = [round(a + (b - a) * SECONDARY_BLEND) for a, b in zip(text.getRgb()[:3], window.getRgb()[:3])]
    return QColor(*mixed).name()


def colour_style(kind: str, palette: QPalette | None = None) -> str:
    """A label's style sheet for text of `kind`: "secondary" or one of TEXT_COLOURS."""
    colour = secondary_colour(palette) if kind == "secondary" else text_colour(kind, palette)
    return f"color: {colour};"


def set_secondary(label: QWidget) -> None:
    """Shows a label as secondary text (explains, not read first), enabled so that it reads and is announced."""
    label.setStyleSheet(colour_style("secondary", label.palette()))


def error_label_style() -> str:
    return colour_style("error")


def install_focus_style(app: QApplication) -> None:
    """Adds the focus rules to the application's style sheet (once), for every window and dialog."""
    if FOCUS_STYLE_SHEET not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + FOCUS_STYLE_SHEET)


def dark_palette() -> QPalette:
    """A dark desktop's palette (as KDE Breeze Dark or GNOME's dark style give Qt), for screenshots and tests."""
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#2b2b2b",
        role.WindowText: "#e6e6e6",
        role.Base: "#1e1e1e",
        role.AlternateBase: "#262626",
        role.ToolTipBase: "#3a3a3a",
        role.ToolTipText: "#e6e6e6",
        role.PlaceholderText: "#8c8c8c",
        role.Text: "#e6e6e6",
        role.Button: "#353535",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Light: "#4a4a4a",
        role.Midlight: "#3e3e3e",
        role.Mid: "#5a5a5a",
        role.Dark: "#202020",
        role.Shadow: "#141414",
        role.Highlight: "#3d7fc1",
        role.HighlightedText: "#ffffff",
        role.Link: "#6cb4ff",
        role.LinkVisited: "#b99cff",
    }
    for colour_role, colour in colours.items():
        palette.setColor(colour_role, QColor(colour))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, colour_role, QColor("#7a7a7a"))
    palette.setColor(group.Disabled, role.Base, QColor("#262626"))
    return palette


SYSTEM_STYLE = "portside-system-style"  # the application property keeping the desktop's own style's name


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion with a light or a dark palette: how Portside looks on a light or a dark desktop. "system" gives the
    desktop's own style and palette back (the ones Qt chose at start), so dark mode follows the desktop again."""
    if app.property(SYSTEM_STYLE) is None:
        app.setProperty(SYSTEM_STYLE, app.style().name())
    if theme == "system":
        app.setStyle(QStyleFactory.create(app.property(SYSTEM_STYLE)) or QStyleFactory.create("Fusion"))
        app.setPalette(QPalette())  # nothing set: Qt's palette for the desktop, which follows its light or dark
        return
    fusion = QStyleFactory.create("Fusion")
    app.setStyle(fusion)
    app.setPalette(dark_palette() if theme == "dark" else fusion.standardPalette())
