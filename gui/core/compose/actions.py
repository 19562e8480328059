"""What the user asks of a whole compose project, each with its `docker compose -p P …` twin.

Stop, start and down go through the engine's API on the containers (and networks) that carry the project's label,
as compose itself finds them; up needs the project's compose files, so it runs the compose CLI on this computer.
The command shown is always in the v2 form (`docker compose`), the one current Docker documents."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from gui.core.compose.projects import PROJECT_LABEL
from gui.core.engine.actions import Action
from gui.core.errors import EngineError

UP_TIMEOUT_S = 600  # pulls and builds may take minutes; a hung CLI must not hold a worker for ever
CLI_CHECK_TIMEOUT_S = 10


def _label_filter(project: str) -> dict:
    return {"label": f"{PROJECT_LABEL}={project}"}


def _project_containers(api, project: str) -> list[dict]:
    return list(api.containers(all=True, filters=_label_filter(project)) or [])


def _name(raw: dict) -> str:
    names = raw.get("Names") or []
    return names[0].lstrip("/") if names else raw["Id"][:12]


def _gone(exc: Exception) -> bool:
    """A 404: removed since it was listed (by compose, another window, `docker rm`): nothing left to do."""
    return getattr(exc, "status_code", None) == 404


@dataclass(frozen=True)
class ProjectAction(Action):
    project: str
    subcommand: ClassVar[str] = ""

    def argv(self) -> list[str]:
        return ["docker", "compose", "-p", self.project, self.subcommand]

    @property
    def description(self) -> str:
        return f"{self.verb} {self.project}"


@dataclass(frozen=True)
class ProjectStop(ProjectAction):
    timeout: int = 10
    verb: ClassVar[str] = "stop the compose project"
    subcommand: ClassVar[str] = "stop"

    def run(self, api) -> tuple[str, ...]:
        """Stops each running container of the project; returns their names."""
        stopped = []
        for raw in _project_containers(api, self.project):
            if raw.get("State") in ("running", "restarting", "paused"):
                api.stop(raw["Id"], timeout=self.timeout)
                stopped.append(_name(raw))
        return tuple(stopped)


@dataclass(frozen=True)
class ProjectStart(ProjectAction):
    verb: ClassVar[str] = "start the compose project"
    subcommand: ClassVar[str] = "start"

    def run(self, api) -> tuple[str, ...]:
        """Starts each stopped container of the project; returns their names."""
        started = []
        for raw in _project_containers(api, self.project):
            if raw.get("State") in ("created", "exited"):
                api.start(raw["Id"])
                started.append(_name(raw))
        return tuple(started)


@dataclass(frozen=True)
class DownPlan:
    """Exactly what `down` removes: the project's containers and networks (names), read from the engine before
    asking, so the confirmation names everything that goes and nothing else goes. Volumes are kept."""

    project: str
    containers: tuple[str, ...]
    networks: tuple[str, ...]


def down_plan(api, project: str) -> DownPlan:
    containers = sorted(_name(raw) for raw in _project_containers(api, project))
    networks = sorted(str(raw.get("Name")) for raw in api.networks(filters=_label_filter(project)) or [])
    return DownPlan(project, tuple(containers), tuple(networks))


@dataclass(frozen=True)
class ProjectDown(ProjectAction):
    plan: DownPlan
    timeout: int = 10
    verb: ClassVar[str] = "take down the compose project"
    subcommand: ClassVar[str] = "down"

    @classmethod
    def of(cls, plan: DownPlan) -> ProjectDown:
        return cls(plan.project, plan)

    def run(self, api) -> DownPlan:
        """Stops (SIGTERM, then SIGKILL after `timeout`) and removes the planned containers, then the networks.
        One already gone is skipped. Returns the plan carried out."""
        for name in self.plan.containers:
            try:
                api.stop(name, timeout=self.timeout)
                api.remove_container(name)
            except Exception as exc:
                if not _gone(exc):
                    raise
        for name in self.plan.networks:
            try:
                api.remove_network(name)
            except Exception as exc:
                if not _gone(exc):
                    raise
        return self.plan


def find_compose_cli(
    which: Callable[[str], str | None] = shutil.which, run: Callable[..., subprocess.CompletedProcess] = subprocess.run
) -> list[str] | None:
    """The compose command on this computer: the docker CLI's v2 plugin when `docker compose version` works, else
    the older stand-alone `docker-compose`; None when neither is there."""
    docker = which("docker")
    if docker:
        try:
            answer = run([docker, "compose", "version"], capture_output=True, timeout=CLI_CHECK_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            answer = None
        if answer is not None and answer.returncode == 0:
            return [docker, "compose"]
    legacy = which("docker-compose")
    return [legacy] if legacy else None


def _text(output: str | bytes | None) -> str:
    """What a timed-out process printed: bytes even when text was asked for."""
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _last_lines(text: str, count: int = 6) -> str:
    return "\n".join(line for line in (text or "").strip().splitlines()[-count:])


@dataclass(frozen=True)
class ProjectUp(ProjectAction):
    working_dir: str = ""
    config_files: tuple[str, ...] = ()
    timeout: int = UP_TIMEOUT_S
    verb: ClassVar[str] = "bring up the compose project"
    subcommand: ClassVar[str] = "up"

    def _file_flags(self) -> list[str]:
        return [word for name in self.config_files for word in ("-f", name)]

    def argv(self) -> list[str]:
        return ["docker", "compose", "-p", self.project, *self._file_flags(), "up", "-d"]

    def problem(self) -> str | None:
        """Why up cannot run here, in a sentence with what to do; None when it can. Reads the disk: call it off the
        GUI thread."""
        if not self.config_files or not self.working_dir:
            return (
                f"Portside cannot tell which compose files started {self.project}: its containers do not say. "
                "Run docker compose up in the project's folder."
            )
        missing = [name for name in self.config_files if not os.path.isfile(name)]
        if missing:
            return (
                f"The compose file {missing[0]} is not on this computer (the project may have been started "
                "elsewhere, or the file moved). Run docker compose up where the file is."
            )
        if not os.path.isdir(self.working_dir):
            return f"The project's folder {self.working_dir} is not on this computer. Run docker compose up there."
        return None

    def run(self, api, cli: list[str] | None = None) -> str:
        """Runs `… up -d` in the project's folder; returns what compose printed. Raises EngineError in words."""
        problem = self.problem()
        if problem:
            raise EngineError(f"Could not bring up {self.project}: {problem}")
        cli = cli or find_compose_cli()
        if cli is None:
            raise EngineError(
                f"Could not bring up {self.project}: neither docker compose nor docker-compose is installed. "
                "Install the Docker Compose plugin (package docker-compose-plugin), then try again."
            )
        command = [*cli, "-p", self.project, *self._file_flags(), "up", "-d"]
        try:
            done = subprocess.run(
                command, cwd=self.working_dir, capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineError(
                f"Could not bring up {self.project}: compose was still working after {self.timeout} seconds and "
                "was stopped. Run the command in a terminal to see what it waits for.",
                _last_lines(_text(exc.stderr)),
            ) from None
        except OSError as exc:
            raise EngineError(f"Could not bring up {self.project}: compose could not be started ({exc}).") from None
        if done.returncode != 0:
            said = _last_lines(done.stderr or done.stdout)
            raise EngineError(
                f"Could not bring up {self.project}: compose failed"
                + (f" and said: {said.splitlines()[-1]}" if said else ".")
                + " Fix the compose file or run the command in a terminal for the whole story.",
                said,
            )
        return (done.stderr or "") + (done.stdout or "")
