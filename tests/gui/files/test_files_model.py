"""The Files table model: a sound Qt model, and cells that read as `ls -l` and a user expect."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from gui.core.files.entries import FileEntry
from gui.models.files import FilesModel

ENTRIES = (
    FileEntry("models", "/data/models", "folder", 3 * 1024**3, 1_700_000_000.0, 0o755),
    FileEntry("cache", "/data/cache", "folder", None, None, 0o700),
    FileEntry("latest", "/data/latest", "link", 6, 1_700_000_000.0, 0o777, target="models"),
    FileEntry("run.sh", "/data/run.sh", "file", 1234, 1_700_000_000.0, 0o4755),
)


def test_the_model_is_sound_and_cells_read_as_ls_writes_them(qtbot, qtmodeltester):
    model = FilesModel({"folder": QIcon(), "file": QIcon(), "link": QIcon()})
    model.set_rows(ENTRIES)
    qtmodeltester.check(model)
    text = {model.index(row, 0).data(): [model.index(row, c).data() for c in range(1, 4)] for row in range(4)}
    assert text["models"][0] == "3.0 GiB"
    assert text["cache"] == ["", "", "drwx------"]  # a folder of unknown size and time: empty cells, never "n/a"
    assert text["latest"][2] == "lrwxrwxrwx"
    assert text["run.sh"][2] == "-rwsr-xr-x"
    row = [model.index(r, 0).data() for r in range(4)].index("latest")
    assert model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) == "/data/latest → models"
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(4)] == ["cache", "models", "latest", "run.sh"]
