"""A Files backend for GUI tests (the interface of gui.core.files.backend.ContainerFiles) whose "container" is a host
folder: list_folder lists it, download and upload copy in 64 KiB pieces, calling progress after each piece and
honouring cancel between pieces (FilesCancelled, and what was written is removed). `piece_delay` slows each piece so a
test can cancel mid-way; `list_gate` holds a listing until the test sets it; `list_error` makes listings fail."""

from __future__ import annotations

import posixpath
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from gui.core.errors import EngineError
from gui.core.files.entries import FileEntry, FilesCancelled, Listing, Transferred, in_order, normalise

PIECE = 64 * 1024


class FakeFiles:
    def __init__(self, base: Path, name: str = "fake", how: str = "exec", piece_delay: float = 0.0):
        self.base = base
        self.name = name
        self.how = how
        self.piece_delay = piece_delay
        self.title = f"Files in {name}"
        self.root = "/"
        self.list_gate: threading.Event | None = None
        self.list_error: EngineError | None = None
        self.listed: list[str] = []  # every folder asked for, in order
        self.downloads: list[tuple[str, Path, bool]] = []  # (path, dest folder, overwrite)
        self.uploads: list[tuple[tuple[Path, ...], str]] = []
        self.closed = threading.Event()

    # The backend's interface -------------------------------------------------------------------

    def list_folder(self, path: str, cancel: threading.Event) -> Listing:
        path = normalise(path)
        self.listed.append(path)
        while self.list_gate is not None and not self.list_gate.wait(0.02):
            if cancel.is_set():
                raise FilesCancelled(path)
        if cancel.is_set():
            raise FilesCancelled(path)
        if self.list_error is not None:
            raise self.list_error
        folder = self._host(path)
        if not folder.is_dir():
            raise EngineError(f"Could not open {path}: there is no such folder in {self.name}. Check the path.")
        return Listing(path, in_order(self._entry(path, child) for child in folder.iterdir()), self.how)

    def download(self, path, dest_folder: Path, progress, cancel: threading.Event, overwrite: bool = False):
        self.downloads.append((path, dest_folder, overwrite))
        source = self._host(path)
        target = dest_folder / posixpath.basename(path)
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target} already exists. Replace it, or choose another folder.")
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        files = self._files(source)
        total = sum(f.stat().st_size for f in files)
        try:
            done = 0
            for file in files:
                out = target / file.relative_to(source) if source.is_dir() else target
                done = self._copy(file, out, done, total, progress, cancel)
            if source.is_dir():
                target.mkdir(parents=True, exist_ok=True)
        except BaseException:
            _remove(target)
            raise
        return Transferred((str(target),), total)

    def upload(self, sources: Sequence[Path], dest_folder: str, progress, cancel: threading.Event):
        self.uploads.append((tuple(sources), dest_folder))
        dest = self._host(dest_folder)
        pairs = [
            (file, dest / source.name / file.relative_to(source) if source.is_dir() else dest / source.name)
            for source in sources
            for file in self._files(source)
        ]
        total = sum(file.stat().st_size for file, _ in pairs)
        written: list[Path] = []
        try:
            done = 0
            for file, out in pairs:
                written.append(out)
                done = self._copy(file, out, done, total, progress, cancel)
        except BaseException:
            for out in written:
                _remove(out)
            raise
        return Transferred(tuple(posixpath.join(dest_folder, s.name) for s in sources), total)

    def download_command(self, path: str, dest_folder: Path) -> str:
        return f"docker cp {self.name}:{path} {dest_folder}"

    def upload_command(self, sources: Sequence[Path], dest_folder: str) -> str:
        return " && ".join(f"docker cp {source} {self.name}:{dest_folder}" for source in sources)

    def close(self) -> None:
        self.closed.set()

    # Inside the fake ---------------------------------------------------------------------------

    def _host(self, path: str) -> Path:
        relative = posixpath.normpath("/" + path).lstrip("/")
        return self.base / relative if relative not in ("", ".") else self.base

    @staticmethod
    def _files(source: Path) -> list[Path]:
        return sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]

    @staticmethod
    def _entry(folder: str, child: Path) -> FileEntry:
        info = child.lstat()
        if child.is_symlink():
            kind, size, target = "link", info.st_size, str(child.readlink())
        elif child.is_dir():
            kind, size, target = "folder", None, ""
        else:
            kind, size, target = "file", info.st_size, ""
        return FileEntry(
            child.name, posixpath.join(folder, child.name), kind, size, info.st_mtime, info.st_mode & 0o7777, target
        )

    def _copy(self, file: Path, out: Path, done: int, total: int, progress, cancel: threading.Event) -> int:
        out.parent.mkdir(parents=True, exist_ok=True)
        with file.open("rb") as reader, out.open("wb") as writer:
            while piece := reader.read(PIECE):
                if cancel.is_set():
                    raise FilesCancelled(str(file))
                writer.write(piece)
                done += len(piece)
                progress(done, total)
                if self.piece_delay:
                    time.sleep(self.piece_delay)
        if cancel.is_set():
            raise FilesCancelled(str(file))
        return done


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
