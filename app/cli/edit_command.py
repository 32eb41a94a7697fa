"""`davdesk edit URL`: edit a server file in place with $VISUAL/$EDITOR or the default app.

The file is downloaded into the connection's cache folder (reused while the
server's ETag is unchanged), the editor runs on it, and every save is
uploaded with If-Match on the ETag of the version the copy was made from:
while the editor runs (a save noticed by FileWatch) and once more when it
exits. A server copy changed by someone else meanwhile is a conflict: nothing
is overwritten, the command exits 1, and the message names the edited copy,
which stays in the cache.

A terminal editor owns the screen while it runs, so the Outcomes of the
uploads made meanwhile are printed after it exits; with --open (an
application that is not in the terminal) they are printed as they come.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import shutil
import subprocess
import sys
import threading
from dataclasses import replace

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer, display_name, one_line, say
from app.config.paths import AppPaths
from app.dav import DavClient, Outcome
from app.dav.outcome import OutcomeClass
from app.jobs.file_watch import FileWatch
from app.jobs.local_copies import (
    LocalCopies,
    LocalCopy,
    after_upload,
    connection_folder,
    plan_open,
    stamp_of,
    upload_job,
)
from app.jobs.model import Job, TaskResult
from app.jobs.runner import JobOptions, JobRunner


def run_one(client: DavClient, job: Job) -> TaskResult:
    """Run a one-task job on this thread, with the engine's retries; its one TaskResult."""
    results: list[TaskResult] = []
    JobRunner(
        client,
        job,
        lambda e: results.append(e) if isinstance(e, TaskResult) else None,
        JobOptions(workers=1),
    ).run()
    return results[0]


def edit(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, path = connections.resolve(args.url)
    command = _editor(args.open)
    user = client.auth.user if client.auth else ""
    copies = LocalCopies(connection_folder(AppPaths.default().cache, f"{user}@{client.origin}"))
    plan = plan_open(client, copies, path)
    if plan.job is not None:
        result = run_one(client, plan.job)
        for outcome in result.outcomes:
            printer.outcome(outcome)
        if not result.ok:
            return
        copy = copies.downloaded(plan.resource, plan.local, result.outcomes[0].etag)
    else:
        found = copies.get(plan.resource.path)
        assert found is not None
        copy = found
        if plan.kept_edits:
            say(
                f"{copy.local} holds earlier edits not yet on the server; "
                "editing it (they are uploaded with this edit)"
            )
    session = EditSession(client, copies, copy, printer, live=args.open)
    session.run([*command, str(copy.local)], wait_for_enter=args.open)


def _editor(open_with_default: bool) -> list[str]:
    """The command that edits a file: $VISUAL, else $EDITOR, or the desktop's opener."""
    if open_with_default:
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if sys.platform != "win32" and shutil.which(opener) is None:
            raise UsageError(f"--open needs {opener}, which is not installed")
        return [opener] if sys.platform != "win32" else ["cmd", "/c", "start", ""]
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            return shlex.split(value)
    raise UsageError("no editor: set VISUAL or EDITOR, or use --open for the default application")


class EditSession:
    """One file being edited: uploads its saves one at a time, stops at a conflict."""

    def __init__(
        self,
        client: DavClient,
        copies: LocalCopies,
        copy: LocalCopy,
        printer: Printer,
        *,
        live: bool,
    ) -> None:
        self.client = client
        self.copies = copies
        self.copy = copy
        self.printer = printer
        self.conflict: Outcome | None = None
        self._live = live
        self._held = Printer(printer.json_lines, out=io.StringIO())
        self._turn = threading.Lock()  # one upload at a time: a save during one waits for it

    def run(self, command: list[str], *, wait_for_enter: bool) -> None:
        watch = FileWatch(lambda _: self.upload_if_changed())
        watch.watch(self.copy.local, self.copy.synced)
        try:
            status = subprocess.run(command, check=False).returncode
        except OSError as exc:
            watch.stop()
            raise UsageError(f"cannot run {command[0]}: {exc}") from exc
        if wait_for_enter and status == 0:
            print(
                f"Editing {one_line(str(self.copy.local))}: every save is uploaded. "
                "Press Enter when done.",
                file=sys.stderr,
            )
            with contextlib.suppress(OSError, KeyboardInterrupt):
                sys.stdin.readline()
        watch.stop()
        self._release_held()
        if status != 0:
            say(
                f"{command[0]} exited with status {status}: its last changes were not "
                f"uploaded; the copy is kept at {self.copy.local}"
            )
            self.printer.failures += 1
            return
        self.upload_if_changed()
        if self.conflict is not None:
            say(
                f"{display_name(self.copy.remote)} changed on the server while you edited it; "
                f"nothing was overwritten. Your edited copy is kept at {self.copy.local}"
            )

    def upload_if_changed(self) -> None:
        """Upload the copy if it changed since it last matched the server (any thread)."""
        with self._turn:
            if self.conflict is not None or not self.copy.unsent():
                return
            sent = stamp_of(self.copy.local)
            result = run_one(self.client, upload_job(self.copy))
            outcomes = list(result.outcomes)
            if result.ok:
                self.copy = after_upload(self.client, self.copies, self.copy, sent, outcomes[0])
            elif outcomes and outcomes[0].outcome_class is OutcomeClass.CONFLICT:
                why = outcomes[0].note or "changed on the server"
                outcomes[0] = replace(
                    outcomes[0],
                    note=f"{why}: nothing overwritten; your "
                    f"edited copy is kept at {self.copy.local}",
                )
                self.conflict = outcomes[0]
            printer = self.printer if self._live else self._held
            for outcome in outcomes:
                printer.outcome(outcome)

    def _release_held(self) -> None:
        """The Outcomes of uploads made while a terminal editor had the screen."""
        with self._turn:
            held = self._held.out
            assert isinstance(held, io.StringIO)
            self.printer.out.write(held.getvalue())
            self.printer.failures += self._held.failures
            self._held = self.printer
