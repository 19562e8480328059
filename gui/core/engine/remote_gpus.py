"""A remote engine's GPUs, asked only when the user asks (issue 19).

Portside's own GPU readings (NVML) are of this computer. For an engine elsewhere, the only honest source is the
engine's own computer: one short-lived container started there with `--gpus all` and `nvidia-smi` as its entrypoint
(the NVIDIA Container Toolkit mounts nvidia-smi into any glibc image given GPUs). Its CSV answer becomes rows; every
way it fails becomes a sentence. The query is a frozen spec, so the command shown is the command that ran."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gui.core import log
from gui.core.errors import EngineError, NotFound, explain

logger = log.get("engine")

QUERY_LABEL = "io.portside.helper"  # a crash leftover is findable: docker ps -a --filter label=io.portside.helper=gpus
QUERY_KIND = "gpus"
TIME_LIMIT_S = 60
FIELDS = ("index", "name", "uuid", "memory.used", "memory.total", "utilization.gpu", "temperature.gpu")
NVIDIA_SMI_ARGS = (f"--query-gpu={','.join(FIELDS)}", "--format=csv,noheader,nounits")
# Images that surely have glibc (and are likely there on a GPU box) first; the tiny ones without glibc last.
PREFERRED_WORDS = ("cuda", "pytorch", "nvidia", "tensorflow")
NO_GLIBC_WORDS = ("busybox", "alpine")
EXIT_NOT_FOUND = 127  # a shell's "command not found"


@dataclass(frozen=True)
class RemoteGpu:
    """One GPU of the engine's computer, as nvidia-smi reports it; None where it says [N/A] (MIG, some boards)."""

    index: int
    name: str
    uuid: str | None
    memory_used_mib: int | None
    memory_total_mib: int | None
    utilization_percent: int | None
    temperature_c: int | None


@dataclass(frozen=True)
class GpuQuery:
    """The one container that asks: its `docker run` twin and its engine call come from here."""

    image: str
    labels: Mapping[str, str] = field(default_factory=dict)  # beside Portside's own label (tests add theirs)
    time_limit_s: int = TIME_LIMIT_S

    @property
    def all_labels(self) -> dict[str, str]:
        return {QUERY_LABEL: QUERY_KIND, **self.labels}

    def argv(self) -> list[str]:
        labels = [word for key, value in self.all_labels.items() for word in ("--label", f"{key}={value}")]
        return [
            "docker", "run", "--rm", "--gpus", "all", "--network", "none", *labels,
            "--entrypoint", "nvidia-smi", self.image, *NVIDIA_SMI_ARGS,
        ]  # fmt: skip

    @property
    def command(self) -> str:
        return shlex.join(self.argv())


def choose_image(names: Iterable[str]) -> str | None:
    """The image to ask with: a CUDA/PyTorch/NVIDIA/TensorFlow one if the engine has it (they have glibc), else the
    first that is not busybox or alpine (no glibc, so the toolkit's nvidia-smi cannot run there), else None."""
    usable = [name for name in names if name and "<none>" not in name]
    for name in usable:
        if any(word in name.lower() for word in PREFERRED_WORDS):
            return name
    for name in usable:
        if not any(word in name.lower() for word in NO_GLIBC_WORDS):
            return name
    return None


def parse_nvidia_smi_csv(text: str) -> list[RemoteGpu]:
    """Rows of `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`. Lines that are not a GPU's row (a warning,
    "No devices were found", a MIG note) are left out; a name with a comma in it stays whole."""
    gpus = []
    for line in text.splitlines():
        fields = [part.strip() for part in line.split(",")]
        if len(fields) < len(FIELDS) or not fields[0].isdigit():
            continue
        used, total, utilization, temperature = (_number(value) for value in fields[-4:])
        gpus.append(
            RemoteGpu(
                index=int(fields[0]),
                name=", ".join(fields[1:-5]),
                uuid=None if _missing(fields[-5]) else fields[-5],
                memory_used_mib=used,
                memory_total_mib=total,
                utilization_percent=utilization,
                temperature_c=temperature,
            )
        )
    return gpus


def _missing(value: str) -> bool:
    """nvidia-smi's words for a value it cannot give: [N/A], [Not Supported], [Unknown Error]…"""
    return not value or value.startswith("[") or value.upper() == "N/A"


def _number(value: str) -> int | None:
    if _missing(value):
        return None
    try:
        return round(float(value))
    except ValueError:
        return None


