""" "Check inside" on the real engine: one real `docker exec` of the check's script into small containers that each
reproduce one reason a container given a GPU does not use it, and the finding a user reads for each.

The images are built here: FROM the shared busybox image (FROM scratch plus busybox-static: busybox ash, no bash, no
ldconfig) with stub `nvidia-smi` scripts and empty driver library files, and FROM the local Python base (dash and a
real Python) with a stub `torch` package. A GPU device is the host's /dev/null mapped in as /dev/nvidia0
(`--device /dev/null:/dev/nvidia0`): the check only looks for the device file. The driver's CUDA version comes from
the fake NVIDIA driver, through NVML as the app reads it."""

from __future__ import annotations

import pytest

from gui.core.engine.gpu_check import (
    ALL_GOOD,
    CPU_ONLY_FRAMEWORK,
    CUDA_TOO_NEW,
    NO_DEVICE,
    NO_DRIVER_LIBRARY,
    NO_SHELL,
    GpuCheck,
)
from gui.core.errors import EngineNotAnswering
from gui.core.monitor.gpu import sample_gpus
from tests.engine import engine_helpers as eh
from tests.engine import images
from tests.fakes.fake_nvml import FakeGpu

SMI_NO_GPU = '#!/bin/sh\necho "No devices were found"\nexit 6\n'
SMI_ONE_GPU = '#!/bin/sh\necho "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee)"\n'
# A stand-in for PyTorch: a CPU-only wheel unless the container's STUB_TORCH asks for a CUDA build.
TORCH_STUB = """\
import os
_cuda = os.environ.get("STUB_TORCH") == "cuda"
__version__ = "2.3.0+cu121" if _cuda else "2.3.0+cpu"


class version:
    cuda = "12.1" if _cuda else None


class cuda:
    @staticmethod
    def is_available():
        return _cuda
"""
LIBS = "mkdir -p /usr/lib/x86_64-linux-gnu && touch /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 " \
    "/usr/lib/x86_64-linux-gnu/libcuda.so.1"  # fmt: skip
GPU_DEVICE = ["/dev/null:/dev/nvidia0:rwm"]


def _dockerfile(base: str, *steps: str, cmd: str = '["sleep", "300"]') -> str:
    return "\n".join([f"FROM {base}", *steps, f"CMD {cmd}", ""])


@pytest.fixture(scope="module")
def check_images(docker_client, busybox_image, python_base):
    """name -> tag of each case's image, built once for the module and removed after it."""
    labels = eh.labels_for("tests/engine/test_gpu_check_engine.py")
    smi = "COPY nvidia-smi /usr/bin/nvidia-smi\nRUN chmod 755 /usr/bin/nvidia-smi"
    recipes = {
        "no-gpu": (_dockerfile(busybox_image, smi), {"nvidia-smi": SMI_NO_GPU}),
        "no-libraries": (_dockerfile(busybox_image, smi), {"nvidia-smi": SMI_ONE_GPU}),
        "cuda-12.4": (
            _dockerfile(busybox_image, smi, f"RUN {LIBS}", "ENV CUDA_VERSION=12.4.1"),
            {"nvidia-smi": SMI_ONE_GPU},
        ),
        "torch": (
            _dockerfile(python_base, smi, f"RUN {LIBS}", "COPY torch /opt/stub/torch", "ENV PYTHONPATH=/opt/stub"),
            {"nvidia-smi": SMI_ONE_GPU, "torch/__init__.py": TORCH_STUB},
        ),
        "no-shell": (
            'FROM scratch\nCOPY busybox /busybox\nCMD ["/busybox", "sleep", "300"]\n',
            {"busybox": images.BUSYBOX_BINARY},
        ),
    }
    tags = {}
    try:
        for name, (dockerfile, files) in recipes.items():
            tag = f"portside-test/gpu-check-{name}:{labels[eh.CASE_LABEL]}"
            images.build_image(docker_client, tag, dockerfile, labels, files)
            tags[name] = tag
        yield tags
    finally:
        eh.remove_labelled(docker_client, f"{eh.CASE_LABEL}={labels[eh.CASE_LABEL]}")


def _running(docker_client, test_labels, tag: str, **options):
    container = docker_client.containers.run(tag, detach=True, labels=test_labels, **options)
    assert eh.wait_until(lambda: (container.reload() or container.status) == "running", deadline_s=30)
    return container


def _check(engine, container, driver_cuda=(12, 2)):
    return GpuCheck(container.name).run(engine, driver_cuda)


def test_no_gpu_device_in_busybox(docker_client, engine, check_images, test_labels):
    container = _running(docker_client, test_labels, check_images["no-gpu"])
    report = _check(engine, container)
    assert [finding.kind for finding in report.findings] == [NO_DEVICE]
    assert "no /dev/nvidia* device and nvidia-smi lists no GPU" in report.findings[0].sentence


def test_no_driver_library_in_busybox(docker_client, engine, check_images, test_labels):
    container = _running(docker_client, test_labels, check_images["no-libraries"], devices=GPU_DEVICE)
    report = _check(engine, container)
    assert [finding.kind for finding in report.findings] == [NO_DRIVER_LIBRARY]
    assert "libraries libnvidia-ml.so.1 and libcuda.so.1 are not inside" in report.findings[0].sentence


def test_an_image_for_a_newer_cuda_than_the_driver(docker_client, engine, check_images, test_labels, fake_nvml):
    fake_nvml.set(gpus=[FakeGpu()], cuda=12020)  # this computer's driver: CUDA up to 12.2
    driver_cuda = sample_gpus().cuda_version
    assert driver_cuda == (12, 2)
    container = _running(docker_client, test_labels, check_images["cuda-12.4"], devices=GPU_DEVICE)
    report = _check(engine, container, driver_cuda)
    assert [finding.kind for finding in report.findings] == [CUDA_TOO_NEW]
    sentence = report.findings[0].sentence
    assert "The image is built for CUDA 12.4, but this computer's NVIDIA driver supports CUDA up to 12.2" in sentence


def test_a_cpu_only_pytorch_and_a_cuda_one_in_the_python_image(docker_client, engine, check_images, test_labels):
    cpu = _running(docker_client, test_labels, check_images["torch"], devices=GPU_DEVICE)
    report = _check(engine, cpu)
    assert [finding.kind for finding in report.findings] == [CPU_ONLY_FRAMEWORK]
    assert "PyTorch 2.3.0+cpu in this image is a CPU-only build" in report.findings[0].sentence

    cuda = _running(
        docker_client, test_labels, check_images["torch"], devices=GPU_DEVICE, environment={"STUB_TORCH": "cuda"}
    )
    report = _check(engine, cuda)
    assert [finding.kind for finding in report.findings] == [ALL_GOOD]
    assert "1 GPU visible" in report.text() and "PyTorch 2.3.0+cu121 sees the GPU" in report.text()


def test_an_image_without_a_shell(docker_client, engine, check_images, test_labels):
    container = _running(docker_client, test_labels, check_images["no-shell"])
    report = _check(engine, container)
    assert [finding.kind for finding in report.findings] == [NO_SHELL]


def test_an_exec_that_says_nothing_in_time_is_given_up(docker_client, engine, busybox_image, test_labels):
    container = _running(docker_client, test_labels, busybox_image, command=["sleep", "300"])
    with pytest.raises(EngineNotAnswering) as stopped:
        engine.exec_run(container.name, ["sleep", "30"], timeout_s=1)
    assert "did not finish within 1 s" in stopped.value.message
    assert engine.exec_run(container.name, ["echo", "still here"], timeout_s=10) == (0, "still here\n")
