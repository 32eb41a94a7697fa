"""The CLI's progress line: one self-overwriting line that keeps up with printed results."""

from __future__ import annotations

import io

from app.cli.run import ProgressBar
from app.jobs.model import JobProgress


def progress(files_done: int, bytes_done: int) -> JobProgress:
    return JobProgress(
        1,
        files_done,
        40,
        bytes_done,
        8 * 1048576,
        524288.0,
        12.0,
        (),
        False,
        fraction=bytes_done / (8 * 1048576),
    )


def test_the_line_overwrites_itself_and_counts_reported_tasks():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.draw(progress(2, 2 * 1048576))
    assert stream.getvalue() == (
        "\r[######..................] 2/40 files  2.0/8.0 MiB  0.5 MiB/s ETA 12s\x1b[K"
    )
    bar.clear()
    for _ in range(5):
        bar.task_done()  # five results printed before the next progress event
    assert stream.getvalue().endswith("] 5/40 files  2.0/8.0 MiB  0.5 MiB/s ETA 12s\x1b[K")
    bar.clear()
    assert stream.getvalue().endswith("\r\x1b[K")
