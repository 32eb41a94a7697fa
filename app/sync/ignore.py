"""Which paths a sync leaves alone: the defaults, and the user's patterns in gitignore syntax.

The defaults are clutter that operating systems and editors leave behind.
They are matched on the name alone and ignoring case, as the platforms that
make them do: Windows writes "Thumbs.db" and finds "thumbs.db" to be the
same file, and macOS's file systems fold case too. Being clutter, a default
that sits in a folder deleted on the other side goes with the folder (JUNK).

The user's patterns (--ignore, and a ".davdeskignore" file at the local
root) are gitignore syntax through pathspec's GitIgnoreSpec, which
implements git's own rules ("!" negation, "/" anchoring, "dir/" matching
only folders, "**"); a hand-made fnmatch loop gets them subtly wrong. As in
a .gitignore, a later pattern overrides an earlier one, so they come after
the defaults: "!Thumbs.db" syncs Thumbs.db after all. What they name is the
user's to keep: a folder holding it is never deleted (KEPT).

Every scanned path is checked, so the common case (no patterns of the
user's) is one regular expression on the name.
"""

from __future__ import annotations

import enum
import fnmatch
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

#: Files operating systems leave behind; the temporary and lock files of editors and office
#: suites while a document is open (LibreOffice's .~lock.NAME#, Word's ~$NAME, vim's .NAME.swp,
#: Emacs's .#NAME and NAME~, Kate's), which a watched pair would otherwise upload every few
#: seconds; and partial downloads (a browser's, Davdesk's own that a killed run left). As in
#: the Nextcloud client's sync-exclude.lst.
DEFAULT_PATTERNS = (
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "*.part",
    "*.filepart",
    "*.crdownload",
    "~$*",
    ".~lock.*#",
    "~*.tmp",
    ".*.sw?",
    "*.swp",
    ".#*",
    "*~",
    "*.kate-swp",
    "*.davdesk-part",
)
IGNORE_FILE = ".davdeskignore"

_DEFAULTS = re.compile("|".join(fnmatch.translate(p) for p in DEFAULT_PATTERNS), re.IGNORECASE)


class Ignored(enum.Enum):
    """Why a path is left alone, which decides whether it may go with its deleted folder."""

    JUNK = "junk"  # a file the defaults name: clutter, deleted with its folder
    KEPT = "kept"  # named by the user's patterns, or a folder: its folder is kept for it


class IgnoreRules:
    def __init__(self, patterns: Iterable[str] = ()) -> None:
        lines = [line for line in patterns if line.strip()]
        self._user: GitIgnoreSpec | None
        if lines:
            from pathspec import GitIgnoreSpec  # only when there are patterns: 10 ms to import

            self._user = GitIgnoreSpec.from_lines(lines)
        else:
            self._user = None

    @classmethod
    def for_folder(cls, local_root: Path, patterns: Iterable[str] = ()) -> IgnoreRules:
        """The defaults, the given patterns, then those of the folder's .davdeskignore, if any."""
        try:
            from_file = (local_root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            from_file = []
        return cls([*patterns, *from_file])

    def check(self, rel: str, is_dir: bool) -> Ignored | None:
        """rel: the "/"-separated path inside the pair. None: the path is synced."""
        default = _DEFAULTS.match(rel[rel.rfind("/") + 1 :]) is not None
        if self._user is not None:
            verdict = self._user.check_file(rel + "/" if is_dir else rel).include
            if verdict is False:
                return None  # "!pattern": synced, even if a default names it
            if verdict:
                return Ignored.JUNK if default and not is_dir else Ignored.KEPT
        if not default:
            return None
        return Ignored.KEPT if is_dir else Ignored.JUNK

    def ignored(self, rel: str, is_dir: bool) -> bool:
        return self.check(rel, is_dir) is not None
