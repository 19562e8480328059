"""A remote engine's GPUs (issue 19): nvidia-smi's CSV read into rows, the image chosen to ask with, the command
shown, and every failure said as a sentence."""

from __future__ import annotations

import shlex

import pytest

from gui.core.engine import remote_gpus
from gui.core.engine.remote_gpus import (
    NO_GPU_SUPPORT,
    GpuQuery,
    RemoteGpu,
    choose_image,
    failure_sentence,
    parse_nvidia_smi_csv,
)

# Lines as nvidia-smi --query-gpu=index,name,uuid,memory.used,memory.total,utilization.gpu,temperature.gpu
# --format=csv,noheader,nounits prints them on real boards.
H100 = "0, NVIDIA H100 80GB HBM3, GPU-4b1c5f2e-9a77-3d3b-8e0e-6f1f4c2a7d11, 1, 81559, 0, 31"
RTX = "1, NVIDIA GeForce RTX 3090, GPU-2f3a0c1d-77aa-4c1e-9a0b-0d2e3f4a5b6c, 305, 24576, 3, 48"
MIG_A100 = "0, NVIDIA A100-SXM4-40GB, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, [N/A], 40960, [N/A], 35"
NO_SENSOR = "2, Tesla T4, GPU-11111111-2222-3333-4444-555555555555, 0, 15360, 0, [Not Supported]"


def test_real_lines_become_rows():
    gpus = parse_nvidia_smi_csv(f"{H100}\n{RTX}\n")
    assert gpus == [
        RemoteGpu(0, "NVIDIA H100 80GB HBM3", "GPU-4b1c5f2e-9a77-3d3b-8e0e-6f1f4c2a7d11", 1, 81559, 0, 31),
        RemoteGpu(1, "NVIDIA GeForce RTX 3090", "GPU-2f3a0c1d-77aa-4c1e-9a0b-0d2e3f4a5b6c", 305, 24576, 3, 48),
    ]


def test_values_nvidia_smi_cannot_give_are_none_not_zero():
    mig, t4 = parse_nvidia_smi_csv(f"{MIG_A100}\r\n{NO_SENSOR}")
    assert (mig.memory_used_mib, mig.memory_total_mib, mig.utilization_percent) == (None, 40960, None)
    assert t4.temperature_c is None and t4.utilization_percent == 0


def test_lines_that_are_not_a_gpu_are_left_out():
    text = "\n".join(
        [
            "WARNING: infoROM is corrupted at gpu 0000:01:00.0",
            H100,
            "  MIG devices: 2",  # a note some drivers print
            "",
            "No devices were found",
        ]
    )
    assert [gpu.index for gpu in parse_nvidia_smi_csv(text)] == [0]


def test_a_name_with_a_comma_stays_whole():
    (gpu,) = parse_nvidia_smi_csv("3, Board, rev 2, GPU-abc, 10, 20, 5, 40")
    assert (gpu.name, gpu.uuid, gpu.memory_used_mib, gpu.temperature_c) == ("Board, rev 2", "GPU-abc", 10, 40)


def test_the_image_with_cuda_is_preferred_and_busybox_is_never_chosen():
    assert choose_image(["alpine:3.19", "myapp:1", "nvidia/cuda:12.4.1-base-ubuntu22.04"]).startswith("nvidia/cuda")
    assert choose_image(["busybox:latest", "alpine:3.19", "ubuntu:22.04"]) == "ubuntu:22.04"
    assert choose_image(["busybox:latest", "<none>:<none>"]) is None


def test_the_command_shown_is_the_query_that_runs():
    words = shlex.split(GpuQuery("ubuntu:22.04").command)
    assert words[:5] == ["docker", "run", "--rm", "--gpus", "all"]
    assert "io.portside.helper=gpus" in words  # a leftover is findable by its label
    entry = words.index("--entrypoint")
    assert words[entry + 1 : entry + 3] == ["nvidia-smi", "ubuntu:22.04"]
    assert words[-2:] == [
        "--query-gpu=index,name,uuid,memory.used,memory.total,utilization.gpu,temperature.gpu",
        "--format=csv,noheader,nounits",
    ]


