"""Every property of one resource, live and dead; the dead ones editable through PROPPATCH.

Live properties belong to the server (size, dates, locks): it computes them
and refuses changes, so they are shown read-only. Dead properties are the
ones clients store; they are set and removed in one PROPPATCH, which the
server applies all or nothing, run in the background like everything else.
"""

from __future__ import annotations

from lxml import etree
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.dav import DavClient, Outcome, Resource
from app.dav.writes import set_properties
from app.dav.xmlbodies import ActiveLock, split_clark
from app.ui.background import Background
from app.ui.locks import describe
from app.ui.messages import outcome_line, readable

#: Namespaces whose properties the server computes. Apache adds "executable" in its own.
LIVE_NAMESPACES = frozenset({"DAV:", "http://apache.org/dav/props/"})
NAME, NAMESPACE, KIND, VALUE = range(4)
_NEW_NAMESPACE = "urn:davdesk:user"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def is_live(clark: str) -> bool:
    return split_clark(clark)[0] in LIVE_NAMESPACES


def in_words(value: str) -> str:
    """A value with element content, as "lockentry(lockscope(exclusive) locktype(write))".

    Each child carries its own namespace declarations (see multistatus), so
    the value parses once wrapped; text that is not XML is shown as it is.
    """
    if not value.lstrip().startswith("<"):
        return value
    try:
        root = etree.fromstring(f"<value>{value}</value>".encode(), _PARSER)
    except etree.XMLSyntaxError:
        return value
    return " ".join(_words(child) for child in root if isinstance(child.tag, str))


def _words(element: etree._Element) -> str:
    inner = " ".join(_words(child) for child in element if isinstance(child.tag, str))
    content = " ".join(part for part in ((element.text or "").strip(), inner) if part)
    name = etree.QName(element).localname
    return f"{name}({content})" if content else name


