"""Start at login: `davdesk --background` run by the desktop session, as the user chose.

Each platform keeps the choice in its own place, and the place is the truth
(no copy in settings.json that could disagree with it):

- Linux and other freedesktop desktops: an entry in the XDG autostart folder,
  ``$XDG_CONFIG_HOME/autostart/`` (``~/.config/autostart/``), per the Desktop
  Application Autostart Specification.
- Windows: a value of ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/<label>.plist``, loaded at
  the next login (RunAtLoad).

Only the Linux one runs where the tests run; the others are plain code whose
output (the registry value, the plist) is tested. Everything here touches
the disk or the registry: the GUI calls it from its background pool.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Protocol

APP_ID = "io.github.davdesk.Davdesk"
BACKGROUND_OPTION = "--background"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Davdesk"


class Autostart(Protocol):
    """Whether the session starts Davdesk at login, and the switch."""

    def enabled(self) -> bool: ...

    def enable(self) -> None: ...

    def disable(self) -> None: ...


#: The frozen Windows app's window executable, beside davdesk.exe (the console one, the CLI):
#: it opens no console window (packaging/davdesk.spec).
WINDOWED_EXE = "davdeskw.exe"


def program(platform: str | None = None, executable: str | None = None) -> list[str]:
    """How this Davdesk is started again: the frozen app's executable (on Windows its
    windowed one, so no console opens at login), else `davdesk`."""
    if not getattr(sys, "frozen", False):
        return ["davdesk"]
    executable = executable or sys.executable
    if (platform or sys.platform) == "win32":
        windowed = Path(executable).with_name(WINDOWED_EXE)
        if windowed.is_file():
            return [str(windowed)]
    return [executable]


def for_platform(
    platform: str = sys.platform,
    environ: Mapping[str, str] = os.environ,
    home: Path | None = None,
    command: Sequence[str] | None = None,
) -> Autostart:
    """The place this platform keeps it; command: the program (default: program())."""
    args = [*(command or program()), BACKGROUND_OPTION]
    home = home or Path.home()
    if platform == "win32":
        return WindowsAutostart(args)
    if platform == "darwin":
        return MacAutostart(home / "Library" / "LaunchAgents" / f"{APP_ID}.plist", args)
    config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    if not config.is_absolute():  # the spec: a relative value is invalid and is ignored
        config = home / ".config"
    return XdgAutostart(config / "autostart" / f"{APP_ID}.desktop", args)


class XdgAutostart:
    """A desktop entry in the XDG autostart folder; removing it switches autostart off."""

    def __init__(self, path: Path, args: Sequence[str]) -> None:
        self.path = path
        self.args = list(args)

    def entry(self) -> str:
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Davdesk\n"
            "Comment=Keep synced folders in step in the background\n"
            f"Exec={desktop_exec(self.args)}\n"
            # The session skips the entry once the program is gone (the .deb removed, the
            # tarball uninstalled) instead of failing to start it at every login.
            f"TryExec={desktop_string(self.args[0])}\n"
            "Icon=davdesk\n"
            "Terminal=false\n"
            "NoDisplay=true\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    def enabled(self) -> bool:
        """An entry of ours that no one switched off (Hidden=true or GNOME's own key)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
        lines = {line.strip().replace(" ", "") for line in text.splitlines()}
        return not ({"Hidden=true", "X-GNOME-Autostart-enabled=false"} & lines)

    def enable(self) -> None:
        _write(self.path, self.entry().encode("utf-8"))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


def desktop_exec(args: Sequence[str]) -> str:
    """An Exec= value: arguments quoted as the Desktop Entry Specification says."""

    def quote(arg: str) -> str:
        plain = arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`=%")
        if plain:
            return arg
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        # The string-value escape applies on top of the quoting: a backslash is written twice.
        return desktop_string(f'"{escaped}"').replace("%", "%%")

    return " ".join(quote(a) for a in args)


def desktop_string(value: str) -> str:
    """A string value (TryExec=, and Exec= after its quoting) as the Desktop Entry
    Specification escapes it: backslash, newline, tab and carriage return."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


class MacAutostart:
    """A LaunchAgent that runs Davdesk once at login (RunAtLoad), in the user's GUI session."""

    def __init__(self, path: Path, args: Sequence[str]) -> None:
        self.path = path
        self.args = list(args)

    def plist(self) -> bytes:
        import plistlib  # macOS only: not loaded with every window's Preferences

        return plistlib.dumps(
            {
                "Label": APP_ID,
                "ProgramArguments": self.args,
                "RunAtLoad": True,
                "ProcessType": "Interactive",
                "LimitLoadToSessionType": "Aqua",
            }
        )

    def enabled(self) -> bool:
        return self.path.is_file()

    def enable(self) -> None:
        _write(self.path, self.plist())

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class WindowsAutostart:
    """The Run value under HKEY_CURRENT_USER. registry: winreg (a stand-in in tests)."""

    def __init__(self, args: Sequence[str], registry: ModuleType | None = None) -> None:
        self.args = list(args)
        self._registry = registry

    def value(self) -> str:
        """The command line Windows runs: each argument quoted as the C runtime reads them."""
        return _windows_command_line(self.args)

    def enabled(self) -> bool:
        reg = self._winreg()
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                reg.QueryValueEx(key, RUN_VALUE)
        except FileNotFoundError:
            return False
        return True

    def enable(self) -> None:
        reg = self._winreg()
        with reg.CreateKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, self.value())

    def disable(self) -> None:
        reg = self._winreg()
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            pass

    def _winreg(self) -> ModuleType:
        if self._registry is None:
            import winreg  # only there on Windows

            self._registry = winreg
        return self._registry


def _windows_command_line(args: Sequence[str]) -> str:
    """subprocess.list2cmdline's rules, with the program always in quotes (paths have spaces)."""
    first, *rest = args
    return " ".join([f'"{first}"', *(subprocess.list2cmdline([a]) for a in rest)])


def _write(path: Path, data: bytes) -> None:
    """The whole file or the old one, never half (a session reading it at login)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
