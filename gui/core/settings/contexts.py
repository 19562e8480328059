"""Which engine: the docker contexts the docker CLI knows (its config folder's `contexts/meta/*/meta.json`), the
engine Portside finds when none is chosen (as the docker CLI would: DOCKER_HOST, the current context, the local
socket), and the context chosen on the Settings page for this run of Portside.

The choice is process-wide, like the DOCKER_CONTEXT variable it stands in for: the worker that finds the engine
(`diagnose_chosen`) reads it, the Settings page and the start-up set it. DOCKER_HOST still wins over it, as it wins
over `docker context use` for the docker CLI."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from gui.core import log
from gui.core.engine.connection import Diagnosis, Endpoint, diagnose, docker_config_dir, resolve_endpoint

logger = log.get("settings")

_chosen = ""  # "" -> the engine the docker CLI would use


@dataclass(frozen=True)
class DockerContext:
    name: str
    host: str  # the docker endpoint's address, "" when the context has none
    description: str = ""


@dataclass(frozen=True)
class EngineChoices:
    contexts: tuple[DockerContext, ...]  # by name
    detected: Endpoint  # what Portside uses with no choice
    docker_host: str  # DOCKER_HOST when set: it wins over any choice


def read_contexts() -> tuple[DockerContext, ...]:
    """Every context in the docker CLI's config folder, by name. Reads the disk: call it in a worker."""
    meta = docker_config_dir() / "contexts" / "meta"
    found: dict[str, DockerContext] = {}
    try:
        folders = sorted(meta.iterdir())
    except OSError:
        return ()  # no contexts yet: only the CLI's built-in "default"
    for folder in folders:
        try:
            data = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.info("skipped the docker context in %s: %s", folder, exc)
            continue
        context = _context(data)
        if context is not None:
            found[context.name] = context
    return tuple(found[name] for name in sorted(found, key=str.lower))


def _context(data: object) -> DockerContext | None:
    if not isinstance(data, dict) or not isinstance(data.get("Name"), str) or not data["Name"]:
        return None
    endpoints = data.get("Endpoints") if isinstance(data.get("Endpoints"), dict) else {}
    docker = endpoints.get("docker") if isinstance(endpoints.get("docker"), dict) else {}
    metadata = data.get("Metadata") if isinstance(data.get("Metadata"), dict) else {}
    host = docker.get("Host") if isinstance(docker.get("Host"), str) else ""
    description = metadata.get("Description") if isinstance(metadata.get("Description"), str) else ""
    return DockerContext(data["Name"], host, description)


def engine_choices() -> EngineChoices:
    """The contexts to offer and the engine found with none chosen. Reads the disk: call it in a worker."""
    return EngineChoices(read_contexts(), resolve_endpoint(), os.environ.get("DOCKER_HOST", ""))


def choose(name: str) -> None:
    """The context the engine is looked for in from now on ("" for the one the docker CLI would use)."""
    global _chosen
    _chosen = name


def chosen() -> str:
    return _chosen


def diagnose_chosen() -> Diagnosis:
    """One full check of the chosen engine (blocking: a worker's job), for EngineSession's diagnose_fn."""
    return diagnose(resolve_endpoint(_chosen or None))
