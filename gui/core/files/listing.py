"""Listing one folder of a container, two ways.

- exec: one `docker exec` of a POSIX sh script that prints `stat -c '%f %s %Y %n'` for every entry, hidden ones
  included (busybox and GNU stat both know -c; %f is the raw st_mode in hex: the kind and the permission bits),
  then each link's target. Cheap whatever the files weigh, but it needs a running container with sh and stat.
  A name holding a newline is shown mangled (cut at the newline), and a name that is not UTF-8 shows "?" marks.
- archive: the engine's archive API (GET /containers/{id}/archive?path=P) read as a tar stream, headers only (the
  content is skipped in 1 MiB reads, never kept), for a stopped container or one without sh or stat. The engine
  sends every byte under the folder, so a big folder takes as long as copying it; in return a folder's size is the
  sum of the files under it.
"""

from __future__ import annotations

import posixpath
import tarfile
import threading
from collections import defaultdict

from gui.core.errors import EngineError, EngineNotAnswering, NotFound
from gui.core.files.chunks import CHUNK, ChunkReader, check_complete
from gui.core.files.entries import FILE, FOLDER, LINK, OTHER, FileEntry, FilesCancelled, Listing, in_order, kind_of
from gui.core.files.refusals import path_refusal

LINKS_MARK = "//links"  # no stat line starts with "/": each starts with the mode in hex

# $1 is the folder. Exit codes: 2 no such path, 3 not a folder, 4 not readable by the container's user, 5 no stat.
LIST_SCRIPT = r"""
command -v stat >/dev/null 2>&1 || exit 5
[ -e "$1" ] || [ -L "$1" ] || exit 2
[ -d "$1" ] || exit 3
cd "$1" 2>/dev/null && [ -r . ] || exit 4
set -- .[!.]* ..?* *
stat -c '%f %s %Y %n' -- "$@" 2>/dev/null
echo '//links'
for f do
  [ -L "$f" ] && printf '%s\n%s\n' "$f" "$(readlink -- "$f" 2>/dev/null)"
done
exit 0
"""

EXEC_TIMEOUT_S = 15

# Go's os.FileMode bits, as the engine's stat header (X-Docker-Container-Path-Stat) gives them.
GO_DIR = 1 << 31
GO_SYMLINK = 1 << 27


def parse_stat_output(text: str, folder: str) -> list[FileEntry]:
    """The entries in LIST_SCRIPT's output. Lines that are not stat lines (an error that slipped through, the rest
    of a name cut at a newline) are left out."""
    lines = text.split("\n")
    targets: dict[str, str] = {}
    if LINKS_MARK in lines:
        mark = lines.index(LINKS_MARK)
        link_lines = lines[mark + 1 :]
        lines = lines[:mark]
        for at in range(0, len(link_lines) - 1, 2):
            targets[link_lines[at]] = link_lines[at + 1]
    entries = []
    for line in lines:
        entry = _stat_line(line, folder)
        if entry is not None:
            if entry.kind == LINK:
                entry = FileEntry(
                    entry.name, entry.path, LINK, None, entry.modified, entry.mode, targets.get(entry.name, "")
                )
            entries.append(entry)
    return entries


def _stat_line(line: str, folder: str) -> FileEntry | None:
    parts = line.split(" ", 3)
    if len(parts) != 4:
        return None
    raw_mode, size, modified, name = parts
    try:
        st_mode, size_bytes, epoch = int(raw_mode, 16), int(size), int(modified)
    except ValueError:
        return None
    if name in ("", ".", "..") or "/" in name:
        return None
    kind = kind_of(st_mode)
    return FileEntry(
        name=name,
        path=posixpath.join(folder, name),
        kind=kind,
        size=size_bytes if kind == FILE else None,
        modified=float(epoch),
        mode=st_mode & 0o7777,
    )


def list_by_exec(engine, container: str, folder: str) -> Listing | None:
    """The folder's listing from inside the running container; None when the container cannot give it (not
    running any more, no sh or stat, a user who may not read the folder): then the archive can."""
    try:
        code, output = engine.exec_run(container, ["sh", "-c", LIST_SCRIPT, "sh", folder], timeout_s=EXEC_TIMEOUT_S)
    except (EngineNotAnswering, NotFound):
        raise
    except EngineError:  # not running (409), the runtime could not start sh...
        return None
    if code == 0:
        return Listing(folder, in_order(parse_stat_output(output, folder)), "exec")
    if code == 2:
        raise NotFound(f"There is no {folder} in the container. It may have been moved or removed; refresh the folder.")
    if code == 3:
        raise EngineError(f"{folder} is a file, not a folder.")
    return None


