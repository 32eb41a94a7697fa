"""Cutting off, from another thread, the requests a stalled server leaves hanging.

A worker thread blocked reading from a server that stopped answering sees
nothing until its read timeout (a minute) has passed: a cancelled job would
go on for that long. So the sockets of a connection are tracked while a
thread reads or writes them, per `Watch` (one task on one thread), and a
watch can shut down those that have been blocked for a while. The blocked
read then ends at once, as if the server had closed the connection, and the
request fails with a transport error like any broken connection.

Only sockets blocked for longer than a moment are cut: a request that is
moving (a transfer, the cleanup after a cancelled upload) ends by itself.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore


class Watch:
    """The socket operations in progress for one task, and since when each has been waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: dict[_Stream, float] = {}

    def cut(self, blocked_for: float) -> int:
        """Shut down the sockets blocked for at least blocked_for seconds; how many were."""
        now = time.monotonic()
        with self._lock:
            stalled = [stream for stream, since in self._busy.items() if now - since >= blocked_for]
        for stream in stalled:
            stream.shut_down()
        return len(stalled)

    @contextlib.contextmanager
    def _operation(self, stream: _Stream) -> Iterator[None]:
        with self._lock:
            self._busy[stream] = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._busy.pop(stream, None)


class WatchingBackend(httpcore.SyncBackend):
    """httpcore's own network backend, with streams that report to the thread's current watch."""

    def __init__(self) -> None:
        self._current = threading.local()

    @contextlib.contextmanager
    def watch(self) -> Iterator[Watch]:
        """Track this thread's socket operations until the block ends."""
        watch = Watch()
        self._current.watch = watch
        try:
            yield watch
        finally:
            self._current.watch = None

    def current(self) -> Watch | None:
        return getattr(self._current, "watch", None)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        # The resolver is handed the host as the ASCII bytes it is (httpx has IDNA-encoded
        # it): given text, the socket module loads the "idna" codec to encode it again (and
        # unicodedata's library with it), a millisecond of every command's start.
        address: Any = host.encode("ascii") if host.isascii() else host
        stream = super().connect_tcp(address, port, timeout, local_address, socket_options)
        return _Stream(stream, self)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: WatchingBackend) -> None:
        self._inner = inner
        self._backend = backend

    def _watched(self) -> contextlib.AbstractContextManager[None]:
        watch = self._backend.current()
        return watch._operation(self) if watch is not None else contextlib.nullcontext()

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with self._watched():
            return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with self._watched():
            self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        with self._watched():
            return _Stream(
                self._inner.start_tls(ssl_context, server_hostname, timeout), self._backend
            )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def shut_down(self) -> None:
        """End the blocked operation: the peer seems to have closed the connection."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would also
                # drop the TLS state that the blocked thread is still using.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
