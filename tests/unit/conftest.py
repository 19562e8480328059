"""Fixtures for the unit tests: the fake NVIDIA driver library (tests/fakes/fake_nvml.py)."""
from __future__ import annotations

from fake_nvml import fake_nvml, fake_nvml_library  # noqa: F401  (pytest finds fixtures by name here)
