"""FakeEngine with compose projects (kept apart: fake_engine.py is near its size limit). Containers carry compose's
labels (`compose_container`); the API answers the label filters compose's actions list by, and stop, start and
remove change the rows as the engine would. Up runs the real ProjectUp with `true` for the compose CLI, so its checks
(files on this computer) are the real ones and nothing is started."""

from __future__ import annotations

import shutil
from dataclasses import replace

from gui.core.compose import actions as compose
from gui.core.compose.projects import (
    CONFIG_FILES_LABEL,
    PROJECT_LABEL,
    SERVICE_LABEL,
    WORKING_DIR_LABEL,
)
from gui.core.engine.rows import ContainerRow
from tests.fakes.fake_engine import FakeApi, FakeEngine, api_error, container


def compose_container(
    project: str, service: str, state: str = "running", folder: str = "/srv/shop", files: str = "compose.yaml"
) -> ContainerRow:
    """A container as `docker compose -p PROJECT up` names and labels it: PROJECT-SERVICE-1."""
    labels = {
        PROJECT_LABEL: project,
        SERVICE_LABEL: service,
        WORKING_DIR_LABEL: folder,
        CONFIG_FILES_LABEL: files,
        "com.docker.compose.container-number": "1",
    }
    row = container(f"{project}-{service}-1", state=state, image=f"{service}:latest")
    return replace(row, labels=tuple(sorted(labels.items())))


def compose_network(project: str) -> dict:
    return {
        "Name": f"{project}_default",
        "Id": f"{project}-net".ljust(64, "0"),
        "Created": "2026-12-01T08:00:00Z",
        "Scope": "local",
        "Driver": "bridge",
        "IPAM": {"Config": []},
        "Internal": False,
        "Labels": {PROJECT_LABEL: project, "com.docker.compose.network": "default"},
    }


def _label_wanted(filters: dict | None) -> tuple[str, str] | None:
    wanted = (filters or {}).get("label")
    if not wanted:
        return None
    key, _, value = str(wanted).partition("=")
    return key, value


class FakeComposeApi(FakeApi):
    def containers(self, all: bool = False, filters: dict | None = None) -> list[dict]:
        wanted = _label_wanted(filters)
        if wanted is None:
            return super().containers(all=all, filters=filters)
        return [
            {"Id": row.id, "Names": ["/" + row.name], "State": row.state, "Labels": dict(row.labels)}
            for row in list(self.engine.containers_by_id.values())
            if dict(row.labels).get(wanted[0]) == wanted[1]
        ]

    def networks(self, names=None, ids=None, filters=None) -> list[dict]:
        wanted = _label_wanted(filters)
        listed = super().networks(names, ids, filters)
        return [n for n in listed if wanted is None or (n.get("Labels") or {}).get(wanted[0]) == wanted[1]]

    def _row(self, name: str) -> ContainerRow:
        for row in self.engine.containers_by_id.values():
            if name in (row.name, row.id):
                return row
        raise api_error(404, f"No such container: {name}")

    def stop(self, container: str, timeout: int = 10) -> None:
        row = self._row(container)
        self.engine.containers_by_id[row.id] = replace(row, state="exited", status="Exited (0) just now")

    def start(self, container: str) -> None:
        row = self._row(container)
        self.engine.containers_by_id[row.id] = replace(row, state="running", status="Up 1 second")

    def remove_container(self, container: str, v: bool = False, force: bool = False) -> None:
        del self.engine.containers_by_id[self._row(container).id]


class FakeComposeEngine(FakeEngine):
    def __init__(self):
        super().__init__()
        self.api = FakeComposeApi(self)
        self.ups: list[compose.ProjectUp] = []  # what Up ran, its checks passed

    def _apply(self, action):
        if isinstance(action, compose.ProjectUp):
            action.run(self.api, cli=[shutil.which("true") or "/bin/true"])
            self.ups.append(action)
            return ""
        if isinstance(action, compose.ProjectAction):
            return action.run(self.api)
        return super()._apply(action)
