"""Build, load and drive the fake libnvidia-ml.so.1 of fake_nvml.c, so the real pynvml talks to "GPUs" in tests.

A loaded library stays for the whole process, so the fake is built and loaded once per process
(`fake_nvml_library`), and the per-test `fake_nvml` fixture hands out a controller and puts everything back
afterwards: no config file (nvmlInit says "driver not loaded", like a computer without a driver), no nvmlInit
remembered, and gui.core.monitor.nvml shut down so the next test initialises afresh.

The fake reads a JSON file named by FAKE_NVML_CONFIG (its members are described at the top of fake_nvml.c);
`write_config` writes it from FakeGpu values, `config` gives the same as a dict.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.unavailable import unavailable

SOURCE = Path(__file__).with_name("fake_nvml.c")
SONAME = "libnvidia-ml.so.1"
CONFIG_VARIABLE = "FAKE_NVML_CONFIG"
GiB = 1024**3

# NVML return codes used by tests (nvml.h)
NOT_SUPPORTED = 3
NO_PERMISSION = 4
NOT_FOUND = 6
DRIVER_NOT_LOADED = 9
GPU_IS_LOST = 15
LIB_RM_VERSION_MISMATCH = 18
UNKNOWN = 999


@dataclass(frozen=True)
class ProcessSample:
    """One nvmlProcessUtilizationSample_t: percentages over the driver's last sample period."""

    pid: int
    sm: int = 0
    mem: int = 0
    enc: int = 0
    dec: int = 0
    timestamp: int | None = None  # microseconds; None: "now", so always newer than the caller's last look


@dataclass(frozen=True)
class FakeMig:
    """One MIG instance of a FakeGpu: a slice of it with its own UUID, memory and processes."""

    name: str = "NVIDIA H100 80GB HBM3 MIG 3g.40gb"
    uuid: str | None = None  # None: MIG-<GPU index, 8 digits>-0000-0000-0000-<slot, 12 digits>
    memory_total: int | None = 40 * 1024**3
    memory_used: int | None = None
    processes: tuple[tuple[int, int | None], ...] = ()  # (pid, bytes used), as FakeGpu.processes
    errors: Mapping[str, int] = field(default_factory=dict)


@dataclass
class FakeGpu:
    """One fake GPU. A value left at None is "not supported" by this GPU (NVML_ERROR_NOT_SUPPORTED)."""

    name: str = "NVIDIA H100 80GB HBM3"
    uuid: str | None = None  # None: GPU-00000000-0000-0000-0000-00000000000<index>
    memory_total: int | None = 80 * GiB
    memory_used: int | None = None
    memory_reserved: int | None = None
    utilization_gpu: int | None = None  # percent
    utilization_memory: int | None = None  # percent
    temperature: int | None = None  # degrees Celsius
    fan_speed: int | None = None  # percent
    power_usage: int | None = None  # milliwatts
    power_limit: int | None = None  # milliwatts
    clock_graphics: int | None = None  # MHz
    clock_sm: int | None = None  # MHz
    clock_mem: int | None = None  # MHz
    clock_video: int | None = None  # MHz
    # running processes as (pid, bytes used); bytes None = "not available" (as on Windows WDDM)
    processes: tuple[tuple[int, int | None], ...] = ()
    graphics_processes: tuple[tuple[int, int | None], ...] = ()
    # per-process utilisation samples; None = the GPU does not sample them, () = it does but nothing ran
    process_utilization: tuple[ProcessSample, ...] | None = None
    errors: Mapping[str, int] = field(default_factory=dict)  # call -> NVML code, "all" for every call
    mig_mode: int | None = None  # None: a GPU without MIG; 1: split into the instances below; 0: MIG off
    max_mig_devices: int | None = None  # None: 7 where mig_mode is given
    mig_devices: tuple[FakeMig | None, ...] = ()  # by slot; None is an empty slot


_MEASUREMENTS = (
    "name",
    "uuid",
    "memory_total",
    "memory_used",
    "memory_reserved",
    "utilization_gpu",
    "utilization_memory",
    "temperature",
    "fan_speed",
    "power_usage",
    "power_limit",
    "clock_graphics",
    "clock_sm",
    "clock_mem",
    "clock_video",
)


