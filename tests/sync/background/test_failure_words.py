"""A pair's failures in words: a short state line a person reads at a glance, the remedy where
only the user can end it, the technical detail kept beside it (tooltip, pair list, log)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from app.dav import errors
from app.dav.outcome import Outcome
from app.sync.background.failure import failure_of
from app.sync.background.report import PairReport, failed_words
from app.sync.background.status import PairState, PairStatus, read_status
from app.sync.background.types import PairStopped, QuietListener


def _refused() -> errors.ConnectError:
    refused = errors.ConnectError(
        "GET http://127.0.0.1:9/status.php: cannot connect: [Errno 111] Connection refused"
    )
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    refused.attempts = 3
    return refused


@pytest.mark.parametrize(
    ("error", "what", "remedy"),
    [
        (_refused(), "Server unreachable", ""),
        (errors.TimeoutError("read timed out"), "Server not answering", ""),
        (errors.RetryableStatusError("PROPFIND", "http://h/", 502), "Server unavailable", ""),
        (errors.ServerError("PROPFIND", "http://h/", 505), "Server error", ""),
        (errors.AuthenticationError("PROPFIND", "http://h/", 401), "Signed out", "sign in again"),
        (
            errors.ForbiddenError("PROPFIND", "http://h/", 403),
            "Not allowed",
            "ask for access to the server folder",
        ),
        (
            errors.CertificateError("untrusted", url="https://h/", reason="self-signed"),
            "Certificate not trusted",
            "connect to the server to check its certificate",
        ),
        (
            errors.InsufficientStorageError("PUT", "http://h/a", 507),
            "Server full",
            "make room on the server",
        ),
        (
            errors.NotFoundError("PROPFIND", "http://h/team/", 404),
            "Server folder gone",
            "restore it or remove the pair",
        ),
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "Disk full on this computer",
            "free some space",
        ),
        (
            FileNotFoundError(errno.ENOENT, "No such file or directory", "/home/u/Team"),
            "Local folder gone",
            "restore it or remove the pair",
        ),
        (sqlite3.OperationalError("disk I/O error"), "Sync records unreadable", ""),
    ],
)
def test_every_kind_of_failure_in_words_with_its_remedy(error, what, remedy):
    failure = failure_of(error)
    assert (failure.what, failure.remedy, failure.needs_user) == (what, remedy, bool(remedy))
    assert str(error) in failure.detail  # the technical rest, whole


def test_a_front_end_s_own_refusal_to_connect_is_cannot_sign_in_with_its_words_as_detail():
    no_password = errors.DavError("no password for bob: set DAVDESK_PASSWORD")
    failure = failure_of(no_password, connecting=True)
    assert (failure.what, failure.detail) == ("Cannot sign in", str(no_password))
    assert not failure.needs_user  # tried again: the keyring may answer next time
    assert failure_of(no_password).what == "Unexpected error"  # not from connecting


def test_the_detail_keeps_what_the_words_leave_out():
    failure = failure_of(_refused())
    assert failure.what == "Server unreachable"
    assert failure.detail == (
        "GET http://127.0.0.1:9/status.php: cannot connect: [Errno 111] Connection refused"
        " (gave up after 3 attempts)"
    )


class _Stops(QuietListener):
    def __init__(self) -> None:
        self.statuses: list[PairStatus] = []
        self.stopped: list[PairStopped] = []

    def status_changed(self, status: PairStatus) -> None:
        self.statuses.append(status)

    def pair_stopped(self, stopped: PairStopped) -> None:
        self.stopped.append(stopped)


def test_the_state_line_counts_down_to_the_next_try_and_the_file_keeps_the_detail(
    tmp_path: Path,
):
    listener, clock = _Stops(), [1000.0]
    report = PairReport("Team", tmp_path, tmp_path / "team.status.json", listener, lambda: clock[0])
    report.failed(failure_of(_refused()), wait=30.0)
    status = report.status
    assert (status.state, status.text) == (PairState.WAITING, "server unreachable")
    assert status.line(1000.0) == "server unreachable: trying again in 30 s"
    assert status.line(1029.2) == "server unreachable: trying again in 1 s"
    assert status.line(1031.0) == "server unreachable: trying again now"
    assert status.detail is not None and "[Errno 111] Connection refused" in status.detail
    report.failed(failure_of(_refused()), wait=600.0)
    assert report.status.line(1000.0) == "server unreachable: trying again in 10 min"
    assert report.status.line(1100.0) == "server unreachable: trying again in 9 min"
    written = read_status(tmp_path / "team.status.json", "Team")  # what pair list reads
    assert (written.text, written.retry_at, written.detail) == (
        "server unreachable",
        1600.0,
        status.detail,
    )
    assert not listener.stopped  # twice is not yet a stop
    report.failed(failure_of(_refused()), wait=600.0)
    report.failed(failure_of(_refused()), wait=600.0)
    assert [s.reason for s in listener.stopped] == [
        "Server unreachable: Davdesk tries again by itself"
    ]  # once, not at every failure
    report.say(PairState.SCANNING, "looking for changes")
    assert report.status.detail is None and report.status.retry_at is None
    assert report.status.line(1000.0) == "looking for changes"


def test_a_refused_password_says_what_to_do_without_a_countdown(tmp_path: Path):
    listener = _Stops()
    report = PairReport("Team", tmp_path, tmp_path / "team.status.json", listener, lambda: 0.0)
    report.failed(failure_of(errors.AuthenticationError("PROPFIND", "http://h/", 401)), 5.0)
    assert (report.status.state, report.status.line(0.0)) == (
        PairState.ERROR,
        "signed out: sign in again",
    )
    assert report.status.detail == "PROPFIND http://h/: 401 Unauthorized"
    assert [s.reason for s in listener.stopped] == ["Signed out: sign in again"]


def test_a_run_s_failed_files_are_named_briefly_and_listed_in_the_detail():
    locked = Outcome("put", "/team/report.txt", 423, "Locked")
    what, detail = failed_words([locked])
    assert what == "report.txt not synced (Locked)"
    assert detail == "Upload /team/report.txt: Locked (423 Locked)"
    many = [Outcome("put", f"/team/{n}.txt", 500, "Internal Server Error") for n in range(7)]
    what, detail = failed_words(many)
    assert what == "7 files not synced"
    assert detail.splitlines()[0] == "Upload /team/0.txt: Server error (500 Internal Server Error)"
    assert detail.splitlines()[-1] == "and 2 more"
