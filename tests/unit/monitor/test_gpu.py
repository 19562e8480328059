"""Live GPU sampling (gui.core.monitor.gpu and the nvml calls under it), through the real pynvml and the fake driver."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from gui.core.monitor import nvml
from gui.core.monitor.gpu import COMPUTE, GRAPHICS, GpuProcessUse, GpuSample, sample_gpus
from tests.fakes.fake_nvml import (
    DRIVER_NOT_LOADED,
    GPU_IS_LOST,
    LIB_RM_VERSION_MISMATCH,
    NO_PERMISSION,
    FakeGpu,
    GiB,
    ProcessSample,
)

H100_UUID = "GPU-11111111-2222-3333-4444-555555555555"
RTX_UUID = "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def busy_h100(**changes) -> FakeGpu:
    gpu = FakeGpu(
        name="NVIDIA H100 80GB HBM3",
        uuid=H100_UUID,
        memory_total=80 * GiB,
        memory_used=30 * GiB,
        memory_reserved=1 * GiB,
        utilization_gpu=97,
        utilization_memory=41,
        temperature=66,
        fan_speed=None,
        power_usage=612_345,
        power_limit=700_000,
        clock_sm=1980,
        clock_mem=2619,
        processes=((4242, 20 * GiB), (5151, 10 * GiB)),
        process_utilization=(ProcessSample(pid=4242, sm=70, mem=30), ProcessSample(pid=5151, sm=25)),
    )
    return replace(gpu, **changes)


def desktop_rtx(**changes) -> FakeGpu:
    gpu = FakeGpu(
        name="NVIDIA GeForce RTX 4090",
        uuid=RTX_UUID,
        memory_total=24 * GiB,
        memory_used=2 * GiB,
        utilization_gpu=5,
        utilization_memory=3,
        temperature=41,
        fan_speed=30,
        power_usage=35_000,
        power_limit=450_000,
        clock_sm=210,
        clock_mem=405,
        graphics_processes=((1234, 512 * 1024**2),),
    )
    return replace(gpu, **changes)


# ---- two GPUs, every value ----


def test_two_gpus_are_sampled_with_every_value(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx()], driver="550.54.15", cuda=12040)
    before = time.time()
    snapshot = sample_gpus()
    assert before <= snapshot.time <= time.time()
    assert snapshot.available and snapshot.unavailable_reason is None
    assert snapshot.driver_version == "550.54.15"
    assert snapshot.cuda_version == (12, 4)
    h100, rtx = snapshot.gpus
    assert h100 == GpuSample(
        index=0,
        name="NVIDIA H100 80GB HBM3",
        uuid=H100_UUID,
        utilization=97.0,
        memory_utilization=41.0,
        memory_used=30 * GiB,
        memory_total=80 * GiB,
        temperature=66,
        power_draw=612.345,
        power_limit=700.0,
        fan=None,
        sm_clock=1980,
        memory_clock=2619,
        processes=(
            GpuProcessUse(
                pid=4242, gpu_index=0, gpu_uuid=H100_UUID, used_memory=20 * GiB, kind=COMPUTE, sm_percent=70.0
            ),
            GpuProcessUse(
                pid=5151, gpu_index=0, gpu_uuid=H100_UUID, used_memory=10 * GiB, kind=COMPUTE, sm_percent=25.0
            ),
        ),
    )
    assert h100.memory_percent == 37.5
    assert not h100.lost and h100.problem is None
    assert (rtx.index, rtx.name, rtx.uuid, rtx.fan, rtx.sm_clock, rtx.memory_clock) == (
        1,
        "NVIDIA GeForce RTX 4090",
        RTX_UUID,
        30,
        210,
        405,
    )
    # this card does not sample per process: the SM share is unknown, not 0
    assert rtx.processes == (
        GpuProcessUse(
            pid=1234, gpu_index=1, gpu_uuid=RTX_UUID, used_memory=512 * 1024**2, kind=GRAPHICS, sm_percent=None
        ),
    )


def test_values_change_between_samples(fake_nvml):
    fake_nvml.set(gpus=[busy_h100()])
    assert sample_gpus().gpus[0].temperature == 66
    fake_nvml.set(gpus=[busy_h100(temperature=83, utilization_gpu=12, processes=())])
    (gpu,) = sample_gpus().gpus
    assert (gpu.temperature, gpu.utilization, gpu.processes) == (83, 12.0, ())


def test_not_supported_values_are_none(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(name="NVIDIA GH200 480GB", memory_total=None)], cuda=None)
    snapshot = sample_gpus()
    assert snapshot.available and snapshot.cuda_version is None
    (gpu,) = snapshot.gpus
    assert gpu.name == "NVIDIA GH200 480GB"
    assert gpu.uuid == "GPU-00000000-0000-0000-0000-000000000000"
    for value in (
        "utilization",
        "memory_utilization",
        "memory_used",
        "memory_total",
        "temperature",
        "power_draw",
        "power_limit",
        "fan",
        "sm_clock",
        "memory_clock",
        "memory_percent",
    ):
        assert getattr(gpu, value) is None, value
    assert gpu.processes == ()
    assert not gpu.lost


def test_a_value_this_user_may_not_read_is_none_and_the_rest_shows(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(errors={"power_usage": NO_PERMISSION, "clock": 999})])
    (gpu,) = sample_gpus().gpus
    assert (gpu.power_draw, gpu.sm_clock, gpu.memory_clock) == (None, None, None)
    assert (gpu.temperature, gpu.power_limit, gpu.lost) == (66, 700.0, False)


def test_memory_the_driver_cannot_attribute_is_none(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(processes=((77, None),))])
    (process,) = sample_gpus().gpus[0].processes
    assert process.used_memory is None


def test_a_process_in_both_lists_is_listed_once_as_compute(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(processes=((77, 1 * GiB),), graphics_processes=((77, 3 * GiB), (78, 5)))])
    processes = sample_gpus().gpus[0].processes
    assert [(p.pid, p.kind, p.used_memory) for p in processes] == [(77, COMPUTE, 3 * GiB), (78, GRAPHICS, 5)]


# ---- per-process utilisation ----


def test_process_utilisation_uses_the_newest_sample_and_the_last_seen_time_stamp(fake_nvml):
    samples = (
        ProcessSample(pid=10, sm=20, timestamp=1_000),
        ProcessSample(pid=10, sm=60, timestamp=2_000),
        ProcessSample(pid=11, sm=5, timestamp=1_500),
    )
    fake_nvml.set(gpus=[FakeGpu(processes=((10, 1), (11, 1), (12, 1)), process_utilization=samples)])
    sm = {p.pid: p.sm_percent for p in sample_gpus().gpus[0].processes}
    assert sm == {10: 60.0, 11: 5.0, 12: 0.0}  # 12 ran nothing: the GPU samples per process, so 0, not unknown

    # Nothing newer than 2000 µs: the driver answers "not found"; the last values hold for two more calls ...
    for _ in range(2):
        assert {p.pid: p.sm_percent for p in sample_gpus().gpus[0].processes} == sm
    # ... then the processes count as idle.
    assert {p.pid: p.sm_percent for p in sample_gpus().gpus[0].processes} == {10: 0.0, 11: 0.0, 12: 0.0}

    fake_nvml.set(
        gpus=[
            FakeGpu(
                processes=((10, 1), (11, 1), (12, 1)),
                process_utilization=samples + (ProcessSample(pid=12, sm=90, timestamp=2_500),),
            )
        ]
    )
    assert {p.pid: p.sm_percent for p in sample_gpus().gpus[0].processes} == {10: 0.0, 11: 0.0, 12: 90.0}


def test_nvml_process_utilisation_calls(fake_nvml):
    fake_nvml.set(
        gpus=[
            FakeGpu(process_utilization=(ProcessSample(pid=3, sm=40, mem=20, enc=1, dec=2, timestamp=5_000),)),
            FakeGpu(process_utilization=()),
            FakeGpu(),
        ]
    )
    supported, idle, unsupported = (nvml.device_handle(index) for index in range(3))
    assert nvml.process_utilization(supported) == [
        nvml.ProcessUtilization(pid=3, timestamp=5_000, sm=40, memory=20, encoder=1, decoder=2)
    ]
    assert nvml.process_utilization(supported, 4_999) != []
    assert nvml.process_utilization(supported, 5_000) == []  # nothing newer: "not found" means idle
    assert nvml.process_utilization(idle) == []
    assert nvml.process_utilization(unsupported) is None


def test_nvml_fan_clocks_and_graphics_processes(fake_nvml):
    fake_nvml.set(gpus=[desktop_rtx(), FakeGpu()])
    rtx, bare = nvml.device_handle(0), nvml.device_handle(1)
    assert (nvml.fan_speed(rtx), nvml.sm_clock(rtx), nvml.memory_clock(rtx)) == (30, 210, 405)
    assert nvml.graphics_processes(rtx) == [nvml.GpuProcess(pid=1234, used_memory=512 * 1024**2)]
    assert (nvml.fan_speed(bare), nvml.sm_clock(bare), nvml.memory_clock(bare)) == (None, None, None)
    assert nvml.graphics_processes(bare) == []


# ---- a lost GPU ----


def test_a_lost_gpu_is_shown_as_lost_with_its_last_known_name_and_the_others_stay(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx()])
    assert not any(gpu.lost for gpu in sample_gpus().gpus)

    fake_nvml.set(gpus=[busy_h100(), desktop_rtx(errors={"all": GPU_IS_LOST})])
    h100, rtx = sample_gpus().gpus
    assert not h100.lost and h100.temperature == 66
    assert rtx.lost
    assert (rtx.index, rtx.name, rtx.uuid) == (1, "NVIDIA GeForce RTX 4090", RTX_UUID)
    assert rtx.problem == nvml.GPU_LOST
    assert (rtx.utilization, rtx.memory_used, rtx.temperature, rtx.processes) == (None, None, None, ())
    assert nvml.available()  # one lost GPU does not take NVML down

    # the card comes back (after a reset): sampling resumes
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx()])
    rtx = sample_gpus().gpus[1]
    assert not rtx.lost and rtx.fan == 30 and rtx.problem is None


def test_a_gpu_lost_in_the_middle_of_a_sample_is_lost(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(errors={"temperature": GPU_IS_LOST})])
    (gpu,) = sample_gpus().gpus
    assert gpu.lost and gpu.name == "NVIDIA H100 80GB HBM3" and gpu.utilization is None


def test_a_gpu_lost_before_its_first_sample_gets_a_plain_name(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(), FakeGpu(errors={"handle": GPU_IS_LOST})])
    lost = sample_gpus().gpus[1]
    assert (lost.lost, lost.name, lost.uuid) == (True, "GPU 1", "")


def test_a_gpu_that_gives_an_unexpected_answer_is_shown_without_numbers(fake_nvml):
    fake_nvml.set(gpus=[FakeGpu(errors={"name": 999})])
    (gpu,) = sample_gpus().gpus
    assert not gpu.lost
    assert gpu.problem.startswith("The NVIDIA driver gave an unexpected answer")
    assert gpu.utilization is None


# ---- no driver, driver going away and coming back ----


def test_driver_not_loaded_gives_one_calm_sentence(fake_nvml):
    snapshot = sample_gpus()
    assert not snapshot.available
    assert snapshot.unavailable_reason == nvml.DRIVER_NOT_LOADED
    assert (snapshot.gpus, snapshot.driver_version, snapshot.cuda_version) == ((), None, None)


def test_nvml_missing_entirely_says_no_driver_is_installed_and_an_install_is_found_later(fake_nvml):
    fake_nvml.not_installed()
    snapshot = sample_gpus()
    assert snapshot.unavailable_reason == nvml.NO_DRIVER
    assert snapshot.unavailable_reason.startswith("No NVIDIA driver is installed on this computer")
    assert snapshot.gpus == ()

    fake_nvml.installed()  # the user installs the driver; Portside keeps running
    fake_nvml.set(gpus=[busy_h100()])
    assert [gpu.name for gpu in sample_gpus().gpus] == ["NVIDIA H100 80GB HBM3"]


def test_sampling_resumes_after_a_driver_reload(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx()])
    assert len(sample_gpus().gpus) == 2

    fake_nvml.driver_not_loaded()  # the module is unloaded ...
    assert sample_gpus().unavailable_reason == nvml.DRIVER_NOT_LOADED
    fake_nvml.set(gpus=[busy_h100()], init_error=LIB_RM_VERSION_MISMATCH)  # ... a new one half installed ...
    assert sample_gpus().unavailable_reason == nvml.VERSION_MISMATCH
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx()], driver="550.54.15")  # ... and loaded
    snapshot = sample_gpus()
    assert snapshot.available and snapshot.driver_version == "550.54.15"
    assert [gpu.uuid for gpu in snapshot.gpus] == [H100_UUID, RTX_UUID]


def test_the_driver_failing_between_two_gpus_makes_the_snapshot_unavailable(fake_nvml):
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx(errors={"uuid": DRIVER_NOT_LOADED})])
    snapshot = sample_gpus()
    assert snapshot.gpus == () and snapshot.unavailable_reason == nvml.DRIVER_NOT_LOADED
    fake_nvml.set(gpus=[busy_h100(), desktop_rtx()])
    assert len(sample_gpus().gpus) == 2


def test_a_failing_system_call_is_an_unavailable_snapshot(fake_nvml):
    fake_nvml.set(gpus=[busy_h100()], errors={"count": 999})
    snapshot = sample_gpus()
    assert snapshot.gpus == ()
    assert "unexpected answer" in snapshot.unavailable_reason


# ---- the fake's JSON config itself ----


def test_the_fake_reads_hand_written_json_with_escapes(fake_nvml):
    fake_nvml.set_text("""
      { "driver" : "560.28.03", "cuda": 12060, "unknown member": [true, false, null, -1.5e3, {"x": []}],
        "gpus": [ {"name": "Caf\\u00e9 \\"GPU\\" \\ud83d\\ude80", "memory_total": 85899345920,
                   "memory_used": 1e3, "temperature": null,
                   "processes": [{"pid": 9, "used_memory": 18446744073709551614}]} ] }
    """)
    snapshot = sample_gpus()
    assert snapshot.driver_version == "560.28.03" and snapshot.cuda_version == (12, 6)
    (gpu,) = snapshot.gpus
    assert gpu.name == 'Café "GPU" 🚀'
    assert (gpu.memory_total, gpu.memory_used, gpu.temperature) == (80 * GiB, 1000, None)
    assert gpu.processes[0].used_memory == 18446744073709551614


@pytest.mark.parametrize(
    "text", ["{", '{"gpus": [1,]}', '{"driver": "x" "cuda": 1}', "[]", '{"a": tru}', '{"a": "\\x"}', "{} extra"]
)
def test_a_config_that_is_not_json_is_an_unexpected_answer(fake_nvml, capfd, text):
    fake_nvml.set_text(text)
    snapshot = sample_gpus()
    assert "unexpected answer" in snapshot.unavailable_reason
    assert "is not valid JSON" in capfd.readouterr().err


# ---- the log: sampled every second, problems are said once ----


def test_problems_are_logged_once_per_change_not_every_tick(fake_nvml, caplog):
    caplog.set_level("INFO", logger="portside")
    for _ in range(3):
        sample_gpus()  # no driver
    fake_nvml.set(gpus=[busy_h100(errors={"all": GPU_IS_LOST})])
    for _ in range(3):
        sample_gpus()
    fake_nvml.set(gpus=[busy_h100()])
    sample_gpus()
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("portside.")]
    assert messages == [
        "NVML is not available: Driver Not Loaded (NVMLError_DriverNotLoaded)",
        "NVML answers again",
        f"GPU 0 is lost: {nvml.GPU_LOST}",
        "GPU 0 answers again",
    ]
