"""The Run dialog's list of every problem with the form, under the tabs, and the icon that marks a tab with
problems. Clicking a section's name in the list opens its tab."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QScrollArea, QStyle, QWidget

from gui.core.run.spec import Problem
from gui.views.run.sections import Section
from gui.views.widgets.style import text_colour

VISIBLE_LINES = 6  # past that, the list scrolls instead of squeezing the tabs


def problem_icon(style: QStyle, problems: list[Problem]) -> QIcon:
    """An error icon if any problem is an error, a warning icon for warnings only, else none."""
    if any(not problem.warning for problem in problems):
        return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
    if problems:
        return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    return QIcon()


class ProblemList(QScrollArea):
    """Hidden while there are no problems. `sectionClicked` carries the index of the section to open."""

    sectionClicked = Signal(int)

    def __init__(self, sections: Sequence[Section], parent: QWidget | None = None):
        super().__init__(parent)
        self.sections = sections
        self.label = QLabel(self)
        self.label.setObjectName("run-problems")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.linkActivated.connect(lambda link: self.sectionClicked.emit(int(link)))
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * VISIBLE_LINES)
        self.hide()

    def show_problems(self, problems: list[Problem]) -> None:
        """Errors first; each line starts with its section's name, a link to its tab."""
        lines = []
        for problem in sorted(problems, key=lambda problem: problem.warning):
            index = next((i for i, section in enumerate(self.sections) if problem.field in section.FIELDS), 0)
            colour = text_colour("warning") if problem.warning else text_colour("error")
            section = self.sections[index]
            lines.append(
                f'<a href="{index}">{section.TITLE}</a> '
                f'<span style="color: {colour};">{html.escape(section.describe(problem))}</span>'
            )
        self.label.setText("<br>".join(lines))
        self.setVisible(bool(lines))
