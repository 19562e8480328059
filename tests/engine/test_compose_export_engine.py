"""An exported compose.yaml, checked by a real Compose implementation (Debian's docker-compose 1.29.2) and brought
up on the real engine: the container answers, and its inspect shows the settings the run asked for."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from gui.core.export.common import differences
from gui.core.export.compose import from_compose, to_compose
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec
from tests.engine import engine_helpers as eh
from tests.unavailable import unavailable

pytestmark = pytest.mark.engine

PAGE = "hello from compose"
# busybox httpd serving one page in the foreground. The `$` must reach the container's shell as it is: the export
# writes it as `$$`, or Compose would fill it in from its own environment.
HTTPD = (
    f"sh -c 'mkdir -p /www && echo \"{PAGE}\" > /www/index.html && echo $$ > /data/pid && exec httpd -f -p 80 -h /www'"
)
SECRET = "hf_ComposeTestSecret0123456789abcdef"
PROJECT_LABEL = "com.docker.compose.project"


def docker_compose(folder: Path, *args: str, host: str = "") -> subprocess.CompletedProcess:
    """docker-compose on the test engine (or `host`), in `folder` (where it finds compose.yaml and .env)."""
    program = shutil.which("docker-compose")
    if program is None:
        unavailable("docker-compose is not installed (apt-get install docker-compose)")
    environment = {**os.environ, "DOCKER_HOST": host or eh.engine_url(), "COMPOSE_INTERACTIVE_NO_CLI": "1"}
    return subprocess.run(
        [program, *args], cwd=folder, env=environment, capture_output=True, text=True, timeout=180, check=False
    )


def fetch(url: str, deadline_s: float = 30) -> str | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            return opener.open(url, timeout=2).read().decode()
        except OSError:
            time.sleep(0.2)
    return None


def project_objects(docker_client, project: str) -> list[str]:
    """Whatever Compose made for `project` that is still on the engine."""
    label = {"label": f"{PROJECT_LABEL}={project}"}
    return [
        *(f"container {c.name}" for c in docker_client.containers.list(all=True, filters=label)),
        *(f"network {n.name}" for n in docker_client.networks.list(filters=label)),
        *(f"volume {v.name}" for v in docker_client.volumes.list(filters=label)),
    ]


def test_an_exported_service_is_valid_compose_and_comes_up_with_the_runs_settings(
    docker_client, busybox_image, test_labels, tmp_path
):
    case = test_labels[eh.CASE_LABEL]
    port, project = eh.free_port(), f"pstest{case}"
    volume = f"{project}-data"
    spec = RunSpec(
        busybox_image,
        command=HTTPD,
        ports=(PortSpec("80", str(port)),),
        env=(EnvVar("GREETING", "hello $USER"), EnvVar("HF_TOKEN", SECRET)),
        mounts=(MountSpec("volume", volume, "/data"),),
        memory="64m",
        cpus="0.5",
        restart="unless-stopped",
        labels=tuple(test_labels.items()),  # the container goes with the test's own clean-up too
    )
    exported = to_compose([("web", spec)], project=project)
    assert SECRET not in exported.text and exported.secrets == ("HF_TOKEN",)
    assert differences(spec, from_compose(exported.text)[0][1]) == []
    (tmp_path / "compose.yaml").write_text(exported.text)
    (tmp_path / ".env").write_text(f"HF_TOKEN={SECRET}\n")  # what the note asks the user to do

    config = docker_compose(tmp_path, "-p", project, "-f", "compose.yaml", "config")
    assert config.returncode == 0, config.stderr

    try:
        # --compatibility: docker-compose 1.x applies deploy.resources.limits only so (docker compose v2 always does)
        up = docker_compose(tmp_path, "--compatibility", "-p", project, "-f", "compose.yaml", "up", "-d")
        assert up.returncode == 0, up.stderr
        assert fetch(f"http://127.0.0.1:{port}/") == PAGE + "\n"

        (container,) = docker_client.containers.list(filters={"label": f"{PROJECT_LABEL}={project}"})
        host = container.attrs["HostConfig"]
        assert host["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
        assert host["Memory"] == 64 * 1024**2 and host["NanoCpus"] == 500_000_000  # the deploy limits applied
        assert host["RestartPolicy"]["Name"] == "unless-stopped"
        environment = container.attrs["Config"]["Env"]
        assert "GREETING=hello $USER" in environment  # the literal $ kept, not filled in by Compose
        assert f"HF_TOKEN={SECRET}" in environment  # the secret came from .env, never from the file
        (mount,) = container.attrs["Mounts"]
        assert (mount["Type"], mount["Name"], mount["Destination"]) == ("volume", volume, "/data")
        pid = container.exec_run(["cat", "/data/pid"]).output.decode().strip()
        assert pid.isdigit()  # `$$` reached the shell as its own `$$`: the shell's process id
    finally:
        down = docker_compose(tmp_path, "-p", project, "-f", "compose.yaml", "down", "-v")
        left = project_objects(docker_client, project)
        eh.remove_labelled(docker_client, f"{PROJECT_LABEL}={project}")  # never leave them, even on failure
    assert down.returncode == 0, down.stderr
    assert left == []
    assert volume not in {v.name for v in docker_client.volumes.list()}


def test_compose_keeps_the_gpu_reservation_it_cannot_run_here(tmp_path):
    """No GPU on a test machine: Compose's own reading of the file must still hold the devices block."""
    services = [
        ("all", RunSpec("cuda", gpus=GpuSpec(GpuMode.ALL))),
        ("two", RunSpec("cuda", gpus=GpuSpec(GpuMode.COUNT, count=2, capabilities=("compute", "utility", "video")))),
        ("chosen", RunSpec("cuda", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "GPU-5c1a")))),
    ]
    (tmp_path / "compose.yaml").write_text(to_compose(services).text)

    config = docker_compose(tmp_path, "-f", "compose.yaml", "config")

    assert config.returncode == 0, config.stderr
    resolved = yaml.safe_load(config.stdout)["services"]
    devices = {name: resolved[name]["deploy"]["resources"]["reservations"]["devices"] for name, _ in services}
    assert devices == {
        "all": [{"capabilities": ["gpu"], "count": "all", "driver": "nvidia"}],
        "two": [{"capabilities": ["gpu", "compute", "utility", "video"], "count": 2, "driver": "nvidia"}],
        "chosen": [{"capabilities": ["gpu"], "device_ids": ["0", "GPU-5c1a"], "driver": "nvidia"}],
    }
    # ...and what Compose resolved (its services in another order) reads back as the same runs.
    read_back = dict(from_compose(config.stdout))
    assert {name: differences(spec, read_back[name]) for name, spec in services} == {name: [] for name, _ in services}


