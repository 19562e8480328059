"""FindingsPanel: the lint findings of the editor's text, listed under it and marked in it (wavy underlines,
gutter marks, tool tips), with one-click quick fixes from the list or the context menu.

The panel shows findings; running lint (debounced, in a worker) is the editor window's job. The list is a
view over a model, so showing thousands of findings (a 5,000-line file) costs the rows on screen, not one
widget item per finding."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.dockerfile.findings import Finding, apply_fix
from gui.views.widgets.code_editor import CodeEditor
from gui.views.widgets.style import ERROR_COLOUR, SECONDARY_COLOUR, WARNING_COLOUR

__all__ = ["LINE_COLUMN", "MESSAGE_COLUMN", "RULE_COLUMN", "SEVERITY_COLOURS", "WHY_COLUMN", "FindingsPanel"]

logger = log.get("editor")

SEVERITY_COLOURS = {"error": ERROR_COLOUR, "warning": WARNING_COLOUR, "info": "#2f7bbf", "style": SECONDARY_COLOUR}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2, "style": 3}
_SEVERITY_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "style": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
_SEVERITY_NAMES = {
    "error": ("error", "errors"),
    "warning": ("warning", "warnings"),
    "info": ("note", "notes"),
    "style": ("style hint", "style hints"),
}
LINE_COLUMN, RULE_COLUMN, MESSAGE_COLUMN, WHY_COLUMN = range(4)
_HEADERS = ("Line", "Rule", "Problem", "Why it matters")


class FindingsModel(QAbstractTableModel):
    """The findings as rows (line, rule, problem, why it matters); the view asks only for the rows it shows."""

    def __init__(self, icons: dict[str, QIcon], parent: QObject | None = None):
        super().__init__(parent)
        self._icons = icons  # by severity
        self._findings: list[Finding] = []

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self._findings = list(findings)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._findings):
            return None
        finding = self._findings[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            line = str(finding.line) if finding.line > 0 else "—"
            return (line, finding.rule, finding.message, finding.why)[column]
        if role == Qt.ItemDataRole.DecorationRole and column == LINE_COLUMN:
            return self._icons.get(finding.severity, self._icons["info"])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tool_tip(finding)
        return None


def _tool_tip(finding: Finding) -> str:
    tip = f"{finding.severity.capitalize()} {finding.rule}: {finding.message}"
    if finding.why:
        tip += f"\n\nWhy it matters: {finding.why}"
    if finding.fix is not None:
        tip += f"\n\nQuick fix: {finding.fix.title}"
    return tip


class FindingsPanel(QWidget):
    """The findings list (line, rule, problem, why it matters) with a Fix button for the selected one.

    Findings are "current" while they belong to the text as it is now; after an edit they are stale until
    the next lint, and no fix is offered (it may no longer fit the text)."""

    findingsChanged = Signal(list)  # the findings now shown (list[Finding])
    relintRequested = Signal()  # a fix no longer fitted the text: the findings need a fresh lint

    def __init__(self, editor: CodeEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self._findings: list[Finding] = []
        self._current = False
        self._still_checking = False  # hadolint's findings are still to come

        icons = {severity: self.style().standardIcon(icon) for severity, icon in _SEVERITY_ICONS.items()}
        self.model = FindingsModel(icons, self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("findings")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(0)  # fit the columns to the rows on screen, not to thousands
        header.setSectionResizeMode(LINE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RULE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(MESSAGE_COLUMN, self.fontMetrics().horizontalAdvance("M") * 32)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("findings-summary")
        self.fix_label = QLabel(self)
        self.fix_label.setObjectName("fix-title")
        self.fix_button = QPushButton("&Fix", self)
        self.fix_button.setObjectName("fix")
        self.fix_button.setToolTip("Apply the suggested fix for the selected problem (Ctrl+Z undoes it)")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.fix_label)
        top.addWidget(self.fix_button)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

        # Activated: a double click, or Enter (a single click where the desktop activates on single click).
        self.tree.activated.connect(self._on_finding_activated)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._update_fix_button())
        self.fix_button.clicked.connect(self._fix_selected)

    # What is shown ---------------------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        return list(self._findings)

    def current_findings(self) -> list[Finding]:
        """The findings while they belong to the text as it is now; none while they are stale."""
        return list(self._findings) if self._current else []

    def mark_stale(self) -> None:
        """The text changed: the findings (and their fixes) wait for the next lint."""
        if self._current:
            self._current = False
            self._still_checking = False
            self._update_fix_button()

    def show_findings(self, findings: list[Finding], current: bool, still_checking: bool = False) -> None:
        """Shows `findings`; `still_checking`: these are Portside's own, and hadolint's are still to come
        (the editor then shows them all together)."""
        self._still_checking = still_checking and current
        self._findings = sorted(findings, key=lambda f: (f.line, _SEVERITY_RANK.get(f.severity, 9), f.rule))
        self._current = current
        self.model.set_findings(self._findings)
        self._mark_lines()
        self._summarise()
        self._update_fix_button()
        self.findingsChanged.emit(list(self._findings))

    def show_lint_failure(self, message: str) -> None:
        """Lint itself failed: no findings, and a sentence saying why."""
        self.show_findings([], current=False)
        self.summary_label.setText(f"Could not check the file: {message}")

    def _mark_lines(self) -> None:
        """Underlines each line with findings in the colour of its worst one, with a gutter mark and a tool tip."""
        worst: dict[int, Finding] = {}
        tips: dict[int, list[str]] = {}
        lines = self.editor.line_count()
        for finding in self._findings:
            if not 1 <= finding.line <= lines:
                continue
            tips.setdefault(finding.line, []).append(f"{finding.rule}: {finding.message}")
            known = worst.get(finding.line)
            if known is None or _SEVERITY_RANK.get(finding.severity, 9) < _SEVERITY_RANK.get(known.severity, 9):
                worst[finding.line] = finding
        underlines, marks, formats = {}, {}, {}
        for line, finding in worst.items():
            severity = finding.severity if finding.severity in SEVERITY_COLOURS else "info"
            if severity not in formats:
                colour = QColor(SEVERITY_COLOURS[severity])
                text_format = QTextCharFormat()
                text_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                text_format.setUnderlineColor(colour)
                formats[severity] = (colour, text_format)
            marks[line], underlines[line] = formats[severity]
        self.editor.set_line_layer("lint", underlines)  # made for the lines on screen only
        self.editor.set_line_marks(marks)
        self.editor.set_line_tooltips({line: "\n".join(texts) for line, texts in tips.items()})

    def _summarise(self) -> None:
        still = " (hadolint is still checking…)" if self._still_checking else ""
        if not self._findings:
            self.summary_label.setText(("No problems found." + still) if self._current else "Problems")
            return
        counts: dict[str, int] = {}
        for finding in self._findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        parts = [
            f"{counts[s]} {_SEVERITY_NAMES.get(s, (s, s))[counts[s] != 1]}"
            for s in sorted(counts, key=lambda s: _SEVERITY_RANK.get(s, 9))
        ]
        self.summary_label.setText("Problems: " + ", ".join(parts) + still)

    # Choosing and fixing ---------------------------------------------------------------------------------

    def _selected_finding(self) -> Finding | None:
        index = self.tree.currentIndex()
        return self._findings[index.row()] if index.isValid() and index.row() < len(self._findings) else None

    def _update_fix_button(self) -> None:
        finding = self._selected_finding()
        fixable = finding is not None and finding.fix is not None
        self.fix_button.setEnabled(fixable and self._current)
        self.fix_label.setText(finding.fix.title if fixable else "")

    def _on_finding_activated(self, index: QModelIndex) -> None:
        if index.isValid() and index.row() < len(self._findings) and self._findings[index.row()].line > 0:
            self.editor.go_to_line(self._findings[index.row()].line)
            self.editor.setFocus()

    def _fix_selected(self) -> None:
        finding = self._selected_finding()
        if finding is not None:
            self.apply_fix(finding)

    def apply_fix(self, finding: Finding) -> bool:
        """Applies a finding's quick fix as one undoable edit. False when the text changed since the lint
        (the fix may no longer fit; the next lint offers it again)."""
        if finding.fix is None or not self._current:
            return False
        try:
            fixed = apply_fix(self.editor.toPlainText(), finding.fix)
        except ValueError as exc:  # the fix no longer fits the text: lint again and offer the new one
            logger.info("stale fix: %s", exc)
            self.relintRequested.emit()
            return False
        changed = self.editor.replace_text(fixed)
        if changed and finding.line > 0:
            self.editor.go_to_line(finding.line)
        self.editor.setFocus()
        return changed

    def fix_actions(self, line: int) -> list[QAction]:
        """The "Fix: ..." actions for the findings on 1-based `line` (for the editor's context menu)."""
        actions = []
        if not self._current:
            return actions
        for finding in self._findings:
            if finding.line == line and finding.fix is not None:
                action = QAction(f"Fix: {finding.fix.title}", self)
                action.triggered.connect(lambda _checked=False, f=finding: self.apply_fix(f))
                actions.append(action)
        return actions
