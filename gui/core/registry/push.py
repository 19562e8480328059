"""Following a `docker push`: its progress messages folded into layer states, its errors as sentences.

No Qt. The engine sends, as recorded from a real push (tests/fakes/push_messages.json):
    {"status": "The push refers to repository [127.0.0.1:5000/team/app]"}
    {"status": "Preparing", "progressDetail": {}, "id": "b9fd551323f5"}
    {"status": "Pushing", "progressDetail": {"current": 33280, "total": 3145728}, "id": "b9fd551323f5"}
    {"status": "Pushed", "progressDetail": {}, "id": "b9fd551323f5"}
    {"status": "1.0: digest: sha256:52f9... size: 1154"}
Layers the registry already has say "Layer already exists" or "Mounted from OTHER/REPO" instead.
Failures arrive inside the same 200 response as {"error": "...", "errorDetail": {"message": "..."}}.
The reading side (layers, fraction, summary) matches PullProgress, so one view shows either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from gui.core.format import human_bytes
from gui.core.reference import parse, reference_problem
from gui.core.registry.addresses import DOCKER_HUB, registry_of
from gui.core.registry.pull import byte_counts
from gui.core.registry.refusals import registry_error, stream_error_text

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


def _phase_of(status: str) -> PushPhase | None:
    if status.startswith("Mounted from"):  # copied within the registry from another repository
        return PushPhase.SKIPPED
    return _PHASES.get(status)


@dataclass
class PushLayer:
    id: str
    status: str = ""  # the engine's own words, as `docker push` prints them
    phase: PushPhase = PushPhase.WAITING
    total: int | None = None  # the layer's size as the engine announces it, once it starts sending
    sent: int = 0  # bytes

    @property
    def done(self) -> bool:
        return self.phase in (PushPhase.DONE, PushPhase.SKIPPED)

    @property
    def skipped(self) -> bool:
        return self.phase is PushPhase.SKIPPED

    @property
    def pending(self) -> bool:
        """Still has bytes to send."""
        return self.phase in (PushPhase.WAITING, PushPhase.PUSHING)

    def progress_text(self) -> str:
        """'1.6 MiB / 3.0 MiB' while it moves, the size once pushed, nothing when there is nothing to say."""
        if self.skipped:
            return ""
        if self.done:
            return human_bytes(self.total) if self.total else ""
        if self.total:
            return f"{human_bytes(self.sent)} / {human_bytes(self.total)}"
        return human_bytes(self.sent) if self.sent else ""


class PushProgress:
    """Folds the messages of one push into per-layer state and totals for a progress display."""

    def __init__(self, repository: str = "", tag: str = "latest"):
        self.repository = repository
        self.tag = tag
        self._layers: dict[str, PushLayer] = {}  # in the order the engine first named them
        self.status_lines: list[str] = []
        self.digest: str | None = None  # what the registry stored, once the push is complete
        self.finished = False

    # Feeding ---------------------------------------------------------------------------------------

    def feed(self, message: Any) -> None:
        """Takes one decoded message. Raises StreamError when the engine reports a failure."""
        if not isinstance(message, dict):
            return
        if message.get("error") or message.get("errorDetail"):
            raise registry_error(stream_error_text(message, "push"), self.repository, self.tag, action="push")
        aux = message.get("aux")
        if isinstance(aux, dict) and isinstance(aux.get("Digest"), str):
            self._complete(aux["Digest"])
        status = message.get("status")
        if not isinstance(status, str):
            return
        layer_id = message.get("id")
        if isinstance(layer_id, str) and layer_id:
            self._update_layer(self._layer(layer_id), status, message.get("progressDetail"))
            return
        self.status_lines.append(status)
        match = _DIGEST_LINE.match(status)
        if match:
            self._complete(match.group("digest"))

    def _complete(self, digest: str) -> None:
        self.digest = digest
        self.finished = True

    def _layer(self, layer_id: str) -> PushLayer:
        if layer_id not in self._layers:
            self._layers[layer_id] = PushLayer(layer_id)
        return self._layers[layer_id]

    @staticmethod
    def _update_layer(layer: PushLayer, status: str, detail: Any) -> None:
        layer.status = status
        phase = _phase_of(status)
        if phase is None:  # "Retrying in 5 seconds" and other words: show them, keep the numbers
            return
        layer.phase = phase
        current, total = byte_counts(detail)
        if total:
            layer.total = total
        if phase is PushPhase.PUSHING and current is not None:
            # The announced size is the layer's uncompressed one; the bytes sent can pass it slightly.
            layer.sent = min(current, layer.total) if layer.total else current
        if phase is PushPhase.DONE:
            if layer.total:
                layer.sent = layer.total
            elif layer.sent:
                layer.total = layer.sent  # no size was announced: what went out is the size

    # Reading ---------------------------------------------------------------------------------------

    @property
    def layers(self) -> list[PushLayer]:
        return list(self._layers.values())

    def _sent_layers(self) -> list[PushLayer]:
        return [layer for layer in self._layers.values() if not layer.skipped]

    @property
    def sent_bytes(self) -> int:
        return sum(layer.sent for layer in self._sent_layers())

    @property
    def total_bytes(self) -> int:
        """The sum of the sizes known so far; waiting layers add theirs when their upload starts."""
        return sum(layer.total or 0 for layer in self._sent_layers())

    @property
    def determinate(self) -> bool:
        """True when the sizes of everything still to send are known, so a fraction means something."""
        if self.finished:
            return True
        pending = [layer for layer in self._sent_layers() if layer.pending]
        return self.total_bytes > 0 and all(layer.total for layer in pending)

    @property
    def fraction(self) -> float | None:
        """0..1, or None while the size is unknown."""
        if self.finished:
            return 1.0
        if not self.determinate:
            return None
        sent = sum(layer.sent for layer in self._sent_layers() if layer.total)
        return min(1.0, sent / self.total_bytes)

    def summary(self) -> str:
        """One line, for example '2 of 4 layers, 3.1 MiB of 4.9 MiB'."""
        layers = self.layers
        if not layers:
            return "Nothing to push." if self.finished else "Waiting for the registry…"
        count = f"{sum(layer.done for layer in layers)} of {len(layers)} layers"
        if all(layer.skipped for layer in layers):
            return f"{count}, all already on the registry"
        if self.determinate:
            return f"{count}, {human_bytes(self.sent_bytes)} of {human_bytes(self.total_bytes)}"
        if not self.sent_bytes and all(layer.done or layer.phase is PushPhase.WAITING for layer in layers):
            return f"{count}, checking what the registry already has…"  # what "Preparing" is about
        return f"{count}, {human_bytes(self.sent_bytes)} sent so far"


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
    """engine.push, with refusals the engine sends before any progress (an HTTP error, not a stream
    message) worded the same way as those inside the stream. Runs in the stream's thread."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path

    try:
        return engine.push(repository, tag, auth_header)
    except docker.errors.APIError as exc:
        raise registry_error(str(exc.explanation or exc), repository, tag, action="push") from exc
