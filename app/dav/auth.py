"""Basic or Digest, whichever the server asks for, without the user choosing.

The first request goes out bare; the 401 challenge tells us the scheme, which
is then remembered so later requests (and worker threads) authenticate up
front instead of paying a round trip each. Digest wins when a server offers
both, because it never puts the password on the wire.
"""

from __future__ import annotations

import threading
from collections.abc import Generator

import httpx


class NegotiatingAuth(httpx.Auth):
    """An httpx auth flow that learns the server's scheme from its first challenge."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None
        # httpx.DigestAuth keeps a nonce count; worker threads share this object.
        self._digest_lock = threading.Lock()

    @property
    def scheme(self) -> str | None:
        """'basic', 'digest', or None until the server has challenged us."""
        return self._scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        offered = {
            header.split(None, 1)[0].lower()
            for header in response.headers.get_list("www-authenticate")
            if header.strip()
        }
        if "digest" in offered:
            self._scheme = "digest"
            yield from self._digest_flow(request)
        elif "basic" in offered or not offered:  # Nextcloud's OCS API names no scheme
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)

    def _digest_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self._digest.auth_flow(request)
        with self._digest_lock:
            outgoing = next(flow)
        while True:
            response = yield outgoing
            try:
                with self._digest_lock:
                    outgoing = flow.send(response)
            except StopIteration:
                return
