"""The app's settings file is private like every file Portside writes: 0600 in a 0700 folder, and Qt keeps it so."""

from __future__ import annotations

import os
import stat

from PySide6.QtCore import QSettings

from gui.app import _keep_private


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_settings_are_written_0600_in_a_0700_folder(tmp_path, qapp):
    path = tmp_path / "config" / "Portside" / "Portside.conf"
    old = os.umask(0)  # the most permissive umask: the modes must not depend on it
    try:
        _keep_private(str(path))
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        settings.setValue("window/page", "images")
        settings.sync()
    finally:
        os.umask(old)
    assert settings.status() == QSettings.Status.NoError
    assert QSettings(str(path), QSettings.Format.IniFormat).value("window/page") == "images"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
