"""What the session cookie and app passwords save on a Nextcloud: a 1,000-file upload, timed.

Nextcloud verifies an account password's hash (bcrypt or argon2: hundreds of
milliseconds on a small server) on every request that carries it, unless the
request also carries the session cookie an earlier answer set; an app
password is a cheap token lookup. The fake Nextcloud (tests/servers/nextcloud)
models that cost with ``password_cost`` seconds of sleep per check, so the
server spends no CPU the client would compete with; it runs in a process of
its own, and each contender in the same benchmark process, one after another:

  davdesk, app password          the engine (plan_upload + JobRunner), as after sign-in
  davdesk, account password      the same, keeping the session cookie (Davdesk's way)
  davdesk, no session cookie     the same with every Cookie header stripped: what a
                                 client that ignores Set-Cookie pays
  bare httpx, app password       N threads PUTting the files, nothing else: the limit

Each uploads ``files`` files of 4 KiB into a fresh remote folder with 4 workers,
``repeats`` times interleaved after one warm-up upload; the best time is shown
with the server's count of password checks during one upload.

    python -m tests.bench.bench_nextcloud [files [password_cost]]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):
    sys.path.insert(0, str(REPO))

from app.dav import DavClient  # noqa: E402
from app.jobs.model import Conflict, JobState, TaskResult  # noqa: E402
from app.jobs.planner import plan_upload  # noqa: E402
from app.jobs.runner import JobOptions, JobRunner  # noqa: E402
from app.nextcloud.connect import connect  # noqa: E402

FILES = 1_000
FILE_SIZE = 4096
WORKERS = 4
PASSWORD_COST = 0.1  # seconds per account-password check on the server
REPEATS = 2  # timed runs per contender, interleaved; the best is reported

#: The server process: starts the fake Nextcloud, prints its address, then answers
#: "checks" with its count of password checks, and "app" with a new app password.
SERVER = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.servers.nextcloud import NextcloudServer
server = NextcloudServer(Path(sys.argv[2]), password_cost=float(sys.argv[3])).start()
print(json.dumps({"origin": server.origin, "files_root": str(server.files_root),
                  "login": server.login_name, "password": server.password}), flush=True)
for line in sys.stdin:
    if line.strip() == "checks":
        print(server.password_checks, flush=True)
    elif line.strip() == "app":
        print(server.issue_app_password("bench", login_name=server.login_name), flush=True)
server.stop()
"""


class _Server:
    def __init__(self, data: Path, cost: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(REPO), str(data), str(cost)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.info = json.loads(self.process.stdout.readline())

    def ask(self, command: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


class _NoCookies(httpx.HTTPTransport):
    """A transport that sends no Cookie header: a client that never keeps a session."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers.pop("cookie", None)
        return super().handle_request(request)


def _engine(
    origin: str,
    login: str,
    password: str,
    local: Path,
    folder: str,
    transport: httpx.BaseTransport | None = None,
) -> float:
    found = connect(origin, login=login, password=password, workers=WORKERS)
    client = found.client
    if transport is not None:
        client.close()
        client = DavClient(
            found.account.files_url,
            user=login,
            password=password,
            workers=WORKERS,
            extensions=found.client.extensions,
            transport=transport,
        )
    with client:
        client.mkcol(found.account.files_path + folder)
        start = time.perf_counter()
        failed: list[TaskResult] = []
        job = plan_upload(
            client, sorted(local.iterdir()), found.account.files_path + folder + "/", Conflict.ASK
        )
        ended = JobRunner(
            client,
            job,
            lambda e: failed.append(e) if isinstance(e, TaskResult) and not e.ok else None,
            JobOptions(workers=WORKERS),
        ).run()
        elapsed = time.perf_counter() - start
    if ended.state is not JobState.FINISHED:
        raise RuntimeError(f"upload failed: {failed[:1]}")
    return elapsed


def _bare(origin: str, login: str, password: str, local: Path, folder: str) -> float:
    base = f"{origin}/remote.php/dav/files/alice/{folder}/"
    files = sorted(local.iterdir())
    with httpx.Client(auth=(login, password), limits=httpx.Limits(max_connections=WORKERS)) as http:
        http.request("MKCOL", base).raise_for_status()
        start = time.perf_counter()
        pending = iter(files)
        take = threading.Lock()

        def work() -> None:
            while True:
                with take:
                    path = next(pending, None)
                if path is None:
                    return
                http.put(base + path.name, content=path.read_bytes()).raise_for_status()

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start


def run(
    files: int = FILES, password_cost: float = PASSWORD_COST, repeats: int = REPEATS
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="davdesk-bench-nc-") as scratch:
        local = Path(scratch) / "local"
        local.mkdir()
        payload = os.urandom(FILE_SIZE)
        for number in range(files):
            (local / f"file {number:04d}.txt").write_bytes(payload)
        server = _Server(Path(scratch) / "data", password_cost)
        try:
            info = server.info
            app_password = server.ask("app")
            contenders: list[tuple[str, Callable[[str], float]]] = [
                (
                    "davdesk, app password",
                    lambda f: _engine(info["origin"], info["login"], app_password, local, f),
                ),
                (
                    "davdesk, account password",
                    lambda f: _engine(info["origin"], info["login"], info["password"], local, f),
                ),
                (
                    "davdesk, no session cookie",
                    lambda f: _engine(
                        info["origin"],
                        info["login"],
                        info["password"],
                        local,
                        f,
                        _NoCookies(limits=httpx.Limits(max_connections=WORKERS)),
                    ),
                ),
                (
                    "bare httpx, app password",
                    lambda f: _bare(info["origin"], info["login"], app_password, local, f),
                ),
            ]
            contenders[0][1]("warm-up")  # first-request costs (imports, the server's caches)
            best: dict[str, float] = {}
            checks: dict[str, int] = {}
            for repeat in range(repeats):
                for name, contender in contenders:
                    before = int(server.ask("checks"))
                    seconds = contender(f"{name} {repeat}")
                    checks[name] = int(server.ask("checks")) - before
                    best[name] = min(best.get(name, seconds), seconds)
            rows = [
                {"name": name, "seconds": best[name], "checks": checks[name]}
                for name, _ in contenders
            ]
        finally:
            server.close()
    bare = rows[-1]["seconds"]
    print(
        f"nextcloud benchmark: {files:,} files of {FILE_SIZE} B, {WORKERS} workers, "
        f"{password_cost * 1e3:.0f} ms per password check on the server, best of {repeats}"
    )
    print()
    for row in rows:
        print(
            f"  {row['name']:<30} {row['seconds']:>8.2f}s  {row['seconds'] / bare:>6.2f}x bare"
            f"  {row['checks']:>5} password checks"
        )
    return {"files": files, "password_cost": password_cost, "rows": rows}


if __name__ == "__main__":
    arguments = sys.argv[1:]
    run(
        int(arguments[0]) if arguments else FILES,
        float(arguments[1]) if len(arguments) > 1 else PASSWORD_COST,
    )
