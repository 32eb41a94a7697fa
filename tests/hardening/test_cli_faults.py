"""`davdesk put` and `davdesk rm` of 300 files through a proxy that breaks one request in five.

Nothing is kept healthy: the planning's first listing, every stat and every
MKCOL, PUT and DELETE may be reset before or after the server saw it, meet a
500, 503 or 429, stall, or be cut off half-way through its body. With the
CLI's own retry policy (docs/retries.md) a user should not notice: both
commands exit 0, every file is on the server byte for byte after the
upload, and none is left after the delete.

Which requests fail is decided by the seed from each request's method, path
and count (tests/servers/fault_proxy.py), not from the threads' order, so a
seed meets the same faults in every run. FAULT_SEEDS=1-30 widens the sweep.
"""

from __future__ import annotations

import pytest

from app.__main__ import main
from tests.hardening.test_faults import STEMS, seeds
from tests.servers.fault_proxy import FAULTS

FILES = 300
SHARE = 0.2
#: A stall outlasts nothing the CLI waits for (its read timeout is a minute): the proxy ends it.
STALL = 0.5


def content(i: int) -> bytes:
    """Small files, and every 60th over one 256 KiB chunk, so a cut can fall inside a body."""
    line = f"file {i:03d}\n".encode()
    return line * (300_000 // len(line) if i % 60 == 0 else 1 + i % 40)


@pytest.fixture
def davdesk(apache_server, monkeypatch, capsys):
    """davdesk(*args) -> (exit status, stdout, stderr), in-process as the fixture user."""
    monkeypatch.setenv("DAVDESK_PASSWORD", apache_server.password)

    def run(*args: str) -> tuple[int, str, str]:
        code = main([args[0], "--user", apache_server.user, "--workers", "8", *args[1:]])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("seed", seeds([5, 6, 7]))
def test_put_and_rm_of_300_files_through_faults_exit_0(
    davdesk, fault_proxy, apache_server, tmp_path, seed
):
    proxy = fault_proxy(share=SHARE, seed=seed, stall_seconds=STALL, faults=FAULTS, retry_after="0")
    source = tmp_path / "up"
    source.mkdir()
    files = {f"{STEMS[i % len(STEMS)]} {i:03d}.txt": content(i) for i in range(FILES)}
    for name, data in files.items():
        (source / name).write_bytes(data)
    base = proxy.url_for(apache_server.url)

    code, out, err = davdesk("put", str(source), base)
    assert code == 0, out[-3000:] + err
    stored = apache_server.root / "up"
    proxy.settle()
    assert {p.name: p.read_bytes() for p in stored.iterdir() if p.name != ".DAV"} == files

    urls = [apache_server.url_for(f"up/{name}") for name in files]
    code, out, err = davdesk("rm", *(url.replace(apache_server.url, base) for url in urls))
    assert code == 0, out[-3000:] + err
    assert [p.name for p in stored.iterdir() if p.name != ".DAV"] == []
    assert proxy.total_injected >= 0.15 * 2 * FILES
