"""What every benchmark needs: whole-process timing with a bound."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_process(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, bytes]:
    """Wall time of one whole process and its stdout, read to the end through a pipe.

    A failure or a timeout raises, so a broken contender is never timed as fast.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=REPO)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"timed out after {timeout:g} s: {argv[:4]}") from None
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"exit status {proc.returncode} from {argv[:4]}:\n"
                           f"{err.decode(errors='replace')[-2000:]}")
    return elapsed, out
