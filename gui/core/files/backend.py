"""The one object the Files window talks to: a container's files, or a volume's through a helper container.
Every method blocks and is called from a worker thread; engine failures arrive as EngineError sentences."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from gui.core.files import listing, transfer, volume_helper
from gui.core.files.chunks import Progress
from gui.core.files.entries import FilesCancelled, Listing, Transferred, child, normalise

__all__ = ["ContainerFiles", "Progress", "VolumeFiles"]

# How long the folders an archive read passed through open without a read of their own. Asking for the folder
# listed last again (Refresh) always reads anew.
WALKED_FOR_S = 30.0


class ContainerFiles:
    """The files of one container, running or stopped."""

    def __init__(self, engine, container_id: str, container_name: str, running: bool):
        self.engine = engine
        self.container_id = container_id
        self.container_name = container_name
        self.running = running
        self.title = f"Files in {container_name}"
        self.root = "/"
        self._lock = threading.Lock()  # listings may overlap: a new folder asked while the last is still read
        self._walked: dict[str, Listing] = {}  # the folders the last archive read passed through
        self._walked_at = 0.0
        self._last_asked = ""

    def list_folder(self, path: str, cancel: threading.Event) -> Listing:
        """By exec while the container runs (cheap), else by the archive (see listing), whose read of a folder
        also lists every folder below it: opening one of those within WALKED_FOR_S needs no second read."""
        folder = normalise(path)
        if cancel.is_set():
            raise FilesCancelled()
        found = self._list_inside(folder)
        if found is not None:
            return found
        with self._lock:
            again, self._last_asked = folder == self._last_asked, folder
            walked = self._walked.get(folder) if time.monotonic() - self._walked_at < WALKED_FOR_S else None
        if walked is not None and not again:
            return walked
        with self._client(cancel) as client:
            listings = listing.walk_archive(client, self.container_id, folder, cancel)
        with self._lock:
            self._walked, self._walked_at = listings, time.monotonic()
        return listings[folder]

    def _list_inside(self, folder: str) -> Listing | None:
        """The listing from inside the running container; None when it cannot give one."""
        return listing.list_by_exec(self.engine, self.container_id, folder) if self.running else None

    def download(
        self, path: str, dest_folder: Path, progress: Progress, cancel: threading.Event, overwrite: bool = False
    ) -> Transferred:
        """Writes dest_folder/<basename of path> (a file, or a folder with everything under it). Raises
        FileExistsError (a plain sentence) when that exists and overwrite is False. On cancel or failure, removes
        what it wrote."""
        with self._client(cancel) as client:
            return transfer.download(client, self.container_id, path, Path(dest_folder), progress, cancel, overwrite)

    def upload(
        self, sources: Sequence[Path], dest_folder: str, progress: Progress, cancel: threading.Event
    ) -> Transferred:
        """Host files and/or folders into dest_folder in the container (see transfer.upload for what a cancel
        leaves there)."""
        with self._lock:
            self._walked = {}  # what was read before no longer holds
        with self._client(cancel) as client:
            return transfer.upload(client, self.container_id, [Path(s) for s in sources], dest_folder, progress, cancel)

    def download_command(self, path: str, dest_folder: Path) -> str:
        return transfer.download_command(self.container_name, path, dest_folder)

    def upload_command(self, sources: Sequence[Path], dest_folder: str) -> str:
        return transfer.upload_command(self.container_name, sources, dest_folder)

    def close(self) -> None:
        """Nothing to let go of for a container."""

    @contextmanager
    def _client(self, cancel: threading.Event) -> Iterator:
        """A client of this call's own, closed after it (which drops whatever is left of a stream). The reading and
        sending loops look at `cancel` between 1 MiB chunks."""
        client = self.engine.new_client()
        try:
            yield client
        except FilesCancelled:
            raise
        except Exception:
            if cancel.is_set():  # a failure that came of the cancel (a stream cut short) is the cancel
                raise FilesCancelled() from None
            raise
        finally:
            client.close()


class VolumeFiles(ContainerFiles):
    """A volume's files, through a helper container that is created (never started) with the volume at /volume."""

    def __init__(self, engine, volume_name: str, helper_id: str, helper_name: str, user: tuple[str, str] | None = None):
        super().__init__(engine, helper_id, helper_name, running=False)
        self.volume_name = volume_name
        self.title = f"Files in volume {volume_name}"
        self.root = volume_helper.MOUNT_POINT
        self.user = user  # (container ID, where it mounts the volume): a running container that lists it cheaply

    @classmethod
    def open(cls, engine, volume_name: str) -> VolumeFiles:
        """Blocking: makes the helper image if needed, then the helper container; finds a running container that
        mounts the volume, if any, to list folders in (the helper, never started, can only read archives)."""
        client = engine.new_client()
        try:
            helper_id, helper_name = volume_helper.create_helper(client, volume_name)
            user = volume_helper.running_user(client, volume_name)
        finally:
            client.close()
        return cls(engine, volume_name, helper_id, helper_name, user)

    def _list_inside(self, folder: str) -> Listing | None:
        """Listed in the running container that mounts the volume, its paths told as the helper's (/volume/…)."""
        if self.user is None:
            return None
        user_id, mounted_at = self.user
        below = folder[len(self.root) :].lstrip("/")
        found = listing.list_by_exec(self.engine, user_id, child(mounted_at, below) if below else mounted_at)
        if found is None:
            self.user = None  # stopped since, or its user may not read there: the archive from now on
            return None
        entries = tuple(replace(entry, path=child(folder, entry.name)) for entry in found.entries)
        return Listing(folder, entries, found.how)

    def close(self) -> None:
        """Removes the helper container; the volume and its files stay."""
        client = self.engine.new_client()
        try:
            volume_helper.remove_helper(client, self.container_id)
        finally:
            client.close()
