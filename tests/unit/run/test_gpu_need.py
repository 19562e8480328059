"""GPU memory per image (recorded from the Monitor's attribution, recalled for the Run dialog), the GPU choices built
from the inventory and a sample, and the warning before Run when the chosen GPUs lack the memory."""

from __future__ import annotations

import json
import stat

import pytest

from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import COMPUTE, GpuProcessUse, GpuSample, GpuSnapshot, MigSample
from gui.core.run.gpu_need import GpuNeeds, fit_advice, gib, need_key, need_text, parse_need
from gui.core.run.gpus import GpuChoice, GpuInfo, GpuInventory, Holder, MigInfo, gpu_choices, mig_note
from gui.core.run.spec import GpuMode, GpuSpec

GiB = 1024**3
TRAINER = "ab12" * 16
WEB = "cd34" * 16


def use(container_id: str | None, memory: int) -> GpuUse:
    return GpuUse(container_id=container_id, gpu_memory=memory, processes=(), sm_percent=None)


# ---- the per-image record ------------------------------------------------------------------------------------------


def test_the_most_memory_an_image_used_is_kept_and_survives_a_restart(tmp_path):
    path = tmp_path / "config" / "portside" / "gpu-needs.json"
    needs = GpuNeeds(path)
    images = {TRAINER: "trainer:2.1", WEB: "web:1.0"}
    needs.record({TRAINER: use(TRAINER, 30 * GiB), WEB: use(WEB, 2 * GiB), None: use(None, 5 * GiB)}, images)
    needs.record({TRAINER: use(TRAINER, 12 * GiB)}, images)  # less than before: the most stays
    needs.record({TRAINER: use(TRAINER, 40 * GiB)}, images)

    again = GpuNeeds(path)  # a new start of Portside reads the file
    assert again.recall("trainer:2.1") == 40 * GiB
    assert again.recall("docker.io/library/web:1.0") == 2 * GiB  # the same image, spelt in full
    assert again.recall("python:3.12") is None  # never used a GPU while Portside watched
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert set(json.loads(path.read_text())["needs"]) == {"trainer", "web"}  # host programs have no image


def test_two_containers_of_one_image_count_one_at_a_time(tmp_path):
    other = "ef56" * 16
    needs = GpuNeeds(tmp_path / "needs.json")
    needs.record({TRAINER: use(TRAINER, 30 * GiB), other: use(other, 20 * GiB)}, {TRAINER: "t:1", other: "t:1"})
    assert needs.recall("t:1") == 30 * GiB  # what one container needs, not the sum of two runs


def test_a_new_tag_is_prefilled_from_its_repository_and_an_image_id_is_not_recorded(tmp_path):
    needs = GpuNeeds(tmp_path / "needs.json")
    images = {TRAINER: "trainer:2.1", WEB: "sha256:" + "0" * 64}
    needs.record({TRAINER: use(TRAINER, 30 * GiB), WEB: use(WEB, 50 * GiB)}, images)
    assert needs.recall("trainer:3.0") == 30 * GiB
    assert need_key("sha256:" + "0" * 64) is None
    assert need_key("trainer") == ("trainer", "latest")


def test_a_corrupt_file_is_set_aside_and_the_record_starts_afresh(tmp_path):
    path = tmp_path / "needs.json"
    path.write_text("{not json")
    needs = GpuNeeds(path)
    assert needs.recall("trainer:2.1") is None
    assert (tmp_path / "needs.json.corrupt").exists()
    needs.record({TRAINER: use(TRAINER, GiB)}, {TRAINER: "trainer:2.1"})
    assert GpuNeeds(path).recall("trainer:2.1") == GiB


