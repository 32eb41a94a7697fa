"""The CLI's connection errors in the window's words, each with a way forward."""

from __future__ import annotations

import pytest

from app.__main__ import main
from app.dav.words import NOT_WEBDAV_HINTS
from tests.servers.plain_web import PlainWebServer


@pytest.fixture
def plain_web(tmp_path):
    with PlainWebServer(tmp_path) as server:
        yield server


def errors_of(capsys, *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, [line.removeprefix("davdesk: ") for line in capsys.readouterr().err.splitlines()]


def test_no_scheme_on_a_plain_http_server_says_so(plain_web, capsys, monkeypatch):
    monkeypatch.setenv("DAVDESK_PASSWORD", "pw")
    code, lines = errors_of(capsys, "ls", "--user", "alice", plain_web.address + "/")
    assert code == 2
    assert lines[0].startswith(
        "This server does not speak https at this address: it answered in plain http. ("
    )
    assert "unencrypted" in lines[1]


def test_a_plain_web_server_does_not_speak_webdav(plain_web, capsys, monkeypatch):
    monkeypatch.setenv("DAVDESK_PASSWORD", "pw")
    code, lines = errors_of(capsys, "ls", "--user", "alice", f"http://{plain_web.address}/")
    assert code == 1
    assert lines[0].startswith("This address does not speak WebDAV")
    assert lines[1:] == list(NOT_WEBDAV_HINTS)


def test_401_without_and_with_a_user_name(dav_server, capsys, monkeypatch):
    code, lines = errors_of(capsys, "ls", dav_server.url)
    assert code == 2 and lines[0].startswith("This server wants a user name and password.")
    assert lines[1].startswith("give --user NAME")
    monkeypatch.setenv("DAVDESK_PASSWORD", "wrong")
    code, lines = errors_of(capsys, "ls", "--user", dav_server.user, dav_server.url)
    assert code == 2
    assert lines[0].startswith(f"Wrong user name or password for {dav_server.user}. (PROPFIND")
