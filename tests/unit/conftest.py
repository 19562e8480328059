"""Fixtures for the unit tests: the fake NVIDIA driver library (tests/fakes/fake_nvml.py), a real listener."""
from __future__ import annotations

import socket

import pytest
from fake_nvml import fake_nvml, fake_nvml_library  # noqa: F401  (pytest finds fixtures by name here)


@pytest.fixture
def tcp_listener():
    """A port some program listens on, on 127.0.0.1: the port number."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]
