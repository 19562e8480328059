"""A remote engine's GPUs asked on its computer (issue 19), on a private engine with the NVIDIA toolkit's hook (a
stub), so `--gpus all` starts containers as on a GPU workstation. No real nvidia-smi is there: a test image carries a
shell script by that name that answers as nvidia-smi does. The query's container is removed after, whatever
happened."""

from __future__ import annotations

import pytest

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.engine.remote_gpus import QUERY_KIND, QUERY_LABEL, RemoteGpu, query_remote_gpus
from gui.core.errors import EngineError
from tests.engine import images

FAKE_NVIDIA_SMI = """#!/bin/sh
echo "0, NVIDIA H100 80GB HBM3, GPU-4b1c5f2e-9a77-3d3b-8e0e-6f1f4c2a7d11, 1, 81559, 0, 31"
echo "1, NVIDIA A100-SXM4-40GB, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, [N/A], 40960, [N/A], 35"
"""


@pytest.fixture(scope="module")
def gpu_box(gpu_host_engine, busybox_image):
    """The private engine as Portside connects to it, and an image with the stand-in nvidia-smi."""
    client = gpu_host_engine.client()
    dockerfile = f"FROM {busybox_image}\nCOPY nvidia-smi /usr/bin/nvidia-smi\nRUN chmod +x /usr/bin/nvidia-smi\n"
    images.build_image(client, "portside-test/nvidia-smi:1", dockerfile, {}, files={"nvidia-smi": FAKE_NVIDIA_SMI})
    engine = Engine(Endpoint(gpu_host_engine.host, "DOCKER_HOST"), client.api.api_version)
    yield engine, client
    engine.close()
    client.close()


def query_containers(client) -> list[dict]:
    return client.api.containers(all=True, filters={"label": f"{QUERY_LABEL}={QUERY_KIND}"})


def test_the_engine_computer_answers_with_its_gpus(gpu_box, test_labels):
    engine, client = gpu_box
    gpus = query_remote_gpus(engine, "portside-test/nvidia-smi:1", labels=test_labels)
    assert gpus == [
        RemoteGpu(0, "NVIDIA H100 80GB HBM3", "GPU-4b1c5f2e-9a77-3d3b-8e0e-6f1f4c2a7d11", 1, 81559, 0, 31),
        RemoteGpu(1, "NVIDIA A100-SXM4-40GB", "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", None, 40960, None, 35),
    ]
    assert query_containers(client) == []  # removed after


def test_an_image_without_nvidia_smi_is_said_so(gpu_box, busybox_image, test_labels):
    engine, client = gpu_box
    with pytest.raises(EngineError) as raised:
        query_remote_gpus(engine, busybox_image, labels=test_labels)
    assert f"The image {busybox_image} cannot run nvidia-smi" in raised.value.message
    assert query_containers(client) == []