def list_by_archive(client, container: str, folder: str, cancel: threading.Event) -> Listing:
    """The folder's listing read from the engine's archive of it. `client` is a docker-py APIClient of this
    listing's own: the caller closes it, which drops the rest of the stream."""
    return walk_archive(client, container, folder, cancel)[folder]


def walk_archive(client, container: str, folder: str, cancel: threading.Event) -> dict[str, Listing]:
    """The listing of `folder` and of every folder under it, from one read of the engine's archive of `folder`
    (the engine sends the whole tree anyway: keeping what it says of the folders below lets the window open them
    without reading it again). A folder's size is the total of the files anywhere under it."""
    chunks, stat = archive_of(client, container, folder, "read the folder")
    if stat and not stat.get("mode", GO_DIR) & GO_DIR:
        raise EngineError(f"{folder} is a file, not a folder.")
    children: dict[str, dict[str, FileEntry]] = defaultdict(dict)  # relative folder ("" the root): name: entry
    sizes: dict[str, int] = defaultdict(int)  # relative folder: bytes of the files under it
    root: str | None = None
    try:
        reader = ChunkReader(chunks, cancel, lambda _: None)
        with tarfile.open(fileobj=reader, mode="r|", bufsize=CHUNK) as tar:
            for member in tar:
                if cancel.is_set():
                    raise FilesCancelled()
                if root is None:
                    root = member.name  # the folder itself: its basename ("" for "/")
                    continue
                relative = _relative(member.name, root)
                if not relative:
                    continue
                parent, _, name = relative.rpartition("/")
                children[parent][name] = _member_entry(member, name, _joined(folder, parent))
                if member.isdir():
                    children.setdefault(relative, {})  # an empty folder is listed too
                elif member.isreg():
                    for ancestor in _ancestors(parent):
                        sizes[ancestor] += member.size
            check_complete(tar, reader)
    except (FilesCancelled, EngineError):
        raise
    except tarfile.TarError as exc:
        raise EngineError(f"The engine's archive of {folder} ended early or was damaged. Try again.", str(exc)) from exc
    except Exception as exc:
        raise path_refusal(exc, folder, "read the folder") from exc
    children.setdefault("", {})
    listings = {}
    for relative, entries in children.items():
        sized = (
            FileEntry(e.name, e.path, e.kind, sizes.get(_joined(relative, e.name, ""), 0), e.modified, e.mode)
            if e.kind == FOLDER
            else e
            for e in entries.values()
        )
        path = _joined(folder, relative)
        listings[path] = Listing(path, in_order(sized), "archive")
    return listings


def _joined(folder: str, relative: str, top: str | None = None) -> str:
    """`folder` and a path relative to it ("" is the folder itself)."""
    if not relative:
        return folder if top is None else top
    return posixpath.join(folder, relative)


def _ancestors(relative: str):
    """ "a/b" -> "a/b", "a", "" (the folders a file below a/b counts in)."""
    while relative:
        yield relative
        relative = relative.rpartition("/")[0]
    yield ""


def archive_of(client, container: str, path: str, doing: str, links_to_follow: int = 8):
    """The engine's archive of `path` as (chunks, stat header). A path that is a link gives the archive of what it
    points to: the engine's archive of a link holds only the link."""
    try:
        chunks, stat = client.get_archive(container, path, chunk_size=CHUNK)
    except Exception as exc:
        raise path_refusal(exc, path, doing) from exc
    target = (stat or {}).get("linkTarget")
    if target and stat.get("mode", 0) & GO_SYMLINK and links_to_follow:
        for _ in chunks:  # a few blocks: read to the end so the answer is done with
            pass
        followed = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        return archive_of(client, container, followed, doing, links_to_follow - 1)
    return chunks, stat


def _relative(name: str, root: str) -> str | None:
    """`name` below the archive's root folder; None for a member outside it (the engine sends none)."""
    prefix = root + "/"
    return name[len(prefix) :] if name.startswith(prefix) else None


def _member_entry(member: tarfile.TarInfo, name: str, folder: str) -> FileEntry:
    if member.isdir():
        kind = FOLDER
    elif member.issym():
        kind = LINK
    elif member.isreg() or member.islnk():  # a hard link is a file: the tar names the earlier member it shares
        kind = FILE
    else:
        kind = OTHER
    return FileEntry(
        name=name,
        path=posixpath.join(folder, name),
        kind=kind,
        size=member.size if member.isreg() else None,
        modified=float(member.mtime),
        mode=member.mode & 0o7777,
        target=member.linkname if member.issym() else "",
    )
