"""One account, its app passwords and its sessions, as Nextcloud's login code treats them.

* The account (user id ``alice``) logs in with its user id or its login name, an
  e-mail address (``alice@example.test``): Session::logClientIn tries the name as
  given and then, for an e-mail address, the user it belongs to. Checking the
  account password is the expensive step (bcrypt/argon2 on a real server): it is
  counted in :attr:`Accounts.password_checks` and costs ``password_cost`` seconds.
* An app password is looked up (cheap), and only counts for the login name it was
  issued to (Session::validateToken compares them). A revoked one is deleted, so
  it is then tried as an account password, and fails expensively.
* A successful Basic login opens a session: a cookie named after the instance id
  (``oc...``, PHP's session name) with ``oc_sessionPassphrase`` (without which the
  session cannot be decrypted), and the ``nc_sameSiteCookielax``/``strict`` pair.
  A later request that brings the cookies is logged in without any password
  check; see :mod:`tests.servers.nextcloud.app` for how DAV and OCS use that.
"""

from __future__ import annotations

import hmac
import secrets
import string
import threading
import time
from dataclasses import dataclass

from tests.servers.nextcloud.http import Request
from tests.servers.nextcloud.store import Store

PASSPHRASE_COOKIE = "oc_sessionPassphrase"
SAME_SITE_COOKIES = ("nc_sameSiteCookielax", "nc_sameSiteCookiestrict")
_TOKEN_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Login:
    """Who a request is: the login name it used, and the app password if it used one."""

    login_name: str
    app_password: str | None = None
    session_id: str | None = None
    dav_session: bool = False  # the session was opened by a DAV request


@dataclass(frozen=True)
class AppPassword:
    name: str  # the User-Agent it was issued to
    password: str
    login_name: str
    revoked: bool


class Accounts:
    def __init__(
        self,
        store: Store,
        *,
        user_id: str,
        login_name: str,
        password: str,
        password_cost: float,
        cookie_name: str,
        cookie_path: str,
    ) -> None:
        self.store = store
        self.user_id = user_id
        self.email = login_name
        self.password = password
        self.password_cost = password_cost
        self.cookie_name = cookie_name
        self.cookie_path = cookie_path
        self._count_lock = threading.Lock()
        self.password_checks = 0

    # -- passwords --------------------------------------------------------------------------
    def _check_account_password(self, password: str) -> bool:
        """The expensive check; only reached for a name that resolves to the account."""
        with self._count_lock:
            self.password_checks += 1
        if self.password_cost:
            time.sleep(self.password_cost)
        return hmac.compare_digest(password.encode("utf-8"), self.password.encode("utf-8"))

    def _token(self, password: str) -> AppPassword | None:
        row = self.store.one(
            "SELECT * FROM app_passwords WHERE password = ? AND revoked = 0", (password,)
        )
        if row is None:
            return None
        return AppPassword(row["name"], row["password"], row["login_name"], False)

    def _login(self, login: str, password: str) -> Login | None:
        """Session::login: an app password for this login name, else the account password."""
        token = self._token(password)
        if token is not None and token.login_name == login:
            return Login(token.login_name, app_password=password)
        # The user backend finds users by id, case-insensitively; anything else is no
        # user at all, and no hash is checked.
        if login.lower() == self.user_id.lower() and self._check_account_password(password):
            return Login(login)
        return None

    def log_client_in(self, login: str, password: str) -> Login | None:
        """Session::logClientIn: the name as given, then as the account's e-mail address."""
        if not login.strip():
            return None
        result = self._login(login, password)
        if (
            result is None
            and "@" in login
            and login.lower() == self.email.lower()
            and self._token(password) is None
        ):
            # The e-mail fallback, for account passwords (an app password must have been
            # issued to the e-mail address itself): it logs in as the user id, which then
            # is the session's login name.
            result = self._login(self.user_id, password)
        return result

    def check_web_login(self, login: str, password: str) -> str | None:
        """The browser login form (account password only): the login name as typed."""
        if login.lower() in (
            self.user_id.lower(),
            self.email.lower(),
        ) and self._check_account_password(password):
            return login
        return None

    # -- app passwords ------------------------------------------------------------------------
    def issue_app_password(self, name: str, login_name: str) -> str:
        password = random_token(72)
        self.store.execute(
            "INSERT INTO app_passwords (name, password, login_name) VALUES (?, ?, ?)",
            (name, password, login_name),
        )
        return password

    def revoke(self, password: str) -> bool:
        cursor = self.store.execute(
            "UPDATE app_passwords SET revoked = 1 WHERE password = ? AND revoked = 0", (password,)
        )
        return cursor.rowcount > 0

    def app_passwords(self) -> list[AppPassword]:
        return [
            AppPassword(r["name"], r["password"], r["login_name"], bool(r["revoked"]))
            for r in self.store.all("SELECT * FROM app_passwords ORDER BY id")
        ]

    # -- sessions -----------------------------------------------------------------------------
    def open_session(self, login: Login, *, dav: bool) -> tuple[Login, list[tuple[str, str]]]:
        """A new session for ``login``, and the Set-Cookie headers that carry it."""
        session_id = random_token(32).lower()
        passphrase = random_token(128)
        self.store.execute(
            "INSERT INTO sessions (id, passphrase, login_name, app_password, dav) "
            "VALUES (?, ?, ?, ?, ?)",
            (session_id, passphrase, login.login_name, login.app_password, int(dav)),
        )
        path = self.cookie_path
        cookies = [
            ("Set-Cookie", f"{self.cookie_name}={session_id}; path={path}; HttpOnly; SameSite=Lax"),
            (
                "Set-Cookie",
                f"{PASSPHRASE_COOKIE}={passphrase}; path={path}; HttpOnly; SameSite=Lax",
            ),
            *self.same_site_cookies(),
        ]
        return Login(login.login_name, login.app_password, session_id, dav), cookies

    def same_site_cookies(self) -> list[tuple[str, str]]:
        """OC::sendSameSiteCookies (no Secure flag: the test server speaks plain http)."""
        return [
            (
                "Set-Cookie",
                (
                    f"{name}=true; path={self.cookie_path}; httponly; "
                    f"expires=Fri, 31-Dec-2100 23:59:59 GMT; SameSite={policy}"
                ),
            )
            for name, policy in zip(SAME_SITE_COOKIES, ("lax", "strict"), strict=True)
        ]

    def has_session_cookie(self, request: Request) -> bool:
        return self.cookie_name in request.cookies() or "nc_token" in request.cookies()

    def passes_strict_cookie_check(self, request: Request) -> bool:
        """Request::passesStrictCookieCheck: with a session cookie, both same-site cookies."""
        if request.header("ocs-apirequest"):
            return True
        if not self.has_session_cookie(request):
            return True
        cookies = request.cookies()
        return all(cookies.get(name) == "true" for name in SAME_SITE_COOKIES)

    def session(self, request: Request) -> Login | None:
        """The logged-in session the request's cookies point to, if any (and still valid)."""
        cookies = request.cookies()
        session_id = cookies.get(self.cookie_name)
        passphrase = cookies.get(PASSPHRASE_COOKIE)
        if not session_id or not passphrase:
            return None
        row = self.store.one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if row is None or not hmac.compare_digest(row["passphrase"], passphrase):
            return None
        if row["app_password"] is not None and self._token(row["app_password"]) is None:
            # Session::validateSession: the app password behind the session was revoked.
            self.store.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            return None
        return Login(row["login_name"], row["app_password"], session_id, bool(row["dav"]))
