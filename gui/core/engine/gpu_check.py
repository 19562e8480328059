""" "Check inside": why a container given a GPU does not use it, found by one short `docker exec` and said in words.

The exec runs one POSIX sh script (busybox ash and dash alike; no bash, no grep, no tr: minimal images have none) that
prints what it sees as key=value lines; `read_facts` and `findings` turn those lines into sentences, each saying what
is wrong and what to do. The links, from the host inward, each a finding of its own:
- a GPU device: /dev/nvidia* and an nvidia-smi that lists a GPU (the toolkit and `--gpus` put them there);
- the NVIDIA driver's libraries, libnvidia-ml.so.1 and libcuda.so.1 (mounted by the toolkit, per
  NVIDIA_DRIVER_CAPABILITIES);
- a framework built for the GPU: PyTorch reporting a `+cpu` version, or torch.cuda.is_available() False;
- an image's CUDA (its CUDA_VERSION) no newer than the driver's (NVML's nvmlSystemGetCudaDriverVersion).

Blocking (`GpuCheck.run` waits for the exec): a worker runs it, with the time limit TIME_LIMIT_S on the engine's answer.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.core.engine.client import Engine

TIME_LIMIT_S = 30  # the whole exec; each of its two slow steps (nvidia-smi, importing PyTorch) has 12 s

# One complete command per line, so the lines join with "; " into the one-line script the Commands panel shows. No
# single quote anywhere: shlex quotes the whole script in single quotes, and it stays readable that way.
_SCRIPT_LINES = (
    "echo check=started",
    'for d in /dev/nvidia*; do [ -e "$d" ] && echo "device=$d"; done',
    # `timeout SECS` where it works (busybox before 1.30 wanted `timeout -t SECS`; some images have no timeout).
    't=""; timeout 5 true >/dev/null 2>&1 && t="timeout 12"',
    'if command -v nvidia-smi >/dev/null 2>&1; then o=$($t nvidia-smi -L 2>&1); echo "smi_exit=$?"; '
    'printf "%s\\n" "$o" | while IFS= read -r l; do echo "smi=$l"; done; else echo smi_exit=missing; fi',
    "ldconfig -p 2>/dev/null | while IFS= read -r l; do "
    'case "$l" in *libnvidia-ml.so.1*|*libcuda.so.1*) echo "ldconfig=$l";; esac; done',
    'IFS=": "; for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /lib64 /lib '
    "/usr/lib/wsl/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib $LD_LIBRARY_PATH; do "
    'for n in libnvidia-ml.so.1 libcuda.so.1; do [ -e "$d/$n" ] && echo "lib=$d/$n"; done; done; unset IFS',
    'echo "cuda_version=$CUDA_VERSION"; echo "visible_devices=$NVIDIA_VISIBLE_DEVICES"; '
    'echo "capabilities=$NVIDIA_DRIVER_CAPABILITIES"',
    'p=""; for c in python3 python; do command -v $c >/dev/null 2>&1 && p=$c && break; done',
    'if [ -z "$p" ]; then echo python_exit=missing; else o=$($t "$p" -c "import torch;print(torch.__version__);'
    'print(torch.version.cuda);print(torch.cuda.is_available())" 2>&1); echo "python_exit=$?"; '
    'printf "%s\\n" "$o" | while IFS= read -r l; do echo "python=$l"; done; fi',
    "echo check=done",
)
SCRIPT = "; ".join(_SCRIPT_LINES)
LIBRARIES = ("libnvidia-ml.so.1", "libcuda.so.1")

# Kinds of finding, from the host inward; the first problem found is the likeliest cause of the others.
NO_SHELL = "no-shell"
CHECK_FAILED = "check-failed"
NO_DEVICE = "no-device"
SMI_FAILED = "smi-failed"
NO_DRIVER_LIBRARY = "no-driver-library"
CUDA_TOO_NEW = "cuda-too-new"
CPU_ONLY_FRAMEWORK = "cpu-only-framework"
FRAMEWORK_NO_GPU = "framework-no-gpu"
ALL_GOOD = "all-good"

TOOLKIT_FIX = (
    "install the NVIDIA Container Toolkit, run sudo nvidia-ctk runtime configure --runtime=docker and restart Docker, "
    "then run the container again with --gpus all"
)


@dataclass(frozen=True)
class Finding:
    kind: str
    title: str  # a few words: "No GPU device inside"
    sentence: str  # what was found, what it means and what to do
    problem: bool = True


@dataclass(frozen=True)
class InsideFacts:
    """What the script printed, read into fields. A step that printed nothing leaves its default."""

    started: bool = False  # the script began (the image has a shell)
    finished: bool = False  # ... and ran to its last line
    devices: tuple[str, ...] = ()  # /dev/nvidia0, /dev/nvidiactl, ...
    smi: str = ""  # "missing", or nvidia-smi's exit code as text
    smi_lines: tuple[str, ...] = ()
    libraries: dict[str, str] = field(default_factory=dict)  # soname -> where it was found
    cuda_version: str = ""  # the image's CUDA_VERSION, e.g. "12.4.1"
    visible_devices: str = ""
    capabilities: str = ""  # NVIDIA_DRIVER_CAPABILITIES
    python: str = ""  # "missing", or the exit code of the PyTorch probe as text
    python_lines: tuple[str, ...] = ()

    @property
    def gpu_lines(self) -> tuple[str, ...]:
        """nvidia-smi -L's GPUs ("GPU 0: NVIDIA H100 (UUID: GPU-…)"); its MIG lines are indented and not counted."""
        return tuple(line for line in self.smi_lines if line.startswith("GPU "))


