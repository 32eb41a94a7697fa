"""Time left that can be trusted: a synthetic job with known costs, driven through the
tracker on a clock of its own, the estimate checked against the truth all along."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.jobs.model import Op, Task
from app.jobs.progress import ProgressTracker
from app.jobs.runner import dispatch_order

SMALL, BIG = 1_500, 400 * 1024 * 1024
STEP = 0.001  # simulated seconds per tick
EVENT_EVERY = 100  # ticks between progress events, as the runner's interval


@dataclass
class Running:
    task: Task
    left: float  # seconds of work left
    cost: float  # seconds the task takes in all


def simulate(tasks: list[Task], workers: int, per_file: float, per_byte: float):
    """Run the job on `workers` simulated workers; yield (now, progress) at each event and
    finally the end time. A task costs per_file plus its bytes at per_byte."""
    now = [0.0]
    tracker = ProgressTracker(1, len(tasks), sum(t.size for t in tasks), clock=lambda: now[0])
    queue = list(dispatch_order(tuple(tasks), workers))
    running: list[Running] = []
    events = []
    tick = 0
    while queue or running:
        while queue and len(running) < workers:
            task = queue.pop(0)
            cost = per_file + task.size * per_byte
            running.append(Running(task, cost, cost))
        now[0] += STEP
        tick += 1
        for job in list(running):
            job.left -= STEP
            if job.left <= 1e-12:
                running.remove(job)
                tracker.task_done(job.task.remote, job.task.size)
            elif job.task.size:
                share = 1 - job.left / job.cost
                tracker.transfer(job.task.remote, int(job.task.size * share), job.task.size)
        if tick % EVENT_EVERY == 0:
            events.append((now[0], tracker.snapshot()))
    return events, now[0]


@pytest.mark.parametrize("big_at", ["first", "last", "middle"])
@pytest.mark.parametrize(
    ("per_file", "per_byte"),
    [
        (0.002, 1 / (400 * 1024 * 1024)),  # loopback: 3 s in all, as the job
        (0.050, 1 / (20 * 1024 * 1024)),  # a slow server over the internet
    ],
)
def test_a_mixed_job_s_time_left_stays_within_a_factor_of_2(big_at, per_file, per_byte):
    small = [Task(Op.UPLOAD, f"/s/{n:04d}.txt", size=1024) for n in range(SMALL)]
    big = Task(Op.UPLOAD, "/s/big.iso", size=BIG)
    place = {"first": 0, "last": SMALL, "middle": SMALL // 2}[big_at]
    tasks = [*small[:place], big, *small[place:]]
    events, end = simulate(tasks, workers=4, per_file=per_file, per_byte=per_byte)
    checked = 0
    for now, progress in events:
        if now < 0.1 * end:
            continue
        truth = end - now
        assert progress.eta is not None, f"no estimate at {now:.2f} s of {end:.2f} s"
        assert truth / 2 - STEP * EVENT_EVERY <= progress.eta <= 2 * truth + STEP * EVENT_EVERY, (
            f"{progress.eta:.2f} s left at {now:.2f} s of {end:.2f} s"
        )
        checked += 1
    assert checked >= 10
    halfway = min(events, key=lambda e: abs(e[0] - end / 2))[1]
    assert 0.25 <= halfway.fraction <= 0.75  # the bar moves with files and bytes both
    fractions = [progress.fraction for _, progress in events]
    assert fractions[-1] > 0.9


def test_a_job_without_bytes_estimates_from_its_files_rate():
    tasks = [Task(Op.DELETE, f"/d/{n}.txt") for n in range(500)]
    events, end = simulate(tasks, workers=4, per_file=0.01, per_byte=0.0)
    for now, progress in events:
        if now >= 0.1 * end:
            assert progress.eta is not None and abs(progress.eta - (end - now)) <= 0.2
            assert abs(progress.fraction - now / end) <= 0.1
