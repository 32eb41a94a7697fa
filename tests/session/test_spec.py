"""What a front end connects with: the password stays out of its repr."""

from __future__ import annotations

from app.session.spec import ConnectionSpec


def test_a_connection_spec_does_not_show_its_password():
    spec = ConnectionSpec("https://a/", "alice", "s3cret")
    assert "s3cret" not in repr(spec)
