"""Copying out of a container and into it, as tar streams that never hold a whole file in memory, and the
`docker cp` lines that do the same.

Download: the engine's archive of the path (GET /containers/{id}/archive) arrives in 1 MiB chunks and is
extracted as it arrives (tarfile "r|") into a hidden staging folder beside the destination, then moved into
place; a cancel or a failure removes the staging folder, so nothing half-written is left and nothing that was
there before is touched. Every member passes Python's `tarfile.data_filter` (no absolute names, no "..", nothing
written through a link); links pointing out of the download and device files are left out rather than failing
the whole copy (a container's /etc or /dev has them, and `docker cp` would copy them as they are).

Upload: the tar is made while it is sent (a generator handed to PUT /containers/{id}/archive, which requests
sends chunked), reading each host file in 1 MiB pieces. The headers come from tarfile's own `TarInfo.tobuf`;
the archive is framed here rather than by `tarfile.open(mode="w|")`, because `addfile` copies a whole file in
one call and a generator could not hand out its pieces as they are read.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import shutil
import stat
import tarfile
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from gui.core import log
from gui.core.errors import EngineError
from gui.core.files.chunks import CHUNK, ChunkReader, Progress, Throttled, check_complete
from gui.core.files.entries import FilesCancelled, Transferred, child, normalise
from gui.core.files.listing import GO_DIR, GO_SYMLINK, archive_of
from gui.core.files.refusals import path_refusal

logger = log.get("files")

BLOCK = tarfile.BLOCKSIZE  # 512: a tar member's data is padded to whole blocks
END_OF_ARCHIVE = bytes(2 * BLOCK)


# --- download -------------------------------------------------------------------------------------------------


def download(
    client,
    container: str,
    path: str,
    dest_folder: Path,
    progress: Progress,
    cancel: threading.Event,
    overwrite: bool = False,
) -> Transferred:
    """Writes dest_folder/<basename of path>: a file, or a folder with everything under it. A path that is a link
    is followed (the file it points to is copied under the link's name). `client` is a docker-py APIClient of
    this download's own; the caller closes it, which drops the rest of the stream."""
    path = normalise(path)
    if path == "/":
        raise EngineError(
            "Pick a folder or file inside / to download. To save a container's whole file system, use "
            "docker export CONTAINER -o FILE.tar in a terminal."
        )
    name = posixpath.basename(path)
    target = Path(dest_folder) / name
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise FileExistsError(f"{target} already exists. Choose another folder, or allow replacing it.")
    chunks, header = archive_of(client, container, path, "download from the container")
    mode = (header or {}).get("mode", 0)
    total = None if mode & GO_DIR or not header else int(header.get("size", 0))
    meter = Throttled(progress, total)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".portside-download-", dir=dest_folder))
    except OSError as exc:
        raise _host_refusal(exc, Path(dest_folder)) from exc
    try:
        reader = ChunkReader(chunks, cancel, meter.add)
        with tarfile.open(fileobj=reader, mode="r|", bufsize=CHUNK, copybufsize=CHUNK) as tar:
            moved = _extract(tar, staging, name)
            check_complete(tar, reader)
        _put_in_place(staging / name, target)
    except (FilesCancelled, EngineError):
        raise
    except tarfile.FilterError as exc:
        raise EngineError(
            f"The engine's archive of {path} held an entry that would be written outside the download "
            f"({exc}), so nothing was kept.",
            str(exc),
        ) from exc
    except tarfile.TarError as exc:
        raise EngineError(f"The engine's archive of {path} ended early or was damaged. Try again.", str(exc)) from exc
    except OSError as exc:  # requests' errors are OSErrors too: the engine went away mid-stream
        if _from_the_engine(exc):
            raise path_refusal(exc, path, "download from the container") from exc
        raise _host_refusal(exc, Path(dest_folder)) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    meter.finish()
    return Transferred((str(target),), moved)


