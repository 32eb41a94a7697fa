"""How fast a sync with nothing to do is, next to rclone on the same data and server.

One Apache httpd with mod_dav on 127.0.0.1. The same ``files`` files (in
``folders`` folders, 100 bytes each) are written to a local folder and,
straight onto the server's disk, to the served folder, with the same
modification times; one untimed `davdesk sync --direction both` then records
them all as in sync (it transfers nothing: it compares their bytes, since
there is no record yet, and finds them equal).

Timed, whole processes, ``repeats`` runs each, interleaved round-robin, best
reported (each must succeed and, for davdesk, print no Outcome at all):

  davdesk sync --direction both   scan both sides, plan against the state DB
  davdesk sync --direction up     the same work, named like rclone's one-way sync
  rclone sync --dry-run           one-way comparison of both listings

rclone bisync is not a contender: rclone 1.60 refuses it on a WebDAV server
without settable modification times ("modification time support is missing"),
which is plain mod_dav.

With the same parallelism everywhere: --workers 8 for davdesk, --checkers 8
for rclone. Target: davdesk no slower than rclone (ratio <= 1.0).

davdesk runs as an installed Python program does, from bytecode: its
children get a bytecode cache of their own in the scratch folder
(PYTHONPYCACHEPREFIX), filled by the untimed recording run. rclone is
compiled ahead of time; a Python started with PYTHONDONTWRITEBYTECODE=1 (as
some sandboxes and CI images set it) compiles every module from source at
every start instead, about 0.3 s here, which says nothing about the sync.
When the environment sets it, that start is timed too and shown for
reference ("from source"), without a target.

Planning alone: the plan for 2,000 and for 20,000 conflicts, in this
process; 10 times the conflicts must take at most PLAN_TARGET times as long
(a set of every name rebuilt per conflict once made it quadratic: 25 s).

    python -m tests.bench.bench_sync [files [repeats]]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script: make `tests` and `app` importable
    sys.path.insert(0, str(REPO))

from tests.bench.common import as_installed, child_env, run_process  # noqa: E402
from tests.servers.apache_server import ApacheServer  # noqa: E402

FILES = 10_000
FOLDERS = 100
REPEATS = 3
WORKERS = 8
TIMEOUT = 600.0
REMOTE = "bench sync"
TARGET = 1.0
PLAN_TARGET = 20.0
PLAN_CONFLICTS = (2_000, 20_000)
RCLONE = shutil.which("rclone")
MTIME = 1_700_000_000


def write_tree(root: Path, files: int, folders: int) -> None:
    for n in range(files):
        path = root / f"folder {n % folders:03}" / f"file {n:05}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{n:0100}".encode())
        os.utime(path, (MTIME, MTIME))


def run(files: int = FILES, repeats: int = REPEATS, *, verbose: bool = True) -> dict[str, Any]:
    """Start Apache, lay out the data, time every contender; returns the figures."""
    result: dict[str, Any] = {
        "files": files,
        "folders": min(FOLDERS, files),
        "repeats": repeats,
        "workers": WORKERS,
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="davdesk-bench-sync-") as tmp, ApacheServer() as server:
        scratch = Path(tmp)
        local = scratch / "local"
        write_tree(local, files, result["folders"])
        write_tree(server.root / REMOTE, files, result["folders"])
        server.chown(server.root / REMOTE)
        url = f"{server.url}{REMOTE.replace(' ', '%20')}/"
        from_source = child_env(
            DAVDESK_PASSWORD=server.password, DAVDESK_CONFIG_HOME=str(scratch / "config-home")
        )
        env = as_installed(from_source, scratch / "bytecode")
        davdesk = [
            sys.executable,
            "-m",
            "app",
            "sync",
            "--json",
            "--user",
            server.user,
            "--workers",
            str(WORKERS),
            str(local),
            url,
            "--direction",
        ]
        contenders: dict[str, tuple[list[str], dict[str, str]]] = {
            "davdesk_both": ([*davdesk, "both"], env),
            "davdesk_up": ([*davdesk, "up"], env),
        }
        if from_source.get("PYTHONDONTWRITEBYTECODE"):
            contenders["davdesk_both_from_source"] = ([*davdesk, "both"], from_source)
        _, first = run_process([*davdesk, "both"], env, TIMEOUT)
        if first.strip():
            raise RuntimeError(f"the recording run transferred something: {first[:500]!r}")
        if RCLONE:
            rclone_env = _rclone_env(server, scratch)
            remote = f"bench:{REMOTE}"
            checkers = ["--checkers", str(WORKERS)]
            contenders["rclone_sync_dry"] = (
                [RCLONE, "sync", "--dry-run", *checkers, str(local), remote],
                rclone_env,
            )
            check = subprocess.run(
                [*contenders["rclone_sync_dry"][0], "-v"],
                env=rclone_env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            if check.returncode or "Skipped" in check.stderr:
                raise RuntimeError(f"rclone sees differences: {check.stderr[-1000:]}")
            result["rclone_version"] = subprocess.run(
                [RCLONE, "version"], capture_output=True, text=True, timeout=60
            ).stdout.split("\n")[0]
        else:
            result["rclone_note"] = "rclone not installed"
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(repeats):
            for name, (argv, child) in contenders.items():
                elapsed, out = run_process(argv, child, TIMEOUT)
                if name.startswith("davdesk") and out.strip():
                    raise RuntimeError(f"{name} did something on a no-change run: {out[:500]!r}")
                times[name].append(elapsed)
        for name, values in times.items():
            result[f"{name}_s"] = min(values)
        for ours in ("davdesk_both", "davdesk_up", "davdesk_both_from_source"):
            if f"{ours}_s" in result and "rclone_sync_dry_s" in result:
                result[f"ratio_{ours}_vs_rclone_sync_dry"] = (
                    result[f"{ours}_s"] / result["rclone_sync_dry_s"]
                )
    result.update(plan_scaling())
    if verbose:
        print(format_result(result))
    return result


def plan_scaling() -> dict[str, float]:
    """Seconds to plan PLAN_CONFLICTS conflicts (best of 3 each), and their ratio."""
    from datetime import datetime

    from app.sync.model import Direction, LocalFile, RemoteFile
    from app.sync.planner import plan_sync
    from app.sync.state import Record

    figures: dict[str, float] = {}
    for count in PLAN_CONFLICTS:
        local, remote, records = {}, {}, {}
        for n in range(count):
            rel = f"folder {n % FOLDERS:03}/file {n:05}.txt"
            local[rel] = LocalFile(rel, Path("/pair") / rel, False, 5, 2 * 10**9, 2.0)
            remote[rel] = RemoteFile(rel, "/dav/" + rel, False, 7, "theirs", 3.0, 3.0)
            records[rel] = Record(False, 3, 10**9, 3, 1.0, "synced")
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            plan = plan_sync(
                local,
                remote,
                records,
                Direction.BOTH,
                Path("/pair"),
                "/dav/",
                datetime(2024, 5, 1, 14, 32),
            )
            best = min(best, time.perf_counter() - start)
        assert len(plan.items) == count
        figures[f"plan_{count}_conflicts_s"] = best
    small, big = PLAN_CONFLICTS
    figures["plan_scaling"] = (
        figures[f"plan_{big}_conflicts_s"] / figures[f"plan_{small}_conflicts_s"]
    )
    return figures


def _rclone_env(server: ApacheServer, scratch: Path) -> dict[str, str]:
    assert RCLONE is not None
    obscured = subprocess.run(
        [RCLONE, "obscure", server.password], check=True, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    return child_env(
        RCLONE_CONFIG=str(scratch / "rclone.conf"),
        RCLONE_CONFIG_BENCH_TYPE="webdav",
        RCLONE_CONFIG_BENCH_URL=server.url,
        RCLONE_CONFIG_BENCH_VENDOR="other",
        RCLONE_CONFIG_BENCH_USER=server.user,
        RCLONE_CONFIG_BENCH_PASS=obscured,
        RCLONE_CACHE_DIR=str(scratch / "rclone-cache"),
    )


def format_result(r: dict[str, Any]) -> str:
    lines = [
        (
            f"sync benchmark: no-change sync of {r['files']:,} files in {r['folders']} folders "
            f"on Apache mod_dav, whole processes, best of {r['repeats']}, "
            f"{r['workers']} parallel requests; {r['cpus']} CPUs"
        )
    ]
    if "rclone_version" in r:
        lines.append(f"  {r['rclone_version']}")
    labels = {
        "davdesk_both": "davdesk sync --direction both",
        "davdesk_up": "davdesk sync --direction up",
        "davdesk_both_from_source": "davdesk sync --direction both, from source",
        "rclone_sync_dry": "rclone sync --dry-run",
    }
    lines.append("")
    for key, label in labels.items():
        if f"{key}_s" in r:
            lines.append(f"  {label:<44} {r[f'{key}_s'] * 1e3:>8.0f}ms")
    for key, value in r.items():
        if key.startswith("ratio_"):
            ours, theirs = key.removeprefix("ratio_").split("_vs_")
            verdict = (
                "(reference, no target)"
                if ours.endswith("from_source")
                else f"target <= {TARGET:.1f}x: {'PASS' if value <= TARGET else 'MISS'}"
            )
            lines.append(
                f"  {labels[ours] + ' / ' + labels[theirs]:<68} {value:>6.2f}x   {verdict}"
            )
    if "plan_scaling" in r:
        small, big = PLAN_CONFLICTS
        lines.append(
            f"  planning {small:,} conflicts {r[f'plan_{small}_conflicts_s'] * 1e3:.0f}ms, "
            f"{big:,} conflicts {r[f'plan_{big}_conflicts_s'] * 1e3:.0f}ms: "
            f"{r['plan_scaling']:.1f}x   target <= {PLAN_TARGET:.0f}x: "
            f"{'PASS' if r['plan_scaling'] <= PLAN_TARGET else 'MISS'}"
        )
    if "rclone_note" in r:
        lines.append(f"  rclone: skipped ({r['rclone_note']})")
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    figures = run(*arguments)
    print(json.dumps(figures))
