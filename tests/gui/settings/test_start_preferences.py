"""At start, before the window shows: the saved appearance is applied and the saved engine chosen."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from gui import app as portside_app
from gui.core.settings import contexts
from gui.views.widgets.style import apply_theme, is_dark


@pytest.fixture
def application(qapp):
    yield qapp
    apply_theme(qapp, "system")  # the next tests get the look they started with
    contexts.choose("")


def test_the_saved_appearance_and_engine_apply_at_start(application, settings):
    settings.setValue("preferences/appearance", "dark")
    settings.setValue("preferences/engine", "gpu-box")
    portside_app._apply_preferences(application, settings, None)
    assert is_dark() and contexts.chosen() == "gpu-box"
    apply_theme(application, "system")
    assert not is_dark()  # the system look is back (light, here)


def test_a_screenshots_theme_wins_and_a_broken_value_is_logged(application, settings, expect_log_warnings, caplog):
    settings.setValue("preferences/appearance", "purple")
    portside_app._apply_preferences(application, settings, "dark")
    assert is_dark()
    assert "The saved appearance 'purple' was not understood; using Follow the system." in caplog.text


def test_the_system_look_is_left_as_qt_made_it(application, settings):
    before = QApplication.palette().window().color().name(), application.style().name()
    portside_app._apply_preferences(application, settings, None)
    assert (QApplication.palette().window().color().name(), application.style().name()) == before
