"""An in-memory keyring for tests: no test reads or writes the real OS keyring.

Use the ``memory_keyring`` fixture (import it into the test module); it installs
a fresh MemoryKeyring with keyring.set_keyring and puts the previous backend back.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.compat import properties


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Passwords in a dict, keyed by (service, user)."""

    @properties.classproperty
    def priority(cls) -> float:
        # Not viable for keyring's own backend discovery: only ever installed on purpose.
        raise RuntimeError("a test backend; install it with keyring.set_keyring()")

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(f"no password for {username}")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