def read_facts(output: str) -> InsideFacts:
    """The script's key=value lines as InsideFacts; lines that are not (the engine's own words) are skipped."""
    values: dict[str, list[str]] = {}
    for line in output.splitlines():
        key, equals, value = line.rstrip("\r").partition("=")
        if equals and key.isidentifier():
            values.setdefault(key, []).append(value)

    def last(key: str) -> str:
        return values.get(key, [""])[-1]

    libraries: dict[str, str] = {}
    for line in values.get("ldconfig", []):  # "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/…"
        for soname in LIBRARIES:
            if soname in line:
                libraries.setdefault(soname, line.rpartition("=> ")[2].strip() or soname)
    for path in values.get("lib", []):
        libraries.setdefault(path.rpartition("/")[2], path)
    return InsideFacts(
        started="started" in values.get("check", []),
        finished="done" in values.get("check", []),
        devices=tuple(values.get("device", [])),
        smi=last("smi_exit"),
        smi_lines=tuple(line for line in values.get("smi", []) if line.strip()),
        libraries=libraries,
        cuda_version=last("cuda_version").strip(),
        visible_devices=last("visible_devices").strip(),
        capabilities=last("capabilities").strip(),
        python=last("python_exit"),
        python_lines=tuple(line for line in values.get("python", []) if line.strip()),
    )


def cuda_tuple(text: str) -> tuple[int, int] | None:
    """(12, 4) from "12.4.1" or "12.4"; None for anything else ("None", "")."""
    parts = text.strip().split(".")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return int(parts[0]), int(parts[1])


def _version(cuda: tuple[int, int]) -> str:
    return f"{cuda[0]}.{cuda[1]}"


@dataclass(frozen=True)
class Torch:
    """What the PyTorch probe printed: its version, the CUDA it was built for ("None": none) and whether it sees a
    GPU. None from `torch_of` when there is no Python, no PyTorch or the probe failed."""

    version: str
    cuda: str
    available: bool

    @property
    def cpu_only(self) -> bool:
        return self.version.endswith("+cpu") or cuda_tuple(self.cuda) is None


def torch_of(facts: InsideFacts) -> Torch | None:
    lines = facts.python_lines
    if facts.python != "0" or len(lines) < 3:  # no Python, no torch module (exit 1), or a probe that crashed
        return None
    version, cuda, available = lines[-3:]
    return Torch(version.strip(), cuda.strip(), available.strip() == "True")


