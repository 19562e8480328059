"""New containers get the preferences' bind address, restart policy and GPUs; other specs keep their own."""

from __future__ import annotations

from gui.core.run.gpus import GpuChoice
from gui.core.run.spec import GpuMode, GpuSpec, PortSpec, RunSpec
from gui.core.settings.new_runs import first_free_gpu, with_preferences
from gui.core.settings.preferences import Preferences

GIB = 1024**3
DEFAULT = RunSpec(image="web:1.0", ports=(PortSpec("80", "5000"), PortSpec("53", "5353", "udp")))


def gpu(index: int, used: int | None = None, holders=(), **more) -> GpuChoice:
    return GpuChoice(str(index), index, "NVIDIA H100", f"GPU-{index}", 80 * GIB, used, holders=holders, **more)


def test_the_default_preferences_change_nothing():
    assert with_preferences(DEFAULT, Preferences(), (gpu(0),)) == DEFAULT


def test_every_interface_restart_policy_and_all_gpus():
    prefs = Preferences(bind_address="0.0.0.0", restart="unless-stopped", gpus="all")
    spec = with_preferences(DEFAULT, prefs, (gpu(0), gpu(1)))
    assert [port.all_interfaces for port in spec.ports] == [True, True]
    assert spec.restart == "unless-stopped"
    assert spec.gpus.mode is GpuMode.ALL
    assert "-p 5000:80" in spec.command_line and "--restart unless-stopped" in spec.command_line
    assert "--gpus 'all," in spec.command_line


def test_no_gpus_are_asked_for_where_the_engine_cannot_give_them():
    assert with_preferences(DEFAULT, Preferences(gpus="all"), None).gpus == GpuSpec()
    assert with_preferences(DEFAULT, Preferences(gpus="first-free"), ()).gpus == GpuSpec()


def test_the_first_free_gpu_is_the_first_nothing_runs_on():
    busy = gpu(0, used=30 * GIB, holders=("trainer",))
    assert first_free_gpu((busy, gpu(1, used=0), gpu(2, used=0))) == "1"
    spec = with_preferences(DEFAULT, Preferences(gpus="first-free"), (busy, gpu(1, used=0)))
    assert (spec.gpus.mode, spec.gpus.device_ids) == (GpuMode.CHOSEN, ("1",))


def test_gpu_0_when_none_is_known_to_be_free():
    assert first_free_gpu((gpu(0), gpu(1))) == "0"  # not sampled yet
    assert first_free_gpu((gpu(0, used=GIB, holders=("a",)), gpu(1, used=GIB, holders=("b",)))) == "0"
    assert first_free_gpu((gpu(0, mig_enabled=True), gpu(1))) == "1"  # a GPU split into MIG instances is not whole
