"""`davdesk --verbose` against a real server: request lines on stderr and in the log, no secret."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_verbose_cli_logs_requests_but_never_the_password(wsgidav_server, tmp_path):
    wsgidav_server.make_file("notes.txt", b"n")
    env = {
        **os.environ,
        "DAVDESK_PASSWORD": wsgidav_server.password,
        "DAVDESK_CONFIG_HOME": str(tmp_path),
    }
    url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@")
    result = subprocess.run(
        [sys.executable, "-m", "app", "ls", "--verbose", url],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "notes.txt" in result.stdout
    log_file = tmp_path / "log" / "davdesk.log"
    logged = log_file.read_text(encoding="utf-8")
    for text in (result.stderr, logged):
        assert "HTTP Request: PROPFIND" in text
        credentials = f"{wsgidav_server.user}:{wsgidav_server.password}".encode()
        assert wsgidav_server.password not in text
        assert base64.b64encode(credentials).decode() not in text
