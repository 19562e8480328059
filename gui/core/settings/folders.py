"""Where Portside keeps its files, from the same platformdirs calls the parts that write them use: settings,
remembered run settings and the registries list (config), build history and Learn progress (data), copies of unsaved
Dockerfile edits (state) and the log (logs). Naming the folders reads nothing from the disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from gui.core import log

APP = "portside"


@dataclass(frozen=True)
class DataFolder:
    title: str  # "Settings", "Data"
    path: Path
    holds: str  # what Portside keeps there, in a few words


def data_folders(settings_file: str | None = None) -> tuple[DataFolder, ...]:
    """The folders, in the order a user looks for them. `settings_file`: QSettings' file, whose folder is named
    first when given (Qt picks it; on Linux it is the config folder)."""
    config = Path(platformdirs.user_config_dir(APP, appauthor=False))
    folders = [
        DataFolder("Settings", config, "settings, remembered run settings, the registries you signed in to"),
        DataFolder("Data", Path(platformdirs.user_data_dir(APP, appauthor=False)), "build history, Learn progress"),
        DataFolder(
            "Unsaved edits",
            Path(platformdirs.user_state_dir(APP, appauthor=False)),
            "copies of Dockerfile edits not saved yet",
        ),
        DataFolder("Logs", log.log_dir(), "the log, to attach to a bug report"),
    ]
    if settings_file:
        qt_folder = Path(settings_file).parent
        if qt_folder != config:
            folders.insert(1, DataFolder("Preferences", qt_folder, "these preferences (where Qt keeps them)"))
    return tuple(folders)
