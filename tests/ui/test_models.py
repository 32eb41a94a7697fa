"""The models under the views, and the listing machinery, against the real servers."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon

from app.dav import DavClient, Resource, errors
from app.dav.multistatus import parse
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.models.file_table import FileFilterProxy, FileTableModel, type_name
from app.ui.models.folder_tree import FolderTreeModel
from app.ui.models.listing_cache import (
    BATCH_ENTRIES,
    FolderInfo,
    Listing,
    ListingCache,
    LoadTicket,
    NotAFolderError,
    as_resource,
    as_row,
    row_of,
    stream_listing,
)
from app.ui.models.row_order import FIRST_ORDER
from app.ui.properties_dialog import in_words, is_live


@pytest.fixture
def client(dav_server):
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client:
        yield client


def test_tree_fetches_one_folder_per_expansion_and_only_folders(dav_server, client, qtbot):
    dav_server.make_file("Docs/inner/deep.txt", b"d")
    dav_server.make_file("Docs/file.txt", b"f")
    dav_server.make_dir("Empty")
    model = FolderTreeModel(client, Background(2), "server", QIcon())
    root = model.index(0, 0)
    assert model.data(root) == "server" and model.hasChildren(root) and model.canFetchMore(root)
    model.fetchMore(root)
    assert not model.canFetchMore(root)  # one request in flight, not two
    qtbot.waitUntil(lambda: model.rowCount(root) == 2)
    docs, empty = model.index(0, 0, root), model.index(1, 0, root)
    assert [model.data(docs), model.data(empty)] == ["Docs", "Empty"]
    model.fetchMore(empty)
    qtbot.waitUntil(lambda: not model.hasChildren(empty))
    model.fetchMore(docs)
    qtbot.waitUntil(lambda: model.rowCount(docs) == 1)
    assert model.data(model.index(0, 0, docs)) == "inner"
    assert model.parent(model.index(0, 0, docs)) == docs


def test_tree_reports_a_folder_it_cannot_list(wsgidav_server, qtbot):
    wsgidav_server.make_dir("Gone")
    with DavClient(wsgidav_server.url, user=wsgidav_server.user, password="wrong") as client:
        model = FolderTreeModel(client, Background(1), "server", QIcon())
        with qtbot.waitSignal(model.failed) as failed:
            model.fetchMore(model.index(0, 0))
    assert "401" in failed.args[0] and "password" in failed.args[0]
    assert not model.hasChildren(model.index(0, 0))


def test_tree_keeps_loaded_children_when_synced_from_a_listing(dav_server, client, qtbot):
    dav_server.make_file("A/a1/x.txt", b"")
    dav_server.make_dir("B")
    model = FolderTreeModel(client, Background(2), "server", QIcon())
    root = model.index(0, 0)
    model.fetchMore(root)
    qtbot.waitUntil(lambda: model.rowCount(root) == 2)
    a = model.index(0, 0, root)
    model.fetchMore(a)
    qtbot.waitUntil(lambda: model.rowCount(a) == 1)
    model.set_folders(client.root, ["C", "A"])  # B went away, C came
    assert [model.data(model.index(r, 0, root)) for r in range(2)] == ["A", "C"]
    assert model.rowCount(model.index(0, 0, root)) == 1  # A's children survived


def test_listing_streams_in_batches_with_the_folders_etag(dav_server, client):
    for number in range(BATCH_ENTRIES * 2 + 7):
        (dav_server.root / f"f{number:04d}").touch()
    dav_server.make_dir("sub")
    dav_server.chown()
    batches: list[int] = []
    ticket = LoadTicket(client.root)

    def emit(batch):
        batches.append(len(batch))
        ticket.shown()

    listing = stream_listing(client, ticket, emit)
    assert sum(batches) == len(listing.rows) == BATCH_ENTRIES * 2 + 8
    assert max(batches) <= BATCH_ENTRIES and len(batches) >= 3
    assert listing.folders == ("sub",)
    assert listing.etag == client.stat(client.root, ["{DAV:}getetag"]).etag


def test_listing_a_file_is_an_error(dav_server, client):
    dav_server.make_file("plain.txt", b"x")
    with pytest.raises(NotAFolderError):
        stream_listing(client, LoadTicket(f"{client.root}plain.txt"), lambda batch: None)


def test_cancelled_listing_stops_and_returns_nothing(dav_server, client):
    for number in range(BATCH_ENTRIES + 10):
        (dav_server.root / f"f{number:04d}").touch()
    dav_server.chown()
    ticket = LoadTicket(client.root)
    seen = []
    assert (
        stream_listing(client, ticket, lambda batch: (seen.append(batch), ticket.cancel())) is None
    )
    assert len(seen) == 1


def test_cache_is_bounded_and_trusts_only_an_unchanged_etag():
    row = as_row(Resource("/a/x", False, 1, None, '"1"', None))
    cache = ListingCache(max_entries=3)
    cache.put("/a", Listing('"e1"', (row, row), ()))
    cache.put("/b/", Listing(None, (row, row), ()))
    assert cache.get("/a/") is None  # pushed out: 4 entries > 3
    assert cache.get("/b") is not None
    assert ListingCache.is_current(Listing('"e1"', (), ()), FolderInfo('"e1"', None, None))
    assert not ListingCache.is_current(Listing('"e1"', (), ()), FolderInfo('"e2"', None, None))
    assert not ListingCache.is_current(Listing(None, (), ()), FolderInfo(None, None, None))
    cache.invalidate("/b/")
    assert cache.get("/b/") is None


def test_rows_are_not_tracked_by_the_garbage_collector():
    """A cached 100,000-entry listing must cost full collections nothing (see Row)."""
    resource = Resource(
        "/x.txt",
        False,
        3,
        datetime.now(UTC),
        '"e"',
        "text/plain",
        {"{urn:davdesk}mtime": "1700000000"},
    )
    row = as_row(resource)
    gc.collect()
    assert not gc.is_tracked(row)
    again = as_resource(row)
    assert again == resource and again.kept_mtime == 1700000000.0


_ENTRIES = b"""<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:x="urn:davdesk">
 <D:response><D:href>/d/plain%20file.txt</D:href>
  <D:propstat><D:prop><D:resourcetype/><D:getcontentlength>12</D:getcontentlength>
   <D:getlastmodified>Mon, 07 Dec 2026 23:31:27 GMT</D:getlastmodified>
   <D:getetag>"a-1"</D:getetag><D:getcontenttype>text/plain</D:getcontenttype>
   <D:lockdiscovery/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  <D:propstat><D:prop><x:mtime/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/d/folder/</D:href>
  <D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype>
   <oc:size>4096</oc:size><oc:permissions>RGDNVCK</oc:permissions>
   <D:getetag/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/d/kept.bin</D:href>
  <D:propstat><D:prop><D:getcontentlength>x</D:getcontentlength><x:mtime>1700000000</x:mtime>
   <oc:permissions>RG</oc:permissions></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/d/garbled.bin</D:href>
  <D:propstat><D:prop><x:mtime>soon</x:mtime><oc:permissions/>
   <D:getlastmodified>Sun, 06 Nov 1994 08:49:37 GMT</D:getlastmodified>
  </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/d/two.txt</D:href>
  <D:propstat><D:prop><D:getcontentlength>1</D:getcontentlength></D:prop>
   <D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  <D:propstat><D:prop><D:getetag>"t"</D:getetag></D:prop>
   <D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/d/locked.txt</D:href>
  <D:propstat><D:prop><D:getcontentlength>5</D:getcontentlength><D:lockdiscovery>
   <D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:exclusive/></D:lockscope>
    <D:depth>0</D:depth><D:owner>alice</D:owner><D:timeout>Second-600</D:timeout>
    <D:locktoken><D:href>opaquelocktoken:1</D:href></D:locktoken></D:activelock>
  </D:lockdiscovery></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response>
