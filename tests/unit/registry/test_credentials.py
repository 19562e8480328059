"""The credential vault: where sign-ins go, reading them back, signing out, and the docker CLI's own logins.

Credential helpers are real programs speaking the docker-credential-helpers protocol: Debian's
docker-credential-pass with a throwaway GnuPG key, and a small script helper (tests/fakes/credential_helpers.py).
The keyring is a real keyring backend that keeps its entries in memory (tests/fakes/memory_keyring.py).
"""

from __future__ import annotations

import base64
import json
import logging
import subprocess

import pytest
from keyring.backends import fail, null

from gui.core.errors import EngineError, EngineGone
from gui.core.registry.addresses import DOCKER_HUB
from gui.core.registry.credentials import (
    SESSION_CHOSEN,
    SESSION_NO_STORE,
    Account,
    Credentials,
    StoreKind,
)
from gui.core.registry.docker_config import read_docker_config
from gui.core.registry.sign_in import SignInFailed, sign_in, sign_out
from gui.core.registry.stores import usable_keyring
from tests.fakes import credential_helpers as ch
from tests.fakes.memory_keyring import BrokenKeyring, FixedChainer, MemoryKeyring, unregistered
from tests.fakes.secret_forms import files_under, leaks, text_leaks
from tests.unavailable import unavailable
from tests.unit.registry.vault_kit import REGISTRY, SECRET, helper_entries, plain_auth, write_config


@pytest.fixture
def pass_store(tmp_path, monkeypatch):
    missing = ch.pass_tools_missing()
    if missing:
        unavailable(f"needs {', '.join(missing)} (packaging/setup.sh --test installs them)")
    store = ch.PassStore(tmp_path / "password-store")
    try:
        store.start()
        for name, value in store.environment().items():
            monkeypatch.setenv(name, value)
        yield store
    finally:
        store.close()


