"""How fast the job engine uploads and deletes, next to bare httpx, rclone and curl.

One Apache httpd with mod_dav on 127.0.0.1 serves all three parts. Every
Python contender runs in a child process of its own (``python -c``, with a
timeout), which times only its work and prints JSON; the child's whole
process is timed by wall clock too. rclone and curl are timed by wall clock.

1. Upload ``files`` files of 4 KiB from a local folder into an empty remote
   folder, with N workers (N = 4 and 8):

     engine        plan_upload (the selection: the folder's files) + JobRunner,
                   keep_mtime=False (parity: no PROPPATCH); timed: plan + run
     engine+mtime  the same with keep_mtime=True: one PROPPATCH per file on Apache
     bare httpx    N threads sharing one httpx.Client (pool of N, Basic auth sent
                   up front), each reading a file and PUTting it, nothing else:
                   the limit
     rclone        rclone copy --transfers N LOCAL bench:REMOTE (whole process)

   The remote folder is emptied on the server's disk before every run.
2. Delete those files: engine (plan_delete of the Resources of a listing +
   JobRunner; the listing is timed apart, a file manager already has it),
   bare httpx DELETEs on N threads, rclone delete --checkers N (whole process,
   listing included). The files are put back on disk before every run.
3. Upload one ``big_mib`` MiB file of random bytes (os.urandom, page-cached
   after it is written): engine (plan_upload + JobRunner, workers=1,
   keep_mtime=False), curl -T, and one bare streamed httpx PUT (1 MiB reads,
   Content-Length set). Each runs under a small helper process whose only
   child it is, so resource.getrusage(RUSAGE_CHILDREN).ru_maxrss is that
   child's own peak RSS.

Every contender gets one checked (and warming) run, on disk: all names,
sizes (and, on the checked run, the bytes); then ``repeats`` timed runs,
interleaved round-robin, best of them reported. The untimed checked runs also
absorb a quirk of the fixture: right after Apache starts, the first few
concurrent PUTs stall for exactly one second, once. Targets: engine within
1.5x of the bare loop for the upload and the delete, 1 GiB engine upload at
least 90% of curl's throughput, engine peak RSS under 150 MB. rclone is the
floor to stay ahead of: its ratios are printed without a target (rclone
1.60's webdav backend paces its calls, about 10 ms apart, whatever
--transfers says, and spends three requests per uploaded file).

Besides times, each row shows CPU per file: the client's (the child's timed
work; rclone and curl: the whole process) and Apache's (its processes'
utime + stime from /proc, 10 ms ticks). On a small machine both compete for
the same cores, so server work a client causes shows up in its wall time.

    python -m tests.bench.bench_jobs [files [repeats [big_mib]]]
"""

from __future__ import annotations

import filecmp
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script: make `tests` and `app` importable
    sys.path.insert(0, str(REPO))

from tests.bench.common import child_env, run_process  # noqa: E402
from tests.servers.apache_server import ApacheServer  # noqa: E402

FILES = 1_000
FILE_SIZE = 4096
WORKERS = (4, 8)
REPEATS = 3
BIG_MIB = 1024
TIMEOUT = 300.0  # seconds, for any one subprocess
REMOTE = "bench jobs"  # the remote folder, right under the served root
LOCAL = "local files"
BIG_NAME = "big file.bin"
DAV_PROPS = ".DAV"  # where mod_dav_fs keeps dead properties (keep_mtime's PROPPATCH)
TARGET_VS_BARE = 1.5
TARGET_VS_CURL = 0.9  # engine throughput / curl throughput, at least
TARGET_RSS_MB = 150.0

