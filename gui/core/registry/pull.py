"""Following a `docker pull`: its status words, how its layers count bytes, its summary and its errors as sentences.

No Qt. The engine sends one JSON message per change, for example
    {"status": "Downloading", "id": "a5d4e2c6e0b1", "progressDetail": {"current": 32768, "total": 2152262}}
and reports failures inside the same 200 response as {"error": "...", "errorDetail": {"message": "..."}}.
The folding and the byte totals are shared with push (transfer.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from gui.core.errors import StreamError
from gui.core.registry.refusals import registry_error
from gui.core.registry.transfer import TransferLayer, TransferProgress, open_transfer

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
class LayerProgress(TransferLayer):
    # total: the layer's compressed size, once the engine tells it
    phase: Phase = Phase.WAITING
    downloaded: int = 0  # bytes
    extracted: int = 0  # bytes; stays 0 when the engine counts extraction in seconds

    DONE_PHASES = frozenset({Phase.DONE, Phase.CACHED})
    SKIPPED_PHASE = Phase.CACHED
    PENDING_PHASES = frozenset({Phase.WAITING, Phase.DOWNLOADING})  # still has bytes to fetch from the registry

    @staticmethod
    def phase_of(status: str) -> Phase | None:
        return _PHASES.get(status)

    cached = TransferLayer.skipped  # the word pulls use

    @property
    def transferred(self) -> int:
        return self.downloaded

    @property
    def current(self) -> int:
        """Bytes through the step the layer is in: downloading, then extracting."""
        return self.extracted if self.phase is Phase.EXTRACTING else self.downloaded

    @property
    def work(self) -> int:
        return self.downloaded + self.extracted

    def _shows_size_only(self) -> bool:
        return self.done or self.phase is Phase.DOWNLOADED

    def _advance(self, phase: Phase, current: int | None) -> None:
        if phase is Phase.DOWNLOADING and current is not None:
            self.downloaded = current
        if phase in (Phase.DOWNLOADED, Phase.EXTRACTING, Phase.DONE):
            # Extraction starts only once the whole layer is here.
            self.downloaded = self.total or self.downloaded
        if phase is Phase.EXTRACTING and current is not None:
            self.extracted = current
        if phase is Phase.DONE:
            self.extracted = self.total or self.extracted


class PullProgress(TransferProgress[LayerProgress]):
    """Folds the messages of one pull into per-layer state and totals for a progress display."""

    LAYER = LayerProgress
    ACTION = "pull"
    NOTHING_TO_DO = "Nothing to download."
    ALL_THERE = "all already on this machine"
    PASSES = 2  # download and extraction count half each, so the bar keeps moving while a big image unpacks

    def _is_layer_message(self, status: str, layer_id: Any) -> bool:
        # "Pulling from library/busybox" carries the tag (or digest) as its id; it is about the image.
        if status.startswith("Pulling from") or layer_id == self.tag:
            return False
        return super()._is_layer_message(status, layer_id)

    def _read_status_line(self, status: str) -> None:
        if status.startswith("Status:"):
            self.finished = True

    downloaded_bytes = TransferProgress.transferred_bytes  # the word pulls use


# Errors --------------------------------------------------------------------------------------------


def pull_error(text: str, repository: str, tag: str) -> StreamError:
    """The engine's words for a failed pull, as a sentence that says what to do."""
    return registry_error(text, repository, tag, action="pull")


def open_pull(engine: Engine, repository: str, tag: str, auth_header: str | None = None) -> Stream:
    """engine.pull, with its refusals worded as those inside the stream (open_transfer). Runs in the stream's
    thread. Without auth_header the engine layer uses the docker CLI's logins, as `docker pull` does."""
    if auth_header is None:
        return open_transfer(lambda: engine.pull(repository, tag), repository, tag, "pull")
    return open_transfer(lambda: engine.pull(repository, tag, auth_header=auth_header), repository, tag, "pull")