</D:multistatus>"""


def test_a_row_read_from_the_record_is_the_row_of_its_resource():
    """row_of reads by index what as_row(Resource) reads through a dict, for every shape: a
    404 propstat, empty elements, a folder's oc:size, garbled numbers, an empty permissions
    list (where the server's listings carry permissions), two 2xx propstats, a lock."""
    responses = parse(_ENTRIES, "http://h/d/").responses
    assert len(responses) == 6
    for response in responses:
        assert row_of(response, permissions_asked=True) == as_row(Resource.from_response(response))
    plain = responses[0]  # Apache's shape: no permissions asked, none there
    assert row_of(plain) == as_row(Resource.from_response(plain))
    rows = {row[0]: row for row in (row_of(r, permissions_asked=True) for r in responses)}
    assert rows["/d/folder/"][1:3] == (True, 4096)
    assert rows["/d/kept.bin"][6] == 1700000000.0
    assert rows["/d/garbled.bin"][7] == ""  # an empty list: nothing is allowed
    assert rows["/d/locked.txt"][8] == "alice"


def _file(name: str, size: int, is_dir: bool = False) -> Resource:
    return Resource(
        f"/d/{name}",
        is_dir,
        None if is_dir else size,
        datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        None,
        None if is_dir else "text/plain; charset=utf-8",
    )


def test_table_appends_batches_and_sorts_folders_first_off_the_gui_thread(qtbot):
    model = FileTableModel(Background(1), QIcon(), QIcon(), lambda resources: [])
    inserted = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.clear("/d/")
    model.append([as_row(_file("b.txt", 5)), as_row(_file("Z", 0, True))])
    model.append([as_row(_file("a.txt", 50))])
    assert inserted == [(0, 1), (2, 2)]
    with qtbot.waitCallback() as done:
        model.sort(1, Qt.SortOrder.DescendingOrder)
        model.resort(done)
    names = [model.index(r, 0).data() for r in range(3)]
    assert names == ["Z", "a.txt", "b.txt"]
    assert model.index(1, 1).data() == "50 B" and model.index(1, 3).data() == "Plain text"
    assert model.index(0, 3).data() == "Folder"
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "/d/a.txt"
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDropEnabled  # a folder
    assert not model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsDropEnabled
    assert model.rowCount(model.index(0, 0)) == 0 == model.rowCount(QModelIndex()) - 3


def test_rows_already_in_the_tables_order_are_shown_without_sorting_them_again(qtbot):
    model = FileTableModel(Background(1), QIcon(), QIcon(), lambda resources: [])
    rows = [as_row(_file("Z", 0, True)), as_row(_file("a.txt", 50)), as_row(_file("b.txt", 5))]
    shown: list[list[str]] = []

    def names() -> list[str]:
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    model.replace("/d/", rows, then=lambda: shown.append(names()), order=FIRST_ORDER)
    assert shown == [["Z", "a.txt", "b.txt"]]  # at once: no sort, no worker
    model.sort(1, Qt.SortOrder.AscendingOrder)  # by size: rows said to be by name are sorted
    with qtbot.waitCallback() as done:
        model.replace("/d/", rows, then=done, order=FIRST_ORDER)
        assert names() == ["Z", "a.txt", "b.txt"]  # as given, until the sort is applied
    assert names() == ["Z", "b.txt", "a.txt"]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    with qtbot.waitCallback() as done:
        model.replace("/d/", rows, then=done)  # no order said: sorted
    assert names() == ["Z", "b.txt", "a.txt"]


def test_hidden_files_are_filtered_out_and_only_folders_that_have_some_cost_a_filter(qtbot):
    """The proxy's expression reads every row's name through Python: it is set only while
    some row is a hidden file, and before such rows are inserted, so none ever shows."""
    model = FileTableModel(Background(1), QIcon(), QIcon(), lambda resources: [])
    proxy = FileFilterProxy(model)
    proxy.set_name_filter("", show_hidden=False)
    shown: list[str] = []
    proxy.rowsInserted.connect(
        lambda parent, first, last: shown.extend(
            proxy.index(row, 0).data() for row in range(first, last + 1)
        )
    )

    def names() -> list[str]:
        return sorted(proxy.index(row, 0).data() for row in range(proxy.rowCount()))

    model.replace("/d/", [as_row(_file("a.txt", 1)), as_row(_file("b", 0, True))])
    assert proxy.filterRegularExpression().pattern() == ""  # nothing to hide: no filter
    model.append([as_row(_file(".hidden", 1)), as_row(_file("c.txt", 1))])
    assert proxy.filterRegularExpression().pattern() != ""
    assert names() == ["a.txt", "b", "c.txt"] and shown == ["c.txt"]
    model.append([as_row(_file("d.txt", 1))])
    proxy.set_name_filter("D.", show_hidden=False)  # any case, hidden still hidden
    assert names() == ["d.txt"]
    proxy.set_name_filter("", show_hidden=True)
    assert proxy.filterRegularExpression().pattern() == ""
    assert names() == [".hidden", "a.txt", "b", "c.txt", "d.txt"]
    proxy.set_name_filter("", show_hidden=False)
    model.replace("/e/", [as_row(_file(".config", 0, True)), as_row(_file("x.txt", 1))])
    assert names() == ["x.txt"]
    model.replace("/f/", [as_row(_file("y.txt", 1)), as_row(_file("not.hidden", 1))])
    assert proxy.filterRegularExpression().pattern() == ""
    assert names() == ["not.hidden", "y.txt"]
    proxy.set_name_filter("hid", show_hidden=False)
    assert names() == ["not.hidden"]


def test_rename_in_the_table_is_a_request_not_an_edit(qtbot):
    model = FileTableModel(Background(1), QIcon(), QIcon(), lambda resources: [])
    model.replace("/d/", [as_row(_file("old.txt", 1))])
    with qtbot.waitSignal(model.rename_requested) as request:
        assert not model.setData(model.index(0, 0), " new.txt ")
    assert request.args[0].path == "/d/old.txt" and request.args[1] == "new.txt"
    assert model.index(0, 0).data() == "old.txt"  # until the server has done it


def test_type_names_and_property_words():
    assert type_name(False, "text/plain; charset=utf-8") == "Plain text"
    assert type_name(False, "application/x-unknown") == "application/x-unknown"
    assert type_name(False, None) == "File"
    assert is_live("{DAV:}getetag") and not is_live("{urn:x}colour")
    lock = (
        '<D:lockentry xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
        "<D:locktype><D:write/></D:locktype></D:lockentry>"
    )
    assert in_words(lock) == "lockentry(lockscope(exclusive) locktype(write))"
    assert in_words("plain <not xml") == "plain <not xml"


def test_errors_read_as_words():
    error = errors.status_error_class(423)(
        "DELETE", "http://h/x", 423, condition="lock-token-submitted"
    )
    assert readable(error) == "Locked (423 Locked, lock-token-submitted)"
    assert (
        readable(FileNotFoundError(2, "No such file or directory", "/tmp/x"))
        == "/tmp/x: No such file or directory"
    )
    assert readable(ValueError("odd")) == "unexpected error (ValueError: odd)"