CURL = shutil.which("curl") or "/usr/bin/curl"
RCLONE = shutil.which("rclone")

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The Python contenders, run as `python -c CHILD SPEC_JSON` from the repository root.
# Only what the contender needs is imported (not tests.*), so its RSS is its own.
CHILD = r"""
import json, os, resource, sys, threading, time
spec = json.loads(sys.argv[1])
kind, workers = spec["kind"], spec["workers"]
out = {"kind": kind}
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
if kind.startswith("engine"):
    from pathlib import Path
    from app.dav import DavClient
    from app.jobs.model import Conflict, JobProgress, TaskResult
    from app.jobs.planner import plan_delete, plan_upload
    from app.jobs.runner import JobOptions, JobRunner
    lock = threading.Lock()
    events = {"progress": 0, "results": 0, "ok": 0, "failed": 0, "other": 0}
    failures = []
    def on_event(event):
        with lock:
            if isinstance(event, TaskResult):
                events["results"] += 1
                if event.ok:
                    events["ok"] += 1
                else:
                    events["failed"] += 1
                    if len(failures) < 3:
                        failures.append(repr(event.outcomes)[:500])
            elif isinstance(event, JobProgress):
                events["progress"] += 1
            else:
                events["other"] += 1
    client = DavClient(spec["url"], user=spec["user"], password=spec["password"], workers=workers)
    if kind == "engine_upload":
        local = Path(spec["local"])
        paths = [local] if local.is_file() else [local / n for n in sorted(os.listdir(local))]
        t0, c0 = time.perf_counter(), cpu()
        job = plan_upload(client, paths, spec["remote"], Conflict.ASK)
    else:
        t = time.perf_counter()
        resources = client.listdir(spec["remote"])
        t0, c0 = time.perf_counter(), cpu()
        out["list_s"] = t0 - t
        job = plan_delete(client, resources)
    t1 = time.perf_counter()
    options = JobOptions(workers=workers, keep_mtime=spec.get("keep_mtime", False))
    ended = JobRunner(client, job, on_event, options).run()
    t2, c2 = time.perf_counter(), cpu()
    client.close()
    out.update(plan_s=t1 - t0, run_s=t2 - t1, work_s=t2 - t0, cpu_s=c2 - c0, tasks=len(job.tasks),
               state=str(ended.state), ok=ended.ok, failed=ended.failed, error=ended.error,
               events=events, failures=failures)
else:
    import base64
    from urllib.parse import quote
    import httpx
    token = base64.b64encode(f"{spec['user']}:{spec['password']}".encode()).decode()
    client = httpx.Client(limits=httpx.Limits(max_connections=workers,
                                              max_keepalive_connections=workers),
                          headers={"Authorization": "Basic " + token}, timeout=60.0)
    base = spec["url"] + quote(spec["remote"].strip("/")) + "/"
    bad = []
    if kind == "bare_put_big":
        local = spec["local"]
        size = os.path.getsize(local)
        def body():
            with open(local, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    yield chunk
        t0, c0 = time.perf_counter(), cpu()
        response = client.put(base + quote(os.path.basename(local)), content=body(),
                              headers={"Content-Length": str(size)})
        t2, c2 = time.perf_counter(), cpu()
        if response.status_code not in (201, 204):
            bad.append(response.status_code)
        count = 1
    else:
        names = spec["names"] if kind == "bare_delete" else sorted(os.listdir(spec["local"]))
        items = iter(names)
        lock = threading.Lock()
        def put_loop():
            while True:
                with lock:
                    name = next(items, None)
                if name is None:
                    return
                with open(os.path.join(spec["local"], name), "rb") as handle:
                    data = handle.read()
                status = client.put(base + quote(name), content=data).status_code
                if status not in (201, 204):
                    bad.append(status)
        def delete_loop():
            while True:
                with lock:
                    name = next(items, None)
                if name is None:
                    return
                status = client.delete(base + quote(name)).status_code
                if status != 204:
                    bad.append(status)
        loop = delete_loop if kind == "bare_delete" else put_loop
        threads = [threading.Thread(target=loop) for _ in range(workers)]
        t0, c0 = time.perf_counter(), cpu()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        t2, c2 = time.perf_counter(), cpu()
        count = len(names)
    client.close()
    out.update(work_s=t2 - t0, cpu_s=c2 - c0, tasks=count, ok=count - len(bad), failed=len(bad),
               statuses=sorted(set(bad))[:5])
out["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(out))
"""

# Runs one command as its only child: RUSAGE_CHILDREN's ru_maxrss is then that child's own.
RUSAGE = r"""
import json, resource, subprocess, sys, time
argv, timeout = json.loads(sys.argv[1]), float(sys.argv[2])
start = time.perf_counter()
try:
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
except subprocess.TimeoutExpired:
    print(json.dumps({"timeout": True}))
    sys.exit(0)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "returncode": proc.returncode, "maxrss_kb": usage.ru_maxrss,
                  "cpu_s": usage.ru_utime + usage.ru_stime,
                  "stdout": proc.stdout.decode(errors="replace"),
                  "stderr": proc.stderr.decode(errors="replace")[-2000:]}))
"""


