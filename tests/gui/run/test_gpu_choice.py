"""Choosing a GPU by what is on it: the Run dialog's GPU list follows the Monitor's samples (the fake NVIDIA driver,
and this test's own process attributed to a container), warns when the chosen GPU lacks the memory the image needs,
offers the GPU where it fits, lists MIG instances as choices, and prefills the need from what the image used before."""

from __future__ import annotations

import dataclasses
import functools
import os
import stat

import pytest
from PySide6.QtCore import Qt

from gui.core.monitor import attribution
from gui.core.run.gpu_need import GpuNeeds
from gui.core.run.memory import RunMemory
from gui.core.run.spec import GpuMode
from gui.views.run.dialog import RunDialog
from gui.views.run.gpu_section import NEED_KNOWN, NEED_UNKNOWN, NOT_SAMPLED, PAUSED
from gui.workers.monitor import service as monitor_module
from gui.workers.monitor.service import MonitorService
from tests.fakes import fake_engine
from tests.fakes.fake_nvml import GPU_IS_LOST, FakeGpu, FakeMig, GiB, write_config
from tests.gui.run.test_run_dialog import click_option, press_run, wait_checked

LEFT = Qt.MouseButton.LeftButton
TRAINER = dataclasses.replace(fake_engine.container("trainer", image="trainer:2.1"), id="ab12" * 16)
LLM = dataclasses.replace(fake_engine.container("llm-api", image="llm:1"), id="cd34" * 16)
LLM_PID = 4242  # a pid of our fake /proc only
MIG_UUID = "MIG-4f5ae4c3-1111-2222-3333-444444444444"


@pytest.fixture
def engine():
    fake = fake_engine.FakeEngine()
    fake.containers_by_id = {row.id: row for row in (TRAINER, LLM)}
    fake.images = [fake_engine.image("trainer", "2.1", used_by=1), fake_engine.image("web", "1.0")]
    return fake


@pytest.fixture
def engine_state():
    """An engine that gives GPUs to containers (the NVIDIA runtime)."""
    info = dataclasses.replace(fake_engine.INFO, gpu_support="nvidia runtime")
    return lambda: dataclasses.replace(fake_engine.diagnosis(), info=info)


@pytest.fixture
def container_processes(tmp_path, monkeypatch):
    """The Monitor's attribution reads a /proc of ours: this test process runs in the trainer container."""
    proc = tmp_path / "proc"
    for pid, container_id in ((os.getpid(), TRAINER.id), (LLM_PID, LLM.id)):
        (proc / str(pid)).mkdir(parents=True)
        (proc / str(pid) / "cgroup").write_text(f"0::/system.slice/docker-{container_id}.scope\n")
    monkeypatch.setattr(monitor_module, "attribute", functools.partial(attribution.attribute, proc=proc))


@pytest.fixture
def needs(tmp_path):
    return GpuNeeds(tmp_path / "config" / "gpu-needs.json")


@pytest.fixture
def monitor(qtbot, session, needs, container_processes, fake_nvml):
    service = MonitorService(session, interval_ms=monitor_module.MIN_INTERVAL_MS, gpu_needs=needs)
    yield service
    service.stop()
    # A GPU sample still in the fake driver when the test ends must finish before fake_nvml takes the driver away
    # (unsetenv beside getenv in another thread is glibc's race).
    service._system.wait_idle(5000)
    with qtbot.waitSignal(service.destroyed, timeout=5000):  # deleted in the GUI thread, as the app does
        service.deleteLater()


@pytest.fixture
def open_dialog(qtbot, session, monitor, tmp_path):
    dialogs = []
    session.start()
    qtbot.waitUntil(lambda: session.connected and session.snapshot is not None, timeout=5000)

    def open_(image: str = "trainer:2.1", follow: bool = True) -> RunDialog:
        dialog = RunDialog(session, image, None, RunMemory(tmp_path / "run.json"), monitor=monitor if follow else None)
        qtbot.addWidget(dialog)
        dialog.show()
        dialogs.append(dialog)
        qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
        dialog.tabs.setCurrentWidget(dialog.gpus)
        return dialog

    yield open_
    for dialog in dialogs:
        dialog.close()
    session.tasks.wait_idle()


def four_gpus(trainer_on: int = 0) -> list[FakeGpu]:
    """GPU 0 (or trainer_on) holds the trainer (this process, 40 GiB); GPU 3 the llm-api (28 GiB)."""
    gpus = [
        FakeGpu(memory_used=22 * GiB, utilization_gpu=97, temperature=71, processes=((LLM_PID, 20 * GiB),)),
        FakeGpu(memory_used=2 * GiB, utilization_gpu=3, temperature=38),
        FakeGpu(name="NVIDIA A100-SXM4-40GB", memory_total=40 * GiB, memory_used=GiB, utilization_gpu=0),
        FakeGpu(memory_used=30 * GiB, utilization_gpu=45, temperature=60, processes=((LLM_PID, 28 * GiB),)),
    ]
    trainer = gpus[trainer_on]
    gpus[trainer_on] = dataclasses.replace(
        trainer,
        memory_used=(trainer.memory_used or 0) + 40 * GiB,
        processes=((os.getpid(), 40 * GiB), *trainer.processes),
    )
    return gpus


