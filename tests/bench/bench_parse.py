"""How fast and how lean `app.dav.multistatus` parses a 100,000-entry listing.

The yardstick is ``lxml.etree.fromstring`` on the same bytes: what building
the tree alone costs. The target is ``parse()`` within 2.0x of it, a
streamed parse whose memory does not grow with the body, and under 150 MB
for a parse that keeps all 100,000 responses. Two body shapes, both Apache
mod_dav's: "named" (the headline: seven live properties asked for by name
and a 404 propstat for Davdesk's kept mtime on every entry) and "allprop".

    python tests/bench/bench_parse.py [entries]
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

if __package__ in (None, ""):  # run as a script: make `app` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.dav.multistatus import iter_parse, parse

ENTRIES = 100_000
BASE_URL = "http://127.0.0.1:8080/dav/big%20folder/"

_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">\n'
_TAIL = b"</D:multistatus>\n"
_LOCKS = (
    "<D:supportedlock>\n"
    "<D:lockentry>\n<D:lockscope><D:exclusive/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n</D:lockentry>\n"
    "<D:lockentry>\n<D:lockscope><D:shared/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n</D:lockentry>\n"
    "</D:supportedlock>\n<D:lockdiscovery/>\n"
)
# Shaped like Apache 2.4 mod_dav's allprop answer (see tests/data/multistatus/).
_FILE = (
    '<D:response xmlns:lp2="http://apache.org/dav/props/" xmlns:lp1="DAV:">\n'
    "<D:href>/dav/big%20folder/Report%20{i:06d}.txt</D:href>\n<D:propstat>\n<D:prop>\n"
    "<lp1:resourcetype/>\n<lp1:creationdate>2024-01-15T10:20:30Z</lp1:creationdate>\n"
    "<lp1:getcontentlength>{i}</lp1:getcontentlength>\n"
    "<lp1:getlastmodified>Mon, 15 Jan 2024 10:20:30 GMT</lp1:getlastmodified>\n"
    '<lp1:getetag>"{i:x}-60f1a2b3c4d5e"</lp1:getetag>\n<lp2:executable>F</lp2:executable>\n'
    + _LOCKS
    + "<D:getcontenttype>text/plain</D:getcontenttype>\n</D:prop>\n"
    "<D:status>HTTP/1.1 200 OK</D:status>\n</D:propstat>\n</D:response>\n"
)
_FOLDER = (
    '<D:response xmlns:lp2="http://apache.org/dav/props/" xmlns:lp1="DAV:">\n'
    "<D:href>/dav/big%20folder/Folder%20{i:06d}/</D:href>\n<D:propstat>\n<D:prop>\n"
    "<lp1:resourcetype><D:collection/></lp1:resourcetype>\n"
    "<lp1:creationdate>2024-01-15T10:20:30Z</lp1:creationdate>\n"
    "<lp1:getlastmodified>Mon, 15 Jan 2024 10:20:30 GMT</lp1:getlastmodified>\n"
    '<lp1:getetag>"{i:x}-60f1a2b3c4d5e"</lp1:getetag>\n'
    + _LOCKS
    + "<D:getcontenttype>httpd/unix-directory</D:getcontenttype>\n</D:prop>\n"
    "<D:status>HTTP/1.1 200 OK</D:status>\n</D:propstat>\n</D:response>\n"
)


# Apache 2.4 mod_dav's answer to a PROPFIND naming seven live properties and Davdesk's
# kept mtime, which no file has: a 404 propstat on every response (the shape).
_NAMED_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<D:multistatus xmlns:D="DAV:" xmlns:ns1="urn:davdesk" xmlns:ns0="DAV:">\n'
)
_NAMED_404 = (
    "<D:propstat>\n<D:prop>\n<g0:mtime/>\n</D:prop>\n"
    "<D:status>HTTP/1.1 404 Not Found</D:status>\n</D:propstat>\n</D:response>\n"
)
_NAMED_FILE = (
    '<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" '
    'xmlns:g0="urn:davdesk">\n'
    "<D:href>/dav/big%20folder/Report%20{i:06d}.txt</D:href>\n<D:propstat>\n<D:prop>\n"
    "<lp1:resourcetype/>\n<lp1:creationdate>2024-01-15T10:20:30Z</lp1:creationdate>\n"
    "<lp1:getcontentlength>{i}</lp1:getcontentlength>\n"
    "<lp1:getlastmodified>Mon, 15 Jan 2024 10:20:30 GMT</lp1:getlastmodified>\n"
    '<lp1:getetag>"{i:x}-60f1a2b3c4d5e"</lp1:getetag>\n<lp2:executable>F</lp2:executable>\n'
    "<D:getcontenttype>text/plain</D:getcontenttype>\n</D:prop>\n"
    "<D:status>HTTP/1.1 200 OK</D:status>\n</D:propstat>\n" + _NAMED_404
)
_NAMED_FOLDER = (
    '<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" '
    'xmlns:g0="urn:davdesk">\n'
    "<D:href>/dav/big%20folder/Folder%20{i:06d}/</D:href>\n<D:propstat>\n<D:prop>\n"
    "<lp1:resourcetype><D:collection/></lp1:resourcetype>\n"
    "<lp1:creationdate>2024-01-15T10:20:30Z</lp1:creationdate>\n"
    "<lp1:getcontentlength>4096</lp1:getcontentlength>\n"
    "<lp1:getlastmodified>Mon, 15 Jan 2024 10:20:30 GMT</lp1:getlastmodified>\n"
    '<lp1:getetag>"{i:x}-60f1a2b3c4d5e"</lp1:getetag>\n<lp2:executable>F</lp2:executable>\n'
    "<D:getcontenttype>httpd/unix-directory</D:getcontenttype>\n</D:prop>\n"
    "<D:status>HTTP/1.1 200 OK</D:status>\n</D:propstat>\n" + _NAMED_404
)
#: The body shapes: "named" (the headline: what a job's listing gets from Apache) and
#: "allprop" (Apache's allprop answer, with a supportedlock value on every entry).
SHAPES = {
    "named": (_NAMED_HEAD, _NAMED_FILE, _NAMED_FOLDER),
    "allprop": (_HEAD, _FILE, _FOLDER),
}


def entry(i: int, shape: str = "named") -> bytes:
    """One response: every tenth a folder, the rest files, names with a space."""
    _, file, folder = SHAPES[shape]
    return (folder if i % 10 == 0 else file).format(i=i).encode()


def stream(entries: int = ENTRIES, per_chunk: int = 64, shape: str = "named") -> Iterator[bytes]:
    """The body in chunks of `per_chunk` responses, never whole in memory."""
    yield SHAPES[shape][0]
    for start in range(0, entries, per_chunk):
        yield b"".join(entry(i, shape) for i in range(start, min(start + per_chunk, entries)))
    yield _TAIL


def body(entries: int = ENTRIES, shape: str = "named") -> bytes:
    return b"".join(stream(entries, shape=shape))


def _best_of(runs: int, fn: Callable[[], object]) -> tuple[float, float, float]:
    """Best wall-clock time of `runs` calls, without and with freeing the result, and the
    best CPU time of this process for the call.

    fromstring's result is a tree of several hundred MB whose freeing takes
    about a tenth of its time; the headline ratio leaves freeing out on both
    sides, the other shows what a caller that drops the result pays. Both
    contenders run on one thread, so CPU time is the steadier figure on a
    machine shared with other work.
    """
    calls, with_free, cpu = [], [], []
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        calls.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        del result
        with_free.append(time.perf_counter() - start)
    return min(calls), min(with_free), min(cpu)


def _consume_streamed(entries: int, shape: str = "named") -> int:
    count = 0
    for _ in iter_parse(stream(entries, shape=shape), BASE_URL):
        count += 1
    return count


def _peak_rss_kib(*, reset: bool = False) -> int:
    """This process's peak RSS (Linux VmHWM), optionally restarted from now.

    Not ``getrusage``: its maximum survives exec, so a child would inherit the
    peak of the parent that forked it.
    """
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _stream_rss_delta_mb(entries: int) -> float:
    """Peak RSS growth of a streamed parse, in a fresh interpreter.

    tracemalloc alone would miss libxml2's own allocations: the tree.
    """
    out = subprocess.run(
        [sys.executable, __file__, "--stream-rss", str(entries)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out) / 1024


def run(entries: int = ENTRIES, shape: str = "named") -> dict[str, float]:
    """Time parse() against fromstring() and measure the streamed parse's memory."""
    data = body(entries, shape)
    result: dict[str, float] = {"entries": entries, "body_mb": len(data) / 1e6}
    assert len(parse(data, BASE_URL).responses) == entries

    result["stream_peak_rss_delta_mb"] = _stream_rss_delta_mb(entries)
    result["fromstring_s"], fromstring_freed, result["fromstring_cpu_s"] = _best_of(
        3, lambda: etree.fromstring(data)
    )
    result["parse_s"], parse_freed, result["parse_cpu_s"] = _best_of(
        3, lambda: parse(data, BASE_URL)
    )
    result["ratio"] = result["parse_s"] / result["fromstring_s"]
    result["ratio_cpu"] = result["parse_cpu_s"] / result["fromstring_cpu_s"]
    result["ratio_with_free"] = parse_freed / fromstring_freed

    tracemalloc.start()
    assert _consume_streamed(entries, shape) == entries
    result["stream_tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.reset_peak()
    kept = parse(data, BASE_URL)
    result["parse_tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    del kept
    result["kept_peak_rss_delta_mb"] = _kept_rss_delta_mb(entries, shape)
    return result


def _kept_rss_delta_mb(entries: int, shape: str) -> float:
    """Peak RSS growth of parse() keeping every response, in a fresh interpreter that holds
    the body already: what the listing of that folder costs in memory beyond its bytes."""
    out = subprocess.run(
        [sys.executable, __file__, "--kept-rss", str(entries), shape],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out) / 1024


if __name__ == "__main__" and sys.argv[1:2] == ["--stream-rss"]:
    before = _peak_rss_kib(reset=True)
    _consume_streamed(int(sys.argv[2]))
    print(_peak_rss_kib() - before)
elif __name__ == "__main__" and sys.argv[1:2] == ["--kept-rss"]:
    data = body(int(sys.argv[2]), sys.argv[3])
    gc.collect()
    before = _peak_rss_kib(reset=True)
    kept_responses = parse(data, BASE_URL)
    print(_peak_rss_kib() - before)
elif __name__ == "__main__":
    figures = run(int(sys.argv[1]) if len(sys.argv) > 1 else ENTRIES)
    print(f"entries                      {figures['entries']:>10,}")
    print(f"body                         {figures['body_mb']:>10.1f} MB")
    print(f"lxml.etree.fromstring        {figures['fromstring_s']:>10.3f} s (best of 3)")
    print(f"multistatus.parse            {figures['parse_s']:>10.3f} s (best of 3)")
    print(f"ratio parse / fromstring     {figures['ratio']:>10.2f}x (target <= 2.0x)")
    print(f"  the same in CPU time       {figures['ratio_cpu']:>10.2f}x")
    print(f"  the same, freeing included {figures['ratio_with_free']:>10.2f}x")
    print(
        f"parse() tracemalloc peak     {figures['parse_tracemalloc_peak_mb']:>10.2f} MB"
        " (keeps every response)"
    )
    print(f"iter_parse tracemalloc peak  {figures['stream_tracemalloc_peak_mb']:>10.2f} MB")
    print(f"iter_parse peak RSS delta    {figures['stream_peak_rss_delta_mb']:>10.2f} MB")
