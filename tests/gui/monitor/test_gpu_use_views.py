"""Proving a container uses its GPU, in the real window on the FakeEngine and the fake NVIDIA driver: the state in the
container's row, on its Usage page and on the Monitor (the grace period, then "not used yet", or "on GPU 0"), the
Monitor's per-GPU timeline, and Check inside from the Usage page and the Containers page's menu.

The GPU process is this test's own: a /proc of the test's own (as in test_monitor_service.py) puts its PID in the
trainer container's cgroup, and the fake driver lists that PID."""

from __future__ import annotations

import dataclasses
import functools
import os
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.core.errors import EngineNotAnswering
from gui.core.monitor import attribution as gpu_attribution
from gui.models.lists import USAGE_COLUMNS
from gui.models.table import ROW_ROLE
from gui.workers.monitor import service as monitor_module
from tests.fakes import fake_engine
from tests.fakes.fake_nvml import FakeGpu, GiB, ProcessSample

TRAINER_ID = "ab12" * 16  # attribution reads real container ids (64 hex digits) from cgroup paths
CPU_TORCH = "\n".join(
    [
        "check=started",
        "device=/dev/nvidia0",
        "smi_exit=0",
        "smi=GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)",
        "lib=/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
        "lib=/usr/lib/x86_64-linux-gnu/libcuda.so.1",
        "python_exit=0",
        "python=2.3.0+cpu",
        "python=None",
        "python=False",
        "check=done",
    ]
)


@dataclasses.dataclass
class GpuSetUp:
    """The trainer container given all GPUs, when it started, and what `docker exec` answers in it."""

    started: float
    exec_answer: tuple[int, str] | Exception = (0, CPU_TORCH)
    execs: list = dataclasses.field(default_factory=list)


@pytest.fixture
def gpu_setup(engine, monkeypatch, tmp_path, fake_nvml):
    trainer = dataclasses.replace(fake_engine.container("trainer", image="trainer:2.1"), id=TRAINER_ID)
    engine.containers_by_id = {row.id: row for row in engine.containers_by_id.values() if row.name != "trainer"} | {
        TRAINER_ID: trainer
    }
    setup = GpuSetUp(started=time.time() - 12)
    plain_inspect = engine.api.inspect_container

    def inspect_container(container: str) -> dict:
        payload = plain_inspect(container)
        if payload["Id"] == TRAINER_ID:
            started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(setup.started)) + "Z"
            payload["State"]["StartedAt"] = started
            payload["HostConfig"]["DeviceRequests"] = [{"Driver": "", "Count": -1, "Capabilities": [["gpu"]]}]
        return payload

    def exec_run(container: str, argv: list[str], timeout_s: int):
        setup.execs.append((container, argv, timeout_s))
        if isinstance(setup.exec_answer, Exception):
            raise setup.exec_answer
        return setup.exec_answer

    monkeypatch.setattr(engine.api, "inspect_container", inspect_container)
    monkeypatch.setattr(engine, "exec_run", exec_run, raising=False)
    proc = tmp_path / "proc" / str(os.getpid())
    proc.mkdir(parents=True)
    proc.joinpath("cgroup").write_text(f"0::/system.slice/docker-{TRAINER_ID}.scope\n")
    monkeypatch.setattr(
        monitor_module, "attribute", functools.partial(gpu_attribution.attribute, proc=tmp_path / "proc")
    )
    fake_nvml.set([FakeGpu(memory_used=3 * GiB), FakeGpu(name="NVIDIA A100-SXM4-40GB", memory_total=40 * GiB)])
    return setup


def on_gpu(fake_nvml) -> None:
    """The trainer's process (this test's PID) uses 2 GiB and 63 % of GPU 0."""
    pid = os.getpid()
    fake_nvml.set(
        [
            FakeGpu(memory_used=5 * GiB, processes=((pid, 2 * GiB),), process_utilization=(ProcessSample(pid, sm=63),)),
            FakeGpu(name="NVIDIA A100-SXM4-40GB", memory_total=40 * GiB),
        ]
    )


def row_gpu_cell(window, name: str):
    model = window.containers_page.model
    for row in range(model.rowCount()):
        if model.index(row, 0).data(ROW_ROLE).name == name:
            index = model.index(row, USAGE_COLUMNS[1])
            return index.data(), index.data(Qt.ItemDataRole.ToolTipRole)
    raise AssertionError(f"no row {name}")


def busiest_gpu_cell(window, container_id: str) -> str:
    table = window.monitor_page.busiest
    row = table.container_ids().index(container_id)
    return table.item(row, 3).text()


