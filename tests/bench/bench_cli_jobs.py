"""`davdesk put` of 1,000 small files and `davdesk rm URL1 ... URL1000`, next to bare loops.

Whole processes on Apache mod_dav (127.0.0.1), process start included, each
run on a fresh folder:

  davdesk put DIR URL/       the folder DIR goes up as a new folder: MKCOL, then the files
                             (4 workers; the default: no PROPPATCH for the mtime)
  bare PUT loop              a Python process with httpx: MKCOL, then one PUT per file
                             on 4 threads, nothing else
  davdesk rm URL1...URL1000  the files of one folder, named one by one
  bare DELETE loop           a Python process with httpx: one DELETE per URL, 4 threads

Interleaved runs after a checked warm-up; medians and the median of the ratios
run by run. Targets: both at most 1.5x the bare loop.

    python -m tests.bench.bench_cli_jobs [files [repeats]]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):
    sys.path.insert(0, str(REPO))

from tests.bench.common import as_installed, child_env, run_process  # noqa: E402
from tests.servers.apache_server import ApacheServer  # noqa: E402

FILES = 1_000
REPEATS = 3
TIMEOUT = 300.0
TARGET = 1.5

BARE = r"""
import sys, threading
import httpx
method, user, password, urls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with httpx.Client(auth=(user, password), limits=httpx.Limits(max_connections=4),
                  trust_env=False) as http:
    if method == "PUT":
        folder, *files = urls
        http.request("MKCOL", folder).raise_for_status()
        jobs = [(folder + quote, path) for quote, path in (f.split("=", 1) for f in files)]
    else:
        jobs = [(url, None) for url in urls]
    pending = iter(jobs)
    take = threading.Lock()
    def work():
        while True:
            with take:
                job = next(pending, None)
            if job is None:
                return
            url, path = job
            if path is None:
                http.delete(url).raise_for_status()
            else:
                with open(path, "rb") as f:
                    http.put(url, content=f.read()).raise_for_status()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""


def run(files: int = FILES, repeats: int = REPEATS, verbose: bool = True) -> dict[str, Any]:
    times: dict[str, list[float]] = {"put": [], "bare_put": [], "rm": [], "bare_rm": []}
    py = sys.executable
    with (
        tempfile.TemporaryDirectory(prefix="davdesk-bench-cli-") as scratch,
        ApacheServer() as server,
    ):
        root = Path(scratch)
        source = root / "source"
        source.mkdir()
        names = [f"file {i:04d}.txt" for i in range(files)]
        for i, name in enumerate(names):
            (source / name).write_bytes(b"%04d" % i * 1024)
        env = child_env()
        python_env = {**as_installed(env, root / "bytecode"), "DAVDESK_PASSWORD": server.password}
        auth = [server.user, server.password]
        for n in range(repeats + 1):  # the first round checks and warms up
            for key in ("put", "bare_put"):
                folder = f"{key}-{n}"
                local = root / folder
                shutil.copytree(source, local)
                if key == "put":
                    argv = [
                        py,
                        "-m",
                        "app",
                        "put",
                        "--json",
                        "--user",
                        server.user,
                        str(local),
                        server.url,
                    ]
                else:
                    argv = [
                        py,
                        "-c",
                        BARE,
                        "PUT",
                        *auth,
                        server.url + quote(folder) + "/",
                        *(f"{quote(name)}={local / name}" for name in names),
                    ]
                elapsed, _ = run_process(argv, python_env, TIMEOUT)
                _check_put(server.root / folder, source)
                shutil.rmtree(local)
                if n:
                    times[key].append(elapsed)
            for key, folder in (("rm", f"put-{n}"), ("bare_rm", f"bare_put-{n}")):
                urls = [server.url + quote(folder) + "/" + quote(name) for name in names]
                if key == "rm":
                    argv = [py, "-m", "app", "rm", "--json", "--user", server.user, *urls]
                else:
                    argv = [py, "-c", BARE, "DELETE", *auth, *urls]
                elapsed, _ = run_process(argv, python_env, TIMEOUT)
                if any(p.name != ".DAV" for p in (server.root / folder).iterdir()):
                    raise AssertionError(f"{key}: files left in {folder}")
                if n:
                    times[key].append(elapsed)
    result: dict[str, Any] = {key: statistics.median(values) for key, values in times.items()}
    for job in ("put", "rm"):
        result[f"ratio_{job}"] = statistics.median(
            a / b for a, b in zip(times[job], times[f"bare_{job}"], strict=True)
        )
    if verbose:
        _print(files, repeats, result)
    return result


def _check_put(stored: Path, source: Path) -> None:
    names = sorted(p.name for p in source.iterdir())
    # .DAV: mod_dav_fs's database of dead properties (a kept mtime), not a file that was sent.
    if sorted(p.name for p in stored.iterdir() if p.name != ".DAV") != names:
        raise AssertionError(f"{stored.name}: the server holds other files than were sent")
    for name in names[:: max(1, len(names) // 10)]:
        if (stored / name).read_bytes() != (source / name).read_bytes():
            raise AssertionError(f"{stored.name}/{name}: other bytes than were sent")


def _print(files: int, repeats: int, r: dict[str, Any]) -> None:
    print(
        f"CLI jobs benchmark: {files:,} x 4 KiB on Apache mod_dav, whole processes, "
        f"medians of {repeats}"
    )
    for job, label in (("put", "davdesk put DIR URL/"), ("rm", f"davdesk rm URL1..URL{files}")):
        verdict = "PASS" if r[f"ratio_{job}"] <= TARGET else "MISS"
        print(f"  {label:<34} {r[job]:>7.2f}s")
        print(f"  {'bare httpx loop, 4 threads':<34} {r[f'bare_{job}']:>7.2f}s")
        print(f"  {'ratio':<34} {r[f'ratio_{job}']:>7.2f}x   target <= {TARGET}x: {verdict}")


if __name__ == "__main__":
    run(*(int(a) for a in sys.argv[1:3]))
