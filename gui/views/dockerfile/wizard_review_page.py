"""The wizard's last page: the Dockerfile and .dockerignore rendered and linted in a worker, before Write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from gui.core.errors import EngineError
from gui.views.dockerfile.wizard_page import WizardPage, fixed_font
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import error_label_style, text_colour

if TYPE_CHECKING:
    from gui.views.dockerfile.wizard import DockerfileWizard


# 7. Review ------------------------------------------------------------------------------------------


class ReviewPage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner, "Review and write", "This is what Portside writes. Finish writes the files into the project folder."
        )
        self.dockerfile_text = ""
        self.dockerignore_text = ""
        self.findings: list = []
        self._generation = 0
        self._rendered = False
        self.writing = False
        self.done = False

        self.tabs = QTabWidget(self)
        self.dockerfile_view = self._code_view("wizard-dockerfile")
        self.dockerignore_view = self._code_view("wizard-dockerignore")
        self.tabs.addTab(self.dockerfile_view, "Dockerfile")
        self.tabs.addTab(self.dockerignore_view, ".dockerignore")
        self.lint_status = QLabel(self)
        self.lint_status.setObjectName("wizard-lint-status")
        self.lint_status.setWordWrap(True)
        self.findings_view = QTreeWidget(self)
        self.findings_view.setObjectName("wizard-findings")
        self.findings_view.setHeaderLabels(["Line", "Rule", "Problem"])
        self.findings_view.setRootIsDecorated(False)
        self.findings_view.setWordWrap(True)
        self.findings_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.findings_view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.findings_view.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        self.findings_view.setVisible(False)
        self.plan_label = QLabel(self)
        self.plan_label.setObjectName("wizard-plan")
        self.plan_label.setWordWrap(True)
        self.write_error = message_label(self, "wizard-write-error", style=error_label_style(), hidden=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.lint_status)
        layout.addWidget(self.findings_view)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.write_error)

    def _code_view(self, name: str) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setObjectName(name)
        view.setReadOnly(True)
        view.setFont(fixed_font())
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        return view

    def initializePage(self) -> None:
        self._rendered = False
        self.done = False
        show_message(self.write_error, None)
        self.dockerfile_view.setPlainText("")
        self.dockerignore_view.setPlainText("")
        self.findings_view.clear()
        self.findings_view.setVisible(False)
        self._set_lint_status("Writing the Dockerfile and checking it…", None)
        self.plan_label.setText(self.owner.write_plan_text())
        self._generation += 1
        generation = self._generation
        spec, scan = self.owner.spec(), self.owner.scan
        self.owner.session.tasks.submit(
            lambda: render_and_lint(spec, scan),
            while_alive(self, lambda result: self._on_rendered(generation, result)),
            while_alive(self, lambda error: self._on_render_failed(generation, error)),
        )
        self.refresh()

    def cleanupPage(self) -> None:
        self._generation += 1  # going back: a render still in flight is no longer wanted
        self._rendered = False

    def _on_rendered(self, generation: int, result: tuple[str, str, list]) -> None:
        if generation != self._generation:
            return
        self.dockerfile_text, self.dockerignore_text, self.findings = result
        self.dockerfile_view.setPlainText(self.dockerfile_text)
        self.dockerignore_view.setPlainText(self.dockerignore_text)
        self._rendered = True
        if not self.findings:
            self._set_lint_status("Checked with hadolint and Portside's rules: No problems found.", text_colour("ok"))
        else:
            count = len(self.findings)
            self._set_lint_status(
                f"Checked with hadolint and Portside's rules: {count} finding"
                f"{'s' if count != 1 else ''}. You can fix them in the editor after writing.",
                text_colour("warning"),
            )
            for finding in self.findings:
                item = QTreeWidgetItem([str(finding.line), finding.rule, finding.message])
                item.setToolTip(2, finding.why or finding.message)
                self.findings_view.addTopLevelItem(item)
            self.findings_view.setVisible(True)
        self.refresh()

    def _on_render_failed(self, generation: int, error: EngineError) -> None:
        if generation != self._generation:
            return
        self._set_lint_status(None, None)
        show_message(self.write_error, f"Portside could not write the Dockerfile from its template: {error.message}")
        self.refresh()

    def _set_lint_status(self, text: str | None, colour: str | None) -> None:
        self.lint_status.setText(text or "")
        self.lint_status.setVisible(bool(text))
        self.lint_status.setStyleSheet(f"color: {colour};" if colour else "")

    def show_write_error(self, message: str) -> None:
        show_message(self.write_error, message)

    def validatePage(self) -> bool:
        if self.done:
            return True
        if self.isComplete():
            self.owner.write()
        return False  # the wizard closes itself once the files are on disk

    def isComplete(self) -> bool:
        return self._rendered and not self.writing and not self.problems()


def render_and_lint(spec, scan) -> tuple[str, str, list]:
    """In a worker: both files from the templates, and the lint findings of the Dockerfile."""
    from gui.core.dockerfile.lint import lint_dockerfile
    from gui.core.dockerfile.recipe import render_dockerfile, render_dockerignore

    dockerfile = render_dockerfile(spec)
    dockerignore = render_dockerignore(spec, scan)
    # No context folder: the .dockerignore that rule PS006 asks for is written along with the Dockerfile.
    return dockerfile, dockerignore, lint_dockerfile(dockerfile)
