"""The table of job operations: every Op described once, by the module that names it.

What each operation does to a server is tested through execute() in
tests/jobs/test_operations.py and through jobs in tests/jobs/test_runner.py;
here, that the table the engine looks them up in is whole and cannot be changed.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import app.jobs.ops as ops_package
from app.jobs.model import Conflict, Op, Task
from app.jobs.operations import already_done, is_idempotent
from app.jobs.ops import OPERATIONS
from app.jobs.ops.operation import Operation


def test_every_op_has_one_description_that_names_it():
    assert set(OPERATIONS) == set(Op)
    assert all(operation.op is op for op, operation in OPERATIONS.items())


def test_every_module_that_describes_an_operation_is_in_the_table():
    """A module added to app/jobs/ops/ but not named in its tuple would be silently unused."""
    described = []
    for found in pkgutil.iter_modules(ops_package.__path__):
        module = importlib.import_module(f"{ops_package.__name__}.{found.name}")
        operation = getattr(module, "OPERATION", None)
        if isinstance(operation, Operation):
            described.append(operation)
    assert sorted(o.op for o in described) == sorted(OPERATIONS)
    assert all(OPERATIONS[o.op] is o for o in described)


def test_the_table_cannot_be_changed():
    with pytest.raises(TypeError):
        OPERATIONS[Op.DELETE] = OPERATIONS[Op.MKDIR]  # type: ignore[index]


@pytest.mark.parametrize("op", [op for op in Op if OPERATIONS[op].took_effect is None])
def test_an_operation_without_a_check_is_repeated_instead(op):
    """No way to tell whether a lost attempt took effect: then sending it again must be safe."""
    for conflict in Conflict:
        task = Task(
            op, "/x", local=Path("/tmp/x"), destination="/y", exists=True, conflict=conflict
        )
        assert is_idempotent(task)
        assert already_done(None, task) is None  # type: ignore[arg-type]  # nothing is asked


@pytest.mark.parametrize("op", [Op.DELETE, Op.MKDIR, Op.MOVE, Op.RESTORE, Op.DELETE_LOCAL])
def test_operations_never_sent_again_blindly(op):
    """Sent a second time, these would answer for their own first attempt (404, 405)."""
    for conflict in (Conflict.ASK, Conflict.OVERWRITE, Conflict.RENAME):
        task = Task(op, "/x", local=Path("/tmp/x"), destination="/y", conflict=conflict)
        assert not is_idempotent(task)
        assert OPERATIONS[op].took_effect is not None


def test_every_operation_has_a_dry_run_word():
    for op, operation in OPERATIONS.items():
        task = Task(op, "/folder/x", local=Path("/tmp/x"), destination="/other/x")
        reason, target = operation.intent(task)
        assert reason.startswith("would ") and target, op
