"""Which certificate the connect dialog trusts, and the question asked when one is refused.

An untrusted certificate is never waved through. When a connection is refused
for its certificate, the certificate is fetched on the pool and shown
(CertificateDialog) with its fingerprint; the user trusts it for this session,
pins it in the bookmark, or declines. Trusted once holds only for the address
it came from: a new address forgets it. The pinned one is the bookmark's and
shows in the dialog's Advanced rows.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtWidgets import QWidget

from app.dav import errors
from app.dav.tls import CertificateInfo, fetch_certificate
from app.ui.background import Submit
from app.ui.certificate_dialog import CertificateDialog

#: The user trusted this fingerprint: (its SHA-256, whether it is pinned in the bookmark).
Trusted = Callable[[str, bool], None]


class CertificateTrust:
    """The dialog hands in its window (the question's parent), how it runs work in the
    background (its results dropped once the dialog moved on), and where the pin shows."""

    def __init__(
        self, dialog: QWidget, submit: Submit, show_pinned: Callable[[str | None], None]
    ) -> None:
        self._dialog = dialog
        self._submit = submit
        self._show_pinned = show_pinned
        self._pinned: str | None = None
        self._once: str | None = None

    @property
    def pinned(self) -> str | None:
        """The fingerprint kept in the bookmark."""
        return self._pinned

    @property
    def trusted(self) -> str | None:
        """The fingerprint a connection trusts now: this session's, else the pinned one."""
        return self._once or self._pinned

    def pin(self, fingerprint: str | None) -> None:
        self._pinned = fingerprint
        self._show_pinned(fingerprint)

    def forget_once(self) -> None:
        """Trusted for the server it came from, not for a new address."""
        self._once = None

    def ask(
        self,
        url: str,
        refusal: errors.CertificateError,
        trusted: Trusted,
        refused: Callable[[BaseException], None],
    ) -> None:
        """Fetch the refused certificate and ask the user about it; trusted is called with
        their choice, refused with why nothing is trusted (declined, or not fetched)."""
        self._submit(
            lambda: fetch_certificate(url),
            lambda info, failure: self._asked(url, refusal, info, failure, trusted, refused),
        )

    def _asked(
        self,
        url: str,
        refusal: errors.CertificateError,
        info: CertificateInfo | None,
        error: BaseException | None,
        trusted: Trusted,
        refused: Callable[[BaseException], None],
    ) -> None:
        if error is not None:
            refused(error)
            return
        assert info is not None
        dialog = CertificateDialog(info, urlsplit(url).netloc, refusal.reason, self._dialog)
        dialog.finished.connect(
            lambda choice: self._decided(info, choice, dialog, trusted, refused)
        )
        dialog.open()

    def _decided(
        self,
        info: CertificateInfo,
        choice: int,
        dialog: CertificateDialog,
        trusted: Trusted,
        refused: Callable[[BaseException], None],
    ) -> None:
        dialog.deleteLater()
        if choice == CertificateDialog.TRUST_ALWAYS:
            self.pin(info.sha256)
        elif choice == CertificateDialog.TRUST_ONCE:
            self._once = info.sha256
        else:
            refused(errors.DavError("The server's certificate was not trusted."))
            return
        trusted(info.sha256, choice == CertificateDialog.TRUST_ALWAYS)
