"""Open, Edit and Copy Address in the window, against Apache and wsgidav.

The desktop's default application is a stand-in: an `xdg-open` script on PATH
that writes to the file it is given and exits, as an editor saving would.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from app.ui import edit_in_place
from app.ui.main_window import MainWindow
from tests.ui.conftest import names
from tests.ui.test_operations import select

WAIT = 15_000


@pytest.fixture
def opener(tmp_path, monkeypatch):
    """opener(body) installs an xdg-open running body (a shell script; $1 is the file)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    log = tmp_path / "opened.log"

    def install(body: str = "") -> Path:
        script = folder / "xdg-open"
        script.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\n{body}')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return log

    return install


def activate(window: MainWindow, name: str) -> None:
    """What a double-click or Return on the row does."""
    window.table.activated.emit(window.proxy.index(names(window).index(name), 0))


def test_double_click_opens_a_downloaded_copy_and_reuses_it(
    dav_server, open_window, opener, qtbot, tmp_path
):
    dav_server.make_file("Docs/report.txt", b"the report\n")
    dav_server.make_file("a.txt", b"alpha\n")
    log = opener()
    window = open_window(dav_server)
    activate(window, "a.txt")
    qtbot.wait_until(lambda: log.exists() and log.read_text().count("\n") == 1, timeout=WAIT)
    copy = Path(log.read_text().splitlines()[0])
    assert copy.name == "a.txt" and copy.read_bytes() == b"alpha\n"
    assert copy.is_relative_to(tmp_path / "home" / "cache")
    activate(window, "a.txt")
    qtbot.wait_until(lambda: log.read_text().count("\n") == 2, timeout=WAIT)
    assert log.read_text().splitlines()[1] == str(copy)
    # Folders still open by going into them.
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        activate(window, "Docs")
    assert names(window) == ["report.txt"]


def test_edit_sends_each_save_with_the_etag_it_was_downloaded_with(
    dav_server, open_window, opener, qtbot
):
    served = dav_server.make_file("notes.txt", b"one\n")
    opener('printf "one\\ntwo\\n" > "$1"\n')
    window = open_window(dav_server)
    select(window, "notes.txt")
    window.commands.edit.trigger()
    qtbot.wait_until(lambda: served.read_bytes() == b"one\ntwo\n", timeout=WAIT)
    qtbot.wait_until(lambda: not window.edits.unsent, timeout=WAIT)
    copy = window.edits.copies.get(window.current_path + "notes.txt")
    assert copy is not None and not copy.unsent()
    # A later save goes up with the ETag of the upload before it.
    copy.local.write_bytes(b"one\ntwo\nthree\n")
    qtbot.wait_until(lambda: served.read_bytes() == b"one\ntwo\nthree\n", timeout=WAIT)
    qtbot.wait_until(lambda: not window.edits.unsent, timeout=WAIT)


@pytest.mark.parametrize(
    "choice", [edit_in_place.OVERWRITE, edit_in_place.SAVE_AS_COPY, edit_in_place.DOWNLOAD_THEIRS]
)
def test_a_conflict_overwrites_nothing_until_the_user_chooses(
    dav_server, open_window, opener, qtbot, monkeypatch, choice
):
    served = dav_server.make_file("plan.txt", b"draft\n")
    # Someone else changes the server's file, then the application saves the copy.
    opener(f'printf "their longer version\\n" > "{served}"\nprintf "mine\\n" > "$1"\n')
    asked = []
    monkeypatch.setattr(
        edit_in_place, "choose_conflict", lambda window, copy: asked.append(copy.name) or choice
    )
    window = open_window(dav_server)
    select(window, "plan.txt")
    window.commands.edit.trigger()
    qtbot.wait_until(lambda: asked == ["plan.txt"], timeout=WAIT)
    if choice == edit_in_place.OVERWRITE:
        qtbot.wait_until(lambda: served.read_bytes() == b"mine\n", timeout=WAIT)
    elif choice == edit_in_place.SAVE_AS_COPY:
        qtbot.wait_until(
            lambda: (
                (dav_server.root / "plan (2).txt").exists()
                and (dav_server.root / "plan (2).txt").read_bytes() == b"mine\n"
            ),
            timeout=WAIT,
        )
        assert served.read_bytes() == b"their longer version\n"
    else:
        copy = window.edits.copies.get(window.current_path + "plan.txt")
        assert copy is not None
        qtbot.wait_until(lambda: copy.local.read_bytes() == b"their longer version\n", timeout=WAIT)
        assert served.read_bytes() == b"their longer version\n"
    qtbot.wait_until(lambda: not window.edits.unsent, timeout=WAIT)


