"""What the engine says when a run fails, as plain sentences with the fix. The engine texts are copied from a
real dockerd (20.10 and later) and the NVIDIA Container Toolkit."""

from __future__ import annotations

import docker.errors
import pytest
import requests

from gui.core.errors import EngineError, NotFound, explain

CREATE_URL = "http+docker://localhost/v1.41/containers/create?name=web"
START_URL = "http+docker://localhost/v1.41/containers/0123abcd/start"


def api_error(status: int, text: str, url: str = START_URL, method: str = "POST") -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = status
    response.request = requests.Request(method, url).prepare()
    return docker.errors.APIError(text, response=response, explanation=text)


CASES = [
    # (status, the engine's words, what the user reads)
    (
        500,
        (
            "driver failed programming external connectivity on endpoint exciting_fermi (c8da26d1842d): Bind for "
            "127.0.0.1:47123 failed: port is already allocated"
        ),
        "Port 47123 on the host is already in use. Pick another host port.",
    ),
    (
        500,
        (
            "driver failed programming external connectivity on endpoint jolly_merkle (da135db558d9): Error starting "
            "userland proxy: listen tcp4 127.0.0.1:47124: bind: address already in use"
        ),
        "Port 47124 on the host is already in use. Pick another host port.",
    ),
    (
        500,
        (
            "failed to set up container networking: driver failed programming external connectivity on endpoint w "
            "(1f2e): Bind for [::]:8080 failed: port is already allocated"
        ),
        "Port 8080 on the host is already in use. Pick another host port.",
    ),
    (500, "port is already allocated", "A port on the host is already in use. Pick another host port."),
    (
        409,
        (
            'Conflict. The container name "/web" is already in use by container "491262e935201154d95ed56473145acf85e'
            '45dbbb6e914358771468a4d26e2e1". You have to remove (or rename) that container to be able to reuse that '
            "name."
        ),
        "The name web is taken by another container. Choose another name, or remove that container.",
    ),
    (
        500,
        'could not select device driver "" with capabilities: [[gpu]]',
        (
            "This engine cannot give GPUs to containers: the NVIDIA Container Toolkit is not set up. Install it and "
            "restart Docker, or run without GPUs."
        ),
    ),
    # What Portside's own requests get: the capabilities first, then gpu (the CLI's order).
    (
        500,
        'could not select device driver "" with capabilities: [[compute utility gpu]]',
        (
            "This engine cannot give GPUs to containers: the NVIDIA Container Toolkit is not set up. Install it and "
            "restart Docker, or run without GPUs."
        ),
    ),
    (
        500,
        (
            "failed to create shim task: OCI runtime create failed: could not apply required modification to OCI "
            "specification: error modifying OCI spec: failed to inject CDI devices: unresolvable CDI devices "
            "vendor/gpu=all: unknown"
        ),
        (
            "The engine does not know the GPU devices asked for (vendor/gpu=all). Generate NVIDIA's device list (run "
            "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml in a terminal), or run without GPUs."
        ),
    ),
    (
        500,
        (
            "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create "
            "failed: unable to start container process: error during container init: error running hook #0: error "
            "running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
            "nvidia-container-cli: device error: 7: unknown device: unknown"
        ),
        "There is no GPU 7 on this computer. Choose GPUs that exist (the command nvidia-smi -L lists them).",
    ),
    (
        500,
        (
            "OCI runtime create failed: error running hook #0: error running hook: exit status 1, stdout: , stderr: "
            "nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.4, please update your driver to "
            "a newer version, or use an earlier cuda container: unknown"
        ),
        (
            "The image needs a newer NVIDIA driver (cuda>=12.4). Update the driver, or pick an image built for an older "
            "CUDA."
        ),
    ),
    (
        500,
        (
            "error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as "
            "'legacy'\nnvidia-container-cli: initialization error: nvml error: driver not loaded: unknown"
        ),
        (
            "The NVIDIA driver could not be used (driver not loaded). Check that the command nvidia-smi works on this "
            "computer (a restart after a driver update often fixes it), or run without GPUs."
        ),
    ),
    (
        400,
        'invalid mount config for type "bind": bind source path does not exist: /home/me/data',
        "The folder /home/me/data does not exist on the host. Create it, or pick an existing folder in Volumes.",
    ),
    (
        400,
        "invalid mount config for type \"bind\": invalid mount path: 'relative' mount path must be absolute",
        "The path relative in Volumes must be absolute: start it with /.",
    ),
    (
        400,
        (
            'create bad name!: "bad name!" includes invalid characters for a local volume name, only '
            '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'
        ),
        (
            "The volume name bad name! is not valid. Use letters, digits, _ . and - (starting with a letter or digit), "
            "or an absolute folder for a bind mount."
        ),
    ),
    (400, "Duplicate mount point: /data", "Two volumes use the path /data in the container. Give each its own path."),
    (
        500,
        (
            "Mounts denied: \nThe path /opt/models is not shared from the host and is not known to Docker.\nYou can "
            "configure shared paths from Docker -> Preferences... -> Resources -> File Sharing."
        ),
        (
            "The folder /opt/models is not shared with Docker Desktop. Add it in Docker Desktop under Settings > "
            "Resources > File sharing, then try again."
        ),
    ),
    (
        500,
        "mount denied: the source path is not allowed",
        (
            "That folder is not shared with Docker Desktop. Add it in Docker Desktop under Settings > Resources > File "
            "sharing, then try again."
        ),
    ),
    (
        400,
        "invalid volume specification: 'data:/data:zz'",
        (
            "The volume setting data:/data:zz is not valid. Use an absolute folder (or a volume name) on the host and an "
            "absolute path in the container."
        ),
    ),
    (
        400,
        'invalid mount config for type "volume": field BindOptions must not be specified',
        (
            "The Volumes settings are not valid (field BindOptions must not be specified). Check the source and the path "
            "in the container."
        ),
    ),
    (
        400,
        "Minimum memory limit allowed is 6MB",
        "The memory limit is too small: Docker needs at least 6 MB. Use 6m or more, for example 512m.",
    ),
    (
        400,
        "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available",
        "The CPU limit is too high: this engine has 2 CPUs. Choose a value from 0.01 to 2.00.",
    ),
    (
        400,
        "range of CPUs is from 0.01 to 14.00, as there are only 14 CPUs available",
        "The CPU limit is too high: this engine has 14 CPUs. Choose a value from 0.01 to 14.00.",
    ),
    (
        400,
        "SHM size can not be less than 0",
        (
            "The shared memory size must be more than 0. Leave it empty for Docker's default (64 MB), or use a size like "
            "1g."
        ),
    ),
    (
        400,
        "can't create 'AutoRemove' container with restart policy",
        "Remove when stopped (--rm) cannot be combined with a restart policy. Turn one of them off.",
    ),
    (
        400,
        "the working directory 'relative' is invalid, it needs to be an absolute path",
        "The working folder relative must be an absolute path: start it with /.",
    ),
    (
        500,
        "unable to find user nosuchuser: no matching entries in passwd file",
        (
            "The user nosuchuser does not exist in the image. Use a numeric id such as 1000 (or 1000:1000), or a user the "
            "image has."
        ),
    ),
    (
        500,
        (
            "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container "
            'process: exec: "nosuchprogram": executable file not found in $PATH: unknown'
        ),
        (
            "The program nosuchprogram is not in the image. Check the command and the entrypoint: the first word must be "
            "a program the image has."
        ),
    ),
    (
        500,
        (
            'OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/serve.sh":'
            " stat /app/serve.sh: no such file or directory: unknown"
        ),
        (
            "The program /app/serve.sh is not in the image. Check the command and the entrypoint: the first word must "
            "be a program the image has."
        ),
    ),
    (
        500,
        (
            'OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/run": '
            "permission denied: unknown"
        ),
        None,
    ),  # no rule for it: the engine's own words stay
]