class PropertiesDialog(QDialog):
    def __init__(
        self,
        client: DavClient,
        background: Background,
        resource: Resource,
        lock: ActiveLock | None,
        parent: QWidget | None = None,
        *,
        sharing: QWidget | None = None,
    ) -> None:
        """sharing: a Sharing tab beside the properties (a Nextcloud's link shares)."""
        super().__init__(parent)
        self.setObjectName("propertiesDialog")
        self.setWindowTitle(f"Properties of {resource.name or resource.path}")
        self._client = client
        self._background = background
        self._resource = resource
        self._lock_token = lock.token if lock else None  # our own lock must not refuse our edit
        self._loaded: dict[str, str] = {}
        self._removed: set[str] = set()
        self._note = ""  # what the last save did, kept above the counts after reloading
        self.loading = True

        heading = QLabel(f"<b>{resource.path}</b>", self)
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        held = QLabel(f"Locked by this window: {describe(lock)}" if lock else "", self)
        held.setVisible(lock is not None)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("propertyTable")
        self.table.setHorizontalHeaderLabels(["Property", "Namespace", "Kind", "Value"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAMESPACE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(NAMESPACE, 160)
        self.status = QLabel("Loading properties…", self)
        self.status.setObjectName("propertiesStatus")
        self.status.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.add_button = QPushButton("Add Property", self)
        self.remove_button = QPushButton("Remove", self)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setObjectName("saveProperties")
        self.save_button.setDefault(True)
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.save_button.clicked.connect(self.save)
        self.table.itemSelectionChanged.connect(self._enable)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(held)
        if sharing is None:
            layout.addWidget(self.table)
            layout.addWidget(self.status)
        else:
            self.tabs = QTabWidget(self)
            self.tabs.setObjectName("propertiesTabs")
            page = QWidget(self.tabs)
            inner = QVBoxLayout(page)
            inner.addWidget(self.table)
            inner.addWidget(self.status)
            self.tabs.addTab(page, "Properties")
            self.tabs.addTab(sharing, "Sharing")
            layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.setMinimumSize(560, 360)  # explicit: see MainWindow
        self.resize(760, 480)
        self._enable()
        self.reload()

    # -- loading -----------------------------------------------------------------

    def reload(self) -> None:
        self.loading = True
        self._enable()
        path = self._resource.path
        self._background.submit(lambda: self._client.all_properties(path), self._shown)

    def _shown(self, props: dict[str, str] | None, error: BaseException | None) -> None:
        self.loading = False
        if error is not None or props is None:
            why = readable(error) if error else "the server described nothing"
            self.status.setText(f"Could not read the properties: {why}")
            self._enable()
            return
        self._loaded = dict(props)
        self._removed.clear()
        self.table.setRowCount(0)
        # Dead properties first: they are the ones a user came here to change.
        for clark in sorted(props, key=lambda c: (is_live(c), split_clark(c)[1].casefold())):
            self._append(clark, props[clark], editable=not is_live(clark))
        live = sum(is_live(c) for c in props)
        self.status.setText(
            f"{self._note}{live} live and {len(props) - live} dead properties. "
            "Dead properties can be edited: double-click a value, then Save."
        )
        self._note = ""
        self._enable()

    def _append(self, clark: str, value: str, *, editable: bool, new: bool = False) -> int:
        namespace, local = split_clark(clark)
        row = self.table.rowCount()
        self.table.insertRow(row)
        # A dead value is edited as stored; a live one is only read, so it is shown in words.
        kind = "dead, editable" if editable else "live"
        cells = (
            (NAME, local, local),
            (NAMESPACE, namespace, namespace),
            (KIND, kind, kind),
            (VALUE, value if editable else in_words(value), value),
        )
        for column, text, tip in cells:
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if editable and (column == VALUE or (new and column in (NAME, NAMESPACE))):
                flags |= Qt.ItemFlag.ItemIsEditable
            item.setFlags(flags)
            item.setData(Qt.ItemDataRole.UserRole, clark)
            self.table.setItem(row, column, item)
        return row

    # -- editing -------------------------------------------------------------------

    def _dead_rows(self) -> list[int]:
        return [row for row in range(self.table.rowCount()) if not is_live(self._clark(row))]

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        """Every cell holds an item: _append puts one in each."""
        item = self.table.item(row, column)
        assert item is not None
        return item

    def _clark(self, row: int) -> str:
        """The row's name as typed: a new row's name and namespace are edited in the table."""
        namespace = self._cell(row, NAMESPACE).text().strip()
        local = self._cell(row, NAME).text().strip()
        return f"{{{namespace}}}{local}"

    def _add(self) -> None:
        row = self._append(f"{{{_NEW_NAMESPACE}}}new-property", "", editable=True, new=True)
        self.table.setCurrentCell(row, NAME)
        self.table.editItem(self._cell(row, NAME))

    def _remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            clark = self._clark(row)
            if is_live(clark):
                continue
            if clark in self._loaded:
                self._removed.add(clark)
            self.table.removeRow(row)
        self._enable()

    def changes(self) -> tuple[dict[str, str], set[str]]:
        """(properties to set, properties to remove) since they were loaded."""
        updates = {}
        for row in self._dead_rows():
            clark = self._clark(row)
            value = self._cell(row, VALUE).text()
            if self._loaded.get(clark) != value:
                updates[clark] = value
            original = self._cell(row, NAME).data(Qt.ItemDataRole.UserRole)
            if original in self._loaded and original != clark:
                self._removed.add(original)  # renamed in the table: set the new, drop the old
        return updates, self._removed - set(updates)

    def save(self) -> None:
        updates, removals = self.changes()
        if not updates and not removals:
            self.status.setText("Nothing changed.")
            return
        if any(not split_clark(c)[1] or not split_clark(c)[0] for c in updates):
            self.status.setText("A property needs a name and a namespace.")
            return
        self.loading = True
        self._enable()
        self.status.setText("Saving…")
        path, token = self._resource.path, self._lock_token
        self._background.submit(
            lambda: set_properties(self._client, path, updates, sorted(removals), lock_token=token),
            self._saved,
        )

    def _saved(self, outcome: Outcome | None, error: BaseException | None) -> None:
        self.loading = False
        if error is not None or outcome is None:
            self.status.setText(f"Not saved: {readable(error) if error else ''}")
            self._enable()
            return
        if not outcome.ok:
            self.status.setText(f"Not saved: {outcome_line(outcome)}")
            self._enable()
            return
        self._note = "Saved. "
        self.reload()

    def _enable(self) -> None:
        selected = {i.row() for i in self.table.selectedIndexes()}
        removable = any(not is_live(self._clark(row)) for row in selected)
        self.add_button.setEnabled(not self.loading)
        self.save_button.setEnabled(not self.loading)
        self.remove_button.setEnabled(not self.loading and removable)
