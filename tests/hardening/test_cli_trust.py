"""`davdesk --trust SHA256:...`: the CLI trusts one certificate by its fingerprint, and no other.

Against wsgidav over TLS with certificates made on the spot: a self-signed
certificate is refused without --trust, with the fingerprint to check shown;
with --trust it is used; once the server presents another certificate, the
pin refuses it before any request, and so before any credentials, is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.__main__ import main
from tests.servers.tls_server import CertificateFiles, TlsDavServer, make_certificate

EXIT_OK, EXIT_ERROR = 0, 2


@pytest.fixture
def certificates(tmp_path: Path) -> dict[str, CertificateFiles]:
    return {name: make_certificate(tmp_path, name) for name in ("nas.test", "replaced.test")}


@pytest.fixture
def tls(tmp_path: Path, certificates, monkeypatch) -> Iterator[TlsDavServer]:
    root = tmp_path / "tls-root"
    root.mkdir()
    (root / "a.txt").write_bytes(b"alpha")
    monkeypatch.setenv("DAVDESK_PASSWORD", "wonderland-test")
    with TlsDavServer(root, certificates["nas.test"]) as running:
        yield running


def ls(
    tls: TlsDavServer, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, str, str]:
    status = main(["ls", "--json", "--user", tls.user, *options, tls.url])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_a_self_signed_certificate_is_refused_and_its_fingerprint_shown(tls, capsys):
    status, out, err = ls(tls, capsys)
    assert status == EXIT_ERROR and out == ""
    refusal, hint = err.splitlines()
    assert refusal.startswith("davdesk: ") and "certificate not trusted" in refusal
    fingerprint = tls.certificate.sha256
    assert hint == (
        f"davdesk: the server presents the certificate SHA256:{fingerprint}; "
        f"if you trust it, run again with --trust SHA256:{fingerprint}"
    )
    assert tls.requests == []  # refused at the handshake: nothing was sent


@pytest.mark.parametrize("spelling", ["SHA256:{}", "sha256:{}", "{}", "{lower}", "{bare}"])
def test_trust_uses_the_pinned_certificate(tls, capsys, spelling):
    fingerprint = tls.certificate.sha256
    typed = spelling.format(
        fingerprint, lower=fingerprint.lower(), bare=fingerprint.replace(":", "")
    )
    status, out, err = ls(tls, capsys, "--trust", typed)
    assert status == EXIT_OK and err == ""
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["a.txt"]
    # Anonymous: the probe of status.php (is the bare address a Nextcloud's?) and the request
    # the server challenges; the credentials go only with the one after.
    assert [(r.method, r.path, r.authorization) for r in tls.requests] == [
        ("GET", "/status.php", False),
        ("PROPFIND", "/", False),
        ("PROPFIND", "/", True),
    ]


def test_a_pinned_certificate_that_changed_is_refused_before_the_credentials_go(
    tls, certificates, capsys
):
    pinned = tls.certificate.sha256
    assert ls(tls, capsys, "--trust", f"SHA256:{pinned}")[0] == EXIT_OK
    sent = len(tls.requests)
    tls.use_certificate(certificates["replaced.test"])

    status, out, err = ls(tls, capsys, "--trust", f"SHA256:{pinned}")
    assert status == EXIT_ERROR and out == ""
    refusal, hint = err.splitlines()
    assert "certificate not trusted: the certificate changed since it was trusted" in refusal
    new = certificates["replaced.test"].sha256
    assert hint.endswith(f"run again with --trust SHA256:{new}")
    assert len(tls.requests) == sent  # not one request (nor password) reached the server


@pytest.mark.parametrize("typed", ["SHA1:AB:CD", "SHA256:" + "AB:" * 31 + "ZZ", "not hex", ""])
def test_a_fingerprint_that_is_not_one_is_a_usage_error(tls, capsys, typed):
    with pytest.raises(SystemExit) as exited:
        main(["ls", "--trust", typed, tls.url])
    assert exited.value.code == EXIT_ERROR
    assert "not a SHA-256 fingerprint" in capsys.readouterr().err
    assert tls.requests == []


def test_trust_and_insecure_do_not_go_together(tls, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["ls", "--insecure", "--trust", f"SHA256:{tls.certificate.sha256}", tls.url])
    assert exited.value.code == EXIT_ERROR
    assert "not allowed with argument" in capsys.readouterr().err
