"""GPUs for containers, on engines as they are set up. Without the NVIDIA Container Toolkit a GPU run fails with a
plain sentence; with it, the container starts with its GPU request. Neither case is skipped anywhere: the shared
engine is whatever this computer has (no toolkit on a CI box, the toolkit on a GPU workstation), and a private
engine with the toolkit's hook on its PATH (a stub: private_engine.NvidiaHookStub) always has the toolkit, though
`docker info` lists no nvidia runtime for it. What Portside reports for an engine decides what the engine must do,
so the Engine page, doctor and the Run dialog are checked to agree with what really happens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import docker
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from gui.core.engine.client import Engine
from gui.core.engine.connection import NVIDIA_HOOK_SUPPORT, Endpoint, diagnose
from gui.core.run.spec import GpuMode, GpuSpec, RunContainer, RunFailed, RunSpec
from tests.engine import engine_helpers as eh
from tests.engine.private_engine import NvidiaHookStub
from tests.fakes.fake_nvml import FakeGpu

ROOT = Path(__file__).resolve().parents[2]
# What the engine's NVIDIA device driver tells the toolkit (and the container) to hand over.
SHOW_NVIDIA_ENV = "sh -c 'echo $NVIDIA_VISIBLE_DEVICES $NVIDIA_DRIVER_CAPABILITIES'"
NO_TOOLKIT = "the NVIDIA Container Toolkit is not set up"


@dataclass(frozen=True)
class GpuEngine:
    host: str
    client: docker.DockerClient
    image: str
    gpu_support: str | None  # what Portside reports ("GPUs for containers"); None: it says they cannot be given
    hook: NvidiaHookStub | None  # the stub hook of the private engine; None for the shared engine

    def engine(self) -> Engine:
        return Engine(Endpoint(self.host, "DOCKER_HOST"), self.client.api.api_version)

    def labelled_containers(self, test_labels: dict[str, str]) -> list[dict]:
        label = f"{eh.CASE_LABEL}={test_labels[eh.CASE_LABEL]}"
        return self.client.api.containers(all=True, filters={"label": label})


@pytest.fixture(params=["shared engine", "engine with the NVIDIA hook"])
def gpu_engine(request, docker_client, busybox_image, test_labels):
    if request.param == "shared engine":
        host, client, hook = eh.engine_url(), docker_client, None
    else:
        daemon = request.getfixturevalue("gpu_host_engine")
        host, client, hook = daemon.host, daemon.client(), request.getfixturevalue("nvidia_hook_stub")
    diagnosis = diagnose(Endpoint(host, "DOCKER_HOST"))
    assert diagnosis.usable and diagnosis.info is not None, diagnosis.detail
    yield GpuEngine(host, client, busybox_image, diagnosis.info.gpu_support, hook)
    if hook is not None:  # the shared engine's objects go by the autouse fixture
        eh.remove_labelled(client, f"{eh.CASE_LABEL}={test_labels[eh.CASE_LABEL]}")


def test_portside_sees_the_toolkit_hook_that_docker_info_does_not_show(gpu_host_engine):
    """The toolkit installed and not configured (`nvidia-ctk runtime configure` not run): `docker info` lists no
    nvidia runtime, yet the engine gives GPUs to `docker run --gpus`. Portside must not say it cannot."""
    diagnosis = diagnose(Endpoint(gpu_host_engine.host, "DOCKER_HOST"))
    assert diagnosis.info is not None and "nvidia" not in diagnosis.info.runtimes
    assert diagnosis.info.gpu_support == NVIDIA_HOOK_SUPPORT


def gpu_run(gpu_engine: GpuEngine, test_labels: dict[str, str], gpus: GpuSpec) -> RunSpec:
    return RunSpec(gpu_engine.image, command=SHOW_NVIDIA_ENV, gpus=gpus, labels=tuple(test_labels.items()))


def assert_started_with_gpus(gpu_engine: GpuEngine, container_id: str, count: int, visible: str) -> None:
    """The container ran with its GPU request, through the engine's NVIDIA device driver."""
    client = gpu_engine.client
    assert eh.wait_until(lambda: client.api.inspect_container(container_id)["State"]["Status"] == "exited", 30)
    inspected = client.api.inspect_container(container_id)
    assert inspected["State"]["ExitCode"] == 0, client.api.logs(container_id)
    (request,) = inspected["HostConfig"]["DeviceRequests"]
    assert request["Count"] == count and request["Driver"] == ""  # the engine picks the driver by capability...
    assert request["Capabilities"] == [["compute", "utility", "gpu"]]  # (the order the docker CLI sends)
    # ...and its NVIDIA driver tells the toolkit what to hand over, through the container's environment.
    assert client.api.logs(container_id).decode().split() == [visible, "compute,utility"]
    if gpu_engine.hook is not None:
        assert container_id in gpu_engine.hook.container_ids()  # the toolkit's hook ran for this container