def _extract(tar: tarfile.TarFile, staging: Path, name: str) -> int:
    """Extracts every member under `name` (the archive's root renamed to it) into staging; the file bytes written."""
    moved = 0
    root: str | None = None
    skipped = []

    def safe(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        nonlocal moved, root
        if root is None:
            root = member.name
        if member.name != root and not member.name.startswith(root + "/"):
            raise tarfile.OutsideDestinationError(member, member.name)
        member = member.replace(name=name + member.name[len(root) :], deep=False)
        try:
            member = tarfile.data_filter(member, dest)
        except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError, tarfile.SpecialFileError):
            skipped.append(member.name)
            return None
        if member.isreg():
            moved += member.size
        return member

    tar.extractall(staging, filter=safe)
    if skipped:
        logger.info("download left out %d links or device files, such as %s", len(skipped), skipped[0])
    return moved


def _put_in_place(staged: Path, target: Path) -> None:
    if not staged.exists() and not staged.is_symlink():
        staged.mkdir()  # the archive held only what was left out
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    os.replace(staged, target)


def _from_the_engine(exc: OSError) -> bool:
    import requests.exceptions

    return isinstance(exc, requests.exceptions.RequestException)


def _host_refusal(exc: OSError, folder: Path) -> EngineError:
    reason = exc.strerror or str(exc)
    return EngineError(
        f"Could not write in {folder}: {reason}. Check that the folder exists, that you may write there, "
        "and that the disk has room.",
        str(exc),
    )


# --- upload ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One member of an upload: the host path, its name in the archive, what lstat said of it."""

    host: Path
    name: str
    info: os.stat_result


class SourceUnreadable(Exception):
    """A host file could not be read while sending. Not an OSError: requests would take that for a lost
    connection and say the engine went away."""


def upload(
    client,
    container: str,
    sources: Sequence[Path],
    dest_folder: str,
    progress: Progress,
    cancel: threading.Event,
) -> Transferred:
    """Host files and folders into dest_folder, which must exist in the container.

    On cancel or failure the engine has already written what it received: the files sent before stay in the
    container, and the one being sent may be left cut short. Portside does not remove them, as it cannot tell
    them from files that were there before; the window says so."""
    dest = normalise(dest_folder)
    _check_folder(client, container, dest)
    plan = plan_upload(sources)
    total = sum(item.info.st_size for item in plan if stat.S_ISREG(item.info.st_mode))
    meter = Throttled(progress, total)
    try:
        client.put_archive(container, dest, tar_chunks(plan, cancel, meter.add))
    except FilesCancelled:
        raise
    except SourceUnreadable as exc:
        raise EngineError(str(exc)) from exc
    except Exception as exc:
        if cancel.is_set():
            raise FilesCancelled() from exc
        raise path_refusal(exc, dest, "copy into the container", writing=True) from exc
    meter.finish()
    return Transferred(tuple(child(dest, Path(source).name) for source in sources), total)


def _check_folder(client, container: str, folder: str) -> None:
    """Asks the engine about the folder first (HEAD on the archive): a missing one would otherwise be refused only
    after the whole upload was sent, or show as a broken connection."""
    import docker.utils

    try:
        answer = client.head(client._url("/containers/{0}/archive", container), params={"path": folder})
        client._raise_for_status(answer)
    except Exception as exc:
        raise path_refusal(exc, folder, "copy into the container", writing=True) from exc
    encoded = answer.headers.get("X-Docker-Container-Path-Stat")
    header = docker.utils.decode_json_header(encoded) if encoded else {}
    if header and not header.get("mode", GO_DIR) & (GO_DIR | GO_SYMLINK):
        raise EngineError(f"{folder} is a file in the container, not a folder. Pick a folder to copy into.")


