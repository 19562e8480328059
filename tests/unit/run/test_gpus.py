"""GPU inventory and CUDA checks, against the real pynvml talking to the fake libnvidia-ml.so.1 (fake_nvml.c)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pynvml
import pytest

from gui.core.monitor import nvml
from gui.core.run.gpus import (
    GpuInfo,
    GpuInventory,
    cuda_problem,
    describe,
    read_inventory,
    required_cuda,
)
from tests.fakes.fake_nvml import (
    DRIVER_NOT_LOADED,
    GPU_IS_LOST,
    LIB_RM_VERSION_MISMATCH,
    NO_PERMISSION,
    NOT_SUPPORTED,
    FakeGpu,
    GiB,
)

ROOT = Path(__file__).resolve().parents[3]
H100 = FakeGpu(name="NVIDIA H100 80GB HBM3", uuid="GPU-11111111-2222-3333-4444-555555555555", memory_total=80 * GiB)
RTX = FakeGpu(name="NVIDIA GeForce RTX 4090", uuid="GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", memory_total=24 * GiB)


def _inventory(cuda=(12, 2), driver="535.104.05") -> GpuInventory:
    return GpuInventory(gpus=(), driver_version=driver, cuda_version=cuda, unavailable_reason=None)


# ---- no driver ----


def test_a_computer_without_the_driver_library_says_so_plainly_and_finds_the_fake_later(tmp_path):
    # A fresh process: pynvml has never loaded a library. Without one it must report "no driver"; once the fake is
    # loaded, the next call must retry loading (pynvml keeps nvmlLib None after a failure) and find it.
    script = textwrap.dedent(f"""
        import ctypes, os, sys
        try:
            ctypes.CDLL("libnvidia-ml.so.1")
            print("REAL DRIVER")
        except OSError:
            from gui.core.run.gpus import read_inventory
            print(read_inventory().unavailable_reason)
        from tests.fakes import fake_nvml
        fake_nvml.load_fake_nvml(fake_nvml.build_fake_nvml({str(tmp_path)!r}))
        fake_nvml.write_config({str(tmp_path / "gpus.conf")!r}, [fake_nvml.FakeGpu(name="Later GPU")])
        os.environ["FAKE_NVML_CONFIG"] = {str(tmp_path / "gpus.conf")!r}
        from gui.core.run.gpus import read_inventory
        print([gpu.name for gpu in read_inventory().gpus])
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120, cwd=ROOT
    )  # the repository root, where `tests.fakes` is importable
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    if first != "REAL DRIVER":  # a computer with a real driver cannot show the "not installed" case
        assert first == nvml.NO_DRIVER
        assert first.startswith("No NVIDIA driver is installed on this computer")
    assert second == "['Later GPU']"


def test_driver_not_loaded_is_reported_and_nothing_is_listed(fake_nvml):
    inventory = read_inventory()
    assert not inventory.available
    assert inventory.unavailable_reason == nvml.DRIVER_NOT_LOADED
    assert "installed but not running" in inventory.unavailable_reason
    assert (inventory.gpus, inventory.driver_version, inventory.cuda_version) == ((), None, None)
    assert nvml.available() is False


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        (DRIVER_NOT_LOADED, nvml.DRIVER_NOT_LOADED, "Restart the computer"),
        (NO_PERMISSION, nvml.NO_PERMISSION, "/dev/nvidia"),
        (LIB_RM_VERSION_MISMATCH, nvml.VERSION_MISMATCH, "finish the update"),
        (GPU_IS_LOST, nvml.GPU_LOST, "stopped answering"),
        (999, None, "unexpected answer"),
    ],
)
def test_each_init_failure_has_its_own_reason(fake_nvml, code, reason, words):
    fake_nvml.set(gpus=[H100], init_error=code)
    inventory = read_inventory()
    assert inventory.gpus == ()
    assert words in inventory.unavailable_reason
    if reason is not None:
        assert inventory.unavailable_reason == reason
    assert nvml.unavailable_reason() == inventory.unavailable_reason


