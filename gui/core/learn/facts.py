"""The facts the Learn page's checks need that take I/O: the project from the build history, whether its
Dockerfile is there and what lint finds in it, whether its published ports answer HTTP, and whether a registry
has its image. Blocking (disk, a short HTTP request, one engine call): run it in a worker. No Qt.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from gui.core import log
from gui.core.build.history import BuildHistory
from gui.core.dockerfile.rules import portside_rules
from gui.core.engine.rows import ContainerRow
from gui.core.learn.progress import Facts, LearnState, Project, probe_urls, project_from

__all__ = ["Gathered", "ProjectChecker", "answers_http"]

logger = log.get("learn")

PROBE_TIMEOUT_S = 0.5
MAX_PROBES = 4  # published ports asked per round: a container that publishes a range must not stall the round
MAX_DOCKERFILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Gathered:
    project: Project
    facts: Facts


def answers_http(url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """True when something at `url` answers HTTP, whatever its status (a 404 still answers). Never raises.
    http.client, not urllib: a proxy set in the environment must not stand in for a port on this machine."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        return False
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", "/", headers={"User-Agent": "Portside"})
        response = connection.getresponse()
        return 100 <= response.status < 600
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


class ProjectChecker:
    """Gathers the facts, one round at a time. Lint runs again only when the Dockerfile changed on disk."""

    def __init__(self, history: BuildHistory, probe: Callable[[str], bool] = answers_http):
        self.history = history
        self.probe = probe
        self._lock = threading.Lock()
        self._linted: tuple[tuple, frozenset[str]] | None = None  # ((path, mtime, size), rules)

    def gather(
        self,
        containers: Sequence[ContainerRow],
        wizard_folder: str | None,
        wizard_at: float,
        inspect_image: Callable[[str], dict] | None = None,
    ) -> Gathered:
        project = project_from(self.history.records(), wizard_folder, wizard_at)
        found, rules = self._lint(project.dockerfile_path)
        urls = probe_urls(LearnState(containers=containers, project=project))[:MAX_PROBES]
        answering = frozenset(url for url in urls if self.probe(url))
        facts = Facts(dockerfile_found=found, answering=answering, lint_rules=rules)
        if project.image_id and inspect_image is not None:
            facts = replace(facts, repo_digests=self._digests(project.image_id, inspect_image))
        return Gathered(project, facts)

    def _lint(self, path: Path | None) -> tuple[bool, frozenset[str] | None]:
        if path is None:
            return False, None
        try:
            stat = path.stat()
        except OSError:
            return False, None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._linted is not None and self._linted[0] == key:
                return True, self._linted[1]
        if stat.st_size > MAX_DOCKERFILE_BYTES:
            return True, None  # not a Dockerfile anyone wrote by hand: nothing to check
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            logger.info("could not read %s: %s", path, exc)
            return True, None
        rules = frozenset(finding.rule for finding in portside_rules(text, path.parent))
        with self._lock:
            self._linted = (key, rules)
        return True, rules

    @staticmethod
    def _digests(image_id: str, inspect_image: Callable[[str], dict]) -> tuple[str, ...]:
        try:
            digests = inspect_image(image_id).get("RepoDigests") or []
        except Exception as exc:  # the image was removed meanwhile, the engine went away: nothing pushed
            logger.info("could not inspect %s: %s", image_id, exc)
            return ()
        return tuple(digest for digest in digests if isinstance(digest, str))
