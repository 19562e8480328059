"""The Files window's copies, one at a time in the order asked: each a FileJob off the GUI thread, its progress on
the transfer bar, Cancel for the one running (the queue behind it is dropped), "Replace?" when a download would
overwrite a host file, and one closing sentence for the whole batch ("Downloaded model.bin (1.0 GiB) to …")."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from gui.core.errors import EngineError, explain
from gui.core.files.entries import FilesCancelled
from gui.core.format import human_bytes
from gui.views.files.transfer_bar import TransferBar
from gui.workers.file_jobs import FileJob

if TYPE_CHECKING:
    from gui.core.files.backend import ContainerFiles
    from gui.core.files.entries import Transferred

CANCELLED = "Cancelled: nothing was kept."


@dataclass
class Transfer:
    """One copy asked for: a download of one entry, or an upload of some host paths into one folder."""

    download: bool
    name: str  # what the user reads: "model.bin", "a.txt and 2 more"
    twin: str
    host_folder: Path | None = None  # a download's destination
    container_path: str = ""  # a download's source, an upload's destination folder
    sources: tuple[Path, ...] = ()
    overwrite: bool = False
    kept_existing: bool = False  # the user chose not to replace the host's copy
    result: Transferred | None = field(default=None, repr=False)


def sentence(exc: BaseException, doing: str) -> str:
    """An exception as one plain sentence for the banner."""
    if isinstance(exc, EngineError):
        return exc.message
    if isinstance(exc, FileExistsError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"Could not {doing}: {exc.strerror.lower()}{where}. Check the folder exists and you may write to it."
    return explain(exc, doing).message


def names(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b and 3 more'."""
    if len(items) > 3:
        return f"{items[0]}, {items[1]} and {len(items) - 2} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class TransferQueue(QObject):
    """`commandIssued(command, what)` as each copy starts; `failed(sentence)` when one fails (the rest are dropped);
    `uploaded()` after a batch that uploaded something (the folder shown is read again)."""

    commandIssued = Signal(str, str)
    failed = Signal(str)
    uploaded = Signal()

    def __init__(self, backend: ContainerFiles, bar: TransferBar, ask_replace: Callable[[str], bool], parent=None):
        super().__init__(parent)
        self._backend = backend
        self._bar = bar
        self._ask_replace = ask_replace
        self._queue: collections.deque[Transfer] = collections.deque()
        self._batch: list[Transfer] = []  # the copies since the queue was last empty
        self.job: FileJob | None = None  # the copy running
        bar.cancelRequested.connect(self.cancel)

    def add(self, transfers: list[Transfer]) -> None:
        self._queue.extend(transfers)
        if self.job is None:
            self._batch = []
            self._next()

    def cancel(self) -> None:
        """Stops the copy that runs and drops those waiting; the backend removes what the copy wrote."""
        self._queue.clear()
        if self.job is not None:
            self.job.cancel()
            self._bar.cancelling()

    def stop(self) -> FileJob | None:
        """The window closes: drops the queue and hands over the job running (for the window to abandon)."""
        self._queue.clear()
        job, self.job = self.job, None
        return job

    def _next(self) -> None:
        if not self._queue:
            self._batch_ended()
            return
        transfer = self._queue.popleft()
        backend = self._backend  # the job's thread holds the backend and plain data, never a widget
        if transfer.download:
            source, folder, overwrite = transfer.container_path, transfer.host_folder, transfer.overwrite
            job = FileJob(
                lambda progress, cancel: backend.download(source, folder, progress, cancel, overwrite), "file download"
            )
        else:
            sources, dest = transfer.sources, transfer.container_path
            job = FileJob(lambda progress, cancel: backend.upload(sources, dest, progress, cancel), "file upload")
        job.setParent(self)
        self.job = job
        left = len(self._queue)
        verb = "Downloading" if transfer.download else "Uploading"
        self._bar.begin(f"{verb} {transfer.name}" + (f" ({left} more after it)" if left else ""))
        job.progress.connect(self._bar.show_progress)
        job.finished.connect(lambda result: self._done(job, transfer, result))
        job.failed.connect(lambda exc: self._failed(job, transfer, exc))
        job.start()
        what = "download files from a container" if transfer.download else "upload files into a container"
        self.commandIssued.emit(transfer.twin, what)

    def _done(self, job: FileJob, transfer: Transfer, result: Transferred) -> None:
        self._forget(job)
        transfer.result = result
        self._batch.append(transfer)
        self._next()

    def _failed(self, job: FileJob, transfer: Transfer, exc: BaseException) -> None:
        self._forget(job)
        if isinstance(exc, FileExistsError) and transfer.download and not transfer.overwrite:
            if self._ask_replace(str(exc)):
                transfer.overwrite = True
                self._queue.appendleft(transfer)
            else:
                transfer.kept_existing = True
                self._batch.append(transfer)
            self._next()
            return
        self._queue.clear()
        if isinstance(exc, FilesCancelled):
            self._batch_ended(CANCELLED)
        else:
            self.failed.emit(sentence(exc, "download" if transfer.download else "upload"))
            self._batch_ended()

    def _forget(self, job: FileJob) -> None:
        if job is self.job:
            self.job = None
        job.deleteLater()

    def _batch_ended(self, ending: str = "") -> None:
        done = [t for t in self._batch if t.result is not None]
        downloads = [t for t in done if t.download]
        uploads = [t for t in done if not t.download]
        parts = []
        if downloads:
            size = human_bytes(sum(t.result.size for t in downloads))
            parts.append(f"Downloaded {names([t.name for t in downloads])} ({size}) to {downloads[-1].host_folder}.")
        if uploads:
            size = human_bytes(sum(t.result.size for t in uploads))
            parts.append(f"Uploaded {names([t.name for t in uploads])} ({size}) to {uploads[-1].container_path}.")
        kept = [t.name for t in self._batch if t.kept_existing]
        if kept:
            parts.append(f"Kept the existing {names(kept)}: not downloaded.")
        if ending:
            parts.append(ending)
        self._bar.end(" ".join(parts), downloads[-1].host_folder if downloads else None)
        self._batch = []
        if uploads:
            self.uploaded.emit()
