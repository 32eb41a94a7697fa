"""Log in with the browser: Login Flow v2 driven from the connect dialog.

The user signs in on the server's own page, in the browser they already
trust with their password (and its second factor); Davdesk only ever sees
the app password the server issues for this computer. Discovery and the
flow's POST run on the Background pool, the page opens through
QDesktopServices, and the polling waits on the pool with a stop that the
dialog holds: cancel() ends the wait at once, and a result that arrives for
a flow that was cancelled meanwhile is dropped.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.nextcloud.login_flow import Credentials, LoginFlow
from app.session.sign_in import Verify, start_flow, wait_for_browser
from app.ui.background import Background

_PANEL_STYLE = (
    "#browserWaiting { background: palette(alternate-base); "
    "border: 1px solid palette(mid); border-radius: 4px; }"
)


class _Run:
    """One sign-in: its stop, set by cancel() or once it is over."""

    def __init__(self) -> None:
        self.stopped = threading.Event()


class BrowserLogin(QObject):
    opened = Signal(str)  # the sign-in page was handed to the browser: its address
    signed_in = Signal(object)  # Credentials
    failed = Signal(object)  # the exception, for describe_error (never LoginCancelled)

    def __init__(self, background: Background, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self._run: _Run | None = None

    @property
    def running(self) -> bool:
        return self._run is not None

    def start(self, url: str, verify: Verify) -> None:
        self.cancel()
        run = self._run = _Run()
        self._background.submit(
            lambda: start_flow(url, verify),
            lambda started, error: self._started(run, verify, started, error),
        )

    def cancel(self) -> None:
        """Stop waiting now; the pool thread that polls returns within a poll."""
        run, self._run = self._run, None
        if run is not None:
            run.stopped.set()

    def _started(
        self,
        run: _Run,
        verify: Verify,
        started: tuple[str, LoginFlow] | None,
        error: BaseException | None,
    ) -> None:
        if run is not self._run:
            return
        if error is not None or started is None:
            self._run = None
            self.failed.emit(error)
            return
        root_url, flow = started
        QDesktopServices.openUrl(QUrl(flow.login_url))
        self.opened.emit(flow.login_url)
        self._background.submit(
            lambda: wait_for_browser(flow, root_url, verify, run.stopped.wait),
            lambda credentials, failure: self._ended(run, credentials, failure),
        )

    def _ended(
        self, run: _Run, credentials: Credentials | None, error: BaseException | None
    ) -> None:
        if run is not self._run:
            return  # cancelled: the user has moved on
        self._run = None
        if error is not None:
            self.failed.emit(error)
        else:
            self.signed_in.emit(credentials)


class WaitingPanel(QFrame):
    """ "Waiting for you to sign in in your browser…", the page's address, and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("browserWaiting")
        self.setStyleSheet(_PANEL_STYLE)
        self.status = QLabel(self)
        self.status.setObjectName("browserStatus")
        self.status.setWordWrap(True)
        self.busy = QProgressBar(self, textVisible=False)
        self.busy.setObjectName("browserBusy")
        self.busy.setRange(0, 0)  # no end known: it moves while it waits
        self.busy.setFixedHeight(self.fontMetrics().height() // 2 + 2)
        self.link = QLabel(self)
        self.link.setObjectName("browserLink")
        self.link.setWordWrap(True)
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.link.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.cancel_button = QPushButton("Cancel Sign-In", self)
        self.cancel_button.setObjectName("cancelBrowserLogin")
        grid = QGridLayout(self)
        grid.addWidget(self.status, 0, 0, 1, 2)
        grid.addWidget(self.busy, 1, 0, 1, 2)
        grid.addWidget(self.link, 2, 0)
        grid.addWidget(
            self.cancel_button, 2, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        )
        grid.setColumnStretch(0, 1)

    def finding(self) -> None:
        self.status.setText("Looking for the Nextcloud at this address…")
        self.link.clear()
        self.link.hide()

    def waiting(self, login_url: str) -> None:
        self.status.setText("<b>Waiting for you to sign in in your browser…</b>")
        self.link.setText(
            f'No page opened? <a href="{_escaped(login_url)}">Open the sign-in '
            "page</a> yourself. Davdesk receives an app password for this "
            "computer, never your own password."
        )
        self.link.setToolTip(login_url)
        self.link.show()


def _escaped(url: str) -> str:
    return url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
