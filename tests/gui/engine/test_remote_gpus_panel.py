"""The Engine page's GPUs of an engine elsewhere (issue 19): shown only for such an engine, asked only on a click,
answered as a table with its command, or as a sentence."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from gui.core.engine.connection import Diagnosis, Endpoint, EngineState
from gui.core.engine.remote_gpus import NO_GPU_SUPPORT, RemoteGpu, parse_nvidia_smi_csv
from gui.core.errors import EngineError
from gui.views.engine import remote_gpus_panel
from tests.fakes import fake_engine

GPU_BOX = Endpoint("ssh://me@gpu-box", "DOCKER_HOST")
CUDA_IMAGE = "nvidia/cuda:12.4.1-base-ubuntu22.04"
ANSWER = (
    "0, NVIDIA H100 80GB HBM3, GPU-4b1c5f2e-9a77-3d3b-8e0e-6f1f4c2a7d11, 1, 81559, 0, 31\n"
    "1, NVIDIA A100-SXM4-40GB, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, [N/A], 40960, [N/A], 35\n"
)


class Elsewhere:
    """The fake engine, said to be on another computer, with or without GPU support in its docker info."""

    def __init__(self, gpu_support: str | None = "nvidia runtime"):
        self.state = EngineState.CONNECTED
        self.gpu_support = gpu_support

    def __call__(self) -> Diagnosis:
        info = replace(fake_engine.INFO, gpu_support=self.gpu_support)
        return Diagnosis(GPU_BOX, self.state, info=info, server_api_version="1.46")


@pytest.fixture
def engine(engine):
    engine.images.append(fake_engine.image("nvidia/cuda", "12.4.1-base-ubuntu22.04"))
    return engine


@pytest.fixture
def asked(monkeypatch):
    """The images the query ran with; it answers with ANSWER."""
    images: list[str] = []

    def query(_engine, image: str) -> list[RemoteGpu]:
        images.append(image)
        return parse_nvidia_smi_csv(ANSWER)

    monkeypatch.setattr(remote_gpus_panel, "query_remote_gpus", query)
    return images


def panel_of(window, qtbot):
    panel = window.engine_page.remote_gpus
    window.show_page("engine")
    qtbot.waitUntil(lambda: panel.isVisible(), timeout=5000)
    return panel


def cell_texts(panel) -> list[list[str]]:
    table = panel.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())] for row in range(table.rowCount())
    ]


def test_a_local_engine_has_no_such_panel(window, qtbot, asked):
    window.show_page("engine")
    qtbot.waitUntil(lambda: window.engine_page.info_box.isVisible(), timeout=5000)
    assert not window.engine_page.remote_gpus.isVisible()  # this computer's GPUs are the Monitor's


@pytest.mark.parametrize("engine_state", [Elsewhere()])
def test_the_engine_computer_is_asked_only_on_a_click(window, qtbot, asked, engine_state):
    panel = panel_of(window, qtbot)
    qtbot.waitUntil(lambda: panel.image.currentText() == CUDA_IMAGE, timeout=5000)  # the image most likely to work
    assert "not of ssh://me@gpu-box" in panel.note.text()
    assert f"--entrypoint nvidia-smi {CUDA_IMAGE} --query-gpu=" in panel.command.text()
    assert asked == [] and not panel.table.isVisible()
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.isVisible(), timeout=5000)
    assert asked == [CUDA_IMAGE]
    assert cell_texts(panel) == [
        ["0", "NVIDIA H100 80GB HBM3", "1 MiB", "81559 MiB", "0 %", "31 °C"],
        ["1", "NVIDIA A100-SXM4-40GB", "n/a", "40960 MiB", "n/a", "35 °C"],
    ]
    assert panel.message.text() == "The engine's computer has 2 GPUs."
    shown = [window.commands.list.item(row).text() for row in range(window.commands.list.count())]
    assert any("--gpus all" in line and CUDA_IMAGE in line for line in shown)


@pytest.mark.parametrize("engine_state", [Elsewhere()])
def test_the_user_chooses_the_image_and_a_failure_is_a_sentence(window, qtbot, monkeypatch, engine_state):
    sentence = "The image busybox:latest cannot run nvidia-smi: choose an image such as ubuntu."

    def query(_engine, image: str):
        raise EngineError(sentence)

    monkeypatch.setattr(remote_gpus_panel, "query_remote_gpus", query)
    panel = panel_of(window, qtbot)
    panel.image.lineEdit().clear()
    qtbot.keyClicks(panel.image.lineEdit(), "busybox:latest")
    assert "nvidia-smi busybox:latest --query-gpu" in panel.command.text()
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.message.text() == sentence, timeout=5000)
    assert not panel.table.isVisible() and panel.ask_button.isEnabled()


@pytest.mark.parametrize("engine_state", [Elsewhere(gpu_support=None)])
def test_an_engine_without_gpu_support_says_so_and_runs_nothing(window, qtbot, asked, engine_state):
    panel = panel_of(window, qtbot)
    assert panel.message.text() == NO_GPU_SUPPORT
    assert not panel.ask_button.isEnabled()
    assert "no way to give GPUs to containers" in panel.note.text()
    assert asked == []
