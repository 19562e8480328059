"""Compose projects read from the containers' labels, as `docker compose ls` finds them. No Qt, no I/O."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from gui.core.engine.rows import ContainerRow

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
CONFIG_FILES_LABEL = "com.docker.compose.project.config_files"


def label(row: ContainerRow, key: str) -> str:
    return next((value for name, value in row.labels if name == key), "")


def project_of(row: ContainerRow) -> str:
    """The compose project a container belongs to; "" for one made without compose."""
    return label(row, PROJECT_LABEL)


def service_of(row: ContainerRow) -> str:
    return label(row, SERVICE_LABEL)


def config_files_of(row: ContainerRow) -> tuple[str, ...]:
    """The compose files the project was started from. Compose writes them comma-separated; a relative one is
    relative to the project's working folder."""
    folder = label(row, WORKING_DIR_LABEL)
    files = [name.strip() for name in label(row, CONFIG_FILES_LABEL).split(",") if name.strip()]
    return tuple(posixpath.join(folder, name) if folder and not posixpath.isabs(name) else name for name in files)


@dataclass(frozen=True)
class ComposeProject:
    name: str
    services: tuple[str, ...]  # sorted, each once
    containers: tuple[ContainerRow, ...]  # by name
    working_dir: str  # where `docker compose up` ran: "" when the labels do not say
    config_files: tuple[str, ...]
    running: int

    @property
    def total(self) -> int:
        return len(self.containers)

    @property
    def counts_text(self) -> str:
        return f"{self.running} of {self.total} running"


def compose_projects(rows: Iterable[ContainerRow]) -> list[ComposeProject]:
    """Every project among `rows`, by name. Its folder and files come from its newest container: a project brought
    up again from other files says so on the containers made since."""
    members: dict[str, list[ContainerRow]] = {}
    for row in rows:
        name = project_of(row)
        if name:
            members.setdefault(name, []).append(row)
    projects = []
    for name in sorted(members):
        containers = sorted(members[name], key=lambda r: r.name)
        newest = max(containers, key=lambda r: r.created)
        projects.append(
            ComposeProject(
                name=name,
                services=tuple(sorted({service_of(r) for r in containers if service_of(r)})),
                containers=tuple(containers),
                working_dir=label(newest, WORKING_DIR_LABEL),
                config_files=config_files_of(newest),
                running=sum(1 for r in containers if r.running),
            )
        )
    return projects


def project_named(rows: Iterable[ContainerRow], name: str) -> ComposeProject | None:
    return next((project for project in compose_projects(rows) if project.name == name), None)


def shared_project(rows: Iterable[ContainerRow]) -> str:
    """The project every one of `rows` belongs to; "" when there are none, or they do not share one."""
    names = {project_of(row) for row in rows}
    return names.pop() if len(names) == 1 else ""


def grouped_order(row: ContainerRow) -> tuple[bool, str, str]:
    """Sort key that puts a project's containers together, projects by name, containers without one last."""
    project = project_of(row)
    return (not project, project.lower(), row.name.lower())
