"""How long `davdesk ls --json` takes on a big folder, next to curl and rclone.

Apache httpd with mod_dav serves one folder of ``entries`` small files. Each
contender runs as a whole process (start, request, parse, print), its stdout
read to the end through a pipe and thrown away, and is timed by wall clock:

    curl     one raw PROPFIND Depth 1 with an allprop body: the floor, what
             the server and the transfer alone cost
    davdesk  python -m app ls --json (the console script may not be
             installed, so the interpreter's start is part of the figure)
    rclone   rclone lsjson, configured through environment variables

plus reference lines: ``python -c pass`` and davdesk's ls --json of an empty
folder (interpreter, davdesk's imports, one small PROPFIND and the process's
end, as a listing ends: ``--version`` would add the interpreter's teardown that
ls skips), so the share of process start in davdesk's figure can be read off,
and curl sending davdesk's own PROPFIND body (the five listing properties, a
smaller answer than allprop's), so davdesk can also be compared with a
like-for-like transfer. Three Python references show how close a Python client
of these libraries can come to curl at all:

    imports  python importing httpx, httpcore (without h2, as davdesk on plain
             http) and lxml.etree, nothing else
    bare     python streaming davdesk's PROPFIND through httpx into lxml's
             pull parser, counting the responses: the libraries' own work,
             with no Resource made and nothing printed per entry
    bare+json  the same, printing ls --json's line for each entry, made the
             plain way (lxml's find and findtext, json.dumps; no status,
             namespace or href checks, no retries): what a straightforward
             Python client spends reading each entry

Wall time is what the targets are about; each child's CPU time (user plus
system, from the kernel's accounting of the finished child) is printed beside
it, since on a shared machine it moves less than wall time, and the process
is CPU-bound throughout (the server works on the other core meanwhile).

Every contender's output is checked once, before the timed runs; the timed
runs are interleaved round-robin so that drift (CPU frequency, page cache,
other load) hits all of them alike. Targets: davdesk within 1.3x of curl and
at most 0.5x of rclone, both on the best of ``repeats``.

    python -m tests.bench.bench_ls [entries [repeats]]
"""

from __future__ import annotations

import json
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

from app.dav.xmlbodies import BASIC_PROPS, propfind_body  # noqa: E402
from tests.bench.common import as_installed, child_env, run_process  # noqa: E402
from tests.servers.apache_server import ApacheServer  # noqa: E402

ENTRIES = 10_000
REPEATS = 5
TIMEOUT = 120.0  # seconds, for any one subprocess
FOLDER = "bench folder"
EMPTY = "empty"
TARGET_VS_CURL = 1.3
TARGET_VS_RCLONE = 0.5

CURL = shutil.which("curl") or "/usr/bin/curl"
RCLONE = shutil.which("rclone")

ALLPROP = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>\n'
)

#: The floors (see the module docstring). What davdesk keeps out is kept out of them too:
#: httpx's own command-line tool (it would load rich and click where they are installed)
#: and h2, HTTP/2's library, which a client on plain http never uses (app/__main__.py).
_LEAN = (
    'import sys; sys.modules["httpx._main"] = None; sys.modules["h2"] = None; '
    'import httpcore; del sys.modules["h2"]'
)
FLOOR_IMPORTS = _LEAN + "; import httpx, lxml.etree"
BARE_LISTING = (
    _LEAN
    + """
import httpx
from lxml import etree
url, user, password, body = sys.argv[1:5]
parser = etree.XMLPullParser(events=("end",), tag="{DAV:}response")
count = 0
with httpx.Client(auth=(user, password)) as client, client.stream(
        "PROPFIND", url, content=open(body, "rb").read(),
        headers={"Depth": "1", "Content-Type": "application/xml"}) as response:
    for chunk in response.iter_bytes():
        parser.feed(chunk)
        for _, element in parser.read_events():
            count += 1
            element.clear()
parser.close()
print(count)
"""
)


BARE_JSON = (
    _LEAN
    + """
import json
from email.utils import parsedate_to_datetime
from urllib.parse import unquote
import httpx
from lxml import etree
url, user, password, body = sys.argv[1:5]
D = "{DAV:}"
parser = etree.XMLPullParser(events=("end",), tag=D + "response")
lines = []
def line(response):
    path = unquote(response.findtext(D + "href"))
    prop = response.find(D + "propstat/" + D + "prop")
    is_dir = prop.find(D + "resourcetype/" + D + "collection") is not None
    size = prop.findtext(D + "getcontentlength")
    modified = prop.findtext(D + "getlastmodified")
    return json.dumps({
        "name": path.rstrip("/").rpartition("/")[2],
        "path": path,
        "is_dir": is_dir,
        "size": None if is_dir or not size else int(size),
        "modified": modified and parsedate_to_datetime(modified).isoformat(),
        "etag": prop.findtext(D + "getetag") or None,
        "content_type": prop.findtext(D + "getcontenttype") or None,
    }, ensure_ascii=False)
with httpx.Client(auth=(user, password)) as client, client.stream(
        "PROPFIND", url, content=open(body, "rb").read(),
        headers={"Depth": "1", "Content-Type": "application/xml"}) as response:
    for chunk in response.iter_bytes():
        parser.feed(chunk)
        for _, element in parser.read_events():
            lines.append(line(element) + "\\n")
            element.clear()
parser.close()
sys.stdout.buffer.write("".join(lines[1:]).encode())
"""
)


