"""Fixtures of the credential vault's tests: docker's config folder, Portside's list of sign-ins, a vault over both,
and credential helper programs put on PATH."""

from __future__ import annotations

import os

import pytest
from keyring.backends import fail

from gui.core.registry.credentials import CredentialVault
from tests.fakes import credential_helpers as ch


@pytest.fixture
def docker_dir(tmp_path):
    folder = tmp_path / "docker"
    folder.mkdir()
    return folder


@pytest.fixture
def index_path(tmp_path):
    return tmp_path / "portside" / "registries.json"


@pytest.fixture
def make_vault(docker_dir, index_path):
    def make(keyring_backend=None, session_only=False) -> CredentialVault:
        # Tests always name their keyring: the machine's own must never be used.
        return CredentialVault(
            docker_config_dir=docker_dir,
            index_path=index_path,
            keyring_backend=keyring_backend if keyring_backend is not None else fail.Keyring(),
            session_only=session_only,
        )

    return make


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


@pytest.fixture
def script_helper(bin_dir, tmp_path):
    """script_helper(name) installs docker-credential-<name>; returns the JSON file it keeps entries in."""

    def install(name: str):
        store = tmp_path / f"helper-{name}.json"
        ch.install_script_helper(bin_dir, name, store)
        return store

    return install
