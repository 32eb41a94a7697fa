"""Recursive upload and download for the CLI, one Outcome per file and folder.

Folders are walked with Depth 1 listings; every name that comes from the
server is checked before it becomes a local path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from app.dav import DavClient, Outcome, errors
from app.dav.outcome import Source, from_error, success
from app.dav.paths import check_local_name, join, parent, same_resource


def upload(client: DavClient, source: Path, target: str) -> Iterator[Outcome]:
    """PUT a file, or MKCOL a folder and upload its contents below it."""
    if not source.is_dir():
        yield _guarded("put", target, lambda: client.put(target, source))
        return
    folder = target.rstrip("/") + "/"
    created = _guarded("mkcol", folder, lambda: ensure_folder(client, folder))
    yield created
    if not created.ok:
        return
    for child in sorted(source.iterdir(), key=lambda p: p.name):
        yield from upload(client, child, join(folder, child.name))


def ensure_folder(client: DavClient, path: str) -> Outcome:
    """MKCOL, treating an existing folder as done (servers answer 405, or sometimes 201)."""
    try:
        return client.mkcol(path)
    except errors.MethodNotAllowedError as exc:
        if client.stat(path).is_dir:
            return success("mkcol", path, exc.status, exc.reason, description="already exists")
        raise



def download(client: DavClient, path: str, local: Path) -> Iterator[Outcome]:
    """GET a file, or recreate a folder locally and download everything below it."""
    resource = client.stat(path)
    target = local / check_local_name(resource.name) if local.is_dir() else local
    if not resource.is_dir:
        yield _guarded("get", resource.path, lambda: client.get(resource.path, target))
        return
    yield from _download_folder(client, resource.path, target)


def _download_folder(client: DavClient, folder: str, target: Path) -> Iterator[Outcome]:
    target.mkdir(exist_ok=True)
    yield Outcome("get", folder, None, "folder created", ok=True, source=Source.LOCAL)
    for member in client.listdir(folder):
        try:
            if not same_resource(parent(member.path), folder):
                raise errors.UnsafePathError(f"{member.path} is not inside {folder}")
            destination = target / check_local_name(member.name)
        except errors.UnsafePathError as exc:
            yield from_error("get", member.path, exc)
            continue
        if member.is_dir:
            yield from _download_folder(client, member.path, destination)
        else:
            yield _guarded("get", member.path, lambda m=member, d=destination: client.get(m.path, d))


def _guarded(op: str, path: str, run: Callable[[], Outcome]) -> Outcome:
    """Run one request; a failure other than a lost connection becomes its Outcome."""
    try:
        return run()
    except (errors.TransportError, errors.AuthenticationError):
        raise
    except errors.DavError as exc:
        return from_error(op, path, exc)
    except OSError as exc:
        return Outcome(op, path, None, type(exc).__name__, ok=False, source=Source.LOCAL,
                       detail=str(exc))