def build_fake_nvml(directory: Path) -> Path:
    """Compiles fake_nvml.c into directory/libnvidia-ml.so.1 and returns its path."""
    target = Path(directory) / SONAME
    result = subprocess.run(
        [
            "gcc",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-O2",
            "-shared",
            "-fPIC",
            f"-Wl,-soname,{SONAME}",
            "-o",
            str(target),
            str(SOURCE),
            "-lpthread",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"gcc could not build the fake NVML library:\n{result.stderr}")
    return target


def load_fake_nvml(path: Path) -> ctypes.CDLL:
    """Loads the fake so that pynvml's CDLL("libnvidia-ml.so.1") gets it; call before pynvml loads a library."""
    library = ctypes.CDLL(str(path), mode=os.RTLD_GLOBAL)
    import pynvml  # only to check which library pynvml holds; the app itself goes through gui.core.monitor.nvml

    if pynvml.nvmlLib is not None and pynvml.nvmlLib._handle != library._handle:
        # A real driver library was loaded earlier in this process (a computer with a GPU): pynvml keeps its
        # handle for good, so point it at the fake, or tests would see the real GPUs.
        from gui.core.monitor import nvml

        nvml.shutdown()
        pynvml.nvmlLib = library
        pynvml._nvmlGetFunctionPointer_cache.clear()
    return library


def _processes(pairs: Iterable[tuple[int, int | None]]) -> list[dict]:
    return [{"pid": pid, "used_memory": used} for pid, used in pairs]


def _gpu_config(gpu: FakeGpu) -> dict:
    values: dict = {name: getattr(gpu, name) for name in _MEASUREMENTS if getattr(gpu, name) is not None}
    if gpu.processes:
        values["processes"] = _processes(gpu.processes)
    if gpu.graphics_processes:
        values["graphics_processes"] = _processes(gpu.graphics_processes)
    if gpu.process_utilization is not None:
        values["process_utilization"] = [
            {key: value for key, value in vars(sample).items() if value is not None}
            for sample in gpu.process_utilization
        ]
    if gpu.errors:
        values["errors"] = dict(gpu.errors)
    if gpu.mig_mode is not None:
        values["mig_mode"] = gpu.mig_mode
    if gpu.max_mig_devices is not None:
        values["max_mig_devices"] = gpu.max_mig_devices
    if gpu.mig_devices:
        values["mig_devices"] = [None if mig is None else _mig_config(mig) for mig in gpu.mig_devices]
    return values


def _mig_config(mig: FakeMig) -> dict:
    values: dict = {
        name: getattr(mig, name)
        for name in ("name", "uuid", "memory_total", "memory_used")
        if getattr(mig, name) is not None
    }
    if mig.processes:
        values["processes"] = _processes(mig.processes)
    if mig.errors:
        values["errors"] = dict(mig.errors)
    return values


def config(
    gpus: Iterable[FakeGpu] = (),
    driver: str = "535.104.05",
    cuda: int | None = 12020,
    init_error: int | None = None,
    errors: Mapping[str, int] | None = None,
) -> dict:
    """The fake's config for these values; errors: system call ("driver_version", "cuda_version", "count") -> code."""
    document: dict = {"driver": driver}
    if cuda is not None:
        document["cuda"] = cuda
    if init_error is not None:
        document["init_error"] = init_error
    if errors:
        document["errors"] = dict(errors)
    document["gpus"] = [_gpu_config(gpu) for gpu in gpus]
    return document


def config_text(
    gpus: Iterable[FakeGpu] = (),
    driver: str = "535.104.05",
    cuda: int | None = 12020,
    init_error: int | None = None,
    errors: Mapping[str, int] | None = None,
) -> str:
    """The config as the JSON text the fake reads."""
    return json.dumps(config(gpus, driver, cuda, init_error, errors), indent=1) + "\n"


def write_config(
    path: Path,
    gpus: Iterable[FakeGpu] = (),
    driver: str = "535.104.05",
    cuda: int | None = 12020,
    init_error: int | None = None,
    errors: Mapping[str, int] | None = None,
) -> None:
    """Writes the config atomically: the fake re-reads it on every call, maybe from another thread."""
    write_text(path, config_text(gpus, driver, cuda, init_error, errors))


def write_text(path: Path, text: str) -> None:
    """Writes any config text atomically (a hand-written JSON document, or a broken one on purpose)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


class FakeNvml:
    """What a test holds: `.set(...)` describes the GPUs; `.driver_not_loaded()` takes the driver away;
    `.not_installed()` takes the library itself away."""

    def __init__(self, library: ctypes.CDLL, config_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.library = library
        self.config_path = config_path
        self._monkeypatch = monkeypatch

    def set(
        self,
        gpus: Iterable[FakeGpu] = (),
        driver: str = "535.104.05",
        cuda: int | None = 12020,
        init_error: int | None = None,
        errors: Mapping[str, int] | None = None,
    ) -> None:
        write_config(self.config_path, gpus, driver, cuda, init_error, errors)
        self._point_at_config()

    def set_text(self, text: str) -> None:
        """A config written by hand (JSON text), for what FakeGpu cannot say."""
        write_text(self.config_path, text)
        self._point_at_config()

    def _point_at_config(self) -> None:
        # Only when it changes: setenv while a sampler thread is inside the fake's getenv corrupts memory
        # (glibc's environment is not thread-safe). Later changes rewrite the file, which the fake re-reads.
        if os.environ.get(CONFIG_VARIABLE) != str(self.config_path):
            self._monkeypatch.setenv(CONFIG_VARIABLE, str(self.config_path))

    def driver_not_loaded(self) -> None:
        self._monkeypatch.delenv(CONFIG_VARIABLE, raising=False)

    def not_installed(self) -> None:
        """No libnvidia-ml.so.1 at all, as on a computer that never had the driver: pynvml's loader finds nothing.

        pynvml keeps its library for good once loaded, so this forgets it and makes loading fail until
        `installed()` (or the end of the test)."""
        import pynvml

        from gui.core.monitor import nvml

        nvml.shutdown()

        def no_library(name, *args, **kwargs):
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")

        self._monkeypatch.setattr(pynvml, "nvmlLib", None)
        self._monkeypatch.setattr(pynvml, "CDLL", no_library)

    def installed(self) -> None:
        """Undoes not_installed(): the next NVML call loads the fake again."""
        import pynvml

        self._monkeypatch.setattr(pynvml, "CDLL", ctypes.CDLL)

    def reset(self) -> None:
        """No driver, nothing initialised, in the fake and in gui.core.monitor.nvml."""
        from gui.core.monitor import gpu as gpu_stats
        from gui.core.monitor import nvml

        self.driver_not_loaded()
        nvml.shutdown()
        self.library.fake_nvml_reset()
        gpu_stats.reset()  # no GPU names or process samples carried over from another test


_loaded: ctypes.CDLL | None = None  # one build and load per process, whichever conftest asks first


@pytest.fixture(scope="session")
def fake_nvml_library(tmp_path_factory) -> ctypes.CDLL:
    """The fake, built with gcc and loaded once for the whole session."""
    global _loaded
    if _loaded is None:
        if shutil.which("gcc") is None:
            unavailable("gcc is not installed (bash packaging/setup.sh --test installs it)")
        os.environ.pop(CONFIG_VARIABLE, None)  # start with "driver not loaded", whatever the shell had
        _loaded = load_fake_nvml(build_fake_nvml(tmp_path_factory.mktemp("fake-nvml")))
    return _loaded


@pytest.fixture
def fake_nvml(fake_nvml_library, tmp_path, monkeypatch):
    """A controller for the fake; after the test the computer has no driver again."""
    controller = FakeNvml(fake_nvml_library, tmp_path / "fake-nvml.json", monkeypatch)
    controller.reset()
    try:
        yield controller
    finally:
        controller.reset()
