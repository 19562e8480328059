"""The keys of the Monitor's history (a SeriesBook): whose numbers a series holds, as typed values.

One frozen, hashable class per kind, so the service that records and the views that read build the same key the
same way, and a key of one kind never equals a key of another (a GPU numbered 0 is not a container named "0").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HostKey:
    """This computer: there is one, so every HostKey is equal; use HOST."""


@dataclass(frozen=True, slots=True)
class GpuKey:
    """One NVIDIA GPU, by its NVML index."""

    index: int


@dataclass(frozen=True, slots=True)
class ContainerKey:
    """One container, by its full id (ids are never reused, so a key never names two containers)."""

    container_id: str


HOST = HostKey()

SeriesKey = HostKey | GpuKey | ContainerKey
