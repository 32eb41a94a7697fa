"""Which names Nextcloud refuses, by the rules of lib/private/Files/FilenameValidator.php.

The same lists are published in the capabilities (``files.forbidden_filenames``,
``forbidden_filename_basenames``, ``forbidden_filename_characters``,
``forbidden_filename_extensions``), so a client can check names before sending them;
the server checks them again on every PUT, MKCOL and MOVE/COPY destination.

The matching rules, as the validator applies them (Nextcloud 30+):

* all configured lists are lower-cased, and names are compared lower-cased;
* a forbidden *filename* is the whole name (``.htaccess``);
* a forbidden *basename* is the part before the first dot that is not the first
  character (``con`` forbids ``CON``, ``con.txt``, ``Con.tar.gz``, not ``.con``);
* a forbidden *extension* is any suffix (``.part`` forbids ``a.PART``; one without a
  leading dot, like ``~``, forbids every name ending with it);
* forbidden *characters* are substrings; backslash and slash are always forbidden,
  and so are control characters (0-31).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: OCP\Constants::FILENAME_INVALID_CHARS: always forbidden, whatever the config says.
ALWAYS_FORBIDDEN_CHARACTERS = ("\\", "/")


@dataclass(frozen=True)
class FilenameValidator:
    filenames: tuple[str, ...]
    basenames: tuple[str, ...]
    characters: tuple[str, ...]
    extensions: tuple[str, ...]

    @classmethod
    def from_config(
        cls,
        filenames: Iterable[str],
        basenames: Iterable[str],
        characters: Iterable[str],
        extensions: Iterable[str],
    ) -> FilenameValidator:
        chars = list(ALWAYS_FORBIDDEN_CHARACTERS)
        chars += [c for c in characters if c not in chars]
        return cls(
            filenames=tuple(n.lower() for n in filenames),
            basenames=tuple(n.lower() for n in basenames),
            characters=tuple(chars),
            extensions=tuple(e.lower() for e in extensions),
        )

    def problem(self, name: str) -> str | None:
        """Why ``name`` is refused (Nextcloud's message), or None when it is fine."""
        trimmed = name.strip()
        if trimmed == "":
            return "Empty filename is not allowed"
        if trimmed in (".", ".."):
            return "Dot files are not allowed"
        if len(name.encode("utf-8")) > 250:
            return "Filename is too long"
        lower = name.lower()
        if lower in self.filenames:
            return f'"{lower}" is a forbidden file or folder name.'
        dot = lower.find(".", 1)
        basename = lower if dot < 0 else lower[:dot]
        if basename in self.basenames:
            return f'"{lower}" is a forbidden prefix for file or folder names.'
        for extension in self.extensions:
            if lower.endswith(extension):
                if extension.startswith("."):
                    return f'"{extension}" is a forbidden file type.'
                return f'Filenames must not end with "{extension}".'
        if any(ord(c) < 32 for c in name):
            return "Invalid character in path"
        for char in self.characters:
            if char in name:
                return f'"{char}" is not allowed inside a file or folder name.'
        return None
