"""Run the benchmarks: `python -m tests.bench` from the repository root.

First the ls benchmark (davdesk ls --json against curl and rclone on a real
Apache mod_dav), then the 207 parser benchmark when tests/bench/bench_parse.py
is importable.

    python -m tests.bench [--entries N] [--repeats N] [--parse-entries N] [--no-parse]
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Any

from tests.bench import bench_ls

PARSE_TARGET = 2.0


def format_parse(r: dict[str, Any]) -> str:
    ratio = r["ratio"]
    verdict = "PASS" if ratio <= PARSE_TARGET else "MISS"
    return "\n".join([
        f"parse benchmark: {int(r['entries']):,}-entry 207 body, {r['body_mb']:.1f} MB",
        "",
        f"  {'lxml.etree.fromstring':<40} {r['fromstring_s'] * 1e3:>7.0f}ms (best of 3)",
        f"  {'multistatus.parse':<40} {r['parse_s'] * 1e3:>7.0f}ms (best of 3)",
        f"  {'parse / fromstring':<40} {ratio:>8.2f}x   target <= {PARSE_TARGET:.1f}x: {verdict}",
        f"  {'iter_parse tracemalloc peak':<40} {r['stream_tracemalloc_peak_mb']:>7.2f}MB",
        f"  {'iter_parse peak RSS delta':<40} {r['stream_peak_rss_delta_mb']:>7.2f}MB",
    ])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=bench_ls.ENTRIES,
                    help="files in the listed folder (default %(default)s)")
    ap.add_argument("--repeats", type=int, default=bench_ls.REPEATS,
                    help="timed runs per command (default %(default)s)")
    ap.add_argument("--parse-entries", type=int, default=None,
                    help="entries for the parser benchmark (default: its own)")
    ap.add_argument("--no-parse", action="store_true", help="skip the parser benchmark")
    args = ap.parse_args(argv)

    status = 0
    print("=" * 78)
    bench_ls.run(args.entries, args.repeats)

    if args.no_parse:
        return status
    print()
    print("=" * 78)
    try:
        from tests.bench import bench_parse
    except Exception as exc:  # noqa: BLE001 - someone else's file, maybe half-written
        print(f"parse benchmark: skipped, tests/bench/bench_parse.py not importable "
              f"({type(exc).__name__}: {exc})")
        return status
    try:
        figures = (bench_parse.run(args.parse_entries) if args.parse_entries
                   else bench_parse.run())
    except Exception:  # noqa: BLE001
        print("parse benchmark: failed")
        traceback.print_exc()
        return 1
    try:
        print(format_parse(figures))
    except (KeyError, TypeError, ValueError):  # its figures changed shape: show them raw
        print("parse benchmark:")
        for key, value in figures.items():
            print(f"  {key:<40} {value}")
    return status


if __name__ == "__main__":
    sys.exit(main())
