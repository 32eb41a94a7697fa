"""The retry loop every task runs in: attempts, and whether a lost one took effect.

One loop for every operation, under the one RetryPolicy (app/dav/retry.py,
the connection's unless the job has its own; docs/retries.md says what is
retried). What differs between operations (whether an attempt may simply be
sent again, how to tell whether a lost one was carried out) is asked of the
operation's description through app/jobs/operations.py.

Once an attempt has lost its answer (the connection broke, the server
stalled, a 500, 502 or 504), that attempt may have been carried out: a later
failure can then be its own doing (a DELETE answering 404, a create-only PUT
412), and a last attempt that lost its answer too says nothing either way.
Before such a task is reported failed, the server is asked whether it was
done after all, so the Outcome says what the server now holds, or that the
server would not say ("unconfirmed").

Why this is a loop of its own rather than RetryPolicy.run, the loop a write
outside a job goes through (docs/retries.md). Both take
every decision from the same RetryPolicy (should_retry, delay,
should_ask_again and its checks budget); what differs is what they hand back.
run sends one request and returns its value or raises the error it gave up
on; this loop hands back a task's Outcomes and never raises, and these of
its answers cannot be had from run without making its decisions again
around it (a version over run that counted the attempts, kept the lost flag
and checked returned Outcomes itself still failed 6 of the 14 cases of
tests/jobs/test_attempts.py):

- a cancel during the wait before the next attempt ends the task
  "cancelled" (MAY_HAVE) with nothing more sent; run asks took_effect first,
  so a cancelled job would send a check and report a cancelled delete as
  done;
- a request cut off by the cancel ends "cancelled" (CUT_OFF), unchecked;
  run checks it;
- a check that cannot tell between attempts leads to the next attempt,
  whose answer is the next clue; run ends there (UnconfirmedError);
- an attempt answered with a failed Outcome rather than an exception
  (operations.execute makes a 412 or 404 one) after a lost answer is
  checked too; run returns whatever the call returned;
- the attempt count: a task found done by the check once a retry was
  decided counts that attempt (Tried.attempts, the Outcome's attempt), and
  the error given up on is kept as it was, while run marks it
  (DavError.attempts adds "gave up after N attempts" to its text, which
  would change every failed Outcome's detail and a job's error).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.dav import DavClient, Outcome, Source, errors
from app.dav.outcome import UNCONFIRMED, OutcomeClass, cancelled, from_error
from app.dav.retry import RetryPolicy
from app.jobs.context import Cancelled
from app.jobs.model import Task
from app.jobs.operations import already_done, is_idempotent

log = logging.getLogger(__name__)

CUT_OFF = (
    "cut off by the cancel while the request was under way: the server may have carried it out"
)
MAY_HAVE = "cancelled after an attempt that lost its answer: the server may have carried it out"


@dataclass(frozen=True, slots=True)
class Tried:
    """How a task's attempts ended. failure: the error given up on, when the task failed of
    it (the runner decides from it whether the job can go on)."""

    outcomes: list[Outcome]
    attempts: int
    failure: errors.DavError | None = None


class Attempts:
    """Runs one job's tasks to their Outcomes, each as many times as is worth it.

    cancel: the job's cancel; it ends the waits between attempts at once and
    stops the loop. Safe to share between the job's worker threads: it keeps
    no state of its own between calls.
    """

    def __init__(
        self, client: DavClient, policy: RetryPolicy, cancel: threading.Event, job_id: int
    ) -> None:
        self._client = client
        self._policy = policy
        self._cancel = cancel
        self._job_id = job_id

    def run(self, task: Task, attempt_once: Callable[[], list[Outcome]]) -> Tried:
        """Run a task, retrying what is worth retrying: its Outcomes and attempt count.

        attempt_once: one attempt of the task (operations.execute with the runner's
        context: its progress, pause and bandwidth limit).
        """
        attempt = 1
        lost_answer = False
        while True:
            try:
                outcomes = attempt_once()
            except Cancelled:
                return Tried([cancelled(task.op.value, task.remote)], attempt)
            except errors.DavError as exc:
                if self._cancel.is_set() and isinstance(exc, errors.TransportError):
                    sent = not isinstance(exc, errors.ConnectError)
                    effect = CUT_OFF if sent and not is_idempotent(task) else None
                    return Tried(
                        [
                            replace(
                                cancelled(task.op.value, task.remote), note=effect, detail=str(exc)
                            )
                        ],
                        attempt,
                    )
                lost_answer = lost_answer or exc.may_have_acted
                if self._policy.should_retry(exc, attempt) and not self._cancel.is_set():
                    self._cancel.wait(self._policy.delay(exc, attempt))
                    attempt += 1
                    if self._cancel.is_set():
                        return Tried([self._cancelled_after(task, lost_answer)], attempt)
                    done = self.took_effect(task, lost_answer, str(exc))
                    # Not confirmed either way: the next attempt's answer is the next clue.
                    if done is not None and (all(o.ok for o in done) or self._cancel.is_set()):
                        return Tried(done, attempt)
                    continue
                done = self.took_effect(task, lost_answer, str(exc))
                failure = exc if done is None or not all(o.ok for o in done) else None
                return Tried(
                    done or [from_error(task.op.value, task.remote, exc, attempt=attempt)],
                    attempt,
                    failure,
                )
            except Exception as exc:  # a local failure or a bug: this task fails, the job goes on
                log.exception("job %s: task %s %s raised", self._job_id, task.op, task.remote)
                return Tried([raised(task, exc)], attempt)
            if lost_answer and not all(o.ok for o in outcomes):
                done = self.took_effect(task, lost_answer, _answered(outcomes))
                if done is not None:
                    return Tried(done, attempt)
            return Tried(outcomes, attempt)

    def took_effect(self, task: Task, lost_answer: bool, answered: str) -> list[Outcome] | None:
        """Whether a non-idempotent request that lost its answer was carried out anyway.

        Its Outcomes ("already done") when the server shows it was; None when
        the server shows it was not; an unconfirmed Outcome when the server
        kept failing the question. The question only reads, so it is asked
        again on any 5xx or transport failure, on a budget of its own
        (RetryPolicy.checks): an unanswered question must not turn into a
        claim either way, such as a 412 for a file that is on the server
        whole, or a failed delete of a file that is gone. answered: what the
        last attempt got, kept in the unconfirmed Outcome.
        """
        if is_idempotent(task) or not lost_answer:
            return None
        asked = 1
        while True:
            try:
                return already_done(self._client, task)
            except errors.DavError as exc:
                if not self._policy.should_ask_again(exc, asked) or self._cancel.is_set():
                    return [unconfirmed(task, answered, exc, asked)]
                self._cancel.wait(self._policy.delay(exc, asked))
                asked += 1

    def _cancelled_after(self, task: Task, lost_answer: bool) -> Outcome:
        """A task cancelled between attempts: an earlier one may have been carried out."""
        effect = MAY_HAVE if lost_answer and not is_idempotent(task) else None
        return replace(cancelled(task.op.value, task.remote), note=effect)


def raised(task: Task, exc: Exception) -> Outcome:
    """The Outcome of a task that raised something other than a DavError (a bug, or the
    engine breaking around it): the task fails with the exception's name, the job goes on."""
    return Outcome(
        task.op.value,
        task.remote,
        None,
        type(exc).__name__,
        ok=False,
        source=Source.LOCAL,
        detail=str(exc),
    )


def unconfirmed(task: Task, answered: str, check: errors.DavError, asked: int) -> Outcome:
    """The Outcome of a task whose effect the server would not confirm or deny."""
    failing = "kept failing" if asked > 1 else "failed"
    return Outcome(
        task.op.value,
        task.remote,
        None,
        UNCONFIRMED,
        ok=False,
        destination=task.destination,
        marked=OutcomeClass.UNCONFIRMED,
        source=Source.TRANSPORT if isinstance(check, errors.TransportError) else Source.LOCAL,
        note=f"could not be confirmed: an attempt lost its answer and the server "
        f"{failing} the check of whether it took effect "
        f"(asked {asked} time{'s' if asked > 1 else ''})",
        detail=f"last attempt: {answered}; the check: {check}",
    )


def _answered(outcomes: Sequence[Outcome]) -> str:
    """What a failed attempt's answer was, in one line."""
    failed = next(o for o in outcomes if not o.ok)
    said = "; ".join(filter(None, (failed.description, failed.note, failed.detail)))
    status = f"{failed.status} {failed.reason}" if failed.status else failed.reason
    return f"{status}: {said}" if said else status