def test_a_gpu_request_reaches_the_engine_and_does_what_its_set_up_allows(gpu_engine, test_labels):
    spec = gpu_run(gpu_engine, test_labels, GpuSpec(GpuMode.ALL))
    engine = gpu_engine.engine()
    try:
        if gpu_engine.gpu_support:
            container_id = engine.perform(RunContainer(spec, keep_failed=True))
            assert_started_with_gpus(gpu_engine, container_id, count=-1, visible="all")
            return
        with pytest.raises(RunFailed) as failed:
            engine.perform(RunContainer(spec, keep_failed=True))
    finally:
        engine.close()
    assert NO_TOOLKIT in failed.value.message
    assert "could not select device driver" not in failed.value.message  # the engine's words stay in the detail
    assert "could not select device driver" in failed.value.detail
    kept = gpu_engine.client.api.inspect_container(failed.value.container_id)
    (request,) = kept["HostConfig"]["DeviceRequests"]
    assert request["Count"] == -1 and request["Driver"] == ""
    assert request["Capabilities"] == [["compute", "utility", "gpu"]]


def test_a_gpu_run_that_fails_removes_its_container_and_one_that_starts_keeps_it(gpu_engine, test_labels):
    spec = gpu_run(gpu_engine, test_labels, GpuSpec(GpuMode.COUNT, count=1))
    engine = gpu_engine.engine()
    try:
        if gpu_engine.gpu_support:
            container_id = engine.perform(RunContainer(spec))
            assert_started_with_gpus(gpu_engine, container_id, count=1, visible="0")  # the first GPU
            assert [row["Id"] for row in gpu_engine.labelled_containers(test_labels)] == [container_id]
            return
        with pytest.raises(RunFailed) as failed:
            engine.perform(RunContainer(spec))
    finally:
        engine.close()
    assert NO_TOOLKIT in failed.value.message
    assert not failed.value.kept
    assert gpu_engine.labelled_containers(test_labels) == []


def test_doctor_says_whether_the_engine_gives_gpus_to_containers(gpu_engine):
    result = subprocess.run(
        [sys.executable, "-m", "gui", "doctor", "--json"],
        cwd=ROOT,
        env={**os.environ, "DOCKER_HOST": gpu_engine.host},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    containers = checks["GPUs for containers"]
    if gpu_engine.gpu_support:
        assert containers["ok"] and containers["value"] == f"yes, through the {gpu_engine.gpu_support}"
    elif checks["NVIDIA GPUs"]["value"].startswith("none"):  # no NVIDIA driver here: nothing to hand over anyway
        assert containers["ok"] and containers["value"] == "no (not needed: this computer has no NVIDIA driver)"
    else:
        assert not containers["ok"] and "nvidia-ctk runtime configure" in containers["fix"]


def _engine_page_value(window, label: str) -> QLabel:
    form = window.engine_page.info_form
    for row in range(form.rowCount()):
        name = form.itemAt(row, form.ItemRole.LabelRole)
        if name is not None and name.widget().text() == label:
            return form.itemAt(row, form.ItemRole.FieldRole).widget()
    raise AssertionError(f"no {label!r} row on the Engine page")


def test_the_engine_page_and_the_run_dialog_offer_gpus_as_the_engine_gives_them(
    app_window, qtbot, fake_nvml, gpu_engine, test_labels
):
    fake_nvml.set(gpus=[FakeGpu(name="NVIDIA H100 80GB HBM3")])  # this computer has a GPU: the engine decides
    window = app_window(gpu_engine.host)
    qtbot.waitUntil(lambda: window.engine_page.info_form.rowCount() > 0, timeout=20_000)
    shown = _engine_page_value(window, "GPUs for containers")

    spec = gpu_run(gpu_engine, test_labels, GpuSpec(GpuMode.NONE))
    dialog = window.open_run_dialog(gpu_engine.image, spec)
    qtbot.waitUntil(lambda: dialog.ready, timeout=20_000)
    section = dialog.gpus
    if not gpu_engine.gpu_support:
        assert shown.text() == "No: install the NVIDIA Container Toolkit to give GPUs to containers"
        assert "nvidia-ctk runtime configure" in shown.toolTip()
        dialog.tabs.setCurrentWidget(section)
        assert not section.all_radio.isEnabled() and section.none_radio.isChecked()
        assert NO_TOOLKIT in section.reason_label.text() and section.reason_label.isVisibleTo(dialog)
        dialog.close()
        return

    assert shown.text() == f"Yes, through the {gpu_engine.gpu_support}"
    dialog.tabs.setCurrentWidget(section)
    assert section.all_radio.isEnabled() and not section.reason_label.isVisibleTo(dialog)
    radio = section.all_radio  # clicked on its indicator: Qt ignores clicks right of a short label
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(radio.height() // 2, radio.height() // 2))
    assert dialog.spec().gpus == replace(spec.gpus, mode=GpuMode.ALL)
    assert "--gpus 'all," in dialog.preview.toPlainText()  # the command shown is the one that runs
    with qtbot.waitSignal(dialog.started, timeout=30_000) as started:
        qtbot.waitUntil(dialog.run_button.isEnabled, timeout=20_000)
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    container_id, _spec = started.args
    assert_started_with_gpus(gpu_engine, container_id, count=-1, visible="all")
