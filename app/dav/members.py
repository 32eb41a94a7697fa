"""Outcomes for operations on a collection that the server answered member by member.

RFC 4918 lets DELETE, COPY and MOVE of a collection answer a 207 that lists
only the members that failed; members not listed succeeded. Apache sends the
same body with 424 Failed Dependency when a member is locked, and other
servers send a bare 423 whose <d:error> names the locked member
(quirks.LOCKED_MEMBER_ANSWERS). All three
become the same Outcomes: each failed member by name with its own status, and
one for the collection that says truthfully what happened to the rest.
A PROPPATCH answers property by property in the same format; its
propstats become one Outcome for the resource. Nextcloud's bulk upload
answers file by file in JSON, a multistatus of its own: each file it names
becomes its Outcome.

The client sends the request and hands the answer over: a 207 is parsed here
as it streams in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from app.dav import etags, multistatus
from app.dav.bodies import Reply
from app.dav.errors import (
    LockedError,
    MultiStatusError,
    StatusError,
    map_transport_error,
    reason_phrase,
)
from app.dav.multistatus import MultiStatus
from app.dav.outcome import Outcome, Source, success
from app.dav.paths import same_resource


def member_outcomes(
    op: str,
    path: str,
    method: str,
    response: httpx.Response,
    body: bytes | None,
    destination: str | None = None,
) -> list[Outcome] | None:
    """Per-member Outcomes when the server answered with a multistatus, else None.

    A 207 is parsed as it streams in; any other status comes with its XML
    body already read (body), which the caller then reuses for its error.
    """
    if response.status_code == 207:
        parsed = parse_streamed(response, method)
    else:
        if body is None or b"multistatus" not in body:
            return None
        try:
            parsed = multistatus.parse(body, str(response.url))
        except MultiStatusError:
            return None
    return collection_outcomes(
        op, path, response.status_code, response.reason_phrase, parsed, destination=destination
    )


def parse_streamed(response: httpx.Response, method: str) -> MultiStatus:
    """A 207 body parsed as it arrives, never buffered whole.

    It may list thousands of members, or be 50 MB of nested elements from
    a hostile server: parsing stops at the first byte that breaks it.
    """
    try:
        return multistatus.parse(response.iter_bytes(), str(response.url))
    except httpx.TransportError as exc:
        raise map_transport_error(exc, method, str(response.url)) from exc


def _is_ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def collection_outcomes(
    op: str,
    path: str,
    status: int,
    reason: str,
    parsed: MultiStatus,
    *,
    destination: str | None = None,
) -> list[Outcome]:
    """One Outcome per member the multistatus lists, plus the collection's own."""
    members: list[Outcome] = []
    own: Outcome | None = None
    for response in parsed.responses:
        for href in response.hrefs:
            outcome = Outcome(
                op,
                href,
                response.status,
                response.reason or reason_phrase(response.status),
                ok=_is_ok(response.status),
                error=response.error[0] if response.error else None,
                description=response.description,
                location=response.location,
                destination=destination if same_resource(href, path) else None,
                source=Source.MULTISTATUS,
            )
            if same_resource(href, path):
                own = outcome
            else:
                members.append(outcome)
    failed = [m for m in members if not m.ok]
    if own is not None and not own.ok:
        collection = own
    elif failed:
        collection = Outcome(
            op,
            path,
            status,
            reason or reason_phrase(status),
            ok=False,
            description=parsed.description,
            note=_partial_note(op, status, len(failed)),
            destination=destination,
            source=Source.MULTISTATUS,
        )
    else:
        collection = own or Outcome(
            op,
            path,
            status,
            reason or reason_phrase(status),
            ok=_is_ok(status),
            description=parsed.description,
            destination=destination,
            source=Source.MULTISTATUS,
        )
    return [*members, collection]


