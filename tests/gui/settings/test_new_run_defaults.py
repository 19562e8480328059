"""The Run dialog opened after choosing defaults on the Settings page starts with them; a spec copied from a
container keeps its own values."""

from __future__ import annotations

import dataclasses
import re

import pytest

from gui.core.run.memory import RunMemory
from gui.core.run.spec import PortSpec, RunSpec
from gui.views.run.dialog import RunDialog
from gui.views.settings.settings_page import SettingsPage
from tests.fakes import fake_engine
from tests.fakes.fake_nvml import FakeGpu
from tests.gui.run.test_run_dialog import wait_checked
from tests.gui.settings.test_settings_page import choose


@pytest.fixture
def engine_state():
    """An engine that gives GPUs to containers (the NVIDIA runtime)."""
    info = dataclasses.replace(fake_engine.INFO, gpu_support="nvidia runtime")
    return lambda: dataclasses.replace(fake_engine.diagnosis(), info=info)


@pytest.fixture
def open_dialog(qtbot, connected, fake_nvml, tmp_path):
    fake_nvml.set([FakeGpu(), FakeGpu()])
    dialogs = []

    def open_(preferences, initial: RunSpec | None = None) -> RunDialog:
        memory = RunMemory(tmp_path / "run-settings.json")
        dialog = RunDialog(connected, "web:1.0", initial, memory, preferences=preferences)
        qtbot.addWidget(dialog)
        dialog.show()
        dialogs.append(dialog)
        qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
        wait_checked(qtbot, dialog)
        return dialog

    yield open_
    for dialog in dialogs:
        dialog.close()
    connected.tasks.wait_idle()


@pytest.fixture
def page(qtbot, settings):
    page = SettingsPage(settings)
    page.apply_appearance = lambda _theme: None
    qtbot.addWidget(page)
    page.show()
    yield page
    page._tasks.wait_idle()


def test_a_new_run_starts_with_the_chosen_defaults(qtbot, page, open_dialog):
    choose(qtbot, page.combos["bind_address"], "Every interface")
    choose(qtbot, page.combos["restart"], "Always, unless you stopped it")
    choose(qtbot, page.combos["gpus"], "All GPUs")
    dialog = open_dialog(page.preferences)
    preview = dialog.preview.toPlainText()
    assert "--restart unless-stopped" in preview
    assert re.search(r" -p \d+:80 ", preview) and "127.0.0.1" not in preview  # 5000 or the next free port
    assert "--gpus 'all," in preview
    assert dialog.general.restart_combo.currentData() == "unless-stopped"
    assert dialog.gpus.all_radio.isChecked()
    assert dialog.ports.table.row_widgets(0)["all_interfaces"].isChecked()


def test_the_first_free_gpu_is_gpu_0_before_the_monitor_has_sampled(qtbot, page, open_dialog):
    choose(qtbot, page.combos["gpus"], "The first free GPU")
    dialog = open_dialog(page.preferences)
    assert "--gpus 'device=0," in dialog.preview.toPlainText()
    assert dialog.gpus.chosen_radio.isChecked()


def test_the_defaults_leave_a_new_run_as_it_was(open_dialog, page):
    preview = open_dialog(page.preferences).preview.toPlainText()
    assert re.search(r" -p 127\.0\.0\.1:\d+:80 ", preview)
    assert "--restart" not in preview and "--gpus" not in preview


def test_a_spec_copied_from_a_container_keeps_its_own_values(qtbot, page, open_dialog):
    choose(qtbot, page.combos["bind_address"], "Every interface")
    choose(qtbot, page.combos["restart"], "Always, unless you stopped it")
    choose(qtbot, page.combos["gpus"], "All GPUs")
    copied = RunSpec(image="web:1.0", ports=(PortSpec("80", "8080"),), restart="on-failure")
    preview = open_dialog(page.preferences, initial=copied).preview.toPlainText()
    assert "-p 127.0.0.1:8080:80" in preview and "--restart on-failure" in preview and "--gpus" not in preview


def test_no_gpus_where_the_engine_cannot_give_them(qtbot, page, open_dialog, fake_nvml):
    fake_nvml.set([])  # no GPU on this computer
    choose(qtbot, page.combos["gpus"], "All GPUs")
    dialog = open_dialog(page.preferences)
    assert "--gpus" not in dialog.preview.toPlainText()
    assert dialog.gpus.none_radio.isChecked() and dialog.run_button.isEnabled()
