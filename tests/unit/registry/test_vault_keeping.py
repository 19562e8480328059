"""The credential vault over time: the default places, Portside's list of sign-ins on disk, signing in again,
sign-ins changed outside Portside (config.json edited, `docker logout`, the keyring's own app), stores that fail
after a sign-in, signing out beside the docker CLI, and what the log says about each."""

from __future__ import annotations

import json
import logging
import stat
import sys

import pytest
from keyring.backends import fail

from gui.core.errors import EngineError
from gui.core.registry import credentials
from gui.core.registry.credentials import (
    SESSION_NO_STORE,
    Account,
    Credentials,
    CredentialVault,
    StoreKind,
    helper_sentence,
    keyring_sentence,
)
from tests.fakes.memory_keyring import BrokenKeyring, MemoryKeyring
from tests.unit.registry.vault_kit import REGISTRY, SECRET, helper_entries, plain_auth, write_config

OTHER = "registry.example.com"
SCRIPT_SENTENCE = helper_sentence("docker-credential-script")
MEMORY_SENTENCE = keyring_sentence("memory")

# A helper that lists its sign-ins but refuses to read or remove them (a keychain locked after `docker login`).
LOCKED_HELPER = """#!{python}
import json, sys
if sys.argv[1:] == ["list"]:
    print(json.dumps({listing!r}))
else:
    print("the keychain is locked")
    sys.exit(1)
"""


@pytest.fixture
def log_lines(caplog):
    caplog.set_level(logging.INFO, logger="portside")
    return caplog


def messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def install_locked_helper(bin_dir, listing: dict[str, str]) -> None:
    program = bin_dir / "docker-credential-locked"
    program.write_text(LOCKED_HELPER.format(python=sys.executable, listing=listing))
    program.chmod(0o755)


def refuse(keyring: MemoryKeyring, monkeypatch, *methods: str) -> None:
    """The keyring's collection gets locked: these methods now fail."""

    def locked(*args):
        raise RuntimeError("the collection is locked")

    for method in methods:
        monkeypatch.setattr(keyring, method, locked)


# The default places ------------------------------------------------------------------------------------------------


def test_by_default_the_list_goes_to_the_config_folder_and_docker_config_is_found(tmp_path, monkeypatch, docker_dir):
    config_home = tmp_path / "fresh-home" / "config"  # a new account: not even ~/.config exists yet
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_dir))
    write_config(docker_dir, auths={OTHER: plain_auth("carol", "cli-secret")})
    vault = CredentialVault(keyring_backend=MemoryKeyring())
    assert vault.get(OTHER) == Credentials(OTHER, "carol", "cli-secret")  # the docker CLI's login, via $DOCKER_CONFIG
    assert vault.save(Credentials(REGISTRY, "alice", SECRET)).kind is StoreKind.KEYRING  # not session-only
    index = config_home / "portside" / "registries.json"
    assert json.loads(index.read_text())["sign_ins"][0]["username"] == "alice"
    assert stat.S_IMODE(index.stat().st_mode) == 0o600 and stat.S_IMODE(index.parent.stat().st_mode) == 0o700


def test_the_keyring_is_looked_up_once_and_named_in_the_log(make_vault, docker_dir, index_path, monkeypatch, log_lines):
    found = []

    def default_keyring():
        found.append(MemoryKeyring())
        return found[-1]

    monkeypatch.setattr(credentials, "default_keyring", default_keyring)
    vault = CredentialVault(docker_config_dir=docker_dir, index_path=index_path)
    assert vault.storage_for(REGISTRY) == (StoreKind.KEYRING, MEMORY_SENTENCE)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert vault.get(REGISTRY).secret == SECRET and len(found) == 1  # asking the desktop again may mean D-Bus
    assert messages(log_lines).count("system keyring: memory") == 1
    make_vault(fail.Keyring()).storage_for(REGISTRY)
    assert "system keyring: none usable" in messages(log_lines)


def test_a_broken_keyring_set_up_means_session_only(docker_dir, index_path, monkeypatch, log_lines):
    def default_keyring():
        raise RuntimeError("no D-Bus session bus")

    monkeypatch.setattr(credentials, "default_keyring", default_keyring)
    vault = CredentialVault(docker_config_dir=docker_dir, index_path=index_path)
    assert vault.storage_for(REGISTRY) == (StoreKind.SESSION, SESSION_NO_STORE)
    assert "no system keyring: no D-Bus session bus" in messages(log_lines)


