"""The folders the Settings page names are the ones Portside's parts write to."""

from __future__ import annotations

from pathlib import Path

from gui.core import log
from gui.core.learn.store import default_path as learn_progress
from gui.core.registry.credentials import default_index_path
from gui.core.settings.folders import data_folders


def test_the_folders_hold_what_portside_writes():
    folders = {folder.title: folder.path for folder in data_folders()}
    assert list(folders) == ["Settings", "Data", "Unsaved edits", "Logs"]
    assert default_index_path().parent == folders["Settings"]
    assert learn_progress().parent == folders["Data"]
    assert log.log_dir() == folders["Logs"]


def test_qts_settings_folder_is_named_where_it_differs(tmp_path):
    config = data_folders()[0].path
    assert [f.title for f in data_folders(str(config / "portside.conf"))] == [
        "Settings",
        "Data",
        "Unsaved edits",
        "Logs",
    ]
    elsewhere = data_folders(str(tmp_path / "portside.ini"))
    assert (elsewhere[1].title, elsewhere[1].path) == ("Preferences", Path(tmp_path))
