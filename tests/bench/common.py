"""What every benchmark needs: whole-process timing with a bound."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_process(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, bytes]:
    """Wall time of one whole process and its stdout, read to the end through a pipe.

    A failure or a timeout raises, so a broken contender is never timed as fast.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"timed out after {timeout:g} s: {argv[:4]}") from None
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"exit status {proc.returncode} from {argv[:4]}:\n"
            f"{err.decode(errors='replace')[-2000:]}"
        )
    return elapsed, out


_PROXY_VARIABLES = (
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "ftp_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "FTP_PROXY",
)


def child_env(**extra: str) -> dict[str, str]:
    """The environment without proxies, so everything goes straight to 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


def as_installed(env: dict[str, str], bytecode: Path) -> dict[str, str]:
    """A Python child's environment with a bytecode cache of its own, as an installed program
    has: where PYTHONDONTWRITEBYTECODE is set (this workplace sets it), every start would
    compile Davdesk and its libraries from source. The untimed first run fills the cache."""
    installed = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    installed["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return installed