def file_name(i: int) -> str:
    """Plain names with a space; every 10th with accents, every 100th with CJK and an emoji."""
    if i % 100 == 0:
        return f"写真 Grüße 🎉 {i:05d}.bin"
    if i % 10 == 0:
        return f"fïle çafé {i:05d}.bin"
    return f"file {i:05d}.bin"


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_cpu_s(server: ApacheServer) -> float:
    """CPU seconds used so far by the Apache processes that are alive now (parent and children)."""
    needle, total = str(server.dir).encode(), 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle not in (proc / "cmdline").read_bytes():
                continue
            fields = (proc / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _CLOCK_TICKS


class Contender:
    """One way of doing the work; run() returns the figures of one run."""

    def __init__(
        self,
        key: str,
        label: str,
        argv: list[str],
        env: dict[str, str],
        server: ApacheServer,
        *,
        python: bool,
        rusage: bool = False,
    ) -> None:
        self.key, self.label, self.argv, self.env = key, label, argv, env
        self.server, self.python, self.rusage = server, python, rusage
        self.runs: list[dict[str, Any]] = []

    def run(self) -> dict[str, Any]:
        served, spent = server_cpu_s(self.server), children_cpu_s()
        figures = self._run()
        figures["server_cpu_s"] = server_cpu_s(self.server) - served
        if not self.python:  # a whole process: its work is all of it
            figures["work_s"] = figures["wall_s"]
            figures.setdefault("cpu_s", children_cpu_s() - spent)
        self.runs.append(figures)
        return figures

    def _run(self) -> dict[str, Any]:
        if self.rusage:
            _, raw = run_process(
                [sys.executable, "-c", RUSAGE, json.dumps(self.argv), str(TIMEOUT)],
                self.env,
                TIMEOUT,
            )
            helper = json.loads(raw)
            if helper.get("timeout"):
                raise RuntimeError(f"timed out after {TIMEOUT:g} s: {self.argv[:4]}")
            if helper["returncode"] != 0:
                raise RuntimeError(
                    f"exit status {helper['returncode']} from {self.argv[:4]}:\n{helper['stderr']}"
                )
            wall, out = helper["wall_s"], helper["stdout"].encode()
            figures: dict[str, Any] = {"maxrss_mb": helper["maxrss_kb"] / 1024}
            if not self.python:
                figures["cpu_s"] = helper["cpu_s"]
        else:
            wall, out = run_process(self.argv, self.env, TIMEOUT)
            figures = {}
        figures["wall_s"] = wall
        if self.python:
            child = json.loads(out)
            if child.get("failed") or child.get("ok") != child.get("tasks"):
                raise AssertionError(
                    f"{self.label}: {child.get('failed')} of {child.get('tasks')} "
                    f"failed: {child.get('failures') or child.get('statuses')} "
                    f"{child.get('error') or ''}"
                )
            figures.update(child)
        return figures

    def summary(self) -> dict[str, Any]:
        work = [r["work_s"] for r in self.runs]
        wall = [r["wall_s"] for r in self.runs]
        best = min(self.runs, key=lambda r: r["work_s"])
        summary = {
            "label": self.label,
            "best_s": min(work),
            "median_s": statistics.median(work),
            "cpu_s": min(r["cpu_s"] for r in self.runs),
            "server_cpu_s": min(r["server_cpu_s"] for r in self.runs),
            "wall_best_s": min(wall),
            "wall_median_s": statistics.median(wall),
            "times_s": work,
            "best_run": best,
        }
        if self.rusage:
            summary["maxrss_mb"] = max(r["maxrss_mb"] for r in self.runs)
        return summary


# -- files on both sides ------------------------------------------------------
def write_local_files(folder: Path, files: int) -> dict[str, bytes]:
    folder.mkdir()
    contents = {}
    for i in range(1, files + 1):
        name = file_name(i)
        data = os.urandom(FILE_SIZE)
        (folder / name).write_bytes(data)
        contents[name] = data
    return contents


def reset_remote(server: ApacheServer, fill_from: Path | None = None) -> Path:
    """Empty the remote folder on the server's disk (or make it a copy of fill_from)."""
    folder = server.root / REMOTE
    shutil.rmtree(folder, ignore_errors=True)
    if fill_from is not None:
        shutil.copytree(fill_from, folder)
    else:
        folder.mkdir()
    server.chown(folder)
    return folder


def check_uploaded(folder: Path, contents: dict[str, bytes], compare_bytes: bool) -> None:
    found = {
        entry.name: entry.stat().st_size for entry in os.scandir(folder) if entry.name != DAV_PROPS
    }
    if set(found) != set(contents):
        missing = sorted(set(contents) - set(found))[:3]
        extra = sorted(set(found) - set(contents))[:3]
        raise AssertionError(
            f"{len(found)} files on the server, expected {len(contents)}: "
            f"missing {missing}, unexpected {extra}"
        )
    wrong = [name for name, size in found.items() if size != len(contents[name])]
    if wrong:
        raise AssertionError(f"{len(wrong)} files with the wrong size, e.g. {wrong[:3]}")
    if compare_bytes:
        differ = [name for name in contents if (folder / name).read_bytes() != contents[name]]
        if differ:
            raise AssertionError(f"{len(differ)} files with other bytes, e.g. {differ[:3]}")


def check_emptied(folder: Path) -> None:
    if not folder.is_dir():
        raise AssertionError(f"{folder} itself was deleted")
    left = [name for name in os.listdir(folder) if name != DAV_PROPS]
    if left:
        raise AssertionError(f"{len(left)} files left after the delete, e.g. {left[:3]}")


def write_big_file(path: Path, mib: int) -> None:
    block = 16  # MiB per write
    with open(path, "wb") as handle:
        for start in range(0, mib, block):
            handle.write(os.urandom(min(block, mib - start) << 20))


def room_for_big_file(scratch: Path, server: ApacheServer, size: int) -> tuple[bool, str]:
    local, remote = shutil.disk_usage(scratch), shutil.disk_usage(server.root)
    same = os.stat(scratch).st_dev == os.stat(server.root).st_dev
    need_local = (2 if same else 1) * size * 1.1  # one copy each side, 10% to spare
    if local.free < need_local or remote.free < size * 1.1:
        return False, (
            f"not enough disk: {local.free / 2**30:.1f} GiB free locally, "
            f"{remote.free / 2**30:.1f} GiB for the server, "
            f"{need_local / 2**30:.1f} GiB needed"
        )
    return True, f"{local.free / 2**30:.0f} GiB free before"


# -- running contenders ---------------------------------------------------------
def measure(
    contenders: list[Contender],
    repeats: int,
    before: Callable[[], None],
    check: Callable[[Contender, bool], None],
) -> None:
    """One checked run each, then `repeats` timed rounds, round-robin; before() precedes each
    run."""
    for c in contenders:
        before()
        c.run()
        check(c, True)
        c.runs.clear()  # the checked run warms up; it is not counted
    for _ in range(repeats):
        for c in contenders:
            before()
            c.run()
            check(c, False)


def python_contender(
    key: str,
    label: str,
    spec: dict[str, Any],
    env: dict[str, str],
    server: ApacheServer,
    rusage: bool = False,
) -> Contender:
    return Contender(
        key,
        label,
        [sys.executable, "-c", CHILD, json.dumps(spec)],
        env,
        server,
        python=True,
        rusage=rusage,
    )


# -- the benchmark -------------------------------------------------------------
def run(
    files: int = FILES,
    repeats: int = REPEATS,
    big_mib: int = BIG_MIB,
    workers: tuple[int, ...] = WORKERS,
    *,
    verbose: bool = True,
) -> dict[str, Any]:
    """Start Apache, time uploads, deletes and one big upload; returns the figures."""
    result: dict[str, Any] = {
        "files": files,
        "file_size": FILE_SIZE,
        "repeats": repeats,
        "workers": list(workers),
        "big_mib": big_mib,
        "python": sys.executable,
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="davdesk-bench-jobs-") as tmp, ApacheServer() as server:
        scratch = Path(tmp)
        local = scratch / LOCAL
        contents = write_local_files(local, files)
        env = child_env()
        base = {
            "url": server.url,
            "user": server.user,
            "password": server.password,
            "remote": f"/{REMOTE}/",
        }
        rclone_env = None
        if RCLONE:
            obscured = subprocess.run(
                [RCLONE, "obscure", server.password],
                check=True,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            ).stdout.strip()
            rclone_env = child_env(
                RCLONE_CONFIG=str(scratch / "rclone.conf"),  # absent: nothing but env
                RCLONE_CONFIG_BENCH_TYPE="webdav",
                RCLONE_CONFIG_BENCH_URL=server.url,
                RCLONE_CONFIG_BENCH_VENDOR="other",
                RCLONE_CONFIG_BENCH_USER=server.user,
                RCLONE_CONFIG_BENCH_PASS=obscured,
                RCLONE_CACHE_DIR=str(scratch / "rclone-cache"),
            )
            result["rclone_version"] = subprocess.run(
                [RCLONE, "version"], capture_output=True, text=True, timeout=TIMEOUT
            ).stdout.split("\n")[0]
        else:
            result["rclone_note"] = "rclone not installed: skipped"

        # 1. upload -----------------------------------------------------------
        uploads: list[Contender] = []
        for n in workers:
            spec = {**base, "local": str(local), "workers": n}
            uploads += [
                python_contender(
                    f"up_engine_{n}",
                    f"engine, {n} workers",
                    {**spec, "kind": "engine_upload", "keep_mtime": False},
                    env,
                    server,
                ),
                python_contender(
                    f"up_bare_{n}",
                    f"bare httpx PUT, {n} threads",
                    {**spec, "kind": "bare_put"},
                    env,
                    server,
                ),
                python_contender(
                    f"up_mtime_{n}",
                    f"engine keep_mtime, {n} workers",
                    {**spec, "kind": "engine_upload", "keep_mtime": True},
                    env,
                    server,
                ),
            ]
            if rclone_env:
                uploads.append(
                    Contender(
                        f"up_rclone_{n}",
                        f"rclone copy --transfers {n}",
                        [RCLONE, "copy", "--transfers", str(n), str(local), f"bench:{REMOTE}"],
                        rclone_env,
                        server,
                        python=False,
                    )
                )

        def check_upload(c: Contender, first: bool) -> None:
            check_uploaded(server.root / REMOTE, contents, compare_bytes=first)

        t0 = time.perf_counter()
        measure(uploads, repeats, lambda: reset_remote(server), check_upload)
        result["upload_s"] = time.perf_counter() - t0
        for c in uploads:
            result[c.key] = c.summary()

        # 2. delete -----------------------------------------------------------
        names = sorted(contents)
        deletes: list[Contender] = []
        for n in workers:
            spec = {**base, "local": str(local), "workers": n}
            deletes += [
                python_contender(
                    f"del_engine_{n}",
                    f"engine, {n} workers",
                    {**spec, "kind": "engine_delete"},
                    env,
                    server,
                ),
                python_contender(
                    f"del_bare_{n}",
                    f"bare httpx DELETE, {n} threads",
                    {**spec, "kind": "bare_delete", "names": names},
                    env,
                    server,
                ),
            ]
            if rclone_env:
                deletes.append(
                    Contender(
                        f"del_rclone_{n}",
                        f"rclone delete --checkers {n}",
                        [RCLONE, "delete", "--checkers", str(n), f"bench:{REMOTE}"],
                        rclone_env,
                        server,
                        python=False,
                    )
                )
        t0 = time.perf_counter()
        measure(
            deletes,
            repeats,
            lambda: reset_remote(server, fill_from=local),
            lambda c, first: check_emptied(server.root / REMOTE),
        )
        result["delete_s"] = time.perf_counter() - t0
        for c in deletes:
            result[c.key] = c.summary()
        shutil.rmtree(server.root / REMOTE, ignore_errors=True)

        # 3. one big file --------------------------------------------------------
        if big_mib > 0:
            size = big_mib << 20
            ok, note = room_for_big_file(scratch, server, size)
            result["big_disk"] = note
            if ok:
                result.update(_big_upload(server, scratch, base, env, size, repeats))
            else:
                result["big_note"] = note

    _ratios(result)
    if verbose:
        print(format_table(result))
    return result


def _big_upload(
    server: ApacheServer,
    scratch: Path,
    base: dict[str, Any],
    env: dict[str, str],
    size: int,
    repeats: int,
) -> dict[str, Any]:
    big = scratch / BIG_NAME
    remote_file = server.root / REMOTE / BIG_NAME
    out: dict[str, Any] = {}
    try:
        t0 = time.perf_counter()
        write_big_file(big, size >> 20)
        out["big_write_s"] = time.perf_counter() - t0
        spec = {**base, "local": str(big), "workers": 1}
        contenders = [
            python_contender(
                "big_engine",
                "engine, 1 worker",
                {**spec, "kind": "engine_upload", "keep_mtime": False},
                env,
                server,
                rusage=True,
            ),
            Contender(
                "big_curl",
                "curl -T",
                [
                    CURL,
                    "-sS",
                    "-f",
                    "-T",
                    str(big),
                    "-u",
                    f"{server.user}:{server.password}",
                    server.url + quote(REMOTE) + "/" + quote(BIG_NAME),
                    "-o",
                    "/dev/null",
                ],
                env,
                server,
                python=False,
                rusage=True,
            ),
            python_contender(
                "big_bare",
                "bare httpx PUT, streamed",
                {**spec, "kind": "bare_put_big"},
                env,
                server,
                rusage=True,
            ),
        ]

        def check(c: Contender, first: bool) -> None:
            found = remote_file.stat().st_size if remote_file.exists() else None
            if found != size:
                raise AssertionError(f"{c.label}: {found} bytes on the server, expected {size}")
            if first and not filecmp.cmp(big, remote_file, shallow=False):
                raise AssertionError(f"{c.label}: the uploaded file differs from the local one")

        t0 = time.perf_counter()

        def before() -> None:
            reset_remote(server)
            os.sync()  # the last upload's gigabyte goes to disk now, not during the next run

        measure(contenders, repeats, before, check)
        out["big_s"] = time.perf_counter() - t0
        for c in contenders:
            summary = c.summary()
            summary["mib_s"] = (size >> 20) / summary["best_s"]
            out[c.key] = summary
    finally:
        big.unlink(missing_ok=True)
        shutil.rmtree(server.root / REMOTE, ignore_errors=True)
    return out


def _ratio(
    result: dict[str, Any],
    name: str,
    a: str,
    b: str,
    target: float | None,
    *,
    wall: bool = False,
    higher_is_better: bool = False,
) -> None:
    if a not in result or b not in result:
        return
    best_field, median_field = ("wall_best_s", "wall_median_s") if wall else ("best_s", "median_s")
    best = result[a][best_field] / result[b][best_field]
    median = result[a][median_field] / result[b][median_field]
    if higher_is_better:  # throughput ratio: the inverse of the time ratio
        best, median = 1 / best, 1 / median
    passed = None
    if target is not None:
        passed = best >= target if higher_is_better else best <= target
    result[name] = {
        "best": best,
        "median": median,
        "target": target,
        "pass": passed,
        "higher_is_better": higher_is_better,
        "wall": wall,
    }


def _ratios(result: dict[str, Any]) -> None:
    for n in result["workers"]:
        _ratio(result, f"ratio_up_{n}", f"up_engine_{n}", f"up_bare_{n}", TARGET_VS_BARE)
        _ratio(result, f"ratio_up_mtime_{n}", f"up_mtime_{n}", f"up_bare_{n}", None)
        _ratio(result, f"ratio_up_rclone_{n}", f"up_engine_{n}", f"up_rclone_{n}", None, wall=True)
        _ratio(result, f"ratio_del_{n}", f"del_engine_{n}", f"del_bare_{n}", TARGET_VS_BARE)
        _ratio(
            result, f"ratio_del_rclone_{n}", f"del_engine_{n}", f"del_rclone_{n}", None, wall=True
        )
    _ratio(
        result, "ratio_big_curl", "big_engine", "big_curl", TARGET_VS_CURL, higher_is_better=True
    )
    _ratio(result, "ratio_big_bare", "big_engine", "big_bare", None, higher_is_better=True)
    if "big_engine" in result:
        rss = result["big_engine"]["maxrss_mb"]
        result["rss_engine"] = {"mb": rss, "target": TARGET_RSS_MB, "pass": rss < TARGET_RSS_MB}


# -- the table -----------------------------------------------------------------
def _row(r: dict[str, Any], key: str, extra: str = "") -> str:
    s = r[key]
    return (
        f"  {s['label']:<32} {s['best_s'] * 1e3:>7.0f}ms {s['median_s'] * 1e3:>7.0f}ms "
        f"{s['wall_best_s'] * 1e3:>7.0f}ms{extra}"
    )


def _times(value: float, target: float | None) -> str:
    """A ratio to two places, or three when two would round it onto its target."""
    places = 3 if target is not None and round(value, 2) == target else 2
    return f"{value:>8.{places}f}x"


def _ratio_line(r: dict[str, Any], key: str, label: str) -> str | None:
    if key not in r:
        return None
    q = r[key]
    line = f"  {label:<32} {_times(q['best'], q['target'])} {_times(q['median'], q['target'])}"
    if q["target"] is None:
        return line + (
            "   (whole processes; rclone is the floor)"
            if q["wall"]
            else "   (reference, no target)"
        )
    verdict = "PASS" if q["pass"] else "MISS"
    sign = ">=" if q["higher_is_better"] else "<="
    return line + f"   target {sign} {q['target']:.1f}x: {verdict}"


def _per_file(r: dict[str, Any], key: str) -> str:
    s = r[key]
    per = 1e6 / r["files"]
    return f" {s['cpu_s'] * per:>7.0f}us {s['server_cpu_s'] * per:>7.0f}us"


def format_table(r: dict[str, Any]) -> str:
    head = (
        f"  {'contender':<32} {'best':>9} {'median':>9} {'process':>9} "
        f"{'client CPU':>10} {'server CPU':>10}"
    )
    lines = [
        (
            f"jobs benchmark: Apache mod_dav on 127.0.0.1, {r['cpus']} CPUs, "
            f"best and median of {r['repeats']} interleaved runs"
        ),
        (
            "best/median: the child's own timed work (engine: plan + run); process: best wall "
            "time of the whole"
        ),
        (
            "process; CPU per file (best run): the client's work (rclone, curl: whole process) "
            "and Apache's"
        ),
        f"python: {r['python']}" + (f"; {r['rclone_version']}" if "rclone_version" in r else ""),
    ]
    for part, title in (
        (
            "up",
            (
                f"1. upload {r['files']:,} files of {r['file_size'] // 1024} KiB "
                "into an empty folder"
            ),
        ),
        ("del", f"2. delete those {r['files']:,} files"),
    ):
        lines += ["", title, head]
        for n in r["workers"]:
            keys = (
                [f"up_engine_{n}", f"up_bare_{n}", f"up_rclone_{n}", f"up_mtime_{n}"]
                if part == "up"
                else [f"del_engine_{n}", f"del_bare_{n}", f"del_rclone_{n}"]
            )
            for key in keys:
                if key in r:
                    extra = _per_file(r, key)
                    if key.startswith("del_engine"):
                        extra += f"  + listing {r[key]['best_run']['list_s'] * 1e3:.0f}ms"
                    lines.append(_row(r, key, extra))
        if "rclone_note" in r:
            lines.append(f"  {'rclone':<32} skipped ({r['rclone_note']})")
        lines.append("")
        for n in r["workers"]:
            for key, label in (
                (f"ratio_{part}_{n}", f"engine / bare, {n}"),
                (f"ratio_{part}_mtime_{n}", f"engine keep_mtime / bare, {n}"),
                (f"ratio_{part}_rclone_{n}", f"engine / rclone, {n} (process)"),
            ):
                line = _ratio_line(r, key, label)
                if line:
                    lines.append(line)
    lines += ["", f"3. upload one {r['big_mib']:,} MiB file (random bytes, page-cached)"]
    if "big_engine" not in r:
        lines.append(f"  skipped: {r.get('big_note', 'not run')}")
        return "\n".join(lines)
    lines.append(
        f"  {'contender':<32} {'best':>9} {'median':>9} {'process':>9} "
        f"{'MiB/s':>7} {'peak RSS':>9} {'client CPU':>10} {'server CPU':>10}"
    )
    for key in ("big_engine", "big_curl", "big_bare"):
        s = r[key]
        lines.append(
            _row(
                r,
                key,
                f" {s['mib_s']:>7.0f} {s['maxrss_mb']:>7.1f}MB "
                f"{s['cpu_s'] * 1e3:>8.0f}ms {s['server_cpu_s'] * 1e3:>8.0f}ms",
            )
        )
    lines.append("")
    for key, label in (
        ("ratio_big_curl", "engine / curl throughput"),
        ("ratio_big_bare", "engine / bare httpx throughput"),
    ):
        line = _ratio_line(r, key, label)
        if line:
            lines.append(line)
    q = r["rss_engine"]
    lines.append(
        f"  {'engine peak RSS':<32} {q['mb']:>7.1f}MB {'':>9}   "
        f"target < {q['target']:.0f} MB: {'PASS' if q['pass'] else 'MISS'}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    run(
        int(sys.argv[1]) if len(sys.argv) > 1 else FILES,
        int(sys.argv[2]) if len(sys.argv) > 2 else REPEATS,
        int(sys.argv[3]) if len(sys.argv) > 3 else BIG_MIB,
    )