def plan_upload(sources: Sequence[Path]) -> list[Planned]:
    """Every member of the upload, folders walked depth first (links not followed), each named under its
    source's basename. Read before sending, so the total is known and an unreadable folder stops nothing midway."""
    plan: list[Planned] = []
    for source in sources:
        source = Path(source)
        try:
            plan.append(Planned(source, source.name, os.lstat(source)))
            if stat.S_ISDIR(plan[-1].info.st_mode):
                _walk(source, source.name, plan)
        except OSError as exc:
            raise EngineError(
                f"Could not read {exc.filename or source}: {exc.strerror or exc}. Check it is still there and that "
                "you may read it.",
                str(exc),
            ) from exc
    return plan


def _walk(folder: Path, name: str, plan: list[Planned]) -> None:
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        item = Planned(Path(entry.path), f"{name}/{entry.name}", entry.stat(follow_symlinks=False))
        plan.append(item)
        if stat.S_ISDIR(item.info.st_mode):
            _walk(item.host, item.name, plan)


def tar_chunks(plan: Sequence[Planned], cancel: threading.Event, on_bytes=lambda n: None) -> Iterator[bytes]:
    """The tar archive of `plan`, in chunks of at most about 2 MiB, reading each file in 1 MiB pieces as the
    chunks are taken. Raises FilesCancelled once `cancel` is set, SourceUnreadable when a file cannot be read.
    Owners are root (0:0) in the container, as with `docker cp`; sockets and devices are left out."""
    pending = bytearray()
    for item in plan:
        if cancel.is_set():
            raise FilesCancelled()
        member = _member(item)
        if member is None:
            continue
        pending += member.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        if not member.isreg() or not member.size:
            continue
        if member.size >= CHUNK:  # big pieces follow: send them as they are, not copied into `pending`
            yield bytes(pending)
            pending.clear()
        for piece in _file_pieces(item.host, member.size, cancel):
            on_bytes(len(piece))
            if not pending and len(piece) == CHUNK:
                yield piece
                continue
            pending += piece
            if len(pending) >= CHUNK:
                yield bytes(pending)
                pending.clear()
        pending += bytes(-member.size % BLOCK)
    pending += END_OF_ARCHIVE
    yield bytes(pending)


def _member(item: Planned) -> tarfile.TarInfo | None:
    info = item.info
    member = tarfile.TarInfo(item.name)
    member.mode = info.st_mode & 0o7777
    member.mtime = int(info.st_mtime)
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    if stat.S_ISDIR(info.st_mode):
        member.type = tarfile.DIRTYPE
    elif stat.S_ISREG(info.st_mode):
        member.type, member.size = tarfile.REGTYPE, info.st_size
    elif stat.S_ISLNK(info.st_mode):
        member.type, member.linkname = tarfile.SYMTYPE, os.readlink(item.host)
    else:
        return None
    return member


def _file_pieces(path: Path, size: int, cancel: threading.Event) -> Iterator[bytes]:
    """`size` bytes of the file in 1 MiB pieces: as many as the archive header promised, zeros if it shrank since."""
    try:
        with open(path, "rb") as source:
            left = size
            while left:
                if cancel.is_set():
                    raise FilesCancelled()
                piece = source.read(min(CHUNK, left)) or bytes(min(CHUNK, left))
                left -= len(piece)
                yield piece
    except OSError as exc:
        raise SourceUnreadable(
            f"Could not read {path}: {exc.strerror or exc}. Check that you may read it, then try again."
        ) from exc


# --- the docker cp twins ---------------------------------------------------------------------------------------


def download_command(container_name: str, path: str, dest_folder: Path) -> str:
    """docker cp web-1:/data/model.bin /home/u/Downloads"""
    return f"docker cp {shlex.quote(f'{container_name}:{normalise(path)}')} {shlex.quote(str(dest_folder))}"


def upload_command(container_name: str, sources: Sequence[Path], dest_folder: str) -> str:
    """One docker cp SRC web-1:/data per source, joined with &&."""
    into = shlex.quote(f"{container_name}:{normalise(dest_folder)}")
    return " && ".join(f"docker cp {shlex.quote(str(source))} {into}" for source in sources)