@pytest.mark.parametrize("status, text, expected", CASES, ids=[f"case{n}" for n in range(len(CASES))])
def test_run_errors_read_as_sentences_with_the_fix(status, text, expected):
    error = explain(api_error(status, text))
    assert type(error) is EngineError
    assert error.message == (expected if expected is not None else text)
    assert error.detail == text  # the engine's own words stay available for the details pane


def test_the_prefix_joins_the_sentence_in_lower_case():
    error = explain(api_error(500, "Bind for 127.0.0.1:5000 failed: port is already allocated"), "start the container")
    assert (
        error.message == "Could not start the container: port 5000 on the host is already in use. Pick another "
        "host port."
    )
    gpu = explain(api_error(500, "nvidia-container-cli: device error: GPU-zz: unknown device"), "run the container")
    assert gpu.message.startswith("Could not run the container: there is no GPU GPU-zz on this computer.")


def test_a_missing_image_when_creating_says_pull_it():
    error = explain(api_error(404, "No such image: my-ai-app:1", url=CREATE_URL), "run the container")
    assert isinstance(error, NotFound)
    assert error.message == (
        "Could not run the container: the image is not on this engine. Pull it (Images > Pull) or build it first."
    )
    typed = docker.errors.ImageNotFound(
        "No such image: my-ai-app:1",
        response=api_error(404, "", CREATE_URL).response,
        explanation="No such image: my-ai-app:1",
    )
    assert "Pull it (Images > Pull)" in explain(typed).message


def test_a_missing_image_elsewhere_keeps_the_list_refreshed_message():
    # Removing an image that went away meanwhile is not a reason to pull it.
    removing = api_error(
        404, "No such image: my-ai-app:1", url="http+docker://localhost/v1.41/images/my-ai-app:1", method="DELETE"
    )
    error = explain(removing, "remove the image")
    assert isinstance(error, NotFound) and "no longer exists" in error.message
    no_request = requests.Response()
    no_request.status_code = 404
    bare = docker.errors.APIError("No such image: x", response=no_request, explanation="No such image: x")
    assert "no longer exists" in explain(bare).message


def test_the_old_cases_still_hold():
    assert isinstance(explain(api_error(404, "No such container: web")), NotFound)
    assert explain(api_error(500, "something odd")).message == "something odd"
    forbidden = explain(api_error(403, "operation not permitted"))
    assert forbidden.message == "operation not permitted"
