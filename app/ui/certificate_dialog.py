"""The question a user must answer before trusting a server's certificate.

It shows what identifies the certificate (the SHA-256 fingerprint, subject,
issuer and expiry) so the user can compare it with what the server's owner
says, and offers trusting it once (this connection) or always (pinned in
the bookmark).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.dav.tls import CertificateInfo


class CertificateDialog(QDialog):
    """Shows an untrusted certificate; finishes with TRUST_ONCE, TRUST_ALWAYS or Rejected."""

    TRUST_ONCE = 2
    TRUST_ALWAYS = 3

    def __init__(
        self, info: CertificateInfo, host: str, reason: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("certificateDialog")
        self.setWindowTitle("Untrusted certificate")
        self.info = info

        heading = QLabel(
            f"<b>The certificate of {_html(host)} is not trusted</b><br>Reason: {_html(reason)}"
        )
        advice = QLabel(
            "Anyone between you and the server could present such a certificate. "
            "Trust it only if its fingerprint matches the one the server's "
            "administrator gave you."
        )
        advice.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Subject:", self._value(info.subject, "certificateSubject"))
        form.addRow("Issuer:", self._value(info.issuer, "certificateIssuer"))
        expiry = f"{info.not_after:%Y-%m-%d %H:%M} UTC"
        form.addRow(
            "Valid until:",
            self._value(f"{expiry} (expired)" if info.expired() else expiry, "certificateExpiry"),
        )
        fingerprint = self._value(_two_lines(info.sha256), "certificateFingerprint")
        fingerprint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        form.addRow("SHA-256:", fingerprint)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        once = buttons.addButton("Trust &once", QDialogButtonBox.ButtonRole.ActionRole)
        once.setObjectName("trustOnceButton")
        once.clicked.connect(lambda: self.done(self.TRUST_ONCE))
        always = buttons.addButton("Trust &always", QDialogButtonBox.ButtonRole.ActionRole)
        always.setObjectName("trustAlwaysButton")
        always.clicked.connect(lambda: self.done(self.TRUST_ALWAYS))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        cancel.setDefault(True)  # Enter must not trust anything
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(advice)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @staticmethod
    def _value(text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label


def _two_lines(fingerprint: str) -> str:
    """95 characters do not fit a dialog: break after the 16th byte."""
    return f"{fingerprint[:47]}\n{fingerprint[48:]}"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
