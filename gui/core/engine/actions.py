"""What the user asks the engine to do, as frozen specs.

From one spec come both the docker-py call and the `docker` command line shown to the learner, so the
command shown is the one that ran.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gui.core.engine.exit_codes import StopOutcome

if TYPE_CHECKING:
    import docker


@dataclass(frozen=True)
class Action:
    verb: ClassVar[str] = ""  # what it does, for messages: "stop container web"

    def argv(self) -> list[str]:
        raise NotImplementedError

    def run(self, api: docker.APIClient) -> Any:
        raise NotImplementedError

    @property
    def command(self) -> str:
        return shlex.join(self.argv())

    @property
    def description(self) -> str:
        return self.verb


@dataclass(frozen=True)
class StartContainer(Action):
    container: str
    verb: ClassVar[str] = "start the container"

    def argv(self) -> list[str]:
        return ["docker", "start", self.container]

    def run(self, api):
        api.start(self.container)


@dataclass(frozen=True)
class _GracefulContainerAction(Action):
    """Stop and restart: SIGTERM, then SIGKILL after `timeout` seconds (Docker's default is 10)."""

    container: str
    timeout: int = 10
    subcommand: ClassVar[str] = ""

    def argv(self) -> list[str]:
        timeout = [] if self.timeout == 10 else ["--time", str(self.timeout)]
        return ["docker", self.subcommand, *timeout, self.container]

    def run(self, api):
        getattr(api, self.subcommand)(self.container, timeout=self.timeout)


@dataclass(frozen=True)
class StopContainer(_GracefulContainerAction):
    verb: ClassVar[str] = "stop the container"
    subcommand: ClassVar[str] = "stop"

    def run(self, api) -> StopOutcome:
        """Stops, then reads how it ended, so the view can explain an "Exited (137)" after the whole wait."""
        started = time.monotonic()
        super().run(api)
        seconds = time.monotonic() - started
        try:
            state = (api.inspect_container(self.container) or {}).get("State") or {}
        except Exception:  # the stop worked; a --rm container is already gone, so there is nothing to explain
            state = {}
        return StopOutcome(state.get("ExitCode"), bool(state.get("OOMKilled")), seconds, self.timeout)


@dataclass(frozen=True)
class RestartContainer(_GracefulContainerAction):
    verb: ClassVar[str] = "restart the container"
    subcommand: ClassVar[str] = "restart"


@dataclass(frozen=True)
class RemoveContainer(Action):
    container: str
    volumes: bool = False
    force: bool = False
    verb: ClassVar[str] = "remove the container"

    def argv(self) -> list[str]:
        flags = (["--force"] if self.force else []) + (["--volumes"] if self.volumes else [])
        return ["docker", "rm", *flags, self.container]

    def run(self, api):
        api.remove_container(self.container, v=self.volumes, force=self.force)


@dataclass(frozen=True)
class TagImage(Action):
    source: str
    repository: str
    tag: str
    verb: ClassVar[str] = "tag the image"

    def argv(self) -> list[str]:
        return ["docker", "tag", self.source, f"{self.repository}:{self.tag}"]

    def run(self, api):
        api.tag(self.source, self.repository, self.tag)


@dataclass(frozen=True)
class RemoveImage(Action):
    image: str
    force: bool = False
    verb: ClassVar[str] = "remove the image"

    def argv(self) -> list[str]:
        return ["docker", "rmi", *(["--force"] if self.force else []), self.image]

    def run(self, api):
        api.remove_image(self.image, force=self.force)


@dataclass(frozen=True)
class PruneDanglingImages(Action):
    verb: ClassVar[str] = "remove dangling images"

    def argv(self) -> list[str]:
        return ["docker", "image", "prune", "--force"]

    def run(self, api) -> int:
        """Returns the bytes the engine reports as freed."""
        result = api.prune_images(filters={"dangling": True})
        return int(result.get("SpaceReclaimed") or 0)


@dataclass(frozen=True)
class InspectContainer(Action):
    container: str
    verb: ClassVar[str] = "inspect the container"

    def argv(self) -> list[str]:
        return ["docker", "container", "inspect", self.container]

    def run(self, api) -> dict:
        return api.inspect_container(self.container)


@dataclass(frozen=True)
class InspectImage(Action):
    image: str
    verb: ClassVar[str] = "inspect the image"

    def argv(self) -> list[str]:
        return ["docker", "image", "inspect", self.image]

    @property
    def command(self) -> str:
        return f"{shlex.join(self.argv())} && docker image history {shlex.quote(self.image)}"

    def run(self, api) -> dict:
        return {"inspect": api.inspect_image(self.image), "history": api.history(self.image)}
