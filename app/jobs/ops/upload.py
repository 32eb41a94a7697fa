"""Upload a local file to the server (PUT, chunked or not as the client decides), guarded
against lost updates by what planning saw of the target.

The guard: not there when planned, or policy Ask: If-None-Match: *. There,
with an ETag: If-Match that ETag (Overwrite means overwrite the version the
user saw, not one written since). There without an ETag: size and
Last-Modified compared just before writing. There with neither ETag nor size
and time known (a retry with Overwrite after a conflict, where the user
chose to replace whatever is there now): a plain PUT, the only upload that
may simply be sent again after a lost answer. Any other lost answer is
checked first (took_effect): whether the server now holds the local file's
bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.dav import DavClient, Outcome, Resource, checksum, errors, etags
from app.dav.xmlbodies import LISTING_PROPS, OC
from app.jobs.conflict import Conflict
from app.jobs.context import Cancelled, TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import (
    Operation,
    conflict_outcome,
    skipped_as_outcome,
    stamp,
)
from app.jobs.ops.targets import free_target, name_undecided, skipped_as_there, would
from app.jobs.own_upload import send_over_own_start

#: Where the server keeps no checksum, a file up to this size whose upload lost its answer is
#: read back and compared byte for byte: one small GET is cheaper than a wrong Outcome.
COMPARE_BYTES_UP_TO = 1024 * 1024
#: Nextcloud's record of the checksums sent with a file's upload (OC-Checksum).
CHECKSUMS = f"{OC}checksums"


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    assert task.local is not None
    if skipped_as_there(task):
        return [skipped_as_outcome(task, "exists on the server")]
    guard = _guard(task)
    mtime = task.local.stat().st_mtime if ctx.keep_mtime else None
    try:
        if guard == "stamp":
            _check_stamp(client, task)
        return [
            client.put(
                task.remote,
                task.local,
                if_match=task.etag if guard == "etag" else None,
                if_none_match=guard == "absent",
                lock_token=task.lock_token,
                progress=ctx.progress,
                mtime=mtime,
                mtime_by_proppatch=ctx.mtime_by_proppatch,
                wait=ctx.wait,
            )
        ]
    except errors.PreconditionFailedError as exc:
        if task.conflict is Conflict.SKIP:
            return [skipped_as_outcome(task, "appeared on the server after planning")]
        if task.resumes:
            source = task.local
            resent = send_over_own_start(
                client,
                task,
                lambda etag: client.put(
                    task.remote,
                    source,
                    if_match=etag,
                    lock_token=task.lock_token,
                    progress=ctx.progress,
                    mtime=mtime,
                    mtime_by_proppatch=ctx.mtime_by_proppatch,
                    wait=ctx.wait,
                ),
            )
            if resent is not None:
                return [resent]
        why = (
            "appeared on the server after planning"
            if guard == "absent"
            else "changed on the server since it was listed"
        )
        return [conflict_outcome(task, exc, why)]
    except (Cancelled, errors.TransportError):
        if not task.exists:
            _remove_partial_upload(client, task)
        raise


def idempotent(task: Task) -> bool:
    return skipped_as_there(task) or _guard(task) == "none"


def took_effect(client: DavClient, task: Task) -> bool:
    """Whether the server now holds the local file's bytes.

    The size must match. Then the strongest evidence the server offers
    decides: the checksum Nextcloud keeps of what was uploaded
    (oc:checksums), else, for a small file, the bytes themselves read back.
    Without either (a big file on a plain server), a file that was not
    there when planned counts as landed, and one that was there must no
    longer be the version planning saw (its ETag, or size and time, changed).
    """
    if name_undecided(task):
        return False
    assert task.local is not None
    try:
        local_size = task.local.stat().st_size
    except OSError:
        return False
    props = (*LISTING_PROPS, CHECKSUMS) if client.extensions.checksum else LISTING_PROPS
    try:
        found = client.stat(task.remote, props)
    except errors.NotFoundError:
        return False
    if found.is_dir or found.size != local_size:
        return False
    same = _same_content(client, found, task.local)
    if same is not None:
        return same
    if not task.exists:
        return True
    if task.etag is not None:
        return not etags.same(found.etag, task.etag)
    return stamp(found) != (task.target_size, task.target_modified)


def intent(task: Task) -> tuple[str, str]:
    return would(task, "would upload")


OPERATION = Operation(
    Op.UPLOAD,
    run,
    idempotent=idempotent,
    took_effect=took_effect,
    intent=intent,
    target=free_target,
)


def _guard(task: Task) -> str:
    """Which lost-update guard an upload sends: "absent", "etag", "stamp" or "none".

    Ask never overwrites: If-None-Match: * makes the server refuse (412) when
    the target exists, so the user decides afterwards, as with COPY and MOVE.
    """
    if not task.exists or task.conflict is Conflict.ASK:
        return "absent"
    if task.etag is not None:
        return "etag"
    if task.target_size is not None or task.target_modified is not None:
        return "stamp"
    return "none"


def _check_stamp(client: DavClient, task: Task) -> None:
    """For servers without ETags: refuse to overwrite a file whose size or time has changed."""
    found = client.lookup(task.remote)
    if found is None:
        raise errors.PreconditionFailedError(
            "PUT",
            client.url(task.remote),
            412,
            local=True,
            description="deleted on the server since it was listed",
        )
    now = stamp(found)
    if now != (task.target_size, task.target_modified):
        raise errors.PreconditionFailedError(
            "PUT",
            client.url(task.remote),
            412,
            local=True,
            description=f"changed on the server since it was listed (size and time "
            f"{task.target_size}, {task.target_modified} are now {now[0]}, {now[1]})",
        )


def _remove_partial_upload(client: DavClient, task: Task) -> None:
    """Delete what an interrupted upload of a new file left on the server.

    Some servers (wsgidav) write a PUT body straight into the target and keep
    what arrived when the request is cut off. Only a file shorter than ours
    is removed: a cut-off body is necessarily shorter, and a file someone
    else created meanwhile is left alone unless it is too. Best effort: a
    server that is gone keeps the fragment, and the retry's check reports it.
    """
    assert task.local is not None
    try:
        found = client.lookup(task.remote)
        if found is not None and not found.is_dir and (found.size or 0) < task.local.stat().st_size:
            client.delete(task.remote)
    except (errors.DavError, OSError):
        pass


def _same_content(client: DavClient, found: Resource, local: Path) -> bool | None:
    """Whether the server's file has the local file's bytes; None when nothing tells cheaply."""
    for algorithm, digest in _kept_checksums(found):
        try:
            ours = checksum.of_source(algorithm, local)
        except KeyError:  # ADLER32 and the like: not one hashlib has
            continue
        return ours.partition(":")[2] == digest
    if (found.size or 0) > COMPARE_BYTES_UP_TO:
        return None
    try:
        reply = client.request(
            "GET", found.path, headers={"Accept-Encoding": "identity"}, limit=COMPARE_BYTES_UP_TO
        )
    except errors.NotFoundError:
        return False
    return reply.body == local.read_bytes()


def _kept_checksums(found: Resource) -> list[tuple[str, str]]:
    """(algorithm, lower-case hex) of each checksum in oc:checksums ("SHA1:ab.. MD5:cd..")."""
    value = re.sub(r"<[^>]*>", " ", found.props.get(CHECKSUMS, ""))
    pairs = (token.partition(":") for token in value.split())
    return [(name.upper(), digest.lower()) for name, colon, digest in pairs if colon and digest]