# Portside's list of sign-ins ---------------------------------------------------------------------------------------


def test_the_list_of_sign_ins_is_readable_json_with_the_latest_last(docker_dir, make_vault, script_helper, index_path):
    keyring = MemoryKeyring()
    vault = make_vault(keyring)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    vault.save(Credentials(OTHER, "bob", "other"))
    vault.save(Credentials(REGISTRY, "alice", "newer"))  # signing in again: now the latest
    script_helper("script")
    write_config(docker_dir, credHelpers={"ghcr.io": "script"})
    vault.save(Credentials("ghcr.io", "carol", "ghcr-secret"))
    assert index_path.read_text() == (
        "{\n"
        '  "version": 1,\n'
        '  "sign_ins": [\n'
        f'    {{\n      "registry": "{OTHER}",\n      "username": "bob",\n      "kind": "keyring"\n    }},\n'
        f'    {{\n      "registry": "{REGISTRY}",\n      "username": "alice",\n      "kind": "keyring"\n    }},\n'
        '    {\n      "registry": "ghcr.io",\n      "username": "carol",\n      "kind": "helper",\n'
        '      "helper": "script"\n    }\n'
        "  ]\n"
        "}\n"
    )
    assert [a.registry for a in make_vault(keyring).accounts()] == [OTHER, REGISTRY, "ghcr.io"]


def test_a_new_folder_for_the_list_is_made_whole_and_private(tmp_path, docker_dir):
    index = tmp_path / "a" / "b" / "registries.json"
    CredentialVault(docker_dir, index, MemoryKeyring()).save(Credentials(REGISTRY, "alice", SECRET))
    assert stat.S_IMODE(index.stat().st_mode) == 0o600 and stat.S_IMODE(index.parent.stat().st_mode) == 0o700


def test_an_unreadable_list_is_set_aside_with_the_reason_in_the_log(make_vault, index_path, log_lines):
    index_path.parent.mkdir(parents=True)
    index_path.write_text("{broken")
    assert make_vault(MemoryKeyring()).accounts() == []
    [line] = [text for text in messages(log_lines) if "cannot be read" in text]
    assert line.startswith(f"{index_path} cannot be read (Expecting property name")
    assert line.endswith("); kept it as registries.json.corrupt, starting without Portside's list of sign-ins")


# Signing in again ----------------------------------------------------------------------------------------------------


def test_signing_in_again_as_the_same_user_keeps_the_new_password(make_vault):
    keyring = MemoryKeyring()
    vault = make_vault(keyring)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    vault.save(Credentials(REGISTRY, "alice", "changed-password"))
    assert keyring.entries == {(f"portside:{REGISTRY}", "alice"): "changed-password"}
    assert make_vault(keyring).get(REGISTRY) == Credentials(REGISTRY, "alice", "changed-password")


def test_signing_in_again_through_the_same_helper_keeps_the_new_password(docker_dir, make_vault, script_helper):
    store = script_helper("script")
    write_config(docker_dir, credsStore="script")
    vault = make_vault()
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    vault.save(Credentials(REGISTRY, "alice", "changed-password"))
    assert helper_entries(store) == {REGISTRY: ["alice", "changed-password"]}
    assert make_vault().get(REGISTRY).secret == "changed-password"


def test_a_stored_sign_in_replaces_one_kept_for_the_session(docker_dir, make_vault, script_helper):
    vault = make_vault()  # no helper, no keyring: the session
    assert vault.save(Credentials(REGISTRY, "alice", SECRET)).kind is StoreKind.SESSION
    script_helper("script")
    write_config(docker_dir, credsStore="script")  # a helper is set up while Portside runs
    assert vault.save(Credentials(REGISTRY, "bob", "bobs-secret")).kind is StoreKind.HELPER
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "bob", "bobs-secret")
    assert [(a.username, a.kind) for a in vault.accounts()] == [("bob", StoreKind.HELPER)]


def test_a_session_only_sign_in_replaces_the_stored_one(make_vault, index_path):
    keyring = MemoryKeyring()
    make_vault(keyring).save(Credentials(REGISTRY, "alice", SECRET))
    make_vault(keyring, session_only=True).save(Credentials(REGISTRY, "bob", "bobs-secret"))
    assert keyring.entries == {}
    later = make_vault(keyring)  # the next start: nothing of alice's is left to offer
    assert later.get(REGISTRY) is None and later.accounts() == []
    assert json.loads(index_path.read_text())["sign_ins"] == []


