"""Fixtures for the unit tests: a real listener. (The fake NVIDIA driver library's fixtures live in tests/conftest.py.)"""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def tcp_listener():
    """A port some program listens on, on 127.0.0.1: the port number."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]
