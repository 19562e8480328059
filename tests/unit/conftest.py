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


@pytest.fixture(autouse=True)
def no_system_keyring(monkeypatch):
    """Unit tests never reach the developer's keyring: code that asks for the system keyring finds none. Tests
    of the keyring path pass their own backend (tests.fakes.memory_keyring)."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())


@pytest.fixture(autouse=True)
def no_known_secrets():
    """The secrets one test made known to the log's mask do not mask another test's text."""
    from gui.core.secrets import forget_known

    forget_known()
    yield
    forget_known()
