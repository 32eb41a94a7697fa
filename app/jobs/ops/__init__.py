"""Every job operation, one module each, and the table the engine finds them in.

A module describes one kind of task as an Operation (app/jobs/ops/operation.py):
how an attempt runs, whether it is idempotent, how to tell whether an
attempt that lost its answer took effect, and a dry run's words. A new
operation is a module here with its OPERATION, named in the tuple below; its
Op in app/jobs/model.py; how a selection becomes its tasks in
app/jobs/planner.py; its tests in tests/jobs/ops/. The engine around it
(app/jobs/operations.py, attempts.py, runner.py) stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from app.jobs.model import Op
from app.jobs.ops import (
    copy,
    delete,
    delete_local,
    download,
    empty,
    mkdir,
    move,
    restore,
    upload,
)
from app.jobs.ops.operation import Operation

_ALL = (delete, mkdir, copy, move, upload, download, delete_local, restore, empty)

#: Each Op's description; read-only, built once from the modules above.
OPERATIONS: Mapping[Op, Operation] = MappingProxyType(
    {module.OPERATION.op: module.OPERATION for module in _ALL}
)
