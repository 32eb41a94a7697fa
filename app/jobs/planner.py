"""Turning what the user selected into a Job, by looking at the server (and the disk) first.

Planning records what it saw of every target (exists, ETag, or size and time
when the server gives no ETag): execute() guards writes with exactly that, so
a file that changed between planning and writing is a conflict, never a
silent overwrite. Remote trees are read with Depth 1 listings only.
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from app.dav import DavClient, Outcome, Resource, errors
from app.dav.outcome import Source
from app.dav.paths import basename, check_local_name, join, parent, same_resource
from app.jobs.conflict import Conflict
from app.jobs.local_walk import LocalEntry, local_entry, members
from app.jobs.model import Job, Op, Task, TaskResult
from app.jobs.naming import free_name, local_names, name_key
from app.jobs.ops import OPERATIONS
from app.jobs.ops.operation import stamp


def plan_delete(client: DavClient, resources: Sequence[Resource]) -> Job:
    """One stage: a collection's DELETE takes its members with it, so nothing needs ordering.

    client is unused: the selection already says all a delete needs. It is
    taken so that every planner is called the same way.
    """
    tasks = tuple(
        Task(Op.DELETE, r.path, is_dir=r.is_dir, etag=r.etag, exists=True) for r in resources
    )
    return Job(_title("Delete", [r.name for r in resources]), _stages([tasks]))


def plan_mkdir(
    paths: Sequence[str], parents: bool = False, *, client: DavClient | None = None
) -> Job:
    """Create folders; with parents, also the missing folders above them, one stage per level.

    Finding the missing ones needs the server (a Depth 0 PROPFIND per
    ancestor, stopping at the first that exists), hence client.
    """
    wanted = {_slashed(path) for path in paths}
    # Like mkdir(1): an existing folder is an error, unless parents asked to make sure of them.
    existing = Conflict.SKIP if parents else Conflict.ASK
    if parents:
        if client is None:
            raise ValueError("plan_mkdir(parents=True) needs the client to see which folders exist")
        for path in list(wanted):
            above = parent(path)
            while above != "/" and above not in wanted and not client.exists(above):
                wanted.add(above)
                above = parent(above)
    by_depth: dict[int, list[Task]] = defaultdict(list)
    for path in sorted(wanted):
        by_depth[_depth(path)].append(Task(Op.MKDIR, path, is_dir=True, conflict=existing))
    names = [basename(path) for path in paths]
    return Job(_title("Create folder", names), _stages(by_depth[d] for d in sorted(by_depth)))


def plan_copy(
    client: DavClient, resources: Sequence[Resource], destination_folder: str, conflict: Conflict
) -> Job:
    return _plan_transfer(Op.COPY, client, resources, destination_folder, conflict)


def plan_move(
    client: DavClient, resources: Sequence[Resource], destination_folder: str, conflict: Conflict
) -> Job:
    return _plan_transfer(Op.MOVE, client, resources, destination_folder, conflict)


def _plan_transfer(
    op: Op,
    client: DavClient,
    resources: Sequence[Resource],
    destination_folder: str,
    conflict: Conflict,
) -> Job:
    """One stage of server-side copies or moves into a folder, listed once for what exists there.

    Copying or moving a resource onto itself with Overwrite would ask the
    server to destroy the source; that task is planned as a skip instead.
    With Rename it is the "duplicate" a file manager offers.
    """
    folder = _slashed(destination_folder)
    existing = {name_key(r.name): r for r in client.listdir(folder)}
    taken = set(existing) | {name_key(r.name) for r in resources}
    tasks = []
    for resource in resources:
        target = existing.get(name_key(resource.name))
        destination = join(folder, resource.name)
        policy = _for_new(conflict)
        if target is not None and conflict is Conflict.RENAME:
            name = free_name(resource.name, taken, is_dir=resource.is_dir)
            taken.add(name_key(name))
            destination, target = join(folder, name), None
        elif target is not None and conflict in (Conflict.NEWER, Conflict.DIFFERENT):
            policy = settle(conflict, resource.size, _mtime(resource), target.size, _mtime(target))
        if (
            target is not None
            and policy is Conflict.OVERWRITE
            and same_resource(resource.path, destination)
        ):
            policy = Conflict.SKIP
        tasks.append(
            Task(
                op,
                resource.path,
                destination=_slashed(destination, resource.is_dir),
                is_dir=resource.is_dir,
                size=resource.size or 0,
                exists=target is not None,
                etag=target.etag if target else None,
                conflict=policy,
            )
        )
    verb = "Copy" if op is Op.COPY else "Move"
    return Job(_title(verb, [r.name for r in resources], folder), _stages([tasks]))


def plan_upload(
    client: DavClient, local_paths: Sequence[Path], remote_folder: str, conflict: Conflict
) -> Job:
    """MKDIR stages for the folder tree, parents first, then one stage of every file.

    Remote folders that already exist are merged into, whatever the conflict
    policy (the policy is about files); they are listed, Depth 1, to learn
    which files would be overwritten. Folders that do not exist yet need no
    listing: everything below them is new.
    """
    entries = []
    for path in local_paths:
        entry = local_entry(path)
        if entry is None:
            raise ValueError(f"{path}: no such file or folder (or not a regular file)")
        entries.append(entry)
    mkdirs: dict[int, list[Task]] = defaultdict(list)
    uploads: list[Task] = []
    # (local entries, the remote folder they go into, whether it exists, folders above them)
    pending: deque[tuple[list[LocalEntry], str, bool, frozenset[tuple[int, int]]]] = deque(
        [(entries, _slashed(remote_folder), True, frozenset())]
    )
    while pending:
        batch, folder, folder_exists, above = pending.popleft()
        existing = {name_key(r.name): r for r in client.listdir(folder)} if folder_exists else {}
        taken = set(existing) | {name_key(e.name) for e in batch}
        for entry in batch:
            target = existing.get(name_key(entry.name))
            remote = join(folder, entry.name)
            if entry.is_dir:
                if entry.identity in above:
                    continue  # a link back up the tree
                try:
                    inside = members(entry.path)
                except OSError as exc:  # unreadable: what it holds is unknown, none of it is sent
                    uploads.append(
                        Task(
                            Op.UPLOAD,
                            _slashed(remote),
                            local=entry.path,
                            is_dir=True,
                            blocked=f"the local folder could not be read: {exc}",
                        )
                    )
                    continue
                is_there = target is not None and target.is_dir
                if not is_there:
                    mkdirs[_depth(remote)].append(
                        Task(Op.MKDIR, _slashed(remote), is_dir=True, conflict=Conflict.SKIP)
                    )
                pending.append((inside, _slashed(remote), is_there, above | {entry.identity}))
                continue
            if target is not None and conflict is Conflict.RENAME:
                name = free_name(entry.name, taken)
                taken.add(name_key(name))
                remote, target = join(folder, name), None
            policy = (
                _for_new(conflict)
                if target is None
                else settle(conflict, entry.size, entry.mtime, target.size, _mtime(target))
            )
            uploads.append(_upload_task(entry, remote, target, policy))
    stages = [mkdirs[d] for d in sorted(mkdirs)] + [uploads]
    return Job(_title("Upload", [p.name for p in local_paths], remote_folder), _stages(stages))


def _upload_task(
    entry: LocalEntry, remote: str, target: Resource | None, conflict: Conflict
) -> Task:
    size, modified = stamp(target) if target is not None and target.etag is None else (None, None)
    return Task(
        Op.UPLOAD,
        remote,
        local=entry.path,
        size=entry.size,
        mtime=entry.mtime,
        exists=target is not None,
        etag=target.etag if target else None,
        target_size=size,
        target_modified=modified,
        conflict=conflict,
    )


#: Bytes of a local path a download may create: below Linux's PATH_MAX (4096), leaving room
#: for the name of the temporary file a download is written to first.
LOCAL_PATH_LIMIT = 3800


def plan_download(
    client: DavClient, resources: Sequence[Resource], local_folder: Path, conflict: Conflict
) -> Job:
    """A stage of local folders to create, then one of every file.

    A name from the server that is not safe as a local name (a dot name, a
    separator, a control character), or a folder so deep that its local path
    would be too long to create (a server may list folders inside folders
    for ever), still becomes a task, without a local path: its execute
    reports it as failed, so the refusal shows in the results with the rest.
    A refused folder is not listed, so nothing below it is planned. (Members
    listed outside the folder that listed them never get here: listdir drops
    them.) Existing local folders are merged into, whatever the conflict policy.
    """
    folders: list[Task] = []
    files: list[Task] = []
    pending: deque[tuple[Resource, Path]] = deque()
    taken: dict[Path, set[str]] = {}  # for Rename: names in a local folder, there or planned

    def enqueue(batch: Sequence[Resource], into: Path) -> None:
        pending.extend((resource, into) for resource in batch)
        if conflict is Conflict.RENAME:
            names = taken.setdefault(into, local_names(into))
            names.update(name_key(resource.name) for resource in batch)

    enqueue(resources, local_folder)
    while pending:
        resource, into = pending.popleft()
        try:
            local = into / check_local_name(resource.name)
        except errors.UnsafePathError as exc:
            files.append(_refused(resource, str(exc)))
            continue
        if len(os.fsencode(local)) > LOCAL_PATH_LIMIT:
            files.append(
                _refused(
                    resource,
                    f"{resource.path}: too deep; the local path would "
                    f"be longer than {LOCAL_PATH_LIMIT} bytes",
                )
            )
            continue
        exists = os.path.lexists(local)
        if resource.is_dir:
            try:
                listed, blocked = client.listdir(resource.path), None
            except (errors.TransportError, errors.StatusError) as exc:
                if isinstance(exc, errors.AuthenticationError):
                    raise
                listed, blocked = [], f"the folder could not be listed: {exc}"
            folders.append(
                Task(
                    Op.DOWNLOAD,
                    resource.path,
                    local=local,
                    is_dir=True,
                    exists=exists,
                    conflict=_for_folder(conflict),
                    blocked=blocked,
                )
            )
            enqueue(listed, local)
            continue
        policy = _for_new(conflict)
        if exists and conflict is Conflict.RENAME:
            local = into / free_name(local.name, taken[into])
            taken[into].add(name_key(local.name))
            exists = False
        elif exists and conflict in (Conflict.NEWER, Conflict.DIFFERENT):
            here = local.stat()
            policy = settle(conflict, resource.size, _mtime(resource), here.st_size, here.st_mtime)
        files.append(
            Task(
                Op.DOWNLOAD,
                resource.path,
                local=local,
                size=resource.size or 0,
                mtime=resource.kept_mtime,
                exists=exists,
                conflict=policy,
            )
        )
    title = _title("Download", [r.name for r in resources], str(local_folder))
    return Job(title, _stages([folders, files]))


#: Seconds two modification times may differ and still be the same (FAT keeps 2 s steps,
#: HTTP dates whole seconds).
SAME_TIME = 2.0


def settle(
    conflict: Conflict,
    source_size: int | None,
    source_mtime: float | None,
    target_size: int | None,
    target_mtime: float | None,
) -> Conflict:
    """Overwrite if newer / if different, decided for one existing target: OVERWRITE or
    SKIP. Unknown times count as different, never as newer (nothing is replaced blind)."""
    if conflict is Conflict.NEWER:
        newer = (
            source_mtime is not None
            and target_mtime is not None
            and source_mtime > target_mtime + SAME_TIME
        )
        return Conflict.OVERWRITE if newer else Conflict.SKIP
    if conflict is Conflict.DIFFERENT:
        same = (
            source_size == target_size
            and source_mtime is not None
            and target_mtime is not None
            and abs(source_mtime - target_mtime) <= SAME_TIME
        )
        return Conflict.SKIP if same else Conflict.OVERWRITE
    return conflict


def _mtime(resource: Resource) -> float | None:
    """A server file's own time where Davdesk kept it, else when the server stored it."""
    kept = resource.kept_mtime
    if kept is not None:
        return kept
    return resource.modified.timestamp() if resource.modified else None


