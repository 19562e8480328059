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

if TYPE_CHECKING:
    from gui.core.engine import Engine, Stream


class Phase(Enum):
    WAITING = "waiting"          # announced, or queued behind other downloads
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"    # checksum being verified, or waiting its turn to extract
    EXTRACTING = "extracting"
    DONE = "done"
    CACHED = "cached"            # "Already exists": nothing to fetch


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
    status: str = ""             # the engine's own words, as `docker pull` prints them
    phase: Phase = Phase.WAITING
    total: int | None = None     # the layer's compressed size, once the engine tells it
    downloaded: int = 0          # bytes
    extracted: int = 0           # bytes; stays 0 when the engine counts extraction in seconds

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
            raise pull_error(_error_text(message), self.repository, self.tag)
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
        return (isinstance(layer_id, str) and bool(layer_id) and layer_id != self.tag
                and not status.startswith("Pulling from"))

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
        current, total = _byte_counts(detail)
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


def _byte_counts(detail: Any) -> tuple[int | None, int | None]:
    """(current, total) from a progressDetail, when they count bytes."""
    if not isinstance(detail, dict) or detail.get("units") not in (None, "", "bytes"):
        return None, None  # e.g. {"current": 3, "units": "s"}: seconds spent extracting
    return _count(detail.get("current")), _count(detail.get("total"))


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


def _error_text(message: dict) -> str:
    detail = message.get("errorDetail")
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"])
    return str(message.get("error") or detail or "the pull failed")


# Errors --------------------------------------------------------------------------------------------

_TLS_MARKERS = ("x509:", "tls:", "certificate", "server gave http response to https client")
_NETWORK_MARKERS = ("connection refused", "no such host", "i/o timeout", "network is unreachable",
                    "timeout exceeded while awaiting headers", "connection reset")
_ACCESS_MARKERS = ("pull access denied", "unauthorized", "denied", "authentication required")
_MISSING_MARKERS = ("manifest unknown", "not found")


def pull_error(text: str, repository: str, tag: str) -> StreamError:
    """The engine's words for a failed pull, as a sentence that says what to do."""
    lowered = text.lower()
    registry = registry_of(repository)
    if any(marker in lowered for marker in _TLS_MARKERS):
        sentence = (f"Could not reach the registry {registry} securely (HTTPS). If it is a registry without "
                    "HTTPS, add it to insecure-registries in Docker's daemon.json and restart Docker.")
    elif any(marker in lowered for marker in _NETWORK_MARKERS):
        sentence = (f"Could not reach the registry {registry}. Check the registry address and your "
                    "network connection, then try again.")
    elif "no space left" in lowered:
        sentence = "The disk is full. Remove unused images and containers (`docker system prune`), then try again."
    elif any(marker in lowered for marker in _ACCESS_MARKERS):
        sentence = (f"The registry refused access to {repository}: the image may be private (sign in first) "
                    "or may not exist.")
    elif any(marker in lowered for marker in _MISSING_MARKERS):
        kind = "digest" if ":" in tag else "tag"
        sentence = (f"No image called {repository} with {kind} {tag} exists on the registry. "
                    f"Check the spelling and the {kind}.")
    elif "toomanyrequests" in lowered or "rate limit" in lowered:
        sentence = ("The registry's pull limit is reached. Wait a while, or sign in (`docker login`), "
                    "which raises the limit.")
    else:
        sentence = text
    return StreamError(sentence, text)


def registry_of(repository: str) -> str:
    """The registry host a repository lives on, as Docker decides it."""
    first, slash, _ = repository.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return "Docker Hub"


def open_pull(engine: Engine, repository: str, tag: str) -> Stream:
    """engine.pull, with refusals the engine sends before any progress (an HTTP error, not a stream
    message) worded the same way as those inside the stream. Runs in the stream's thread."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path

    try:
        return engine.pull(repository, tag)
    except docker.errors.APIError as exc:
        raise pull_error(str(exc.explanation or exc), repository, tag) from exc