def test_a_figure_that_cannot_be_written_is_kept_for_this_session(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    needs = GpuNeeds(blocked / "needs.json")  # its folder is a file: every write fails
    needs.record({TRAINER: use(TRAINER, 8 * GiB)}, {TRAINER: "trainer:2.1"})
    assert needs.recall("trainer:2.1") == 8 * GiB


@pytest.mark.parametrize(
    ("count", "text"),
    [(None, ""), (0, ""), (40 * GiB, "40"), (int(39.2 * GiB), "40"), (int(7.51 * GiB), "7.6"), (GiB // 2, "0.5")],
)
def test_the_need_field_rounds_up(count, text):
    assert need_text(count) == text
    if text:
        assert parse_need(text) >= count


@pytest.mark.parametrize(("text", "count"), [("40", 40 * GiB), ("7,5", int(7.5 * GiB)), ("", None), ("-3", None)])
def test_the_need_field_reads_gib(text, count):
    assert parse_need(text) == count


# ---- the choices: the inventory joined with the Monitor's sample ------------------------------------------------


def sample(index: int, used: int, processes=(), total: int = 80 * GiB, **changes) -> GpuSample:
    uuid = f"GPU-{index}"
    return GpuSample(
        index=index,
        name="NVIDIA H100 80GB HBM3",
        uuid=uuid,
        utilization=50.0,
        memory_utilization=10.0,
        memory_used=used,
        memory_total=total,
        temperature=60,
        power_draw=None,
        power_limit=None,
        fan=None,
        sm_clock=None,
        memory_clock=None,
        processes=tuple(GpuProcessUse(pid, index, uuid, memory, COMPUTE, None) for pid, memory in processes),
        **changes,
    )


def info(index: int, total: int = 80 * GiB, **changes) -> GpuInfo:
    return GpuInfo(index=index, name="NVIDIA H100 80GB HBM3", uuid=f"GPU-{index}", memory_total=total, **changes)


def inventory(*gpus: GpuInfo) -> GpuInventory:
    return GpuInventory(gpus=gpus, driver_version="535", cuda_version=(12, 2), unavailable_reason=None)


def snapshot(*gpus: GpuSample) -> GpuSnapshot:
    return GpuSnapshot(gpus=gpus, driver_version="535", cuda_version=(12, 2), unavailable_reason=None, time=0.0)


def test_each_gpu_shows_who_holds_its_memory():
    gpus = snapshot(sample(0, 62 * GiB, [(100, 40 * GiB), (200, 20 * GiB), (300, GiB)]), sample(1, 2 * GiB))
    attribution = {
        TRAINER: GpuUse(TRAINER, 40 * GiB, gpus.gpus[0].processes[:1], None),
        WEB: GpuUse(WEB, 20 * GiB, gpus.gpus[0].processes[1:2], None),
        None: GpuUse(None, GiB, gpus.gpus[0].processes[2:], None),
    }
    first, second = gpu_choices(inventory(info(0), info(1)), gpus, attribution, {TRAINER: "trainer"})
    assert first.holders == (
        Holder(TRAINER, "trainer", 40 * GiB),
        Holder(WEB, "", 20 * GiB),  # a container the list does not know yet: shown by its short id
        Holder(None, "", GiB),
    )
    assert (first.memory_free, first.utilization, first.temperature) == (18 * GiB, 50.0, 60)
    assert second.holders == () and second.memory_free == 78 * GiB


def test_without_a_sample_the_choices_are_the_inventory_alone():
    (choice,) = gpu_choices(inventory(info(0)))
    assert (choice.device_id, choice.memory_total, choice.memory_used, choice.memory_free) == (
        "0",
        80 * GiB,
        None,
        None,
    )


def test_mig_instances_are_choices_of_their_own_with_their_uuids():
    mig = (
        MigInfo(0, "NVIDIA H100 80GB HBM3 MIG 3g.40gb", "MIG-aaa", 40 * GiB),
        MigInfo(2, "MIG 1g.10gb", "MIG-b", None),
    )
    live = MigSample(0, "NVIDIA H100 80GB HBM3 MIG 3g.40gb", "MIG-aaa", 12 * GiB, 40 * GiB, ())
    gpus = snapshot(sample(0, 12 * GiB, mig_enabled=True, mig=(live,)))
    gpu, first, second = gpu_choices(inventory(info(0, mig_enabled=True, mig=mig)), gpus)
    assert gpu.mig_enabled and gpu.device_id == "0"
    assert (first.device_id, first.label, first.memory_free) == ("MIG-aaa", "MIG 3g.40gb #0 on GPU 0", 28 * GiB)
    assert second.device_id == "MIG-b" and second.memory_free is None
    assert inventory(info(0, mig_enabled=True, mig=mig)).device_ids >= {"0", "GPU-0", "MIG-aaa", "MIG-b"}


def test_a_gpu_in_mig_mode_without_instances_says_so_in_a_sentence():
    assert "no MIG instances yet" in mig_note(info(3, mig_enabled=True))
    refused = mig_note(info(3, mig_enabled=True, mig_problem="This user is not allowed to read this value."))
    assert "would not list them" in refused and "not allowed" in refused
    assert mig_note(info(3)) is None
    (choice,) = gpu_choices(inventory(info(3, mig_enabled=True)))
    assert "GPU 3" in choice.problem


# ---- the warning before Run ---------------------------------------------------------------------------------------


def choice(index: int, used: int, total: int = 80 * GiB, holders=(), **changes) -> GpuChoice:
    return GpuChoice(str(index), index, "H100", f"GPU-{index}", total, used, holders=holders, **changes)


FOUR = (
    choice(0, 62 * GiB, holders=(Holder(TRAINER, "trainer", 40 * GiB), Holder(WEB, "web", 20 * GiB))),
    choice(1, 2 * GiB),
    choice(2, GiB, total=40 * GiB),
    choice(3, 30 * GiB, holders=(Holder(WEB, "web", 28 * GiB),)),
)


def test_a_chosen_gpu_without_the_memory_names_who_holds_it_and_where_it_fits():
    advice = fit_advice(30 * GiB, GpuSpec(GpuMode.CHOSEN, device_ids=("0",)), FOUR)
    assert advice.message.startswith("GPU 0 has 18 GiB free, and this image's containers used about 30 GiB before.")
    assert "Held by trainer (40 GiB) and web (20 GiB)." in advice.message
    assert advice.instead.device_id == "1"  # the most free memory of those where it fits
    assert advice.switch_text == "Use GPU 1 instead: 78 GiB free"


def test_two_chosen_gpus_count_their_free_memory_together():
    spec = GpuSpec(GpuMode.CHOSEN, device_ids=("0", "3"))
    assert fit_advice(60 * GiB, spec, FOUR) is None  # 18 + 50 free
    advice = fit_advice(70 * GiB, spec, FOUR)
    assert advice.message.startswith("GPU 0 and GPU 3 have 68 GiB free together")
    assert "web (48 GiB)" in advice.message  # one line per container over both GPUs, largest first
    assert advice.message.index("web (48 GiB)") < advice.message.index("trainer (40 GiB)")
    assert advice.instead.device_id == "1"


def test_when_no_gpu_has_the_memory_the_warning_says_what_to_do():
    advice = fit_advice(100 * GiB, GpuSpec(GpuMode.CHOSEN, device_ids=("1",)), FOUR)
    assert advice.instead is None and advice.switch_text == ""
    assert "No other GPU has that much free now" in advice.message
    assert "stop a container" in advice.message


def test_all_gpus_are_checked_together_and_a_number_of_gpus_is_not_checked():
    every = fit_advice(200 * GiB, GpuSpec(GpuMode.ALL), FOUR).message
    assert every.startswith("All GPUs together have 185 GiB free") and "No other GPU" not in every
    assert fit_advice(200 * GiB, GpuSpec(GpuMode.COUNT, count=2), FOUR) is None  # the engine picks which
    assert fit_advice(200 * GiB, GpuSpec(GpuMode.NONE), FOUR) is None


def test_no_warning_when_it_fits_or_cannot_be_told():
    chosen = GpuSpec(GpuMode.CHOSEN, device_ids=("1",))
    assert fit_advice(78 * GiB, chosen, FOUR) is None
    assert fit_advice(None, chosen, FOUR) is None  # the need is unknown
    unsampled = (GpuChoice("0", 0, "H100", "GPU-0", 80 * GiB),)  # the Monitor has not sampled it
    assert fit_advice(GiB, GpuSpec(GpuMode.CHOSEN, device_ids=("0",)), unsampled) is None


def test_a_chosen_gpu_is_found_by_uuid_too_and_a_mig_instance_by_its_own():
    by_uuid = fit_advice(30 * GiB, GpuSpec(GpuMode.CHOSEN, device_ids=("GPU-0",)), FOUR)
    assert by_uuid is not None and by_uuid.message.startswith("GPU 0 has")
    instance = GpuChoice("MIG-a", 0, "H100 MIG 1g.10gb", "MIG-a", 10 * GiB, 9 * GiB, mig_slot=1)
    advice = fit_advice(5 * GiB, GpuSpec(GpuMode.CHOSEN, device_ids=("MIG-a",)), (*FOUR, instance))
    assert advice.message.startswith("MIG 1g.10gb #1 on GPU 0 has 1.0 GiB free")


def test_gib_reads_like_a_gpu_size():
    assert (gib(78 * GiB), gib(int(7.5 * GiB)), gib(None)) == ("78 GiB", "7.5 GiB", "n/a")