def _for_new(conflict: Conflict) -> Conflict:
    """A target not there when planned: one that appears before the task runs is a conflict
    (newer and different were decided for the targets that existed)."""
    return Conflict.ASK if conflict in (Conflict.NEWER, Conflict.DIFFERENT) else conflict


def _for_folder(conflict: Conflict) -> Conflict:
    """Folders are merged into whatever the policy: newer and different are about files."""
    return Conflict.OVERWRITE if conflict in (Conflict.NEWER, Conflict.DIFFERENT) else conflict


def _refused(resource: Resource, why: str) -> Task:
    return Task(
        Op.DOWNLOAD,
        resource.path,
        local=None,
        is_dir=resource.is_dir,
        size=resource.size or 0,
        refusal=why,
    )


# -- one resource to a name of the user's choosing (cp a b, put f remote-name) -------


def plan_upload_as(client: DavClient, local: Path, remote: str, conflict: Conflict) -> Job:
    """Upload one file under another name; what is at that name now is the lost-update basis."""
    entry = local_entry(local)
    if entry is None or entry.is_dir:
        raise ValueError(f"{local}: not a regular file")
    target = client.lookup(remote)
    return Job(
        _title("Upload", [local.name], remote), ((_upload_task(entry, remote, target, conflict),),)
    )


