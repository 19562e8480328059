"""Where the Run dialog's remembered secret values live: the system keyring, or nowhere. No Qt.

run-settings.json never holds a secret value. When the computer has a usable keyring (Secret Service, KWallet,
macOS Keychain…; never a plain-text or file-based one: see gui.core.registry.stores.usable_keyring) the value
is kept there, under the service "portside:run:<slot>" and the variable's name; otherwise it is not kept and
the Run dialog asks for it again. Every call may talk to D-Bus (and show an unlock prompt): call from a worker.
"""

from __future__ import annotations

from gui.core import log
from gui.core.registry.stores import default_keyring, keyring_label, usable_keyring

logger = log.get("run-memory")

SERVICE_PREFIX = "portside:run:"


class KeptSecrets:
    """Secret values per slot ("last:python", "preset:my settings") and variable name. A keyring that fails is
    treated as absent: the value is then not kept, and the log says why without the value."""

    def __init__(self, keyring_backend=None):
        # Cheap: the keyring is looked for on first use, in a worker.
        self._backend = keyring_backend
        self._resolved = False

    def _keyring(self):
        if not self._resolved:
            backend = self._backend
            if backend is None:
                try:
                    backend = default_keyring()
                except Exception as exc:  # a broken keyring set-up must not stop runs
                    logger.info("no system keyring for secret run settings: %s", type(exc).__name__)
            self._backend = backend if usable_keyring(backend) else None
            label = keyring_label(self._backend) if self._backend is not None else "none usable"
            logger.info("secret run settings are kept in: %s", label)
            self._resolved = True
        return self._backend

    @property
    def available(self) -> bool:
        return self._keyring() is not None

    def keep(self, slot: str, name: str, value: str) -> bool:
        """True when the keyring now holds `value`; False when it is not kept anywhere."""
        backend = self._keyring()
        if backend is None:
            return False
        try:
            backend.set_password(SERVICE_PREFIX + slot, name, value)
        except Exception as exc:  # keyring backends raise their own types (locked, dismissed, D-Bus)
            logger.info("the keyring did not keep %s for %s: %s", name, slot, type(exc).__name__)
            return False
        return True

    def get(self, slot: str, name: str) -> str | None:
        backend = self._keyring()
        if backend is None:
            return None
        try:
            return backend.get_password(SERVICE_PREFIX + slot, name)
        except Exception as exc:
            logger.info("the keyring could not give %s for %s: %s", name, slot, type(exc).__name__)
            return None

    def forget(self, slot: str, name: str) -> None:
        backend = self._keyring()
        if backend is None:
            return
        try:
            backend.delete_password(SERVICE_PREFIX + slot, name)
        except Exception:  # already gone, or the keyring is locked: nothing more to do
            pass