def test_a_gpu_reservation_reaches_an_engine_with_the_nvidia_toolkit(
    gpu_host_engine, nvidia_hook_stub, busybox_image, test_labels, tmp_path
):
    """A private engine with the toolkit's hook (a stub: no GPU here) gives the service its GPUs, as a workstation
    would: the devices block is more than text Compose accepts."""
    project = f"psgpu{test_labels[eh.CASE_LABEL]}"
    spec = RunSpec(
        busybox_image,
        command="sh -c 'echo $NVIDIA_VISIBLE_DEVICES'",
        gpus=GpuSpec(GpuMode.COUNT, count=2),
        labels=tuple(test_labels.items()),
    )
    (tmp_path / "compose.yaml").write_text(to_compose([("gpu", spec)]).text)
    client = gpu_host_engine.client()
    try:
        up = docker_compose(tmp_path, "-p", project, "up", "-d", host=gpu_host_engine.host)
        assert up.returncode == 0, up.stderr
        (container,) = client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
        assert eh.wait_until(lambda: container.reload() or container.status == "exited", 30)
        (request,) = container.attrs["HostConfig"]["DeviceRequests"]
        assert (request["Driver"], request["Count"], request["Capabilities"]) == ("nvidia", 2, [["gpu"]])
        assert container.id in nvidia_hook_stub.container_ids()  # the toolkit's hook ran for it
        assert container.logs().decode().split() == ["0,1"]  # the first two GPUs, through the engine's driver
    finally:
        docker_compose(tmp_path, "-p", project, "down", "-v", host=gpu_host_engine.host)
        left = project_objects(client, project)
        eh.remove_labelled(client, f"{PROJECT_LABEL}={project}")
        client.close()
    assert left == []