def findings(facts: InsideFacts, driver_cuda: tuple[int, int] | None) -> tuple[Finding, ...]:
    """What is wrong inside, the likeliest cause first; one ALL_GOOD finding when nothing is.
    driver_cuda: the newest CUDA this computer's driver supports (NVML), None when unknown."""
    found: list[Finding] = []
    gpus = facts.gpu_lines
    if not facts.devices and not gpus:
        found.append(_no_device(facts))
    elif facts.smi not in ("", "0", "missing") and not gpus:
        last = facts.smi_lines[-1] if facts.smi_lines else f"exit code {facts.smi}"
        found.append(
            Finding(
                SMI_FAILED,
                "nvidia-smi fails inside",
                f"A GPU device is there, but nvidia-smi inside the container fails: “{last}”. This often follows a "
                "driver update or a reload of systemd: restart the container, and reboot this computer if it still "
                "fails.",
            )
        )
    if not found or found[0].kind != NO_DEVICE:  # without a device, missing libraries are no news
        library = _missing_libraries(facts)
        if library is not None:
            found.append(library)
    torch = torch_of(facts)
    too_new = _cuda_too_new(facts, torch, driver_cuda)
    if too_new is not None:
        found.append(too_new)
    framework = _framework(facts, torch, driver_cuda, after_others=bool(found))
    if framework is not None:
        found.append(framework)
    if not found:
        found.append(_all_good(facts, torch))
    return tuple(found)


def _framework(
    facts: InsideFacts, torch: Torch | None, driver_cuda: tuple[int, int] | None, after_others: bool
) -> Finding | None:
    """What PyTorch says: a CPU-only build, a CUDA build that sees no GPU, or an import that fails."""
    if torch is not None and torch.cpu_only:
        supports = f" (this computer's driver supports CUDA up to {_version(driver_cuda)})" if driver_cuda else ""
        return Finding(
            CPU_ONLY_FRAMEWORK,
            "PyTorch is a CPU-only build",
            f"PyTorch {torch.version} in this image is a CPU-only build: it never uses a GPU. Install a CUDA build "
            f"instead, for example pip install torch --index-url https://download.pytorch.org/whl/cu121{supports}.",
        )
    if torch is not None and not torch.available:
        because = " The findings above say why." if after_others else ""
        return Finding(
            FRAMEWORK_NO_GPU,
            "PyTorch sees no GPU",
            f"PyTorch {torch.version}, built for CUDA {torch.cuda}, cannot use a GPU here: "
            f"torch.cuda.is_available() is False.{because}",
        )
    if torch is None and _torch_failed(facts):
        return Finding(
            FRAMEWORK_NO_GPU,
            "PyTorch fails to load",
            f"PyTorch is in the image but fails to load inside the container: “{facts.python_lines[-1]}”.",
        )
    return None


def _torch_failed(facts: InsideFacts) -> bool:
    """The probe ran and failed for another reason than PyTorch not being there at all."""
    if facts.python in ("", "0", "missing") or not facts.python_lines:
        return False
    return "No module named 'torch'" not in facts.python_lines[-1]


def _no_device(facts: InsideFacts) -> Finding:
    smi = "is not in the image" if facts.smi == "missing" else "lists no GPU"
    asked = (
        f" NVIDIA_VISIBLE_DEVICES is “{facts.visible_devices}”, which asks for no GPU."
        if facts.visible_devices in ("void", "none")
        else ""
    )
    return Finding(
        NO_DEVICE,
        "No GPU device inside",
        f"No GPU is visible inside the container: there is no /dev/nvidia* device and nvidia-smi {smi}. It was "
        f"started without a working GPU (the NVIDIA Container Toolkit or --gpus missing).{asked} To fix it, "
        f"{TOOLKIT_FIX}.",
    )


def _missing_libraries(facts: InsideFacts) -> Finding | None:
    missing = [soname for soname in LIBRARIES if soname not in facts.libraries]
    if not missing:
        return None
    capabilities = [part.strip() for part in facts.capabilities.split(",") if part.strip()]
    hint = ""
    if capabilities and "all" not in capabilities and "compute" not in capabilities:
        hint = (
            f" NVIDIA_DRIVER_CAPABILITIES is “{facts.capabilities}”, which leaves the CUDA library out: run it with "
            "-e NVIDIA_DRIVER_CAPABILITIES=compute,utility."
        )
    what = f"library {missing[0]} is" if len(missing) == 1 else f"libraries {' and '.join(missing)} are"
    return Finding(
        NO_DRIVER_LIBRARY,
        "No NVIDIA driver library inside",
        f"The NVIDIA driver's {what} not inside the container (not in ldconfig -p, nor in the usual folders), so "
        "CUDA programs cannot start. The NVIDIA Container Toolkit mounts them from this computer when it starts a "
        f"container given GPUs; this one was not started through it.{hint or f' To fix it, {TOOLKIT_FIX}.'}",
    )


