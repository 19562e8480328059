"""Text reads on a light and on a dark desktop (issue 14): every coloured or quieter text is at least 4.5:1 against
its background (WCAG AA, relative luminance), the colour picked from the palette in use rather than one shade
chosen for a light window. The palettes are Fusion's own (light) and gui.views.widgets.style.dark_palette, the
one `portside --screenshot --theme dark` uses."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QStyleFactory, QWidget

from gui.core.learn.steps import STEPS
from gui.views.widgets.style import TEXT_COLOURS, dark_palette, secondary_colour, text_colour

AA = 4.5


def luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast(first: QColor, second: QColor) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown_colour(label: QWidget) -> QColor:
    """The colour a label's text is painted in: its style sheet's, else its palette's (the disabled one when the
    label is disabled)."""
    label.ensurePolished()
    group = QPalette.ColorGroup.Active if label.isEnabled() else QPalette.ColorGroup.Disabled
    return label.palette().color(group, QPalette.ColorRole.WindowText)


def window_colour(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Window)


@pytest.fixture(params=["light", "dark"])
def theme(request, qapp):
    """The application's palette for the test: a light or a dark desktop."""
    before = qapp.palette()
    palette = dark_palette() if request.param == "dark" else QStyleFactory.create("Fusion").standardPalette()
    qapp.setPalette(palette)
    yield palette
    qapp.setPalette(before)


@pytest.mark.parametrize("kind", sorted(TEXT_COLOURS))
def test_status_colours_read_on_the_window_and_on_lists(theme, kind):
    colour = QColor(text_colour(kind))
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        assert contrast(colour, theme.color(role)) >= AA, (kind, role)


def test_secondary_text_reads_on_the_window_and_on_lists(theme):
    colour = QColor(secondary_colour())
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert contrast(colour, theme.color(role)) >= AA
    assert colour != theme.color(QPalette.ColorRole.WindowText)  # quieter than the text around it


def test_an_empty_list_says_what_to_do_in_readable_text(theme, window, engine, qtbot):
    window.show_page("builds")  # no build yet: the empty state shows
    page = window.builds_page
    qtbot.waitUntil(lambda: page.showing_empty_state, timeout=3000)
    assert contrast(shown_colour(page.empty_label), window_colour(page)) >= AA


def test_the_engine_address_line_reads(theme, window, qtbot):
    window.show_page("engine")
    detail = window.engine_page.detail
    qtbot.waitUntil(lambda: "unix://" in detail.text() or "tcp://" in detail.text(), timeout=3000)
    assert contrast(shown_colour(detail), window_colour(window.engine_page)) >= AA


def test_learn_done_step_and_its_mark_read(theme, qtbot):
    from gui.views.learn.step_detail import StepDetail

    detail = StepDetail()
    qtbot.addWidget(detail)
    step = next(step for step in STEPS if not step.read_only)
    detail.show_step(step, True, "my-ai-app", None, "Your project: /tmp/app, image my-ai-app.", None)
    detail.show()
    assert detail.status.text().startswith("✓ Done")
    background = window_colour(detail)
    for label in (detail.status, detail.position, detail.project):
        assert contrast(shown_colour(label), background) >= AA, label.objectName()


def test_learn_list_marks_done_steps_in_a_readable_green(theme, window, qtbot):
    steps = window.learn_page.steps_list
    qtbot.waitUntil(
        lambda: bool(window.learn_page.done), timeout=5000
    )  # the fake engine answers: the install is checked
    done = [steps.item(row) for row in range(steps.count()) if steps.item(row).text().startswith("✓")]
    assert done
    base = steps.palette().color(QPalette.ColorRole.Base)
    for item in done:
        colour = item.foreground().color()
        assert colour.green() > colour.red() and contrast(colour, base) >= AA, item.text()


def test_an_error_label_reads(theme, qtbot):
    from gui.views.widgets.style import error_label_style

    label = QLabel("The folder does not exist.")
    qtbot.addWidget(label)
    label.setStyleSheet(error_label_style())
    assert contrast(shown_colour(label), window_colour(label)) >= AA
