"""Build, load and drive the fake libnvidia-ml.so.1 of fake_nvml.c, so the real pynvml talks to "GPUs" in tests.

A loaded library stays for the whole process, so the fake is built and loaded once per session
(`fake_nvml_library`), and the per-test `fake_nvml` fixture hands out a controller and puts everything back
afterwards: no config file (nvmlInit says "driver not loaded", like a computer without a driver), no nvmlInit
remembered, and gui.core.nvml shut down so the next test initialises afresh.

The config file format is described at the top of fake_nvml.c; `write_config` writes it from Python values.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SOURCE = Path(__file__).with_name("fake_nvml.c")
SONAME = "libnvidia-ml.so.1"
CONFIG_VARIABLE = "FAKE_NVML_CONFIG"
GiB = 1024**3

# NVML return codes used by tests (nvml.h)
NOT_SUPPORTED = 3
NO_PERMISSION = 4
DRIVER_NOT_LOADED = 9
GPU_IS_LOST = 15
LIB_RM_VERSION_MISMATCH = 18


@dataclass
class FakeGpu:
    """One fake GPU. A value left at None is "not supported" by this GPU (NVML_ERROR_NOT_SUPPORTED)."""
    name: str = "NVIDIA H100 80GB HBM3"
    uuid: str | None = None                # None: GPU-00000000-0000-0000-0000-00000000000<index>
    memory_total: int | None = 80 * GiB
    memory_used: int | None = None
    memory_reserved: int | None = None
    utilization_gpu: int | None = None     # percent
    utilization_memory: int | None = None  # percent
    temperature: int | None = None         # degrees Celsius
    fan_speed: int | None = None           # percent
    power_usage: int | None = None         # milliwatts
    power_limit: int | None = None         # milliwatts
    processes: tuple[tuple[int, int], ...] = ()           # running compute processes: (pid, bytes used)
    graphics_processes: tuple[tuple[int, int], ...] = ()
    errors: Mapping[str, int] = field(default_factory=dict)   # call -> NVML code, "all" for every call


def build_fake_nvml(directory: Path) -> Path:
    """Compiles fake_nvml.c into directory/libnvidia-ml.so.1 and returns its path."""
    target = Path(directory) / SONAME
    result = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-fPIC", f"-Wl,-soname,{SONAME}",
                             "-o", str(target), str(SOURCE), "-lpthread"], check=False, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"gcc could not build the fake NVML library:\n{result.stderr}")
    return target


def load_fake_nvml(path: Path) -> ctypes.CDLL:
    """Loads the fake so that pynvml's CDLL("libnvidia-ml.so.1") gets it; call before pynvml loads a library."""
    library = ctypes.CDLL(str(path), mode=os.RTLD_GLOBAL)
    import pynvml  # only to check which library pynvml holds; the app itself goes through gui.core.nvml
    if pynvml.nvmlLib is not None and pynvml.nvmlLib._handle != library._handle:
        # A real driver library was loaded earlier in this process (a computer with a GPU): pynvml keeps its
        # handle for good, so point it at the fake, or tests would see the real GPUs.
        from gui.core import nvml
        nvml.shutdown()
        pynvml.nvmlLib = library
        pynvml._nvmlGetFunctionPointer_cache.clear()
    return library


def _processes(pairs: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{pid}:{used}" for pid, used in pairs)


def config_text(gpus: Iterable[FakeGpu] = (), driver: str = "535.104.05", cuda: int | None = 12020,
                init_error: int | None = None, errors: Mapping[str, int] | None = None) -> str:
    """The fake's config for these values; errors: system call ("driver_version", "cuda_version", "count") -> code."""
    gpus = list(gpus)
    lines = [f"driver={driver}", f"gpu_count={len(gpus)}"]
    if cuda is not None:
        lines.append(f"cuda={cuda}")
    if init_error is not None:
        lines.append(f"init_error={init_error}")
    lines += [f"error.{call}={code}" for call, code in (errors or {}).items()]
    for index, gpu in enumerate(gpus):
        values = {
            "name": gpu.name, "uuid": gpu.uuid, "memory_total": gpu.memory_total, "memory_used": gpu.memory_used,
            "memory_reserved": gpu.memory_reserved, "utilization_gpu": gpu.utilization_gpu,
            "utilization_memory": gpu.utilization_memory, "temperature": gpu.temperature,
            "fan_speed": gpu.fan_speed, "power_usage": gpu.power_usage, "power_limit": gpu.power_limit,
            "processes": _processes(gpu.processes) or None,
            "graphics_processes": _processes(gpu.graphics_processes) or None,
        }
        values.update({f"error.{call}": code for call, code in gpu.errors.items()})
        lines += [f"gpu.{index}.{key}={value}" for key, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


def write_config(path: Path, gpus: Iterable[FakeGpu] = (), driver: str = "535.104.05", cuda: int | None = 12020,
                 init_error: int | None = None, errors: Mapping[str, int] | None = None) -> None:
    """Writes the config atomically: the fake re-reads it on every call, maybe from another thread."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(config_text(gpus, driver, cuda, init_error, errors))
    os.replace(partial, path)


class FakeNvml:
    """What a test holds: `.set(...)` describes the GPUs; `.driver_not_loaded()` takes the driver away."""

    def __init__(self, library: ctypes.CDLL, config_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.library = library
        self.config_path = config_path
        self._monkeypatch = monkeypatch

    def set(self, gpus: Iterable[FakeGpu] = (), driver: str = "535.104.05", cuda: int | None = 12020,
            init_error: int | None = None, errors: Mapping[str, int] | None = None) -> None:
        write_config(self.config_path, gpus, driver, cuda, init_error, errors)
        self._monkeypatch.setenv(CONFIG_VARIABLE, str(self.config_path))

    def driver_not_loaded(self) -> None:
        self._monkeypatch.delenv(CONFIG_VARIABLE, raising=False)

    def reset(self) -> None:
        """No driver, nothing initialised, in the fake and in gui.core.nvml."""
        from gui.core import nvml
        self.driver_not_loaded()
        nvml.shutdown()
        self.library.fake_nvml_reset()


@pytest.fixture(scope="session")
def fake_nvml_library(tmp_path_factory) -> ctypes.CDLL:
    """The fake, built with gcc and loaded once for the whole session."""
    if shutil.which("gcc") is None:
        message = "gcc is not installed (bash packaging/setup.sh --test installs it)"
        if os.environ.get("REQUIRE_ENGINE") == "1" or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    os.environ.pop(CONFIG_VARIABLE, None)   # start with "driver not loaded", whatever the shell had
    return load_fake_nvml(build_fake_nvml(tmp_path_factory.mktemp("fake-nvml")))


@pytest.fixture
def fake_nvml(fake_nvml_library, tmp_path, monkeypatch):
    """A controller for the fake; after the test the computer has no driver again."""
    controller = FakeNvml(fake_nvml_library, tmp_path / "fake-nvml.conf", monkeypatch)
    controller.reset()
    try:
        yield controller
    finally:
        controller.reset()
