"""The Export window: one container's settings (or a selection's) as a compose.yaml, and as Kubernetes manifests.

Each format is a tab (gui.views.export.export_tab): the file in the code editor with YAML colours, editable, read
back after each pause in typing and compared with the run's settings; Save writes it off the GUI thread. The
exporters come from gui.core.export, imported when first called (so this module imports on its own), or are given
(tests give fakes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from gui.views.export.export_tab import ExportTab
from gui.views.export.kubectl_panel import KubectlPanel
from gui.views.widgets.feedback import message_label
from gui.views.widgets.style import error_label_style
from gui.workers.tasks import TaskRunner

if TYPE_CHECKING:
    from gui.core.run.spec import RunSpec

KUBERNETES_ONE_AT_A_TIME = "Kubernetes export takes one container at a time."
COMPOSE_SECRETS_HINT = "Put their values in a .env file beside {file_name}."
KUBERNETES_SECRETS_HINT = "Create the Secret they come from before applying."


def _same(_name, spec):
    return spec


@dataclass(frozen=True)
class Exporters:
    """The core functions the window uses. `kubernetes_view(name, spec)` is the run as Kubernetes can keep it: what
    a Kubernetes read-back is compared with (each change it makes has a note)."""

    to_compose: Callable[..., Any]
    from_compose: Callable[[str], list]
    to_kubernetes: Callable[..., Any]
    from_kubernetes: Callable[[str], Any]
    differences: Callable[[Any, Any], list[str]]
    kube_contexts: Callable[[str], tuple[list[str], str]]
    find_kubeconfig: Callable[[], Path | None]
    kubernetes_view: Callable[[str, Any], Any] = _same
    compose_view: Callable[[Any], Any] = lambda spec: spec

    @classmethod
    def default(cls) -> Exporters:
        from gui.core.export import common, compose, kubeconfig, kubernetes  # on first use: start-up stays quick

        return cls(
            to_compose=compose.to_compose,
            from_compose=compose.from_compose,
            to_kubernetes=kubernetes.to_kubernetes,
            from_kubernetes=kubernetes.from_kubernetes,
            differences=common.differences,
            kube_contexts=kubeconfig.kube_contexts,
            find_kubeconfig=kubeconfig.find_kubeconfig,
            kubernetes_view=kubernetes.kubernetes_view,
            compose_view=compose.compose_view,
        )

    @classmethod
    def of(cls, given: Any = None) -> Exporters:
        """From an Exporters, a mapping or any object with these names; what it lacks comes from the defaults."""
        if isinstance(given, Exporters):
            return given
        defaults = cls.default()
        if given is None:
            return defaults
        values = {}
        for field in fields(cls):
            value = given.get(field.name) if isinstance(given, Mapping) else getattr(given, field.name, None)
            values[field.name] = value if value is not None else getattr(defaults, field.name)
        return cls(**values)


def compose_differences(exporters: Exporters, items: list[tuple[str, RunSpec]], text: str) -> list[str]:
    """Reads a compose file back and compares each service with the spec it was made from (by name; by place
    when the names were changed on the way, e.g. made safe for compose)."""
    read = exporters.from_compose(text)
    by_name = dict(read)
    several = len(items) > 1
    sentences = []
    for index, (name, spec) in enumerate(items):
        back = by_name.get(name)
        if back is None and len(read) == len(items):
            back = read[index][1]
        if back is None:
            sentences.append(f"The service {name} is not in the file any more.")
            continue
        for sentence in exporters.differences(exporters.compose_view(spec), back):
            sentences.append(f"{name}: {sentence}" if several else sentence)
    exported = {name for name, _spec in items}
    if len(read) != len(items):
        sentences += [
            f"The file has a service {name} that was not exported." for name, _ in read if name not in exported
        ]
    return sentences


class ExportWindow(QWidget):
    """`ExportWindow(items)`: items are (container name, RunSpec) pairs. `closed` once the window closed."""

    closed = Signal()
    last_folder: Path | None = None  # where the last export was saved, for the next Save dialog (this session)

    def __init__(
        self,
        items: list[tuple[str, RunSpec]],
        parent: QWidget | None = None,
        *,
        exporters: Any = None,
        tasks: TaskRunner | None = None,
    ):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("export-window")
        self.items = list(items)
        self.exporters = Exporters.of(exporters)
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._closing_after_save = False
        names = [name for name, _spec in self.items]
        one = len(names) == 1
        self.subject = names[0] if one else f"the {len(names)} containers"
        self.setWindowTitle(f"Export {names[0]}" if one else f"Export {len(names)} containers")
        self.error = message_label(self, "export-error", style=error_label_style(), hidden=True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("export-tabs")
        self.compose_tab = self._make_tab("compose", "Compose", self._compose)
        self.kubernetes_tab: ExportTab | None = None
        self.kubectl: KubectlPanel | None = None
        if one:
            self.kubernetes_tab = self._make_tab("kubernetes", "Kubernetes", self._kubernetes)
            if self.kubernetes_tab is not None:
                self.kubectl = KubectlPanel(
                    self.kubernetes_tab,
                    self.tasks,
                    self.exporters.find_kubeconfig,
                    self.exporters.kube_contexts,
                    lambda context, command: self.ask_apply(context, command),
                    self.kubernetes_tab,
                )
                self.kubernetes_tab.add_below(self.kubectl)
        else:
            placeholder = message_label(self, "kubernetes-one-at-a-time", KUBERNETES_ONE_AT_A_TIME)
            index = self.tabs.addTab(placeholder, "Kubernetes")
            self.tabs.setTabEnabled(index, False)
            self.tabs.setTabToolTip(index, KUBERNETES_ONE_AT_A_TIME)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        save = QAction("Save…", self)
        save.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        save.triggered.connect(self.save_current)
        self.addAction(save)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 110, metrics.height() * 42)

    # Tabs ------------------------------------------------------------------------------------------------

    def _compose(self) -> tuple[Any, Callable[[str], list[str]], str]:
        exported = self.exporters.to_compose(self.items)
        hint = COMPOSE_SECRETS_HINT.format(file_name=exported.file_name)
        return exported, lambda text: compose_differences(self.exporters, self.items, text), hint

    def _kubernetes(self) -> tuple[Any, Callable[[str], list[str]], str]:
        name, spec = self.items[0]
        exporters = self.exporters
        exported = exporters.to_kubernetes(name, spec)
        view = exporters.kubernetes_view(name, spec)
        return exported, lambda text: exporters.differences(view, exporters.from_kubernetes(text)), ""

    def _make_tab(self, kind: str, title: str, export: Callable[[], tuple]) -> ExportTab | None:
        """Exports (on the GUI thread: a few milliseconds of pure Python) and adds the tab; a failed export
        becomes a disabled tab saying why."""
        try:
            exported, read_back, hint = export()
        except Exception as exc:  # an exporter's bug or a spec it refuses: said, never a traceback
            reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
            sentence = f"Could not make the {title} file: {reason}"
            index = self.tabs.addTab(message_label(self, f"{kind}-failed", sentence), title)
            self.tabs.setTabToolTip(index, sentence)
            return None
        note = _secrets_note(exported.notes)  # on the secrets line, where that line says it better
        hint = hint or note or KUBERNETES_SECRETS_HINT
        tab = ExportTab(kind, exported, read_back, self.subject, self.tasks, self._ask_path, (hint, note), self)
        tab.saved.connect(lambda path: setattr(ExportWindow, "last_folder", Path(path).parent))
        self.tabs.addTab(tab, title)
        return tab

    def export_tabs(self) -> list[ExportTab]:
        return [tab for tab in (self.compose_tab, self.kubernetes_tab) if tab is not None]

    def save_current(self) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, ExportTab):
            tab.save()

    # Asking the user (tests replace these) -------------------------------------------------------------

    def _ask_path(self, file_name: str) -> Path | None:
        return self.ask_save_path((ExportWindow.last_folder or Path.home()) / file_name)

    def ask_save_path(self, suggested: Path) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save the export", str(suggested), "YAML (*.yaml *.yml)")
        return Path(chosen) if chosen else None

    def ask_apply(self, context: str, command: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Apply to the cluster?",
            f"Apply this file to the Kubernetes context {context}? It creates or changes the Deployment and the "
            "Service there.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(f"Command:\n{command}")
        apply = box.addButton("Apply", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is apply

    def ask_unsaved(self, names: list[str]) -> str:
        """ "save", "discard" or "cancel" for the unsaved edits of these files."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved Changes",
            f"Save the changes to {' and '.join(names)} before closing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("unsaved-changes")
        box.setInformativeText("If you discard them, your edits are lost; the export itself can be made again.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel"
        )

    # Closing ---------------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        unsaved = [tab for tab in self.export_tabs() if tab.unsaved]
        if unsaved and not self._closing_after_save:
            answer = self.ask_unsaved([tab.exported.file_name for tab in unsaved])
            if answer != "discard":
                event.ignore()
                if answer == "save":
                    self._save_then_close(unsaved)
                return
        self.closed.emit()
        super().closeEvent(event)

    def _save_then_close(self, unsaved: list[ExportTab]) -> None:
        """Saves the edited files one after the other (each asks where); closes when the last is written. A
        cancelled dialog or a failed write keeps the window open, with the reason under that file."""
        if not unsaved:
            self._closing_after_save = True
            self.close()
            return
        tab, rest = unsaved[0], unsaved[1:]
        self.tabs.setCurrentWidget(tab)
        tab.save(then=lambda _path: self._save_then_close(rest))


def _secrets_note(notes) -> str:
    """The note that says how the secrets left out are given (shown on the secrets line, not among the notes)."""
    for note in notes:
        if "kubectl create secret" in note or ".env" in note:
            return note
    return ""
