"""What a new container gets from the preferences: its ports' bind address, its restart policy and its GPUs. Only
the Run dialog's default form takes them; a spec pasted, copied from a container or remembered keeps its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gui.core.run.gpus import GpuChoice
from gui.core.run.spec import GpuMode, GpuSpec, RunSpec
from gui.core.settings.preferences import ALL_GPUS, EVERY_INTERFACE, FIRST_FREE_GPU, Preferences


def first_free_gpu(choices: Sequence[GpuChoice]) -> str | None:
    """The device id of the first whole GPU nothing runs on, as far as the Monitor's samples tell; without samples,
    or with every GPU in use, the first GPU (GPU 0). None when there is no GPU to give."""
    whole = [choice for choice in choices if choice.mig_slot is None and not choice.mig_enabled and not choice.lost]
    for choice in whole:
        if choice.memory_used is not None and not choice.holders:
            return choice.device_id
    return whole[0].device_id if whole else None


def with_preferences(spec: RunSpec, prefs: Preferences, gpus_offered: Sequence[GpuChoice] | None) -> RunSpec:
    """`spec` (the image's default form) with the preferences for new containers. `gpus_offered`: the GPUs the
    engine can give (None when it can give none: the form then asks for no GPU, whatever the preference)."""
    ports = spec.ports
    if prefs.bind_address == EVERY_INTERFACE:
        ports = tuple(replace(port, all_interfaces=True) for port in ports)
    gpus = spec.gpus
    if gpus_offered is not None and prefs.gpus == ALL_GPUS:
        gpus = replace(gpus, mode=GpuMode.ALL)
    elif gpus_offered is not None and prefs.gpus == FIRST_FREE_GPU:
        device = first_free_gpu(gpus_offered)
        if device is not None:
            gpus = GpuSpec(mode=GpuMode.CHOSEN, device_ids=(device,), capabilities=spec.gpus.capabilities)
    return replace(spec, ports=ports, restart=prefs.restart, gpus=gpus)