def _partial_note(op: str, status: int, failures: int) -> str:
    """What a multistatus with failed members means for the rest of the collection.

    Only a 207 promises that unlisted members succeeded (RFC 4918 9.6.1);
    Apache's 424 means the whole request was refused because of the members.
    """
    if status == 207:
        rest = "were deleted; the folder remains" if op == "delete" else "succeeded"
        return f"{failures} member(s) failed; the members not listed {rest}"
    return f"{failures} member(s) failed, so the server refused the whole {op}"


def locked_member_outcomes(
    op: str, path: str, exc: StatusError, destination: str | None = None
) -> list[Outcome] | None:
    """A 423 whose error body names members other than the target: one Outcome each.

    None when the error is about the target itself, so the caller reports it
    as a plain failure.
    """
    if not isinstance(exc, LockedError):
        return None
    members = [href for href in exc.condition_hrefs if not same_resource(href, path)]
    if not members:
        return None
    outcomes = [
        Outcome(
            op,
            href,
            exc.status,
            exc.reason,
            ok=False,
            error=exc.condition,
            description=exc.description,
            source=Source.RESPONSE,
        )
        for href in members
    ]
    outcomes.append(
        Outcome(
            op,
            path,
            exc.status,
            exc.reason,
            ok=False,
            error=exc.condition,
            description=exc.description,
            note=f"{len(members)} locked member(s) kept the folder from being changed",
            destination=destination,
            source=Source.RESPONSE,
        )
    )
    return outcomes


def proppatch_outcome(path: str, parsed: MultiStatus) -> Outcome:
    """One Outcome for a PROPPATCH: its propstats summarised, the first failure as its status."""
    parts = []
    failure = None
    for response in parsed.responses:
        for propstat in response.propstats:
            names = ", ".join(sorted(propstat.props)) or "(none)"
            parts.append(f"{names}: {propstat.status} {propstat.reason}".strip())
            if failure is None and not (propstat.status and 200 <= propstat.status < 300):
                failure = propstat
    if failure is None:
        return success(
            "proppatch", path, 207, note="; ".join(parts) or None, source=Source.MULTISTATUS
        )
    return Outcome(
        "proppatch",
        path,
        failure.status,
        failure.reason,
        ok=False,
        error=failure.error[0] if failure.error else None,
        description=failure.description,
        note="; ".join(parts),
        source=Source.MULTISTATUS,
    )


def batch_outcomes(reply: Reply, by_file_path: Mapping[str, str], size: int) -> dict[str, Outcome]:
    """Each file's Outcome from a bulk upload's JSON answer, by the file's path.

    by_file_path: X-File-Path -> the file's path; size: the files in the batch.
    A file the answer leaves out, or names in a form it should not, gets none.
    """
    try:
        answer = json.loads(reply.body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return {}
    outcomes: dict[str, Outcome] = {}
    for file_path, entry in answer.items():
        path = by_file_path.get(file_path)
        if path is None or not isinstance(entry, dict):
            continue
        outcomes[path] = _batch_entry(path, entry, reply.status, reply.reason, size)
    return outcomes


def _batch_entry(path: str, entry: dict[str, Any], status: int, reason: str, size: int) -> Outcome:
    """A file's entry in the JSON answer as its Outcome; the POST's status is the batch's.

    Nextcloud names the ETag bare where its listings quote it (quirks.UNQUOTED_ETAG).
    """
    note = f"uploaded in a batch of {size}"
    if entry.get("error") is False:
        etag = entry.get("etag")
        return Outcome(
            "put",
            path,
            status,
            reason,
            ok=True,
            etag=etags.quoted(etag) if isinstance(etag, str) and etag else None,
            source=Source.JSON_BATCH,
            note=note,
        )
    message = entry.get("message")
    return Outcome(
        "put",
        path,
        status,
        reason,
        ok=False,
        error="bulk-upload-failed",
        description=message if isinstance(message, str) and message else None,
        source=Source.JSON_BATCH,
        note=f"refused in a batch of {size}",
    )
