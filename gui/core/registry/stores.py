"""A sign-in's secret (Credentials) and the places it can be kept safely: a docker credential helper
(docker-credential-<name>, the docker CLI's own protocol) or the system keyring. No Qt.

Every call is blocking (a subprocess, or D-Bus for the keyring, which may show an unlock prompt): call from a worker.
Errors are StoreFailed with a plain sentence; no message ever carries a secret.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

from gui.core import log

logger = log.get("credentials")

HELPER_PREFIX = "docker-credential-"
KEYRING_SERVICE_PREFIX = "portside:"
_KEYRING_LABELS = {"macOS": "macOS Keychain", "Windows": "Windows Credential Manager", "kwallet": "KWallet"}


@dataclass(frozen=True)
class Credentials:
    """A registry sign-in: Portside's own, or one the docker CLI keeps (config.json's plain-text "auths" too)."""

    registry: str
    username: str
    secret: str = field(repr=False)


class StoreFailed(Exception):
    """A helper or keyring refused to save, read or erase. The message is a sentence without secrets."""


# Docker credential helpers -------------------------------------------------------------------------------------


class HelperStore:
    """docker-credential-<name> through docker-py's docker.credentials.Store (the same protocol the docker CLI
    speaks: store/get/erase/list on stdin/stdout)."""

    def __init__(self, name: str):
        self.name = name
        self.program = HELPER_PREFIX + name

    def available(self) -> bool:
        return shutil.which(self.program) is not None

    def _store(self):
        import docker.credentials  # here: keeps docker-py off the start-up path

        if not self.available():
            raise StoreFailed(
                f"The docker credential helper {self.program} is not installed (docker's config.json "
                "names it). Install it, or remove it from config.json."
            )
        return docker.credentials.Store(self.name)

    def save(self, registry: str, username: str, secret: str) -> None:
        import docker.credentials

        try:
            self._store().store(registry, username, secret)
        except docker.credentials.StoreError as exc:
            raise StoreFailed(_scrubbed(f"{self.program} could not save the sign-in: {exc}", secret)) from None

    def get(self, registry: str) -> tuple[str, str] | None:
        """(username, secret), or None when the helper has nothing for `registry`."""
        import docker.credentials

        try:
            found = self._store().get(registry)
        except docker.credentials.CredentialsNotFound:
            return None
        except docker.credentials.StoreError as exc:
            raise StoreFailed(f"{self.program} could not read the sign-in for {registry}: {exc}") from None
        username, secret = found.get("Username") or "", found.get("Secret") or ""
        if username == "<token>":
            # An identity token (OAuth) rather than a password: docker-py cannot send it as a login; skip it.
            return None
        return (username, secret) if username else None

    def erase(self, registry: str) -> None:
        import docker.credentials

        try:
            self._store().erase(registry)
        except docker.credentials.CredentialsNotFound:
            return
        except docker.credentials.StoreError as exc:
            raise StoreFailed(f"{self.program} could not remove the sign-in for {registry}: {exc}") from None

    def list(self) -> dict[str, str]:
        """Server address -> user name for everything the helper keeps (no secrets); {} when it cannot list."""
        import docker.credentials

        try:
            listed = self._store().list()
        except (docker.credentials.StoreError, StoreFailed, ValueError) as exc:
            logger.info("%s cannot list its sign-ins: %s", self.program, exc)
            return {}
        return {str(server): str(user) for server, user in listed.items()} if isinstance(listed, dict) else {}


def _scrubbed(text: str, secret: str) -> str:
    return text.replace(secret, "•••") if secret else text


# The system keyring --------------------------------------------------------------------------------------------


def usable_keyring(backend) -> bool:
    """True for a backend that keeps secrets safe: not keyring's "fail" or null backend, not a plain-text or
    file-based one (keyrings.alt, which may also ask for a password on a terminal the app does not have), with a
    priority above 0; a chainer is usable when one of its backends is."""
    from keyring.backends import chainer, fail

    if backend is None or isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(usable_keyring(inner) for inner in _chained(backend))
    module = type(backend).__module__.lower()
    name = type(backend).__name__.lower()
    if module.startswith(("keyrings.alt", "keyring.backends.null")) or "plaintext" in name or "null" in name:
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend says "not here" by raising from priority
        return False


def keyring_label(backend) -> str:
    """A short name for the backend: "SecretService", "KWallet", "macOS Keychain"..."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        usable = [inner for inner in _chained(backend) if usable_keyring(inner)]
        if usable:
            backend = usable[0]
    module_name = str(type(backend).name).split(" ", 1)[0]
    return _KEYRING_LABELS.get(module_name, module_name)


def _chained(backend) -> list:
    try:
        return list(backend.backends)
    except Exception:  # the chainer asks every installed backend for its priority; one may fail
        return []


def default_keyring():
    """keyring's choice for this desktop (may talk to D-Bus: blocking)."""
    import keyring

    return keyring.get_keyring()


class KeyringStore:
    """Entries are service "portside:<registry>", user name, secret: the keyring's own UI shows them plainly."""

    def __init__(self, backend):
        self.backend = backend
        self.label = keyring_label(backend)

    @staticmethod
    def service(registry: str) -> str:
        return KEYRING_SERVICE_PREFIX + registry

    def save(self, registry: str, username: str, secret: str) -> None:
        try:
            self.backend.set_password(self.service(registry), username, secret)
        except Exception as exc:  # keyring backends raise their own types (D-Bus, locked collection, dismissed)
            raise StoreFailed(
                _scrubbed(f"the system keyring ({self.label}) could not save the sign-in: {exc}", secret)
            ) from None

    def get(self, registry: str, username: str) -> str | None:
        try:
            return self.backend.get_password(self.service(registry), username)
        except Exception as exc:
            raise StoreFailed(
                f"the system keyring ({self.label}) could not read the sign-in for {registry}: {type(exc).__name__}"
            ) from None

    def erase(self, registry: str, username: str) -> None:
        import keyring.errors

        try:
            self.backend.delete_password(self.service(registry), username)
        except keyring.errors.PasswordDeleteError:
            return  # already gone
        except Exception as exc:
            raise StoreFailed(
                f"the system keyring ({self.label}) could not remove the sign-in for {registry}: {type(exc).__name__}"
            ) from None
