"""What the CLI prints: a readable line per item, or one JSON object per line with --json."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from app.dav import Outcome, Resource
from app.dav.outcome import OutcomeClass
from app.dav.paths import basename
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.trash import TrashItem


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)


#: The first word of an Outcome's line: only the server's state decides ok and FAILED; an
#: effect the server would neither confirm nor deny is said as such.
_LABELS = {OutcomeClass.OK: "ok", OutcomeClass.UNCONFIRMED: "UNSURE"}

# One encoder for every line: json.dumps with a non-default argument builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


class Printer:
    """Writes entries and Outcomes, and counts the failures that decide the exit status."""

    def __init__(self, json_lines: bool, out: TextIO | None = None,
                 keep_outcomes: bool = False) -> None:
        self.json_lines = json_lines
        self.out = out or sys.stdout
        self.failures = 0
        #: Every Outcome printed, for --report; kept only when asked (a 100,000-file job).
        self.outcomes: list[Outcome] | None = [] if keep_outcomes else None

    def _json(self, data: dict[str, Any]) -> None:
        self.out.write(_ENCODER.encode(data) + "\n")

    def entry(self, resource: Resource) -> None:
        if self.json_lines:
            self._json(resource.to_json())
            return
        modified = resource.modified.strftime("%Y-%m-%d %H:%M") if resource.modified else "-"
        kind = "d" if resource.is_dir else "-"
        name = resource.name + ("/" if resource.is_dir else "")
        size = resource.tree_size if resource.is_dir else resource.size
        self.out.write(f"{kind} {_size(size):>10}  {modified:16}  {name}\n")

    def outcome(self, outcome: Outcome) -> None:
        if not outcome.ok:
            self.failures += 1
        if self.outcomes is not None:
            self.outcomes.append(outcome)
        if self.json_lines:
            self._json(outcome.to_json())
            return
        status = f"{outcome.status} {outcome.reason}" if outcome.status else outcome.reason
        condition = f" ({outcome.error})" if outcome.error else ""
        target = f" -> {outcome.destination}" if outcome.destination else ""
        why = "; ".join(filter(None, (outcome.description, outcome.note))) or outcome.detail
        line = f"{_LABELS.get(outcome.outcome_class, 'FAILED'):6} {outcome.op:8} {outcome.path}{target}: " \
               f"{status}{condition}"
        self.out.write(line + (f": {why}" if why else "") + "\n")

    def properties(self, path: str, props: dict[str, str]) -> None:
        if self.json_lines:
            self._json({"path": path, "props": props})
            return
        self.out.write(f"{path}\n")
        for name in sorted(props):
            self.out.write(f"  {name}: {props[name]}\n")

    def trash_item(self, item: TrashItem) -> None:
        deleted = item.deleted.astimezone().strftime("%Y-%m-%d %H:%M") if item.deleted else "-"
        if self.json_lines:
            self._json({"name": basename(item.path), "path": item.path, "is_dir": item.is_dir,
                        "original_location": item.original_location, "size": item.size,
                        "deleted": item.deleted.isoformat() if item.deleted else None})
            return
        kind = "d" if item.is_dir else "-"
        self.out.write(f"{kind} {_size(item.size):>10}  {deleted:16}  {basename(item.path)}  "
                       f"(from {item.original_location or '/'})\n")

    def signed_in(self, account: NextcloudAccount, version: str) -> None:
        if self.json_lines:
            self._json({"server": account.root_url, "login_name": account.login_name,
                        "user_id": account.user_id, "files_url": account.files_url,
                        "version": version})
            return
        self.out.write(f"Signed in to {account.root_url} (Nextcloud {version}) as "
                       f"{account.login_name}; the app password is in the keyring.\n"
                       f"Files: {account.files_url}\n")

    def signed_out(self, account: NextcloudAccount, revoked: bool) -> None:
        if self.json_lines:
            self._json({"server": account.root_url, "login_name": account.login_name,
                        "revoked": revoked})
            return
        said = "revoked and forgotten" if revoked else "forgotten here (the server did not revoke it)"
        self.out.write(f"Signed out of {account.root_url}: the app password was {said}.\n")
