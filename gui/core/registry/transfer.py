"""What a pull and a push share: the engine's progress messages folded into layer states, and byte totals.

No Qt. Both streams send one JSON message per change, for example
    {"status": "Downloading", "id": "a5d4e2c6e0b1", "progressDetail": {"current": 32768, "total": 2152262}}
lines without a layer id about the image as a whole, and failures inside the same 200 response as
{"error": "...", "errorDetail": {"message": "..."}}. pull.py and push.py say what their status words mean, how their
layers count bytes and how their summaries read; one view shows either (views/registry/transfer_view.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from gui.core.format import human_bytes
from gui.core.registry.refusals import registry_error, stream_error_text

if TYPE_CHECKING:
    from gui.core.engine.client import Stream

WAITING_FOR_REGISTRY = "Waiting for the registry…"


@dataclass
class TransferLayer:
    """One layer of a pull or a push. A subclass gives `phase` its Enum and first value, names the phases below, reads
    the status words (phase_of), adds its byte counters and moves them (_advance, transferred)."""

    id: str
    status: str = ""  # the engine's own words, as `docker pull` or `docker push` prints them
    total: int | None = None  # the layer's size, once the engine tells it
    phase: Enum | None = None

    DONE_PHASES: ClassVar[frozenset[Enum]]  # nothing more to do
    SKIPPED_PHASE: ClassVar[Enum]  # already where it goes: no bytes to move
    PENDING_PHASES: ClassVar[frozenset[Enum]]  # still has bytes to move to or from the registry

    @staticmethod
    def phase_of(status: str) -> Enum | None:
        """The phase a status word starts, or None for words that only say something ("Retrying in 5 seconds")."""
        raise NotImplementedError

    def _advance(self, phase: Any, current: int | None) -> None:
        """Moves the byte counters for a message that put the layer in `phase` (total already updated)."""
        raise NotImplementedError

    @property
    def transferred(self) -> int:
        """Bytes moved to or from the registry so far."""
        raise NotImplementedError

    @property
    def current(self) -> int:
        """Bytes through the step the layer is in, for progress_text()."""
        return self.transferred

    @property
    def work(self) -> int:
        """Bytes through every step so far: what the fraction counts."""
        return self.transferred

    def _shows_size_only(self) -> bool:
        """True when progress_text() gives the size alone, with nothing left to count."""
        return self.done

    @property
    def done(self) -> bool:
        return self.phase in self.DONE_PHASES

    @property
    def skipped(self) -> bool:
        return self.phase is self.SKIPPED_PHASE

    @property
    def pending(self) -> bool:
        return self.phase in self.PENDING_PHASES

    # Shared ------------------------------------------------------------------------------------------------

    def take(self, status: str, detail: Any) -> None:
        """One message about this layer: its status words and progressDetail."""
        self.status = status
        phase = self.phase_of(status)
        if phase is None:  # "Retrying in 5 seconds" and other words: show them, keep the numbers
            return
        self.phase = phase
        current, total = byte_counts(detail)
        if total:
            self.total = total
        self._advance(phase, current)

    def progress_text(self) -> str:
        """'4.2 MiB / 10.0 MiB' while it moves, the size once done, nothing when there is nothing to say."""
        if self.skipped:
            return ""
        if self._shows_size_only():
            return human_bytes(self.total) if self.total else ""
        if self.total:
            return f"{human_bytes(self.current)} / {human_bytes(self.total)}"
        return human_bytes(self.current) if self.current else ""


Layer = TypeVar("Layer", bound=TransferLayer)


class TransferProgress(Generic[Layer]):
    """Folds the messages of one pull or push into per-layer state and totals for a progress display.
    A subclass names its layer type, its action and its summary's words."""

    LAYER: ClassVar[type[TransferLayer]]
    ACTION: ClassVar[str]  # "pull" or "push", for the error sentences
    NOTHING_TO_DO: ClassVar[str]  # the summary when the engine named no layer
    ALL_THERE: ClassVar[str]  # the summary's end when every layer was skipped
    PASSES: ClassVar[int] = 1  # the steps each byte goes through, each counting the same in the fraction

    def __init__(self, repository: str = "", tag: str = "latest"):
        self.repository = repository
        self.tag = tag
        self._layers: dict[str, Layer] = {}  # in the order the engine first named them
        self.status_lines: list[str] = []
        self.finished = False  # the engine confirmed the end: a stream that just stops is not a success

    # Feeding -----------------------------------------------------------------------------------------------

    def feed(self, message: Any) -> None:
        """Takes one decoded message. Raises StreamError when the engine reports a failure."""
        if not isinstance(message, dict):
            return
        if message.get("error") or message.get("errorDetail"):
            action = self.ACTION
            raise registry_error(stream_error_text(message, action), self.repository, self.tag, action=action)
        self._read_aux(message.get("aux"))
        status = message.get("status")
        if not isinstance(status, str):
            return
        layer_id = message.get("id")
        if self._is_layer_message(status, layer_id):
            self._layer(layer_id).take(status, message.get("progressDetail"))
        else:
            self.status_lines.append(status)
            self._read_status_line(status)

    def _read_aux(self, aux: Any) -> None:
        """The message's "aux" part (push's digest); nothing by default."""

    def _read_status_line(self, status: str) -> None:
        """A line about the image as a whole, already kept in status_lines; may set `finished`."""

    def _is_layer_message(self, status: str, layer_id: Any) -> bool:
        return isinstance(layer_id, str) and bool(layer_id)

    def _layer(self, layer_id: str) -> Layer:
        if layer_id not in self._layers:
            self._layers[layer_id] = self.LAYER(layer_id)
        return self._layers[layer_id]

    # Reading -----------------------------------------------------------------------------------------------

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers.values())

    def _moving_layers(self) -> list[Layer]:
        return [layer for layer in self._layers.values() if not layer.skipped]

    @property
    def transferred_bytes(self) -> int:
        return sum(layer.transferred for layer in self._moving_layers())

    @property
    def total_bytes(self) -> int:
        """The sum of the sizes known so far; waiting layers add theirs when their transfer starts."""
        return sum(layer.total or 0 for layer in self._moving_layers())

    @property
    def determinate(self) -> bool:
        """True when the sizes of everything still to move are known, so a fraction means something."""
        if self.finished:
            return True
        pending = [layer for layer in self._moving_layers() if layer.pending]
        return self.total_bytes > 0 and all(layer.total for layer in pending)

    @property
    def fraction(self) -> float | None:
        """0..1, or None while the size is unknown."""
        if self.finished:
            return 1.0
        if not self.determinate:
            return None
        done = sum(layer.work for layer in self._moving_layers() if layer.total)
        return min(1.0, done / (self.PASSES * self.total_bytes))

    def summary(self) -> str:
        """One line, for example '3 of 5 layers, 12.3 MiB of 40.0 MiB'."""
        layers = self.layers
        if not layers:
            return self.NOTHING_TO_DO if self.finished else WAITING_FOR_REGISTRY
        count = f"{sum(layer.done for layer in layers)} of {len(layers)} layers"
        if not self._moving_layers():
            return f"{count}, {self.ALL_THERE}"
        if self.determinate:
            return f"{count}, {human_bytes(self.transferred_bytes)} of {human_bytes(self.total_bytes)}"
        return f"{count}, {self._so_far()}"

    def _so_far(self) -> str:
        """The summary's end while some sizes are unknown."""
        return f"{human_bytes(self.transferred_bytes)} so far"


def byte_counts(detail: Any) -> tuple[int | None, int | None]:
    """(current, total) from a progressDetail, when they count bytes."""
    if not isinstance(detail, dict) or detail.get("units") not in (None, "", "bytes"):
        return None, None  # e.g. {"current": 3, "units": "s"}: seconds spent extracting
    return _count(detail.get("current")), _count(detail.get("total"))


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


def open_transfer(start: Callable[[], Stream], repository: str, tag: str, action: str) -> Stream:
    """start() (engine.pull or engine.push), with refusals the engine sends before any progress (an HTTP error, not
    a stream message) worded the same way as those inside the stream. Runs in the stream's thread."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path

    try:
        return start()
    except docker.errors.APIError as exc:
        raise registry_error(str(exc.explanation or exc), repository, tag, action=action) from exc
