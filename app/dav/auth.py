"""Basic or Digest, whichever the server asks for, without the user choosing.

The first request goes out bare; the 401 challenge tells us the scheme, which
is then remembered so later requests (and worker threads) authenticate up
front instead of paying a round trip each. Digest wins when a server offers
both, because it never puts the password on the wire. Where the kind of server
is known to take Basic (a Nextcloud, which offers nothing else), the first
request carries it already and the challenge's round trip is saved; should
that server challenge for Digest after all, Digest is learnt and used instead.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Generator

import httpx


class NegotiatingAuth(httpx.Auth):
    """An httpx auth flow that learns the server's scheme from its first challenge."""

    def __init__(self, user: str, password: str, *, basic_first: bool = False) -> None:
        """basic_first: the server is known to take Basic: send it from the first request."""
        self.user = user
        self._basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = "basic" if basic_first else None
        #: Whether the scheme is presumed rather than learnt from a challenge.
        self._presumed = basic_first
        # httpx.DigestAuth keeps a nonce count; worker threads share this object.
        self._digest_lock = threading.Lock()

    @property
    def scheme(self) -> str | None:
        """'basic', 'digest', or None until the server has challenged us."""
        return self._scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            request.headers["Authorization"] = self._basic
            response = yield request
            if not self._presumed or response.status_code != 401:
                return
            if "digest" in _offered(response) and "basic" not in _offered(response):
                self._scheme, self._presumed = "digest", False
                yield from self._digest_flow(request, response)
            return
        if self._scheme == "digest":
            yield from self._digest_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        offered = _offered(response)
        if "digest" in offered:
            self._scheme = "digest"
            yield from self._digest_flow(request, response)
        elif "basic" in offered or not offered:  # Nextcloud's OCS API names no scheme
            self._scheme = "basic"
            request.headers["Authorization"] = self._basic
            yield request

    def _digest_flow(
        self, request: httpx.Request, challenge: httpx.Response | None = None
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """challenge: the 401 this request already got; answered at once, not asked for again."""
        flow = self._digest.auth_flow(request)
        with self._digest_lock:
            outgoing = next(flow)
            if challenge is not None:
                try:
                    outgoing = flow.send(challenge)
                except StopIteration:  # a challenge httpx does not take: the 401 stands
                    return
        while True:
            response = yield outgoing
            try:
                with self._digest_lock:
                    outgoing = flow.send(response)
            except StopIteration:
                return


def _offered(response: httpx.Response) -> set[str]:
    """The schemes a 401's challenges name, in lower case."""
    return {
        header.split(None, 1)[0].lower()
        for header in response.headers.get_list("www-authenticate")
        if header.strip()
    }
