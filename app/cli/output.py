"""What the CLI prints: a readable line per item, or one JSON object per line with --json."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, TextIO

from app.dav import Outcome, Resource
from app.dav.outcome import OutcomeClass, Tally
from app.dav.paths import basename
from app.dav.resource import int_or_none, parse_http_date
from app.dav.responses import PropReader, Response
from app.dav.xmlbodies import OC

if TYPE_CHECKING:  # only the Nextcloud commands print these; ls need not load them
    from app.nextcloud.account import NextcloudAccount
    from app.nextcloud.trash import TrashItem


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


#: What ls -b (coreutils' --quoting-style=escape) writes for a control character; the others
#: as octal escapes of their UTF-8 bytes, as it does.
_C_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\\": "\\\\",
}
#: C0 and C1 control characters, DEL, the Unicode line and paragraph separators (a terminal
#: may break the line at them) and the backslash (so that an escape reads back one way).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def _escaped_char(match: re.Match[str]) -> str:
    char = match.group()
    return _C_ESCAPES.get(char) or "".join(f"\\{byte:03o}" for byte in char.encode())


def display_name(name: str) -> str:
    """A name as one line of a listing, whatever it holds: its control characters (a
    newline, a tab, an escape) and backslashes written as `ls -b` writes them (\\n, \\t,
    \\033, \\\\), to a terminal and to a pipe alike, so that a line is one entry and a
    terminal shows what the name holds instead of obeying it. Spaces and other printable
    characters are left as they are (ls -b would escape a space too). --json keeps names
    exact."""
    return _UNSAFE.sub(_escaped_char, name) if _UNSAFE.search(name) else name


#: The control characters alone: a message keeps its backslashes (one_line).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """A message that may name files (an error, a note, a pair's state) as one line: its
    control characters escaped as display_name escapes them. Its backslashes stay: a message
    is read, not parsed back into names, and it may hold a Windows path or a name already
    escaped by the words around it."""
    return _CONTROL.sub(_escaped_char, text) if _CONTROL.search(text) else text


def say(text: str) -> None:
    """A line for the person at the terminal, on stderr: "davdesk: ..." as one line."""
    print(f"davdesk: {one_line(text)}", file=sys.stderr, flush=True)


def outcome_text(outcome: Outcome) -> str:
    """An Outcome's line after its label: its path and destination as display_name shows
    names, the server's and Davdesk's words around them in one line (one_line)."""
    if _UNSAFE.search(outcome.path) or (
        outcome.destination is not None and _UNSAFE.search(outcome.destination)
    ):
        outcome = dataclasses.replace(
            outcome,
            path=display_name(outcome.path),
            destination=outcome.destination and display_name(outcome.destination),
        )
    from app.dav import words  # Outcomes' words: a listing prints none

    return one_line(words.outcome_line(outcome))


#: The first word of an Outcome's line, for a script's grep: ok and skipped need nothing
#: more; the capitals are what a person must look at.
_LABELS = {
    OutcomeClass.OK: "ok",
    OutcomeClass.SKIPPED: "skipped",
    OutcomeClass.FAILED: "FAILED",
    OutcomeClass.CONFLICT: "CONFLICT",
    OutcomeClass.UNCONFIRMED: "UNSURE",
    OutcomeClass.CANCELLED: "CANCELLED",
}

# One encoder for every line: json.dumps with a non-default argument builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _json_string(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def entry_json(resource: Resource) -> str:
    """Resource.to_json() encoded as _ENCODER would, without the dict and the encoder's
    walk: an ls of 100,000 entries spent a third of its time building and encoding them.
    Entries with Nextcloud's extra fields take the encoder (tests/cli/test_output.py holds
    the two equal)."""
    if resource.permissions is not None:
        return _ENCODER.encode(resource.to_json())
    modified = resource.modified
    when = "null" if modified is None else encode_basestring(modified.isoformat())
    size = resource.size
    return (
        f'{{"name": {encode_basestring(resource.name)}, '
        f'"path": {encode_basestring(resource.path)}, '
        f'"is_dir": {"true" if resource.is_dir else "false"}, '
        f'"size": {"null" if size is None else size}, '
        f'"modified": {when}, '
        f'"etag": {_json_string(resource.etag)}, '
        f'"content_type": {_json_string(resource.content_type)}}}'
    )


#: What an entry's JSON line reads beyond its path and kind; an entry with Nextcloud's
#: permissions has more to say and takes entry_json.
_LINE_TEXTS = PropReader(
    (
        "{DAV:}getcontentlength",
        "{DAV:}getlastmodified",
        "{DAV:}getetag",
        "{DAV:}getcontenttype",
    ),
    refused=(f"{OC}permissions",),
)
#: A getlastmodified text -> its "modified" in a JSON line. Bounded: cleared when full.
_JSON_DATES: dict[str | None, str] = {}
_JSON_DATES_LIMIT = 4096


def _json_date(text: str | None) -> str:
    try:
        return _JSON_DATES[text]
    except KeyError:
        pass
    if len(_JSON_DATES) >= _JSON_DATES_LIMIT:
        _JSON_DATES.clear()
    modified = parse_http_date(text)
    line = "null" if modified is None else encode_basestring(modified.isoformat())
    _JSON_DATES[text] = line
    return line


def response_line(response: Response) -> bytes:
    """entry_json(Resource.from_response(response)) and its newline, read straight from the
    response (an ls --json of 10,000 entries spent as long building their Resources and
    property dicts as parsing them; tests/cli/test_output.py holds the two equal), and kept
    encoded until the listing is whole, as JSON is UTF-8 (a line of one wide character
    would otherwise widen the whole listing's text, 4 bytes a character)."""
    texts = _LINE_TEXTS(response)
    if texts is None:
        return (entry_json(Resource.from_response(response)) + "\n").encode()
    length, modified, etag, content_type = texts
    path = response.href
    is_dir = response.is_collection
    size = None if is_dir else int_or_none(length)
    return (
        f'{{"name": {encode_basestring(basename(path))}, '
        f'"path": {encode_basestring(path)}, '
        f'"is_dir": {"true" if is_dir else "false"}, '
        f'"size": {"null" if size is None else size}, '
        f'"modified": {_json_date(modified)}, '
        f'"etag": {encode_basestring(etag) if etag else "null"}, '
        f'"content_type": {encode_basestring(content_type) if content_type else "null"}}}\n'
    ).encode()


class Printer:
    """Writes entries and Outcomes, and counts the failures that decide the exit status."""

    def __init__(
        self, json_lines: bool, out: TextIO | None = None, keep_outcomes: bool = False
    ) -> None:
        self.json_lines = json_lines
        self.out = out or sys.stdout
        self.failures = 0
        self._classes: Counter[OutcomeClass] = Counter()
        #: Every Outcome printed, for --report; kept only when asked (a 100,000-file job).
        self.outcomes: list[Outcome] | None = [] if keep_outcomes else None

    def _json(self, data: dict[str, Any]) -> None:
        self.out.write(_ENCODER.encode(data) + "\n")

    def entry(self, resource: Resource) -> None:
        self.out.write(self._entry_line(resource))

    def entries(self, resources: Iterable[Resource]) -> None:
        """Many entries in one write: a listing's lines are made first, then printed at once."""
        self.out.write("".join(map(self._entry_line, resources)))

    def encoded_lines(self, lines: Iterable[bytes]) -> None:
        """Lines made and encoded beforehand (response_line), in one write to the stream's
        bytes: no text layer copies a listing's megabytes again."""
        data = b"".join(lines)
        buffer = getattr(self.out, "buffer", None)
        if buffer is None:  # a stream of text alone (a test's StringIO)
            self.out.write(data.decode())
            return
        self.out.flush()  # what was written as text goes first
        buffer.write(data)

    def _entry_line(self, resource: Resource) -> str:
        if self.json_lines:
            return entry_json(resource) + "\n"
        modified = resource.modified.strftime("%Y-%m-%d %H:%M") if resource.modified else "-"
        kind = "d" if resource.is_dir else "-"
        name = display_name(resource.name) + ("/" if resource.is_dir else "")
        size = resource.tree_size if resource.is_dir else resource.size
        return f"{kind} {_size(size):>10}  {modified:16}  {name}\n"

    def found(self, resource: Resource, below: str) -> None:
        """A search result: ls's line with the path below the folder searched (--json: the
        entry, whose "path" is the server path)."""
        if self.json_lines:
            self.out.write(entry_json(resource) + "\n")
            return
        modified = resource.modified.strftime("%Y-%m-%d %H:%M") if resource.modified else "-"
        where = resource.path[len(below) :] if resource.path.startswith(below) else resource.path
        size = resource.tree_size if resource.is_dir else resource.size
        self.out.write(
            f"{'d' if resource.is_dir else '-'} {_size(size):>10}  {modified:16}  "
            f"{display_name(where.rstrip('/')) + ('/' if resource.is_dir else '')}\n"
        )

    def outcome(self, outcome: Outcome) -> None:
        if not outcome.ok:
            self.failures += 1
        self._classes[outcome.outcome_class] += 1
        if self.outcomes is not None:
            self.outcomes.append(outcome)
        if self.json_lines:
            self._json(outcome.to_json())
            return
        label = _LABELS[outcome.outcome_class]
        self.out.write(f"{label:9} {outcome_text(outcome)}\n")

    def summary(self, name: str) -> None:
        """The counts of everything printed, in the words the window's status bar uses."""
        if not self.json_lines and (self._classes.total() > 1 or self.failures):
            from app.dav import words

            print(f"{name}: {words.tally_words(Tally.from_counts(self._classes))}", file=sys.stderr)

    def properties(self, path: str, props: dict[str, str]) -> None:
        if self.json_lines:
            self._json({"path": path, "props": props})
            return
        self.out.write(f"{display_name(path)}\n")
        for name in sorted(props):
            self.out.write(f"  {name}: {one_line(props[name])}\n")

    def trash_item(self, item: TrashItem) -> None:
        deleted = item.deleted.astimezone().strftime("%Y-%m-%d %H:%M") if item.deleted else "-"
        if self.json_lines:
            self._json(
                {
                    "name": basename(item.path),
                    "path": item.path,
                    "is_dir": item.is_dir,
                    "original_location": item.original_location,
                    "size": item.size,
                    "deleted": item.deleted.isoformat() if item.deleted else None,
                }
            )
            return
        kind = "d" if item.is_dir else "-"
        self.out.write(
            f"{kind} {_size(item.size):>10}  {deleted:16}  {display_name(basename(item.path))}  "
            f"(from {display_name(item.original_location or '/')})\n"
        )

    def signed_in(self, account: NextcloudAccount, version: str) -> None:
        if self.json_lines:
            self._json(
                {
                    "server": account.root_url,
                    "login_name": account.login_name,
                    "user_id": account.user_id,
                    "files_url": account.files_url,
                    "version": version,
                }
            )
            return
        self.out.write(
            f"Signed in to {account.root_url} (Nextcloud {version}) as "
            f"{account.login_name}; the app password is in the keyring.\n"
            f"Files: {account.files_url}\n"
        )

    def signed_out(self, account: NextcloudAccount, revoked: bool) -> None:
        if self.json_lines:
            self._json(
                {"server": account.root_url, "login_name": account.login_name, "revoked": revoked}
            )
            return
        said = (
            "revoked and forgotten"
            if revoked
            else "forgotten here (the server no longer accepted it)"
        )
        self.out.write(f"Signed out of {account.root_url}: the app password was {said}.\n")
