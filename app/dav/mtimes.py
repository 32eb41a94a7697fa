"""Keeping a file's modification time on the server.

getlastmodified is a protected property everywhere (Apache answers 409 to a
PROPPATCH of it, wsgidav 403: quirks.LASTMODIFIED_IS_PROTECTED). ownCloud and
Nextcloud take the mtime from an upload's X-OC-Mtime header and answer
"X-OC-MTime: accepted" (quirks.MTIME_BY_HEADER); other servers ignore the
header, and the mtime is kept as the dead property {urn:davdesk}mtime instead,
one PROPPATCH more. Losing the mtime never loses the upload: the Outcome's
note says which way it went.
"""

from __future__ import annotations

import httpx

from app.dav import errors
from app.dav.upload_target import UploadTarget
from app.dav.xmlbodies import MTIME_PROP

HEADER = "X-OC-Mtime"
BY_HEADER = "mtime kept by X-OC-Mtime"


def header_value(mtime: float) -> str:
    """X-OC-Mtime's value: whole seconds since the epoch."""
    return str(int(mtime))


def accepted(headers: httpx.Headers) -> bool:
    """Whether the server says it took the mtime from X-OC-Mtime."""
    answer: str = headers.get("x-oc-mtime", "")
    return answer.strip().lower() == "accepted"


def keep_as_property(
    target: UploadTarget, path: str, mtime: float, lock_token: str | None = None
) -> str:
    """Keep mtime as a dead property; a refusal only loses the mtime, not the upload."""
    try:
        kept = target.proppatch(path, {MTIME_PROP: header_value(mtime)}, lock_token=lock_token)
    except errors.StatusError as exc:
        return f"server refused to keep the mtime ({exc.status} {exc.reason})"
    except errors.DavError as exc:  # the file is stored; only its mtime was lost
        return f"mtime not kept: {exc}"
    if not kept.ok:
        return f"server refused to keep the mtime ({kept.status} {kept.reason})"
    return "mtime kept as a dead property"