def query_remote_gpus(engine, image: str, labels: Mapping[str, str] | None = None) -> list[RemoteGpu]:
    """Runs the query on the engine (blocking: call it from a worker) and returns its GPUs, or raises an EngineError
    that says what went wrong and what to do. The container is removed whatever happens."""
    query = GpuQuery(image, dict(labels or {}))
    exit_code, output = _run(engine, query)
    logger.info("GPU query on %s with %s: exit %s, %d characters", engine.endpoint.host, image, exit_code, len(output))
    problem = failure_sentence(image, exit_code, output)
    if problem:
        raise EngineError(problem, output.strip())
    return parse_nvidia_smi_csv(output)


def _run(engine, query: GpuQuery) -> tuple[int | None, str]:
    """create, start, wait (within the time limit), logs, remove: `docker run --rm` through docker-py."""
    import docker.types
    import requests.exceptions

    client = engine.new_client(timeout=query.time_limit_s + 10)
    container_id = None
    try:
        host_config = client.create_host_config(
            device_requests=[docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])], network_mode="none"
        )
        created = client.create_container(
            query.image,
            command=list(NVIDIA_SMI_ARGS),
            entrypoint=["nvidia-smi"],
            labels=query.all_labels,
            host_config=host_config,
        )
        container_id = created["Id"]
        client.start(container_id)
        try:
            status = client.wait(container_id, timeout=query.time_limit_s)
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            if not isinstance(exc, requests.exceptions.Timeout) and "timed out" not in str(exc).lower():
                raise
            raise EngineError(
                f"nvidia-smi did not answer within {query.time_limit_s} s on the engine's computer, so Portside "
                "stopped it. Its driver may be busy or hung: run nvidia-smi on that computer to see.",
                str(exc),
            ) from exc
        output = client.logs(container_id, stdout=True, stderr=True)
        return status.get("StatusCode"), output.decode("utf-8", errors="replace")
    except EngineError:
        raise
    except Exception as exc:
        raise _start_error(query.image, exc) from exc
    finally:
        if container_id is not None:
            _remove(client, container_id)
        client.close()


def _remove(client, container_id: str) -> None:
    try:
        client.remove_container(container_id, force=True)
    except Exception as exc:  # the label lets the user find a leftover; the answer matters more
        logger.warning("could not remove the GPU query container %s: %s", container_id[:12], exc)


def _start_error(image: str, exc: Exception) -> EngineError:
    """The engine refused to create or start the container: in words that say which part is missing."""
    text = str(exc)
    problem = failure_sentence(image, None, text)
    if problem:
        return EngineError(problem, text)
    error = explain(exc, "ask the engine's computer for its GPUs")
    if isinstance(error, NotFound) or "no such image" in text.lower():
        return NotFound(
            f"The image {image} is not on the engine. Choose one of its images, or pull one with glibc "
            "(for example ubuntu or a CUDA image) first.",
            text,
        )
    return error


def failure_sentence(image: str, exit_code: int | None, output: str) -> str | None:
    """What went wrong, from the exit code and what nvidia-smi or the engine said; None when it went well."""
    lowered = output.lower()
    if "could not select device driver" in lowered:
        return NO_GPU_SUPPORT
    if (
        exit_code == EXIT_NOT_FOUND
        or "executable file not found" in lowered
        or ("nvidia-smi" in lowered and "no such file or directory" in lowered)
    ):
        return (
            f"The image {image} cannot run nvidia-smi: the NVIDIA Container Toolkit puts it into images that have "
            "glibc, and this one has none (busybox and alpine images lack it). Choose an image such as ubuntu or "
            "a CUDA image, and ask again."
        )
    if "nvidia-smi has failed" in lowered or "couldn't communicate with the nvidia driver" in lowered:
        return (
            "nvidia-smi ran on the engine's computer but could not talk to the NVIDIA driver there. Check the driver "
            "on that computer (run nvidia-smi there; a reboot after a driver update is often what it needs)."
        )
    if "no devices were found" in lowered:
        return "nvidia-smi found no NVIDIA GPU on the engine's computer."
    if exit_code not in (0, None):
        last = output.strip().splitlines()[-1] if output.strip() else "no output"
        return f"nvidia-smi ended with exit code {exit_code} on the engine's computer ({last})."
    return None


NO_GPU_SUPPORT = (
    "This engine cannot give GPUs to containers: docker info shows no NVIDIA runtime or device support. Install the "
    "NVIDIA Container Toolkit on the engine's computer, restart Docker there, and ask again."
)
