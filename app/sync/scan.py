"""Reading both sides of a pair: the local folder with os.scandir, the server with Depth 1 walks.

Both scans return {key: entry}, key being the NFC form of the relative path,
and leave out what the ignore rules name (and everything below an ignored
folder). The remote walk lists folders in parallel, one PROPFIND Depth 1
each, on as many threads as the client has connections: servers refuse
Depth infinity, and one listing per folder over several connections is what
makes a tree of thousands of folders quick.
"""

from __future__ import annotations

import os
import stat
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from app.dav import DavClient, Resource
from app.dav.paths import parent, same_resource
from app.jobs.naming import name_key
from app.sync.ignore import IgnoreRules
from app.sync.model import LocalFile, RemoteFile


def scan_local(root: Path, rules: IgnoreRules) -> dict[str, LocalFile]:
    """Folders and regular files below root; links are not followed (a link could leave the pair)."""
    found: dict[str, LocalFile] = {}
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                info = entry.stat(follow_symlinks=False)
                is_dir = stat.S_ISDIR(info.st_mode)
                if not (is_dir or stat.S_ISREG(info.st_mode)) or rules.ignored(rel, is_dir):
                    continue
                found[name_key(rel)] = LocalFile(rel, Path(entry.path), is_dir,
                                                 0 if is_dir else info.st_size, info.st_mtime_ns,
                                                 info.st_mtime)
                if is_dir:
                    pending.append((Path(entry.path), rel + "/"))
    return found


def normal_etag(etag: str | None) -> str | None:
    """An ETag as compared: Apache sends W/"x" for a file changed within the second, "x" later."""
    if not etag:
        return None
    if etag.startswith("W/"):
        etag = etag[2:]
    return etag.strip('"') or None


def scan_remote(client: DavClient, root: str, rules: IgnoreRules,
                workers: int = 4) -> dict[str, RemoteFile]:
    """Every folder and file below the server folder root (a decoded path ending in "/")."""
    found: dict[str, RemoteFile] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-scan") as pool:
        running: dict[Future[list[Resource]], tuple[str, str]] = {}

        def submit(folder: str, prefix: str) -> None:
            running[pool.submit(client.listdir, folder)] = (folder, prefix)

        submit(root, "")
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                folder, prefix = running.pop(future)
                for resource in future.result():
                    if not same_resource(parent(resource.path), folder):
                        continue  # a member listed outside its folder is not trusted
                    rel = prefix + resource.name
                    if not resource.name or rules.ignored(rel, resource.is_dir):
                        continue
                    found[name_key(rel)] = RemoteFile(
                        rel, resource.path.rstrip("/") if resource.is_dir else resource.path,
                        resource.is_dir, resource.size or 0, resource.etag, resource.kept_mtime,
                        resource.modified.timestamp() if resource.modified else None)
                    if resource.is_dir:
                        submit(resource.path.rstrip("/") + "/", rel + "/")
    return found