def test_grace_period_then_not_used_yet_in_the_row_the_usage_page_and_the_monitor(qtbot, gpu_setup, window):
    containers = window.containers_page
    window.show_page("containers")
    qtbot.waitUntil(
        lambda: (row_gpu_cell(window, "trainer")[0] or "").startswith("checking GPU use… ("), timeout=10_000
    )
    _text, tip = row_gpu_cell(window, "trainer")
    assert "all GPUs" in tip and "waits 20 seconds" in tip
    assert not containers.table.isColumnHidden(USAGE_COLUMNS[1])
    qtbot.waitUntil(lambda: row_gpu_cell(window, "trainer")[0] == "GPU given, not used yet", timeout=30_000)
    assert row_gpu_cell(window, "web")[0] == ""  # not given a GPU, using none: nothing to say

    window.show_page("monitor")
    qtbot.waitUntil(lambda: TRAINER_ID in window.monitor_page.busiest.container_ids(), timeout=10_000)
    qtbot.waitUntil(lambda: busiest_gpu_cell(window, TRAINER_ID) == "GPU given, not used yet", timeout=10_000)

    window.show_container(TRAINER_ID)
    panel = window.container_page.gpu_check
    qtbot.waitUntil(lambda: panel.state.text() == "GPU given, not used yet", timeout=10_000)
    assert panel.state.isVisible() and panel.check_button.isEnabled()
    assert "Check inside" in panel.state.toolTip()


def test_a_gpu_process_shows_on_gpu_everywhere_and_on_the_timeline(qtbot, gpu_setup, window, fake_nvml):
    on_gpu(fake_nvml)
    window.show_page("containers")
    qtbot.waitUntil(lambda: row_gpu_cell(window, "trainer")[0] == "on GPU 0: 2.0 GiB, 63 %", timeout=15_000)
    assert "PID" in row_gpu_cell(window, "trainer")[1]

    window.show_page("monitor")
    page = window.monitor_page
    qtbot.waitUntil(lambda: busiest_gpu_cell(window, TRAINER_ID) == "on GPU 0: 2.0 GiB, 63 %", timeout=10_000)

    timeline = page.timeline
    assert timeline.isVisible() and sorted(timeline.charts) == [0, 1]
    chart = timeline.charts[0]
    qtbot.waitUntil(lambda: "trainer 2.0 GiB" in chart.chart.values.text(), timeout=10_000)
    assert chart.owners == (TRAINER_ID,)
    assert chart.chart.title.text() == "GPU 0 · NVIDIA H100 80GB HBM3"
    assert timeline.charts[1].owners == ()  # nobody on GPU 1
    timeline.window_combo.setCurrentIndex(timeline.window_combo.findText("Last 60 min"))
    assert chart.chart.x_range() == (-3600.0, 0.0)

    window.show_container(TRAINER_ID)
    panel = window.container_page.gpu_check
    qtbot.waitUntil(lambda: panel.state.text() == "On GPU 0: 2.0 GiB, 63 %", timeout=10_000)


def test_check_inside_from_the_usage_page_says_what_it_found_and_shows_its_command(qtbot, gpu_setup, window):
    qtbot.waitUntil(lambda: window.gpu_watch.grant(TRAINER_ID) is not None, timeout=10_000)
    window.show_container(TRAINER_ID)
    panel = window.container_page.gpu_check
    qtbot.waitUntil(panel.check_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "CPU-only build" in panel.findings.text(), timeout=10_000)
    assert "PyTorch 2.3.0+cpu in this image is a CPU-only build" in panel.findings.text()
    assert panel.findings.isVisible()
    ((container, argv, timeout_s),) = gpu_setup.execs
    assert container == "trainer" and argv[:2] == ["sh", "-c"] and timeout_s > 0
    assert any(command.startswith("docker exec trainer sh -c ") for command in window.commands.commands())


def test_check_inside_that_gets_no_answer_says_so(qtbot, gpu_setup, window):
    gpu_setup.exec_answer = EngineNotAnswering("The command in the container did not finish within 30 s.")
    qtbot.waitUntil(lambda: window.gpu_watch.grant(TRAINER_ID) is not None, timeout=10_000)
    window.show_container(TRAINER_ID)
    panel = window.container_page.gpu_check
    qtbot.waitUntil(panel.check_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Could not check inside" in panel.findings.text(), timeout=10_000)
    assert "did not finish within 30 s" in panel.findings.text()
    qtbot.waitUntil(panel.check_button.isEnabled, timeout=10_000)  # ready to try again


def test_check_gpu_inside_from_the_containers_menu(qtbot, gpu_setup, window):
    page = window.containers_page
    window.show_page("containers")
    qtbot.waitUntil(lambda: window.gpu_watch.grant(TRAINER_ID) is not None, timeout=10_000)
    assert page.gpu_check_action not in page.toolbar.actions()  # in the menu only
    page.table.selectRow(next(r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "web"))
    assert not page.gpu_check_action.isEnabled()  # not given a GPU
    page.table.selectRow(next(r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "trainer"))
    assert page.gpu_check_action.isEnabled()
    page.gpu_check_action.trigger()
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "gpu-check-box") is not None, timeout=10_000)
    box = page.findChild(QMessageBox, "gpu-check-box")
    assert box.windowTitle() == "GPU check of trainer"
    assert box.text() == "PyTorch is a CPU-only build"
    assert "pip install torch --index-url" in box.informativeText()
    box.close()
