"""Engine errors read as plain sentences; doctor prints one line per check and fails when unusable."""

import json

import docker.errors
import requests
import requests.exceptions

from gui.core.engine import doctor
from gui.core.engine.connection import Diagnosis, Endpoint, EngineInfo, EngineState
from gui.core.errors import ContainerRunning, EngineGone, ImageInUse, NotFound, explain


def api_error(status: int, text: str) -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = status
    return docker.errors.APIError(text, response=response, explanation=text)


def test_image_used_by_stopped_container_offers_force():
    error = explain(
        api_error(
            409,
            'conflict: unable to remove repository reference "x:1" (must force) - '
            "container 1234 is using its referenced image 5678",
        ),
        "remove the image",
    )
    assert isinstance(error, ImageInUse)
    assert error.message.startswith("Could not remove the image: ")
    assert "force" in error.message


def test_image_used_by_running_container_says_stop_first():
    error = explain(
        api_error(
            409, "conflict: unable to delete 5678 (cannot be forced) - image is being used by running container 1234"
        )
    )
    assert isinstance(error, ImageInUse) and "Stop and remove that container" in error.message


def test_removing_running_container():
    error = explain(
        api_error(
            409,
            "You cannot remove a running container abc. Stop the container before attempting removal or force remove",
        )
    )
    assert isinstance(error, ContainerRunning)


def test_not_found_and_connection_loss():
    assert isinstance(explain(api_error(404, "No such container: web")), NotFound)
    gone = explain(requests.exceptions.ConnectionError("Connection aborted"))
    assert isinstance(gone, EngineGone) and "reconnects" in gone.message


def test_unknown_errors_keep_the_engine_words():
    error = explain(api_error(500, "something odd"))
    assert error.message == "something odd" and error.detail == "something odd"


ENDPOINT = Endpoint("unix:///var/run/docker.sock", "default")
INFO = EngineInfo(
    "27.1", "1.46", "Debian", "6.1", "x86_64", 8, 16 * 1024**3, "overlay2", "/var/lib/docker", 2 * 1024**3, None
)


def test_doctor_connected_lists_items_and_flags_low_disk_and_no_gpu():
    diagnosis = Diagnosis(ENDPOINT, EngineState.CONNECTED, info=INFO)
    items = {item.name: item for item in doctor.checks(diagnosis, "Debian / Ubuntu")}
    assert items["engine"].ok and "27.1" in items["engine"].value
    assert not items["data-root free space"].ok and "prune" in items["data-root free space"].fix
    assert not items["GPUs for containers"].ok and "nvidia-ctk" in items["GPUs for containers"].fix
    assert doctor.exit_code(diagnosis) == 0
    text = doctor.render_text(list(items.values()))
    assert "OK " in text and "PROBLEM" in text


def test_doctor_permission_denied_gives_the_group_fix_and_warning():
    diagnosis = Diagnosis(ENDPOINT, EngineState.PERMISSION_DENIED, "Permission denied")
    items = doctor.checks(diagnosis, "Fedora")
    engine = next(item for item in items if item.name == "engine")
    assert not engine.ok
    assert "usermod -aG docker" in engine.fix and "root access" in engine.fix
    assert doctor.exit_code(diagnosis) == 1
    data = json.loads(doctor.render_json(diagnosis, items))
    assert data["state"] == "permission-denied" and data["usable"] is False


def test_doctor_gives_platform_specific_steps():
    diagnosis = Diagnosis(ENDPOINT, EngineState.NOT_RUNNING)
    mac = next(i for i in doctor.checks(diagnosis, "macOS") if i.name == "engine")
    debian = next(i for i in doctor.checks(diagnosis, "Debian / Ubuntu") if i.name == "engine")
    assert "Docker Desktop" in mac.fix and "systemctl start docker" in debian.fix


def test_doctor_reports_the_gpus_or_calmly_their_absence():
    from gui.core.run.gpus import GpuInfo, GpuInventory

    diagnosis = Diagnosis(ENDPOINT, EngineState.CONNECTED, info=INFO)
    none = GpuInventory(
        gpus=(),
        driver_version=None,
        cuda_version=None,
        unavailable_reason="No NVIDIA driver is installed on this computer.",
    )
    item = {i.name: i for i in doctor.checks(diagnosis, "Debian / Ubuntu", gpus=none)}["NVIDIA GPUs"]
    assert item.ok and item.value == "none: No NVIDIA driver is installed on this computer."
    engine_gpus = {i.name: i for i in doctor.checks(diagnosis, "Debian / Ubuntu", gpus=none)}["GPUs for containers"]
    assert engine_gpus.ok and "not needed" in engine_gpus.value  # no GPU: no toolkit needed either
    h100 = GpuInventory(
        gpus=(GpuInfo(0, "NVIDIA H100 80GB HBM3", "GPU-1", 80 * 1024**3),),
        driver_version="550.54.15",
        cuda_version=(12, 4),
        unavailable_reason=None,
    )
    item = {i.name: i for i in doctor.checks(diagnosis, "Debian / Ubuntu", gpus=h100)}["NVIDIA GPUs"]
    assert item.value.startswith("driver 550.54.15, CUDA up to 12.4: 0 · NVIDIA H100 80GB HBM3")
    engine_gpus = {i.name: i for i in doctor.checks(diagnosis, "Debian / Ubuntu", gpus=h100)}["GPUs for containers"]
    assert not engine_gpus.ok and "nvidia-ctk" in engine_gpus.fix  # a GPU, but the engine cannot hand it over
