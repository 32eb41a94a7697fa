"""What one task does, and whether an attempt that lost its answer took effect.

The runner owns retries, cancellation and events; execute() makes one attempt
and turns every failure that belongs to this one file into its Outcome.
Failures that belong to the job propagate instead: a retryable one (lost
connection, 503) so the runner can try again, AuthenticationError so it stops
asking the server, and Cancelled so the task ends as cancelled.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from app.dav import DavClient, Outcome, Resource, checksum, errors, etags
from app.dav.outcome import Source, already_gone, from_error, skipped, success
from app.dav.paths import basename, check_local_name, join, parent
from app.dav.xmlbodies import LISTING_PROPS, OC
from app.jobs.context import Cancelled, TaskContext
from app.jobs.model import Conflict, Op, Task
from app.jobs.naming import free_name, local_names, name_key
from app.jobs.own_upload import send_over_own_start

DONE_EARLIER = "completed by an earlier attempt"
#: Where the server keeps no checksum, a file up to this size whose upload lost its answer is
#: read back and compared byte for byte: one small GET is cheaper than a wrong Outcome.
COMPARE_BYTES_UP_TO = 1024 * 1024
#: Nextcloud's record of the checksums sent with a file's upload (OC-Checksum).
CHECKSUMS = f"{OC}checksums"


def execute(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """Perform one attempt of a task: one Outcome per resource it touched."""
    try:
        task = _claim_free_name(client, task)
        return _OPERATIONS[task.op](client, task, ctx)
    except errors.DavError as exc:
        if exc.retryable or isinstance(exc, errors.AuthenticationError):
            raise
        return [replace(from_error(task.op.value, task.remote, exc), destination=task.destination)]
    except OSError as exc:
        return [Outcome(task.op.value, task.remote, None, type(exc).__name__, ok=False,
                        destination=task.destination, source=Source.LOCAL, detail=str(exc))]


def ensure_folder(client: DavClient, path: str) -> Outcome:
    """MKCOL, treating an existing folder as done (servers answer 405, or sometimes 201)."""
    try:
        return client.mkcol(path)
    except errors.MethodNotAllowedError as exc:
        if client.stat(path).is_dir:
            return success("mkcol", path, exc.status, exc.reason, note="already exists")
        raise


def is_idempotent(task: Task) -> bool:
    """Whether sending a task again after a lost answer gives the answer the first would have.

    Stricter than "safe to repeat": a DELETE that took effect answers 404 the
    second time, and a PUT with If-Match 412 (its own write changed the
    ETag), so those go through already_done() too rather than reporting a
    failure for work that was done.
    """
    if task.exists and task.conflict is Conflict.SKIP and task.op in (Op.COPY, Op.MOVE, Op.UPLOAD):
        return True  # decided locally, nothing is sent
    if task.op in (Op.DOWNLOAD, Op.EMPTY):
        return True
    if task.op is Op.COPY:
        return task.conflict is Conflict.OVERWRITE
    if task.op is Op.UPLOAD:
        return _upload_guard(task) == "none"
    return False


def already_done(client: DavClient, task: Task) -> list[Outcome] | None:
    """After a lost answer: the task's Outcome if the server shows it took effect, else None.

    None also for idempotent tasks (repeating them is the check), and for a
    "keep both" task whose free name was to be chosen when it ran: which
    name the lost attempt took is unknown.
    """
    if is_idempotent(task) or (task.conflict is Conflict.RENAME and task.exists
                               and task.op in (Op.COPY, Op.MOVE, Op.UPLOAD)):
        return None
    if task.op is Op.DELETE:
        done = client.lookup(task.remote) is None
    elif task.op is Op.RESTORE:
        done = client.lookup(task.remote) is None  # gone from the trash bin: put back
    elif task.op is Op.MKDIR:
        found = client.lookup(task.remote)
        done = found is not None and found.is_dir
    elif task.op is Op.MOVE:
        done = (client.lookup(task.remote) is None
                and client.lookup(_destination(task)) is not None)
    elif task.op is Op.COPY:
        found = client.lookup(_destination(task))
        done = found is not None and found.is_dir == task.is_dir and (task.is_dir or found.size == task.size)
    else:
        done = _upload_landed(client, task)
    if not done:
        return None
    return [Outcome(task.op.value, task.remote, None, "already done", ok=True,
                    note=DONE_EARLIER, destination=task.destination, source=Source.LOCAL)]


def _upload_landed(client: DavClient, task: Task) -> bool:
    """Whether the server now holds the local file's bytes.

    The size must match. Then the strongest evidence the server offers
    decides: the checksum Nextcloud keeps of what was uploaded
    (oc:checksums), else, for a small file, the bytes themselves read back.
    Without either (a big file on a plain server), a file that was not
    there when planned counts as landed, and one that was there must no
    longer be the version planning saw (its ETag, or size and time, changed).
    """
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
        reply = client.request("GET", found.path, headers={"Accept-Encoding": "identity"},
                               limit=COMPARE_BYTES_UP_TO)
    except errors.NotFoundError:
        return False
    return reply.body == local.read_bytes()


def _kept_checksums(found: Resource) -> list[tuple[str, str]]:
    """(algorithm, lower-case hex) of each checksum in oc:checksums ("SHA1:ab.. MD5:cd..")."""
    value = re.sub(r"<[^>]*>", " ", found.props.get(CHECKSUMS, ""))
    pairs = (token.partition(":") for token in value.split())
    return [(name.upper(), digest.lower()) for name, colon, digest in pairs if colon and digest]


# -- the operations --------------------------------------------------------


def _delete(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """target_size set (sync sets it): delete only the version planning saw, else a conflict;
    for a folder, only an empty one (what it held must have been deleted one by one)."""
    if task.target_size is not None and task.is_dir:
        if client.listdir(_slashed(task.remote, True)):
            return [Outcome(task.op.value, task.remote, 412, "Precondition Failed", ok=False,
                            note="the folder is not empty: kept", source=Source.LOCAL)]
    elif task.target_size is not None:
        found = client.lookup(task.remote)
        seen = (etags.normal(task.etag), task.target_size)
        now = (etags.normal(found.etag), found.size) if found else None
        if found is not None and now != seen:
            return [Outcome(task.op.value, task.remote, 412, "Precondition Failed", ok=False,
                            note="changed on the server since it was listed: kept",
                            source=Source.LOCAL)]
    try:
        return client.delete(_slashed(task.remote, task.is_dir), lock_token=task.lock_token)
    except errors.NotFoundError:
        return [already_gone(task.op.value, task.remote)]


def _mkdir(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    path = _slashed(task.remote, True)
    if task.conflict is Conflict.ASK:
        return [client.mkcol(path)]
    return [ensure_folder(client, path)]


def _copy_or_move(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    if task.exists and task.conflict is Conflict.SKIP:
        return [_skipped(task, "exists at the destination")]
    source, destination = _slashed(task.remote, task.is_dir), _destination(task)
    overwrite = task.conflict is Conflict.OVERWRITE
    try:
        if task.op is Op.MOVE:
            return client.move(source, destination, overwrite=overwrite, lock_token=task.lock_token)
        return client.copy(source, destination, overwrite=overwrite)
    except errors.PreconditionFailedError as exc:
        if task.conflict is Conflict.SKIP:
            return [_skipped(task, "appeared at the destination after planning")]
        return [_conflict(task, exc, "exists at the destination")]


def _upload(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """PUT guarded against lost updates, the guard chosen from what planning saw of the target.

    Not there when planned, or policy Ask: If-None-Match: *. There, with an
    ETag: If-Match that ETag (Overwrite means overwrite the version the user
    saw, not one written since). There without an ETag:
    size and Last-Modified compared just before writing. There with neither
    ETag nor size and time known (a retry with Overwrite after a conflict,
    where the user chose to replace whatever is there now): a plain PUT.
    """
    assert task.local is not None
    if task.exists and task.conflict is Conflict.SKIP:
        return [_skipped(task, "exists on the server")]
    guard = _upload_guard(task)
    mtime = task.local.stat().st_mtime if ctx.keep_mtime else None
    try:
        if guard == "stamp":
            _check_stamp(client, task)
        return [client.put(task.remote, task.local, if_match=task.etag if guard == "etag" else None,
                           if_none_match=guard == "absent", lock_token=task.lock_token,
                           progress=ctx.progress, mtime=mtime,
                           mtime_by_proppatch=ctx.mtime_by_proppatch, wait=ctx.wait)]
    except errors.PreconditionFailedError as exc:
        if task.conflict is Conflict.SKIP:
            return [_skipped(task, "appeared on the server after planning")]
        if task.resumes:
            source = task.local
            resent = send_over_own_start(client, task, lambda etag: client.put(
                task.remote, source, if_match=etag, lock_token=task.lock_token,
                progress=ctx.progress, mtime=mtime, mtime_by_proppatch=ctx.mtime_by_proppatch,
                wait=ctx.wait))
            if resent is not None:
                return [resent]
        why = "appeared on the server after planning" if guard == "absent" else \
            "changed on the server since it was listed"
        return [_conflict(task, exc, why)]
    except (Cancelled, errors.TransportError):
        if not task.exists:
            _remove_partial_upload(client, task)
        raise


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


def _download(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    if task.local is None:  # refused by the planner: say why again, now as its Outcome
        raise errors.UnsafePathError(task.refusal or f"{task.remote}: refused when planned")
    check_local_name(task.local.name)
    if task.is_dir:
        existed = task.local.is_dir()
        task.local.mkdir(parents=True, exist_ok=True)
        return [Outcome("get", task.remote, None, "folder exists" if existed else "folder created",
                        ok=True, note=str(task.local), source=Source.LOCAL)]
    local = task.local
    if task.target_size is not None and _local_stamp(local) != (task.target_size,
                                                                 task.target_modified):
        return [Outcome("get", task.remote, None, "changed locally", ok=False, error="target-exists",
                        note=f"{local} changed since it was listed: kept",
                        source=Source.LOCAL)]
    if os.path.lexists(local):
        if task.conflict is Conflict.ASK:
            return [Outcome("get", task.remote, None, "exists locally", ok=False, error="target-exists",
                            note=str(local), source=Source.LOCAL)]
        if task.conflict is Conflict.SKIP:
            return [_skipped(task, f"{local} exists")]
        if task.conflict is Conflict.RENAME:
            local = local.with_name(free_name(local.name, local_names(local.parent)))
    local.parent.mkdir(parents=True, exist_ok=True)
    outcome = client.get(task.remote, local, progress=ctx.progress, keep_mtime=ctx.keep_mtime)
    if ctx.keep_mtime and task.mtime is not None:
        os.utime(local, (task.mtime, task.mtime))
    return [replace(outcome, note=f"saved as {local}")]


def _delete_local(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """Delete a local file only if it is still what planning saw; a folder only if it is empty.

    Sync plans this when the file was deleted on the server and the state
    database proves the local copy was in sync: a file edited since then
    (another size or time) is kept, and its Outcome says why.
    """
    assert task.local is not None
    local = task.local
    if task.is_dir:
        local.rmdir()
    else:
        found = local.stat()
        if found.st_size != task.size or (task.mtime is not None and found.st_mtime != task.mtime):
            return [Outcome(task.op.value, task.remote, None, "changed locally", ok=False,
                            error="target-exists", note=f"{local} changed since it was "
                            "listed: kept", source=Source.LOCAL)]
        local.unlink()
    return [Outcome(task.op.value, task.remote, None, "deleted", ok=True, note=str(local),
                    source=Source.LOCAL)]


def _restore(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """Put a trash bin item back: the server picks the place (its original one, or the root)."""
    outcomes = client.move(_slashed(task.remote, task.is_dir), _destination(task))
    return [replace(o, op=task.op.value) for o in outcomes]


def _empty(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """Empty a trash bin: one DELETE of the collection, then a look at what is still in it.

    The collection itself stays (it is the trash bin), so the check for a
    delete that removed nothing is a listing of its members: each one left
    is reported by name.
    """
    folder = _slashed(task.remote, True)
    outcomes = client.delete(folder, expect_gone=False)
    left = [Outcome(task.op.value, member.path, None, "still there", ok=False, source=Source.LOCAL,
                    note="still in the trash bin after the server said it was emptied")
            for member in client.listdir(folder)]
    return [replace(o, op=task.op.value) for o in outcomes] + left


_OPERATIONS: dict[Op, Callable[[DavClient, Task, TaskContext], list[Outcome]]] = {
    Op.DELETE: _delete,
    Op.MKDIR: _mkdir,
    Op.COPY: _copy_or_move,
    Op.MOVE: _copy_or_move,
    Op.UPLOAD: _upload,
    Op.DOWNLOAD: _download,
    Op.DELETE_LOCAL: _delete_local,
    Op.RESTORE: _restore,
    Op.EMPTY: _empty,
}


# -- helpers ---------------------------------------------------------------


def _claim_free_name(client: DavClient, task: Task) -> Task:
    """A "keep both" task whose target was taken when it was made (a retry after a conflict).

    The planner picks free names from its listing; a retry cannot, so the
    name is picked here from a fresh listing. Overwrite: F / If-None-Match
    still guard the moment between the listing and the write.
    """
    if task.conflict is not Conflict.RENAME or not task.exists \
            or task.op not in (Op.COPY, Op.MOVE, Op.UPLOAD):
        return task
    target = _destination(task) if task.op is not Op.UPLOAD else task.remote
    folder = parent(target)
    taken = {name_key(r.name) for r in client.listdir(folder)}
    free = _slashed(join(folder, free_name(basename(target), taken, is_dir=task.is_dir)), task.is_dir)
    moved = replace(task, exists=False, etag=None, target_size=None, target_modified=None)
    return replace(moved, remote=free) if task.op is Op.UPLOAD else replace(moved, destination=free)


def _local_stamp(path: Path) -> tuple[int, float] | None:
    """What a download's target_size and target_modified describe: the local file it replaces."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_size, found.st_mtime


