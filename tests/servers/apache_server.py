"""Apache httpd with mod_dav as a test server, started from Python.

    with ApacheServer() as server:          # a fresh empty root under /tmp
        httpx.get(server.url, auth=(server.user, server.password))

Everything the server needs lives in one private directory made with
``tempfile.mkdtemp()`` under /tmp: ``httpd.conf``, the pid file, the password
file, the lock database (``DavLockDB``), the logs and, unless a root is given,
the served folder. Nothing references Debian's ``envvars`` or
``/etc/apache2/apache2.conf``; modules load by absolute path.

Running as root (as in CI containers), Apache's children run as ``www-data``:
the served root, the lock DB directory and every file that the test puts
there must belong to www-data, and every parent directory must be
traversable. pytest's ``tmp_path`` is 0700 and root-owned, so the private
directory is *not* under it. :meth:`ApacheServer.chown` fixes ownership of
anything a test created itself.

The configuration is deliberately close to a stock Debian DAV share:
``DavDepthInfinity Off`` (Depth: infinity PROPFIND answers 403), mod_dir
loaded (a collection without its trailing slash is redirected with 301),
``LimitXMLRequestBody 0``, ``AddDefaultCharset Off``.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Literal

from tests.servers.wsgidav_server import PASSWORD, REALM, USER

Auth = Literal["basic", "digest"]

MODULE_DIR = Path("/usr/lib/apache2/modules")
WWW_USER = "www-data"
WWW_GROUP = "www-data"

#: (module name, file) in load order. mod_unixd, mod_log_config and mod_so
#: are compiled into Debian's binary.
MODULES = [
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authn_core_module", "mod_authn_core.so"),
    ("authn_file_module", "mod_authn_file.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("authz_user_module", "mod_authz_user.so"),
    ("auth_basic_module", "mod_auth_basic.so"),
    ("auth_digest_module", "mod_auth_digest.so"),
    ("dav_module", "mod_dav.so"),
    ("dav_fs_module", "mod_dav_fs.so"),
    ("dav_lock_module", "mod_dav_lock.so"),
    ("mime_module", "mod_mime.so"),
    ("dir_module", "mod_dir.so"),
    ("headers_module", "mod_headers.so"),
    ("setenvif_module", "mod_setenvif.so"),
]


DIR_PREFIX = "davdesk-apache-"


class ApacheStartError(RuntimeError):
    """Apache did not come up; the message carries its error log."""


def find_apache() -> str | None:
    """The apache2/httpd binary, or None when Apache is not installed."""
    for candidate in ("/usr/sbin/apache2",):
        if os.access(candidate, os.X_OK):
            return candidate
    for name in ("apache2", "httpd"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_apache() -> str:
    """The Apache binary, or skip the calling test (fail it under ``CI=true``).

    Under CI a skipped test is a failing test: the server must be installed.
    """
    from tests.tools import require_tool

    return require_tool("apache2", find_apache())


def _module_dir(binary: str) -> Path:
    if MODULE_DIR.is_dir():
        return MODULE_DIR
    # Other layouts (Fedora: /usr/lib64/httpd/modules) for hand use.
    for candidate in ("/usr/lib64/httpd/modules", "/usr/lib/httpd/modules", "/usr/libexec/apache2"):
        if Path(candidate, "mod_dav.so").exists():
            return Path(candidate)
    return MODULE_DIR


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _pids_naming(directory: Path) -> list[int]:
    """Processes whose command line names ``directory`` (our Apaches)."""
    needle = str(directory).encode()
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return pids


def reap_stale_servers(tmp: str | Path | None = None) -> list[Path]:
    """Stop Apaches left behind by a killed test run, and delete their dirs.

    Only servers whose private directory (``davdesk-apache-*``) names an
    owner process that no longer exists are touched, and only the process
    whose command line names that directory.
    """
    reaped = []
    for d in Path(tmp or tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        owner = _read_pid(d / "owner.pid")
        if owner is None or _alive(owner):
            continue
        pid = _read_pid(d / "run" / "httpd.pid")
        if pid is not None and pid in _pids_naming(d):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)  # the parent stops its children
            deadline = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        for orphan in _pids_naming(d):  # children of a parent that was killed
            with contextlib.suppress(OSError):
                os.kill(orphan, signal.SIGKILL)
        shutil.rmtree(d, ignore_errors=True)
        reaped.append(d)
    return reaped


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _http_answers(host: str, port: int) -> bool:
    """True when something on the port answers an HTTP request."""
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.settimeout(1.0)
            sock.sendall(b"HEAD / HTTP/1.0\r\nHost: probe\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except OSError:
        return False


def htpasswd_line(user: str, password: str) -> str:
    """An htpasswd entry in the ``{SHA}`` format (base64 of SHA-1)."""
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    return f"{user}:{{SHA}}{digest}\n"


def htdigest_line(user: str, realm: str, password: str) -> str:
    """An htdigest entry: ``user:realm:MD5(user:realm:password)``."""
    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
    return f"{user}:{realm}:{ha1}\n"


class ApacheServer:
    """Apache httpd serving ``root`` (or a fresh folder) with mod_dav."""

    name = "apache"

    def __init__(
        self,
        root: str | Path | None = None,
        *,
        auth: Auth = "basic",
        port: int = 0,
        host: str = "127.0.0.1",
        user: str = USER,
        password: str = PASSWORD,
        binary: str | None = None,
        start_timeout: float = 10.0,
        log_level: str = "warn",
        start: bool = True,
    ) -> None:
        if auth not in ("basic", "digest"):
            raise ValueError(f"auth must be 'basic' or 'digest', not {auth!r}")
        binary = binary or find_apache()
        if binary is None:
            raise FileNotFoundError("apache2 not installed")
        self.binary = binary
        self.auth: Auth = auth
        self.host = host
        self.port = port
        self._fixed_port = port != 0
        self.user = user
        self.password = password
        self.realm = REALM
        self.start_timeout = start_timeout
        self.log_level = log_level

        self.as_root = os.geteuid() == 0
        if root is not None:
            root = Path(root).resolve()
            self._check_traversable(root)

        reap_stale_servers()
        self.dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        # mkdtemp makes it 0700: the children (www-data) must traverse it
        # to reach the lock DB and the password file.
        self.dir.chmod(0o755)
        (self.dir / "owner.pid").write_text(f"{os.getpid()}\n")
        self.conf = self.dir / "httpd.conf"
        self.pid_file = self.dir / "run" / "httpd.pid"
        self.lock_dir = self.dir / "lock"
        self.log_dir = self.dir / "logs"
        self.error_log = self.log_dir / "error.log"
        self.access_log = self.log_dir / "access.log"
        self.stderr_log = self.log_dir / "stderr.log"
        self.passwd_file = self.dir / ("htdigest" if auth == "digest" else "htpasswd")
        self.root = (self.dir / "root") if root is None else root

        for d in (self.dir / "run", self.lock_dir, self.log_dir):
            d.mkdir(exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.chown(self.root)
        self.chown(self.lock_dir)
        if auth == "digest":
            self.passwd_file.write_text(htdigest_line(user, self.realm, password))
        else:
            self.passwd_file.write_text(htpasswd_line(user, password))
        self.passwd_file.chmod(0o644)

        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr = None
        # Never leave an Apache behind, also when the caller forgets stop().
        atexit.register(self.cleanup)
        if start:
            try:
                self.start()
            except BaseException:
                self.cleanup()
                raise

    # -- files ----------------------------------------------------------
    def chown(self, path: str | Path, *, recursive: bool = True) -> None:
        """Give ``path`` (recursively) to the user Apache's children run as.

        A no-op unless running as root. Call it after creating files in the
        served root from the test itself, or Apache cannot change them.
        """
        if not self.as_root:
            return
        uid, gid = _www_ids()
        path = Path(path)
        os.chown(path, uid, gid, follow_symlinks=False)
        if recursive and path.is_dir() and not path.is_symlink():
            for dirpath, dirnames, filenames in os.walk(path):
                for n in dirnames + filenames:
                    os.chown(os.path.join(dirpath, n), uid, gid, follow_symlinks=False)

    def _check_traversable(self, path: Path) -> None:
        """Apache's children (www-data) must be able to reach ``path``."""
        if not self.as_root:
            return
        for parent in path.parents:
            if not parent.exists():
                continue
            mode = parent.stat().st_mode
            if not mode & 0o001:
                raise PermissionError(
                    f"{parent} is not traversable by {WWW_USER} (mode {oct(mode)}): "
                    "serve a folder outside pytest's tmp_path"
                )

    # -- configuration --------------------------------------------------
    def _config_text(self) -> str:
        mods = _module_dir(self.binary)
        loads = "\n".join(f"LoadModule {n} {mods / f}" for n, f in MODULES)
        d = self.dir
        root = str(self.root)
        if self.auth == "digest":
            auth = f"""\
    AuthType Digest
    AuthName "{self.realm}"
    AuthDigestDomain /
    AuthDigestProvider file
    AuthUserFile "{self.passwd_file}"
"""
        else:
            auth = f"""\
    AuthType Basic
    AuthName "{self.realm}"
    AuthBasicProvider file
    AuthUserFile "{self.passwd_file}"
"""
        user_group = f"User {WWW_USER}\nGroup {WWW_GROUP}\n" if self.as_root else ""
        return f"""\
# Written by tests/servers/apache_server.py. Self-contained: no envvars.
ServerRoot "{d}"
DefaultRuntimeDir "{d / "run"}"
PidFile "{self.pid_file}"
Listen {self.host}:{self.port}
ServerName {self.host}:{self.port}
{user_group}
{loads}

# Small and quick to stop.
StartServers 1
ServerLimit 2
ThreadsPerChild 32
MaxRequestWorkers 64
MinSpareThreads 8
MaxSpareThreads 64
KeepAlive On
KeepAliveTimeout 5
Timeout 30
GracefulShutdownTimeout 1

ErrorLog "{self.error_log}"
LogLevel {self.log_level}
LogFormat "%h %u %t \\"%r\\" %>s %b" davdesk
CustomLog "{self.access_log}" davdesk

TypesConfig /etc/mime.types
AddDefaultCharset Off
LimitXMLRequestBody 0

DavLockDB "{self.lock_dir / "DavLock"}"
DavDepthInfinity Off

DocumentRoot "{root}"
<Directory />
    Options None
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}">
    Options None
    AllowOverride None
    Dav On
{auth}    Require valid-user
</Directory>
"""

    # -- life cycle -----------------------------------------------------
    def start(self, attempts: int = 5) -> ApacheServer:
        if self._proc is not None:
            raise RuntimeError("server already started")
        last_error: ApacheStartError | None = None
        for _ in range(attempts if not self._fixed_port else 1):
            if not self._fixed_port:
                self.port = _free_port(self.host)
            try:
                self._start_once()
                return self
            except ApacheStartError as e:
                last_error = e
                if not self._bind_failed():
                    raise
        assert last_error is not None
        raise last_error

    def _bind_failed(self) -> bool:
        text = self._log_tail()
        return "Address already in use" in text or "could not bind" in text

    def _start_once(self) -> None:
        self.conf.write_text(self._config_text())
        for stale in (self.error_log, self.stderr_log, self.pid_file):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        self._stderr = open(self.stderr_log, "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [self.binary, "-d", str(self.dir), "-f", str(self.conf), "-DFOREGROUND"],
            stdin=subprocess.DEVNULL,
            stdout=self._stderr,
            stderr=self._stderr,
            env={"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C"},
            start_new_session=True,  # Ctrl-C in a REPL does not reach Apache
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            # Ours only once Apache bound the port (it writes the pid file
            # after that) and answers HTTP: a foreign listener on a fixed
            # port must not pass for Apache.
            if _read_pid(self.pid_file) == self._proc.pid and _http_answers(self.host, self.port):
                if self._proc.poll() is None:
                    return
                break
            time.sleep(0.05)
        code = self._proc.poll()
        self._terminate()
        why = (
            f"exited with status {code}"
            if code is not None
            else f"did not answer within {self.start_timeout:g} s"
        )
        raise ApacheStartError(
            f"Apache on {self.host}:{self.port} {why} (config {self.conf}).\n{self._log_tail()}"
        )

    def _log_tail(self, limit: int = 4000) -> str:
        parts = []
        for log in (self.stderr_log, self.error_log):
            with contextlib.suppress(OSError):
                text = log.read_text(errors="replace").strip()
                if text:
                    parts.append(f"--- {log.name} ---\n{text[-limit:]}")
        return "\n".join(parts) or "(no log output)"

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            # SIGTERM: the parent kills its children and exits ("stop").
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if proc is not None:
            # Apache runs in its own process group (start_new_session). If
            # the parent died without stopping its children (SIGKILL, crash),
            # they linger, holding the port: end the group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stop(self) -> None:
        """Stop Apache and wait until its processes are gone (idempotent)."""
        if self._proc is None:
            return
        self._terminate()
        # Wait for the listening socket to be released, so that a new
        # server can take the same port.
        deadline = time.monotonic() + 5
        while _port_answers(self.host, self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def cleanup(self) -> None:
        """Stop, then delete the private directory (config, logs, lock DB)."""
        self.stop()
        atexit.unregister(self.cleanup)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def __enter__(self) -> ApacheServer:
        if self._proc is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ApacheServer {self.url} root={str(self.root)!r} auth={self.auth} {state}>"


@functools.cache
def _www_ids() -> tuple[int, int]:
    import grp
    import pwd

    return pwd.getpwnam(WWW_USER).pw_uid, grp.getgrnam(WWW_GROUP).gr_gid