def test_another_windows_session_sign_in_hides_only_its_own_registry(make_vault):
    keyring = MemoryKeyring()
    session = make_vault(keyring, session_only=True)
    session.save(Credentials(REGISTRY, "alice", SECRET))
    stored = make_vault(keyring)  # a second Portside, started normally, signs in to both
    stored.save(Credentials(REGISTRY, "bob", "bobs-secret"))
    stored.save(Credentials(OTHER, "bob", "bobs-secret"))
    assert [(a.registry, a.username, a.kind) for a in session.accounts()] == [
        (REGISTRY, "alice", StoreKind.SESSION),
        (OTHER, "bob", StoreKind.KEYRING),
    ]


# Changes made outside Portside ---------------------------------------------------------------------------------------


def test_a_helper_sign_in_is_still_found_after_config_json_drops_the_helper(docker_dir, make_vault, script_helper):
    store = script_helper("script")
    write_config(docker_dir, credsStore="script")
    make_vault().save(Credentials(REGISTRY, "alice", SECRET))
    write_config(docker_dir)  # the user removes credsStore; Portside's list still says where its sign-in is
    later = make_vault()
    assert later.get(REGISTRY) == Credentials(REGISTRY, "alice", SECRET)
    assert later.accounts() == [Account(REGISTRY, "alice", StoreKind.HELPER, SCRIPT_SENTENCE)]
    later.erase(REGISTRY)
    assert helper_entries(store) == {}


def test_a_helper_sign_in_removed_by_docker_logout_is_gone(docker_dir, make_vault, script_helper):
    store = script_helper("script")
    write_config(docker_dir, credsStore="script")
    vault = make_vault()
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    store.write_text("{}")  # `docker logout 127.0.0.1:5000`
    assert vault.get(REGISTRY) is None and vault.accounts() == []


def test_a_keyring_entry_deleted_in_the_keyrings_own_app_falls_back_to_the_docker_cli(docker_dir, make_vault):
    write_config(docker_dir, auths={REGISTRY: plain_auth("carol", "cli-secret")})
    keyring = MemoryKeyring()
    vault = make_vault(keyring)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    keyring.entries.clear()
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "carol", "cli-secret")


def test_keyring_sign_ins_wait_while_no_keyring_is_usable(make_vault):
    keyring = MemoryKeyring()
    make_vault(keyring).save(Credentials(REGISTRY, "alice", SECRET))
    without = make_vault(fail.Keyring())  # a start without the desktop's keyring (no D-Bus session)
    assert without.get(REGISTRY) is None and without.accounts() == []
    assert make_vault(keyring).get(REGISTRY).secret == SECRET  # back with the keyring


# The docker CLI's helper logins --------------------------------------------------------------------------------------


def test_only_password_logins_of_the_docker_cli_are_listed(docker_dir, make_vault, script_helper):
    store = script_helper("script")
    write_config(docker_dir, credsStore="script")
    # "<token>": an identity token from a browser login, which docker-py cannot send as a password.
    store.write_text(json.dumps({REGISTRY: ["<token>", "oauth"], "ghcr.io": ["", "x"], OTHER: ["carol", "pw"]}))
    assert make_vault().accounts() == [Account(OTHER, "carol", StoreKind.HELPER, SCRIPT_SENTENCE)]


def test_portsides_session_sign_in_comes_before_the_docker_clis_helper_login(docker_dir, make_vault, script_helper):
    store = script_helper("script")
    write_config(docker_dir, credsStore="script")
    store.write_text(json.dumps({REGISTRY: ["carol", "cli-secret"]}))
    vault = make_vault(session_only=True)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert [(a.username, a.kind) for a in vault.accounts()] == [("alice", StoreKind.SESSION)]


def test_signing_out_removes_the_docker_clis_helper_login_however_it_is_spelled(docker_dir, make_vault, script_helper):
    """Found: `docker login http://127.0.0.1:5000` keeps the sign-in under that spelling; signing out asked the
    helper to remove "127.0.0.1:5000" only, so the sign-in stayed (and stayed listed)."""
    store = script_helper("script")
    # A stale plain-text entry too: with a helper configured, the docker CLI ignores it, and so does Portside.
    write_config(docker_dir, credsStore="script", auths={REGISTRY: plain_auth("old", "stale")})
    store.write_text(json.dumps({f"http://{REGISTRY}": ["carol", "cli-secret"]}))
    vault = make_vault()
    assert [a.registry for a in vault.accounts()] == [REGISTRY]
    vault.erase(REGISTRY)
    assert helper_entries(store) == {} and vault.accounts() == []