def file_name(i: int) -> str:
    """Plain names with a space; every 10th with accents, every 100th with CJK and an emoji."""
    if i % 100 == 0:
        return f"写真 Grüße 🎉 {i:05d}.txt"
    if i % 10 == 0:
        return f"fïle çafé {i:05d}.txt"
    return f"file {i:05d}.txt"


def make_folder(server: ApacheServer, entries: int) -> tuple[Path, set[str]]:
    """Write ``entries`` 10-byte files straight into the served root."""
    folder = server.root / FOLDER
    folder.mkdir()
    names = set()
    for i in range(1, entries + 1):
        name = file_name(i)
        names.add(name)
        with open(folder / name, "wb") as f:
            f.write(b"%09d\n" % i)
    server.chown(folder)
    return folder, names


class Contender:
    def __init__(
        self,
        key: str,
        label: str,
        argv: list[str],
        env: dict[str, str],
        check: Callable[[bytes], None] | None = None,
    ) -> None:
        self.key, self.label, self.argv, self.env, self.check = key, label, argv, env, check
        self.times: list[float] = []
        self.cpu: list[float] = []

    def run_timed(self) -> None:
        """One timed run: its wall time, and its CPU time as the kernel counted the child."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed, _ = run_process(self.argv, self.env, TIMEOUT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.times.append(elapsed)
        self.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


# -- output checks, each run once before timing ---------------------------
def check_davdesk(out: bytes, names: set[str]) -> None:
    lines = out.decode("utf-8").splitlines()
    if len(lines) != len(names):
        raise AssertionError(f"davdesk ls --json printed {len(lines)} lines, expected {len(names)}")
    seen = set()
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise AssertionError(f"davdesk line {n} is not JSON: {line[:200]!r}") from exc
        if not isinstance(obj, dict):
            raise AssertionError(f"davdesk line {n} is not a JSON object: {line[:200]!r}")
        seen.add(obj.get("name"))
    if seen != names:
        missing = sorted(names - seen)[:3]
        extra = sorted(str(x) for x in seen - names)[:3]
        raise AssertionError(f"davdesk names differ: missing {missing}, unexpected {extra}")


def _check_empty(out: bytes) -> None:
    if out:
        raise AssertionError(f"davdesk ls --json of an empty folder printed {out[:200]!r}")


def _check_count(out: bytes, expected: int) -> None:
    if int(out) != expected:
        raise AssertionError(f"the bare listing counted {int(out)} responses, expected {expected}")


def check_rclone(out: bytes, entries: int) -> None:
    listing = json.loads(out)
    if len(listing) != entries:
        raise AssertionError(f"rclone lsjson listed {len(listing)} entries, expected {entries}")


def check_curl(
    server: ApacheServer, url: str, body_file: Path, entries: int, env: dict[str, str]
) -> int:
    """One PROPFIND with the same command into a file: 207, entries + 1 responses."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as tmp:
        _, code = run_process(
            [
                CURL,
                "-s",
                "-u",
                f"{server.user}:{server.password}",
                "-X",
                "PROPFIND",
                "-H",
                "Depth: 1",
                "-H",
                "Content-Type: application/xml",
                "--data-binary",
                f"@{body_file}",
                url,
                "-o",
                tmp.name,
                "-w",
                "%{http_code}",
            ],
            env,
            TIMEOUT,
        )
        data = Path(tmp.name).read_bytes()
    if code != b"207":
        raise AssertionError(f"curl PROPFIND answered {code.decode()!r}, expected 207")
    responses = data.count(b"<D:response ") + data.count(b"<D:response>")
    if responses != entries + 1:
        raise AssertionError(f"PROPFIND listed {responses} responses, expected {entries + 1}")
    return len(data)


