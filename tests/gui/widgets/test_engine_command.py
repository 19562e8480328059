"""Every command a window shows names the engine while another one than the default is chosen: the confirmation
boxes, the inspect window and the dialogs' command lines all go through one function."""

from __future__ import annotations

from gui.core.settings import contexts
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.inspect_dialog import InspectDialog


def test_a_command_names_the_chosen_engine_and_only_then(monkeypatch):
    assert for_engine("docker volume rm models") == "docker volume rm models"
    monkeypatch.setattr(contexts, "_chosen", "gpu-box")
    assert for_engine("docker volume rm models") == "docker --context gpu-box volume rm models"
    assert for_engine("kubectl apply -f web.yaml") == "kubectl apply -f web.yaml"  # not a docker command


def test_the_inspect_window_shows_and_copies_the_command_for_the_chosen_engine(qtbot, monkeypatch):
    monkeypatch.setattr(contexts, "_chosen", "gpu-box")
    dialog = InspectDialog("Volume models", [], {"Name": "models"}, "docker volume inspect models")
    qtbot.addWidget(dialog)
    assert dialog.command_edit.text() == "docker --context gpu-box volume inspect models"
