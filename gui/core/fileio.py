"""Writing files so that a crash never leaves half of one behind, and setting aside those that cannot be read. No Qt.

atomic_write() writes to a temporary file in the same folder, flushes it to
disk, then renames it over the target: a reader (or a crash) sees the old file
or the new one, never a mix. set_aside() moves a settings file that cannot be
read to <name>.corrupt, so the app starts afresh without losing what was there.

Portside's own files (settings, run memory, build history and logs, recovery copies, the log, learn progress)
are private: private_dir() is the one place that makes their folders (0700), and atomic_write(private=True)
gives the file 0600 whatever the umask. A user's own documents (a Dockerfile, a sample project) keep the usual
mode: COPY puts their permission bits in the image, where a non-root user must still read them.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "atomic_write",
    "atomic_write_bytes",
    "backup_path",
    "private_dir",
    "set_aside",
]

_DEFAULT_MODE = 0o666  # before the umask, as open() would create it
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(folder: Path) -> Path:
    """Makes `folder` and its missing parents with mode 0700 (whatever the umask) and narrows an existing
    `folder` to 0700; returns it. Raises OSError when it cannot be made."""
    folder = Path(folder)
    missing = []
    step = folder
    while not step.exists():
        missing.append(step)
        if step.parent == step:
            break
        step = step.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, PRIVATE_DIR_MODE)
        except FileExistsError:  # made at the same moment by another thread: still narrowed below
            pass
        os.chmod(made, PRIVATE_DIR_MODE)  # mkdir's mode is cut by the umask, never widened
    if stat.S_IMODE(folder.stat().st_mode) != PRIVATE_DIR_MODE:
        try:
            os.chmod(folder, PRIVATE_DIR_MODE)  # made by an older Portside, or by hand
        except PermissionError:  # not ours to change; the files in it are still 0600
            pass
    return folder


def backup_path(path: Path) -> Path:
    """The first free name of <name>.bak, <name>.bak.1, <name>.bak.2, ..."""
    candidate = path.with_name(path.name + ".bak")
    number = 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.name}.bak.{number}")
    return candidate


def atomic_write(path: Path, text: str, backup: bool = False, private: bool = False) -> Path | None:
    """Replace `path` with `text` (UTF-8, line endings as given) atomically; see atomic_write_bytes."""
    return atomic_write_bytes(path, text.encode("utf-8"), backup=backup, private=private)


def atomic_write_bytes(path: Path, data: bytes, backup: bool = False, private: bool = False) -> Path | None:
    """Replace `path` with `data` atomically (a document in its own encoding is written as bytes).

    With backup=True an existing file is first copied to <name>.bak (or
    .bak.N when that exists) and the backup's path is returned; otherwise
    None. A symlink is followed: its target is replaced and the link stays.
    The file keeps its permission bits; a new one gets the usual 0666 & ~umask.
    With private=True the folder is made private (private_dir) and the file is
    0600, new or not, whatever the umask: Portside's own files.
    Raises OSError (the target is then unchanged).
    """
    path = Path(path)
    if private:
        private_dir(path.parent)
    if path.is_symlink():
        path = path.resolve()
    existing_mode = _mode_of(path)
    saved = None
    if backup and existing_mode is not None:
        saved = backup_path(path)
        shutil.copy2(path, saved)
        if private:
            os.chmod(saved, PRIVATE_FILE_MODE)

    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; give it the mode the file had (or would get), or 0600 when private.
        if private:
            mode = PRIVATE_FILE_MODE
        else:
            mode = existing_mode if existing_mode is not None else _DEFAULT_MODE & ~_umask()
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(path.parent)
    return saved


def set_aside(
    path: Path, reason: Exception, logger: logging.Logger, starting: str, level: int = logging.INFO
) -> Path | None:
    """Moves `path`, which cannot be read because of `reason`, to <name>.corrupt (replacing an older one), and logs
    why in `logger` at `level`, ending with `starting` ("starting without remembered run settings"). Returns the
    new path, or None when the file could not be moved: it is then left in place, and the log says so too."""
    aside = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, aside)
    except OSError as move_error:
        logger.log(level, "%s cannot be read (%s) nor set aside (%s); %s", path, reason, move_error, starting)
        return None
    try:
        os.chmod(aside, PRIVATE_FILE_MODE)  # only Portside's own files are set aside; an old one may be 0644
    except OSError:
        pass
    logger.log(level, "%s cannot be read (%s); kept it as %s, %s", path, reason, aside.name, starting)
    return aside


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


def _umask() -> int:
    # Linux reports it without changing it; elsewhere the only way to read the
    # umask is to set it (process-wide, so briefly racy) and put it straight back.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: some filesystems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
