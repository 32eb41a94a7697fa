"""The Qt binding itself: a window that makes many Qt calls must not crash the interpreter.

PySide6 6.12.0 on Python 3.11 released a reference to None on every Qt call
that returns nothing, so a long session (a big upload, a large sync preview)
ended in "Fatal Python error: none_dealloc". Run in a fresh interpreter: the
failure is an abort, which would take the test run down with it.
"""

from __future__ import annotations

import os
import subprocess
import sys

CALLS = 20_000

_SCRIPT = f"""
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel
app = QApplication([])
label, box = QLabel(), QCheckBox()
for i in range({CALLS}):
    label.setText("x")
    box.setChecked(i % 2 == 0)
    label.setToolTip(None if i % 3 else "tip")
print("survived")
"""


def test_many_qt_calls_that_return_nothing_leave_the_interpreter_alive():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0 and result.stdout.strip() == "survived", result.stderr[-2000:]
