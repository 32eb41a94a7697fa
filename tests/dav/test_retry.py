"""RetryPolicy.run with a check of whether a lost attempt took effect (a write outside a job).

The loop's decisions in isolation: which failures are checked before sending
again, which are sent again as they are, and what is said when the budget is
spent or the check cannot tell. The servers' side is in tests/hardening
(test_write_faults.py, test_nextcloud_write_faults.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.dav import errors, words
from app.dav.retry import RetryPolicy

POLICY = RetryPolicy(attempts=4, base_delay=0.0, max_delay=0.0)
URL = "http://dav.example/a.txt"


def lost() -> errors.DavError:
    return errors.ProtocolError(f"LOCK {URL}: connection failed: reset")


def status(code: int) -> errors.StatusError:
    return errors.status_error_class(code)("LOCK", URL, code)


def scripted(*answers: object) -> tuple[Callable[[], str], list[int]]:
    """A call answering in turn: an exception is raised, anything else returned."""
    sent: list[int] = []

    def call() -> str:
        sent.append(1)
        answer = answers[len(sent) - 1]
        if isinstance(answer, BaseException):
            raise answer
        return str(answer)

    return call, sent


def never_waits(seconds: float) -> bool:
    return False


def test_a_lost_answer_shown_done_is_not_sent_again():
    call, sent = scripted(lost(), "again")
    checks = []
    assert POLICY.run(call, never_waits, took_effect=lambda: checks.append(1) or "found") == "found"
    assert len(sent) == 1 and len(checks) == 1


def test_a_lost_answer_shown_not_done_is_sent_again():
    call, sent = scripted(lost(), status(500), "made")
    asked = []
    assert POLICY.run(call, never_waits, took_effect=lambda: asked.append(1)) == "made"
    assert len(sent) == 3 and len(asked) == 2  # after the lost answer and after the 500


@pytest.mark.parametrize("code", [408, 429, 503])
def test_a_failure_before_the_server_acted_is_sent_again_unchecked(code):
    call, sent = scripted(status(code), "made")
    assert POLICY.run(call, never_waits, took_effect=lambda: pytest.fail("checked")) == "made"
    assert len(sent) == 2


def test_after_a_lost_answer_a_refusal_may_be_its_own_doing():
    """A second LOCK meets the lock the first one took: the check finds it ours."""
    call, _ = scripted(lost(), status(423))
    assert POLICY.run(call, never_waits, took_effect=lambda: "ours") == "ours"


def test_a_refusal_without_a_lost_answer_is_not_checked():
    call, _ = scripted(status(423))
    with pytest.raises(errors.LockedError):
        POLICY.run(call, never_waits, took_effect=lambda: pytest.fail("checked"))


def test_a_spent_budget_says_how_many_attempts_and_what_the_last_met():
    call, sent = scripted(*[status(503)] * POLICY.attempts)
    with pytest.raises(errors.RetryableStatusError) as caught:
        POLICY.run(call, never_waits, took_effect=lambda: None)
    assert len(sent) == POLICY.attempts == caught.value.attempts
    assert (
        words.explain(caught.value)
        == f"Server unavailable (503 Service Unavailable) (after {POLICY.attempts} attempts)"
    )


def test_a_check_that_fails_leaves_it_unconfirmed_in_words():
    def check() -> str:
        raise errors.RetryableStatusError("PROPFIND", URL, 500)

    call, sent = scripted(status(503), lost())
    with pytest.raises(errors.UnconfirmedError) as caught:
        POLICY.run(call, never_waits, took_effect=check)
    assert len(sent) == 2 and caught.value.attempts == 2
    assert isinstance(caught.value.failed, errors.ProtocolError)
    assert words.explain(caught.value) == (
        f"Not confirmed: the answer was lost (LOCK {URL}: connection failed: reset; whether it "
        f"took effect is not known: the check met PROPFIND {URL}: 500 Internal Server Error) "
        "(after 2 attempts)"
    )


def test_a_check_that_cannot_tell_says_why():
    def check() -> str:
        raise errors.CannotTell("the server does not show lock tokens")

    call, _ = scripted(lost())
    with pytest.raises(errors.UnconfirmedError, match="not known: the server does not show"):
        POLICY.run(call, never_waits, took_effect=check)


def test_a_cancelled_wait_ends_the_attempts():
    call, sent = scripted(status(503), "made")
    with pytest.raises(errors.RetryableStatusError) as caught:
        POLICY.run(call, lambda seconds: True, took_effect=lambda: None)
    assert len(sent) == 1 and caught.value.attempts == 1


def test_words_for_a_connection_given_up_on_name_the_attempts_once():
    error = lost()
    error.attempts = 3
    said = words.explain(error)
    assert said.endswith(f"(LOCK {URL}: connection failed: reset) (after 3 attempts)")
    assert "gave up" not in said