# -- the benchmark -------------------------------------------------------
def run(entries: int = ENTRIES, repeats: int = REPEATS, *, verbose: bool = True) -> dict[str, Any]:
    """Start Apache, fill a folder, time every contender; returns the figures."""
    py = sys.executable
    result: dict[str, Any] = {"entries": entries, "repeats": repeats, "python": py}
    with tempfile.TemporaryDirectory(prefix="davdesk-bench-") as scratch, ApacheServer() as server:
        t0 = time.perf_counter()
        _, names = make_folder(server, entries)
        result["setup_s"] = time.perf_counter() - t0
        url = server.url + quote(FOLDER) + "/"
        result["url"] = url
        (server.root / EMPTY).mkdir()
        server.chown(server.root / EMPTY)
        empty_url = server.url + EMPTY + "/"
        allprop = Path(scratch, "allprop.xml")
        allprop.write_bytes(ALLPROP)
        listing = Path(scratch, "listing.xml")
        listing.write_bytes(propfind_body(BASIC_PROPS))
        env = child_env()
        python_env = as_installed(env, Path(scratch, "bytecode"))

        result["propfind_body_mb"] = check_curl(server, url, allprop, entries, env) / 1e6
        result["propfind_listing_body_mb"] = check_curl(server, url, listing, entries, env) / 1e6
        contenders = [
            Contender("python_start", "python -c pass", [py, "-c", "pass"], python_env),
            Contender(
                "davdesk_start",
                "python -m app ls --json, empty folder",
                [py, "-m", "app", "ls", "--json", "--user", server.user, empty_url],
                {**python_env, "DAVDESK_PASSWORD": server.password},
                lambda out: _check_empty(out),
            ),
            Contender(
                "curl",
                "curl PROPFIND allprop (-o /dev/null)",
                [
                    CURL,
                    "-s",
                    "-u",
                    f"{server.user}:{server.password}",
                    "-X",
                    "PROPFIND",
                    "-H",
                    "Depth: 1",
                    "-H",
                    "Content-Type: application/xml",
                    "--data-binary",
                    f"@{allprop}",
                    url,
                    "-o",
                    "/dev/null",
                ],
                env,
            ),
            Contender(
                "curl_listing",
                "curl PROPFIND davdesk's props (ref.)",
                [
                    CURL,
                    "-s",
                    "-u",
                    f"{server.user}:{server.password}",
                    "-X",
                    "PROPFIND",
                    "-H",
                    "Depth: 1",
                    "-H",
                    "Content-Type: application/xml",
                    "--data-binary",
                    f"@{listing}",
                    url,
                    "-o",
                    "/dev/null",
                ],
                env,
            ),
            Contender(
                "floor_imports",
                "python: import httpx, httpcore, lxml",
                [py, "-c", FLOOR_IMPORTS],
                python_env,
            ),
            Contender(
                "bare_listing",
                "python: httpx stream into lxml, no output",
                [py, "-c", BARE_LISTING, url, server.user, server.password, str(listing)],
                python_env,
                lambda out: _check_count(out, entries + 1),
            ),
            Contender(
                "bare_json",
                "python: the same, printing the lines",
                [py, "-c", BARE_JSON, url, server.user, server.password, str(listing)],
                python_env,
                lambda out: check_davdesk(out, names),
            ),
            Contender(
                "davdesk",
                "python -m app ls --json",
                [py, "-m", "app", "ls", "--json", "--user", server.user, url],
                {**python_env, "DAVDESK_PASSWORD": server.password},
                lambda out: check_davdesk(out, names),
            ),
        ]
        if RCLONE:
            obscured = subprocess.run(
                [RCLONE, "obscure", server.password],
                check=True,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            ).stdout.strip()
            rclone_env = child_env(
                RCLONE_CONFIG=str(Path(scratch, "rclone.conf")),  # absent: nothing but env
                RCLONE_CONFIG_BENCH_TYPE="webdav",
                RCLONE_CONFIG_BENCH_URL=server.url,
                RCLONE_CONFIG_BENCH_VENDOR="other",
                RCLONE_CONFIG_BENCH_USER=server.user,
                RCLONE_CONFIG_BENCH_PASS=obscured,
                RCLONE_CACHE_DIR=str(Path(scratch, "rclone-cache")),
            )
            contenders.append(
                Contender(
                    "rclone",
                    "rclone lsjson",
                    [RCLONE, "lsjson", f"bench:{FOLDER}"],
                    rclone_env,
                    lambda out: check_rclone(out, entries),
                )
            )
        else:
            result["rclone_note"] = "rclone not installed: skipped"

        # One checked (and warming) run each, then the timed runs round-robin.
        for c in contenders:
            _, out = run_process(c.argv, c.env, TIMEOUT)
            if c.check:
                c.check(out)
        for _ in range(repeats):
            for c in contenders:
                c.run_timed()

    for c in contenders:
        result[c.key] = {
            "label": c.label,
            "best_s": min(c.times),
            "median_s": statistics.median(c.times),
            "times_s": c.times,
            "cpu_best_s": min(c.cpu),
            "cpu_median_s": statistics.median(c.cpu),
        }
    _ratio(result, "davdesk", "curl", TARGET_VS_CURL)
    _ratio(result, "davdesk", "rclone", TARGET_VS_RCLONE)
    _ratio(result, "davdesk", "curl_listing", None)
    _ratio(result, "floor_imports", "curl", None)
    _ratio(result, "bare_listing", "curl", None)
    _ratio(result, "bare_json", "curl", None)
    _ratio(result, "davdesk", "bare_listing", None)
    _ratio(result, "davdesk", "bare_json", None)
    _cpu_ratio(result, "davdesk", "bare_json")
    if verbose:
        print(format_table(result))
    return result


