"""What the results pane's actions do with the results a user picked.

The pane says which actions there are and where they show (toolbar, context
menu, enabled or not); this module turns what is picked into what each one
acts on and hands it over: the retries and fixes to the ResultFixer (which
talks to the server on the pool), a path to Reveal, a row to the Raw view,
the rows as text to the clipboard, the shown rows to an export.

"What is picked" is the selection or, with no file selected, the problems of
the selected jobs (or of all jobs): what a user means by "retry failed" after
glancing at a red summary. A result that a retry ran again is out of every
scope: its retry's row is the one to act on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from app.jobs.conflict import Conflict
from app.jobs.model import TaskResult
from app.ui.results.fixes import ResultFixer
from app.ui.results.kinds import Fix
from app.ui.results.model import ResultsModel
from app.ui.results.raw_dialog import RawResponseDialog
from app.ui.results.selection import Picked, failures, results_of


class ActionHandlers:
    """The pane's actions' work, each reading the selection once (``picked``) when it runs."""

    def __init__(
        self,
        picked: Callable[[], Picked],
        model: ResultsModel,
        fixer: ResultFixer,
        reveal: Callable[[str], None],
        message: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        self._picked = picked
        self._model = model
        self._fixer = fixer
        self._reveal = reveal
        self._message = message
        self._parent = parent
        #: Open Raw views: a dialog with no Python reference left would be collected.
        self._raw_dialogs: list[RawResponseDialog] = []

    # -- the retries and fixes ----------------------------------------------------------------

    def retry_failed(self) -> None:
        picked = self._picked()
        self._fixer.retry(results_of(failures(picked.scope(self._model))), "Retry failed")

    def retry_selected(self) -> None:
        self._fixer.retry(results_of(self._picked().result_numbers()), "Retry")

    def retry_overwrite(self) -> None:
        self._fixer.retry(
            self._fixable(Fix.OVERWRITE), "Retry with overwrite", conflict=Conflict.OVERWRITE
        )

    def unlock_and_retry(self) -> None:
        self._fixer.unlock_and_retry(self._fixable(Fix.UNLOCK))

    def sign_in_and_retry(self) -> None:
        self._fixer.sign_in_and_retry(self._fixable(Fix.SIGN_IN))

    def _fixable(self, fix: Fix) -> list[TaskResult]:
        """Selected results calling for this fix, or, with no file selected, those of the
        jobs in scope; never one that a retry already ran again (a selected file that was is
        settled: the fix is not offered for the other files of its job instead)."""
        picked = self._picked()
        chosen = picked.result_numbers() if picked.outcomes else failures(picked.scope(self._model))
        return results_of(chosen, fix)

    # -- one result: where it is, what the server said ----------------------------------------

    def reveal_current(self) -> None:
        single = self._picked().single()
        if single is not None:
            record, number = single
            self._reveal(record.outcomes[number].path)

    def show_raw(self) -> None:
        single = self._picked().single()
        if single is None:
            return
        record, number = single
        dialog = RawResponseDialog(
            record.outcomes[number],
            record.results[record.owners[number]],
            record.note(number),
            self._parent,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._raw_dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._raw_dialogs.remove(dialog))
        dialog.show()

    # -- the results as text ------------------------------------------------------------------

    def details_text(self) -> str:
        """The selected rows as text, as the list shows them: a job's summary, its files."""
        picked = self._picked()
        job_rows = {id(r) for r in picked.job_rows}
        lines = []
        for record in self._model.records():
            if id(record) in job_rows:
                lines.append(f"#{record.number} {record.name}: {record.summary()}")
            found = picked.outcomes.get(record.job.id)
            if found is not None:
                lines += [self._model.book.detail_line(record, n) for n in found[1]]
        return "\n".join(lines)

    def copy_details(self) -> None:
        text = self.details_text()
        QGuiApplication.clipboard().setText(text)
        count = text.count("\n") + 1 if text else 0
        self._message(f"Copied {count:,} result{'s' if count != 1 else ''}")

    def export(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self._parent, "Export Results", "davdesk-results.csv", "CSV (*.csv);;JSON (*.json)"
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_suffix(".json" if "json" in chosen.lower() else ".csv")
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        """The rows the filter shows, as CSV or JSON (by the suffix), written on the pool."""
        self._model.flush()
        self._fixer.export(path, list(self._model.shown_outcomes()))