def pass_list() -> dict:
    done = subprocess.run(["docker-credential-pass", "list"], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


# Where a new sign-in goes ----------------------------------------------------------------------------------------


def test_a_helper_for_the_registry_beats_credsstore(docker_dir, make_vault, script_helper):
    script_helper("everything")
    script_helper("special")
    write_config(docker_dir, credsStore="everything", credHelpers={REGISTRY: "special"})
    vault = make_vault(MemoryKeyring())
    assert vault.storage_for(REGISTRY) == (
        StoreKind.HELPER,
        "Saved by the docker credential helper docker-credential-special, so the docker CLI is signed in too.",
    )
    kind, where = vault.storage_for("registry.example.com")
    assert kind is StoreKind.HELPER and "docker-credential-everything" in where


def test_credsstore_beats_the_keyring(docker_dir, make_vault, script_helper):
    script_helper("everything")
    write_config(docker_dir, credsStore="everything")
    assert make_vault(MemoryKeyring()).storage_for(DOCKER_HUB)[0] is StoreKind.HELPER


def test_the_keyring_when_no_helper_is_configured(make_vault):
    assert make_vault(MemoryKeyring()).storage_for(REGISTRY) == (
        StoreKind.KEYRING,
        "Saved in the system keyring (memory).",
    )


def test_a_configured_helper_that_is_not_installed_is_skipped(docker_dir, make_vault, bin_dir):
    write_config(docker_dir, credsStore="nowhere-to-be-found")
    assert make_vault(MemoryKeyring()).storage_for(REGISTRY)[0] is StoreKind.KEYRING


@unregistered
class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend, which keeps passwords in a readable file."""


@unregistered
class ZeroPriorityKeyring(MemoryKeyring):
    priority = 0


@unregistered
class NotHereKeyring(MemoryKeyring):
    @property
    def priority(self):
        raise RuntimeError("no D-Bus session")


@pytest.mark.parametrize(
    "backend",
    [
        fail.Keyring(),
        null.Keyring(),
        PlaintextKeyring(),
        ZeroPriorityKeyring(),
        NotHereKeyring(),
        FixedChainer(fail.Keyring(), null.Keyring()),
    ],
    ids=["fail", "null", "plaintext", "priority-0", "priority-raises", "empty-chainer"],
)
def test_unusable_keyrings_mean_session_only(make_vault, backend):
    assert not usable_keyring(backend)
    assert make_vault(backend).storage_for(REGISTRY) == (StoreKind.SESSION, SESSION_NO_STORE)


def test_a_chainer_with_a_usable_keyring_is_usable():
    assert usable_keyring(FixedChainer(fail.Keyring(), MemoryKeyring()))


def test_session_only_beats_every_store(docker_dir, make_vault, script_helper):
    script_helper("everything")
    write_config(docker_dir, credsStore="everything")
    vault = make_vault(MemoryKeyring(), session_only=True)
    assert vault.storage_for(REGISTRY) == (StoreKind.SESSION, SESSION_CHOSEN)


# Each kind of store: save, get, accounts, erase -------------------------------------------------------------------


def test_sign_in_with_the_real_pass_helper(docker_dir, make_vault, pass_store, index_path):
    write_config(docker_dir, credsStore="pass")
    vault = make_vault(MemoryKeyring())
    account = vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert account == Account(
        REGISTRY,
        "alice",
        StoreKind.HELPER,
        "Saved by the docker credential helper docker-credential-pass, so the docker CLI is signed in too.",
    )
    assert pass_list() == {REGISTRY: "alice"}  # the docker CLI sees the same sign-in
    assert make_vault(MemoryKeyring()).get(REGISTRY) == Credentials(REGISTRY, "alice", SECRET)
    assert vault.accounts() == [account]
    assert leaks([index_path.parent], SECRET, "alice") == []

    vault.erase(REGISTRY)
    assert pass_list() == {}
    assert vault.get(REGISTRY) is None
    assert vault.accounts() == []


def test_the_docker_clis_pass_logins_are_listed_and_read(docker_dir, make_vault, pass_store):
    write_config(docker_dir, credsStore="pass", auths={DOCKER_HUB: {}})  # what `docker login` leaves behind
    subprocess.run(
        ["docker-credential-pass", "store"],
        check=True,
        timeout=30,
        input=json.dumps({"ServerURL": DOCKER_HUB, "Username": "bob", "Secret": SECRET}).encode(),
    )
    vault = make_vault()
    assert vault.get("docker.io") == Credentials(DOCKER_HUB, "bob", SECRET)
    [account] = vault.accounts()
    assert (account.registry, account.username, account.kind) == (DOCKER_HUB, "bob", StoreKind.HELPER)
    assert account.display_registry == "Docker Hub"


def test_sign_in_with_a_script_helper(docker_dir, make_vault, script_helper, index_path):
    store = script_helper("script")
    write_config(docker_dir, credHelpers={REGISTRY: "script"})
    vault = make_vault()
    account = vault.save(Credentials(f"http://{REGISTRY}/", "alice", SECRET))
    assert (account.registry, account.kind) == (REGISTRY, StoreKind.HELPER)
    assert helper_entries(store) == {REGISTRY: ["alice", SECRET]}
    assert json.loads(index_path.read_text())["sign_ins"] == [
        {"registry": REGISTRY, "username": "alice", "kind": "helper", "helper": "script"}
    ]
    assert vault.get(REGISTRY).secret == SECRET
    vault.erase(REGISTRY)
    assert helper_entries(store) == {}
    assert json.loads(index_path.read_text())["sign_ins"] == []


def test_sign_in_with_the_keyring(make_vault, index_path):
    keyring = MemoryKeyring()
    account = make_vault(keyring).save(Credentials(REGISTRY, "alice", SECRET))
    assert account == Account(REGISTRY, "alice", StoreKind.KEYRING, "Saved in the system keyring (memory).")
    assert keyring.entries == {(f"portside:{REGISTRY}", "alice"): SECRET}
    later = make_vault(keyring)  # the next start of Portside: the list of sign-ins says where to look
    assert later.get(REGISTRY) == Credentials(REGISTRY, "alice", SECRET)
    assert later.accounts() == [account]
    assert leaks([index_path.parent], SECRET, "alice") == []
    later.erase(REGISTRY)
    assert keyring.entries == {}
    assert later.get(REGISTRY) is None and later.accounts() == []


def test_signing_in_again_as_someone_else_replaces_the_keyring_entry(make_vault):
    keyring = MemoryKeyring()
    vault = make_vault(keyring)
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    vault.save(Credentials(REGISTRY, "bob", "other"))
    assert keyring.entries == {(f"portside:{REGISTRY}", "bob"): "other"}
    assert [a.username for a in vault.accounts()] == ["bob"]


def test_a_helper_sign_in_replaces_the_older_keyring_one(docker_dir, make_vault, script_helper):
    keyring = MemoryKeyring()
    make_vault(keyring).save(Credentials(REGISTRY, "alice", SECRET))
    script_helper("script")
    write_config(docker_dir, credsStore="script")
    vault = make_vault(keyring)
    assert vault.save(Credentials(REGISTRY, "alice", SECRET)).kind is StoreKind.HELPER
    assert keyring.entries == {}
    assert [a.kind for a in vault.accounts()] == [StoreKind.HELPER]


def test_session_sign_ins_are_forgotten_with_the_vault(make_vault, index_path):
    vault = make_vault(session_only=True)
    account = vault.save(Credentials("Docker.io", "alice", SECRET))
    assert account == Account(DOCKER_HUB, "alice", StoreKind.SESSION, SESSION_CHOSEN)
    assert vault.get("index.docker.io") == Credentials(DOCKER_HUB, "alice", SECRET)
    assert vault.accounts() == [account]
    assert not index_path.exists()  # nothing written at all
    assert make_vault(session_only=True).get(DOCKER_HUB) is None
    vault.erase(DOCKER_HUB)
    assert vault.get(DOCKER_HUB) is None


def test_a_failing_keyring_falls_back_to_the_session(make_vault, expect_log_warnings, caplog):
    caplog.set_level(logging.DEBUG, logger="portside")
    vault = make_vault(BrokenKeyring())
    account = vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert account.kind is StoreKind.SESSION
    assert account.where.startswith(
        "Kept for this session only, because the system keyring (memory) could not save the sign-in"
    )
    assert vault.get(REGISTRY).secret == SECRET
    assert SECRET not in caplog.text and SECRET not in account.where


# The docker CLI's plain-text logins: read, never written -----------------------------------------------------------


def test_plaintext_logins_are_read_and_listed(docker_dir, make_vault):
    write_config(
        docker_dir,
        auths={f"http://{REGISTRY}": plain_auth("carol", SECRET), DOCKER_HUB: plain_auth("dave", "hub-secret")},
    )
    vault = make_vault()
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "carol", SECRET)
    assert vault.get("docker.io") == Credentials(DOCKER_HUB, "dave", "hub-secret")
    accounts = {a.registry: a for a in vault.accounts()}
    assert accounts[REGISTRY].kind is StoreKind.DOCKER_CLI
    assert accounts[REGISTRY].where == (
        f"Signed in with the docker CLI; stored in plain text in {docker_dir / 'config.json'} — a credential "
        "helper keeps it safer."
    )


def test_portside_never_writes_the_docker_config(docker_dir, make_vault, script_helper):
    script_helper("script")
    before = write_config(
        docker_dir, auths={REGISTRY: plain_auth("carol", SECRET)}, credHelpers={"registry.example.com": "script"}
    )
    vault = make_vault(MemoryKeyring())
    vault.save(Credentials(REGISTRY, "alice", "mine"))
    vault.save(Credentials("registry.example.com", "alice", "mine"))
    vault.save(Credentials(DOCKER_HUB, "alice", "mine"))
    vault.accounts()
    for registry in ("registry.example.com", DOCKER_HUB):
        vault.erase(registry)
    with pytest.raises(EngineError):
        vault.erase(REGISTRY)
    assert (docker_dir / "config.json").read_bytes() == before
    assert sorted(p.name for p in docker_dir.iterdir()) == ["config.json"]


def test_portsides_own_sign_in_comes_before_the_docker_clis(docker_dir, make_vault):
    write_config(
        docker_dir,
        auths={REGISTRY: plain_auth("carol", "cli-secret"), "registry.example.com": plain_auth("carol", "cli-secret")},
    )
    vault = make_vault(MemoryKeyring())
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "alice", SECRET)
    assert [(a.registry, a.username, a.kind) for a in vault.accounts()] == [
        (REGISTRY, "alice", StoreKind.KEYRING),
        ("registry.example.com", "carol", StoreKind.DOCKER_CLI),
    ]


def test_signing_out_of_a_plaintext_login_says_to_use_docker_logout(docker_dir, make_vault):
    write_config(docker_dir, auths={REGISTRY: plain_auth("carol", SECRET), DOCKER_HUB: plain_auth("dave", SECRET)})
    vault = make_vault()
    with pytest.raises(EngineError) as raised:
        vault.erase(REGISTRY)
    assert raised.value.message.endswith(f"To sign out there, run this in a terminal: docker logout {REGISTRY}")
    with pytest.raises(EngineError) as raised:
        vault.erase("docker.io")
    assert raised.value.message.endswith("To sign out there, run this in a terminal: docker logout")
    assert SECRET not in raised.value.message and SECRET not in raised.value.detail


def test_with_a_helper_configured_the_plaintext_auths_are_not_used(docker_dir, make_vault, script_helper):
    # docker-py and the docker CLI read only the helper then; an old auths entry is stale.
    script_helper("script")
    write_config(docker_dir, credsStore="script", auths={REGISTRY: plain_auth("carol", SECRET)})
    vault = make_vault()
    assert vault.get(REGISTRY) is None
    assert vault.accounts() == []


def test_credhelpers_route_registries_away_from_credsstore(docker_dir, make_vault, script_helper):
    everything = script_helper("everything")
    special = script_helper("special")
    write_config(docker_dir, credsStore="everything", credHelpers={REGISTRY: "special"})
    everything.write_text(json.dumps({REGISTRY: ["stale", "old"], DOCKER_HUB: ["dave", "hub"]}))
    special.write_text(json.dumps({REGISTRY: ["alice", SECRET]}))
    vault = make_vault()
    assert vault.get(REGISTRY) == Credentials(REGISTRY, "alice", SECRET)
    assert sorted((a.registry, a.username) for a in vault.accounts()) == [(REGISTRY, "alice"), (DOCKER_HUB, "dave")]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "\xff\xfe"])
def test_a_corrupt_docker_config_is_treated_as_empty(docker_dir, make_vault, expect_log_warnings, caplog, text):
    (docker_dir / "config.json").write_bytes(text.encode("latin-1"))
    vault = make_vault(MemoryKeyring())
    assert vault.accounts() == []
    assert vault.save(Credentials(REGISTRY, "alice", SECRET)).kind is StoreKind.KEYRING
    assert "cannot read the docker CLI config" in caplog.text


def test_an_unreadable_plaintext_login_is_skipped_without_logging_it(docker_dir, expect_log_warnings, caplog):
    write_config(
        docker_dir,
        auths={
            REGISTRY: {"auth": "!!not base64!!"},
            "b.example.com": {"auth": "bm9jb2xvbg=="},
            "c.example.com": plain_auth("carol", SECRET),
        },
    )
    config = read_docker_config(docker_dir)
    assert list(config.plaintext) == ["c.example.com"]
    assert "!!not base64!!" not in caplog.text and "bm9jb2xvbg" not in caplog.text
    assert SECRET not in repr(config)


def test_a_corrupt_index_is_set_aside(make_vault, index_path):
    keyring = MemoryKeyring()
    index_path.parent.mkdir(parents=True)
    index_path.write_text("{broken")
    vault = make_vault(keyring)
    assert vault.accounts() == []
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert index_path.with_name("registries.json.corrupt").read_text() == "{broken"
    assert [a.username for a in make_vault(keyring).accounts()] == ["alice"]


# Secrets stay secret, and reach docker-py in its own shape ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["keyring", "helper", "session"])
def test_no_file_portside_writes_holds_the_password_in_any_form(
    tmp_path, docker_dir, make_vault, script_helper, caplog, kind
):
    """raw, base64 of the password and of user:password (padded or not, standard or urlsafe), URL-encoded and
    JSON-escaped: none of them in the index, docker's config.json or the log."""
    caplog.set_level(logging.DEBUG)
    helper_store = None
    if kind == "helper":
        helper_store = script_helper("script")
        write_config(docker_dir, credsStore="script")
    vault = make_vault(MemoryKeyring(), session_only=kind == "session")
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    assert vault.get(REGISTRY).secret == SECRET
    vault.accounts()
    written = [path for path in files_under([tmp_path]) if path != helper_store and path.parent.name != "bin"]
    if kind != "session":
        assert any(path.name == "registries.json" for path in written)  # the scan sees what Portside wrote
    assert leaks(written, SECRET, "alice") == []
    assert text_leaks(caplog.text, SECRET, "alice") == []


def test_the_secret_is_never_in_a_repr_or_the_log(make_vault, caplog):
    caplog.set_level(logging.DEBUG)
    vault = make_vault(MemoryKeyring())
    credentials = Credentials(REGISTRY, "alice", SECRET)
    account = vault.save(credentials)
    vault.get(REGISTRY)
    vault.accounts()
    for text in (repr(credentials), str(credentials), repr(account), repr(vault), caplog.text):
        assert SECRET not in text
    assert "alice" in repr(credentials)


def test_auth_config_and_header_for_docker_py(make_vault):
    vault = make_vault(session_only=True)
    assert vault.auth_config(REGISTRY) is None and vault.auth_header(REGISTRY) is None
    vault.save(Credentials(REGISTRY, "alice", SECRET))
    config = {"username": "alice", "password": SECRET, "serveraddress": REGISTRY}
    assert vault.auth_config(REGISTRY) == config
    header = vault.auth_header(REGISTRY)
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))) == config