def test_closing_with_an_unsent_edit_names_it(dav_server, open_window, opener, qtbot, monkeypatch):
    served = dav_server.make_file("plan.txt", b"draft\n")
    opener(f'printf "their longer version\\n" > "{served}"\nprintf "mine\\n" > "$1"\n')
    monkeypatch.setattr(edit_in_place, "choose_conflict", lambda window, copy: None)
    window = open_window(dav_server)
    select(window, "plan.txt")
    window.commands.edit.trigger()
    qtbot.wait_until(
        lambda: bool(window.edits.unsent) and not window.edits._uploading, timeout=WAIT
    )
    asked = []
    monkeypatch.setattr(
        edit_in_place, "confirm_close", lambda window, unsent, folder: asked.append(unsent) or False
    )
    window.close()
    assert window.isVisible() and asked == [[window.current_path + "plan.txt"]]
    monkeypatch.setattr(edit_in_place, "confirm_close", lambda *a: True)
    window.close()
    assert not window.isVisible()


def test_copy_address_puts_urls_without_credentials_on_the_clipboard(dav_server, open_window):
    dav_server.make_file("a b.txt", b"x")
    dav_server.make_dir("Folder")
    window = open_window(dav_server)
    select(window, "a b.txt", "Folder")
    window.commands.copy_url.trigger()
    text = QGuiApplication.clipboard().text()
    assert sorted(text.splitlines()) == [
        dav_server.url_for("Folder/"),
        dav_server.url_for("a b.txt"),
    ]
    assert dav_server.password not in text and "@" not in text


def test_nextcloud_copies_internal_links_and_edits_with_its_etags(
    nextcloud_server, open_nextcloud, opener, qtbot
):
    (nextcloud_server.files_root / "Docs").mkdir()
    served = nextcloud_server.files_root / "Docs" / "a.txt"
    served.write_bytes(b"a\n")
    window = open_nextcloud(nextcloud_server)
    select(window, "Docs")
    window.commands.copy_internal_link.trigger()
    fileid = window._client.stat(window.current_path + "Docs/").fileid
    assert fileid
    qtbot.wait_until(
        lambda: (
            QGuiApplication.clipboard().text()
            == (f"{nextcloud_server.root_url}index.php/f/{fileid}")
        ),
        timeout=WAIT,
    )
    opener('printf "a\\nb\\n" > "$1"\n')
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        activate(window, "Docs")
    select(window, "a.txt")
    window.commands.edit.trigger()
    qtbot.wait_until(lambda: served.read_bytes() == b"a\nb\n", timeout=WAIT)
    qtbot.wait_until(lambda: not window.edits.unsent, timeout=WAIT)


def test_an_edit_already_on_the_server_is_no_conflict(
    dav_server, open_window, opener, qtbot, monkeypatch
):
    """The copy's ETag is stale (its upload went through by a path that did not report back,
    such as a retry from the results pane), but the server holds exactly its bytes."""
    served = dav_server.make_file("same.txt", b"draft\n")
    opener(f'printf "final\\n" > "{served}"\nprintf "final\\n" > "$1"\n')
    asked = []
    monkeypatch.setattr(
        edit_in_place, "choose_conflict", lambda window, copy: asked.append(copy.name)
    )
    window = open_window(dav_server)
    select(window, "same.txt")
    window.commands.edit.trigger()
    remote = window.current_path + "same.txt"
    qtbot.wait_until(lambda: window.edits.copies.get(remote) is not None, timeout=WAIT)
    local = window.edits.copies.get(remote).local
    qtbot.wait_until(lambda: local.read_bytes() == b"final\n", timeout=WAIT)  # it saved
    # Saved, so unsent until the 412 is found to be the server holding these very bytes.
    qtbot.wait_until(
        lambda: (
            not window.edits.copies.get(remote).unsent()
            and not window.edits._uploading
            and not window.edits.unsent
        ),
        timeout=WAIT,
    )
    assert asked == [] and served.read_bytes() == b"final\n"
