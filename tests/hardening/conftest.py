"""Fixtures of the hardening tests: a fault-injecting proxy in front of the real Apache, and a
hostile server with a secret local file it tries to make the client read.

The fault tests add up what they did in FIGURES; the totals are printed at
the end of the run, so every run reports them.
"""

from __future__ import annotations

import collections
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.hostile import SECRET
from tests.servers import ServerHandle
from tests.servers.fault_proxy import FaultProxy
from tests.servers.hostile_server import SOCKET_BUFFER, HostileServer

#: What the fault tests did, summed over the run: faults injected (in all, and "fault KIND" by
#: kind), requests, jobs run, files checked, mismatches found (an Outcome that does not say what
#: the server or the disk holds), unconfirmed Outcomes (the server kept failing the check), seconds.
FIGURES: collections.Counter[str] = collections.Counter()


@pytest.fixture
def fault_proxy(apache_server: ServerHandle) -> Iterator[Callable[..., FaultProxy]]:
    """fault_proxy(share=0.2, seed=0, **options) -> a FaultProxy in front of the test's Apache."""
    proxies: list[FaultProxy] = []

    def make(**options: Any) -> FaultProxy:
        proxies.append(FaultProxy(apache_server.url, **options))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    """A hostile server, answering plainly until a test arms it.

    The client's sockets get a small fixed receive buffer while it runs: the server counts
    the bytes it sent, and on loopback the kernel would otherwise take megabytes of them
    for the client (tcp_rmem autotuning), more under load, whatever the client read.
    """
    connect = socket.socket.connect

    def with_small_buffer(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
        connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", with_small_buffer)
    with HostileServer() as running:
        yield running


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local file a hostile body names (an external entity, a DTD): it must never be read."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """The folder the user downloads into, inside a folder that must stay untouched."""
    folder = tmp_path / "outside" / "target"
    folder.mkdir(parents=True)
    return folder


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES["jobs"]:
        terminalreporter.write_line(
            f"fault tests: {FIGURES['faults']} faults injected into {FIGURES['requests']} "
            f"requests, {FIGURES['jobs']} jobs run, {FIGURES['files']} files checked, "
            f"{FIGURES['mismatches']} mismatches, {FIGURES['unconfirmed']} unconfirmed, "
            f"{FIGURES['seconds']:.1f} s"
        )
        kinds = sorted(
            (k.removeprefix("fault "), n) for k, n in FIGURES.items() if k.startswith("fault ")
        )
        terminalreporter.write_line(
            "fault tests, faults by kind: " + ", ".join(f"{kind} {n}" for kind, n in kinds)
        )
