"""One Davdesk per user: a second `davdesk` hands its arguments to the first, and exits.

The Nextcloud client, Cyberduck and every tray program behave so: starting the
program again while it syncs in the background opens its window (or the
address given) in the running process, instead of a second process that
would watch and sync the same folders.

Who is first is decided by a lock file (QLockFile) in the config folder, not
by the socket: a lock held by a process that is gone (a crash, a kill -9) is
stale and taken over, where a socket file left behind would look like a live
server. The first process then removes any such socket and listens
(QLocalServer, readable by this user only); later ones connect and send one
line of JSON: {"args": [...]}, answered by "ok". The socket's name is per user
and per config folder, so a test run (DAVDESK_CONFIG_HOME) never talks to
the user's own Davdesk.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_FILE = "instance.lock"
#: How long a second process waits for the first to listen and answer (it may be starting).
HAND_OVER_MS = 10_000
_RETRY_S = 0.1
_ANSWER = b"ok\n"
_MAX_MESSAGE = 64 * 1024


def server_name(config: Path) -> str:
    """The socket's name: one per user and config folder (short: Unix sockets allow ~100)."""
    digest = hashlib.sha256(str(config.resolve()).encode()).hexdigest()[:16]
    return f"davdesk-{_user()}-{digest}"


def _user() -> str:
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name (a container's odd uid): one per config folder
        return "user"
    return "".join(c for c in name if c.isalnum() or c in "-_")[:32] or "user"


class AlreadyRunning(Exception):
    """Another Davdesk holds the lock but did not take the arguments (it hangs, or is quitting)."""


class SingleInstance(QObject):
    """claim() makes this process the first, or hand_over() sends the arguments to it.

    The first process keeps this object (and so the lock) until it quits;
    arguments_received carries each later process's argument list, on the
    GUI thread.
    """

    arguments_received = Signal(list)

    def __init__(self, config: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(config)
        config.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(config / LOCK_FILE))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True: this process is the first, and listens. False: another one runs."""
        if not self._lock.tryLock(0):
            return False
        QLocalServer.removeServer(self.name)  # a socket file a crashed process left behind
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning(
                "Cannot listen for other davdesk processes on %s: %s",
                self.name,
                server.errorString(),
            )
            return True  # still the first: it runs, a second start opens a second process
        server.newConnection.connect(self._accept)
        self._server = server
        log.info("Listening for later davdesk starts on %s", server.fullServerName())
        return True

    def hand_over(self, args: list[str], timeout_ms: int = HAND_OVER_MS) -> None:
        """Send args to the first process; AlreadyRunning when it cannot be reached."""
        socket = QLocalSocket()
        deadline = time.monotonic() + timeout_ms / 1000
        try:
            while True:  # the first may have the lock and not listen yet: it is starting
                socket.connectToServer(self.name)
                if socket.waitForConnected(timeout_ms):
                    break
                if time.monotonic() > deadline:
                    raise AlreadyRunning(
                        f"Davdesk is running but does not answer ({socket.errorString()})"
                    )
                socket.abort()
                time.sleep(_RETRY_S)
            socket.write(json.dumps({"args": args}).encode() + b"\n")
            socket.waitForBytesWritten(timeout_ms)
            answer = b""
            while not answer.endswith(b"\n") and socket.waitForReadyRead(timeout_ms):
                answer += bytes(socket.readAll().data())
            if answer != _ANSWER:
                raise AlreadyRunning("Davdesk is running but did not take the request")
        finally:
            socket.abort()

    def close(self) -> None:
        """Stop listening and release the lock (the process is quitting)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setParent(self)
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > _MAX_MESSAGE:
                socket.abort()
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        buffer.clear()
        try:
            message = json.loads(line)
            args = message["args"]
            if not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
                raise ValueError("args is not a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("Ignored a malformed request from another davdesk: %s", exc)
            socket.abort()
            return
        socket.write(_ANSWER)
        socket.flush()  # the other process closes the connection once it read the answer
        self.arguments_received.emit(args)
