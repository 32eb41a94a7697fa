"""A keyring backend for the window benchmark: the password a user saved, without an OS keyring.

`davdesk URL` as most people start it has its password in the keyring, not in
DAVDESK_PASSWORD (app/ui/early_listing.py looks it up on its thread, as Qt
loads). The benchmark's child processes name this class in
PYTHON_KEYRING_BACKEND (tests.bench.bench_keyring.SavedPassword); it answers
every lookup with BENCH_SAVED_PASSWORD and keeps nothing.
"""

from __future__ import annotations

import os

import keyring.backend

VARIABLE = "BENCH_SAVED_PASSWORD"


class SavedPassword(keyring.backend.KeyringBackend):
    """Every (service, user) has the one saved password; nothing is written."""

    priority = 1  # only ever chosen by PYTHON_KEYRING_BACKEND

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get(VARIABLE)

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None
