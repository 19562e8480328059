"""A system keyring that lives in memory: a real keyring.backend.KeyringBackend, so the vault's keyring code runs
unchanged in tests on machines without a Secret Service."""

from __future__ import annotations

import keyring.backend
import keyring.errors
from keyring.backends import chainer


def unregistered(backend_class):
    """Defining a backend registers it with keyring's automatic choice; test backends are passed explicitly
    instead, so that keyring.get_keyring() elsewhere in the session never picks a fake."""
    keyring.backend.KeyringBackend._classes.discard(backend_class)
    return backend_class


@unregistered
class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")


@unregistered
class BrokenKeyring(MemoryKeyring):
    """A keyring that looks usable but refuses every write (a locked collection, a dismissed unlock prompt)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")


@unregistered
class FixedChainer(chainer.ChainerBackend):
    """keyring's chainer over the given backends (the real one chains every backend installed)."""

    def __init__(self, *backends):
        super().__init__()
        self._fixed = list(backends)

    @property
    def backends(self):
        return self._fixed
