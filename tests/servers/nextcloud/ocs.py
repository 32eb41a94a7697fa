"""OCS under ``ocs/v1.php/`` and ``ocs/v2.php/``
(developer_manual/client_apis/OCS/ocs-api-overview.rst).

The envelope, as lib/private/AppFramework/OCS/V1Response.php and V2Response.php write it:
``{"ocs": {"meta": {...}, "data": ...}}`` in JSON with ``?format=json`` or an Accept
header naming ``application/json``, else XML (``<ocs><meta>...</meta><data>...</data></ocs>``).

* v1: success is statuscode 100 (HTTP 200); a failure keeps its OCS code and is still
  HTTP 200, except 997 (not logged in), which is HTTP 401. Meta has totalitems and
  itemsperpage (empty).
* v2: success is 200; the HTTP status is the OCS code (403 is 403), with 997 -> 401,
  998 (no such route) -> 404, 996/999 -> 500, anything outside 200-600 -> 400.

What Nextcloud's middlewares do before a controller runs, in order: a request that
brings a session cookie but not the same-site cookies is refused (412, base.php); a
route that needs a login answers 997 "Current user is not logged in" to anyone
else; and a request without ``OCS-APIRequest: true`` fails the CSRF check: HTTP 412,
``{"message":"CSRF check failed"}`` (SecurityMiddleware; none of these routes is
exempt, capabilities included).

Routes: ``cloud/user``, ``cloud/capabilities`` (public: without a login only public
capabilities, of which this instance has none), ``core/getapppassword`` (GET) and
``core/apppassword`` (DELETE).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from tests.servers.nextcloud import sharing
from tests.servers.nextcloud.auth import Login
from tests.servers.nextcloud.http import JsonError, Request, Response
from tests.servers.nextcloud.instance import VERSION, VERSION_STRING

if TYPE_CHECKING:
    from tests.servers.nextcloud.instance import Instance

NOT_LOGGED_IN = 997
NOT_FOUND = 998
ROUTE_NOT_FOUND_MESSAGE = (
    "Invalid query, please check the syntax. API specifications are here: "
    "http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n"
)


@dataclass
class Result:
    status: int = 200  # the OCS code in v2 terms (200 = ok)
    data: Any = None
    message: str = ""


# -- rendering ----------------------------------------------------------------------------


def php_json(value: Any) -> Any:
    """What json_encode makes of a PHP array: an empty one is ``[]``, whatever it held."""
    if isinstance(value, dict):
        return {k: php_json(v) for k, v in value.items()} if value else []
    if isinstance(value, (list, tuple)):
        return [php_json(v) for v in value]
    return value


def php_xml(name: str, value: Any, indent: int) -> str:
    """BaseResponse::toXML: lists become <element>, true is "1", false is empty."""
    pad = " " * indent
    if isinstance(value, dict | list | tuple):
        items = value.items() if isinstance(value, dict) else (("element", v) for v in value)
        inner = "".join(php_xml(k, v, indent + 1) for k, v in items)
        if not inner:
            return f"{pad}<{name}/>\n"
        return f"{pad}<{name}>\n{inner}{pad}</{name}>\n"
    if value is None:
        return f"{pad}<{name}/>\n"
    if value is True:
        text = "1"
    elif value is False:
        text = ""
    else:
        text = str(value)
    return f"{pad}<{name}>{escape(text)}</{name}>\n"


def response_format(request: Request) -> str:
    """?format= first, else the first Accept type that names a responder (json or xml)."""
    fmt = request.params().get("format")
    if fmt in ("json", "xml"):
        return fmt
    for item in (request.header("accept") or "").split(","):
        responder = item.strip().lower().replace("application/", "")
        if responder in ("json", "xml"):
            return responder
    return "xml"


def render(version: int, fmt: str, result: Result) -> Response:
    ok = 200 <= result.status < 300
    if version == 1:
        code = 100 if result.status == 200 else result.status
        meta: dict[str, Any] = {
            "status": "ok" if code == 100 else "failure",
            "statuscode": code,
            "message": "OK" if code == 100 else result.message,
            "totalitems": "",
            "itemsperpage": "",
        }
        http_status = 401 if result.status == NOT_LOGGED_IN else 200
    else:
        meta = {
            "status": "ok" if ok else "failure",
            "statuscode": result.status,
            "message": "OK" if ok else result.message,
        }
        http_status = v2_http_status(result.status)
    data = result.data if result.data is not None else []
    if fmt == "json":
        body = json.dumps(
            {"ocs": {"meta": meta, "data": php_json(data)}}, separators=(",", ":")
        ).encode("utf-8")
        content_type = "application/json; charset=utf-8"
    else:
        text = (
            '<?xml version="1.0"?>\n<ocs>\n'
            + php_xml("meta", meta, 1)
            + php_xml("data", data, 1)
            + "</ocs>\n"
        )
        body = text.encode("utf-8")
        content_type = "application/xml; charset=utf-8"
    return Response(http_status, [("Content-Type", content_type)], body)


def v2_http_status(status: int) -> int:
    if status == NOT_LOGGED_IN:
        return 401
    if status == NOT_FOUND:
        return 404
    if status in (996, 999):
        return 500
    if status < 200 or status > 600:
        return 400
    return status


# -- routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    handler: Callable[[Instance, Request, Login | None], Result]
    public: bool = False


def get_user(instance: Instance, request: Request, login: Login | None) -> Result:
    storage = instance.storage
    used = storage.used()
    quota = instance.options.quota
    free = storage.free()
    if free is None:
        free = shutil.disk_usage(instance.data_dir).free
    total = used + free
    relative = round(used * 100 / total, 2) if total else 0
    return Result(
        data={
            "enabled": True,
            "id": instance.user_id,
            "lastLogin": int(time.time() * 1000),
            "backend": "Database",
            "subadmin": [],
            "quota": {
                "free": free,
                "used": used,
                "total": total,
                "relative": int(relative) if relative == int(relative) else relative,
                "quota": quota if quota is not None else -3,
            },
            "email": instance.login_name,
            "additional_mail": [],
            "displayname": instance.display_name,
            "display-name": instance.display_name,
            "phone": "",
            "address": "",
            "website": "",
            "twitter": "",
            "groups": [],
            "language": "en",
            "locale": "",
            "backendCapabilities": {"setDisplayName": True, "setPassword": True},
        }
    )


def capabilities(instance: Instance) -> dict[str, Any]:
    """What the authenticated capabilities say about this instance's options."""
    options = instance.options
    validator = instance.validator
    files: dict[str, Any] = {
        "$comment": '"blacklisted_files" is deprecated as of Nextcloud 30, use '
        '"forbidden_filenames" instead',
        "blacklisted_files": list(validator.filenames),
        "forbidden_filenames": list(validator.filenames),
        "forbidden_filename_basenames": list(validator.basenames),
        "forbidden_filename_characters": list(validator.characters),
        "forbidden_filename_extensions": list(validator.extensions),
        "undelete": True,
    }
    if options.chunk_max_size is not None:
        files["bigfilechunking"] = True
        files["chunked_upload"] = {"max_size": options.chunk_max_size, "max_parallel_count": 5}
    caps: dict[str, Any] = {
        "core": {
            "pollinterval": 60,
            "webdav-root": "remote.php/webdav",
            "mod-rewrite-working": True,
        },
        "files": files,
        "files_sharing": sharing.capabilities(instance),
    }
    if options.chunking:
        caps["dav"] = {"chunking": "1.0"}
    if options.bulk_upload:
        caps.setdefault("dav", {})["bulkupload"] = "1.0"
    if options.checksum_types is not None:
        caps["checksums"] = {
            "supportedTypes": list(options.checksum_types),
            "preferredUploadType": (options.checksum_types[0] if options.checksum_types else ""),
        }
    return caps


