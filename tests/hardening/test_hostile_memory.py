"""What a hostile body costs the client in memory: measured, and bounded.

Each measurement runs in a fresh interpreter (a process's peak RSS can only
grow, so one test's peak would hide the next one's): it lists the hostile
folder with a DavClient and reports its peak RSS (everything, libxml2's
allocations too) and tracemalloc's peak (Python's own objects, such as a
body buffered whole). The same listing of a plain folder is the baseline.
A 50 MB body parsed whole, or the billion laughs expanded, would cost
hundreds of megabytes to gigabytes; the bound is a small fraction of one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.hostile import SHARE, arm
from tests.servers.hostile_server import HostileServer

MIB = 1024 * 1024
#: More peak RSS than the plain listing's that parsing a hostile body may cost.
RSS_BOUND = 24 * MIB
#: The most Python memory the listing may hold at once (tracemalloc's peak).
PYTHON_BOUND = 4 * MIB
_REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import json, resource, sys, tracemalloc
from app.dav import DavClient, Timeouts, errors
client = DavClient(sys.argv[1], timeouts=Timeouts(connect=2, read=10))
client.stat("/")  # the connection made and lxml loaded before measuring
tracemalloc.start()
try:
    said = f"listed {len(client.listdir(sys.argv[2]))}"
except errors.MultiStatusError as exc:
    said = str(exc)
python_peak = tracemalloc.get_traced_memory()[1]
unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(json.dumps({"said": said, "python_peak": python_peak,
                  "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit}))
"""


def measure(server: HostileServer) -> dict:
    """Peak memory of a fresh client process listing SHARE on server."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, server.url, SHARE],
        cwd=_REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("attack", ["50 MB nesting", "billion laughs"])
def test_parsing_a_hostile_body_costs_little_memory(server, attack, secret, tmp_path):
    plain = measure(server)
    assert plain["said"] == "listed 0"
    arm(server, attack, "PROPFIND", secret, tmp_path)
    hostile = measure(server)

    assert hostile["said"].startswith(("malformed multistatus body", "multistatus body has a"))
    grew = hostile["rss_peak"] - plain["rss_peak"]
    print(
        f"{attack}: peak RSS {hostile['rss_peak'] / MIB:.1f} MiB "
        f"({grew / MIB:+.1f} MiB on the plain listing's), "
        f"Python peak {hostile['python_peak'] / MIB:.2f} MiB"
    )
    assert grew < RSS_BOUND
    assert hostile["python_peak"] < PYTHON_BOUND