# Signing in: the registry's answer in plain words -----------------------------------------------------------------


class StubEngine:
    """Answers engine.login as the engine would, with its own words on failure."""

    def __init__(self, failure: str | None = None, gone: bool = False):
        self.failure, self.gone, self.calls = failure, gone, []

    def login(self, registry, username, secret):
        self.calls.append((registry, username))
        if self.gone:
            raise EngineGone("the Docker engine stopped answering.")
        if self.failure:
            raise EngineError("Could not sign in: " + self.failure, self.failure)
        return "Login Succeeded"


def test_sign_in_checks_with_the_engine_then_saves(make_vault):
    engine, vault = StubEngine(), make_vault(session_only=True)
    account = sign_in(engine, vault, "Docker.io", " alice ", SECRET)
    assert engine.calls == [(DOCKER_HUB, "alice")]
    assert (account.registry, account.username) == (DOCKER_HUB, "alice")
    assert vault.get(DOCKER_HUB).secret == SECRET
    sign_out(vault, "docker.io")
    assert vault.get(DOCKER_HUB) is None


@pytest.mark.parametrize(
    "registry, username, secret, words",
    [
        ("my registry", "alice", SECRET, "cannot contain spaces"),
        (REGISTRY, "  ", SECRET, "user name"),
        (REGISTRY, "alice", "", "password or access token"),
    ],
)
def test_sign_in_form_problems_never_reach_the_engine(make_vault, registry, username, secret, words):
    engine = StubEngine()
    with pytest.raises(EngineError, match=words):
        sign_in(engine, make_vault(session_only=True), registry, username, secret)
    assert engine.calls == []


