"""What the docker CLI's config.json says about sign-ins: which credential helper keeps them, and the logins it keeps
in plain text. Read only: Portside never writes this file. No Qt.

Blocking (a small file read): call from a worker.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from gui.core import log
from gui.core.registry.addresses import normalise_registry
from gui.core.registry.stores import Credentials

logger = log.get("credentials")

CONFIG_NAME = "config.json"


def default_config_dir() -> Path:
    """$DOCKER_CONFIG, or ~/.docker, as the docker CLI looks for it."""
    configured = os.environ.get("DOCKER_CONFIG")
    return Path(configured) if configured else Path.home() / ".docker"


@dataclass(frozen=True)
class DockerConfig:
    path: Path
    creds_store: str | None = None  # the helper for every registry ("pass", "secretservice", "desktop")
    cred_helpers: dict[str, str] = field(default_factory=dict)  # registry key -> helper, beats creds_store
    # Registry key -> a login the docker CLI keeps base64-encoded (not encrypted) in "auths".
    plaintext: dict[str, Credentials] = field(default_factory=dict, repr=False)

    def helper_for(self, registry: str) -> str | None:
        """The helper name (without the docker-credential- prefix) that keeps `registry`'s sign-in, or None."""
        return self.cred_helpers.get(normalise_registry(registry)) or self.creds_store

    def helper_names(self) -> list[str]:
        """Every helper the config names, credsStore first, each once."""
        names = [self.creds_store] if self.creds_store else []
        names += [name for name in self.cred_helpers.values() if name not in names]
        return names

    def shown_path(self) -> str:
        """The file's path as a person would type it (~/.docker/config.json)."""
        try:
            return "~/" + self.path.relative_to(Path.home()).as_posix()
        except ValueError:
            return str(self.path)


def read_docker_config(config_dir: Path | None = None) -> DockerConfig:
    """The config in `config_dir` (default: $DOCKER_CONFIG or ~/.docker). A missing file is an empty config; an
    unreadable or corrupt one too, with a warning in the log (the docker CLI would complain about it as well)."""
    path = (Path(config_dir) if config_dir is not None else default_config_dir()) / CONFIG_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        return DockerConfig(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        logger.warning("cannot read the docker CLI config %s (%s); treating it as empty", path, exc)
        return DockerConfig(path)
    creds_store = raw.get("credsStore") if isinstance(raw.get("credsStore"), str) else None
    helpers = raw.get("credHelpers") if isinstance(raw.get("credHelpers"), dict) else {}
    return DockerConfig(
        path=path,
        creds_store=creds_store or None,
        cred_helpers={normalise_registry(key): name for key, name in helpers.items() if isinstance(name, str) and name},
        plaintext=_plaintext_logins(raw.get("auths"), path),
    )


def _plaintext_logins(auths, path: Path) -> dict[str, Credentials]:
    # Entries are {"auth": base64("user:secret")}; with a credential helper the CLI leaves empty {} entries here.
    logins: dict[str, Credentials] = {}
    if not isinstance(auths, dict):
        return logins
    for key, entry in auths.items():
        if not isinstance(entry, dict) or not entry.get("auth"):
            continue
        registry = normalise_registry(key)
        try:
            username, colon, secret = base64.b64decode(entry["auth"], validate=True).decode("utf-8").partition(":")
        except (binascii.Error, ValueError, TypeError):
            colon = ""
        if not colon or not username:
            # Never log the entry itself: it is a password in base64.
            logger.warning("ignoring an unreadable login for %s in %s", registry, path)
            continue
        logins.setdefault(registry, Credentials(registry, username, secret))
    return logins
