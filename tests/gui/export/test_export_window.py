"""The Export window with fake exporters: the file shown and coloured, what it leaves out, the read-back line as the
user edits, Save and the command that follows it, closing with unsaved edits, and kubectl."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from gui.core.run.spec import RunSpec
from gui.views.export.export_window import KUBERNETES_ONE_AT_A_TIME
from tests.gui.export.conftest import SECRET, WEB

WAIT_MS = 5000


def replace_in_editor(qtbot, tab, old: str, new: str) -> None:
    """Selects `old` in the tab's editor and types `new` over it, as a user does."""
    editor = tab.editor
    cursor = editor.document().find(old)
    assert not cursor.isNull(), f"{old!r} is not in the editor"
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClicks(editor, new)


def type_at_end(qtbot, tab, text: str) -> None:
    tab.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(tab.editor, text)


def test_the_file_is_shown_with_its_notes_and_secrets(open_window):
    window = open_window()
    compose = window.compose_tab

    assert window.windowTitle() == "Export web-1"
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Compose", "Kubernetes"]
    assert "image: python:3.12" in compose.editor.toPlainText()
    assert "HF_TOKEN: ${HF_TOKEN}" in compose.editor.toPlainText()
    assert SECRET not in compose.editor.toPlainText()
    assert not compose.editor.isReadOnly()
    assert "--privileged is not exported" in compose.notes.text()
    assert compose.secrets.text() == (
        "Left out, as references: HF_TOKEN. Put their values in a .env file beside compose.yaml."
    )
    assert ".env file beside compose.yaml. Secrets" not in compose.notes.text()  # said once, on the secrets line
    assert compose.command.text() == "docker compose -f compose.yaml up -d"

    kubernetes = window.kubernetes_tab
    assert kubernetes.editor.toPlainText().startswith("---\n")
    assert "kubectl create secret generic web-1-secrets" in kubernetes.secrets.text()
    assert kubernetes.command.text() == "kubectl apply -f web-1-k8s.yaml"


def test_the_yaml_is_coloured(open_window, qtbot):
    tab = open_window().compose_tab
    document = tab.editor.document()

    def colour_at(text: str) -> str | None:
        cursor = document.find(text)
        block = cursor.block()
        column = cursor.selectionStart() - block.position()
        for piece in block.layout().formats():
            if piece.start <= column < piece.start + piece.length:
                return piece.format.foreground().color().name()
        return None

    def colour_of(kind: str) -> str:
        return tab.highlighter.format_for(kind).foreground().color().name()

    assert colour_at("services") == colour_of("key")
    assert colour_at("python:3.12") == colour_of("string")
    assert colour_at("${HF_TOKEN}") == colour_of("variable")
    assert colour_at("# made by") == colour_of("comment")
    assert len({colour_of(kind) for kind in ("key", "string", "number", "variable", "comment")}) == 5

    kubernetes = open_window().kubernetes_tab.editor.document()
    separator = kubernetes.firstBlock().layout().formats()
    assert separator and separator[0].format.foreground().color().name() == colour_of("separator")


def test_the_read_back_line_follows_the_edits(open_window, qtbot):
    tab = open_window().compose_tab
    assert tab.read_back_text() == "Read back: the same settings as web-1."

    replace_in_editor(qtbot, tab, "python:3.12", "python:3.13")
    qtbot.waitUntil(lambda: "Image: python:3.12 became python:3.13." in tab.read_back_text(), timeout=WAIT_MS)

    replace_in_editor(qtbot, tab, "python:3.13", "python:3.12")
    qtbot.waitUntil(lambda: tab.read_back_text() == "Read back: the same settings as web-1.", timeout=WAIT_MS)

    type_at_end(qtbot, tab, "  broken: [")
    qtbot.waitUntil(lambda: tab.read_back_text().startswith("compose.yaml is not YAML"), timeout=WAIT_MS)


def test_the_kubernetes_file_reads_back_too(open_window, qtbot):
    tab = open_window().kubernetes_tab
    assert tab.read_back_text() == "Read back: the same settings as web-1."
    replace_in_editor(qtbot, tab, "kind: Deployment", "kind: StatefulSet")
    qtbot.waitUntil(lambda: tab.read_back_text() == "The file has no Deployment.", timeout=WAIT_MS)


def test_several_containers_export_to_compose_only(open_window):
    items = [("web-1", WEB), ("db", RunSpec(image="postgres:16")), ("cache", RunSpec(image="redis:7"))]
    window = open_window(items)

    assert window.windowTitle() == "Export 3 containers"
    assert not window.tabs.isTabEnabled(1)
    assert window.tabs.tabToolTip(1) == KUBERNETES_ONE_AT_A_TIME
    assert window.kubernetes_tab is None
    assert window.compose_tab.read_back_text() == "Read back: the same settings as the 3 containers."


