"""The one vocabulary: what an Outcome means and how it is said, the same for every front end."""

from __future__ import annotations

import errno
import socket
from datetime import datetime

import pytest

from app.dav import errors, words
from app.dav.outcome import (
    Outcome,
    OutcomeClass,
    Source,
    Tally,
    already_gone,
    cancelled,
    from_error,
    skipped,
    success,
)
from app.dav.xmlbodies import ActiveLock


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        (success("put", "/a.txt", 201), "Uploaded"),
        (success("put", "/a.txt", 204), "Replaced"),
        (success("get", "/a.txt", 200), "Downloaded"),
        (success("delete", "/a.txt", 204), "Deleted"),
        (already_gone("delete", "/a.txt"), "Deleted"),
        (success("copy", "/a.txt", 201, destination="/b/a.txt"), "Copied"),
        (success("move", "/a.txt", 201, destination="/b/a.txt"), "Moved"),
        (success("move", "/d/a.txt", 201, destination="/d/b.txt"), "Renamed"),
        (success("mkcol", "/d/", 201), "Created folder"),
        (skipped("put", "/a.txt", "exists on the server"), "Skipped"),
        (Outcome("put", "/a.txt", 423, "Locked"), "Upload"),
        (
            Outcome("put", "/a.txt", None, "would upload", ok=True, source=Source.DRY_RUN),
            "Would upload",
        ),
    ],
)
def test_the_operation_in_words(outcome, said):
    assert words.action(outcome) == said


SEEN = datetime(2026, 5, 4, 13, 2, 0).astimezone()
ALICE = ActiveLock("opaquelocktoken:1", "alice", "Second-3600", "0", "exclusive", None)


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        (Outcome("put", "/a.txt", 423, "Locked"), "Locked by alice until 14:02"),
        (
            Outcome("delete", "/d/", 207, "Multi-Status", error="lock-token-submitted"),
            "Locked by alice until 14:02",
        ),
        (
            Outcome(
                "put",
                "/a.txt",
                412,
                "Precondition Failed",
                note="changed on the server since it was listed",
            ),
            "Changed on the server since you looked",
        ),
        (
            Outcome(
                "put",
                "/a.txt",
                412,
                "Precondition Failed",
                note="appeared on the server after planning",
            ),
            "Already on the server",
        ),
        (
            Outcome("copy", "/a.txt", 412, "Precondition Failed", destination="/b/a.txt"),
            "Already exists at the destination",
        ),
        (
            Outcome("get", "/a.txt", None, "exists locally", error="target-exists"),
            "Already exists on this computer",
        ),
        (Outcome("put", "/a.txt", 403, "Forbidden"), "Not allowed"),
        (Outcome("get", "/a.txt", 404, "Not Found"), "Not on the server"),
        (Outcome("put", "/a.txt", 500, "Internal Server Error"), "Server error"),
        (Outcome("put", "/a.txt", 401, "Unauthorized"), "User name or password refused"),
        (
            Outcome("put", "/a.txt", None, "ConnectError", source=Source.TRANSPORT),
            "Could not connect",
        ),
        (cancelled("put", "/a.txt"), "Cancelled"),
        (success("put", "/a.txt", 201), ""),
        (already_gone("delete", "/a.txt"), ""),
    ],
)
def test_the_problem_in_words(outcome, said):
    assert words.problem(outcome, [ALICE], SEEN) == said


def test_the_meaning_is_read_from_explicit_classes_not_from_reason_text():
    not_really = Outcome("put", "/a.txt", None, "cancelled", ok=False, source=Source.LOCAL)
    assert not_really.outcome_class is OutcomeClass.FAILED  # its reason is only text
    assert cancelled("put", "/a.txt").outcome_class is OutcomeClass.CANCELLED
    assert skipped("put", "/a.txt", "why").outcome_class is OutcomeClass.SKIPPED
    assert skipped("put", "/a.txt", "why").ok
    locked = Outcome("put", "/a.txt", 423, "Locked")
    assert (
        locked.is_locked and not locked.is_conflict and locked.outcome_class is OutcomeClass.FAILED
    )
    taken = Outcome("copy", "/a.txt", 412, "Precondition Failed")
    assert taken.is_conflict and taken.outcome_class is OutcomeClass.CONFLICT
    assert Outcome("put", "/a.txt", 401, "Unauthorized").needs_sign_in
    gone = already_gone("delete", "/a.txt")
    assert gone.ok and gone.already_gone and gone.status_line == "404 Not Found"


def test_davdesk_s_note_only_where_it_says_something():
    upload = success("put", "/a.txt", 201, note="mtime kept as a dead property")
    assert words.note(upload) == ""
    refused = success("put", "/a.txt", 201, note="server refused to keep the mtime (403 Forbidden)")
    assert words.note(refused) == "server refused to keep the mtime (403 Forbidden)"
    conflict = Outcome(
        "put",
        "/a.txt",
        412,
        "Precondition Failed",
        note="changed on the server since it was listed",
    )
    assert words.note(conflict) == ""  # the problem column says it
    assert words.note(skipped("put", "/a.txt", "exists on the server")) == "exists on the server"


