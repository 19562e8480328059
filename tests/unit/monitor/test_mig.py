"""MIG: a GPU split into instances, each listed with its own UUID, memory and processes, through the real pynvml and
the fake driver (FakeGpu.mig_devices); and the Run checks accept an instance's UUID as Docker does."""

from __future__ import annotations

from gui.core.monitor import nvml
from gui.core.monitor.gpu import sample_gpus
from gui.core.run.context import RunContext, preflight
from gui.core.run.gpus import read_inventory
from gui.core.run.spec import GpuMode, GpuSpec, RunSpec
from tests.fakes.fake_nvml import NO_PERMISSION, FakeGpu, FakeMig, GiB

FIRST = "MIG-4f5ae4c3-1111-2222-3333-444444444444"
SECOND = "MIG-4f5ae4c3-5555-6666-7777-888888888888"


def split_h100(**changes) -> FakeGpu:
    values = {
        "uuid": "GPU-11111111-2222-3333-4444-555555555555",
        "memory_used": 14 * GiB,
        "mig_mode": 1,
        "mig_devices": (
            FakeMig(uuid=FIRST, memory_used=12 * GiB, processes=((4242, 12 * GiB),)),
            None,  # an empty slot
            FakeMig(name="NVIDIA H100 80GB HBM3 MIG 1g.10gb", uuid=SECOND, memory_total=10 * GiB, memory_used=0),
        ),
    }
    return FakeGpu(**(values | changes))


def test_instances_are_sampled_with_their_uuids_memory_and_processes(fake_nvml):
    fake_nvml.set([FakeGpu(memory_used=GiB), split_h100()])
    plain, split = sample_gpus().gpus
    assert not plain.mig_enabled and plain.mig == ()
    assert split.mig_enabled and split.mig_problem is None
    assert [(mig.slot, mig.uuid) for mig in split.mig] == [(0, FIRST), (2, SECOND)]
    first, second = split.mig
    assert (first.name, first.memory_used, first.memory_total) == (
        "NVIDIA H100 80GB HBM3 MIG 3g.40gb",
        12 * GiB,
        40 * GiB,
    )
    assert [(p.pid, p.used_memory, p.gpu_index, p.gpu_uuid) for p in first.processes] == [(4242, 12 * GiB, 1, FIRST)]
    assert second.processes == ()
    # NVML lists an instance's processes on its GPU only for privileged callers: the GPU's list has it either way,
    # so the container on the instance is attributed.
    assert [(p.pid, p.gpu_uuid) for p in split.processes] == [(4242, split.uuid)]


def test_a_process_the_gpu_lists_too_is_counted_once(fake_nvml):
    fake_nvml.set([split_h100(processes=((4242, 12 * GiB),))])
    (split,) = sample_gpus().gpus
    assert [process.pid for process in split.processes] == [4242]


def test_the_inventory_offers_the_instances_and_their_uuids_pass_the_run_checks(fake_nvml):
    fake_nvml.set([FakeGpu(), split_h100()])
    inventory = read_inventory()
    plain, split = inventory.gpus
    assert not plain.mig_enabled and plain.mig == ()
    assert [(mig.slot, mig.uuid, mig.memory_total) for mig in split.mig] == [
        (0, FIRST, 40 * GiB),
        (2, SECOND, 10 * GiB),
    ]
    assert {FIRST, SECOND, "0", "1"} <= inventory.device_ids

    context = RunContext(
        image="trainer:2.1",
        image_inspect={"Config": {}},
        container_names=frozenset(),
        ports_in_use={},
        host_cpus=8,
        gpu_support="nvidia runtime",
        gpus=inventory,
    )
    chosen = RunSpec("trainer:2.1", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=(FIRST,)), shm_size="1g")
    assert [problem for problem in preflight(chosen, context) if problem.field == "gpus"] == []
    argv = chosen.argv()
    assert argv[argv.index("--gpus") + 1] == f'device={FIRST},"capabilities=compute,utility"'  # Docker's own syntax
    assert chosen.host_config_kwargs()["device_requests"][0]["DeviceIDs"] == [FIRST]
    unknown = RunSpec("trainer:2.1", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("MIG-gone",)), shm_size="1g")
    assert any("no GPU MIG-gone" in problem.message for problem in preflight(unknown, context))


def test_instances_the_driver_will_not_list_leave_the_gpu_and_a_reason(fake_nvml):
    fake_nvml.set([split_h100(errors={"mig_handle": NO_PERMISSION}, utilization_gpu=30)])
    (split,) = sample_gpus().gpus
    assert split.mig_enabled and split.mig == ()
    assert split.mig_problem == nvml.VALUE_NOT_PERMITTED
    assert split.utilization == 30 and split.memory_used == 14 * GiB  # the GPU's own numbers still show
    (gpu,) = read_inventory().gpus
    assert gpu.mig_enabled and gpu.mig == () and gpu.mig_problem == nvml.VALUE_NOT_PERMITTED


def test_mig_mode_off_or_unsupported_lists_no_instances(fake_nvml):
    fake_nvml.set([split_h100(mig_mode=0), FakeGpu()])
    off, plain = sample_gpus().gpus
    assert (off.mig_enabled, off.mig, plain.mig_enabled) == (False, (), False)
    handle = nvml.device_handle(0)
    assert nvml.mig_enabled(handle) is False
    assert nvml.mig_enabled(nvml.device_handle(1)) is None  # a GPU without MIG
    assert nvml.mig_devices(nvml.device_handle(1)) == []
