"""What the user may do where: Nextcloud's oc:permissions letters, read for the window.

The window greys out what the server would refuse, so a user of a read-only
share sees at once that Delete or New Folder is not theirs to use, instead
of a failed job. The letters come with every listing (each entry's own, and
the folder's from its own response); a server without such rules grants
everything, and the server stays the judge: what it still refuses ends in a
failed Outcome like any other refusal.

Greyed-out actions do not cover every way in (a drop on a folder in the
tree, a folder whose letters the window has not seen), so operations that
add to a folder also ask the server for that folder's letters, on the pool,
just before planning (require), and refuse with a message.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.dav import DavClient, errors
from app.dav.paths import basename
from app.dav.xmlbodies import OC

DELETE, RENAME, MOVE = "D", "N", "V"
CREATE_FILE, CREATE_FOLDER = "C", "K"
#: The letters an action on selected entries needs (delete, rename, cut): counted per listing.
ITEM_LETTERS = DELETE + RENAME + MOVE
_PERMISSIONS = f"{OC}permissions"
_WHAT = {CREATE_FILE: "add files to", CREATE_FOLDER: "create folders in"}


class PermissionRefused(errors.DavError):
    """The server says the user may not do this here; nothing was sent."""


def allows(granted: str | None, letters: str) -> bool:
    """Whether every letter is granted; None (a server without permissions) grants all."""
    return granted is None or all(letter in granted for letter in letters)


def needed_inside(is_dirs: Iterable[bool]) -> str:
    """The letters a folder must grant to receive these items: C for files, K for folders."""
    kinds = set(is_dirs)
    return (CREATE_FILE if False in kinds else "") + (CREATE_FOLDER if True in kinds else "")


def require(client: DavClient, folder: str, letters: str) -> None:
    """Runs on a pool thread: PermissionRefused unless the folder grants the letters.

    Only a client that asks for oc:permissions in its listings (a Nextcloud's)
    makes the request: elsewhere there is nothing to learn from it.
    """
    if not letters or _PERMISSIONS not in client.extensions.extra_props:
        return
    granted = client.stat(folder, ("{DAV:}resourcetype", _PERMISSIONS)).permissions
    missing = [letter for letter in letters if not allows(granted, letter)]
    if missing:
        what = " or ".join(_WHAT[letter] for letter in missing)
        raise PermissionRefused(
            f"You may not {what} “{basename(folder) or folder}”: "
            "the server does not allow it for your account."
        )
