"""NextcloudServer: the fake Nextcloud on cheroot in a background thread (see the package doc)."""

from __future__ import annotations

import functools
import html.parser
import socket
import ssl
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urljoin

import httpx
from cheroot import wsgi

from tests.servers.nextcloud.app import NextcloudApp, RequestLog, RequestRecord
from tests.servers.nextcloud.auth import AppPassword
from tests.servers.nextcloud.instance import Instance, Options
from tests.servers.nextcloud.storage import FILES

#: The fixture account. Test-only credentials, not a secret.
USER_ID = "alice"
LOGIN_NAME = "alice@example.test"
PASSWORD = "wonderland-test"
DISPLAY_NAME = "Alice Liddell"

_live_servers: weakref.WeakSet[NextcloudServer] = weakref.WeakSet()


def _stop_live_servers() -> None:
    for server in list(_live_servers):
        server.stop()


# cheroot's workers are not daemon threads; stop forgotten servers before the
# interpreter joins its threads (as tests/servers/wsgidav_server.py does).
_register_atexit = getattr(threading, "_register_atexit", None)
if _register_atexit is not None:
    _register_atexit(_stop_live_servers)


@dataclass(frozen=True)
class TrashItem:
    name: str  # in the trash bin: "<name>.d<deletion time>"
    original_location: str  # relative to the files root
    deletion_time: int
    is_dir: bool


class _FormParser(html.parser.HTMLParser):
    """The first form of a page: its action and its inputs, as a browser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
            self._in_form = True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every browser: making it is slow."""
    return ssl.create_default_context()


