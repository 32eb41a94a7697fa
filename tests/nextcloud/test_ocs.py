"""OCS meta blocks: v1 answers HTTP 200 for failures too, so the meta status decides."""

from __future__ import annotations

import json

import pytest

from app.dav import errors
from app.nextcloud.ocs import OcsError, unwrap


def _ocs(code: int, data: object = None, message: str = "") -> bytes:
    status = "ok" if code in (100, 200) else "failure"
    return json.dumps(
        {"ocs": {"meta": {"status": status, "statuscode": code, "message": message}, "data": data}}
    ).encode()


def test_v1_and_v2_success() -> None:
    assert unwrap(_ocs(100, {"id": "alice"}), "GET x") == {"id": "alice"}
    assert unwrap(_ocs(200, []), "GET x") == []


def test_a_refused_login_is_an_authentication_error() -> None:
    with pytest.raises(errors.AuthenticationError):
        unwrap(_ocs(997, message="Current user is not logged in"), "GET https://h/ocs/v1.php/x")


def test_other_failures_say_what_the_server_said() -> None:
    with pytest.raises(OcsError, match=r"998.*not found"):
        unwrap(_ocs(998, message="not found"), "GET x")


@pytest.mark.parametrize("body", [b"<html>login</html>", b"{}", b'{"ocs": {"meta": {}}}', b"[1]"])
def test_what_is_not_ocs_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(OcsError, match="not an OCS answer"):
        unwrap(body, "GET x")