def test_a_service_left_out_of_the_file_is_named(open_window, qtbot):
    items = [("web-1", WEB), ("db", RunSpec(image="postgres:16"))]
    tab = open_window(items).compose_tab
    cursor = tab.editor.document().find("  db:")
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cursor)
    qtbot.keyClick(tab.editor, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "The service db is not in the file any more." in tab.read_back_text(), timeout=WAIT_MS)


def test_save_writes_the_file_and_the_command_follows(open_window, qtbot, tmp_path):
    window = open_window()
    tab = window.compose_tab
    replace_in_editor(qtbot, tab, "MODE: prod", "MODE: staging")

    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    saved = tmp_path / "compose.yaml"
    qtbot.waitUntil(lambda: tab.status.text() == f"Saved to {saved}", timeout=WAIT_MS)
    assert window.asked_paths == [Path.home() / "compose.yaml"]
    assert saved.read_text() == tab.editor.toPlainText()
    assert "MODE: staging" in saved.read_text()
    assert tab.command.text() == f"docker compose -f {saved} up -d"
    assert not tab.unsaved

    window.kubernetes_tab.save()  # the next Save starts in the folder used last
    assert window.asked_paths[-1] == tmp_path / "web-1-k8s.yaml"
    qtbot.waitUntil(lambda: (tmp_path / "web-1-k8s.yaml").exists(), timeout=WAIT_MS)


def test_a_save_that_fails_says_why(open_window, qtbot, tmp_path):
    window = open_window()
    tab = window.compose_tab
    window.ask_save_path = lambda suggested: tmp_path / "no-such-folder" / "compose.yaml"

    tab.save()

    qtbot.waitUntil(lambda: tab.status.text().startswith("Could not save"), timeout=WAIT_MS)
    assert "Choose another folder" in tab.status.text()
    assert tab.command.text() == "docker compose -f compose.yaml up -d"
    assert tab.save_button.isEnabled()


def test_ctrl_s_saves_the_tab_shown(open_window, qtbot, tmp_path):
    window = open_window()
    window.tabs.setCurrentIndex(1)
    window.activateWindow()  # a shortcut goes to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.kubernetes_tab.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (tmp_path / "web-1-k8s.yaml").exists(), timeout=WAIT_MS)
    assert not (tmp_path / "compose.yaml").exists()


def test_closing_with_unsaved_edits_asks(open_window, qtbot, tmp_path):
    window = open_window()
    asked = []
    answers = iter(["cancel", "save"])

    def ask_unsaved(names):
        asked.append(names)
        return next(answers)

    window.ask_unsaved = ask_unsaved
    window.close()  # nothing edited: nothing asked
    assert asked == [] and not window.isVisible()

    window = open_window()
    window.ask_unsaved = ask_unsaved
    replace_in_editor(qtbot, window.compose_tab, "MODE: prod", "MODE: dev")
    window.close()
    assert asked == [["compose.yaml"]]
    assert window.isVisible()

    window.close()  # Save: written, then closed
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert "MODE: dev" in (tmp_path / "compose.yaml").read_text()


def test_discard_closes_without_saving(open_window, qtbot, tmp_path):
    window = open_window()
    replace_in_editor(qtbot, window.kubernetes_tab, "replicas: 1", "replicas: 2")
    window.ask_unsaved = lambda names: "discard"
    window.close()
    assert not window.isVisible()
    assert list(tmp_path.glob("*.yaml")) == []