def row_text(dialog: RunDialog, row: int) -> str:
    return dialog.gpus.gpu_list.item(row).text()


def click_row(qtbot, dialog: RunDialog, row: int) -> None:
    gpu_list = dialog.gpus.gpu_list
    qtbot.mouseClick(gpu_list.viewport(), LEFT, pos=gpu_list.visualItemRect(gpu_list.item(row)).center())


def warning(dialog: RunDialog):
    return dialog.gpus.findChild(type(dialog.error_label), "gpus-warning")


def test_each_gpu_shows_what_is_on_it_and_follows_the_monitor(qtbot, fake_nvml, monitor, open_dialog):
    fake_nvml.set(four_gpus(trainer_on=0))
    monitor.start()
    dialog = open_dialog()
    gpu_list = dialog.gpus.gpu_list
    qtbot.waitUntil(lambda: "trainer" in row_text(dialog, 0), timeout=5000)
    assert gpu_list.count() == 4
    assert row_text(dialog, 0) == (
        "0 · NVIDIA H100 80GB HBM3\n62 of 80 GiB used · 97 % busy · 71 °C · trainer 40 GiB, llm-api 20 GiB"
    )
    assert row_text(dialog, 1).endswith("2.0 of 80 GiB used · 3 % busy · 38 °C · nothing running on it")
    assert row_text(dialog, 2).startswith("2 · NVIDIA A100-SXM4-40GB\n1.0 of 40 GiB used · 0 % busy")
    tooltip = gpu_list.item(0).toolTip()
    assert "UUID: GPU-00000000-0000-0000-0000-000000000000" in tooltip and "Free now: 18.0 GiB" in tooltip

    # The training moves to GPU 1, and GPU 3 stops answering: the next Monitor sample shows it, with no new dialog.
    moved = four_gpus(trainer_on=1)
    moved[3] = dataclasses.replace(moved[3], errors={"all": GPU_IS_LOST})
    write_config(fake_nvml.config_path, moved)
    qtbot.waitUntil(lambda: "trainer 40 GiB" in row_text(dialog, 1), timeout=5000)
    assert row_text(dialog, 1).endswith("42 of 80 GiB used · 3 % busy · 38 °C · trainer 40 GiB")
    assert row_text(dialog, 0).endswith("22 of 80 GiB used · 97 % busy · 71 °C · llm-api 20 GiB")
    assert row_text(dialog, 3).endswith("\nStopped answering the driver (hover for what to do)")
    assert "GPU is lost" in gpu_list.item(3).toolTip()


def test_the_warning_names_who_holds_the_memory_and_switches_to_where_it_fits(
    qtbot, fake_nvml, monitor, needs, open_dialog, engine
):
    fake_nvml.set(four_gpus(trainer_on=0))
    monitor.start()
    qtbot.waitUntil(lambda: needs.recall("trainer:2.1") == 40 * GiB, timeout=5000)  # the trainer holds 40 GiB
    dialog = open_dialog("trainer:2.1")
    section = dialog.gpus
    qtbot.waitUntil(lambda: section.need_edit.text() == "40", timeout=5000)
    click_option(qtbot, section.chosen_radio)
    qtbot.waitUntil(lambda: "trainer" in row_text(dialog, 0), timeout=5000)
    click_row(qtbot, dialog, 0)  # a click anywhere on the row ticks it
    assert dialog.spec().gpus.device_ids == ("0",)

    qtbot.waitUntil(lambda: warning(dialog).isVisibleTo(dialog), timeout=5000)
    text = warning(dialog).text()
    assert text.startswith("GPU 0 has 18 GiB free, and this image's containers used about 40 GiB before.")
    assert "Held by trainer (40 GiB) and llm-api (20 GiB)." in text
    assert text in dialog.problems_label.text().replace("&#x27;", "'")  # in the dialog's list too, on any tab
    assert section.switch_button.isVisibleTo(dialog)
    assert section.switch_button.text() == "Use GPU 1 instead: 78 GiB free"
    assert dialog.run_button.isEnabled()  # a warning: the user may know better

    qtbot.mouseClick(section.switch_button, LEFT)
    assert dialog.spec().gpus.mode is GpuMode.CHOSEN and dialog.spec().gpus.device_ids == ("1",)
    assert section.gpu_list.item(0).checkState() == Qt.CheckState.Unchecked
    assert "device=1," in dialog.preview.toPlainText()
    assert not warning(dialog).isVisibleTo(dialog) and not section.switch_button.isVisibleTo(dialog)

    wait_checked(qtbot, dialog)
    press_run(qtbot, dialog)
    qtbot.waitUntil(lambda: len(engine.runs) == 1, timeout=5000)
    ran = engine.runs[0].spec
    assert ran.host_config_kwargs()["device_requests"][0]["DeviceIDs"] == ["1"]
    assert ran.argv()[ran.argv().index("--gpus") + 1] == 'device=1,"capabilities=compute,utility"'