# Signing out beside a plain-text docker CLI login ------------------------------------------------------------------


def test_signing_out_where_only_the_docker_cli_is_signed_in(docker_dir, make_vault):
    write_config(docker_dir, auths={REGISTRY: plain_auth("carol", SECRET)})
    with pytest.raises(EngineError) as raised:
        make_vault().erase(REGISTRY)
    assert raised.value.message == (
        f"The docker CLI is signed in to {REGISTRY} too, in plain text in {docker_dir / 'config.json'}, which "
        f"Portside does not change. To sign out there, run this in a terminal: docker logout {REGISTRY}"
    )


@pytest.mark.parametrize("session_only", [False, True], ids=["keyring", "session"])
def test_signing_out_removes_portsides_sign_in_and_says_what_is_left(docker_dir, make_vault, session_only):
    write_config(docker_dir, auths={REGISTRY: plain_auth("carol", "cli-secret")})
    keyring = MemoryKeyring()
    vault = make_vault(keyring, session_only=session_only)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    with pytest.raises(EngineError) as raised:
        vault.erase(REGISTRY)
    assert raised.value.message.startswith(
        f"Portside's sign-in is removed, but the docker CLI is signed in to {REGISTRY} too, in plain text in "
    )
    assert keyring.entries == {}
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "carol", "cli-secret")


# Stores that fail after a sign-in, and the log -----------------------------------------------------------------------


def test_the_log_tells_each_sign_in_and_sign_out(make_vault, log_lines):
    vault = make_vault(MemoryKeyring())
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    vault.erase(REGISTRY)
    lines = messages(log_lines)
    assert f"signed in to {REGISTRY} as alice (keyring)" in lines and f"signed out of {REGISTRY}" in lines


def test_a_keyring_that_refuses_to_save_is_named_in_the_log(make_vault, log_lines, expect_log_warnings):
    make_vault(BrokenKeyring()).save(Credentials(REGISTRY, "alice", SECRET))
    assert (
        f"could not save the sign-in to {REGISTRY}: the system keyring (memory) could not save the sign-in: "
        "the collection is locked; trying the next place"
    ) in messages(log_lines)


def test_an_older_sign_in_that_cannot_be_removed_does_not_stop_the_new_one(make_vault, monkeypatch, log_lines):
    keyring = MemoryKeyring()
    vault = make_vault(keyring)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    refuse(keyring, monkeypatch, "delete_password")
    assert vault.save(Credentials(REGISTRY, "bob", "bobs-secret")).username == "bob"
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "bob", "bobs-secret")
    assert (
        f"could not remove the older sign-in to {REGISTRY}: the system keyring (memory) could not remove the "
        f"sign-in for {REGISTRY}: RuntimeError"
    ) in messages(log_lines)


def test_a_keyring_that_cannot_be_read_means_not_signed_in(make_vault, monkeypatch, log_lines):
    keyring = MemoryKeyring()
    make_vault(keyring).save(Credentials(REGISTRY, "alice", SECRET))
    refuse(keyring, monkeypatch, "get_password")
    assert make_vault(keyring).get(REGISTRY) is None
    assert (
        f"cannot read Portside's sign-in to {REGISTRY}: the system keyring (memory) could not read the sign-in "
        f"for {REGISTRY}: RuntimeError"
    ) in messages(log_lines)


def test_a_locked_helper_means_not_signed_in_and_a_failed_sign_out(docker_dir, make_vault, bin_dir, log_lines):
    install_locked_helper(bin_dir, {REGISTRY: "carol"})
    write_config(docker_dir, credsStore="locked")
    vault = make_vault()
    assert vault.get(REGISTRY) is None
    [line] = [text for text in messages(log_lines) if text.startswith("cannot read the docker CLI's sign-in")]
    assert line.startswith(f"cannot read the docker CLI's sign-in to {REGISTRY}: docker-credential-locked could not")
    assert "the keychain is locked" in line
    with pytest.raises(EngineError) as raised:
        vault.erase(REGISTRY)
    detail = raised.value.detail
    assert detail.startswith(f"docker-credential-locked could not remove the sign-in for {REGISTRY}: ")
    assert raised.value.message == f"Could not sign out of {REGISTRY}: {detail}."
