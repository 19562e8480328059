"""The Dockerfile wizard for someone with no project yet, and its base images: the sample button writes the
sample AI app into a new folder and takes the wizard to its Dockerfile (HTTP API, its port exposed); Python
images already on the engine come first, marked, and a base that is not here is flagged as a download."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QWizard

from gui.core.dockerfile.recipe import AppKind
from gui.core.dockerfile.sample_project import SAMPLE_FILES, SAMPLE_FOLDER_NAME, SAMPLE_PORT
from gui.views.dockerfile.wizard import DockerfileWizard
from gui.views.dockerfile.wizard_install_pages import ON_MACHINE_TEXT
from tests.fakes import fake_engine
from tests.fakes.wizard_driver import retype

BACK = QWizard.WizardButton.BackButton
FINISH = QWizard.WizardButton.FinishButton


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """The user's home folder, where the sample goes: this test's own."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def shown(label) -> str:
    return label.text() if label.isVisible() else ""


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def create_sample(qtbot, wizard: DockerfileWizard) -> None:
    button = wizard.folder_page.sample_button
    assert button.isVisible() and button.text().replace("&", "") == "Create a Sample AI App"
    click(qtbot, button)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.review_page, timeout=10_000)
    qtbot.waitUntil(wizard.review_page.isComplete, timeout=20_000)


# The sample -----------------------------------------------------------------------------------------------


def test_the_sample_button_writes_the_app_and_reaches_its_dockerfile(qtbot, make_wizard, home):
    wizard = make_wizard()
    create_sample(qtbot, wizard)
    folder = home / SAMPLE_FOLDER_NAME
    for name, text in SAMPLE_FILES.items():
        assert (folder / name).read_text(encoding="utf-8") == text
    assert f"Created the sample AI app in {folder}" in wizard.folder_page.sample_status.text()

    dockerfile = wizard.review_page.dockerfile_view.toPlainText()
    assert "# Dockerfile: HTTP inference API" in dockerfile
    assert f"EXPOSE {SAMPLE_PORT}" in dockerfile and 'CMD ["python", "app.py"]' in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "The sample app is in" in wizard.review_page.plan_label.text()

    # Back shows each page's choice: the sample's start command and port.
    click(qtbot, wizard.button(BACK))
    click(qtbot, wizard.button(BACK))
    assert wizard.currentPage() is wizard.files_page
    assert wizard.files_page.port_edit.text() == str(SAMPLE_PORT)
    assert wizard.files_page.command_edit.text() == "python app.py"
    assert wizard.kind() is AppKind.HTTP_API

    while wizard.currentPage() is not wizard.review_page:
        click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    qtbot.waitUntil(wizard.review_page.isComplete, timeout=20_000)
    with qtbot.waitSignal(wizard.written, timeout=10_000) as written:
        click(qtbot, wizard.button(FINISH))
    assert written.args[0] == folder / "Dockerfile"
    assert f"EXPOSE {SAMPLE_PORT}" in (folder / "Dockerfile").read_text()
    assert (folder / ".dockerignore").is_file()


def test_the_kind_page_says_the_sample_is_an_http_api(qtbot, make_wizard, home):
    wizard = make_wizard()
    create_sample(qtbot, wizard)
    while wizard.currentPage() is not wizard.kind_page:
        click(qtbot, wizard.button(BACK))
    page = wizard.kind_page
    assert page.kind_buttons[AppKind.HTTP_API].isChecked()
    assert f"The sample app is an HTTP inference API: it serves its model on port {SAMPLE_PORT}." == shown(
        page.suggestion_label
    )


def test_a_second_sample_gets_a_free_folder_and_the_first_is_untouched(qtbot, make_wizard, home):
    first = home / SAMPLE_FOLDER_NAME
    first.mkdir()
    (first / "app.py").write_text("my changes\n")
    wizard = make_wizard()
    create_sample(qtbot, wizard)
    assert (first / "app.py").read_text() == "my changes\n"
    assert wizard.scan.folder == home / f"{SAMPLE_FOLDER_NAME}-2"
    assert (home / f"{SAMPLE_FOLDER_NAME}-2" / "app.py").is_file()


