"""Opening a Nextcloud account: discovery, the user id, capabilities, one client for files.

Whatever the user typed is reduced to the server's root; the files endpoint
is built from the user id the server reports. The client returned speaks the
server's WebDAV extensions (chunked uploads, checksums, name rules, extra
properties, pagination) from its first request on.
"""

from __future__ import annotations

import logging
import ssl
import threading
from dataclasses import dataclass, replace

from app.dav import DavClient
from app.dav.bulk import BulkUploads
from app.dav.client import Timeouts
from app.dav.extensions import DaslSearch, ServerExtensions
from app.dav.paths import url_path
from app.dav.transcript import Transcript
from app.nextcloud import capabilities, discovery
from app.nextcloud.account import NextcloudAccount, files_address
from app.nextcloud.capabilities import Capabilities

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NextcloudConnection:
    """A client on the account's files endpoint; start_path: the folder the address named."""

    client: DavClient
    account: NextcloudAccount
    capabilities: Capabilities
    start_path: str


def connect(
    address: str,
    *,
    login: str,
    password: str,
    verify: bool | ssl.SSLContext = True,
    workers: int = 4,
    transcript: Transcript | None = None,
    timeouts: Timeouts = Timeouts(),
    root_url: str | None = None,
) -> NextcloudConnection:
    """Sign in to the Nextcloud at address; AuthenticationError if the password is refused.

    root_url: the server's root where the caller found it already (status.php
    is then not asked again).
    """
    known = files_address(address)
    if known is not None:
        root_url, user_id, start = known
    else:
        root_url = (
            root_url
            or discovery.find_server(
                address, verify=verify, transcript=transcript, timeouts=timeouts
            ).root_url
        )
        with DavClient(
            root_url,
            user=login,
            password=password,
            verify=verify,
            transcript=transcript,
            timeouts=timeouts,
            basic_first=True,
        ) as signed_in:
            user_id = discovery.user_id(signed_in, url_path(root_url))
        start = ""
    account = NextcloudAccount(root_url, user_id, login)
    client = DavClient(
        account.files_url,
        user=login,
        password=password,
        workers=workers,
        verify=verify,
        transcript=transcript,
        timeouts=timeouts,
        basic_first=True,
    )
    try:
        found = speak(client, account)
    except BaseException:
        client.close()
        raise
    return NextcloudConnection(client, account, found, start or account.files_path)


def speak(client: DavClient, account: NextcloudAccount) -> Capabilities:
    """Have a client use the account's WebDAV extensions: OPTIONS says whether listings are
    paginated, the capabilities say the rest. Two small requests, made once per client."""
    return Speaking(client, account, meanwhile=False).wait()


class Speaking:
    """A client learning the account's WebDAV extensions, in two steps.

    First what a listing needs: whether listings are paginated. The session
    cookie Nextcloud sets for the first request must be a WebDAV session's: a
    session an OCS call opened would make every later PUT, MOVE or DELETE that
    carries its cookie fail its CSRF check (quirks.OCS_SESSION_FAILS_CSRF). So
    OPTIONS goes first and says it (nc-paginate), before this returns; or,
    with meanwhile, nothing goes yet: the caller's first request is a WebDAV
    listing (a sync's scan), which opens the session, and asks for pages as
    if the server offered them (one that does not ignores the headers and
    sends the whole listing).

    Then the capabilities (chunked and bulk uploads, checksums, the names the
    server refuses): in wait(), or with meanwhile on a thread of their own,
    outside the session (no cookie of theirs is kept), while the caller lists
    folders: a sync's scan needs none of them, its plan and uploads do.
    wait() hands them to the client; until then the client must only list.
    """

    def __init__(self, client: DavClient, account: NextcloudAccount, *, meanwhile: bool) -> None:
        self._client = client
        self._account = account
        self._meanwhile = meanwhile
        if meanwhile:
            self._paginate = True
        else:
            offered = client.options(account.files_path)
            self._paginate = "nc-paginate" in offered.dav_classes
        client.use(self._with_search(capabilities.listing_extensions(paginate=self._paginate)))
        self._found: Capabilities | None = None
        self._failed: BaseException | None = None
        self._thread: threading.Thread | None = None
        if meanwhile:
            self._thread = threading.Thread(
                target=self._fetch, name="nextcloud-capabilities", daemon=True
            )
            self._thread.start()

    def _fetch(self) -> None:
        try:
            self._found = capabilities.fetch(
                self._client, self._account.root_path, session=not self._meanwhile
            )
        except BaseException as exc:  # raised by wait(), on the thread that waits
            self._failed = exc

    def ended(self) -> None:
        """Wait for the capabilities' request to end, whatever it brought (the command that
        asked for them is ending)."""
        if self._thread is not None:
            self._thread.join()

    def wait(self) -> Capabilities:
        """The capabilities, fetched or waited for; the client speaks every extension after.
        The request's own error if it failed."""
        if self._thread is None:
            self._fetch()
        else:
            self._thread.join()
        if self._failed is not None:
            raise self._failed
        assert self._found is not None
        found, account = self._found, self._account
        extensions = found.extensions(
            account.uploads_path,
            paginate=self._paginate,
            bulk=BulkUploads(f"{account.root_path}remote.php/dav/bulk", account.files_path),
        )
        self._client.use(self._with_search(extensions))
        log.debug(
            "Nextcloud %s at %s, user %s: chunked uploads %s, OC-Checksum %s, listing pages %s, "
            "bulk upload %s",
            found.version or "(version not given)",
            account.root_url,
            account.user_id,
            f"above {extensions.chunked.chunk_size} bytes" if extensions.chunked else "off",
            extensions.checksum,
            extensions.page_size or "off",
            "on" if extensions.bulk else "off",
        )
        return found

    def _with_search(self, extensions: ServerExtensions) -> ServerExtensions:
        # Every Nextcloud since 13 answers RFC 5323 SEARCH on remote.php/dav/ (no capability
        # names it): finding a name is one request instead of a walk of every folder.
        root, files = self._account.root_path, self._account.files_path
        return replace(extensions, search=DaslSearch(f"{root}remote.php/dav/", files))
