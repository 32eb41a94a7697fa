"""Which paths a sync leaves alone, in gitignore syntax.

pathspec's GitIgnoreSpec implements git's own rules (negation with "!",
"/"-anchoring, "dir/" matching only folders, "**"), which a hand-made
fnmatch loop gets subtly wrong. Patterns come from the defaults, the pair's
own list and a ".davdeskignore" file at the local root.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pathspec import GitIgnoreSpec

#: Files operating systems and editors leave behind, and partial downloads (a browser's,
#: Davdesk's own that a killed run left).
DEFAULT_PATTERNS = (".DS_Store", "Thumbs.db", "desktop.ini", "*.part", "~$*", "*.davdesk-part")
IGNORE_FILE = ".davdeskignore"


class IgnoreRules:
    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = (*DEFAULT_PATTERNS, *patterns)
        self._spec = GitIgnoreSpec.from_lines(self.patterns)

    @classmethod
    def for_folder(cls, local_root: Path, patterns: Iterable[str] = ()) -> IgnoreRules:
        """The defaults, the given patterns, then those of the folder's .davdeskignore, if any."""
        try:
            from_file = (local_root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            from_file = []
        return cls([*patterns, *from_file])

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """rel: the "/"-separated path inside the pair."""
        return self._spec.match_file(rel + "/" if is_dir else rel)
