"""A wsgidav server in a background thread, for tests and for poking at by hand.

    with WsgiDavServer(root) as server:
        httpx.get(server.url, auth=(server.user, server.password))

The server binds 127.0.0.1 on port 0 (a free port) unless told otherwise; the
real port is read back after binding, so ``server.url`` is always right. It
uses wsgidav's own lock manager and property manager (both in memory: a new
server forgets the locks and dead properties of the one before it).

A test that needs the server to vanish mid-job calls ``stop()`` and may later
start a new ``WsgiDavServer(root, port=old.port)`` on the same folder and port.
"""

from __future__ import annotations

import logging
import socket
import threading
import weakref
from pathlib import Path
from types import TracebackType
from typing import Literal

from cheroot import wsgi
from wsgidav.wsgidav_app import WsgiDAVApp

#: The fixture user and password. Test-only credentials, not a secret.
USER = "alice"
PASSWORD = "wonderland-test"
REALM = "davdesk-test"

Auth = Literal["basic", "digest"]

# cheroot's worker threads are not daemon threads: a server nobody stopped
# would keep the interpreter from exiting. Stop the stragglers just before
# the interpreter joins its threads (plain atexit runs too late for that).
_live_servers: weakref.WeakSet[WsgiDavServer] = weakref.WeakSet()


def _stop_live_servers() -> None:
    for server in list(_live_servers):
        server.stop()


_register_atexit = getattr(threading, "_register_atexit", None)
if _register_atexit is not None:
    _register_atexit(_stop_live_servers)


def _quiet_wsgidav_logging(level: int) -> None:
    """Keep wsgidav's chatter out of pytest's captured logs.

    On every start wsgidav logs warnings that are noise here ("Basic
    authentication is enabled: It is highly recommended to enable SSL",
    "Share '/:dir_browser' will allow anonymous write access" - it does not:
    that share is read-only), and per-request lines at INFO. Errors still
    show. The 'wsgidav' logger is wsgidav's own (it sets it to INFO itself).
    """
    logging.getLogger("wsgidav").setLevel(level)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class WsgiDavServer:
    """Serve ``root`` over WebDAV on 127.0.0.1 with cheroot in a daemon thread."""

    name = "wsgidav"

    def __init__(
        self,
        root: str | Path,
        *,
        auth: Auth = "basic",
        port: int = 0,
        host: str = "127.0.0.1",
        user: str = USER,
        password: str = PASSWORD,
        numthreads: int = 16,
        shutdown_timeout: float = 1.0,
        log_level: int = logging.ERROR,
        start: bool = True,
    ) -> None:
        if auth not in ("basic", "digest"):
            raise ValueError(f"auth must be 'basic' or 'digest', not {auth!r}")
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(self.root)
        self.auth: Auth = auth
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self._numthreads = numthreads
        self._shutdown_timeout = shutdown_timeout
        self._log_level = log_level
        self._server: wsgi.Server | None = None
        self._thread: threading.Thread | None = None
        self.error_log: Path | None = None  # same shape as ApacheServer
        if start:
            self.start()

    # -- configuration --------------------------------------------------
    def _config(self) -> dict:
        digest = self.auth == "digest"
        return {
            "host": self.host,
            "port": self.port,
            "provider_mapping": {"/": str(self.root)},
            "simple_dc": {"user_mapping": {"*": {self.user: {"password": self.password}}}},
            "http_authenticator": {
                "domain_controller": None,  # SimpleDomainController
                "accept_basic": not digest,
                "accept_digest": digest,
                "default_to_digest": digest,
            },
            "lock_storage": True,  # LockManager(LockStorageDict()), in memory
            "property_manager": True,  # PropertyManager(), in memory
            "verbose": 1,
            "logging": {"enable": False},
            # As shipped: HTML listings for GET on a collection (and a 301 for a
            # collection GET without its trailing slash).
            "dir_browser": {"enable": True},
        }

    # -- life cycle -----------------------------------------------------
    def start(self) -> WsgiDavServer:
        if self._server is not None:
            raise RuntimeError("server already started")
        _quiet_wsgidav_logging(self._log_level)
        if self.port == 0:
            # cheroot sets SO_REUSEADDR only for a port it is given, so a port it picked
            # itself could not be bound again by a restart while old connections linger.
            self.port = _free_port(self.host)
        app = WsgiDAVApp(self._config())
        server = wsgi.Server(
            (self.host, self.port),
            app,
            numthreads=self._numthreads,
            server_name=f"davdesk-test-wsgidav:{self.auth}",
            shutdown_timeout=self._shutdown_timeout,
        )
        # The serve loop notices stop() only between polls (0.5 s by default).
        server.expiration_interval = 0.05
        server.prepare()  # binds; raises OSError if the port is taken
        self.port = server.bind_addr[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve, name=f"wsgidav:{self.port}", daemon=True
        )
        self._thread.start()
        _live_servers.add(self)
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (idempotent)."""
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        _live_servers.discard(self)
        if server is None:
            return
        server.stop()
        if thread is not None:
            thread.join(timeout=10)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def __enter__(self) -> WsgiDavServer:
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
        return f"<WsgiDavServer {self.url} root={str(self.root)!r} auth={self.auth} {state}>"