def _ratio(result: dict[str, Any], a: str, b: str, target: float | None) -> None:
    if a not in result or b not in result:
        return
    best = result[a]["best_s"] / result[b]["best_s"]
    median = result[a]["median_s"] / result[b]["median_s"]
    result[f"ratio_{a}_{b}"] = {
        "best": best,
        "median": median,
        "target": target,
        "pass": None if target is None else best <= target,
    }


def _cpu_ratio(result: dict[str, Any], a: str, b: str) -> None:
    if a in result and b in result:
        result[f"cpu_ratio_{a}_{b}"] = {
            "best": result[a]["cpu_best_s"] / result[b]["cpu_best_s"],
            "median": result[a]["cpu_median_s"] / result[b]["cpu_median_s"],
        }


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"ls benchmark: {r['entries']:,} files in one folder, Apache mod_dav on 127.0.0.1",
        (
            f"PROPFIND Depth 1 answer {r['propfind_body_mb']:.1f} MB allprop, "
            f"{r['propfind_listing_body_mb']:.1f} MB with davdesk's props"
        ),
        (f"whole-process wall time, {r['repeats']} interleaved runs each (python: {r['python']})"),
        "",
        f"  {'command':<40} {'best':>9} {'median':>9}   {'cpu best':>9} {'median':>9}",
    ]
    rows = [
        "python_start",
        "floor_imports",
        "davdesk_start",
        "curl",
        "curl_listing",
        "bare_listing",
        "bare_json",
        "davdesk",
        "rclone",
    ]
    lines.extend(
        f"  {r[key]['label']:<40} {r[key]['best_s'] * 1e3:>7.0f}ms "
        f"{r[key]['median_s'] * 1e3:>7.0f}ms   {r[key]['cpu_best_s'] * 1e3:>7.0f}ms "
        f"{r[key]['cpu_median_s'] * 1e3:>7.0f}ms"
        for key in rows
        if key in r
    )
    if "rclone_note" in r:
        lines.append(f"  {'rclone lsjson':<40} {'skipped':>9}  ({r['rclone_note']})")
    lines.append("")
    for a, b, label in (
        ("davdesk", "curl", "davdesk / curl"),
        ("davdesk", "rclone", "davdesk / rclone"),
        ("davdesk", "curl_listing", "davdesk / curl with davdesk's props"),
        ("floor_imports", "curl", "floor: imports alone / curl"),
        ("bare_listing", "curl", "floor: bare python listing / curl"),
        ("bare_json", "curl", "floor: bare python printing lines / curl"),
        ("davdesk", "bare_listing", "davdesk / bare python listing"),
        ("davdesk", "bare_json", "davdesk / bare python printing lines"),
    ):
        key = f"ratio_{a}_{b}"
        if key in r:
            q = r[key]
            line = f"  {label:<40} {q['best']:>8.2f}x {q['median']:>8.2f}x"
            if q["target"] is not None:
                verdict = "PASS" if q["pass"] else "MISS"
                line += f"   target <= {q['target']:.1f}x: {verdict}"
            else:
                line += "   (reference, no target)"
            lines.append(line)
    if "cpu_ratio_davdesk_bare_json" in r:
        q = r["cpu_ratio_davdesk_bare_json"]
        lines.append(
            f"  {'the same, CPU time':<40} {q['best']:>8.2f}x {q['median']:>8.2f}x"
            "   (reference, no target)"
        )
    if "davdesk" in r and "davdesk_start" in r:
        start = r["davdesk_start"]
        lines.append(
            f"  (of davdesk's best {r['davdesk']['best_s'] * 1e3:.0f} ms, "
            f"{start['best_s'] * 1e3:.0f} ms is its start and end, an empty folder's ls "
            f"({start['cpu_best_s'] * 1e3:.0f} ms CPU), {r['python_start']['best_s'] * 1e3:.0f} "
            "ms the bare interpreter)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    run(
        int(sys.argv[1]) if len(sys.argv) > 1 else ENTRIES,
        int(sys.argv[2]) if len(sys.argv) > 2 else REPEATS,
    )
