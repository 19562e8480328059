"""Following a `docker push`: its status words, how its layers count bytes, its summary and digest; names to check.

No Qt. The engine sends, as recorded from a real push (tests/fakes/push_messages.json):
    {"status": "The push refers to repository [127.0.0.1:5000/team/app]"}
    {"status": "Preparing", "progressDetail": {}, "id": "b9fd551323f5"}
    {"status": "Pushing", "progressDetail": {"current": 33280, "total": 3145728}, "id": "b9fd551323f5"}
    {"status": "Pushed", "progressDetail": {}, "id": "b9fd551323f5"}
    {"status": "1.0: digest: sha256:52f9... size: 1154"}
Layers the registry already has say "Layer already exists" or "Mounted from OTHER/REPO" instead.
Failures arrive inside the same 200 response as {"error": "...", "errorDetail": {"message": "..."}}.
The folding and the byte totals are shared with pull (transfer.py), so one view shows either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from gui.core.format import human_bytes
from gui.core.reference import parse, reference_problem
from gui.core.registry.addresses import DOCKER_HUB, registry_of
from gui.core.registry.transfer import TransferLayer, TransferProgress, open_transfer

if TYPE_CHECKING:
    from gui.core.engine.client import Engine, Stream

_DIGEST_LINE = re.compile(r"^(?P<tag>\S+): digest: (?P<digest>\S+:[0-9a-fA-F]+) size: (?P<size>\d+)$")


class PushPhase(Enum):
    WAITING = "waiting"  # "Preparing", or "Waiting" behind other uploads
    PUSHING = "pushing"
    DONE = "done"  # "Pushed"
    SKIPPED = "skipped"  # the registry has it: "Layer already exists", "Mounted from OTHER/REPO"


_PHASES = {
    "Preparing": PushPhase.WAITING,
    "Waiting": PushPhase.WAITING,
    "Pushing": PushPhase.PUSHING,
    "Pushed": PushPhase.DONE,
    "Layer already exists": PushPhase.SKIPPED,
}


@dataclass
class PushLayer(TransferLayer):
    # total: the layer's size as the engine announces it, once it starts sending
    phase: PushPhase = PushPhase.WAITING
    sent: int = 0  # bytes

    DONE_PHASES = frozenset({PushPhase.DONE, PushPhase.SKIPPED})
    SKIPPED_PHASE = PushPhase.SKIPPED
    PENDING_PHASES = frozenset({PushPhase.WAITING, PushPhase.PUSHING})  # still has bytes to send

    @staticmethod
    def phase_of(status: str) -> PushPhase | None:
        if status.startswith("Mounted from"):  # copied within the registry from another repository
            return PushPhase.SKIPPED
        return _PHASES.get(status)

    @property
    def transferred(self) -> int:
        return self.sent

    def _advance(self, phase: PushPhase, current: int | None) -> None:
        if phase is PushPhase.PUSHING and current is not None:
            # The announced size is the layer's uncompressed one; the bytes sent can pass it slightly.
            self.sent = min(current, self.total) if self.total else current
        if phase is PushPhase.DONE:
            if self.total:
                self.sent = self.total
            elif self.sent:
                self.total = self.sent  # no size was announced: what went out is the size


class PushProgress(TransferProgress[PushLayer]):
    """Folds the messages of one push into per-layer state and totals for a progress display."""

    LAYER = PushLayer
    ACTION = "push"
    NOTHING_TO_DO = "Nothing to push."
    ALL_THERE = "all already on the registry"

    def __init__(self, repository: str = "", tag: str = "latest"):
        super().__init__(repository, tag)
        self.digest: str | None = None  # what the registry stored, once the push is complete

    def _read_aux(self, aux: Any) -> None:
        if isinstance(aux, dict) and isinstance(aux.get("Digest"), str):
            self._complete(aux["Digest"])

    def _read_status_line(self, status: str) -> None:
        match = _DIGEST_LINE.match(status)
        if match:
            self._complete(match.group("digest"))

    def _complete(self, digest: str) -> None:
        self.digest = digest
        self.finished = True

    sent_bytes = TransferProgress.transferred_bytes  # the word pushes use

    def _so_far(self) -> str:
        if not self.sent_bytes and all(layer.done or layer.phase is PushPhase.WAITING for layer in self.layers):
            return "checking what the registry already has…"  # what "Preparing" is about
        return f"{human_bytes(self.sent_bytes)} sent so far"


# Before pushing ------------------------------------------------------------------------------------


def push_problem(text: str) -> str | None:
    """Why `text` cannot be pushed as it is, or None. Caught here, before the engine says it less kindly."""
    problem = reference_problem(text)
    if problem:
        return problem
    reference = parse(text)
    if reference.digest:
        return "A digest names what is already on a registry; push a tag instead, for example NAME:1.0."
    if registry_of(reference.repository) == DOCKER_HUB and "/" not in _hub_path(reference.repository):
        name = reference.repository.rsplit("/", 1)[-1]
        return (
            f"Docker Hub needs USER/NAME, for example yourname/{name}: tag the image with your user name "
            "first, then push it."
        )
    return None


def _hub_path(repository: str) -> str:
    """A Docker Hub repository without a written-out Docker Hub address ("docker.io/app" -> "app")."""
    first, slash, rest = repository.partition("/")
    return rest if slash and "." in first else repository


def open_push(engine: Engine, repository: str, tag: str, auth_header: str | None) -> Stream:
    """engine.push, with its refusals worded as those inside the stream (open_transfer). Runs in the stream's
    thread."""
    return open_transfer(lambda: engine.push(repository, tag, auth_header), repository, tag, "push")