def test_reasons_are_distinct_sentences():
    reasons = [
        nvml.NO_DRIVER,
        nvml.DRIVER_NOT_LOADED,
        nvml.NO_PERMISSION,
        nvml.VERSION_MISMATCH,
        nvml.GPU_LOST,
        nvml.VALUE_NOT_PERMITTED,
    ]
    assert len(set(reasons)) == len(reasons)
    assert all(reason.endswith(".") and reason[0].isupper() for reason in reasons)


# ---- listing GPUs ----


def test_two_gpus_are_listed_with_names_uuids_and_memory(fake_nvml):
    fake_nvml.set(gpus=[H100, RTX], driver="550.54.15", cuda=12040)
    inventory = read_inventory()
    assert inventory.available and inventory.unavailable_reason is None
    assert inventory.gpus == (
        GpuInfo(
            index=0,
            name="NVIDIA H100 80GB HBM3",
            uuid="GPU-11111111-2222-3333-4444-555555555555",
            memory_total=80 * GiB,
        ),
        GpuInfo(
            index=1,
            name="NVIDIA GeForce RTX 4090",
            uuid="GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            memory_total=24 * GiB,
        ),
    )
    assert inventory.driver_version == "550.54.15"
    assert inventory.cuda_version == (12, 4)
    assert inventory.notes == ()
    # pynvml found the fake by its soname, through its own loading code
    assert pynvml.nvmlLib._handle == fake_nvml.library._handle


def test_a_driver_with_no_gpus_is_available_but_empty(fake_nvml):
    fake_nvml.set(gpus=[])
    inventory = read_inventory()
    assert inventory.available
    assert inventory.gpus == ()


@pytest.mark.parametrize(
    ("number", "expected"), [(12020, (12, 2)), (12040, (12, 4)), (11080, (11, 8)), (10010, (10, 1)), (13000, (13, 0))]
)
def test_cuda_version_comes_from_the_driver(fake_nvml, number, expected):
    fake_nvml.set(gpus=[H100], cuda=number)
    assert read_inventory().cuda_version == expected


def test_cuda_version_unknown_when_the_driver_does_not_say(fake_nvml):
    fake_nvml.set(gpus=[H100], cuda=None)
    inventory = read_inventory()
    assert inventory.available
    assert inventory.cuda_version is None


@pytest.mark.parametrize(
    ("number", "expected"), [(None, None), (0, None), (-1, None), (12020, (12, 2)), (9020, (9, 2))]
)
def test_cuda_version_tuple(number, expected):
    assert nvml.cuda_version_tuple(number) == expected


def test_memory_not_supported_is_none_and_shown_as_na(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(name="NVIDIA GH200 480GB", memory_total=None)])
    (gpu,) = read_inventory().gpus
    assert gpu.memory_total is None
    assert describe(gpu) == "0 · NVIDIA GH200 480GB · n/a"


def test_a_lost_gpu_is_left_out_with_a_note_and_the_others_stay(fake_nvml):
    lost = FakeGpu(name="Broken", errors={"all": GPU_IS_LOST})
    fake_nvml.set(gpus=[H100, lost, RTX])
    inventory = read_inventory()
    assert inventory.available
    assert [gpu.index for gpu in inventory.gpus] == [0, 2]
    assert inventory.notes == (f"GPU 1: {nvml.GPU_LOST}",)


def test_a_gpu_lost_after_its_handle_was_taken_raises_gpu_lost(fake_nvml):
    fake_nvml.set(gpus=[H100, RTX])
    handle = nvml.device_handle(1)
    assert nvml.device_name(handle) == "NVIDIA GeForce RTX 4090"
    fake_nvml.set(gpus=[H100, FakeGpu(errors={"name": GPU_IS_LOST})])
    with pytest.raises(nvml.GpuLost) as raised:
        nvml.device_name(handle)
    assert raised.value.reason == nvml.GPU_LOST
    assert nvml.available()  # one lost GPU does not take NVML down


