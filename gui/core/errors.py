"""Engine errors as plain sentences with what to do next. Typed where the view can offer the fix."""

from __future__ import annotations

import re
from collections.abc import Callable


class EngineError(Exception):
    """An error the user can read: what happened, then what to do."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail  # the engine's own words, for the details pane and the log


class NotFound(EngineError):
    pass


class ImageInUse(EngineError):
    """Removing needs force: a container uses the image. The view offers force with a confirmation."""


class ContainerRunning(EngineError):
    """Removing needs force: the container is running."""


class EngineGone(EngineError):
    """The engine stopped answering; the app goes back to its connection screen and retries."""


class EngineNotAnswering(EngineError):
    """The engine took the request and did not answer in time (hung, or far too busy); asking again may work."""


class StreamError(EngineError):
    """An error reported inside a pull/push/build stream (a 200 response with errorDetail)."""


def explain(exc: BaseException, doing: str = "") -> EngineError:
    """Turn anything docker-py raises into an EngineError with a plain sentence."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path
    import requests.exceptions

    if isinstance(exc, EngineError):
        return exc
    prefix = f"Could not {doing}: " if doing else ""
    if isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError)):
        from gui.core.engine.remote_errors import connection_sentence  # a remote engine's TLS refusal

        sentence = (
            connection_sentence(str(exc)) or "the Docker engine stopped answering. Portside reconnects when it is back."
        )
        return EngineGone(f"{prefix}{sentence}", str(exc))
    if isinstance(exc, requests.exceptions.Timeout):
        return EngineNotAnswering(
            f"{prefix}the engine took too long to answer. Try again; if it keeps happening, "
            "check that Docker is healthy (run docker info in a terminal).",
            str(exc),
        )
    if isinstance(exc, docker.errors.APIError):
        return _explain_api_error(exc, prefix)
    if isinstance(exc, docker.errors.DockerException):
        return EngineError(f"{prefix}{exc}", str(exc))
    return EngineError(f"{prefix}{exc}", repr(exc))


def _explain_api_error(exc, prefix: str) -> EngineError:
    text = str(exc.explanation or exc)
    lowered = text.lower()
    status = exc.status_code
    run_error = _explain_run_error(exc, text, prefix)
    if run_error is not None:
        return run_error
    if status == 404:
        return NotFound(f"{prefix}it no longer exists on the engine. The list has been refreshed.", text)
    if status == 409 and (
        "being used by" in lowered
        or "is using its referenced image" in lowered
        or "image has dependent child images" in lowered
    ):
        if "running container" in lowered:
            return ImageInUse(
                f"{prefix}a running container uses this image. Stop and remove that container "
                "first, then remove the image.",
                text,
            )
        return ImageInUse(
            f"{prefix}a container (stopped) still uses this image. Remove the container first, "
            "or force removal, which untags the image and leaves the container as it is.",
            text,
        )
    if status == 409 and "running container" in lowered and "stop" in lowered:
        return ContainerRunning(
            f"{prefix}the container is running. Stop it first, or force removal (which kills it).", text
        )
    if status == 409 and "is not running" in lowered:  # exec, kill, pause... of a stopped container
        return EngineError(f"{prefix}the container is not running. Start it first, then try again.", text)
    if "has active endpoints" in lowered:  # "error while removing network: network NAME id ID has active endpoints"
        return EngineError(
            f"{prefix}containers are still attached to this network. Disconnect them first (docker network "
            "disconnect NETWORK CONTAINER), or remove them, then the network.",
            text,
        )
    if status == 409 and "volume is in use" in lowered:  # "remove NAME: volume is in use - [container id]"
        user = re.search(r"\[([0-9a-f]{12})", text)
        container = user.group(1) if user else "CONTAINER"
        return EngineError(
            f"{prefix}a container uses this volume. Remove that container first (docker rm {container}), then the "
            "volume.",
            text,
        )
    if status == 409 and "already in progress" in lowered:
        return EngineError(f"{prefix}the engine is already doing that. Wait a moment and try again.", text)
    if status == 401 or "unauthorized" in lowered or "authentication required" in lowered:
        return EngineError(f"{prefix}the registry refused access. Sign in to the registry, or check the name.", text)
    if "no space left" in lowered:
        return EngineError(f"{prefix}the disk is full. Remove unused images and containers, then try again.", text)
    if status == 500 and (
        "connection refused" in lowered
        or "no such host" in lowered
        or "dial tcp" in lowered
        or "i/o timeout" in lowered
    ):
        return EngineError(
            f"{prefix}the engine could not reach the registry. Check the address and your "
            "network; a self-hosted registry may need to be added to insecure-registries.",
            text,
        )
    return EngineError(f"{prefix}{text}", text)