def test_counts_add_up():
    outcomes = [
        success("put", "/a", 201),
        skipped("put", "/b", "x"),
        Outcome("put", "/c", 412, "Precondition Failed"),
        Outcome("put", "/d", 423, "Locked"),
        cancelled("put", "/e"),
        already_gone("delete", "/f"),
    ]
    tally = Tally.of(outcomes)
    assert (tally.done, tally.skipped, tally.conflicts, tally.failed, tally.cancelled) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert tally.total == len(outcomes) and tally.problems == 3
    assert words.tally_words(tally) == "2 done · 1 skipped · 1 conflict · 1 failed · 1 cancelled"


def test_one_line_for_the_cli_and_the_status_bar():
    locked = from_error(
        "put",
        "/a.txt",
        errors.LockedError("PUT", "http://h/a.txt", 423, condition="lock-token-submitted"),
    )
    assert words.outcome_line(locked, [ALICE]).startswith("Upload /a.txt: Locked by alice until ")
    assert words.outcome_line(locked).endswith("(423 Locked, lock-token-submitted)")
    assert (
        words.outcome_line(success("copy", "/a.txt", 201, destination="/b/a.txt"))
        == "Copied /a.txt → /b/a.txt"
    )


def test_connection_errors_in_words_with_a_way_forward():
    refused = errors.AuthenticationError("PROPFIND", "https://h/", 401)
    assert words.explain_connect(refused).text == "This server wants a user name and password."
    assert (
        words.explain_connect(refused, user="alice").text
        == "Wrong user name or password for alice."
    )
    for status in (405, 501):
        not_dav = errors.status_error_class(status)("PROPFIND", "https://h/", status)
        explained = words.explain_connect(not_dav)
        assert explained.text.startswith("This address does not speak WebDAV")
        assert explained.hints == words.NOT_WEBDAV_HINTS
    mkcol = errors.MethodNotAllowedError("MKCOL", "https://h/a/", 405)
    assert not words.explain_connect(mkcol).text.startswith("This address does not speak")


def test_https_to_a_plain_http_port_fails_at_once_and_says_so(tmp_path):
    """A TLS handshake that meets plain http is the same every time: not retried."""
    from app.dav import DavClient
    from tests.servers.plain_web import PlainWebServer

    with (
        PlainWebServer(tmp_path) as server,
        DavClient(f"https://{server.address}/") as client,
        pytest.raises(errors.TlsError) as raised,
    ):
        client.listdir("/")
    assert not raised.value.retryable
    assert words.trouble(raised.value) == "Secure connection failed"
    explained = words.explain_connect(raised.value, guessed_https=True)
    assert explained.plain_http and explained.text.startswith("This server does not speak https")


def _under(outer: BaseException, inner: BaseException) -> BaseException:
    """outer as the client raises it: raised from what the socket or TLS layer said."""
    outer.__cause__ = inner
    return outer


def _status(
    status: int, description: str | None = None, headers: dict[str, str] | None = None
) -> errors.StatusError:
    return errors.status_error_class(status)(
        "PROPFIND", "https://h/team/", status, description=description, headers=headers
    )


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            _under(errors.ConnectError("cannot connect"), ConnectionRefusedError(111, "refused")),
            "Server unreachable",
        ),
        (
            _under(errors.ConnectError("cannot connect"), OSError(113, "No route to host")),
            "Server unreachable",
        ),
        (
            _under(errors.ConnectError("cannot connect"), socket.gaierror(-2, "Name unknown")),
            "Server name unknown",
        ),
        (
            errors.CertificateError("untrusted", url="https://h/", reason="self-signed"),
            "Certificate not trusted",
        ),
        (errors.TimeoutError("read timed out"), "Server not answering"),
        (errors.ProtocolError("peer closed the connection"), "Connection broken"),
        (_status(401), "Signed out"),
        (_status(403), "Not allowed"),
        (_status(404), "Not on the server"),
        (_status(429), "Server busy"),
        (_status(500), "Server error"),
        (_status(503), "Server unavailable"),
        (_status(503, "System in maintenance mode."), "Server in maintenance"),
        (_status(503, headers={"x-nextcloud-maintenance-mode": "1"}), "Server in maintenance"),
        (_status(507), "Server full"),
        (errors.MultiStatusError("not XML"), "Server answer unreadable"),
        (OSError(errno.ENOSPC, "No space left on device"), "Disk full on this computer"),
        (PermissionError(errno.EACCES, "Permission denied"), "Not allowed on this computer"),
        (OSError(errno.EIO, "Input/output error"), "Error on this computer"),
        (KeyError("bug"), "Unexpected error"),
    ],
)
def test_what_stopped_background_work_in_a_few_words(error, said):
    """The words of a pair's state: no status code, address or errno in them."""
    assert words.trouble(error) == said


def test_a_closed_port_is_an_unreachable_server():
    from app.dav import DavClient
    from app.dav.retry import RetryPolicy

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the probe is
    with (
        DavClient(f"http://127.0.0.1:{port}/", retry=RetryPolicy(attempts=1)) as client,
        pytest.raises(errors.ConnectError) as raised,
    ):
        client.listdir("/")
    assert words.trouble(raised.value) == "Server unreachable"
    assert "Connection refused" in str(raised.value)  # the detail keeps the errno's words
