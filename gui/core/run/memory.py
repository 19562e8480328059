"""The Run dialog's memory: the last settings used for each image, and named presets. No Qt.

One small JSON file (run-settings.json in the user's config folder, 0600 in a 0700 folder), replaced atomically
on every write. A secret value (by its name or its shape: gui.core.secrets.is_secret) is never written there: it
is kept in the system keyring when the computer has a usable one (gui.core.run.kept_secrets), else not kept at
all, and the row is marked so the Run dialog asks for it again ("secret not kept: type it again").
A file that cannot be read is set aside as run-settings.json.corrupt and the memory starts empty.
Blocking file I/O (small and quick, but disk): the view calls these methods through a worker.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import platformdirs

from gui.core import log
from gui.core.fileio import atomic_write, set_aside
from gui.core.reference import split_reference
from gui.core.run.kept_secrets import KeptSecrets
from gui.core.run.spec import EnvVar, RunSpec
from gui.core.secrets import is_secret

logger = log.get("run-memory")

FILE_NAME = "run-settings.json"
VERSION = 1
MAX_IMAGES = 100  # the images remembered; the least recently run go first
# An env row's "secret" key in the file: where its value went (the "value" itself is always "").
IN_KEYRING = "keyring"
NOT_KEPT = "not kept"


@dataclass(frozen=True)
class Recalled:
    """Remembered settings, with the secret values the keyring gave back, and the names of the variables whose
    secret value was not kept (the form asks for them again)."""

    spec: RunSpec
    not_kept: frozenset[str] = frozenset()


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("portside", appauthor=False)) / FILE_NAME


def memory_key(image: str) -> str:
    """The repository an image reference names, without tag or digest, so python:3.11 and python:3.12 share
    settings; docker.io/library/python and python are one repository."""
    repository, _, _ = split_reference(image.strip())
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if repository.startswith(prefix):
            return repository[len(prefix) :]
    return repository


class RunMemory:
    def __init__(self, path: Path | None = None, keyring_backend=None):
        """keyring_backend None: the system keyring, when a usable one is found (tests pass their own)."""
        self.path = Path(path) if path is not None else default_path()
        self.secrets = KeptSecrets(keyring_backend)
        self._lock = threading.Lock()  # workers of two dialogs may write at once

    # Last settings per image ------------------------------------------------------------------

    def recall(self, image: str) -> Recalled | None:
        """The settings last run for this image's repository, with `image` as the image (a new tag keeps the
        ports and variables of the old one); None when there are none."""
        key = memory_key(image)
        with self._lock:
            data = self._load()
        found = self._recalled(data["last"].get(key), f"last settings for {key}", _last_slot(key))
        return replace(found, spec=replace(found.spec, image=image)) if found else None

    def last_for(self, image: str) -> RunSpec | None:
        found = self.recall(image)
        return found.spec if found else None

    def remember(self, spec: RunSpec) -> None:
        key = memory_key(spec.image)
        with self._lock:
            data = self._load()
            last = data["last"]
            old = last.pop(key, None)  # re-inserted last: the dict's order is the order of use
            last[key] = self._stored(spec, _last_slot(key), old)
            for gone in list(last)[:-MAX_IMAGES]:
                self._forget_secrets(_last_slot(gone), last.pop(gone), keep=())
            self._save(data)

    # Presets ---------------------------------------------------------------------------------

    def recall_presets(self) -> dict[str, Recalled]:
        """Name -> settings, sorted by name; unreadable presets are left out."""
        with self._lock:
            data = self._load()
        found = {
            name: self._recalled(raw, f"preset {name}", _preset_slot(name)) for name, raw in data["presets"].items()
        }
        return {name: found[name] for name in sorted(found, key=str.casefold) if found[name] is not None}

    def presets(self) -> dict[str, RunSpec]:
        return {name: found.spec for name, found in self.recall_presets().items()}

    def save_preset(self, name: str, spec: RunSpec) -> None:
        """Saves (or replaces) a preset. Raises ValueError for an empty name."""
        name = name.strip()
        if not name:
            raise ValueError("Give the preset a name.")
        with self._lock:
            data = self._load()
            presets = data["presets"]
            presets[name] = self._stored(spec, _preset_slot(name), presets.get(name))
            self._save(data)

    def delete_preset(self, name: str) -> None:
        with self._lock:
            data = self._load()
            old = data["presets"].pop(name, None)
            if old is not None:
                self._save(data)
                self._forget_secrets(_preset_slot(name), old, keep=())

    # Secret values: in the keyring or nowhere --------------------------------------------------

    def _stored(self, spec: RunSpec, slot: str, old: Any) -> dict[str, Any]:
        """The spec as the file keeps it: each secret value goes to the keyring (or nowhere), its row says where."""
        stored = spec.to_dict()
        rows, kept = [], set()
        for var in spec.env:
            if not is_secret(var.name, var.value):
                rows.append({"name": var.name, "value": var.value})
                continue
            in_keyring = self.secrets.keep(slot, var.name, var.value)
            if in_keyring:
                kept.add(var.name)
            rows.append({"name": var.name, "value": "", "secret": IN_KEYRING if in_keyring else NOT_KEPT})
        stored["env"] = rows
        self._forget_secrets(slot, old, keep=kept)
        return stored

    def _forget_secrets(self, slot: str, old: Any, keep) -> None:
        """Removes from the keyring the values an older entry kept there that the new one no longer uses."""
        for row in _env_rows(old):
            if row.get("secret") == IN_KEYRING and row.get("name") not in keep:
                self.secrets.forget(slot, str(row.get("name")))

    def _recalled(self, raw: Any, what: str, slot: str) -> Recalled | None:
        spec = _spec_or_none(raw, what)
        if spec is None:
            return None
        where = {str(row.get("name")): row.get("secret") for row in _env_rows(raw) if row.get("secret")}
        env, not_kept = [], set()
        for var in spec.env:
            value = self.secrets.get(slot, var.name) if where.get(var.name) == IN_KEYRING else None
            if value is not None:
                var = EnvVar(var.name, value)
            elif var.name in where:
                not_kept.add(var.name)
            env.append(var)
        return Recalled(replace(spec, env=tuple(env)), frozenset(not_kept))

    def _scrub(self, data: dict[str, Any]) -> bool:
        """Moves secret values that an older Portside wrote in plain text to the keyring (or drops them); True
        when something changed and the file must be written again."""
        changed = False
        for group, slot in (("last", _last_slot), ("presets", _preset_slot)):
            for name, raw in data[group].items():
                plain = [row for row in _env_rows(raw) if is_secret(str(row.get("name")), str(row.get("value") or ""))]
                for row in plain:
                    in_keyring = self.secrets.keep(slot(name), str(row.get("name")), str(row.get("value")))
                    row["value"], row["secret"] = "", IN_KEYRING if in_keyring else NOT_KEPT
                changed = changed or bool(plain)
        return changed

    # The file ---------------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        empty: dict[str, Any] = {"version": VERSION, "last": {}, "presets": {}}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return empty
        except (OSError, UnicodeDecodeError) as exc:
            logger.info("cannot read %s (%s); starting without remembered run settings", self.path, exc)
            return empty
        try:
            data = json.loads(text)
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("last", {}), dict)
                or not isinstance(data.get("presets", {}), dict)
            ):
                raise TypeError("not a run-settings object")
        except (ValueError, TypeError) as exc:
            set_aside(self.path, exc, logger, "starting without remembered run settings")
            return empty
        loaded = {"version": VERSION, "last": dict(data.get("last", {})), "presets": dict(data.get("presets", {}))}
        if self._scrub(loaded):
            try:
                self._save(loaded)
            except OSError as exc:
                logger.info("cannot rewrite %s without its plain-text secrets: %s", self.path, exc)
        return loaded

    def _save(self, data: dict[str, Any]) -> None:
        atomic_write(self.path, json.dumps(data, indent=2, sort_keys=False) + "\n", private=True)


def _last_slot(key: str) -> str:
    return f"last:{key}"


def _preset_slot(name: str) -> str:
    return f"preset:{name}"


def _env_rows(raw: Any) -> list[dict[str, Any]]:
    env = raw.get("env") if isinstance(raw, dict) else None
    return [row for row in env if isinstance(row, dict)] if isinstance(env, list) else []


def _spec_or_none(raw: Any, what: str) -> RunSpec | None:
    if raw is None:
        return None
    try:
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        return RunSpec.from_dict(raw)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        logger.info("ignoring the remembered %s: %s", what, exc)
        return None
