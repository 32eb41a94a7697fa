"""`davdesk versions ls|get|restore`: a Nextcloud file's earlier versions.

    davdesk versions ls URL
    davdesk versions get URL VERSION LOCAL
    davdesk versions restore URL VERSION

VERSION is a version's name as `ls` prints it. get and restore run as jobs, so
each prints its Outcome and the exit status says whether it worked.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer, one_line
from app.cli.run import run_job
from app.jobs.conflict import Conflict
from app.jobs.model import Job, Op, Task
from app.jobs.planner import plan_download_as
from app.jobs.runner import JobOptions
from app.nextcloud import versions


def versions_command(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    wanted = {"ls": 1, "get": 3, "restore": 2}[args.action]
    if len(args.operands) != wanted:
        raise UsageError(
            {
                "ls": "usage: davdesk versions ls URL",
                "get": "usage: davdesk versions get URL VERSION LOCAL",
                "restore": "usage: davdesk versions restore URL VERSION",
            }[args.action]
        )
    url = args.operands[0]
    found = connections.nextcloud(url)
    client, account = found.client, found.account
    resource = client.stat(unquote(urlsplit(url).path))
    listed = versions.list_versions(client, account, resource)
    if args.action == "ls":
        for version in listed:
            _print(printer, version)
        return
    version = versions.find_version(listed, args.operands[1])
    if args.action == "get":
        local = Path(args.operands[2])
        if local.is_dir():
            local = local / resource.name
        job = plan_download_as(version.resource, local, Conflict.ASK)
        job = Job(f"Download version {version.name} of {resource.name}", job.stages)
    else:
        task = Task(Op.RESTORE, version.resource.path, destination=versions.restore_target(account))
        job = Job(f"Restore version {version.name} of {resource.name}", ((task,),))
    run_job(client, job, JobOptions(workers=1), printer)


def _print(printer: Printer, version: versions.Version) -> None:
    if printer.json_lines:
        printer.out.write(json.dumps(version.to_json(), ensure_ascii=False) + "\n")
        return
    when = version.modified.astimezone().strftime("%Y-%m-%d %H:%M:%S") if version.modified else "-"
    extra = "  ".join(
        filter(
            None,
            (version.author and f"by {version.author}", version.label and f"“{version.label}”"),
        )
    )
    printer.out.write(
        f"{version.name}  {when}  {version.size if version.size is not None else '-':>10} B"
        f"  {one_line(extra)}".rstrip()
        + "\n"
    )
