"""`davdesk login` in the browser goes through app.session as the window does; what the
terminal shows and the exit status stay the CLI's."""

from __future__ import annotations

import pytest

from app.cli import main
from app.session import sign_in

pytest_plugins = ["tests.memory_keyring"]


@pytest.fixture(autouse=True)
def no_password(monkeypatch, tmp_path):
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))


def test_a_browser_sign_in_not_finished_in_time_exits_2_in_the_flow_s_words(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setattr(sign_in, "SIGN_IN_LIFETIME", 0.0)
    assert main(["login", nextcloud_server.origin]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"Sign in in your browser: {opened[0]}"
    assert opened[0].startswith(nextcloud_server.root_url)
    assert err[-1] == "davdesk: the sign-in in the browser was not finished in time"
    assert memory_keyring.passwords == {} and nextcloud_server.app_passwords == []


def test_ctrl_c_while_waiting_ends_the_sign_in_in_one_line(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    def pressed_ctrl_c(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("webbrowser.open", lambda _url: True)
    monkeypatch.setattr(sign_in.LoginFlow, "wait", pressed_ctrl_c)
    assert main(["login", nextcloud_server.origin]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "davdesk: sign-in cancelled"
    assert memory_keyring.passwords == {}
