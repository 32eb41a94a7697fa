"""The composition root hands things in: below app/ui/app.py nothing looks up where Davdesk
keeps its files (AppPaths.default()) or opens the keyring (PasswordStore()) itself.

A window, dialog or service that did would ignore what the root chose (the folders of a
test, a portable install) and could not be given another keyring.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
ROOT = UI / "app.py"


def _looked_up(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls of AppPaths.default and PasswordStore, as (line, what)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        call = node.func
        if (
            isinstance(call, ast.Attribute)
            and call.attr == "default"
            and isinstance(call.value, ast.Name)
            and call.value.id == "AppPaths"
        ):
            found.append((node.lineno, "AppPaths.default()"))
        name = call.attr if isinstance(call, ast.Attribute) else getattr(call, "id", None)
        if name == "PasswordStore":
            found.append((node.lineno, "PasswordStore()"))
    return found


def test_only_the_composition_root_looks_up_app_paths_and_the_keyring():
    offenders = [
        f"{path.relative_to(UI.parent.parent)}:{line}: {what}"
        for path in sorted(UI.rglob("*.py"))
        if path != ROOT
        for line, what in _looked_up(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def test_the_check_finds_a_lookup():
    source = (
        "from app.config import paths\nhere = AppPaths.default()\nkeys = secrets.PasswordStore()\n"
    )
    assert _looked_up(ast.parse(source)) == [(2, "AppPaths.default()"), (3, "PasswordStore()")]
    assert [what for _, what in _looked_up(ast.parse(ROOT.read_text(encoding="utf-8")))] == [
        "AppPaths.default()",
        "PasswordStore()",
    ]  # made once, in Home.default()