def test_the_need_comes_from_what_the_images_containers_used(qtbot, fake_nvml, monitor, needs, open_dialog):
    fake_nvml.set(four_gpus(trainer_on=0))
    monitor.start()
    # The Monitor records what the trainer's container holds (this process: 40 GiB) for its image.
    qtbot.waitUntil(lambda: needs.path.exists() and GpuNeeds(needs.path).recall("trainer:2.1") == 40 * GiB)
    assert stat.S_IMODE(needs.path.stat().st_mode) == 0o600

    trainer = open_dialog("trainer:2.1")
    qtbot.waitUntil(lambda: trainer.gpus.need_edit.text() == "40", timeout=5000)
    assert trainer.gpus.need_hint.text() == NEED_KNOWN

    web = open_dialog("web:1.0")  # never ran with a GPU
    assert web.gpus.need_edit.text() == "" and web.gpus.need_edit.placeholderText() == "unknown"
    assert web.gpus.need_hint.text() == NEED_UNKNOWN
    click_option(qtbot, web.gpus.chosen_radio)
    qtbot.waitUntil(lambda: "nothing running" in row_text(web, 2), timeout=5000)
    click_row(qtbot, web, 2)
    qtbot.keyClicks(web.gpus.need_edit, "45")  # typed: the A100 has 39 GiB free, no single GPU more than 78
    qtbot.waitUntil(lambda: warning(web).isVisibleTo(web), timeout=5000)
    assert warning(web).text().startswith("GPU 2 has 39 GiB free")
    assert web.gpus.switch_button.text() == "Use GPU 1 instead: 78 GiB free"


def test_without_samples_the_list_still_offers_the_gpus_and_says_why(qtbot, fake_nvml, monitor, open_dialog):
    fake_nvml.set(four_gpus())
    dialog = open_dialog()  # the Monitor has not sampled yet
    assert dialog.gpus.gpu_list.count() == 4
    assert row_text(dialog, 0) == "0 · NVIDIA H100 80GB HBM3 · 80.0 GiB"
    assert dialog.gpus.notes_label.text() == NOT_SAMPLED

    monitor.start()
    qtbot.waitUntil(lambda: monitor.gpus is not None, timeout=5000)
    monitor.set_paused(True)
    paused = open_dialog()
    assert "62 of 80 GiB used" in row_text(paused, 0)  # the last numbers, said to be so
    assert paused.gpus.notes_label.text() == PAUSED


def test_mig_instances_are_choices_of_their_own(qtbot, fake_nvml, monitor, open_dialog, engine):
    split = FakeGpu(
        memory_used=12 * GiB,
        mig_mode=1,
        mig_devices=(
            FakeMig(uuid=MIG_UUID, memory_used=12 * GiB, processes=((os.getpid(), 12 * GiB),)),
            FakeMig(name="NVIDIA H100 80GB HBM3 MIG 1g.10gb", memory_total=10 * GiB, memory_used=0),
        ),
    )
    fake_nvml.set([split, FakeGpu(mig_mode=1)])
    monitor.start()
    dialog = open_dialog()
    section = dialog.gpus
    qtbot.waitUntil(lambda: "trainer" in row_text(dialog, 1), timeout=5000)
    assert section.gpu_list.count() == 4
    assert row_text(dialog, 1) == "MIG 3g.40gb #0 on GPU 0\n12 of 40 GiB used · trainer 12 GiB"
    assert row_text(dialog, 2).startswith("MIG 1g.10gb #1 on GPU 0\n0.0 of 10 GiB used · nothing running on it")
    assert "GPU 1 is in MIG mode but has no MIG instances yet" in section.notes_label.text()

    click_option(qtbot, section.chosen_radio)
    click_row(qtbot, dialog, 1)
    assert dialog.spec().gpus.device_ids == (MIG_UUID,)
    assert f"device={MIG_UUID}," in dialog.preview.toPlainText()
    wait_checked(qtbot, dialog)
    assert not dialog.gpus.findChild(type(dialog.error_label), "gpus-error").isVisibleTo(dialog)
    press_run(qtbot, dialog)
    qtbot.waitUntil(lambda: len(engine.runs) == 1, timeout=5000)
    assert engine.runs[0].spec.host_config_kwargs()["device_requests"][0]["DeviceIDs"] == [MIG_UUID]
