"""The GPUs chosen in the Run dialog's list reach the real engine the same way through the API and the command line:
GPU indexes ("device=0,2", quoted as the CLI's csv reader needs) and a MIG instance's UUID, as `--gpus device=` takes
it. This engine has no NVIDIA runtime, so the containers are only created: the engine stores the request."""

from __future__ import annotations

import pytest

from gui.core.run.spec import GpuMode, GpuSpec, RunSpec
from tests.engine.test_run_agreement import concrete, created_through_api, created_through_cli, settings

pytestmark = pytest.mark.engine

MIG_UUID = "MIG-4f5ae4c3-1111-2222-3333-444444444444"


@pytest.mark.parametrize(
    "device_ids", [("0", "2"), (MIG_UUID,), ("1", MIG_UUID)], ids=["two-gpus", "mig-instance", "gpu-and-instance"]
)
def test_chosen_gpus_reach_the_engine_alike_through_api_and_cli(
    device_ids, docker_client, docker_cli, busybox_image, test_labels
):
    template = RunSpec("", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=device_ids), shm_size="1g")
    spec = concrete(template, busybox_image, test_labels, "", "", "")
    assert spec.errors == []
    through_api, through_cli = (
        created_through_api(docker_client, spec),
        created_through_cli(docker_client, docker_cli, spec),
    )
    assert settings(through_api) == settings(through_cli)
    (request,) = through_cli["HostConfig"]["DeviceRequests"]
    assert request["DeviceIDs"] == list(device_ids)