def _browser() -> httpx.Client:
    """A fresh browser (no cookies)."""
    return httpx.Client(timeout=30, follow_redirects=True, verify=_tls())


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class NextcloudServer:
    """A fake Nextcloud 30 over ``data_dir``, on 127.0.0.1, plain http."""

    name = "nextcloud"
    host = "127.0.0.1"

    def __init__(
        self,
        data_dir: Path,
        *,
        subpath: str = "",
        password_cost: float = 0.0,
        assembly_delay: float = 0.0,
        chunk_max_size: int | None = 10 * 1024 * 1024,
        min_chunk_size: int = 5 * 1024 * 1024,
        checksum_types: tuple[str, ...] | None = None,
        paginate: bool = True,
        chunking: bool = True,
        bulk_upload: bool = True,
        quota: int | None = None,
        forbidden_filenames: tuple[str, ...] | list[str] = (".htaccess",),
        forbidden_basenames: tuple[str, ...] | list[str] = (),
        forbidden_characters: tuple[str, ...] | list[str] = (),
        forbidden_extensions: tuple[str, ...] | list[str] = (".part", ".filepart"),
        link_sharing: bool = True,
        public_upload: bool = True,
        share_password_enforced: bool = False,
        share_expire_days: int | None = None,
        port: int = 0,
    ) -> None:
        subpath = subpath.rstrip("/")
        if subpath and not subpath.startswith("/"):
            subpath = "/" + subpath
        self.options = Options(
            subpath=subpath,
            password_cost=password_cost,
            assembly_delay=assembly_delay,
            chunk_max_size=chunk_max_size,
            min_chunk_size=min_chunk_size,
            checksum_types=tuple(checksum_types) if checksum_types is not None else None,
            paginate=paginate,
            chunking=chunking,
            bulk_upload=bulk_upload,
            quota=quota,
            forbidden_filenames=tuple(forbidden_filenames),
            forbidden_basenames=tuple(forbidden_basenames),
            forbidden_characters=tuple(forbidden_characters),
            forbidden_extensions=tuple(forbidden_extensions),
            link_sharing=link_sharing,
            public_upload=public_upload,
            share_password_enforced=share_password_enforced,
            share_expire_days=share_expire_days,
        )
        self.data_dir = Path(data_dir)
        self.user_id = USER_ID
        self.login_name = LOGIN_NAME
        self.password = PASSWORD
        self.display_name = DISPLAY_NAME
        self.instance = Instance(
            self.options, self.data_dir, USER_ID, LOGIN_NAME, DISPLAY_NAME, PASSWORD
        )
        self.port = port
        self.requests = RequestLog()
        self._server: wsgi.Server | None = None
        self._thread: threading.Thread | None = None

    # -- addresses ------------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def root_url(self) -> str:
        """The instance's address: what a user types in, e.g. http://127.0.0.1:PORT/nextcloud/."""
        return f"{self.origin}{self.options.subpath}/"

    @property
    def files_url(self) -> str:
        return f"{self.root_url}remote.php/dav/files/{self.user_id}/"

    @property
    def files_root(self) -> Path:
        return self.instance.storage.disk(FILES)

    # -- what tests look at and set up ------------------------------------------------------------
    @property
    def password_checks(self) -> int:
        """How many times the account password was verified (the expensive check)."""
        return self.instance.accounts.password_checks

    def clear_requests(self) -> None:
        self.requests.reset()

    def issue_app_password(self, name: str = "test", *, login_name: str | None = None) -> str:
        """An app password, as the security settings page makes one. Nextcloud ties an app
        password to a login name (here the user id unless told otherwise): only that
        name may log in with it."""
        return self.instance.accounts.issue_app_password(name, login_name or self.user_id)

    @property
    def app_passwords(self) -> list[AppPassword]:
        return self.instance.accounts.app_passwords()

    def set_permissions(self, relpath: str, letters: str) -> None:
        """Override oc:permissions of a file or folder (it follows the node when moved)."""
        rel = relpath.strip("/")
        key = f"{FILES}/{rel}" if rel else FILES
        if self.instance.storage.stat(key) is None:
            raise FileNotFoundError(self.files_root / rel)
        self.instance.storage.set_permissions(key, letters)

    def trash_items(self) -> list[TrashItem]:
        return [
            TrashItem(e.name, e.original_location, e.deleted, e.is_dir)
            for e in self.instance.storage.trash_entries()
        ]

    def grant_login(
        self, login_url: str, login_name: str | None = None, password: str | None = None
    ) -> None:
        """Be the user's browser on a Login Flow v2 login URL: open it, fill in the form,
        send it. Raises AssertionError when the page does not say access was granted."""
        with _browser() as browser:
            landing = browser.get(login_url)
            assert landing.status_code == 200, f"login page: {landing.status_code} {landing.text}"
            form = _FormParser()
            form.feed(landing.text)
            assert form.action is not None, "no form on the login page"
            fields = dict(form.fields)
            fields["user"] = login_name if login_name is not None else self.login_name
            fields["password"] = password if password is not None else self.password
            answer = browser.post(urljoin(str(landing.url), form.action), data=fields)
            assert answer.status_code == 200, f"grant: {answer.status_code} {answer.text}"

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> NextcloudServer:
        if self._server is not None:
            raise RuntimeError("server already started")
        if self.port == 0:
            # Picked here so that a restart can bind the same port again (SO_REUSEADDR).
            self.port = _free_port(self.host)
        app = NextcloudApp(self.instance, self.requests)
        server = wsgi.Server(
            (self.host, self.port),
            app,
            numthreads=32,
            server_name="davdesk-test-nextcloud",
            shutdown_timeout=1.0,
        )
        # The serve loop notices stop() only between polls; keep teardowns short.
        server.expiration_interval = 0.02
        server.prepare()
        self.port = server.bind_addr[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve, name=f"nextcloud:{self.port}", daemon=True
        )
        self._thread.start()
        _live_servers.add(self)
        return self

    def stop(self) -> None:
        """Stop serving (idempotent). The data folder and its database stay."""
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        _live_servers.discard(self)
        if server is not None:
            server.stop()
            if thread is not None:
                thread.join(timeout=10)
        self.instance.store.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> NextcloudServer:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<NextcloudServer {self.root_url} data={str(self.data_dir)!r} {state}>"


__all__ = ["LOGIN_NAME", "PASSWORD", "USER_ID", "NextcloudServer", "RequestRecord", "TrashItem"]
