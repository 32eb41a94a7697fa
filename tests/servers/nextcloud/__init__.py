"""A fake Nextcloud 30 for the tests: the parts of its client protocol Davdesk uses,
as Nextcloud's developer documentation specifies them (and, where the documentation
is silent, as Nextcloud's server code does it). No Nextcloud package is available to
test against; this is the independent reading of the specification that the
client's integration tests run against.

    with NextcloudServer(tmp_path / "data", subpath="/nextcloud") as server:
        httpx.get(server.root_url + "status.php").json()

One account: user id ``alice``, login name ``alice@example.test`` (both log in; DAV
paths use the user id), password ``wonderland-test`` (test-only, not a secret).
cheroot serves it on 127.0.0.1 (port 0 = a free one), plain http, from a
background thread; ``stop()`` then ``start()`` (or a new server on the same data
folder and port) is a restart: files, file ids, app passwords, sessions, trash and
half-done uploads survive (they live in ``data_dir``: ``alice/files``,
``alice/files_trashbin``, ``alice/uploads`` and ``nextcloud.sqlite``).

Covered (each module's docstring has the rules it follows and their sources):

* ``status.php`` (anonymous JSON) at the instance's root, and nowhere else: with a
  sub-path, ``/status.php`` at the origin is 404. The root and ``index.php`` are an
  HTML login page. (:mod:`.app`)
* OCS v1 and v2: ``cloud/user``, ``cloud/capabilities``, ``core/getapppassword``,
  ``core/apppassword`` (DELETE); XML or JSON; v1/v2 status codes; the
  ``OCS-APIRequest`` CSRF rule; 997 for a missing login, 998 for an unknown route.
  (:mod:`.ocs`)
* Login Flow v2: start, browser page, grant, poll once; app passwords named after
  the client's User-Agent; expiry. (:mod:`.loginflow`)
* Logins: Basic with the login name or user id and the account password (the
  expensive check, counted and timed by ``password_cost``) or an app password
  (cheap, bound to its login name); Nextcloud's session cookies, and DAV's rule that
  a DAV-authenticated session needs no password check; the same-site cookie check;
  revoked app passwords. (:mod:`.auth`, :mod:`.app`)
* ``remote.php/dav/files/alice/`` (and ``remote.php/webdav/``): a WebDAV server with
  Nextcloud's live properties, headers, filename rules, permissions, quota,
  preconditions, trash-on-delete. (:mod:`.files`, :mod:`.dav`)
* X-NC-Paginate for PROPFIND. (:mod:`.paginate`, :mod:`.dav`)
* Chunked upload v2 under ``remote.php/dav/uploads/alice/``. (:mod:`.chunking`)
* The trash bin under ``remote.php/dav/trashbin/alice/``. (:mod:`.trashbin`)
* Versions under ``remote.php/dav/versions/alice/``: one per overwrite, listed,
  downloaded, restored. (:mod:`.versions`)
* Public link shares, OCS ``apps/files_sharing/api/v1/shares``, in memory. (:mod:`.sharing`)
* SEARCH (RFC 5323 basicsearch) on ``remote.php/dav/`` by name, type and size, one
  scope, paged. (:mod:`.search`)

Not covered, on purpose (requests for them get what a server without them gives,
mostly 404 or 501): other users, groups and shares other than public links
(``public.php``, link pages); locking (LOCK/UNLOCK are 501, DAV class 2 is not
offered); chunking v1 and bulk upload; folder downloads as zip/tar;
``X-NC-WebDAV-AutoMkcol``, ``X-OC-CTime``, ``X-Hash``; version labels and expiry,
favorites, tags, comments, REPORT, SEARCH on other properties; previews;
``{DAV:}lastmodified`` via PROPPATCH; login flow v1, OAuth, 2FA, brute-force
throttling, password confirmation; session expiry; HTTPS (plain http only; the TLS
tests use tests/servers/tls_server.py); ``Depth`` on COPY other than 0 or infinity.
"""

from tests.servers.nextcloud.app import RequestRecord
from tests.servers.nextcloud.auth import AppPassword
from tests.servers.nextcloud.server import (
    LOGIN_NAME,
    PASSWORD,
    USER_ID,
    NextcloudServer,
    TrashItem,
)

__all__ = [
    "LOGIN_NAME",
    "PASSWORD",
    "USER_ID",
    "AppPassword",
    "NextcloudServer",
    "RequestRecord",
    "TrashItem",
]
