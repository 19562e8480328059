"""Following a `docker pull`: its progress messages folded into layer states, its errors as sentences.

No Qt. The engine sends one JSON message per change, for example
    {"status": "Downloading", "id": "a5d4e2c6e0b1", "progressDetail": {"current": 32768, "total": 2152262}}
and reports failures inside the same 200 response as {"error": "...", "errorDetail": {"message": "..."}}.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from gui.core.errors import StreamError
from gui.core.format import human_bytes
from gui.core.registry.refusals import registry_error, stream_error_text

if TYPE_CHECKING:
    from gui.core.engine.client import Engine, Stream


class Phase(Enum):
    WAITING = "waiting"  # announced, or queued behind other downloads
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"  # checksum being verified, or waiting its turn to extract
    EXTRACTING = "extracting"
    DONE = "done"
    CACHED = "cached"  # "Already exists": nothing to fetch


# The engine's status words for a layer, and the phase each one starts.
_PHASES = {
    "Pulling fs layer": Phase.WAITING,
    "Waiting": Phase.WAITING,
    "Downloading": Phase.DOWNLOADING,
    "Verifying Checksum": Phase.DOWNLOADED,
    "Download complete": Phase.DOWNLOADED,
    "Extracting": Phase.EXTRACTING,
    "Pull complete": Phase.DONE,
    "Already exists": Phase.CACHED,
}


@dataclass
class LayerProgress:
    id: str
    status: str = ""  # the engine's own words, as `docker pull` prints them
    phase: Phase = Phase.WAITING
    total: int | None = None  # the layer's compressed size, once the engine tells it
    downloaded: int = 0  # bytes
    extracted: int = 0  # bytes; stays 0 when the engine counts extraction in seconds

    @property
    def done(self) -> bool:
        return self.phase in (Phase.DONE, Phase.CACHED)

    @property
    def cached(self) -> bool:
        return self.phase is Phase.CACHED

    @property
    def current(self) -> int:
        """Bytes through the step the layer is in: downloading, then extracting."""
        return self.extracted if self.phase is Phase.EXTRACTING else self.downloaded

    @property
    def to_download(self) -> bool:
        """Still has bytes to fetch from the registry."""
        return self.phase in (Phase.WAITING, Phase.DOWNLOADING)

    def progress_text(self) -> str:
        """'4.2 MiB / 10.0 MiB' while it moves, the size once done, nothing when there is nothing to say."""
        if self.cached:
            return ""
        if self.done or self.phase is Phase.DOWNLOADED:
            return human_bytes(self.total) if self.total else ""
        if self.total:
            return f"{human_bytes(self.current)} / {human_bytes(self.total)}"
        return human_bytes(self.current) if self.current else ""


class PullProgress:
    """Folds the messages of one pull into per-layer state and totals for a progress display."""

    def __init__(self, repository: str = "", tag: str = "latest"):
        self.repository = repository
        self.tag = tag
        self._layers: dict[str, LayerProgress] = {}  # in the order the engine first named them
        self.status_lines: list[str] = []
        self.finished = False

    # Feeding ---------------------------------------------------------------------------------------

    def feed(self, message: Any) -> None:
        """Takes one decoded message. Raises StreamError when the engine reports a failure."""
        if not isinstance(message, dict):
            return
        if message.get("error") or message.get("errorDetail"):
            raise pull_error(stream_error_text(message, "pull"), self.repository, self.tag)
        status = message.get("status")
        if not isinstance(status, str):
            return
        layer_id = message.get("id")
        if self._is_layer_message(status, layer_id):
            self._update_layer(self._layer(layer_id), status, message.get("progressDetail"))
        else:
            self.status_lines.append(status)
            if status.startswith("Status:"):
                self.finished = True

    def _is_layer_message(self, status: str, layer_id: Any) -> bool:
        # "Pulling from library/busybox" carries the tag (or digest) as its id; it is about the image.
        return (
            isinstance(layer_id, str)
            and bool(layer_id)
            and layer_id != self.tag
            and not status.startswith("Pulling from")
        )

    def _layer(self, layer_id: str) -> LayerProgress:
        if layer_id not in self._layers:
            self._layers[layer_id] = LayerProgress(layer_id)
        return self._layers[layer_id]

    @staticmethod
    def _update_layer(layer: LayerProgress, status: str, detail: Any) -> None:
        layer.status = status
        phase = _PHASES.get(status)
        if phase is None:  # "Retrying in 5 seconds" and other words: show them, keep the numbers
            return
        layer.phase = phase
        current, total = byte_counts(detail)
        if total:
            layer.total = total
        if phase is Phase.DOWNLOADING and current is not None:
            layer.downloaded = current
        if phase in (Phase.DOWNLOADED, Phase.EXTRACTING, Phase.DONE):
            # Extraction starts only once the whole layer is here.
            layer.downloaded = layer.total or layer.downloaded
        if phase is Phase.EXTRACTING and current is not None:
            layer.extracted = current
        if phase is Phase.DONE:
            layer.extracted = layer.total or layer.extracted

    # Reading ---------------------------------------------------------------------------------------

    @property
    def layers(self) -> list[LayerProgress]:
        return list(self._layers.values())

    def _fetched_layers(self) -> list[LayerProgress]:
        return [layer for layer in self._layers.values() if not layer.cached]

    @property
    def downloaded_bytes(self) -> int:
        return sum(layer.downloaded for layer in self._fetched_layers())

    @property
    def total_bytes(self) -> int:
        """The sum of the sizes known so far; waiting layers add theirs when their download starts."""
        return sum(layer.total or 0 for layer in self._fetched_layers())

    @property
    def determinate(self) -> bool:
        """True when the sizes of everything still to download are known, so a fraction means something."""
        if self.finished:
            return True
        pending = [layer for layer in self._fetched_layers() if layer.to_download]
        return self.total_bytes > 0 and all(layer.total for layer in pending)

    @property
    def fraction(self) -> float | None:
        """0..1, or None while the size is unknown. Download and extraction count half each, so the
        bar keeps moving while a big image unpacks."""
        if self.finished:
            return 1.0
        if not self.determinate:
            return None
        done = sum(layer.downloaded + layer.extracted for layer in self._fetched_layers() if layer.total)
        return min(1.0, done / (2 * self.total_bytes))

    def summary(self) -> str:
        """One line, for example '3 of 5 layers, 12.3 MiB of 40.0 MiB'."""
        layers = self.layers
        if not layers:
            return "Nothing to download." if self.finished else "Waiting for the registry…"
        count = f"{sum(layer.done for layer in layers)} of {len(layers)} layers"
        if not self._fetched_layers():
            return f"{count}, all already on this machine"
        if self.determinate:
            return f"{count}, {human_bytes(self.downloaded_bytes)} of {human_bytes(self.total_bytes)}"
        return f"{count}, {human_bytes(self.downloaded_bytes)} so far"


def byte_counts(detail: Any) -> tuple[int | None, int | None]:
    """(current, total) from a progressDetail, when they count bytes."""
    if not isinstance(detail, dict) or detail.get("units") not in (None, "", "bytes"):
        return None, None  # e.g. {"current": 3, "units": "s"}: seconds spent extracting
    return _count(detail.get("current")), _count(detail.get("total"))


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


# Errors --------------------------------------------------------------------------------------------


def pull_error(text: str, repository: str, tag: str) -> StreamError:
    """The engine's words for a failed pull, as a sentence that says what to do."""
    return registry_error(text, repository, tag, action="pull")


def open_pull(engine: Engine, repository: str, tag: str, auth_header: str | None = None) -> Stream:
    """engine.pull, with refusals the engine sends before any progress (an HTTP error, not a stream
    message) worded the same way as those inside the stream. Runs in the stream's thread.
    Without auth_header the engine layer uses the docker CLI's logins, as `docker pull` does."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path

    try:
        if auth_header is None:
            return engine.pull(repository, tag)
        return engine.pull(repository, tag, auth_header=auth_header)
    except docker.errors.APIError as exc:
        raise pull_error(str(exc.explanation or exc), repository, tag) from exc