@pytest.mark.parametrize(
    "registry, engine_words, kind, sentence",  # sentence: how the message begins
    [
        (
            REGISTRY,
            f"login attempt to http://{REGISTRY}/v2/ failed with status: 401 Unauthorized",
            SignInFailed,
            f"The registry {REGISTRY} refused the user name or password. Check them and try again.",
        ),
        (
            DOCKER_HUB,
            'Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password',
            SignInFailed,
            "The registry Docker Hub refused the user name or password. Check them; for Docker Hub, use an "
            "access token",
        ),
        (
            "127.0.0.1:1",
            'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
            EngineError,
            "Could not reach the registry 127.0.0.1:1. Check the address (and port)",
        ),
        (
            "registry.invalid",
            "dial tcp: lookup registry.invalid on 10.0.0.53:53: no such host",
            EngineError,
            "Could not reach the registry registry.invalid.",
        ),
        (
            "registry.example.com:5000",
            'Get "https://registry.example.com:5000/v2/": http: server gave HTTP response to HTTPS client',
            EngineError,
            "Could not sign in: registry.example.com:5000 does not speak HTTPS the way Docker expects. For a "
            'self-hosted registry without a certificate, add "registry.example.com:5000" to "insecure-registries" '
            "in Docker's daemon.json",
        ),
        (
            "registry.example.com",
            "x509: certificate signed by unknown authority",
            EngineError,
            "Could not sign in: registry.example.com does not speak HTTPS the way Docker expects. For a "
            'self-hosted registry without a certificate, add "registry.example.com" to "insecure-registries"',
        ),
        (
            "registry.example.com",
            "something new",
            EngineError,
            "Could not sign in to registry.example.com: something new",
        ),
    ],
)
def test_sign_in_failures_are_plain_sentences(make_vault, registry, engine_words, kind, sentence):
    vault = make_vault(session_only=True)
    with pytest.raises(EngineError) as raised:
        sign_in(StubEngine(engine_words), vault, registry, "alice", SECRET)
    assert type(raised.value) is kind
    assert raised.value.message.startswith(sentence)
    assert raised.value.detail == engine_words
    assert vault.accounts() == []


def test_a_lost_engine_is_not_a_refused_password(make_vault):
    with pytest.raises(EngineGone):
        sign_in(StubEngine(gone=True), make_vault(session_only=True), REGISTRY, "alice", SECRET)
