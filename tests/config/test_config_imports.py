"""Config is data: loading it loads no protocol code, so keeping settings needs no client.

pyproject.toml's import-linter contract forbids any path from app.config to
app.dav; this checks the same in a real interpreter, where a package's
__init__ runs too (app.sync's, app.jobs') and a lazy import would show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Import every module of app.config, then print the names of every module loaded.
_PROGRAM = """
import importlib, json, pkgutil, sys
import app.config
for module in pkgutil.iter_modules(app.config.__path__):
    importlib.import_module("app.config." + module.name)
print(json.dumps(sorted(sys.modules)))
"""

#: What app.config must not load: the protocol layer, Nextcloud's APIs and the HTTP client.
NOT_FOR_CONFIG = ("app.dav", "app.nextcloud", "app.session", "httpx", "httpcore", "lxml")


def test_importing_config_loads_no_dav_or_httpx():
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout)
    assert "app.config.pairs" in modules and "app.config.preferences" in modules
    loaded = [
        m
        for m in modules
        if any(m == prefix or m.startswith(prefix + ".") for prefix in NOT_FOR_CONFIG)
    ]
    assert loaded == []
