""" "Check inside" without an engine: the script runs in busybox sh and dash with stub tools on its PATH, and the
parser turns what such scripts print into the findings a user reads, one case per broken link."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from gui.core.engine.gpu_check import (
    ALL_GOOD,
    CHECK_FAILED,
    CPU_ONLY_FRAMEWORK,
    CUDA_TOO_NEW,
    FRAMEWORK_NO_GPU,
    NO_DEVICE,
    NO_DRIVER_LIBRARY,
    NO_SHELL,
    SCRIPT,
    SMI_FAILED,
    GpuCheck,
    read_facts,
    report,
)
from tests.unavailable import unavailable

GPU_LINE = "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee)"
DEVICES = ("device=/dev/nvidia0", "device=/dev/nvidiactl", "device=/dev/nvidia-uvm")
LIBS = ("lib=/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "lib=/usr/lib/x86_64-linux-gnu/libcuda.so.1")


def printed(*lines: str, smi=("smi_exit=0", f"smi={GPU_LINE}"), devices=DEVICES, libs=LIBS, env=(), python=None):
    """What the script prints inside a container: a working GPU set-up unless told otherwise."""
    python = python if python is not None else ("python_exit=missing",)
    env_lines = {"cuda_version": "", "visible_devices": "all", "capabilities": "compute,utility"}
    env_lines.update(dict(item.split("=", 1) for item in env))
    return "\n".join(
        [
            "check=started",
            *devices,
            *smi,
            *libs,
            *(f"{key}={value}" for key, value in env_lines.items()),
            *python,
            *lines,
            "check=done",
        ]
    )


def kinds(found) -> list[str]:
    return [finding.kind for finding in found.findings]


def test_the_command_shown_is_docker_exec_with_one_sh_script_and_no_bash():
    check = GpuCheck("trainer")
    argv = shlex.split(check.command)
    assert argv[:5] == ["docker", "exec", "trainer", "sh", "-c"] and argv[5] == SCRIPT
    assert check.argv() == argv  # what runs is what is shown
    assert "bash" not in SCRIPT and "'" not in SCRIPT and "\n" not in SCRIPT  # one readable line for the panel


def test_a_container_without_a_gpu_device_is_told_to_get_the_toolkit_and_gpus():
    found = report("web", 0, printed(devices=(), smi=("smi_exit=missing",), libs=()), (12, 2))
    assert kinds(found) == [NO_DEVICE]  # the missing libraries follow from it: not a second finding
    sentence = found.findings[0].sentence
    assert "no /dev/nvidia* device and nvidia-smi is not in the image" in sentence
    assert "nvidia-ctk runtime configure" in sentence and "--gpus all" in sentence


def test_nvidia_smi_that_lists_no_gpu_counts_as_no_device():
    smi = ("smi_exit=6", "smi=No devices were found")
    found = report("web", 0, printed(devices=(), smi=smi), (12, 2))
    assert kinds(found) == [NO_DEVICE]
    assert "nvidia-smi lists no GPU" in found.findings[0].sentence


def test_nvidia_visible_devices_void_is_named():
    found = report("web", 0, printed(devices=(), smi=("smi_exit=missing",), env=("visible_devices=void",)), None)
    assert "NVIDIA_VISIBLE_DEVICES is “void”, which asks for no GPU" in found.findings[0].sentence


def test_a_device_whose_nvidia_smi_fails_quotes_its_words():
    smi = ("smi_exit=18", "smi=Failed to initialize NVML: Driver/library version mismatch")
    found = report("web", 0, printed(smi=smi), (12, 2))
    assert kinds(found) == [SMI_FAILED]
    assert "“Failed to initialize NVML: Driver/library version mismatch”" in found.findings[0].sentence


def test_missing_driver_libraries_are_named():
    found = report("web", 0, printed(libs=()), (12, 2))
    assert kinds(found) == [NO_DRIVER_LIBRARY]
    assert "libraries libnvidia-ml.so.1 and libcuda.so.1 are not inside" in found.findings[0].sentence


def test_ldconfig_counts_as_finding_a_library():
    ldconfig = (
        "ldconfig=\tlibnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
        "ldconfig=\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1",
    )
    facts = read_facts(printed(libs=ldconfig))
    assert facts.libraries == {
        "libnvidia-ml.so.1": "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
        "libcuda.so.1": "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
    }
    assert kinds(report("web", 0, printed(libs=ldconfig), (12, 2))) == [ALL_GOOD]


def test_capabilities_without_compute_explain_a_missing_libcuda():
    libs = ("lib=/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",)
    found = report("web", 0, printed(libs=libs, env=("capabilities=utility",)), (12, 2))
    assert kinds(found) == [NO_DRIVER_LIBRARY]
    sentence = found.findings[0].sentence
    assert "library libcuda.so.1 is not inside" in sentence
    assert "NVIDIA_DRIVER_CAPABILITIES is “utility”" in sentence and "compute,utility" in sentence


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(("2.3.0+cpu", "None", "False"), [CPU_ONLY_FRAMEWORK], id="+cpu wheel"),
        pytest.param(("2.3.0", "None", "False"), [CPU_ONLY_FRAMEWORK], id="no CUDA in the build"),
        pytest.param(("2.3.0+cu121", "12.1", "False"), [FRAMEWORK_NO_GPU], id="CUDA build that sees no GPU"),
        pytest.param(("2.3.0+cu121", "12.1", "True"), [ALL_GOOD], id="CUDA build that sees the GPU"),
    ],
)
def test_pytorch_builds(lines, expected):
    python = ("python_exit=0", *(f"python={line}" for line in lines))
    found = report("trainer", 0, printed(python=python), (12, 2))
    assert kinds(found) == expected
    if expected == [CPU_ONLY_FRAMEWORK]:
        sentence = found.findings[0].sentence
        assert f"PyTorch {lines[0]} in this image is a CPU-only build" in sentence
        assert "download.pytorch.org/whl/cu121" in sentence and "supports CUDA up to 12.2" in sentence
    if expected == [ALL_GOOD]:
        assert "PyTorch 2.3.0+cu121 sees the GPU" in found.findings[0].sentence


def test_pytorch_not_installed_is_no_finding_but_a_crashing_import_is():
    missing = ("python_exit=1", "python=ModuleNotFoundError: No module named 'torch'")
    assert kinds(report("web", 0, printed(python=missing), (12, 2))) == [ALL_GOOD]
    crashing = ("python_exit=1", "python=OSError: libcudnn.so.8: cannot open shared object file")
    found = report("web", 0, printed(python=crashing), (12, 2))
    assert kinds(found) == [FRAMEWORK_NO_GPU]
    assert "“OSError: libcudnn.so.8: cannot open shared object file”" in found.findings[0].sentence


def test_an_image_built_for_a_newer_cuda_than_the_driver():
    found = report("trainer", 0, printed(env=("cuda_version=12.4.1",)), (12, 2))
    assert kinds(found) == [CUDA_TOO_NEW]
    sentence = found.findings[0].sentence
    assert "The image is built for CUDA 12.4, but this computer's NVIDIA driver supports CUDA up to 12.2" in sentence
    assert "image built for CUDA 12.2 or older" in sentence
    assert kinds(report("trainer", 0, printed(env=("cuda_version=12.2.0",)), (12, 2))) == [ALL_GOOD]
    assert kinds(report("trainer", 0, printed(env=("cuda_version=12.4.1",)), None)) == [ALL_GOOD]  # driver unknown


def test_pytorch_built_for_a_newer_cuda_than_the_driver():
    python = ("python_exit=0", "python=2.4.0+cu124", "python=12.4", "python=False")
    found = report("trainer", 0, printed(python=python), (12, 2))
    assert kinds(found) == [CUDA_TOO_NEW, FRAMEWORK_NO_GPU]
    assert found.findings[0].sentence.startswith("PyTorch is built for CUDA 12.4")
    assert "The findings above say why" in found.findings[1].sentence


def test_an_image_without_a_shell():
    output = (
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not '
        "found in $PATH: unknown\r\n"
    )
    found = report("distroless", 126, output, (12, 2))
    assert kinds(found) == [NO_SHELL]
    assert "This image has no shell (sh)" in found.findings[0].sentence


def test_a_check_that_did_not_start_or_did_not_finish():
    assert kinds(report("web", 1, "sh: something odd\n", None)) == [CHECK_FAILED]
    assert report("web", 1, "sh: something odd\n", None).findings[0].sentence.endswith("sh: something odd")
    cut = printed().replace("check=done", "")
    assert kinds(report("web", 137, cut, (12, 2)))[-1] == CHECK_FAILED


def test_everything_fine_says_so_and_what_to_look_at_next():
    found = report("trainer", 0, printed(), (12, 2))
    assert kinds(found) == [ALL_GOOD] and not found.problems
    assert "1 GPU visible" in found.findings[0].sentence and '.to("cuda")' in found.findings[0].sentence


# The script itself, in the two shells minimal images have. -----------------------------------------------------

STUB_SMI = '#!/bin/sh\necho "No devices were found"\nexit 6\n'
STUB_PYTHON = "#!/bin/sh\necho 2.3.0+cpu\necho None\necho False\n"


@pytest.mark.parametrize("shell", ["busybox sh", "dash"])
def test_the_script_runs_in_busybox_sh_and_dash(tmp_path, shell):
    program = shutil.which("busybox") if shell == "busybox sh" else shutil.which("dash")
    if program is None:
        unavailable(f"{shell} is not installed (busybox-static and dash are in packaging/setup.sh)")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, text in (("nvidia-smi", STUB_SMI), ("python3", STUB_PYTHON)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    # Only the stubs and the shell's own tools: no ldconfig, no timeout unless busybox provides it.
    argv = [program, "sh", "-c", SCRIPT] if shell == "busybox sh" else [program, "-c", SCRIPT]
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "CUDA_VERSION": "12.4.1", "NVIDIA_VISIBLE_DEVICES": "all"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    facts = read_facts(result.stdout)
    assert facts.started and facts.finished
    assert facts.smi == "6" and facts.smi_lines == ("No devices were found",)
    assert facts.cuda_version == "12.4.1" and facts.visible_devices == "all"
    assert facts.python == "0" and facts.python_lines == ("2.3.0+cpu", "None", "False")
    found = report("here", result.returncode, result.stdout, (12, 2))
    if not Path("/dev/nvidia0").exists():  # this computer's own devices would show through
        assert kinds(found)[0] == NO_DEVICE
    assert CPU_ONLY_FRAMEWORK in kinds(found) and CUDA_TOO_NEW in kinds(found)