def _upload_guard(task: Task) -> str:
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
        raise errors.PreconditionFailedError("PUT", client.url(task.remote), 412, local=True,
                                             description="deleted on the server since it was listed")
    now = stamp(found)
    if now != (task.target_size, task.target_modified):
        raise errors.PreconditionFailedError(
            "PUT", client.url(task.remote), 412, local=True,
            description=f"changed on the server since it was listed (size and time "
                        f"{task.target_size}, {task.target_modified} are now {now[0]}, {now[1]})")


def stamp(resource: Resource) -> tuple[int | None, float | None]:
    """What stands in for an ETag on servers without one: size and getlastmodified."""
    return resource.size, resource.modified.timestamp() if resource.modified else None


def _destination(task: Task) -> str:
    assert task.destination is not None
    return _slashed(task.destination, task.is_dir)


def _slashed(path: str, is_dir: bool) -> str:
    """Collections get their trailing slash: without it some servers redirect or answer 409."""
    return path.rstrip("/") + "/" if is_dir else path


def _skipped(task: Task, why: str) -> Outcome:
    return skipped(task.op.value, task.remote, why, destination=task.destination)


def _conflict(task: Task, exc: errors.PreconditionFailedError, why: str) -> Outcome:
    outcome = from_error(task.op.value, task.remote, exc)
    return replace(outcome, note=outcome.note or why, destination=task.destination)