def plan_download_as(resource: Resource, local: Path, conflict: Conflict) -> Job:
    """Download one file to a local name of the user's choosing."""
    task = Task(
        Op.DOWNLOAD,
        resource.path,
        local=local,
        size=resource.size or 0,
        mtime=resource.kept_mtime,
        exists=os.path.lexists(local),
        conflict=conflict,
    )
    return Job(_title("Download", [resource.name], str(local)), ((task,),))


def plan_transfer_as(
    op: Op, client: DavClient, resource: Resource, destination: str, conflict: Conflict
) -> Job:
    """Copy or move one resource to an exact destination path (a rename, for a move)."""
    destination = _slashed(destination, resource.is_dir)
    target = client.lookup(destination)
    task = Task(
        op,
        resource.path,
        destination=destination,
        is_dir=resource.is_dir,
        size=resource.size or 0,
        exists=target is not None,
        etag=target.etag if target else None,
        conflict=conflict,
    )
    verb = "Copy" if op is Op.COPY else "Move"
    return Job(_title(verb, [resource.name], destination), ((task,),))


# -- dry run ---------------------------------------------------------------


def describe(job: Job) -> list[Outcome]:
    """The dry-run plan, one Outcome per task, in the words the results pane uses."""
    outcomes = []
    for task in job.tasks:
        reason, description = _intent(task)
        outcomes.append(
            Outcome(
                task.op.value,
                task.remote,
                None,
                reason,
                ok=True,
                note=description,
                destination=task.destination,
                source=Source.DRY_RUN,
            )
        )
    return outcomes


