"""The Kubernetes tab's kubectl part: the kubeconfig's contexts, and "Apply with kubectl…" to one of them.

The kubeconfig (KUBECONFIG or ~/.kube/config) and whether kubectl is on PATH are read by a worker when the tab is
made. Apply saves the file first (asking where, if it was never saved or was edited since), asks before it acts on
the cluster, naming the context and the command, then runs `kubectl --context CTX apply -f FILE` in a worker and
shows what kubectl said."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from gui.core.export.kubeconfig import (
    NO_CONTEXTS,
    NO_KUBECONFIG,
    KubeSetup,
    apply_argv,
    apply_command,
    read_kube_setup,
    run_kubectl,
)
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style

if TYPE_CHECKING:
    from gui.views.export.export_tab import ExportTab
    from gui.workers.tasks import TaskRunner


class KubectlPanel(QWidget):
    """Contexts, the Apply button and kubectl's output, under the Kubernetes tab's command."""

    def __init__(
        self,
        tab: ExportTab,
        tasks: TaskRunner,
        find_kubeconfig: Callable[[], Path | None],
        kube_contexts,
        ask_apply: Callable[[str, str], bool],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("kubectl-panel")
        self.tab = tab
        self.setup: KubeSetup | None = None
        self._tasks = tasks
        self._ask_apply = ask_apply
        self.contexts_line = message_label(self, "kube-contexts", "Reading the kubeconfig…")
        self.contexts_line.setStyleSheet(colour_style("secondary"))
        self.context_box = QComboBox(self)
        self.context_box.setObjectName("kube-context")
        self.context_box.setAccessibleName("Kubernetes context")
        self.context_box.currentTextChanged.connect(lambda _text: self._update_button())
        self.apply_button = QPushButton("Apply with kubectl…", self)
        self.apply_button.setObjectName("kube-apply")
        self.apply_button.clicked.connect(self.apply)
        row = QHBoxLayout()
        row.addWidget(self.contexts_line, 1)
        row.addWidget(self.context_box)
        row.addWidget(self.apply_button)
        self.result_line = message_label(self, "kube-result", hidden=True)
        self.output = QPlainTextEdit(self)
        self.output.setObjectName("kube-output")
        self.output.setAccessibleName("kubectl's output")
        self.output.setReadOnly(True)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.output.setMaximumHeight(self.output.fontMetrics().lineSpacing() * 7)
        self.output.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.result_line)
        layout.addWidget(self.output)
        self._running = False
        self.context_box.hide()
        self.apply_button.hide()
        tab.saved.connect(lambda _path: self._update_button())
        tasks.submit(
            lambda: read_kube_setup(find_kubeconfig, kube_contexts),
            while_alive(self, self._show_setup),
            while_alive(self, lambda error: self._show_setup(KubeSetup(error=error.message))),
        )

    # The kubeconfig --------------------------------------------------------------------------------------

    def _show_setup(self, setup: KubeSetup) -> None:
        self.setup = setup
        if setup.error:
            self.contexts_line.setText(setup.error)
            self.contexts_line.setStyleSheet(colour_style("error"))
            return
        if setup.kubeconfig is None:
            self.contexts_line.setText(NO_KUBECONFIG)
            return
        if not setup.contexts:
            self.contexts_line.setText(NO_CONTEXTS.format(path=setup.kubeconfig))
            return
        named = [f"{name} (current)" if name == setup.current else name for name in setup.contexts]
        self.contexts_line.setText(f"Kubernetes contexts: {', '.join(named)}")
        self.contexts_line.setToolTip(f"From {setup.kubeconfig}")
        self.context_box.addItems(list(setup.contexts))
        if setup.current in setup.contexts:
            self.context_box.setCurrentText(setup.current)
        self.context_box.setVisible(len(setup.contexts) > 1)
        self.apply_button.show()
        self._update_button()

    def command(self, path: Path | None = None) -> str:
        """The kubectl command Apply runs (with the file's path once saved)."""
        path = path or self.tab.saved_path or Path(self.tab.exported.file_name)
        return apply_command(str(path), self.context_box.currentText())  # kubectl by name, not the path found

    def _update_button(self) -> None:
        if self.setup is None or not self.setup.contexts:
            return
        found = self.setup.kubectl is not None
        self.apply_button.setEnabled(found and not self._running)
        if found:
            tip = f"Saves the file first, asks, then runs: {self.command()}"
        else:
            tip = f"kubectl was not found on PATH. Install it, or run this where it is: {self.command()}"
        self.apply_button.setToolTip(tip)

    # Applying --------------------------------------------------------------------------------------------

    def apply(self) -> None:
        """Saves first when the file is not on disk as shown, then asks, then runs kubectl."""
        if self.setup is None or self.setup.kubectl is None or self._running:
            return
        context = self.context_box.currentText()
        if self.tab.saved_path is None or self.tab.unsaved:
            self.tab.save(then=lambda path: self._confirm_and_run(context, path))
        else:
            self._confirm_and_run(context, self.tab.saved_path)

    def _confirm_and_run(self, context: str, path: Path) -> None:
        command = apply_command(str(path), context)
        if not self._ask_apply(context, command):
            return
        argv = apply_argv(str(path), context, self.setup.kubectl)
        self._running = True
        self._update_button()
        self.output.clear()
        self.output.hide()
        self.result_line.setStyleSheet(colour_style("secondary"))
        show_message(self.result_line, f"Running {command}…")
        self._tasks.submit(
            lambda: run_kubectl(argv),
            while_alive(self, lambda result: self._applied(context, path, *result)),
            while_alive(self, lambda error: self._applied(context, path, None, error.message)),
        )

    def _applied(self, context: str, path: Path, status: int | None, output: str) -> None:
        self._running = False
        self._update_button()
        if status == 0:
            self.result_line.setStyleSheet(colour_style("ok"))
            show_message(self.result_line, f"kubectl applied {path.name} to the context {context}.")
        elif status is None:
            self.result_line.setStyleSheet(colour_style("error"))
            show_message(self.result_line, output)
            output = ""
        else:
            self.result_line.setStyleSheet(colour_style("error"))
            show_message(self.result_line, f"kubectl failed (exit status {status}): its output says why.")
        self.output.setPlainText(output)
        self.output.setVisible(bool(output))
