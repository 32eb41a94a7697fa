"""wsgidav over TLS with certificates made on the spot, for the certificate-trust tests.

    ca = make_certificate(tmp_path, "Test CA", ca=True)
    leaf = make_certificate(tmp_path, "127.0.0.1", issuer=ca)
    with TlsDavServer(root, leaf) as server:   # https://127.0.0.1:PORT/
        ...
        server.use_certificate(other)           # same address, another certificate
        server.requests                         # every request that got past TLS


``cryptography`` is in the test environment as a dependency of keyring's
SecretStorage backend; the app itself never imports it.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from wsgidav.wsgidav_app import WsgiDAVApp

from tests.servers.wsgidav_server import PASSWORD, USER


@dataclass(frozen=True)
class CertificateFiles:
    """A certificate and its key as PEM files, and what the tests compare against."""

    cert: Path
    key: Path
    der: bytes
    common_name: str
    private_key: ec.EllipticCurvePrivateKey
    not_after: datetime.datetime

    @property
    def sha256(self) -> str:
        return ":".join(f"{b:02X}" for b in hashlib.sha256(self.der).digest())


def make_certificate(
    directory: Path,
    common_name: str,
    *,
    issuer: CertificateFiles | None = None,
    ca: bool = False,
    days: int = 30,
    hosts: tuple[str, ...] = ("localhost", "127.0.0.1"),
) -> CertificateFiles:
    """A server certificate for ``hosts`` (or a CA's), self-signed unless an issuer is given."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Davdesk Tests"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    not_after = now + datetime.timedelta(days=days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(
            x509.load_pem_x509_certificate(issuer.cert.read_bytes()).subject if issuer else subject
        )
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(host) for host in hosts]), critical=False
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    cert = builder.sign(issuer.private_key if issuer else key, hashes.SHA256())
    stem = directory / common_name.replace(" ", "-").replace(".", "_")
    cert_path, key_path = stem.with_suffix(".crt"), stem.with_suffix(".key")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return CertificateFiles(
        cert_path,
        key_path,
        cert.public_bytes(serialization.Encoding.DER),
        common_name,
        key,
        not_after,
    )


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


@dataclass(frozen=True)
class Request:
    """A request the server got: what a test needs to tell whether credentials were sent."""

    method: str
    path: str
    authorization: bool


class TlsDavServer:
    """wsgidav (Basic auth, fixture user) over HTTPS on 127.0.0.1, in a thread."""

    def __init__(self, root: Path, certificate: CertificateFiles) -> None:
        self.root = root
        self.certificate = certificate
        self.user = USER
        self.password = PASSWORD
        #: Every request that came through the TLS handshake, in order.
        self.requests: list[Request] = []
        logging.getLogger("wsgidav").setLevel(logging.ERROR)
        app = WsgiDAVApp(
            {
                "host": "127.0.0.1",
                "port": 0,
                "provider_mapping": {"/": str(root)},
                "simple_dc": {"user_mapping": {"*": {USER: {"password": PASSWORD}}}},
                "http_authenticator": {
                    "domain_controller": None,
                    "accept_basic": True,
                    "accept_digest": False,
                    "default_to_digest": False,
                },
                "verbose": 1,
                "logging": {"enable": False},
                "dir_browser": {"enable": False},
            }
        )
        self._server = wsgi.Server(
            ("127.0.0.1", 0), self._recorded(app), numthreads=4, shutdown_timeout=1.0
        )
        self._server.ssl_adapter = BuiltinSSLAdapter(str(certificate.cert), str(certificate.key))
        self._server.expiration_interval = 0.05
        # Clients refusing the certificate is what these tests are about: not worth a line each.
        self._server.error_log = lambda *args, **kwargs: None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.bind_addr[1]}/"

    def use_certificate(self, certificate: CertificateFiles) -> None:
        """Present another certificate from the next connection on, at the same address."""
        self.certificate = certificate
        self._server.ssl_adapter = BuiltinSSLAdapter(str(certificate.cert), str(certificate.key))

    def _recorded(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def record(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            self.requests.append(
                Request(
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO", ""),
                    "HTTP_AUTHORIZATION" in environ,
                )
            )
            return app(environ, start_response)

        return record

    def __enter__(self) -> TlsDavServer:
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve, name="tls-wsgidav", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