def _intent(task: Task) -> tuple[str, str]:
    """(reason, description naming the target) for what execute() will do with this task."""
    if task.blocked:
        return "not attempted", task.blocked
    return OPERATIONS[task.op].intent(task)


# -- retry -----------------------------------------------------------------


def retry_job(
    results: Iterable[TaskResult],
    conflict: Conflict | None = None,
    lock_token: str | None = None,
    name: str = "Retry",
) -> Job:
    """A job of exactly the tasks of these results, with the policy changed if given.

    A task that ended because its target was taken (a 412, or a local file
    in the way) and is retried with Skip, Rename or Overwrite is retried
    knowing the target exists: Skip skips and Rename picks a free name when
    it runs. An upload retried with Overwrite after such a conflict drops
    its ETag and size/time: the user has seen the conflict and chosen to
    replace whatever is on the server now, so it is sent as a plain PUT.
    With Ask it is retried as it was, guard and all. Folders are created
    first, parents before children.
    """
    tasks: dict[Task, Task] = {}
    for result in results:
        retried = tasks.get(result.task, result.task.with_policy(conflict, lock_token))
        if conflict not in (None, Conflict.ASK) and any(o.is_conflict for o in result.outcomes):
            retried = replace(retried, exists=True)
            if conflict is Conflict.OVERWRITE and retried.op is Op.UPLOAD:
                retried = replace(retried, etag=None, target_size=None, target_modified=None)
        tasks[result.task] = retried
    mkdirs: dict[int, list[Task]] = defaultdict(list)
    rest = []
    for task in tasks.values():
        if task.op is Op.MKDIR:
            mkdirs[_depth(task.remote)].append(task)
        else:
            rest.append(task)
    return Job(name, _stages([*(mkdirs[d] for d in sorted(mkdirs)), rest]))


# -- helpers ---------------------------------------------------------------


def _stages(groups: Iterable[Iterable[Task]]) -> tuple[tuple[Task, ...], ...]:
    """Stages without the empty ones: a runner should not wait on a barrier with nothing
    behind it."""
    return tuple(stage for stage in (tuple(group) for group in groups) if stage)


def _slashed(path: str, is_dir: bool = True) -> str:
    return path.rstrip("/") + "/" if is_dir else path


def _depth(path: str) -> int:
    return len([segment for segment in path.split("/") if segment])


def _title(verb: str, names: Sequence[str], where: str | None = None) -> str:
    what = names[0] if len(names) == 1 else f"{len(names)} items"
    return f"{verb} {what}" + (f" to {where}" if where else "")
