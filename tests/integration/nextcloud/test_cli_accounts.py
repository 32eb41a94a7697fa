"""Nextcloud accounts from the CLI, as the README shows them: the server's bare address finds
the account (with or without a user name), signing out revokes with the app password itself,
and no app password is ever left live on the server without a holder.

Against the fake Nextcloud (tests/servers/nextcloud), whose app passwords follow the
server's rules: only a request signed in with an app password may revoke it (403 otherwise).
"""

from __future__ import annotations

import getpass
import json
import sys

import keyring.errors
import pytest

from app.cli import main
from app.dav import errors
from app.nextcloud import app_passwords

pytest_plugins = ["tests.memory_keyring"]


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    """Each test keeps its accounts (the window's bookmarks) in a home of its own."""
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))


@pytest.fixture
def signed_in(nextcloud_server, memory_keyring, monkeypatch, capsys):
    """`davdesk login --user alice` with the account password, then no password around."""
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    assert main(["login", "--user", nextcloud_server.login_name, nextcloud_server.origin]) == 0
    monkeypatch.delenv("DAVDESK_PASSWORD")
    capsys.readouterr()
    (nextcloud_server.files_root / "Photos").mkdir()
    (nextcloud_server.files_root / "Photos" / "a.png").write_bytes(b"png")
    return nextcloud_server


def names(out: str) -> list[str]:
    return sorted(json.loads(line)["name"] for line in out.splitlines())


@pytest.mark.parametrize("user", [[], ["--user", "alice"]], ids=["no user", "--user"])
def test_every_command_finds_the_kept_account_from_the_bare_address(
    signed_in, tmp_path, capsys, user
):
    bare = signed_in.root_url
    assert main(["ls", "--json", *user, bare]) == 0
    assert "Photos" in names(capsys.readouterr().out)
    pasted = bare + "index.php/apps/files/?dir=/Photos&fileid=12"
    assert main(["ls", "--json", *user, pasted]) == 0
    assert names(capsys.readouterr().out) == ["a.png"]

    local = tmp_path / "note.txt"
    local.write_text("hello\n")
    assert main(["put", *user, str(local), bare]) == 0
    assert (signed_in.files_root / "note.txt").read_text() == "hello\n"
    assert main(["rm", *user, bare + "note.txt"]) == 0  # a path after the bare address
    assert not (signed_in.files_root / "note.txt").exists()
    capsys.readouterr()
    assert main(["trash", "ls", *user, bare]) == 0
    assert main(["logout", *user, bare]) == 0
    assert "revoked and forgotten" in capsys.readouterr().out
    assert [p.revoked for p in signed_in.app_passwords] == [True]


def test_a_bare_address_without_a_kept_account_is_discovered(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    (nextcloud_server.files_root / "Inbox").mkdir()
    assert (
        main(["ls", "--json", "--user", nextcloud_server.login_name, nextcloud_server.root_url])
        == 0
    )
    assert names(capsys.readouterr().out) == ["Inbox"]


def test_logout_revokes_with_the_kept_app_password_not_davdesk_password(
    signed_in, monkeypatch, memory_keyring, capsys
):
    """The README's form, with the account password in the environment: that password
    cannot revoke an app password (403); the kept app password can, and is used."""
    monkeypatch.setenv("DAVDESK_PASSWORD", signed_in.password)
    assert main(["logout", signed_in.root_url]) == 0
    assert [p.revoked for p in signed_in.app_passwords] == [True]
    assert memory_keyring.passwords == {}


def test_logout_keeps_a_password_the_server_would_not_revoke_and_still_accepts(
    signed_in, memory_keyring, monkeypatch, capsys
):
    def refused(client, root_path):
        raise errors.ForbiddenError("DELETE", signed_in.root_url, 403, description="busy")

    monkeypatch.setattr(app_passwords, "revoke", refused)
    assert main(["logout", signed_in.root_url]) == 2
    err = capsys.readouterr().err
    [line] = err.splitlines()
    assert "did not revoke the app password" in line and "still kept here" in line
    assert "Devices & sessions" in line
    [issued] = signed_in.app_passwords
    assert not issued.revoked and set(memory_keyring.passwords.values()) == {issued.password}


def test_logout_forgets_a_password_the_server_no_longer_accepts(signed_in, memory_keyring, capsys):
    [issued] = signed_in.app_passwords
    signed_in.instance.accounts.revoke(issued.password)  # revoked in the web interface
    assert main(["logout", signed_in.root_url]) == 0
    assert "no longer accepted it" in capsys.readouterr().out
    assert memory_keyring.passwords == {}


def test_a_login_that_cannot_keep_its_app_password_revokes_it(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    def no_keyring(*args):
        raise keyring.errors.NoKeyringError("no backend")

    monkeypatch.setattr(memory_keyring, "set_password", no_keyring)
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    assert main(["login", "--user", nextcloud_server.login_name, nextcloud_server.origin]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "cannot be kept" in line and "revoked on the server" in line
    assert nextcloud_server.app_passwords and all(p.revoked for p in nextcloud_server.app_passwords)


@pytest.mark.parametrize("key", [EOFError, KeyboardInterrupt], ids=["Ctrl-D", "Ctrl-C"])
def test_ctrl_d_or_ctrl_c_at_the_password_prompt_ends_in_one_line(
    nextcloud_server, memory_keyring, monkeypatch, capsys, key
):
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def pressed(prompt: str) -> str:
        raise key

    monkeypatch.setattr(getpass, "getpass", pressed)
    status = main(["ls", "--user", "alice", nextcloud_server.files_url])
    out, err = capsys.readouterr()
    assert status in (2, 130) and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("davdesk: ") and "Traceback" not in err


def test_an_app_password_kept_only_in_the_keyring_is_found_with_the_user_name(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    """As an older `davdesk login` kept it: no bookmark, the keyring under the server's root."""
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)
    app_password = nextcloud_server.issue_app_password("cli", login_name="alice")
    memory_keyring.set_password(f"davdesk {nextcloud_server.root_url}", "alice", app_password)
    assert main(["trash", "ls", "--user", "alice", nextcloud_server.root_url]) == 0
    assert main(["logout", nextcloud_server.root_url.replace("://", "://alice@")]) == 0
    assert "revoked and forgotten" in capsys.readouterr().out
    assert [p.revoked for p in nextcloud_server.app_passwords] == [True]
