"""What the CLI prints: a readable line per item, or one JSON object per line with --json."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from app.dav import Outcome, Resource


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)


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
        self.out.write(f"{kind} {_size(resource.size):>10}  {modified:16}  {name}\n")

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
        why = outcome.description or outcome.detail
        line = f"{'ok' if outcome.ok else 'FAILED':6} {outcome.op:8} {outcome.path}{target}: " \
               f"{status}{condition}"
        self.out.write(line + (f": {why}" if why else "") + "\n")

    def properties(self, path: str, props: dict[str, str]) -> None:
        if self.json_lines:
            self._json({"path": path, "props": props})
            return
        self.out.write(f"{path}\n")
        for name in sorted(props):
            self.out.write(f"  {name}: {props[name]}\n")