def get_capabilities(instance: Instance, request: Request, login: Login | None) -> Result:
    major, minor, micro, _ = VERSION
    version = {
        "major": major,
        "minor": minor,
        "micro": micro,
        "string": VERSION_STRING,
        "edition": "",
        "extendedSupport": False,
    }
    # Without a login, only IPublicCapability providers answer; none here.
    caps = capabilities(instance) if login is not None else {}
    return Result(data={"version": version, "capabilities": caps})


def get_app_password(instance: Instance, request: Request, login: Login | None) -> Result:
    assert login is not None
    if login.app_password is not None:
        return Result(403, message="You cannot request an new apppassword with an apppassword")
    password = instance.accounts.issue_app_password(request.user_agent, login.login_name)
    return Result(data={"apppassword": password})


def delete_app_password(instance: Instance, request: Request, login: Login | None) -> Result:
    assert login is not None
    if login.app_password is None:
        return Result(403, message="no app password in use")
    if not instance.accounts.revoke(login.app_password):
        return Result(403, message="could not remove apptoken")
    return Result()


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/cloud/user"): Route(get_user),
    ("GET", "/cloud/capabilities"): Route(get_capabilities, public=True),
    ("GET", "/core/getapppassword"): Route(get_app_password),
    ("DELETE", "/core/apppassword"): Route(delete_app_password),
}


def handle(instance: Instance, request: Request, version: int, route_path: str) -> Response:
    accounts = instance.accounts
    if not accounts.passes_strict_cookie_check(request):
        raise JsonError(
            412,
            {"error": "Strict Cookie has not been found in request"},
            accounts.same_site_cookies(),
        )
    login = accounts.session(request)
    cookies: list[tuple[str, str]] = []
    credentials = request.basic_credentials()
    if login is None and credentials is not None:
        result = accounts.log_client_in(*credentials)
        if result is not None:
            login, cookies = accounts.open_session(result, dav=False)
    fmt = response_format(request)
    route = ROUTES.get((request.method, route_path)) or sharing.route(request.method, route_path)
    if route is None:
        response = render(version, fmt, Result(NOT_FOUND, message=ROUTE_NOT_FOUND_MESSAGE))
    elif login is None and not route.public:
        response = render(
            version, fmt, Result(NOT_LOGGED_IN, message="Current user is not logged in")
        )
    elif request.header("ocs-apirequest") != "true":
        response = Response.json(412, {"message": "CSRF check failed"})
    else:
        response = render(version, fmt, route.handler(instance, request, login))
    response.headers.extend(cookies)
    return response
