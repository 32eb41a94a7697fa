"""Start at login: the XDG entry (validated by desktop-file-validate), the Windows Run value
and the macOS LaunchAgent, each as the platform reads it."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

from app.config.autostart import (
    APP_ID,
    MacAutostart,
    WindowsAutostart,
    XdgAutostart,
    desktop_exec,
    for_platform,
    program,
)
from tests.tools import require_tool

#: Where Debian (usr-merged or not) and others keep systemd's user generators.
GENERATORS = (
    "/usr/lib/systemd/user-generators/systemd-xdg-autostart-generator",
    "/lib/systemd/user-generators/systemd-xdg-autostart-generator",
)


def validate(path: Path) -> None:
    tool = require_tool("desktop-file-validate")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_linux_entry_goes_to_xdg_config_home_and_runs_davdesk_in_the_background(tmp_path):
    config = tmp_path / "xdg-config"
    autostart = for_platform("linux", {"XDG_CONFIG_HOME": str(config)}, home=tmp_path / "home")
    assert isinstance(autostart, XdgAutostart)
    assert autostart.path == config / "autostart" / f"{APP_ID}.desktop"
    assert not autostart.enabled()
    autostart.enable()
    assert autostart.enabled()
    text = autostart.path.read_text(encoding="utf-8")
    assert "Exec=davdesk --background\n" in text and "TryExec=davdesk\n" in text
    validate(autostart.path)
    autostart.disable()
    assert not autostart.path.exists() and not autostart.enabled()
    autostart.disable()  # already off: nothing to do, no error


def test_without_xdg_config_home_the_entry_goes_to_dot_config(tmp_path):
    for environ in ({}, {"XDG_CONFIG_HOME": ""}, {"XDG_CONFIG_HOME": "relative/dir"}):
        autostart = for_platform("linux", environ, home=tmp_path)
        assert autostart.path == tmp_path / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_an_entry_the_desktop_switched_off_counts_as_off(tmp_path):
    autostart = XdgAutostart(tmp_path / "a.desktop", ["davdesk", "--background"])
    autostart.enable()
    with autostart.path.open("a", encoding="utf-8") as entry:
        entry.write("Hidden=true\n")
    assert not autostart.enabled()
    autostart.enable()  # switching it on again writes ours back
    assert autostart.enabled()


def test_a_frozen_app_path_with_spaces_and_odd_characters_is_quoted_for_exec(tmp_path):
    odd = '/opt/My Apps/dav$desk "2"\\bin/davdesk'
    autostart = for_platform(
        "linux", {"XDG_CONFIG_HOME": str(tmp_path)}, home=tmp_path, command=[odd]
    )
    autostart.enable()
    validate(autostart.path)
    assert desktop_exec([odd, "--background"]) == (
        '"/opt/My Apps/dav\\\\$desk \\\\"2\\\\"\\\\\\\\bin/davdesk" --background'
    )
    assert desktop_exec(["/a/100%/davdesk"]) == '"/a/100%%/davdesk"'
    # TryExec= is a plain string: only the backslash is escaped.
    assert 'TryExec=/opt/My Apps/dav$desk "2"\\\\bin/davdesk\n' in autostart.entry()


def generated_units(config: Path, out: Path) -> tuple[list[str], str]:
    """What systemd's XDG autostart generator (how systemd sessions run autostart entries)
    makes of the entries in config/autostart: the services it starts at login, its log."""
    generator = require_tool(
        "systemd-xdg-autostart-generator",
        next((p for p in GENERATORS if Path(p).is_file()), None),
    )
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    env = {
        "XDG_CONFIG_HOME": str(config),
        "XDG_CONFIG_DIRS": str(config / "none"),
        "SYSTEMD_LOG_TARGET": "console",
        "SYSTEMD_LOG_LEVEL": "debug",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [generator, str(out), str(out), str(out)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    wants = out / "xdg-desktop-autostart.target.wants"
    return sorted(p.name for p in wants.iterdir()) if wants.is_dir() else [], done.stderr


def test_the_session_skips_the_entry_once_the_program_is_removed(tmp_path):
    """A frozen Davdesk (the .deb's /usr/lib/davdesk/davdesk) switched on at login, then
    removed: the entry stays in the user's folder, and the session must not try to run it."""
    app = tmp_path / "usr" / "lib" / "davdesk" / "davdesk"
    app.parent.mkdir(parents=True)
    app.write_text("#!/bin/sh\n")
    app.chmod(0o755)
    config = tmp_path / "config"
    autostart = for_platform("linux", {"XDG_CONFIG_HOME": str(config)}, command=[str(app)])
    autostart.enable()
    assert f"TryExec={app}\n" in autostart.path.read_text(encoding="utf-8")
    units, _ = generated_units(config, tmp_path / "units")
    assert units == [f"app-{APP_ID}@autostart.service"]

    shutil.rmtree(tmp_path / "usr")  # apt purge davdesk
    units, log = generated_units(config, tmp_path / "units")
    assert units == [] and f"could not find TryExec= binary {app}" in log, log


def test_the_program_is_davdesk_or_the_frozen_executable(monkeypatch):
    assert program() == ["davdesk"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert program() == [sys.executable]


def test_on_windows_login_starts_the_windowed_executable(monkeypatch, tmp_path):
    """davdesk.exe is the CLI's and keeps a console; davdeskw.exe beside it opens none, so
    the Run value names it even when the choice was made in a window started from a console."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    console = tmp_path / "Davdesk" / "davdesk.exe"
    console.parent.mkdir()
    console.write_bytes(b"MZ")
    assert program("win32", str(console)) == [str(console)]  # an older build: no davdeskw.exe
    (console.parent / "davdeskw.exe").write_bytes(b"MZ")
    windowed = str(console.parent / "davdeskw.exe")
    assert program("win32", str(console)) == [windowed]
    assert program("win32", windowed) == [windowed]
    assert program("linux", str(console)) == [str(console)]
    autostart = WindowsAutostart([*program("win32", str(console)), "--background"])
    assert autostart.value() == f'"{windowed}" --background'


def test_macos_launch_agent_runs_davdesk_at_login(tmp_path):
    autostart = for_platform(
        "darwin", {}, home=tmp_path, command=["/Applications/Davdesk.app/Contents/MacOS/davdesk"]
    )
    assert isinstance(autostart, MacAutostart)
    assert autostart.path == tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    autostart.enable()
    agent = plistlib.loads(autostart.path.read_bytes())
    assert agent == {
        "Label": APP_ID,
        "ProgramArguments": ["/Applications/Davdesk.app/Contents/MacOS/davdesk", "--background"],
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert autostart.path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert autostart.enabled()
    autostart.disable()
    assert not autostart.enabled()


class FakeRegistry:
    """winreg's calls the Run key needs, over a dict: HKCU as Windows would hold it."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1
    KEY_SET_VALUE = 2

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}

    def _key(self, root: str, path: str, create: bool) -> _Handle:
        if (root, path) not in self.keys:
            if not create:
                raise FileNotFoundError(path)
            self.keys[(root, path)] = {}
        return _Handle(self.keys[(root, path)])

    def OpenKey(self, root, path, reserved=0, access=0):  # winreg's names
        return self._key(root, path, create=False)

    def CreateKey(self, root, path):
        return self._key(root, path, create=True)

    def QueryValueEx(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(name)
        kind, value = key.values[name]
        return value, kind

    def SetValueEx(self, key, name, reserved, kind, value):
        key.values[name] = (kind, value)

    def DeleteValue(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(name)
        del key.values[name]


class _Handle:
    def __init__(self, values: dict) -> None:
        self.values = values

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_windows_run_value_quotes_the_program_and_switches_on_and_off():
    program_path = r"C:\Program Files\Davdesk\davdesk.exe"
    registry = FakeRegistry()
    autostart = WindowsAutostart([program_path, "--background"], registry)  # type: ignore[arg-type]
    assert autostart.value() == r'"C:\Program Files\Davdesk\davdesk.exe" --background'
    assert not autostart.enabled()
    autostart.enable()
    run = registry.keys[("HKCU", r"Software\Microsoft\Windows\CurrentVersion\Run")]
    assert run == {"Davdesk": (registry.REG_SZ, autostart.value())}
    assert autostart.enabled()
    autostart.disable()
    assert run == {} and not autostart.enabled()
    autostart.disable()


def test_windows_is_chosen_on_windows():
    assert isinstance(
        for_platform("win32", {}, home=Path("/h"), command=["d.exe"]), WindowsAutostart
    )
