"""Shared fixtures: real WebDAV servers (DESIGN.md, "Real servers, not mocks").

``wsgidav_server``  a fresh wsgidav over a fresh empty folder, per test.
``apache_server``   one Apache httpd per session; each test gets its own
                    fresh, empty sub-folder ``/t-<n>/`` as its root.
``dav_server``      both of the above, one after the other (parametrized).

All three yield a :class:`tests.servers.ServerHandle` (url, root, user,
password, name, server, error_log; url_for(), client(), make_file()...). Without
Apache the Apache variants skip, except under ``CI=true``, where they fail: a
skipped test is a failing test under CI.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Logs, settings and bookmarks of every test (and every davdesk it starts) go to a folder
# of the run's own, never to the user's: DAVDESK_CONFIG_HOME puts all of them under it.
_TEST_HOME = os.environ["DAVDESK_CONFIG_HOME"] = tempfile.mkdtemp(prefix="davdesk-tests-home-")
# The files a sync deletes locally go to the trash (send2trash reads this at import): the
# run's own, never the user's.
os.environ["XDG_DATA_HOME"] = os.path.join(_TEST_HOME, "xdg-data")

import gc
import itertools
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# `tests` is not a regular package; make `tests.servers` importable however
# pytest was started (`pytest`, `python -m pytest`, `uv run pytest`).
_REPO = str(Path(__file__).resolve().parent.parent)
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from app import logs  # noqa: E402
from app.dav import DavClient  # noqa: E402
from app.dav.paths import url_path  # noqa: E402
from tests.servers import (  # noqa: E402
    ApacheServer,
    ServerHandle,
    WsgiDavServer,
    require_apache,
)

# The in-memory keyring fixture, for every test that stores a password.
pytest_plugins = ["tests.memory_keyring", "tests.nextcloud_fixture"]


# -- wsgidav ------------------------------------------------------------


@pytest.fixture
def wsgidav_server(tmp_path: Path) -> Iterator[ServerHandle]:
    """A fresh wsgidav (Basic auth) over a fresh empty folder."""
    root = tmp_path / "dav-root"
    root.mkdir()
    with WsgiDavServer(root) as server:
        yield ServerHandle(
            name="wsgidav",
            url=server.url,
            root=server.root,
            user=server.user,
            password=server.password,
            server=server,
        )


# -- Apache -------------------------------------------------------------


class _ApacheSession:
    """One Apache for the whole session, restarted if a test killed it."""

    def __init__(self) -> None:
        self.server = ApacheServer()
        self._counter = itertools.count(1)

    def ensure_running(self) -> ApacheServer:
        if not self.server.running:
            self.server.stop()
            self.server.start()
        return self.server

    def next_name(self) -> str:
        return f"t-{next(self._counter)}"


@pytest.fixture(scope="session")
def _apache_session() -> Iterator[_ApacheSession]:
    require_apache()  # skips, or fails under CI=true
    session = _ApacheSession()
    try:
        yield session
    finally:
        session.server.cleanup()  # stop Apache, delete conf, logs, lock DB


@pytest.fixture
def apache_server(_apache_session: _ApacheSession) -> Iterator[ServerHandle]:
    """The session's Apache, with a fresh empty ``/t-<n>/`` as this test's root."""
    server = _apache_session.ensure_running()
    name = _apache_session.next_name()
    root = server.root / name
    root.mkdir()
    server.chown(root)
    try:
        yield ServerHandle(
            name="apache",
            url=f"{server.url}{name}/",
            root=root,
            user=server.user,
            password=server.password,
            server=server,
            error_log=server.error_log,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- both -----------------------------------------------------------------


@pytest.fixture(params=["wsgidav", "apache"])
def dav_server(request: pytest.FixtureRequest) -> ServerHandle:
    """Each real server in turn: tests using it run once per server."""
    return request.getfixturevalue(f"{request.param}_server")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs Apache with ``apache`` (``-m "not apache"``)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        if "apache_server" in fixtures or params.get("dav_server") == "apache":
            item.add_marker(pytest.mark.apache)


# -- unexpected log lines fail the test (as qt_log_level_fail does for Qt's) ----------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "expected_log(pattern): a warning or error from app.* this test provokes"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_TEST_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_unexpected_app_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """A warning or error logged by Davdesk's own code is a bug unless the test expects it."""
    yield
    allowed = [m.args[0] for m in request.node.iter_markers("expected_log")]
    unexpected = [
        record
        for record in caplog.get_records("call")
        if record.name.split(".")[0] == "app"
        and record.levelno >= logging.WARNING
        and not any(pattern in record.getMessage() for pattern in allowed)
    ]
    assert not unexpected, "unexpected log lines: " + "; ".join(
        f"{r.name}: {r.getMessage()}" for r in unexpected
    )


@pytest.fixture(autouse=True)
def _qt_garbage_collected_in_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test's leftovers in reference cycles (a Rig and its Desktop, a window and the
    lambdas it connected) are collected here, in the GUI thread, after the test's own
    teardown. Left to the collector, they would be freed by whichever thread next crosses
    its threshold, often a later test's sync or listing thread: that thread deletes their
    QObjects while shiboken deletes their widgets in the GUI thread, each waiting on a lock
    the other holds (Qt's signal-slot lock, the GIL), and the run hangs with no timeout
    able to end it (seen under load: a pane's retry test stuck for minutes)."""
    yield
    if {"qtbot", "qapp"} & set(request.fixturenames):
        gc.collect()


@pytest.fixture(autouse=True)
def _log_secrets_of_this_test_only() -> Iterator[None]:
    """app.logs keeps every password it was given for the life of the process, as the program
    must (docs/architecture.md); in one test process that would let one test's password
    ("wrong", say) blank an ordinary word in a later test's log lines."""
    kept = logs._secrets
    yield
    logs._secrets = kept


# -- what most protocol and job tests start from ---------------------------------------------


@pytest.fixture
def client(dav_server: ServerHandle) -> Iterator[DavClient]:
    """A DavClient logged in to the test's server."""
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as c:
        yield c


@pytest.fixture
def base(dav_server: ServerHandle) -> str:
    """The test's own root folder as a decoded server path."""
    return url_path(dav_server.url)


@pytest.fixture
def local(tmp_path: Path) -> Path:
    """An empty local folder of the test's own (the wsgidav root also lives in tmp_path)."""
    folder = tmp_path / "local"
    folder.mkdir()
    return folder
