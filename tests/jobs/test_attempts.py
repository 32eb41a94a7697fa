"""The retry loop every task runs in (app/jobs/attempts.py), one task at a time.

An attempt is handed to the loop as a callable, so these tests say exactly
what each attempt met; the checks of whether a lost attempt took effect go
to a real server (wsgidav and Apache), or to an address where nothing
listens. How whole jobs come through faults is tests/jobs/test_runner.py's
and tests/hardening's.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest

from app.dav import DavClient, errors
from app.dav.outcome import OutcomeClass
from app.dav.retry import NO_RETRY, RetryPolicy
from app.jobs.attempts import CUT_OFF, MAY_HAVE, Attempts
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.operations import DONE_EARLIER, execute

QUICK = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, checks=2)
CTX = TaskContext(progress=lambda done, total: None)


def attempts_of(
    client: DavClient, policy: RetryPolicy = QUICK, cancel: threading.Event | None = None
) -> Attempts:
    return Attempts(client, policy, cancel or threading.Event(), job_id=1)


def scripted(*steps: Callable[[], list]) -> Callable[[], list]:
    """An attempt that does steps[0] the first time, steps[1] the second, and so on."""
    pending = list(steps)
    return lambda: pending.pop(0)()


def raise_(exc: Exception) -> Callable[[], list]:
    def step() -> list:
        raise exc

    return step


def test_a_delete_whose_answer_was_lost_is_confirmed_not_sent_again(client, base, dav_server):
    dav_server.make_file("gone.txt", b"x")
    task = Task(Op.DELETE, base + "gone.txt")

    def deleted_then_lost() -> list:
        execute(client, task, CTX)
        raise errors.TransportError("connection reset after the request was sent")

    tried = attempts_of(client).run(task, scripted(deleted_then_lost))

    [outcome] = tried.outcomes
    assert (outcome.ok, outcome.note) == (True, DONE_EARLIER)
    assert (tried.attempts, tried.failure) == (2, None)
    assert not (dav_server.root / "gone.txt").exists()


def test_a_lost_answer_that_did_not_take_effect_is_sent_again(client, base, dav_server):
    dav_server.make_file("kept.txt", b"x")
    task = Task(Op.DELETE, base + "kept.txt")
    lost = errors.TransportError("connection reset before the server acted")

    again = scripted(raise_(lost), lambda: execute(client, task, CTX))
    tried = attempts_of(client).run(task, again)

    assert [o.ok for o in tried.outcomes] == [True] and tried.attempts == 2
    assert tried.outcomes[0].note != DONE_EARLIER
    assert not (dav_server.root / "kept.txt").exists()


def test_a_busy_server_is_asked_again_without_a_check(client, base, dav_server):
    """A 503 comes before the server acted: the next attempt is sent as it is."""
    task = Task(Op.MKDIR, base + "new/", is_dir=True)
    busy = errors.RetryableStatusError("MKCOL", client.url(task.remote), 503)

    again = scripted(raise_(busy), lambda: execute(client, task, CTX))
    tried = attempts_of(client).run(task, again)

    [outcome] = tried.outcomes
    assert (outcome.ok, outcome.status, tried.attempts) == (True, 201, 2)
    assert (dav_server.root / "new").is_dir()


def test_giving_up_names_the_error_for_the_runner():
    task = Task(Op.DOWNLOAD, "/f.txt")
    refused = errors.ConnectError("connection refused")
    with DavClient(f"http://127.0.0.1:{_closed_port()}/") as client:
        tried = attempts_of(client).run(task, scripted(*[raise_(refused)] * 3))

    [outcome] = tried.outcomes
    assert tried.failure is refused and tried.attempts == 3
    assert not outcome.ok and outcome.attempt == 3


def test_a_check_the_server_keeps_failing_is_unconfirmed():
    """Neither done nor failed: the attempt lost its answer, and nothing answers the check."""
    task = Task(Op.DELETE, "/f.txt")
    lost = errors.TransportError("connection reset")
    # As in a job: the check's requests are repeated by the loop only, not by the client too.
    with DavClient(f"http://127.0.0.1:{_closed_port()}/", retry=NO_RETRY) as client:
        tried = attempts_of(client, RetryPolicy(attempts=1, checks=2, base_delay=0.0)).run(
            task, scripted(raise_(lost))
        )

    [outcome] = tried.outcomes
    assert outcome.outcome_class is OutcomeClass.UNCONFIRMED
    assert "asked 2 times" in outcome.note and "connection reset" in outcome.detail
    assert tried.failure is lost


class CancelledWhileWaiting(threading.Event):
    """A job's cancel that the user presses during the wait before the next attempt."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def test_a_cancel_between_attempts_says_the_first_may_have_acted(client, base, dav_server):
    task = Task(Op.DELETE, base + "f.txt")
    lost = errors.TransportError("connection reset")

    tried = attempts_of(client, cancel=CancelledWhileWaiting()).run(task, scripted(raise_(lost)))

    [outcome] = tried.outcomes
    assert outcome.outcome_class is OutcomeClass.CANCELLED and outcome.note == MAY_HAVE


def test_a_cancel_that_cuts_a_request_off_says_it_may_have_acted(client, base, dav_server):
    task = Task(Op.DELETE, base + "f.txt")
    cancel = threading.Event()

    def cut_off() -> list:
        cancel.set()
        raise errors.TransportError("cut off by the cancel")

    tried = attempts_of(client, cancel=cancel).run(task, scripted(cut_off))

    [outcome] = tried.outcomes
    assert outcome.outcome_class is OutcomeClass.CANCELLED and outcome.note == CUT_OFF


@pytest.mark.expected_log("raised")
def test_a_bug_in_an_attempt_fails_the_task_alone(client, base):
    tried = attempts_of(client).run(
        Task(Op.DELETE, base + "f.txt"), scripted(raise_(RuntimeError("boom")))
    )

    [outcome] = tried.outcomes
    assert (outcome.ok, outcome.reason, outcome.detail, tried.failure) == (
        False,
        "RuntimeError",
        "boom",
        None,
    )


def _closed_port() -> int:
    """A loopback port where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