def _cuda_too_new(facts: InsideFacts, torch: Torch | None, driver: tuple[int, int] | None) -> Finding | None:
    if driver is None:
        return None
    for what, wanted in (("The image", cuda_tuple(facts.cuda_version)), ("PyTorch", torch and cuda_tuple(torch.cuda))):
        if wanted is not None and wanted > driver:
            return Finding(
                CUDA_TOO_NEW,
                f"Needs CUDA {_version(wanted)}, the driver has {_version(driver)}",
                f"{what} is built for CUDA {_version(wanted)}, but this computer's NVIDIA driver supports CUDA up to "
                f"{_version(driver)}. CUDA programs may refuse to start (“CUDA driver version is insufficient”): "
                f"update the NVIDIA driver, or use an image built for CUDA {_version(driver)} or older.",
            )
    return None


def _all_good(facts: InsideFacts, torch: Torch | None) -> Finding:
    count = len(facts.gpu_lines) or len([d for d in facts.devices if d.removeprefix("/dev/nvidia").isdigit()])
    gpus = f"{count} GPU{'s' if count != 1 else ''} visible" if count else "a GPU device visible"
    framework = f", and PyTorch {torch.version} sees the GPU" if torch is not None else ""
    return Finding(
        ALL_GOOD,
        "Nothing wrong found inside",
        f"Nothing wrong found inside: {gpus}, the driver's libraries are there{framework}. If the program still does "
        'not use the GPU, it chooses the CPU itself: check its device setting (for PyTorch, .to("cuda")).',
        problem=False,
    )


@dataclass(frozen=True)
class CheckReport:
    container: str
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.problem)

    def text(self) -> str:
        """Every finding as plain text, one paragraph each."""
        return "\n\n".join(finding.sentence for finding in self.findings)


def report(container: str, exit_code: int | None, output: str, driver_cuda: tuple[int, int] | None) -> CheckReport:
    """The findings of one exec: its exit code and output (stdout and stderr together)."""
    facts = read_facts(output)
    if not facts.started:
        lowered = output.lower()
        if exit_code in (126, 127) and ("executable file not found" in lowered or "no such file" in lowered):
            finding = Finding(
                NO_SHELL,
                "No shell in the image",
                "This image has no shell (sh), so Portside cannot look inside it: images built FROM scratch and "
                "distroless images have none. Its GPU request is in docker container inspect (HostConfig, "
                "DeviceRequests); the program's own log may say which device it chose.",
            )
        else:
            words = output.strip().splitlines()[-1] if output.strip() else f"exit code {exit_code}"
            finding = Finding(CHECK_FAILED, "Could not look inside", f"Portside could not look inside: {words}")
        return CheckReport(container, (finding,))
    found = findings(facts, driver_cuda)
    if not facts.finished:
        found += (
            Finding(
                CHECK_FAILED,
                "The check stopped early",
                "The check stopped before its end, so these findings may be incomplete.",
            ),
        )
    return CheckReport(container, found)


@dataclass(frozen=True)
class GpuCheck:
    """`docker exec CONTAINER sh -c SCRIPT`: the command shown is the one that runs."""

    container: str  # its name (or id)
    description = "check the container's GPU use from inside"

    @property
    def exec_argv(self) -> list[str]:
        return ["sh", "-c", SCRIPT]

    def argv(self) -> list[str]:
        return ["docker", "exec", self.container, *self.exec_argv]

    @property
    def command(self) -> str:
        return shlex.join(self.argv())

    def run(self, engine: Engine, driver_cuda: tuple[int, int] | None) -> CheckReport:
        """Blocking: the exec, then its findings. Raises EngineError (the container stopped, the engine is gone, or
        the exec said nothing for TIME_LIMIT_S)."""
        exit_code, output = engine.exec_run(self.container, self.exec_argv, TIME_LIMIT_S)
        return report(self.container, exit_code, output, driver_cuda)
