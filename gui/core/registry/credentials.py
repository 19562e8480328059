"""Registry sign-ins: where they are kept, and reading them back for pushes and pulls. No Qt.

A new sign-in goes to the safest place this computer has, in the order the docker CLI would pick plus a keyring:
1. the docker credential helper that docker's config.json names for the registry (credHelpers, then credsStore),
   so the docker CLI is signed in too;
2. the system keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Manager);
3. memory, for this session only.
Portside keeps a list of its own sign-ins (registry, user name, where: never the secret) in registries.json in
its config folder. The docker CLI's sign-ins (helpers and config.json's plain-text "auths") are read, never
written.

Every method of CredentialVault is blocking (helper programs, D-Bus, disk): call them from a worker.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import platformdirs

from gui.core import log
from gui.core.errors import EngineError
from gui.core.fileio import atomic_write, set_aside
from gui.core.registry.addresses import DOCKER_HUB, display_name, normalise_registry
from gui.core.registry.docker_config import DockerConfig, read_docker_config
from gui.core.registry.stores import (
    Credentials,
    HelperStore,
    KeyringStore,
    StoreFailed,
    default_keyring,
    usable_keyring,
)

logger = log.get("credentials")

INDEX_NAME = "registries.json"
INDEX_VERSION = 1


class StoreKind(Enum):
    HELPER = "helper"
    KEYRING = "keyring"
    SESSION = "session"
    DOCKER_CLI = "docker-cli"  # a plain-text login in docker's config.json, made with `docker login`


@dataclass(frozen=True)
class Account:
    registry: str
    username: str
    kind: StoreKind
    where: str  # one sentence for the UI: where the sign-in is kept

    @property
    def display_registry(self) -> str:
        return display_name(self.registry)


def default_index_path() -> Path:
    return Path(platformdirs.user_config_dir("portside", appauthor=False)) / INDEX_NAME


def logout_command(registry: str) -> str:
    """The docker CLI command that signs out of `registry` (Docker Hub is its default)."""
    return "docker logout" if registry == DOCKER_HUB else f"docker logout {registry}"


# Sentences for where a sign-in is kept ---------------------------------------------------------------------------


def helper_sentence(program: str) -> str:
    return f"Saved by the docker credential helper {program}, so the docker CLI is signed in too."


def keyring_sentence(label: str) -> str:
    return f"Saved in the system keyring ({label})."


SESSION_CHOSEN = "Kept for this session only: Portside forgets it when it quits, so sign in again next time."
SESSION_NO_STORE = (
    "Kept for this session only: this computer has no credential helper or system keyring to keep "
    "it safely, so sign in again next time."
)


def plaintext_sentence(config: DockerConfig) -> str:
    return (
        f"Signed in with the docker CLI; stored in plain text in {config.shown_path()} — a credential helper "
        "keeps it safer."
    )


# Portside's own list of its sign-ins (no secrets) ------------------------------------------------------------------


@dataclass(frozen=True)
class _IndexEntry:
    registry: str
    username: str
    kind: StoreKind
    helper: str = ""  # the helper's name for kind HELPER


class _SignInIndex:
    """registries.json, replaced atomically on every change. An unreadable file is set aside as .corrupt."""

    def __init__(self, path: Path):
        self.path = path

    def entries(self) -> dict[str, _IndexEntry]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            found = {}
            for item in raw["sign_ins"]:
                entry = _IndexEntry(
                    normalise_registry(item["registry"]),
                    str(item["username"]),
                    StoreKind(item["kind"]),
                    str(item.get("helper", "")),
                )
                if entry.kind in (StoreKind.HELPER, StoreKind.KEYRING):
                    found[entry.registry] = entry
            return found
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
            set_aside(self.path, exc, logger, "starting without Portside's list of sign-ins")
            return {}

    def put(self, entry: _IndexEntry) -> None:
        entries = self.entries()
        entries.pop(entry.registry, None)
        entries[entry.registry] = entry
        self._write(entries)

    def remove(self, registry: str) -> None:
        entries = self.entries()
        if entries.pop(registry, None) is not None:
            self._write(entries)

    def _write(self, entries: dict[str, _IndexEntry]) -> None:
        items = [
            {"registry": e.registry, "username": e.username, "kind": e.kind.value}
            | ({"helper": e.helper} if e.helper else {})
            for e in entries.values()
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(
            self.path, json.dumps({"version": INDEX_VERSION, "sign_ins": items}, indent=2) + "\n", private=True
        )


# The vault ---------------------------------------------------------------------------------------------------------


class CredentialVault:
    """Saves, finds and removes registry sign-ins. Blocking: call every method from a worker."""

    def __init__(
        self,
        docker_config_dir: Path | None = None,
        index_path: Path | None = None,
        keyring_backend=None,
        session_only: bool = False,
    ):
        # Cheap: nothing is read until a method runs (the keyring may talk to D-Bus; not on the GUI thread).
        self._docker_config_dir = Path(docker_config_dir) if docker_config_dir is not None else None
        self._index = _SignInIndex(Path(index_path) if index_path is not None else default_index_path())
        self._keyring_backend = keyring_backend
        self._keyring_resolved = False
        self._keyring_store: KeyringStore | None = None
        self._session_only = session_only
        self._session: dict[str, Credentials] = {}
        self._lock = threading.RLock()  # workers of two dialogs may sign in at once

    def __repr__(self) -> str:
        return f"CredentialVault(index={self._index.path}, session_only={self._session_only})"

    # Where things go ------------------------------------------------------------------------------------------

    def storage_for(self, registry: str) -> tuple[StoreKind, str]:
        """Where a new sign-in to `registry` would be kept, and the sentence that says so."""
        with self._lock:
            kind, store = self._targets(normalise_registry(registry), self._config())[0]
            return kind, self._sentence(kind, store)

    def _config(self) -> DockerConfig:
        return read_docker_config(self._docker_config_dir)

    def _keyring(self) -> KeyringStore | None:
        if not self._keyring_resolved:
            backend = self._keyring_backend
            if backend is None:
                try:
                    backend = default_keyring()
                except Exception as exc:  # a broken keyring set-up must not stop sign-ins
                    logger.info("no system keyring: %s", exc)
            self._keyring_store = KeyringStore(backend) if usable_keyring(backend) else None
            logger.info("system keyring: %s", self._keyring_store.label if self._keyring_store else "none usable")
            self._keyring_resolved = True
        return self._keyring_store

    def _targets(self, registry: str, config: DockerConfig) -> list[tuple[StoreKind, object]]:
        """The places to try for a new sign-in, safest first; the session always comes last."""
        targets: list[tuple[StoreKind, object]] = []
        if not self._session_only:
            helper_name = config.helper_for(registry)
            if helper_name and HelperStore(helper_name).available():
                targets.append((StoreKind.HELPER, HelperStore(helper_name)))
            keyring = self._keyring()
            if keyring is not None:
                targets.append((StoreKind.KEYRING, keyring))
        targets.append((StoreKind.SESSION, None))
        return targets

    def _sentence(self, kind: StoreKind, store) -> str:
        if kind is StoreKind.HELPER:
            return helper_sentence(store.program)
        if kind is StoreKind.KEYRING:
            return keyring_sentence(store.label)
        return SESSION_CHOSEN if self._session_only else SESSION_NO_STORE

    # Saving ---------------------------------------------------------------------------------------------------

    def save(self, credentials: Credentials) -> Account:
        """Keep the sign-in in the safest place available (see storage_for); a place that fails is skipped
        (logged) and the next one is used, down to this session's memory, which cannot fail."""
        registry = normalise_registry(credentials.registry)
        credentials = replace(credentials, registry=registry)
        with self._lock:
            failures: list[str] = []
            for kind, store in self._targets(registry, self._config()):
                try:
                    if store is not None:
                        store.save(registry, credentials.username, credentials.secret)
                except StoreFailed as exc:
                    logger.warning("could not save the sign-in to %s: %s; trying the next place", registry, exc)
                    failures.append(str(exc))
                    continue
                self._forget_other_copies(registry, kind, store, credentials.username)
                if kind is StoreKind.SESSION:
                    self._session[registry] = credentials
                    where = self._sentence(kind, store)
                    if failures:
                        where = f"Kept for this session only, because {failures[-1]}. Sign in again next time."
                else:
                    self._index.put(
                        _IndexEntry(
                            registry, credentials.username, kind, store.name if kind is StoreKind.HELPER else ""
                        )
                    )
                    where = self._sentence(kind, store)
                logger.info("signed in to %s as %s (%s)", registry, credentials.username, kind.value)
                return Account(registry, credentials.username, kind, where)
        raise AssertionError("the session store is always a target")

    def _forget_other_copies(self, registry: str, kind: StoreKind, store, username: str) -> None:
        """A new sign-in replaces Portside's older one (another user, or another place)."""
        if kind is not StoreKind.SESSION:
            self._session.pop(registry, None)
        old = self._index.entries().get(registry)
        if old is None:
            return
        overwritten = (old.kind is kind is StoreKind.HELPER and old.helper == store.name) or (
            old.kind is kind is StoreKind.KEYRING and old.username == username
        )
        if not overwritten:
            try:
                self._erase_entry(old)
            except StoreFailed as exc:
                logger.info("could not remove the older sign-in to %s: %s", registry, exc)
        if kind is StoreKind.SESSION:
            self._index.remove(registry)

    # Reading --------------------------------------------------------------------------------------------------

    def get(self, registry: str) -> Credentials | None:
        """The sign-in for `registry`: Portside's own first (session, then its helper or keyring entry), then the
        docker CLI's (its credential helper, or else config.json's plain-text auths, as docker-py reads them)."""
        registry = normalise_registry(registry)
        with self._lock:
            if registry in self._session:
                return self._session[registry]
            entry = self._index.entries().get(registry)
            if entry is not None:
                found = self._read_entry(entry)
                if found is not None:
                    return found
            return self._docker_cli_login(registry, self._config())

    def _read_entry(self, entry: _IndexEntry) -> Credentials | None:
        try:
            if entry.kind is StoreKind.KEYRING:
                keyring = self._keyring()
                secret = keyring.get(entry.registry, entry.username) if keyring else None
                return Credentials(entry.registry, entry.username, secret) if secret is not None else None
            found = HelperStore(entry.helper).get(entry.registry)
        except StoreFailed as exc:
            logger.info("cannot read Portside's sign-in to %s: %s", entry.registry, exc)
            return None
        return Credentials(entry.registry, *found) if found else None

    def _docker_cli_login(self, registry: str, config: DockerConfig) -> Credentials | None:
        helper_name = config.helper_for(registry)
        if helper_name:
            # Like docker-py: with a helper configured, config.json's auths are not consulted.
            try:
                found = HelperStore(helper_name).get(registry)
            except StoreFailed as exc:
                logger.info("cannot read the docker CLI's sign-in to %s: %s", registry, exc)
                return None
            return Credentials(registry, *found) if found else None
        return config.plaintext.get(registry)

    def auth_config(self, registry: str) -> dict | None:
        """{"username", "password", "serveraddress"} for docker-py, or None when not signed in."""
        credentials = self.get(registry)
        if credentials is None:
            return None
        return {"username": credentials.username, "password": credentials.secret, "serveraddress": credentials.registry}

    def auth_header(self, registry: str) -> str | None:
        """The X-Registry-Auth header value for a push or pull, or None when not signed in."""
        import docker.auth  # here: keeps docker-py off the start-up path

        config = self.auth_config(registry)
        return docker.auth.encode_header(config).decode("ascii") if config else None  # docker-py gives bytes

    # Everyone signed in ---------------------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """Every sign-in: Portside's (session, keyring, helper) first, then the docker CLI's; one per registry."""
        with self._lock:
            config = self._config()
            listings: dict[str, dict[str, str]] = {}  # helper name -> normalised registry -> user name

            def listing(name: str) -> dict[str, str]:
                if name not in listings:
                    helper = HelperStore(name)
                    raw = helper.list() if helper.available() else {}
                    listings[name] = {
                        normalise_registry(server): user for server, user in raw.items() if user and user != "<token>"
                    }
                return listings[name]

            found: dict[str, Account] = {}
            for registry, credentials in self._session.items():
                found[registry] = Account(
                    registry, credentials.username, StoreKind.SESSION, self._sentence(StoreKind.SESSION, None)
                )
            for registry, entry in self._index.entries().items():
                if registry in found:
                    continue
                if entry.kind is StoreKind.KEYRING and self._keyring() is not None:
                    found[registry] = Account(
                        registry, entry.username, StoreKind.KEYRING, keyring_sentence(self._keyring().label)
                    )
                elif entry.kind is StoreKind.HELPER and registry in listing(entry.helper):
                    found[registry] = Account(
                        registry,
                        listing(entry.helper)[registry],
                        StoreKind.HELPER,
                        helper_sentence(HelperStore(entry.helper).program),
                    )
            for name in config.helper_names():
                for registry, user in listing(name).items():
                    if registry not in found and config.helper_for(registry) == name:
                        found[registry] = Account(
                            registry, user, StoreKind.HELPER, helper_sentence(HelperStore(name).program)
                        )
            for registry, login in config.plaintext.items():
                if registry not in found and config.helper_for(registry) is None:
                    found[registry] = Account(
                        registry, login.username, StoreKind.DOCKER_CLI, plaintext_sentence(config)
                    )
            return list(found.values())

    # Signing out ----------------------------------------------------------------------------------------------

    def erase(self, registry: str) -> None:
        """Sign out of `registry` wherever Portside or a credential helper keeps it. A docker CLI login kept in
        plain text in config.json is left alone (Portside never writes that file): EngineError says to run
        `docker logout`. Failing helpers or keyrings raise EngineError too."""
        registry = normalise_registry(registry)
        with self._lock:
            removed = self._session.pop(registry, None) is not None
            try:
                entry = self._index.entries().get(registry)
                if entry is not None:
                    self._erase_entry(entry)
                    self._index.remove(registry)
                    removed = True
                config = self._config()
                helper_name = config.helper_for(registry)
                if helper_name and HelperStore(helper_name).available():
                    helper = HelperStore(helper_name)
                    # Every spelling the docker CLI may have kept (http://host, https://host/), as `docker logout` does.
                    for server in helper.list():
                        if normalise_registry(server) == registry:
                            helper.erase(server)
                            removed = True
            except StoreFailed as exc:
                raise EngineError(f"Could not sign out of {display_name(registry)}: {exc}.", str(exc)) from None
            if helper_name is None and registry in config.plaintext:
                first = "Portside's sign-in is removed, but the" if removed else "The"
                raise EngineError(
                    f"{first} docker CLI is signed in to {display_name(registry)} too, in plain text in "
                    f"{config.shown_path()}, which Portside does not change. To sign out there, run this in a "
                    f"terminal: {logout_command(registry)}"
                )
            logger.info("signed out of %s", registry)

    def _erase_entry(self, entry: _IndexEntry) -> None:
        if entry.kind is StoreKind.KEYRING:
            keyring = self._keyring()
            if keyring is not None:
                keyring.erase(entry.registry, entry.username)
        else:
            helper = HelperStore(entry.helper)
            if helper.available():
                helper.erase(entry.registry)
