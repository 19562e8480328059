"""Signing in to a real registry (Debian's docker-registry with htpasswd, on 127.0.0.1) through the real engine, and
proof that no password lands in a file in plain text, whichever store keeps it."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import pytest

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.errors import EngineError
from gui.core.registry.credentials import Credentials, CredentialVault, StoreKind
from gui.core.registry.sign_in import SignInFailed, sign_in
from tests.engine import engine_helpers as eh
from tests.fakes import credential_helpers as ch
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.secret_forms import files_under, leaks, text_leaks
from tests.unavailable import unavailable

pytestmark = pytest.mark.engine


@pytest.fixture
def engine(docker_client):
    engine = Engine(Endpoint(eh.engine_url(), "DOCKER_HOST"), docker_client.api.api_version)
    yield engine
    engine.close()


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """HOME, the XDG folders (Portside's config, data, state and cache) and DOCKER_CONFIG, all under one folder."""
    for variable in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "DOCKER_CONFIG"):
        folder = tmp_path / variable.lower()
        folder.mkdir()
        monkeypatch.setenv(variable, str(folder))
    return tmp_path


@pytest.fixture
def pass_store(sandbox, monkeypatch):
    missing = ch.pass_tools_missing()
    if missing:
        unavailable(f"needs {', '.join(missing)} (packaging/setup.sh --test installs them)")
    store = ch.PassStore(sandbox / "password-store")
    try:
        store.start()
        for name, value in store.environment().items():
            monkeypatch.setenv(name, value)
        yield store
    finally:
        store.close()


def test_engine_login_accepts_the_right_password(engine, local_registry):
    assert engine.login(local_registry.address, local_registry.username, local_registry.password) == "Login Succeeded"


def test_sign_in_with_the_right_password(engine, local_registry, sandbox):
    vault = CredentialVault(session_only=True)
    account = sign_in(
        engine, vault, f"http://{local_registry.address}/", local_registry.username, local_registry.password
    )
    assert (account.registry, account.username, account.kind) == (
        local_registry.address,
        local_registry.username,
        StoreKind.SESSION,
    )
    assert vault.get(local_registry.address) == Credentials(
        local_registry.address, local_registry.username, local_registry.password
    )
    assert vault.accounts() == [account]
    assert vault.auth_header(local_registry.address)


def test_a_wrong_password_is_refused_in_plain_words(engine, local_registry, sandbox):
    vault = CredentialVault(session_only=True)
    with pytest.raises(SignInFailed) as raised:
        sign_in(engine, vault, local_registry.address, local_registry.username, "not-the-password")
    assert raised.value.message == (
        f"The registry {local_registry.address} refused the user name or password. Check them and try again."
    )
    assert "401" in raised.value.detail
    assert vault.accounts() == []


def test_an_unreachable_registry_is_said_plainly(engine, sandbox):
    address = f"127.0.0.1:{eh.free_port()}"  # nothing listens there
    with pytest.raises(EngineError) as raised:
        sign_in(engine, CredentialVault(session_only=True), address, "alice", "secret")
    assert not isinstance(raised.value, SignInFailed)
    assert raised.value.message.startswith(f"Could not reach the registry {address}. Check the address (and port)")
    assert "connection refused" in raised.value.detail


@pytest.mark.parametrize("kind", [StoreKind.HELPER, StoreKind.KEYRING, StoreKind.SESSION])
def test_no_password_is_written_in_plain_text(engine, local_registry, sandbox, request, caplog, kind):
    caplog.set_level(logging.DEBUG)
    keyring = MemoryKeyring()
    extra_folders: list[Path] = []
    if kind is StoreKind.HELPER:
        store = request.getfixturevalue("pass_store")
        extra_folders.append(store.gnupg_home)
        (sandbox / "docker_config" / "config.json").write_text(json.dumps({"credsStore": "pass"}))
    vault = CredentialVault(keyring_backend=keyring, session_only=kind is StoreKind.SESSION)
    account = sign_in(engine, vault, local_registry.address, local_registry.username, local_registry.password)
    assert account.kind is kind
    if kind is not StoreKind.SESSION:  # kept: the next start of Portside finds it
        assert [a.username for a in CredentialVault(keyring_backend=keyring).accounts()] == [local_registry.username]
    if kind is StoreKind.HELPER:
        listed = subprocess.run(["docker-credential-pass", "list"], capture_output=True, text=True, check=True)
        assert json.loads(listed.stdout) == {local_registry.address: local_registry.username}

    # Every form: raw, base64 of the password and of user:password (padded or not, standard or urlsafe),
    # URL-encoded, JSON-escaped.
    password, username = local_registry.password, local_registry.username
    files = files_under([sandbox, *extra_folders])
    if kind is not StoreKind.SESSION:  # the scan sees what Portside and the helper wrote
        assert any(path.name == "registries.json" for path in files)
    if kind is StoreKind.HELPER:
        assert any(path.suffix == ".gpg" for path in files)
    assert leaks(files, password, username) == []
    assert text_leaks(caplog.text, password, username) == []
