"""Server certificates the system does not trust: look at them, and trust one on purpose.

A self-hosted WebDAV share often runs on a self-signed certificate or one from a
private CA. Rather than turning verification off, the user either names the CA
file or pins the exact certificate they were shown (by its SHA-256 fingerprint).

The certificate is read with the ssl module alone: ``cryptography`` is only a
transitive, Linux-only dependency (of keyring's SecretStorage backend), so the
few fields the user needs to judge a certificate are decoded from DER here.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from app.dav import errors


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What a user needs to decide whether to trust a server's certificate."""

    der: bytes
    sha256: str
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) > self.not_after


def fingerprint(der: bytes) -> str:
    """SHA-256 as browsers show it: colon-separated upper-case hex."""
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def fetch_certificate(url: str, timeout: float = 10.0) -> CertificateInfo:
    """The leaf certificate the server at ``url`` presents, read without verifying it.

    Nothing but the handshake is sent, so no credentials reach a server that is
    not trusted yet.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise errors.DavError(f"not an https URL: {url!r}")
    host, port = parts.hostname, parts.port or 443
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except TimeoutError as exc:
        raise errors.TimeoutError(f"TLS {host}:{port}: timed out") from exc
    except ssl.SSLError as exc:
        raise errors.ProtocolError(f"TLS {host}:{port}: handshake failed: {exc}") from exc
    except OSError as exc:
        raise errors.ConnectError(f"TLS {host}:{port}: cannot connect: {exc}") from exc
    if not der:
        raise errors.ProtocolError(f"TLS {host}:{port}: the server sent no certificate")
    try:
        return _decode(der)
    except (ValueError, IndexError) as exc:
        raise errors.ProtocolError(f"TLS {host}:{port}: unreadable certificate: {exc}") from exc


def verify_for(pinned_sha256: str | None, ca_file: str | None) -> bool | ssl.SSLContext:
    """The ``verify`` argument for DavClient: a pin, a private CA, or the system's CAs.

    A pin wins over a CA file: it names the one certificate the user accepted.
    It is checked against the whole certificate, so hostname and expiry do not
    matter (the user saw both), but any other certificate is refused. Loading a
    CA file reads the disk: call this off the GUI thread.
    """
    if pinned_sha256:
        return PinnedContext(pinned_sha256)
    if ca_file:
        try:
            return ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise errors.DavError(
                f"cannot use the CA file {ca_file}: {getattr(exc, 'strerror', None) or exc}"
            ) from exc
    return True


def normalize_fingerprint(text: str) -> str:
    """A fingerprint in the one form we compare: "AB:CD:...", whatever way it was typed."""
    digits = "".join(ch for ch in text if ch not in ": ").upper()
    if len(digits) != 64 or any(ch not in "0123456789ABCDEF" for ch in digits):
        raise ValueError(f"not a SHA-256 fingerprint: {text!r}")
    return ":".join(digits[i : i + 2] for i in range(0, 64, 2))


class _PinnedSocket(ssl.SSLSocket):
    """Checks the pin as soon as the handshake is done, before any request is sent."""

    context: PinnedContext

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        self.context.check(self.getpeercert(binary_form=True))


class PinnedContext(ssl.SSLContext):
    """A client context that accepts exactly one certificate, named by its fingerprint.

    OpenSSL's own verification is off (it would refuse a self-signed certificate);
    the socket class it hands out compares the peer's certificate with the pin
    right after the handshake and fails the connection like a verification error.
    """

    sslsocket_class = _PinnedSocket

    def __new__(cls, pinned_sha256: str) -> PinnedContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self, pinned_sha256: str) -> None:
        self.pinned_sha256 = normalize_fingerprint(pinned_sha256)
        self.check_hostname = False
        self.verify_mode = ssl.CERT_NONE

    def check(self, der: bytes | None) -> None:
        seen = fingerprint(der) if der else "no certificate"
        if seen != self.pinned_sha256:
            error = ssl.SSLCertVerificationError(
                f"certificate {seen} is not the pinned {self.pinned_sha256}"
            )
            error.verify_message = "the certificate changed since it was trusted"
            raise error


# -- a minimal DER reader for the fields a user judges a certificate by -------

_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "emailAddress",
    "0.9.2342.19200300.100.1.25": "DC",
}
_STRINGS: dict[int, str] = {
    0x0C: "utf-8",
    0x13: "ascii",
    0x16: "ascii",
    0x14: "latin-1",
    0x1E: "utf-16-be",
    0x1C: "utf-32-be",
}
_SEQUENCE, _SET, _OID, _UTC_TIME, _GENERALIZED_TIME, _VERSION = 0x30, 0x31, 0x06, 0x17, 0x18, 0xA0


def _items(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) pairs one after another in ``data``."""
    items = []
    pos = 0
    while pos < len(data):
        tag, length = data[pos], data[pos + 1]
        pos += 2
        if length & 0x80:
            count = length & 0x7F
            if not 0 < count <= 4:
                raise ValueError("unsupported DER length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + length > len(data):
            raise ValueError("truncated DER")
        items.append((tag, data[pos : pos + length]))
        pos += length
    return items


def _expect(item: tuple[int, bytes], tag: int) -> bytes:
    if item[0] != tag:
        raise ValueError(f"expected DER tag {tag:#x}, found {item[0]:#x}")
    return item[1]


def _oid(content: bytes) -> str:
    arcs = [*divmod(content[0], 40)] if content[0] < 80 else [2, content[0] - 80]
    value = 0
    for byte in content[1:]:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def _name(content: bytes) -> str:
    parts = []
    for rdn in _items(content):
        for attribute in _items(_expect(rdn, _SET)):
            oid, value = _items(_expect(attribute, _SEQUENCE))[:2]
            key = _oid(_expect(oid, _OID))
            text = value[1].decode(_STRINGS.get(value[0], "latin-1"), errors="replace")
            parts.append(f"{_NAMES.get(key, key)}={text}")
    return ", ".join(parts)


def _time(item: tuple[int, bytes]) -> datetime:
    text = item[1].decode("ascii")
    if item[0] == _UTC_TIME:
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    elif item[0] != _GENERALIZED_TIME:
        raise ValueError("not a DER time")
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)


def _decode(der: bytes) -> CertificateInfo:
    certificate = _expect(_items(der)[0], _SEQUENCE)
    fields = _items(_expect(_items(certificate)[0], _SEQUENCE))
    if fields[0][0] == _VERSION:
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, ...
    issuer, validity, subject = fields[2], fields[3], fields[4]
    not_before, not_after = _items(_expect(validity, _SEQUENCE))[:2]
    return CertificateInfo(
        der=der,
        sha256=fingerprint(der),
        subject=_name(_expect(subject, _SEQUENCE)),
        issuer=_name(_expect(issuer, _SEQUENCE)),
        not_before=_time(not_before),
        not_after=_time(not_after),
    )
