"""How the results list looks: its columns' widths, paths shortened in their middle, the icons
that say how each job and each file ended.

Apart from the pane, which is about what the list holds and what a user does with it: this
is only about fitting a row of nine facts into a pane that is often narrow.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from app.dav.outcome import OutcomeClass
from app.ui.icons import status_icon
from app.ui.results.model import CLASS_COLOURS, NOTE, PATH, PROBLEM, STATUS, Index, ResultsModel
from app.ui.results.records import Phase

Pixmap = QStyle.StandardPixmap
RUNNING_COLOUR = QColor("#1f6fd1")
#: The note column's narrowest: "locked by bob@example.com" and more, readable.
NOTE_MIN = 180
#: Each column's width in a pane of about 1,000 pixels; a wider one gives Name and Problem more.
COLUMN_WIDTHS = (230, 85, 250, 120, 90, NOTE_MIN, 56, 64)
#: Name and Problem give up width down to these before the list scrolls sideways (a window
#: on a 1024-pixel screen shows every column).
PATH_MIN, PROBLEM_MIN = 170, 190
#: The status column's width where the pane has room: "412 Precondition Failed" whole.
STATUS_WIDE = 170


def class_icons(style: QStyle) -> dict[OutcomeClass, QIcon]:
    """A cancel is nobody's failure: a grey stop sign, never the red cross of a failure."""
    return {
        OutcomeClass.OK: style.standardIcon(Pixmap.SP_DialogApplyButton),
        OutcomeClass.SKIPPED: status_icon("go-next", CLASS_COLOURS[OutcomeClass.SKIPPED]),
        OutcomeClass.FAILED: style.standardIcon(Pixmap.SP_MessageBoxCritical),
        OutcomeClass.CONFLICT: style.standardIcon(Pixmap.SP_MessageBoxWarning),
        OutcomeClass.UNCONFIRMED: style.standardIcon(Pixmap.SP_MessageBoxQuestion),
        OutcomeClass.CANCELLED: status_icon("process-stop", CLASS_COLOURS[OutcomeClass.CANCELLED]),
    }


def phase_icons(classes: dict[OutcomeClass, QIcon]) -> dict[Phase, QIcon]:
    """A job row's icon: waiting (a clock), running (play), or how it ended."""
    return {
        Phase.QUEUED: status_icon("appointment-soon", CLASS_COLOURS[OutcomeClass.CANCELLED]),
        Phase.RUNNING: status_icon("media-playback-start", RUNNING_COLOUR),
        Phase.FINISHED: classes[OutcomeClass.OK],
        Phase.FAILED: classes[OutcomeClass.FAILED],
        Phase.CANCELLED: classes[OutcomeClass.CANCELLED],
    }


class MiddleElided(QStyledItemDelegate):
    """Shortens a path in its middle: its end names the file, its start the share."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class ResultsView(QTreeView):
    """The list; its note column takes the width the other columns leave.

    Not a Stretch section: that one shrinks to nothing when the pane is narrow
    (the jobs panel beside it), where the list should rather scroll sideways.
    """

    def fit_note(self) -> None:
        header = self.header()
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != NOTE)
        header.resizeSection(NOTE, max(NOTE_MIN, self.viewport().width() - others))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A wide pane gives the status its words, then the names and the problems room: the
        # paths of a copy's both ends, "Locked by alice@example.com until 14:02", whole. A
        # narrow one takes from the names and the problems first, half each.
        spare = self.viewport().width() - sum(COLUMN_WIDTHS)
        status = COLUMN_WIDTHS[STATUS] + min(max(0, spare), STATUS_WIDE - COLUMN_WIDTHS[STATUS])
        spare -= status - COLUMN_WIDTHS[STATUS]
        if spare >= 0:
            path = COLUMN_WIDTHS[PATH] + spare * 2 // 5
            problem = COLUMN_WIDTHS[PROBLEM] + spare // 5
        else:
            path = max(PATH_MIN, COLUMN_WIDTHS[PATH] + spare // 2)
            problem = max(PROBLEM_MIN, COLUMN_WIDTHS[PROBLEM] + spare - spare // 2)
        header = self.header()
        header.resizeSection(STATUS, status)
        header.resizeSection(PATH, path)
        header.resizeSection(PROBLEM, problem)
        self.fit_note()


def make_view(model: ResultsModel, parent: QWidget) -> ResultsView:
    """The list over the model: rows selected whole, sortable, its columns at their widths."""
    view = ResultsView(parent)
    view.setObjectName("resultsView")
    view.setModel(model)
    view.setUniformRowHeights(True)  # 100,000 rows: no per-row size queries
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.setSortingEnabled(True)
    view.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.header().setSectionsMovable(False)
    view.header().setStretchLastSection(False)
    for column, width in enumerate(COLUMN_WIDTHS):
        view.setColumnWidth(column, width)

    def resized(column: int, *_: int) -> None:
        if column != NOTE:
            view.fit_note()

    view.header().sectionResized.connect(resized)
    view.setItemDelegateForColumn(PATH, MiddleElided(view))
    view.setAlternatingRowColors(True)
    view.setAllColumnsShowFocus(True)
    view.setAccessibleName("Results of every job")
    return view
