"""Run the benchmarks: `python -m tests.bench` from the repository root.

First the ls benchmark (davdesk ls --json against curl and rclone on a real
Apache mod_dav), then the 207 parser benchmark when tests/bench/bench_parse.py
is importable, then the job engine benchmark (uploads, deletes and one big
upload against bare httpx, rclone and curl), then `davdesk put` and `davdesk
rm` of 1,000 files as whole processes against bare loops, then the sync benchmark (a
no-change sync of 10,000 files against rclone sync --dry-run), then the
Nextcloud benchmark (a 1,000-file upload with an app password, an account
password and its session cookie, and without the cookie), then the bulk
upload benchmark (300 small files: davdesk put against a bare PUT loop, davdesk
sync against nextcloudcmd), then the window benchmark (`davdesk --demo` to its
first listing, a 10,000-entry folder shown against `davdesk ls`), then the
watch benchmark (a watched 10,000-file pair: idle cost, latency each way, one
change). --only runs just one of them.

    python -m tests.bench [--only ls|parse|jobs|cli-jobs|sync|nextcloud|bulk|window|watch]
                          [--entries N] [--repeats N]
                          [--parse-entries N] [--no-parse]
                          [--jobs-files N] [--jobs-repeats N] [--jobs-big-mib N] [--no-jobs]
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Any

from tests.bench import bench_ls

PARSE_TARGET = 2.0
KEPT_TARGET_MB = 150
BENCHMARKS = ("ls", "parse", "jobs", "cli-jobs", "sync", "nextcloud", "bulk", "window", "watch")


def format_parse(r: dict[str, Any], shape: str) -> str:
    ratio = r["ratio"]
    verdict = "PASS" if ratio <= PARSE_TARGET else "MISS"
    cpu_verdict = "PASS" if r["ratio_cpu"] <= PARSE_TARGET else "MISS"
    lines = [
        f"parse benchmark: {int(r['entries']):,}-entry 207 body ({shape}), {r['body_mb']:.1f} MB",
        "",
        (
            f"  {'lxml.etree.fromstring':<40} {r['fromstring_s'] * 1e3:>7.0f}ms (best of 3),"
            f" CPU {r['fromstring_cpu_s'] * 1e3:.0f}ms"
        ),
        (
            f"  {'multistatus.parse':<40} {r['parse_s'] * 1e3:>7.0f}ms (best of 3),"
            f" CPU {r['parse_cpu_s'] * 1e3:.0f}ms"
        ),
        f"  {'parse / fromstring':<40} {ratio:>8.2f}x   target <= {PARSE_TARGET:.1f}x: {verdict}",
        (
            f"  {'the same in CPU time':<40} {r['ratio_cpu']:>8.2f}x"
            f"   target <= {PARSE_TARGET:.1f}x: {cpu_verdict}"
        ),
        (
            f"  {'parse() kept, peak RSS delta':<40} {r['kept_peak_rss_delta_mb']:>7.1f}MB"
            f"   target < {KEPT_TARGET_MB} MB"
        ),
        f"  {'iter_parse tracemalloc peak':<40} {r['stream_tracemalloc_peak_mb']:>7.2f}MB",
        f"  {'iter_parse peak RSS delta':<40} {r['stream_peak_rss_delta_mb']:>7.2f}MB",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--entries",
        type=int,
        default=bench_ls.ENTRIES,
        help="files in the listed folder (default %(default)s)",
    )
    ap.add_argument(
        "--repeats",
        type=int,
        default=bench_ls.REPEATS,
        help="timed runs per command (default %(default)s)",
    )
    ap.add_argument(
        "--parse-entries",
        type=int,
        default=None,
        help="entries for the parser benchmark (default: its own)",
    )
    ap.add_argument("--no-parse", action="store_true", help="skip the parser benchmark")
    ap.add_argument(
        "--only",
        choices=BENCHMARKS,
        default=None,
        help="run only this benchmark (default: all of them)",
    )
    ap.add_argument(
        "--jobs-files",
        type=int,
        default=None,
        help="files uploaded and deleted by the jobs benchmark (default: its own)",
    )
    ap.add_argument(
        "--jobs-repeats",
        type=int,
        default=None,
        help="timed runs per contender in the jobs benchmark (default: its own)",
    )
    ap.add_argument(
        "--jobs-big-mib",
        type=int,
        default=None,
        help="size of the jobs benchmark's big upload in MiB, 0 to skip it (default: its own)",
    )
    ap.add_argument("--no-jobs", action="store_true", help="skip the jobs benchmark")
    ap.add_argument(
        "--sync-files",
        type=int,
        default=None,
        help="files in the sync benchmark's pair (default: its own)",
    )
    ap.add_argument("--no-sync", action="store_true", help="skip the sync benchmark")
    ap.add_argument("--no-nextcloud", action="store_true", help="skip the Nextcloud benchmark")
    ap.add_argument("--no-watch", action="store_true", help="skip the watch benchmark")
    args = ap.parse_args(argv)

    wanted = (
        [args.only]
        if args.only
        else [
            name
            for name, skip in (
                ("ls", False),
                ("parse", args.no_parse),
                ("jobs", args.no_jobs),
                ("cli-jobs", args.no_jobs),
                ("sync", args.no_sync),
                ("nextcloud", args.no_nextcloud),
                ("bulk", args.no_nextcloud),
                ("window", False),
                ("watch", args.no_watch),
            )
            if not skip
        ]
    )
    status = 0
    for n, name in enumerate(wanted):
        if n:
            print()
        print("=" * 78)
        if name == "ls":
            bench_ls.run(args.entries, args.repeats)
        elif name == "parse":
            status = max(status, _run_parse(args))
        elif name == "sync":
            status = max(status, _run_sync(args))
        elif name == "nextcloud":
            status = max(status, _run_nextcloud())
        elif name == "bulk":
            status = max(status, _run_bulk())
        elif name == "cli-jobs":
            status = max(status, _run_cli_jobs())
        elif name == "window":
            status = max(status, _run_window())
        elif name == "watch":
            status = max(status, _run_watch())
        else:
            status = max(status, _run_jobs(args))
    return status


def _run_parse(args: argparse.Namespace) -> int:
    try:
        from tests.bench import bench_parse
    except Exception as exc:  # someone else's file, maybe half-written
        print(
            f"parse benchmark: skipped, tests/bench/bench_parse.py not importable "
            f"({type(exc).__name__}: {exc})"
        )
        return 0
    for shape in bench_parse.SHAPES:
        try:
            figures = bench_parse.run(args.parse_entries or bench_parse.ENTRIES, shape)
        except Exception:
            print("parse benchmark: failed")
            traceback.print_exc()
            return 1
        print(format_parse(figures, shape))
    return 0


def _run_jobs(args: argparse.Namespace) -> int:
    """The job engine benchmark; it prints its own table."""
    from tests.bench import bench_jobs

    kwargs = {}
    if args.jobs_files is not None:
        kwargs["files"] = args.jobs_files
    if args.jobs_repeats is not None:
        kwargs["repeats"] = args.jobs_repeats
    if args.jobs_big_mib is not None:
        kwargs["big_mib"] = args.jobs_big_mib
    try:
        bench_jobs.run(**kwargs)
    except Exception:
        print("jobs benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


def _run_sync(args: argparse.Namespace) -> int:
    """The no-change sync benchmark; it prints its own table."""
    from tests.bench import bench_sync

    try:
        bench_sync.run(**({"files": args.sync_files} if args.sync_files else {}))
    except Exception:
        print("sync benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


def _run_window() -> int:
    """The window's first listing (demo) and a 10,000-entry folder shown, against ls."""
    from tests.bench import bench_window

    try:
        bench_window.run()
    except Exception:
        print("window benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


def _run_cli_jobs() -> int:
    """davdesk put and rm of 1,000 files as whole processes, against bare loops."""
    from tests.bench import bench_cli_jobs

    try:
        bench_cli_jobs.run()
    except Exception:
        print("CLI jobs benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


def _run_bulk() -> int:
    """300 small files to a Nextcloud: put and sync against a bare PUT loop and nextcloudcmd."""
    from tests.bench import bench_bulk

    try:
        bench_bulk.run()
    except Exception:
        print("bulk benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


def _run_nextcloud() -> int:
    """The session cookie and app password benchmark; it prints its own table."""
    from tests.bench import bench_nextcloud

    try:
        bench_nextcloud.run()
    except Exception:
        print("nextcloud benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


def _run_watch() -> int:
    """The watched-pair benchmark; it prints its own table."""
    from tests.bench import bench_watch

    try:
        print(bench_watch.report(bench_watch.run()))
    except Exception:
        print("watch benchmark: failed")
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
