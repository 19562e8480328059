"""Export reached the way a user reaches it: Export… on the Containers page (the container's own settings, read
from the engine) and Export… in the Run dialog (the form as it stands), each opening the Export window."""

from __future__ import annotations

from gui.views.export.export_window import ExportWindow
from tests.gui.test_main_window import run_dialog
from tests.gui.user_actions import select

WAIT_MS = 5000


def export_windows(window) -> list[ExportWindow]:
    return window.findChildren(ExportWindow)


def test_export_of_a_container_writes_its_settings_with_the_secret_left_as_a_reference(window, engine, qtbot):
    select(window.containers_page, "web")
    window.containers_page.export_action.trigger()
    qtbot.waitUntil(lambda: len(export_windows(window)) == 1, timeout=WAIT_MS)
    export = export_windows(window)[0]
    assert export.windowTitle() == "Export web"
    text = export.compose_tab.editor.toPlainText()
    assert "image: web:1.0" in text and "127.0.0.1:5000:80" in text
    assert "API_TOKEN: ${API_TOKEN}" in text and "s3cret" not in text
    qtbot.waitUntil(lambda: "the same settings as web" in export.compose_tab.read_back_line.text(), timeout=WAIT_MS)
    export.close()


def test_the_run_dialog_exports_its_form_as_it_stands(window, qtbot):
    select(window.images_page, "trainer")
    window.images_page.run_action.trigger()
    qtbot.waitUntil(lambda: any(d.objectName() == "run-dialog" for d in window._dialogs), timeout=WAIT_MS)
    dialog = run_dialog(window)
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT_MS)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: len(export_windows(window)) == 1, timeout=WAIT_MS)
    export = export_windows(window)[0]
    assert "image: trainer:2.1" in export.compose_tab.editor.toPlainText()
    assert export.kubernetes_tab.isEnabled()
    export.close()
