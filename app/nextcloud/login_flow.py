"""Login Flow v2: the user signs in in their own browser; Davdesk receives an app password.

The flow is started with an anonymous POST; the server answers with a login
URL for the browser and a poll endpoint with a token. Polling that endpoint
answers 404 until the user has granted access, then once with the server
address, the login name and a new app password. The app password is named
after the User-Agent that started the flow, so it says where it is used.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from app import __version__
from app.dav import DavClient, errors

#: How long a flow can be completed (Nextcloud expires its flows after 20 minutes).
FLOW_LIFETIME = 20 * 60.0
POLL_INTERVAL = 2.0
#: Where a user revokes an app password by hand.
WHERE_TO_REVOKE = "Settings > Security > Devices & sessions"


def device_name() -> str:
    """The User-Agent the app password is named after, in the user's list of devices."""
    return f"Davdesk {__version__} ({platform.node() or platform.system()})"


class LoginFlowError(errors.DavError):
    """The server's Login Flow answer cannot be used."""


class LoginCancelled(errors.DavError):
    """The user stopped waiting for the browser sign-in."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the flow hands back: the app password is the secret to keep (in the keyring)."""

    server: str
    login_name: str
    app_password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class LoginFlow:
    login_url: str
    endpoint: str
    token: str = field(repr=False)

    @classmethod
    def start(cls, client: DavClient, root_path: str) -> LoginFlow:
        """POST index.php/login/v2 anonymously; client: an unauthenticated client of the server.

        Sent again as it is after a retryable failure: a flow whose answer was lost holds no
        credential (nobody can grant it without its login address) and expires unused."""
        reply = client.retried(
            lambda: client.request(
                "POST",
                f"{root_path}index.php/login/v2",
                headers={"User-Agent": device_name(), "Accept": "application/json"},
            ),
            None,
        )
        try:
            answer = json.loads(reply.body)
            poll, login = answer["poll"], answer["login"]
            flow = cls(str(login), str(poll["endpoint"]), str(poll["token"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise LoginFlowError(f"POST {reply.url}: not a Login Flow v2 answer") from exc
        if urlsplit(flow.login_url).scheme not in ("http", "https"):
            raise LoginFlowError(
                f"the server's login address is not a web page: {flow.login_url!r}"
            )
        # The token is as good as the app password it will fetch: it goes to this server only.
        client.path_of(flow.endpoint)
        return flow

    def poll(self, client: DavClient) -> Credentials | None:
        """One poll: the credentials once the user granted access, None while they have not."""
        try:
            reply = client.request(
                "POST",
                client.path_of(self.endpoint),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
                content=urlencode({"token": self.token}).encode(),
            )
        except errors.NotFoundError:
            return None
        try:
            answer = json.loads(reply.body)
            return Credentials(
                str(answer["server"]), str(answer["loginName"]), str(answer["appPassword"])
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise LoginFlowError(f"POST {reply.url}: the poll answer holds no credentials") from exc

    def wait(
        self,
        client: DavClient,
        *,
        stop: Callable[[float], bool],
        interval: float | None = None,
        lifetime: float = FLOW_LIFETIME,
    ) -> Credentials:
        """Poll until the user has signed in. stop(seconds) waits and says whether to give up.

        A poll that fails is sent again under the client's policy (a poll creates nothing),
        its waits ended by stop too; a sign-in is given up only when that budget is spent.
        The server hands the credentials out once: a poll whose answer was lost may have
        carried them, and the wait then ends at the flow's lifetime saying so."""
        interval = POLL_INTERVAL if interval is None else interval
        deadline = time.monotonic() + lifetime
        lost: list[errors.DavError] = []

        def poll() -> Credentials | None:
            try:
                return self.poll(client)
            except errors.DavError as exc:
                if exc.may_have_acted:
                    lost.append(exc)
                raise

        while True:
            try:
                credentials = client.retry.run(poll, wait=stop)
            except errors.DavError:
                if stop(0):
                    raise LoginCancelled("sign-in cancelled") from None
                raise
            if credentials is not None:
                return credentials
            if time.monotonic() >= deadline:
                raise LoginFlowError(_not_finished(lost))
            if stop(interval):
                raise LoginCancelled("sign-in cancelled")


def _not_finished(lost: list[errors.DavError]) -> str:
    """Why a wait ended without credentials, in words; what to revoke when an answer was lost."""
    if not lost:
        return "the sign-in in the browser was not finished in time"
    return (
        "the sign-in in the browser was not finished in time, or its answer was lost on the "
        f"way ({lost[-1]}): if you did sign in, sign in again, and revoke the first "
        f'"{device_name()}" under {WHERE_TO_REVOKE}'
    )