def test_an_unexpected_error_on_one_gpu_is_a_note(fake_nvml):
    fake_nvml.set(gpus=[H100, FakeGpu(errors={"uuid": 999})])
    inventory = read_inventory()
    assert [gpu.index for gpu in inventory.gpus] == [0]
    (note,) = inventory.notes
    assert note.startswith("GPU 1: The NVIDIA driver gave an unexpected answer")


def test_no_permission_for_one_value_does_not_take_nvml_down(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(temperature=50, errors={"power_usage": NO_PERMISSION})])
    handle = nvml.device_handle(0)
    with pytest.raises(nvml.NvmlError) as raised:
        nvml.power_usage(handle)
    assert not isinstance(raised.value, nvml.NvmlUnavailable)
    assert raised.value.reason == nvml.VALUE_NOT_PERMITTED
    assert nvml.temperature(handle) == 50


def test_a_failing_system_call_makes_the_inventory_unavailable_with_a_reason(fake_nvml):
    fake_nvml.set(gpus=[H100], errors={"count": 999})
    inventory = read_inventory()
    assert not inventory.available
    assert "unexpected answer" in inventory.unavailable_reason


def test_not_supported_values_are_none(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(memory_total=None)], errors={"driver_version": NOT_SUPPORTED})
    handle = nvml.device_handle(0)
    assert nvml.driver_version() is None
    assert nvml.memory_info(handle) is None
    assert nvml.utilization(handle) is None
    assert nvml.temperature(handle) is None
    assert nvml.power_usage(handle) is None
    assert nvml.power_limit(handle) is None
    assert nvml.query("nvmlDeviceGetFanSpeed", handle) is None


def test_a_call_the_driver_lacks_is_none(fake_nvml):
    fake_nvml.set(gpus=[H100])
    handle = nvml.device_handle(0)
    # the fake, like an older driver, has no nvmlDeviceGetBoardPartNumber symbol
    assert nvml.query(pynvml.nvmlDeviceGetBoardPartNumber, handle) is None


# ---- init, shutdown, driver going away ----


def test_nvml_initialises_again_after_shutdown_and_after_a_failed_init(fake_nvml):
    assert not nvml.available()  # failed init
    fake_nvml.set(gpus=[H100])
    assert [g.name for g in read_inventory().gpus] == [H100.name]
    nvml.shutdown()
    nvml.shutdown()  # twice is harmless
    assert [g.name for g in read_inventory().gpus] == [H100.name]


def test_the_driver_going_away_is_reported_and_recovered_from(fake_nvml):
    fake_nvml.set(gpus=[H100])
    assert read_inventory().available
    fake_nvml.driver_not_loaded()
    assert read_inventory().unavailable_reason == nvml.DRIVER_NOT_LOADED
    fake_nvml.set(gpus=[RTX])
    assert [g.name for g in read_inventory().gpus] == [RTX.name]


def test_reset_puts_back_a_computer_without_a_driver(fake_nvml):
    fake_nvml.set(gpus=[H100])
    assert nvml.available()
    fake_nvml.reset()
    assert read_inventory().unavailable_reason == nvml.DRIVER_NOT_LOADED


def test_concurrent_readers_all_see_the_gpus(fake_nvml):
    fake_nvml.set(gpus=[H100, RTX])
    results = []

    def read():
        for _ in range(20):
            results.append(tuple(g.name for g in read_inventory().gpus))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(H100.name, RTX.name)] * 80


# ---- live values (the Monitor page builds on these) ----