def test_the_sample_goes_into_a_typed_new_folder(qtbot, make_wizard, home, tmp_path):
    wizard = make_wizard()
    target = tmp_path / "learning" / "first-app"
    retype(qtbot, wizard.folder_page.folder_edit, str(target))
    qtbot.waitUntil(lambda: "There is no folder" in shown(wizard.folder_page.folder_error), timeout=5000)
    create_sample(qtbot, wizard)
    assert wizard.scan.folder == target and (target / "app.py").is_file()
    assert not (home / SAMPLE_FOLDER_NAME).exists()


def test_a_sample_that_cannot_be_written_says_why_and_stays(qtbot, make_wizard, home, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    wizard = make_wizard()
    retype(qtbot, wizard.folder_page.folder_edit, str(tmp_path / "a-file" / "sample"))
    click(qtbot, wizard.folder_page.sample_button)
    page = wizard.folder_page
    qtbot.waitUntil(lambda: "is a file, not a folder" in shown(page.sample_error), timeout=5000)
    assert wizard.currentPage() is page and page.sample_button.isEnabled()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


# Base images ----------------------------------------------------------------------------------------------


@pytest.fixture
def listed(qtbot, session, engine):
    """The engine has two Python images; the session has listed them (as the main window's session has)."""
    engine.images += [fake_engine.image("portside-test/python", "3.11-slim"), fake_engine.image("python", "3.11")]
    session.start()
    qtbot.waitUntil(lambda: session.snapshot is not None, timeout=5000)
    return session.snapshot.images


def marked(combo, index: int) -> str:
    """The text the base list shows for an item, as its delegate paints it."""
    option = QStyleOptionViewItem()
    combo.itemDelegate().initStyleOption(option, combo.model().index(index, 0))
    return option.text


def test_python_images_on_this_machine_come_first_and_are_the_default(qtbot, make_wizard, home, listed):
    wizard = make_wizard()
    create_sample(qtbot, wizard)
    dockerfile = wizard.review_page.dockerfile_view.toPlainText()
    assert "FROM portside-test/python:3.11-slim" in dockerfile  # builds offline

    while wizard.currentPage() is not wizard.base_page:
        click(qtbot, wizard.button(BACK))
    page = wizard.base_page
    combo = page.image_combo
    assert page.base_image() == "portside-test/python:3.11-slim" and page.python_version() == "3.11"
    items = [combo.itemText(index) for index in range(combo.count())]
    assert items[:2] == ["portside-test/python:3.11-slim", "python:3.11"]
    assert marked(combo, 0) == f"portside-test/python:3.11-slim    ({ON_MACHINE_TEXT})"
    assert marked(combo, 1).endswith(f"({ON_MACHINE_TEXT})")
    assert marked(combo, items.index("python:3.12-slim")) == "python:3.12-slim"  # from Docker Hub
    assert shown(page.download_label).startswith("On this machine")
    assert "to download" not in shown(page.warnings_label)

    retype(qtbot, combo.lineEdit(), "python:3.12-slim")
    assert shown(page.download_label).startswith("Needs a download: python:3.12-slim is not on this machine")
    assert "fails without an internet connection" in shown(page.download_label)

    # Choosing a Python version moves an offered base along: to a local image of that version when there is one.
    page.python_combo.setCurrentText("3.13")
    assert page.base_image() == "python:3.13-slim" and "Needs a download" in shown(page.download_label)
    page.python_combo.setCurrentText("3.11")
    assert page.base_image() == "portside-test/python:3.11-slim"


def test_an_image_pulled_while_the_page_is_open_gets_its_mark(qtbot, make_wizard, home, listed, session, engine):
    wizard = make_wizard()
    create_sample(qtbot, wizard)
    while wizard.currentPage() is not wizard.base_page:
        click(qtbot, wizard.button(BACK))
    page = wizard.base_page
    retype(qtbot, page.image_combo.lineEdit(), "python:3.13-slim")
    assert "Needs a download" in shown(page.download_label)
    engine.images.append(fake_engine.image("python", "3.13-slim"))
    session.refresh()
    qtbot.waitUntil(lambda: shown(page.download_label).startswith("On this machine"), timeout=5000)
    assert page.base_image() == "python:3.13-slim"
