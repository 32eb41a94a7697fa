"""From whatever address the user typed to the server's root and the user's files endpoint.

Users type "cloud.example.com", paste "https://example.com/nextcloud/index.php/apps/files/"
from their browser, or a WebDAV URL from the Files settings. The server's
root is where status.php answers; the user id comes from OCS cloud/user; the
files endpoint is remote.php/dav/files/USERID/ under the root.
"""

from __future__ import annotations

import json
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from app.dav import DavClient, errors
from app.dav.client import Timeouts
from app.dav.transcript import Transcript
from app.nextcloud import ocs
from app.nextcloud.account import normalised

log = logging.getLogger(__name__)

#: Path segments that only occur below a Nextcloud's root: the root is what comes before.
_BELOW_ROOT = (
    "/index.php",
    "/remote.php",
    "/ocs/",
    "/status.php",
    "/public.php",
    "/apps/",
    "/login",
)


class NotNextcloudError(errors.DavError):
    """No Nextcloud answers at the address (no status.php that says it is installed)."""


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What status.php said, and where: root_url ends in "/"."""

    root_url: str
    product: str
    version: str
    maintenance: bool


def root_candidates(address: str) -> list[str]:
    """Where the server's root may be, most likely first.

    A path that shows a part below the root (index.php, remote.php, ...)
    gives the root exactly; any other path may be the root of a sub-path
    install or a page below it, so it and each of its parents are tried.
    """
    parts = urlsplit(normalised(address))
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    path = parts.path or "/"
    cuts = [path.find(marker) for marker in _BELOW_ROOT if marker in path]
    if cuts:
        return [origin + path[: min(cuts)].rstrip("/") + "/"]
    segments = [s for s in path.split("/") if s]
    return [
        origin + "/" + "".join(s + "/" for s in segments[:n]) for n in range(len(segments), -1, -1)
    ]


def find_server(
    address: str,
    *,
    verify: bool | ssl.SSLContext = True,
    transcript: Transcript | None = None,
    timeouts: Timeouts = Timeouts(),
) -> ServerStatus:
    """The Nextcloud at an address: status.php asked anonymously at each candidate root.

    A redirect from http to https on the same host is followed (nothing
    secret has been sent yet); any other redirect off the origin is not.
    """
    for _ in range(2):
        candidates = root_candidates(address)
        parts = urlsplit(candidates[0])
        origin = f"{parts.scheme}://{parts.netloc}/"
        with DavClient(origin, verify=verify, transcript=transcript, timeouts=timeouts) as probe:
            try:
                for root in candidates:
                    found = _status(probe, root)
                    if found is not None:
                        log.debug("%s %s found at %s", found.product, found.version, root)
                        return found
                    log.debug("no status.php at %s", root)
            except errors.UnsafeRedirectError as exc:
                upgraded = _https_upgrade(address, exc.target)
                if upgraded is None:
                    raise
                address = upgraded
                continue
        raise NotNextcloudError(
            f"no Nextcloud at {normalised(address)}: status.php did not answer "
            f"at {', '.join(c + 'status.php' for c in candidates)}"
        )
    raise NotNextcloudError(f"no Nextcloud at {normalised(address)}: redirected more than once")


def _status(probe: DavClient, root: str) -> ServerStatus | None:
    try:
        reply = probe.request(
            "GET",
            unquote(urlsplit(root).path) + "status.php",
            headers={"Accept": "application/json"},
        )
    except errors.StatusError:
        return None
    try:
        status = json.loads(reply.body)
    except ValueError:
        return None
    if not isinstance(status, dict) or not status.get("installed") or "version" not in status:
        return None
    return ServerStatus(
        root,
        str(status.get("productname") or "Nextcloud"),
        str(status.get("versionstring") or status.get("version")),
        bool(status.get("maintenance")),
    )


def _https_upgrade(address: str, target: str) -> str | None:
    """The https address an http one redirected to, if that is all the redirect did."""
    before, after = urlsplit(normalised(address)), urlsplit(target)
    if before.scheme == "http" and after.scheme == "https" and before.hostname == after.hostname:
        return target
    return None


def user_id(client: DavClient, root_path: str) -> str:
    """The user id of the signed-in user: what WebDAV paths use, whatever the login name."""
    data = ocs.call(client, "GET", f"{root_path}ocs/v1.php/cloud/user")
    uid = data.get("id") if isinstance(data, dict) else None
    if not isinstance(uid, str) or not uid or "/" in uid:
        raise ocs.OcsError(f"the server named no usable user id: {uid!r}")
    return uid