# Running a container: what `docker run` settings the engine refused, said in the Run dialog's words. ------------
# Each rule: a pattern searched in the engine's words (case-insensitive), and the sentence built from its match.

_RunRule = tuple[str, Callable[[re.Match[str]], str]]
_RUN_RULE_TABLE: list[_RunRule] = [
    (
        r"(?:(\d+)(?: failed)?: )?(?:port is already allocated|bind: address already in use)",
        lambda m: (
            (f"Port {m.group(1)} on the host" if m.group(1) else "A port on the host")
            + " is already in use. Pick another host port."
        ),
    ),
    (
        r'container name "/?([^"]+)" is already in use by container',
        lambda m: (
            f"The name {m.group(1)} is taken by another container. Choose another name, or remove that container."
        ),
    ),
    # The capabilities are listed in the order the request gave them: [[gpu]], [[compute utility gpu]]...
    (
        r'could not select device driver "[^"]*" with capabilities: \[\[[^\]]*\bgpu\b',
        lambda m: (
            "This engine cannot give GPUs to containers: the NVIDIA Container Toolkit is not set up. Install it "
            "and restart Docker, or run without GPUs."
        ),
    ),
    (
        r"unresolvable cdi devices ?([^\s:,]*)",
        lambda m: (
            "The engine does not know the GPU devices asked for"
            + (f" ({m.group(1)})" if m.group(1) else "")
            + ". Generate NVIDIA's device list (run sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml "
            "in a terminal), or run without GPUs."
        ),
    ),
    (
        r"nvidia-container-cli: device error: ([^:]+): unknown device",
        lambda m: (
            f"There is no GPU {m.group(1).strip()} on this computer. Choose GPUs that exist "
            "(the command nvidia-smi -L lists them)."
        ),
    ),
    (
        r"nvidia-container-cli: requirement error: unsatisfied condition: (cuda\s*>=\s*[\d.]+)",
        lambda m: (
            f"The image needs a newer NVIDIA driver ({m.group(1)}). Update the driver, or pick an image "
            "built for an older CUDA."
        ),
    ),
    (
        r"nvidia-container-cli: initialization error: (?:nvml error: )?([^:\n]+)",
        lambda m: (
            f"The NVIDIA driver could not be used ({m.group(1).strip()}). Check that the command nvidia-smi works on this "
            "computer (a restart after a driver update often fixes it), or run without GPUs."
        ),
    ),
    (
        r"bind source path does not exist: (\S+)",
        lambda m: (
            f"The folder {m.group(1)} does not exist on the host. Create it, or pick an existing folder in Volumes."
        ),
    ),
    (
        r"invalid mount path: '([^']*)' mount path must be absolute",
        lambda m: f"The path {m.group(1)} in Volumes must be absolute: start it with /.",
    ),
    (
        r'"([^"]*)" includes invalid characters for a local volume name',
        lambda m: (
            f"The volume name {m.group(1)} is not valid. Use letters, digits, _ . and - (starting with a letter "
            "or digit), or an absolute folder for a bind mount."
        ),
    ),
    (
        r"duplicate mount point: (\S+)",
        lambda m: f"Two volumes use the path {m.group(1)} in the container. Give each its own path.",
    ),
    (
        r"(?s)mounts? denied:.*?the path (\S+) is not shared",
        lambda m: (
            f"The folder {m.group(1)} is not shared with Docker Desktop. Add it in Docker Desktop under "
            "Settings > Resources > File sharing, then try again."
        ),
    ),
    (
        r"mounts? denied",
        lambda m: (
            "That folder is not shared with Docker Desktop. Add it in Docker Desktop under Settings > "
            "Resources > File sharing, then try again."
        ),
    ),
    (
        r"invalid volume specification: '?([^'\n]*)'?",
        lambda m: (
            f"The volume setting {m.group(1)} is not valid. Use an absolute folder (or a volume name) on the "
            "host and an absolute path in the container."
        ),
    ),
    (
        r"invalid mount config[^:]*: (.+)",
        lambda m: (
            f"The Volumes settings are not valid ({m.group(1).strip()}). Check the source and the path in the "
            "container."
        ),
    ),
    (
        r"minimum memory limit allowed is (\d+) ?mb",
        lambda m: (
            f"The memory limit is too small: Docker needs at least {m.group(1)} MB. Use {m.group(1)}m or more, "
            "for example 512m."
        ),
    ),
    (
        r"range of cpus is from ([\d.]+) to ([\d.]+), as there are only (\d+) cpus",
        lambda m: (
            f"The CPU limit is too high: this engine has {m.group(3)} CPUs. Choose a value from {m.group(1)} "
            f"to {m.group(2)}."
        ),
    ),
    (
        r"range of cpus is from ([\d.]+) to ([\d.]+)",
        lambda m: f"The CPU limit is out of range. Choose a value from {m.group(1)} to {m.group(2)}.",
    ),
    (
        r"shm size can ?not be less than 0",
        lambda m: (
            "The shared memory size must be more than 0. Leave it empty for Docker's default (64 MB), or use "
            "a size like 1g."
        ),
    ),
    (
        r"can't create 'autoremove' container with restart policy|cannot specify both --restart and --rm",
        lambda m: "Remove when stopped (--rm) cannot be combined with a restart policy. Turn one of them off.",
    ),
    (
        r"the working directory '([^']*)' is invalid",
        lambda m: f"The working folder {m.group(1)} must be an absolute path: start it with /.",
    ),
    (
        r"unable to find user ([^:\s]+): no matching entries in passwd file",
        lambda m: (
            f"The user {m.group(1)} does not exist in the image. Use a numeric id such as 1000 (or 1000:1000), "
            "or a user the image has."
        ),
    ),
    (
        r'exec: "([^"]+)": (?:stat [^:]+: )?(?:executable file not found in \$path|no such file or directory)',
        lambda m: (
            f"The program {m.group(1)} is not in the image. Check the command and the entrypoint: the first "
            "word must be a program the image has."
        ),
    ),
]
_RUN_RULES = [(re.compile(pattern, re.IGNORECASE), sentence) for pattern, sentence in _RUN_RULE_TABLE]


def _explain_run_error(exc, text: str, prefix: str) -> EngineError | None:
    """The engine's refusals of `docker run` settings, or None for anything else (which keeps its old handling)."""
    if exc.status_code == 404 and "no such image" in text.lower():
        # Only for creating a container: a 404 image while removing or inspecting means it went away meanwhile.
        request = getattr(getattr(exc, "response", None), "request", None)
        if "/containers/create" in (getattr(request, "url", "") or ""):
            return NotFound(
                _sentence(prefix, "The image is not on this engine. Pull it (Images > Pull) or build it first."), text
            )
        return None
    # Matched regardless of case (engine versions differ: "Range of CPUs" / "range of CPUs"); what is quoted
    # back (paths, names) keeps its case.
    for pattern, sentence in _RUN_RULES:
        match = pattern.search(text)
        if match:
            return EngineError(_sentence(prefix, sentence(match)), text)
    return None


def _sentence(prefix: str, sentence: str) -> str:
    """'Could not start the container: ' + 'Port 80 ...' reads 'Could not start the container: port 80 ...'."""
    if prefix and sentence[:1].isupper() and not sentence[1:2].isupper():
        sentence = sentence[:1].lower() + sentence[1:]
    return f"{prefix}{sentence}"