@pytest.mark.parametrize(
    ("exit_code", "output", "says"),
    [
        (127, "sh: nvidia-smi: not found", "has none"),
        (
            None,
            'OCI runtime create failed: exec: "nvidia-smi": executable file not found in $PATH: unknown',
            "cannot run nvidia-smi",
        ),
        (
            9,
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
            "latest NVIDIA driver is installed and running.",
            "could not talk to the NVIDIA driver",
        ),
        (6, "No devices were found", "found no NVIDIA GPU"),
        (None, 'could not select device driver "" with capabilities: [[gpu]]', "Install the NVIDIA Container Toolkit"),
        (3, "something else\nlast words", "exit code 3"),
    ],
)
def test_each_failure_is_a_sentence_with_what_to_do(exit_code, output, says):
    sentence = failure_sentence("alpine:3.19", exit_code, output)
    assert sentence and says in sentence


def test_a_good_answer_is_no_failure():
    assert failure_sentence("ubuntu:22.04", 0, f"{H100}\n") is None


class _Client:
    """docker-py's APIClient as far as the query uses it; `wait` may time out, `start` may refuse."""

    def __init__(self, exit_code=0, output=b"", start_error=None, wait_error=None):
        self.exit_code, self.output, self.start_error, self.wait_error = exit_code, output, start_error, wait_error
        self.removed: list[str] = []
        self.created: dict = {}

    def create_host_config(self, **kwargs):
        return kwargs

    def create_container(self, image, **kwargs):
        self.created = {"image": image, **kwargs}
        return {"Id": "c0ffee"}

    def start(self, container_id):
        if self.start_error:
            raise self.start_error

    def wait(self, container_id, timeout=None):
        if self.wait_error:
            raise self.wait_error
        return {"StatusCode": self.exit_code}

    def logs(self, container_id, stdout=True, stderr=True):
        return self.output

    def remove_container(self, container_id, force=False):
        self.removed.append(container_id)

    def close(self):
        pass


class _Engine:
    class endpoint:  # the engine's endpoint, as far as the log line reads it
        host = "ssh://gpu-box"

    def __init__(self, client):
        self.client = client

    def new_client(self, timeout=60):
        return self.client


def test_the_query_asks_for_all_gpus_and_removes_its_container():
    client = _Client(output=f"{H100}\n{RTX}\n".encode())
    gpus = remote_gpus.query_remote_gpus(_Engine(client), "ubuntu:22.04")
    assert [gpu.name for gpu in gpus] == ["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 3090"]
    (request,) = client.created["host_config"]["device_requests"]
    assert request["Count"] == -1 and request["Capabilities"] == [["gpu"]]
    assert client.created["entrypoint"] == ["nvidia-smi"]
    assert client.removed == ["c0ffee"]


def test_a_time_limit_is_said_and_the_container_removed():
    import requests.exceptions

    client = _Client(wait_error=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(remote_gpus.EngineError, match="did not answer within 60 s"):
        remote_gpus.query_remote_gpus(_Engine(client), "ubuntu:22.04")
    assert client.removed == ["c0ffee"]


def test_an_image_without_nvidia_smi_is_said_so():
    import docker.errors

    refusal = docker.errors.APIError(
        "400 Client Error",
        explanation='OCI runtime create failed: exec: "nvidia-smi": executable file not found in $PATH: unknown',
    )
    client = _Client(start_error=refusal)
    with pytest.raises(remote_gpus.EngineError, match="busybox:latest cannot run nvidia-smi"):
        remote_gpus.query_remote_gpus(_Engine(client), "busybox:latest")
    assert client.removed == ["c0ffee"]


def test_a_driver_failure_is_said_so():
    client = _Client(exit_code=9, output=b"NVIDIA-SMI has failed because it couldn't communicate with the driver.\n")
    with pytest.raises(remote_gpus.EngineError, match="could not talk to the NVIDIA driver"):
        remote_gpus.query_remote_gpus(_Engine(client), "ubuntu:22.04")


def test_no_gpu_support_is_a_sentence():
    assert "NVIDIA Container Toolkit" in NO_GPU_SUPPORT
