"""Proving a container uses its GPU, with real containers really given GPUs: the app on a private dockerd with the
NVIDIA Container Toolkit's hook on its PATH (a stub, so `docker run --gpus all` starts the container as on a GPU
workstation), and the fake NVIDIA driver listing the real host PID of the container's process.

What a user sees, in order: the grace period, then "GPU given, not used yet" in the container's row, on the Monitor and
on its Usage page; "on GPU 0" once NVML lists its process, with its memory on the Monitor's GPU timeline; and Check
inside, whose real `docker exec` finds what the stub hook really left out: no GPU device inside."""

from __future__ import annotations

import pytest
from docker.types import DeviceRequest
from PySide6.QtCore import Qt

from gui.core.monitor import gpu_use
from gui.models.lists import USAGE_COLUMNS
from gui.models.table import ROW_ROLE
from tests.engine import engine_helpers as eh
from tests.fakes.fake_nvml import FakeGpu, GiB, ProcessSample

GRACE_S = 4.0  # shorter than the app's, so the test does not sit through twenty seconds


@pytest.fixture
def gpu_containers(gpu_host_engine, busybox_image, test_labels):
    """(given, plain): a busybox sleeping with --gpus all, and one without GPUs, on the engine with the hook."""
    client = gpu_host_engine.client()
    made = []
    try:
        for name, requests in (("given", [DeviceRequest(count=-1, capabilities=[["gpu"]])]), ("plain", None)):
            container = client.containers.run(
                busybox_image,
                ["sleep", "300"],
                detach=True,
                labels=test_labels,
                name=f"portside-test-gpu-use-{name}-{test_labels[eh.CASE_LABEL]}",
                device_requests=requests,
            )
            assert eh.wait_until(lambda c=container: (c.reload() or c.status) == "running", deadline_s=30)
            made.append(container)
        yield tuple(made)
    finally:
        eh.remove_labelled(client, f"{eh.CASE_LABEL}={test_labels[eh.CASE_LABEL]}")
        client.close()


def row_cell(window, name: str) -> str:
    model = window.containers_page.model
    for row in range(model.rowCount()):
        if model.index(row, 0).data(ROW_ROLE).name == name:
            return model.index(row, USAGE_COLUMNS[1]).data() or ""
    return ""


def busiest_cell(window, container_id: str) -> str:
    table = window.monitor_page.busiest
    ids = table.container_ids()
    return table.item(ids.index(container_id), 3).text() if container_id in ids else ""


def test_a_container_given_a_gpu_from_not_used_yet_to_on_gpu(
    app_window, qtbot, fake_nvml, gpu_host_engine, gpu_containers, monkeypatch
):
    monkeypatch.setattr(gpu_use, "GRACE_S", GRACE_S)
    given, plain = gpu_containers
    fake_nvml.set(gpus=[FakeGpu(memory_used=GiB), FakeGpu(memory_used=GiB)])
    window = app_window(gpu_host_engine.host)
    window.show_page("containers")
    qtbot.waitUntil(lambda: row_cell(window, given.name) == "GPU given, not used yet", timeout=60_000)
    assert row_cell(window, plain.name) == ""  # neither given a GPU nor using one
    assert window.gpu_watch.grant(given.id).what == "all GPUs" and window.gpu_watch.grant(plain.id) is None

    window.show_page("monitor")
    qtbot.waitUntil(lambda: busiest_cell(window, given.id) == "GPU given, not used yet", timeout=30_000)

    # The container's own process (its real host PID) starts on GPU 0.
    pid = given.attrs["State"]["Pid"]
    fake_nvml.set(
        gpus=[
            FakeGpu(memory_used=3 * GiB, processes=((pid, 2 * GiB),), process_utilization=(ProcessSample(pid, sm=63),)),
            FakeGpu(memory_used=GiB),
        ]
    )
    qtbot.waitUntil(lambda: busiest_cell(window, given.id) == "on GPU 0: 2.0 GiB, 63 %", timeout=30_000)
    chart = window.monitor_page.timeline.charts[0]
    qtbot.waitUntil(lambda: chart.owners == (given.id,), timeout=30_000)
    assert f"{given.name} 2.0 GiB" in chart.chart.values.text()
    window.show_page("containers")
    qtbot.waitUntil(lambda: row_cell(window, given.name) == "on GPU 0: 2.0 GiB, 63 %", timeout=30_000)


def test_check_inside_a_container_given_a_gpu_by_the_stub_toolkit(
    app_window, qtbot, fake_nvml, gpu_host_engine, gpu_containers
):
    given, _plain = gpu_containers
    fake_nvml.set(gpus=[FakeGpu(memory_used=GiB)])
    window = app_window(gpu_host_engine.host)
    qtbot.waitUntil(lambda: window.gpu_watch.grant(given.id) is not None, timeout=30_000)
    window.show_container(given.id)
    panel = window.container_page.gpu_check
    qtbot.waitUntil(panel.check_button.isEnabled, timeout=30_000)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Checked at" in panel.findings.text(), timeout=60_000)
    text = panel.findings.text()
    assert "No GPU device inside" in text and "nvidia-smi is not in the image" in text, text
    assert any(command.startswith(f"docker exec {given.name} sh -c ") for command in window.commands.commands())