def test_live_values_change_between_samples_without_reinitialising(fake_nvml):
    busy = FakeGpu(
        memory_used=30 * GiB,
        memory_reserved=1 * GiB,
        utilization_gpu=10,
        utilization_memory=5,
        temperature=40,
        power_usage=90_500,
        power_limit=700_000,
        processes=((4242, 20 * GiB),),
    )
    fake_nvml.set(gpus=[busy])
    handle = nvml.device_handle(0)
    # the _v2 memory call (versioned struct) worked: "used" leaves out the reserved part
    assert nvml.memory_info(handle) == nvml.MemoryInfo(total=80 * GiB, used=30 * GiB, free=49 * GiB)
    assert nvml.utilization(handle) == nvml.Utilization(gpu=10, memory=5)
    assert nvml.temperature(handle) == 40
    assert nvml.power_usage(handle) == 90.5
    assert nvml.power_limit(handle) == 700.0
    assert nvml.compute_processes(handle) == [nvml.GpuProcess(pid=4242, used_memory=20 * GiB)]

    fake_nvml.set(
        gpus=[
            FakeGpu(
                memory_used=70 * GiB,
                utilization_gpu=97,
                utilization_memory=60,
                temperature=81,
                processes=((4242, 20 * GiB), (5151, 50 * GiB)),
            )
        ]
    )
    assert nvml.memory_info(handle).used == 70 * GiB
    assert nvml.utilization(handle) == nvml.Utilization(gpu=97, memory=60)
    assert nvml.temperature(handle) == 81
    assert [p.pid for p in nvml.compute_processes(handle)] == [4242, 5151]


def test_no_processes_is_an_empty_list(fake_nvml):
    fake_nvml.set(gpus=[H100])
    assert nvml.compute_processes(nvml.device_handle(0)) == []


def test_the_original_memory_call_counts_reserved_memory_as_used(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(memory_total=10 * GiB, memory_used=3 * GiB, memory_reserved=1 * GiB)])
    memory = nvml.query(pynvml.nvmlDeviceGetMemoryInfo, nvml.device_handle(0))
    assert (memory.total, memory.used, memory.free) == (10 * GiB, 4 * GiB, 6 * GiB)


# ---- what an image needs ----


def _image(*env: str) -> dict:
    return {"Config": {"Env": list(env)}}


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (
            _image(
                "NVIDIA_REQUIRE_CUDA=cuda>=12.1 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470",
                "CUDA_VERSION=12.1.0",
            ),
            (12, 1),
        ),
        (_image("NVIDIA_REQUIRE_CUDA=cuda>=11.8", "CUDA_VERSION=12.4.1"), (11, 8)),  # the requirement wins
        (_image("PATH=/usr/bin", "CUDA_VERSION=12.4.1"), (12, 4)),
        (_image("CUDA_VERSION=11.0"), (11, 0)),
        (_image("NVIDIA_REQUIRE_CUDA=brand=tesla", "CUDA_VERSION=10.2.89"), (10, 2)),
        (_image("PATH=/usr/bin", "PYTHON_VERSION=3.11.9"), None),
        (_image("CUDA_VERSION=unknown"), None),
        ({"Config": {"Env": None}}, None),
        ({"Config": None}, None),
        ({}, None),
        (None, None),
    ],
)
def test_required_cuda(image, expected):
    assert required_cuda(image) == expected


def test_cuda_problem_when_the_driver_is_older():
    assert cuda_problem((12, 4), _inventory(cuda=(12, 2), driver="535.104.05")) == (
        "This image needs CUDA 12.4, but the NVIDIA driver (535.104.05) supports CUDA up to 12.2. Update the driver, "
        "or pick an image built for CUDA 12.2 or older."
    )
    assert cuda_problem((12, 0), _inventory(cuda=(11, 8))).startswith("This image needs CUDA 12.0")


@pytest.mark.parametrize(
    ("required", "cuda"), [((12, 2), (12, 2)), ((12, 1), (12, 2)), ((11, 8), (12, 0)), (None, (12, 2)), ((12, 4), None)]
)
def test_no_cuda_problem_when_the_driver_is_new_enough_or_unknown(required, cuda):
    assert cuda_problem(required, _inventory(cuda=cuda)) is None


def test_cuda_problem_without_a_driver_version():
    message = cuda_problem((12, 4), _inventory(cuda=(12, 2), driver=None))
    assert message.startswith("This image needs CUDA 12.4, but the NVIDIA driver supports CUDA up to 12.2.")


def test_describe():
    assert describe(GpuInfo(index=1, name="NVIDIA H100 80GB HBM3", uuid="GPU-1", memory_total=80 * GiB)) == (
        "1 · NVIDIA H100 80GB HBM3 · 80.0 GiB"
    )
