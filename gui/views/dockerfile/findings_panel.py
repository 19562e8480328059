"""FindingsPanel: the lint findings of the editor's text, listed under it and marked in it (wavy underlines,
gutter marks, tool tips), with one-click quick fixes from the list or the context menu.

The panel shows findings; running lint (debounced, in a worker) is the editor window's job."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QTextCharFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
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
_FINDING_ROLE = Qt.ItemDataRole.UserRole


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

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("findings")
        self.tree.setHeaderLabels(["Line", "Rule", "Problem", "Why it matters"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
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
        self.tree.itemActivated.connect(self._on_finding_activated)
        self.tree.currentItemChanged.connect(lambda *_: self._update_fix_button())
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
        self.tree.clear()
        style = self.style()
        items = []
        for index, finding in enumerate(self._findings):
            item = QTreeWidgetItem(
                [str(finding.line) if finding.line > 0 else "—", finding.rule, finding.message, finding.why]
            )
            item.setIcon(
                LINE_COLUMN, style.standardIcon(_SEVERITY_ICONS.get(finding.severity, _SEVERITY_ICONS["info"]))
            )
            item.setData(LINE_COLUMN, _FINDING_ROLE, index)
            tip = f"{finding.severity.capitalize()} {finding.rule}: {finding.message}"
            if finding.why:
                tip += f"\n\nWhy it matters: {finding.why}"
            if finding.fix is not None:
                tip += f"\n\nQuick fix: {finding.fix.title}"
            for column in range(4):
                item.setToolTip(column, tip)
            items.append(item)
        self.tree.addTopLevelItems(items)
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
        selections, marks = [], {}
        for line, finding in worst.items():
            colour = QColor(SEVERITY_COLOURS.get(finding.severity, SEVERITY_COLOURS["info"]))
            text_format = QTextCharFormat()
            text_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            text_format.setUnderlineColor(colour)
            selections.append(self.editor.line_selection(line, text_format))
            marks[line] = colour
        self.editor.set_layer("lint", selections)
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
        item = self.tree.currentItem()
        if item is None:
            return None
        index = item.data(LINE_COLUMN, _FINDING_ROLE)
        return self._findings[index] if isinstance(index, int) and index < len(self._findings) else None

    def _update_fix_button(self) -> None:
        finding = self._selected_finding()
        fixable = finding is not None and finding.fix is not None
        self.fix_button.setEnabled(fixable and self._current)
        self.fix_label.setText(finding.fix.title if fixable else "")

    def _on_finding_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        index = item.data(LINE_COLUMN, _FINDING_ROLE)
        if isinstance(index, int) and index < len(self._findings) and self._findings[index].line > 0:
            self.editor.go_to_line(self._findings[index].line)
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
