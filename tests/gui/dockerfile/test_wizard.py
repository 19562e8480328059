"""The Dockerfile wizard, driven page by page the way a user does: typing, clicking, pressing Next.

Each page gets bad input and must keep Next disabled with the reason next to the field; a full run writes
a Dockerfile and .dockerignore that install the requirements before copying the code, and an existing
Dockerfile is replaced (with a backup) only when the user chose to."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QWizard

from gui.core.dockerfile.recipe import AppKind, default_spec
from gui.core.secrets import secret_problem
from gui.views.dockerfile.wizard import DockerfileWizard
from tests.fakes.wizard_driver import press_next, retype

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


# Set-up ------------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path) -> Path:
    """The seed's kind of app: a Flask app.py and a requirements.txt with flask unpinned."""
    folder = tmp_path / "my-ai-app"
    folder.mkdir()
    (folder / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (folder / "requirements.txt").write_text("flask\n")
    return folder


def click(qtbot, button) -> None:
    """Click the indicator/text of a button (a radio button stretched wide only reacts near its text)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(button.height() // 2, button.height() // 2))


def open_folder(qtbot, wizard: DockerfileWizard, folder: Path) -> None:
    retype(qtbot, wizard.folder_page.folder_edit, str(folder))
    qtbot.waitUntil(lambda: wizard.folder_page.scan is not None, timeout=5000)


def walk_to(qtbot, wizard: DockerfileWizard, page) -> None:
    while wizard.currentPage() is not page:
        press_next(qtbot, wizard)


def shown(label) -> str:
    """The text of a message label the user can see, or '' when it is hidden."""
    return label.text() if label.isVisible() else ""


def write(qtbot, wizard: DockerfileWizard) -> Path:
    review = wizard.review_page
    qtbot.waitUntil(review.isComplete, timeout=20_000)
    finish = wizard.button(FINISH)
    assert finish.isEnabled() and finish.text().replace("&", "") == "Write"
    with qtbot.waitSignal(wizard.written, timeout=10_000) as written:
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    return written.args[0]


# 1. Project folder ---------------------------------------------------------------------------------------


def test_folder_page_needs_a_folder_not_a_file(qtbot, make_wizard, project, tmp_path):
    wizard = make_wizard()
    page = wizard.folder_page
    assert wizard.currentPage() is page
    assert not wizard.button(NEXT).isEnabled()
    assert "Choose the project folder" in shown(page.folder_error)

    retype(qtbot, page.folder_edit, str(project / "app.py"))
    qtbot.waitUntil(lambda: "is a file" in shown(page.folder_error), timeout=5000)
    assert not wizard.button(NEXT).isEnabled()

    retype(qtbot, page.folder_edit, str(tmp_path / "nowhere"))
    qtbot.waitUntil(lambda: "There is no folder" in shown(page.folder_error), timeout=5000)
    assert not wizard.button(NEXT).isEnabled()

    retype(qtbot, page.folder_edit, "relative/folder")
    qtbot.waitUntil(lambda: "full path" in shown(page.folder_error), timeout=5000)
    assert not wizard.button(NEXT).isEnabled()

    retype(qtbot, page.folder_edit, "")
    qtbot.waitUntil(lambda: "Choose the project folder" in shown(page.folder_error), timeout=5000)
    assert not wizard.button(NEXT).isEnabled()

    open_folder(qtbot, wizard, project)
    assert wizard.button(NEXT).isEnabled()
    assert not page.folder_error.isVisible()
    assert page.dependency_value.text().startswith("requirements.txt")
    assert "1 without a pinned version" in page.dependency_value.text()
    assert page.entry_value.text() == "app.py"
    assert page.models_value.text() == "none"
    assert not page.existing_box.isVisible()


def test_folder_page_shows_notebooks_and_model_sizes(qtbot, make_wizard, project):
    (project / "explore.ipynb").write_text("{}")
    (project / "models").mkdir()
    (project / "models" / "weights.safetensors").write_bytes(b"\0" * (3 * 1024 * 1024))
    wizard = make_wizard(project)  # a folder given up front is looked at at once
    qtbot.waitUntil(lambda: wizard.folder_page.scan is not None, timeout=5000)
    page = wizard.folder_page
    assert page.folder_edit.text() == str(project)
    assert "explore.ipynb" in page.notebooks_value.text()
    assert page.models_value.text() == "1 file, 3.0 MiB in all"


def test_browse_fills_in_the_folder(qtbot, make_wizard, project, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(project))
    wizard = make_wizard()
    qtbot.mouseClick(wizard.folder_page.browse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.folder_page.scan is not None, timeout=5000)
    assert wizard.folder_page.folder() == project.resolve()


def test_existing_dockerfile_must_be_opened_or_replaced(qtbot, make_wizard, project):
    (project / "Dockerfile").write_text("FROM python:3.12-slim\n# mine\n")
    wizard = make_wizard()
    page = wizard.folder_page
    open_folder(qtbot, wizard, project)
    assert page.existing_box.isVisible()
    assert not wizard.button(NEXT).isEnabled()
    assert "Choose one to continue" in shown(page.existing_error)

    with qtbot.waitSignal(wizard.openExistingRequested) as requested:
        qtbot.mouseClick(page.open_existing_button, Qt.MouseButton.LeftButton)
    assert requested.args == [project.resolve() / "Dockerfile"]
    assert not wizard.isVisible()
    assert (project / "Dockerfile").read_text() == "FROM python:3.12-slim\n# mine\n"
    assert not list(project.glob("*.bak*"))


# 2. Kind of app ------------------------------------------------------------------------------------------


def test_kind_page_needs_a_kind_and_suggests_one(qtbot, make_wizard, project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    wizard = make_wizard()
    open_folder(qtbot, wizard, empty)
    press_next(qtbot, wizard)
    page = wizard.kind_page
    assert wizard.currentPage() is page
    assert page.kind() is None  # nothing in the folder to go by: the user chooses
    assert not wizard.button(NEXT).isEnabled()
    assert "Choose the kind of app" in shown(page.kind_error)
    for kind, button in page.kind_buttons.items():
        assert button.text() == kind.title

    click(qtbot, page.kind_buttons[AppKind.NOTEBOOK])
    assert page.kind() is AppKind.NOTEBOOK
    assert wizard.button(NEXT).isEnabled()
    assert not page.kind_error.isVisible()

    # Back to a folder with a Flask app: the suggestion follows the new folder.
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    open_folder(qtbot, wizard, project)
    press_next(qtbot, wizard)
    assert page.kind() is AppKind.HTTP_API
    assert "flask" in shown(page.suggestion_label)


# 3. Base image -------------------------------------------------------------------------------------------


def test_base_page_refuses_a_bad_name_and_warns_on_latest(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.base_page)
    page = wizard.base_page
    assert page.base_image() == "python:3.12-slim"
    assert wizard.button(NEXT).isEnabled()
    assert "MB" in shown(page.warnings_label) + shown(page.size_label)  # what the base costs

    edit = page.image_combo.lineEdit()
    retype(qtbot, edit, "Bad Name")
    assert not wizard.button(NEXT).isEnabled()
    assert shown(page.image_error)
    assert page.image_error.text() == wizard.spec().problems()["base_image"]

    retype(qtbot, edit, "")
    assert not wizard.button(NEXT).isEnabled()
    assert shown(page.image_error)

    retype(qtbot, edit, "python:latest")
    assert wizard.button(NEXT).isEnabled()
    assert not page.image_error.isVisible()
    assert "latest" in shown(page.warnings_label)

    retype(qtbot, edit, "python")  # untagged is latest in disguise
    assert shown(page.warnings_label)

    # Portside's slim base follows the Python version; another base stays, with a word on the mismatch.
    retype(qtbot, edit, "python:3.12-slim-bookworm")
    page.python_combo.setCurrentText("3.11")
    assert page.base_image() == "python:3.12-slim-bookworm"
    assert "Python 3.11 was chosen" in shown(page.warnings_label)
    page.image_combo.setCurrentIndex(page.image_combo.findText("python:3.10-slim"))
    page.python_combo.setCurrentText("3.13")
    assert page.base_image() == "python:3.13-slim"
    assert wizard.spec().python_version == "3.13"
    assert wizard.button(NEXT).isEnabled()


# 4. Dependencies -----------------------------------------------------------------------------------------


def test_dependencies_page_explains_the_cached_install_and_lists_unpinned(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.deps_page)
    page = wizard.deps_page
    assert "requirements.txt" in page.file_label.text()
    assert "pip install --no-cache-dir" in page.how_label.text()
    assert "before" in page.how_label.text()
    assert page.unpinned_box.isVisible()
    assert [page.unpinned_view.topLevelItem(i).text(0) for i in range(page.unpinned_view.topLevelItemCount())] == [
        "flask"
    ]
    assert not page.rewrite_check.isVisible()
    assert wizard.button(NEXT).isEnabled()


def test_pinning_rewrites_requirements_only_when_ticked(qtbot, make_wizard, project):
    (project / "requirements.txt").write_text("# tools\npytest\njinja2>=3  # templates\nno-such-package-here\n")
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.deps_page)
    page = wizard.deps_page
    qtbot.mouseClick(page.pin_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.rewrite_check.isVisible, timeout=5000)
    installed = {
        page.unpinned_view.topLevelItem(i).text(0): page.unpinned_view.topLevelItem(i).text(1)
        for i in range(page.unpinned_view.topLevelItemCount())
    }
    assert installed["pytest"] == version("pytest")
    assert installed["no-such-package-here"] == "not installed here"
    assert "no-such-package-here" in shown(page.pin_status)
    assert not page.rewrite_check.isChecked()  # never without the user's say
    click(qtbot, page.rewrite_check)
    assert page.rewrite_check.isChecked()

    walk_to(qtbot, wizard, wizard.review_page)
    assert "requirements.txt gets" in wizard.review_page.plan_label.text()
    write(qtbot, wizard)
    assert (project / "requirements.txt").read_text() == (
        f"# tools\npytest=={version('pytest')}\njinja2=={version('jinja2')}  # templates\nno-such-package-here\n"
    )
    assert (project / "requirements.txt.bak").read_text().startswith("# tools\npytest\n")


def test_pins_found_but_not_ticked_leave_requirements_alone(qtbot, make_wizard, project):
    (project / "requirements.txt").write_text("pytest\n")
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.deps_page)
    qtbot.mouseClick(wizard.deps_page.pin_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(wizard.deps_page.rewrite_check.isVisible, timeout=5000)
    walk_to(qtbot, wizard, wizard.review_page)
    write(qtbot, wizard)
    assert (project / "requirements.txt").read_text() == "pytest\n"
    assert not (project / "requirements.txt.bak").exists()


# 5. Files and start --------------------------------------------------------------------------------------


def test_files_page_checks_port_command_and_workdir(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.files_page)
    page = wizard.files_page
    assert page.workdir_edit.text() == "/app"
    assert page.port_edit.text() == str(AppKind.HTTP_API.default_port)
    assert wizard.spec().command == default_spec(AppKind.HTTP_API, wizard.scan).command  # flask --app app...
    assert wizard.button(NEXT).isEnabled()

    retype(qtbot, page.port_edit, "70000")
    assert not wizard.button(NEXT).isEnabled()
    assert shown(page.port_error) == wizard.spec().problems()["port"]
    retype(qtbot, page.port_edit, "eighty")
    assert not wizard.button(NEXT).isEnabled()
    assert "whole number" in shown(page.port_error)
    retype(qtbot, page.port_edit, "5000")
    assert wizard.button(NEXT).isEnabled()
    assert not page.port_error.isVisible()
    assert wizard.spec().port == 5000

    retype(qtbot, page.command_edit, 'python "app.py')
    assert not wizard.button(NEXT).isEnabled()
    assert "never closed" in shown(page.command_error)
    assert not page.command_preview.isVisible()
    retype(qtbot, page.command_edit, "")
    assert not wizard.button(NEXT).isEnabled()
    assert shown(page.command_error)
    retype(qtbot, page.command_edit, 'gunicorn -b "0.0.0.0:5000" app:app')
    assert wizard.button(NEXT).isEnabled()
    assert wizard.spec().command == ("gunicorn", "-b", "0.0.0.0:5000", "app:app")
    preview = QTextDocumentFragment.fromHtml(shown(page.command_preview)).toPlainText()
    assert preview == 'In the Dockerfile: CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]'

    retype(qtbot, page.workdir_edit, "app")
    assert not wizard.button(NEXT).isEnabled()
    assert shown(page.workdir_error) == wizard.spec().problems()["workdir"]
    retype(qtbot, page.workdir_edit, "/srv/app")
    assert wizard.button(NEXT).isEnabled()


def test_a_script_may_have_no_port_and_then_no_healthcheck(qtbot, make_wizard, tmp_path):
    folder = tmp_path / "job"
    folder.mkdir()
    (folder / "train.py").write_text("print('training')\n")
    wizard = make_wizard()
    open_folder(qtbot, wizard, folder)
    press_next(qtbot, wizard)
    click(qtbot, wizard.kind_page.kind_buttons[AppKind.SCRIPT])
    walk_to(qtbot, wizard, wizard.files_page)
    page = wizard.files_page
    assert page.port_edit.text() == ""
    assert "train.py" in page.command_edit.text()
    assert wizard.button(NEXT).isEnabled()
    press_next(qtbot, wizard)
    practice = wizard.practice_page
    assert not practice.healthcheck_check.isEnabled()
    assert not practice.healthcheck_check.isChecked()
    assert "needs a port" in shown(practice.healthcheck_note)
    assert wizard.spec().healthcheck is False

    # Give it a port after all: the health check becomes possible.
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    retype(qtbot, page.port_edit, "8080")
    press_next(qtbot, wizard)
    assert practice.healthcheck_check.isEnabled()


# 6. Good practice ----------------------------------------------------------------------------------------


def test_secret_env_names_are_moved_to_run_time(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.practice_page)
    page = wizard.practice_page
    assert page.non_root_check.isChecked()
    assert not page.data_check.isChecked()

    qtbot.keyClicks(page.env_name_edit, "1BAD")
    assert not wizard.button(NEXT).isEnabled()
    assert "letters, digits and underscores" in shown(page.env_error)
    assert not page.env_add_button.isEnabled()

    retype(qtbot, page.env_name_edit, "OPENAI_API_KEY")
    assert not page.env_error.isVisible()
    assert page.env_add_button.text().replace("&", "") == "Ask at Run Time"
    assert shown(page.secret_label) == secret_problem("OPENAI_API_KEY")  # said before anything is added
    qtbot.keyClicks(page.env_value_edit, "sk-do-not-bake")
    qtbot.mouseClick(page.env_add_button, Qt.MouseButton.LeftButton)
    assert page.env_table.rowCount() == 0
    assert page.runtime_env() == ("OPENAI_API_KEY",)
    assert shown(page.secret_label).startswith(secret_problem("OPENAI_API_KEY"))
    assert page.env_name_edit.text() == page.env_value_edit.text() == ""

    qtbot.keyClicks(page.env_name_edit, "MODEL_NAME")
    qtbot.keyClicks(page.env_value_edit, "tiny-llm")
    qtbot.keyClick(page.env_value_edit, Qt.Key.Key_Return)
    assert page.env() == (("MODEL_NAME", "tiny-llm"),)
    assert wizard.button(NEXT).isEnabled(), wizard.spec().problems()

    # A variable typed but not added still counts when the user goes on.
    qtbot.keyClicks(page.env_name_edit, "HF_TOKEN")
    press_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.review_page
    spec = wizard.spec()
    assert spec.env == (("MODEL_NAME", "tiny-llm"),)
    assert spec.runtime_env == ("OPENAI_API_KEY", "HF_TOKEN")
    assert spec.problems() == {}
    qtbot.waitUntil(wizard.review_page.isComplete, timeout=20_000)
    dockerfile = wizard.review_page.dockerfile_view.toPlainText()
    assert "sk-do-not-bake" not in dockerfile
    assert "MODEL_NAME" in dockerfile


def test_a_clash_with_an_earlier_page_is_shown_and_blocks_next(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    press_next(qtbot, wizard)
    click(qtbot, wizard.kind_page.kind_buttons[AppKind.NOTEBOOK])
    walk_to(qtbot, wizard, wizard.practice_page)
    page = wizard.practice_page
    assert wizard.button(NEXT).isEnabled()
    click(qtbot, page.non_root_check)  # Jupyter will not start as root
    assert not page.non_root_check.isChecked()
    assert not wizard.button(NEXT).isEnabled()
    assert "Jupyter refuses to run as root" in shown(page.options_error)
    click(qtbot, page.non_root_check)
    assert wizard.button(NEXT).isEnabled()
    assert not page.options_error.isVisible()


# 7. Review and write -------------------------------------------------------------------------------------


def test_full_run_writes_a_dockerfile_that_caches_the_install(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.review_page)
    review = wizard.review_page
    qtbot.waitUntil(review.isComplete, timeout=20_000)
    assert review.dockerfile_view.isReadOnly() and review.dockerignore_view.isReadOnly()
    shown_text = review.dockerfile_view.toPlainText()
    assert "No problems found" in shown(review.lint_status), [f.message for f in review.findings]
    assert not review.findings_view.isVisible()
    assert ".git" in review.dockerignore_view.toPlainText()

    path = write(qtbot, wizard)
    assert path == project.resolve() / "Dockerfile"
    text = path.read_text()
    assert text == shown_text
    assert "pip install --no-cache-dir" in text
    assert text.index("pip install --no-cache-dir") < text.index("COPY . .")
    assert (project / ".dockerignore").read_text() == review.dockerignore_view.toPlainText()
    assert not list(project.glob("*.bak*"))
    assert (project / "requirements.txt").read_text() == "flask\n"
    assert not wizard.isVisible()
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]


def test_review_lists_the_findings_of_a_base_the_user_chose(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.base_page)
    retype(qtbot, wizard.base_page.image_combo.lineEdit(), "python:3.12")  # valid, but the full 1 GB image
    assert wizard.button(NEXT).isEnabled()
    walk_to(qtbot, wizard, wizard.review_page)
    review = wizard.review_page
    qtbot.waitUntil(review.isComplete, timeout=20_000)
    assert "FROM python:3.12\n" in review.dockerfile_view.toPlainText()
    assert review.findings_view.isVisible()
    rules = {review.findings_view.topLevelItem(i).text(1) for i in range(review.findings_view.topLevelItemCount())}
    assert "PS001" in rules  # the non-slim base
    assert "finding" in shown(review.lint_status)
    assert wizard.button(FINISH).isEnabled()  # findings inform; the user may still write and fix in the editor


def test_replace_keeps_a_backup_of_the_old_files(qtbot, make_wizard, project):
    (project / "Dockerfile").write_text("FROM python:3.12-slim\n# mine\n")
    (project / ".dockerignore").write_text("secrets/\n")
    wizard = make_wizard()
    page = wizard.folder_page
    open_folder(qtbot, wizard, project)
    assert "Dockerfile and .dockerignore" in page.existing_box.title()
    assert not wizard.button(NEXT).isEnabled()
    click(qtbot, page.replace_check)
    assert page.replace_check.isChecked()
    assert not page.existing_error.isVisible()
    walk_to(qtbot, wizard, wizard.review_page)
    assert "Dockerfile.bak" in wizard.review_page.plan_label.text()
    write(qtbot, wizard)
    assert (project / "Dockerfile.bak").read_text() == "FROM python:3.12-slim\n# mine\n"
    assert (project / ".dockerignore.bak").read_text() == "secrets/\n"
    assert "pip install --no-cache-dir" in (project / "Dockerfile").read_text()


def test_a_dockerfile_that_appears_meanwhile_is_not_overwritten(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.review_page)
    review = wizard.review_page
    qtbot.waitUntil(review.isComplete, timeout=20_000)
    (project / "Dockerfile").write_text("FROM busybox:1.36\n")  # someone else wrote one after the scan
    qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "appeared" in shown(review.write_error), timeout=10_000)
    assert wizard.isVisible()  # stays open with the reason
    assert wizard.button(FINISH).isEnabled()
    assert (project / "Dockerfile").read_text() == "FROM busybox:1.36\n"
    assert not (project / ".dockerignore").exists()


def test_going_back_to_another_kind_refreshes_the_defaults(qtbot, make_wizard, project):
    wizard = make_wizard()
    open_folder(qtbot, wizard, project)
    walk_to(qtbot, wizard, wizard.files_page)
    assert wizard.spec().port == AppKind.HTTP_API.default_port
    back = wizard.button(QWizard.WizardButton.BackButton)
    while wizard.currentPage() is not wizard.kind_page:
        qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    click(qtbot, wizard.kind_page.kind_buttons[AppKind.NOTEBOOK])
    walk_to(qtbot, wizard, wizard.files_page)
    assert wizard.files_page.port_edit.text() == str(AppKind.NOTEBOOK.default_port)
    assert wizard.spec().kind is AppKind.NOTEBOOK
    assert wizard.spec().base_image == wizard.base_page.base_image()


def test_wizard_size_follows_the_font(make_wizard):
    wizard = make_wizard()
    metrics = wizard.fontMetrics()
    assert wizard.width() >= metrics.averageCharWidth() * 80
    assert wizard.height() >= metrics.lineSpacing() * 30