def fake_kubectl(folder: Path, exit_status: int = 0) -> Path:
    """A kubectl that prints its arguments and what a real one says on a first apply."""
    folder.mkdir(exist_ok=True)
    script = folder / "kubectl"
    script.write_text(
        "#!/bin/sh\n"
        'echo "args: $*"\n'
        'echo "deployment.apps/web-1 created"\n'
        'echo "service/web-1 created"\n'
        f"exit {exit_status}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_contexts_from_the_kubeconfig(open_window, qtbot, kubeconfig):
    panel = open_window().kubectl
    qtbot.waitUntil(
        lambda: panel.contexts_line.text() == "Kubernetes contexts: ctx-a (current), ctx-b", timeout=WAIT_MS
    )
    assert panel.context_box.currentText() == "ctx-a"
    assert not panel.apply_button.isHidden()


def test_no_kubeconfig_says_so(open_window, qtbot, exporters):
    exporters.kubeconfig = None
    panel = open_window().kubectl
    qtbot.waitUntil(lambda: panel.contexts_line.text().startswith("No kubeconfig found"), timeout=WAIT_MS)
    assert panel.apply_button.isHidden()


def test_apply_saves_asks_and_shows_kubectls_output(open_window, qtbot, tmp_path, monkeypatch):
    fake_kubectl(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    window = open_window()
    panel = window.kubectl
    qtbot.waitUntil(lambda: panel.apply_button.isEnabled() and not panel.apply_button.isHidden(), timeout=WAIT_MS)
    panel.context_box.setCurrentText("ctx-b")
    asked = []
    window.ask_apply = lambda context, command: asked.append((context, command)) or True

    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)

    saved = tmp_path / "web-1-k8s.yaml"
    qtbot.waitUntil(lambda: "service/web-1 created" in panel.output.toPlainText(), timeout=WAIT_MS)
    assert asked == [("ctx-b", f"kubectl --context ctx-b apply -f {saved}")]
    assert saved.read_text() == window.kubernetes_tab.editor.toPlainText()
    assert f"args: --context ctx-b apply -f {saved}" in panel.output.toPlainText()
    assert panel.result_line.text() == "kubectl applied web-1-k8s.yaml to the context ctx-b."


def test_apply_cancelled_runs_nothing_and_a_failure_is_said(open_window, qtbot, tmp_path, monkeypatch):
    fake_kubectl(tmp_path / "bin", exit_status=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    window = open_window()
    panel = window.kubectl
    qtbot.waitUntil(lambda: panel.apply_button.isEnabled() and not panel.apply_button.isHidden(), timeout=WAIT_MS)
    answers = iter([False, True])
    window.ask_apply = lambda context, command: next(answers)

    panel.apply()
    qtbot.waitUntil(lambda: window.kubernetes_tab.saved_path is not None, timeout=WAIT_MS)
    assert panel.output.isHidden() and panel.result_line.isHidden()

    panel.apply()  # saved already: asks at once
    qtbot.waitUntil(lambda: panel.result_line.text().startswith("kubectl failed (exit status 1)"), timeout=WAIT_MS)
    assert "deployment.apps/web-1 created" in panel.output.toPlainText()


def test_without_kubectl_the_button_says_what_to_run(open_window, qtbot, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    panel = open_window().kubectl
    qtbot.waitUntil(lambda: panel.setup is not None, timeout=WAIT_MS)
    assert not panel.apply_button.isEnabled()
    assert panel.apply_button.toolTip() == (
        "kubectl was not found on PATH. Install it, or run this where it is: "
        "kubectl --context ctx-a apply -f web-1-k8s.yaml"
    )


def test_a_failing_exporter_is_said_in_its_tab(open_window, exporters):
    def refuse(name, spec, pull_secret=""):
        raise ValueError("The image name is empty.")

    exporters.to_kubernetes = refuse
    window = open_window()
    assert window.kubernetes_tab is None
    assert window.tabs.tabToolTip(1) == "Could not make the Kubernetes file: The image name is empty."
    assert window.compose_tab.read_back_text() == "Read back: the same settings as web-1."


def test_a_long_text_is_read_back_off_the_gui_thread(open_window, qtbot, monkeypatch):
    import threading

    from gui.views.export import export_tab

    window = open_window()
    tab = window.compose_tab
    threads = []
    plain_read_back = tab._read_back
    monkeypatch.setattr(
        tab, "_read_back", lambda text: threads.append(threading.current_thread()) or plain_read_back(text)
    )
    tab.editor.moveCursor(QTextCursor.MoveOperation.End)
    tab.editor.insertPlainText("# " + "x" * export_tab.INLINE_READ_BACK_CHARS + "\n")
    replace_in_editor(qtbot, tab, "python:3.12", "python:3.14")
    qtbot.waitUntil(lambda: "Image: python:3.12 became python:3.14." in tab.read_back_text(), timeout=WAIT_MS)
    assert threads and threading.main_thread() not in threads


def test_the_real_exporters_read_back_what_they_wrote(qtbot, tasks, kubeconfig, monkeypatch):
    from gui.core.run.spec import EnvVar, MountSpec, PortSpec
    from gui.views.export.export_window import ExportWindow

    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    spec = RunSpec(
        image="python:3.12",
        command="python -m http.server 80",
        ports=(PortSpec("80", "5000"),),
        env=(EnvVar("HF_TOKEN", SECRET), EnvVar("MODE", "prod")),
        mounts=(MountSpec("volume", "models", "/models"),),
        memory="2g",
        cpus="1.5",
        restart="always",
    )
    window = ExportWindow([("web-1", spec)], tasks=tasks)
    qtbot.addWidget(window)
    for tab in window.export_tabs():
        assert tab.read_back_text() == "Read back: the same settings as web-1.", tab.kind
        assert SECRET not in tab.text()
        assert "HF_TOKEN" in tab.secrets.text()
    assert window.kubernetes_tab.command.text() == "kubectl apply -f web-1-k8s.yaml"
    qtbot.waitUntil(lambda: window.kubectl.contexts_line.text().startswith("Kubernetes contexts: ctx-a (current)"))
