"""Untrusted certificates: refused by default, inspected, trusted by pin or by private CA.

A real HTTPS WebDAV server on loopback with certificates made for each test.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.dav import DavClient, errors
from app.dav.tls import (
    PinnedContext,
    fetch_certificate,
    fingerprint,
    normalize_fingerprint,
    verify_for,
)
from tests.servers.hostile_server import HostileServer
from tests.servers.tls_server import CertificateFiles, TlsDavServer, make_certificate


@pytest.fixture
def certificates(tmp_path: Path) -> dict[str, CertificateFiles]:
    ca = make_certificate(tmp_path, "Davdesk Test CA", ca=True)
    return {
        "self-signed": make_certificate(tmp_path, "self-signed.test"),
        "other": make_certificate(tmp_path, "other.test"),
        "ca": ca,
        "issued": make_certificate(tmp_path, "issued.test", issuer=ca),
        "issued-for-another-host": make_certificate(
            tmp_path, "elsewhere.test", issuer=ca, hosts=("elsewhere.test",)
        ),
    }


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """serve(certificate) -> a running TlsDavServer, stopped after the test."""
    running: list[TlsDavServer] = []
    root = tmp_path / "root"
    root.mkdir()

    def start(certificate: CertificateFiles) -> TlsDavServer:
        server = TlsDavServer(root, certificate).__enter__()
        running.append(server)
        return server

    yield start
    for server in running:
        server.__exit__(None, None, None)


def stat_root(server: TlsDavServer, verify: bool | ssl.SSLContext = True) -> bool:
    with DavClient(server.url, user=server.user, password=server.password, verify=verify) as client:
        return client.stat("").is_dir


def test_the_default_refuses_a_self_signed_certificate(serve, certificates):
    server = serve(certificates["self-signed"])
    with pytest.raises(errors.CertificateError) as caught:
        stat_root(server)
    assert caught.value.url == server.url
    assert "self-signed" in caught.value.reason
    assert not caught.value.retryable
    assert isinstance(caught.value, errors.ConnectError)


def test_fetch_certificate_reads_what_the_user_judges_by(serve, certificates):
    certificate = certificates["self-signed"]
    info = fetch_certificate(serve(certificate).url, timeout=5)
    assert info.der == certificate.der
    assert info.sha256 == certificate.sha256 == fingerprint(certificate.der)
    assert info.subject == "CN=self-signed.test, O=Davdesk Tests"
    assert info.issuer == info.subject
    assert info.not_after == certificate.not_after
    assert info.not_before < info.not_after
    assert not info.expired()


def test_fetch_certificate_names_the_issuer(serve, certificates):
    info = fetch_certificate(serve(certificates["issued"]).url, timeout=5)
    assert info.subject == "CN=issued.test, O=Davdesk Tests"
    assert info.issuer == "CN=Davdesk Test CA, O=Davdesk Tests"


def test_the_pinned_certificate_is_accepted_and_another_refused(serve, certificates):
    pin = certificates["self-signed"].sha256
    assert stat_root(serve(certificates["self-signed"]), verify_for(pin, None))
    with pytest.raises(errors.CertificateError, match="changed"):
        stat_root(serve(certificates["other"]), verify_for(pin, None))


def test_a_pin_refuses_even_a_certificate_a_ca_vouches_for(serve, certificates):
    server = serve(certificates["issued"])
    with pytest.raises(errors.CertificateError):
        stat_root(
            server, verify_for(certificates["self-signed"].sha256, str(certificates["ca"].cert))
        )


def test_a_custom_ca_file_is_trusted_and_hostnames_are_still_checked(serve, certificates):
    server = serve(certificates["issued"])
    ca_file = str(certificates["ca"].cert)
    assert stat_root(server, verify_for(None, ca_file))
    with pytest.raises(errors.CertificateError):
        stat_root(serve(certificates["self-signed"]), verify_for(None, ca_file))
    with pytest.raises(errors.CertificateError, match="mismatch"):
        stat_root(serve(certificates["issued-for-another-host"]), verify_for(None, ca_file))


def test_verify_for_without_pin_or_ca_is_the_system_default():
    assert verify_for(None, None) is True
    assert isinstance(verify_for("ab" * 32, None), PinnedContext)


def test_an_unreadable_ca_file_is_a_clear_error(tmp_path):
    with pytest.raises(errors.DavError, match="CA file"):
        verify_for(None, str(tmp_path / "missing.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(errors.DavError, match="CA file"):
        verify_for(None, str(junk))


def test_fingerprints_compare_however_they_were_typed():
    pin = ":".join(["0A"] * 32)
    assert normalize_fingerprint("0a" * 32) == pin
    assert normalize_fingerprint(pin.lower()) == pin
    with pytest.raises(ValueError, match="not a SHA-256 fingerprint"):
        normalize_fingerprint("0A:0B")


def test_fetch_certificate_reports_a_closed_port(unused_port):
    with pytest.raises(errors.ConnectError):
        fetch_certificate(f"https://127.0.0.1:{unused_port}/", timeout=5)


# -- trust by fingerprint at one address, and where credentials may go ----------------------

PASSWORD = "s3cret-tls-test"


@pytest.fixture
def hostile_https(certificates) -> Iterator[HostileServer]:
    """An HTTPS server asking for Basic auth, that records every request it gets."""
    certificate = certificates["self-signed"]
    with HostileServer(
        certificate=(certificate.cert, certificate.key), password=PASSWORD
    ) as server:
        yield server


def _stat(url: str, verify: bool | ssl.SSLContext = True) -> bool:
    with DavClient(url, user="alice", password=PASSWORD, verify=verify) as client:
        return client.stat("").is_dir


def test_refused_until_trusted_by_fingerprint_then_refused_again_when_it_changes(
    hostile_https, certificates
):
    server = hostile_https
    with pytest.raises(errors.CertificateError):
        _stat(server.url)
    assert server.seen() == []  # refused in the handshake: no request, no credentials

    info = fetch_certificate(server.url, timeout=5)
    assert info.sha256 == certificates["self-signed"].sha256
    trusted = verify_for(info.sha256, None)
    assert _stat(server.url, trusted)
    assert any(s.headers.get("authorization") for s in server.seen())

    requests_before = len(server.seen())
    other = certificates["other"]
    server.use_certificate(other.cert, other.key)  # same address, another certificate
    with pytest.raises(errors.CertificateError, match="changed"):
        _stat(server.url, verify_for(info.sha256, None))
    assert len(server.seen()) == requests_before  # nothing was sent to the changed server
    assert fetch_certificate(server.url, timeout=5).sha256 == other.sha256


@pytest.mark.parametrize("where", ["another host", "https to http, same host", "another port"])
def test_credentials_never_follow_a_redirect_off_the_origin(hostile_https, certificates, where):
    with HostileServer() as elsewhere:
        port = int(elsewhere.url.rsplit(":", 1)[1].strip("/"))
        https_port = int(hostile_https.url.rsplit(":", 1)[1].strip("/"))
        location = {
            "another host": f"https://localhost:{https_port}/dav/",
            "https to http, same host": f"http://127.0.0.1:{port}/dav/",
            "another port": f"https://127.0.0.1:{port}/dav/",
        }[where]
        hostile_https.answer("PROPFIND", "/dav/", 302, headers=[("Location", location)])
        trusted = verify_for(certificates["self-signed"].sha256, None)

        with pytest.raises(errors.UnsafeRedirectError, match="credentials stay"):
            _stat(hostile_https.url + "dav/", trusted)

        assert elsewhere.seen() == []
        asked = hostile_https.seen()
        assert [s.path for s in asked] == ["/dav/", "/dav/"]  # the challenge, then with auth
        assert len([s for s in asked if s.headers.get("authorization")]) == 1
