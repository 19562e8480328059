"""The Files window opened the way a user opens it, on the real engine (issue 18): Files on a stopped container
lists its folders through the archive API, and Browse files on a volume takes a file dropped from the host into the
volume through a helper container that is gone once the window closes."""

from __future__ import annotations

from gui.core.files.volume_helper import HELPER_KIND, HELPER_LABEL
from tests.engine import engine_helpers as eh
from tests.engine.test_app_on_engine import names, select_row
from tests.gui.files.files_driver import drop_files, shown, wait_for_folder

WAIT_MS = 30_000


def helpers(docker_client) -> list:
    return docker_client.containers.list(all=True, filters={"label": f"{HELPER_LABEL}={HELPER_KIND}"})


def test_files_of_a_stopped_container_are_read_through_the_archive(
    app_window, qtbot, docker_client, busybox_image, test_labels
):
    container = docker_client.containers.create(busybox_image, ["true"], labels=test_labels, network_mode="none")
    window = app_window()
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=WAIT_MS)
    select_row(page, lambda text: text == container.name)
    qtbot.waitUntil(page.files_action.isEnabled, timeout=WAIT_MS)
    page.files_action.trigger()
    files = window.files_windows[f"container {container.id}"]
    wait_for_folder(qtbot, files, "/")
    assert {"bin", "etc"} <= set(shown(files))
    assert "archive API" in files.how.text()
    files.close()
    qtbot.waitUntil(lambda: not window.files_windows, timeout=WAIT_MS)


def test_a_file_dropped_on_a_volume_lands_in_it(app_window, qtbot, docker_client, busybox_image, test_labels, tmp_path):
    volume = docker_client.volumes.create(f"portside-test-files-{test_labels[eh.CASE_LABEL]}", labels=test_labels)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"w" * 300_000)
    window = app_window()
    window.show_page("volumes")
    page = window.volumes_page
    qtbot.waitUntil(lambda: volume.name in names(page), timeout=WAIT_MS)
    select_row(page, lambda text: text == volume.name)
    qtbot.waitUntil(page.files_action.isEnabled, timeout=WAIT_MS)
    page.files_action.trigger()
    key = f"volume {volume.name}"
    qtbot.waitUntil(lambda: key in window.files_windows, timeout=WAIT_MS)
    files = window.files_windows[key]
    assert files.windowTitle() == f"Files in volume {volume.name}"
    wait_for_folder(qtbot, files, "/volume")
    assert len(helpers(docker_client)) == 1  # made for this window, never started

    drop_files(files, [weights])
    qtbot.waitUntil(lambda: "weights.bin" in shown(files), timeout=WAIT_MS)
    files.close()
    qtbot.waitUntil(lambda: not helpers(docker_client), timeout=WAIT_MS)

    listed = docker_client.containers.run(
        busybox_image,
        ["stat", "-c", "%s", "/data/weights.bin"],
        labels=test_labels,
        network_mode="none",
        volumes={volume.name: {"bind": "/data", "mode": "ro"}},
    )
    assert listed.decode().strip() == "300000"
