"""The fake Nextcloud itself (tests/servers/nextcloud): one test per documented behaviour.

Raw httpx and sockets only, no Davdesk code: a reader should be able to check each
test against Nextcloud's developer documentation (or the server source the module
docstrings name) and trust the server the client's integration tests run against.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx
import pytest

from tests.servers.nextcloud import NextcloudServer, loginflow

D = "{DAV:}"
OC = "{http://owncloud.org/ns}"
NC = "{http://nextcloud.org/ns}"
S = "{http://sabredav.org/ns}"
OCS = {"OCS-APIRequest": "true"}

ALL_PROPS = b"""<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
  <d:prop>
    <d:getlastmodified/><d:getetag/><d:getcontenttype/><d:resourcetype/><d:getcontentlength/>
    <oc:fileid/><oc:id/><oc:permissions/><oc:size/><nc:has-preview/><oc:checksums/>
    <nc:trashbin-filename/><nc:trashbin-original-location/><nc:trashbin-deletion-time/>
  </d:prop>
</d:propfind>"""


# -- helpers --------------------------------------------------------------------------------

# One TLS context for every client: making one per client is most of a client's cost,
# and these tests make hundreds (the servers speak plain http anyway).
SSL = ssl.create_default_context()


def fresh(**kwargs: object) -> httpx.Client:
    """A client with no cookies and no credentials: a new visitor."""
    return httpx.Client(verify=SSL, timeout=10, **kwargs)  # type: ignore[arg-type]


def client(
    server: NextcloudServer, user: str | None = None, password: str | None = None, **kwargs: object
) -> httpx.Client:
    return fresh(auth=(user or server.user_id, password or server.password), **kwargs)


def get(url: str, **kwargs: object) -> httpx.Response:
    with fresh() as http:
        return http.get(url, **kwargs)  # type: ignore[arg-type]


def post(url: str, **kwargs: object) -> httpx.Response:
    with fresh() as http:
        return http.post(url, **kwargs)  # type: ignore[arg-type]


def request(method: str, url: str, **kwargs: object) -> httpx.Response:
    with fresh() as http:
        return http.request(method, url, **kwargs)  # type: ignore[arg-type]


def propfind(
    http: httpx.Client,
    url: str,
    depth: str = "1",
    body: bytes = ALL_PROPS,
    headers: dict[str, str] | None = None,
) -> dict[str, dict[str, str | None]]:
    """{decoded href path: {clark name: text}} of the 200 propstats of a PROPFIND."""
    response = http.request(
        "PROPFIND", url, content=body, headers={"Depth": depth, **(headers or {})}
    )
    assert response.status_code == 207, response.text
    return parse_multistatus(response.content)


def parse_multistatus(body: bytes) -> dict[str, dict[str, str | None]]:
    result: dict[str, dict[str, str | None]] = {}
    for response in ET.fromstring(body).iter(f"{D}response"):
        href = unquote(urlsplit(response.findtext(f"{D}href") or "").path)
        props: dict[str, str | None] = {}
        for propstat in response.iter(f"{D}propstat"):
            if " 200 " not in (propstat.findtext(f"{D}status") or ""):
                continue
            for prop in propstat.find(f"{D}prop") or []:
                if prop.tag == f"{D}resourcetype":
                    props[prop.tag] = (
                        "collection" if prop.find(f"{D}collection") is not None else ""
                    )
                elif prop.tag == f"{OC}checksums":
                    props[prop.tag] = " ".join(c.text or "" for c in prop)
                else:
                    props[prop.tag] = prop.text
        result[href] = props
    return result


def path_of(server: NextcloudServer, rel: str = "") -> str:
    return urlsplit(server.files_url).path + rel


def sabre_error(response: httpx.Response) -> tuple[str, str]:
    assert response.headers["content-type"].startswith("application/xml"), response.text
    root = ET.fromstring(response.content)
    assert root.tag == f"{D}error"
    return root.findtext(f"{S}exception") or "", root.findtext(f"{S}message") or ""


def ocs_json(response: httpx.Response) -> dict:
    return response.json()["ocs"]


# -- status.php, the root and discovery ----------------------------------------------------------


def test_status_php_is_anonymous_json(nextcloud_server):
    response = get(nextcloud_server.root_url + "status.php")
    assert response.status_code == 200
    status = response.json()
    assert status["installed"] is True and status["maintenance"] is False
    assert status["needsDbUpgrade"] is False
    assert status["productname"] == "Nextcloud"
    assert status["version"].count(".") == 3 and status["versionstring"].count(".") == 2
    assert "edition" in status and "extendedSupport" in status


def test_a_subpath_install_answers_only_under_its_subpath(make_nextcloud):
    server = make_nextcloud(subpath="/nextcloud")
    assert server.root_url == f"{server.origin}/nextcloud/"
    assert server.files_url == f"{server.origin}/nextcloud/remote.php/dav/files/alice/"
    assert get(server.origin + "/status.php").status_code == 404
    assert get(server.root_url + "status.php").json()["installed"] is True
    with client(server) as http:
        assert (
            http.request(
                "PROPFIND", server.origin + "/remote.php/dav/files/alice/", headers={"Depth": "0"}
            ).status_code
            == 404
        )
        assert http.request("PROPFIND", server.files_url, headers={"Depth": "0"}).status_code == 207


def test_root_and_index_php_are_html_pages(nextcloud_server):
    for url in (nextcloud_server.root_url, nextcloud_server.root_url + "index.php"):
        response = get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "<html" in response.text


# -- OCS --------------------------------------------------------------------------------------


def test_ocs_without_ocs_apirequest_header_fails_the_csrf_check(nextcloud_server):
    with client(nextcloud_server) as http:
        for version in (1, 2):
            response = http.get(f"{nextcloud_server.root_url}ocs/v{version}.php/cloud/user")
            assert response.status_code == 412
            assert response.json() == {"message": "CSRF check failed"}


def test_ocs_without_login_is_997_and_401_in_both_versions(nextcloud_server):
    for version in (1, 2):
        response = get(
            f"{nextcloud_server.root_url}ocs/v{version}.php/cloud/user",
            params={"format": "json"},
            headers=OCS,
        )
        assert response.status_code == 401
        meta = ocs_json(response)["meta"]
        assert meta["statuscode"] == 997 and meta["status"] == "failure"


def test_ocs_v1_and_v2_status_codes(nextcloud_server):
    app_password = nextcloud_server.issue_app_password()
    root = nextcloud_server.root_url
    with client(nextcloud_server) as http:
        v1 = http.get(root + "ocs/v1.php/cloud/user?format=json", headers=OCS)
        v2 = http.get(root + "ocs/v2.php/cloud/user?format=json", headers=OCS)
    assert (v1.status_code, ocs_json(v1)["meta"]["statuscode"]) == (200, 100)
    assert set(ocs_json(v1)["meta"]) == {
        "status",
        "statuscode",
        "message",
        "totalitems",
        "itemsperpage",
    }
    assert (v2.status_code, ocs_json(v2)["meta"]["statuscode"]) == (200, 200)
    # A refusal: v1 says it in the body only, v2 also in the HTTP status.
    with client(nextcloud_server, password=app_password) as http:
        v1 = http.get(root + "ocs/v1.php/core/getapppassword?format=json", headers=OCS)
        v2 = http.get(root + "ocs/v2.php/core/getapppassword?format=json", headers=OCS)
    assert (v1.status_code, ocs_json(v1)["meta"]["statuscode"]) == (200, 403)
    assert (v2.status_code, ocs_json(v2)["meta"]["statuscode"]) == (403, 403)
    # No such route: 998, HTTP 404 in v2 only.
    with client(nextcloud_server) as http:
        v1 = http.get(root + "ocs/v1.php/cloud/nothing?format=json", headers=OCS)
        v2 = http.get(root + "ocs/v2.php/cloud/nothing?format=json", headers=OCS)
    assert (v1.status_code, ocs_json(v1)["meta"]["statuscode"]) == (200, 998)
    assert (v2.status_code, ocs_json(v2)["meta"]["statuscode"]) == (404, 998)


def test_ocs_is_xml_unless_json_is_asked_for(nextcloud_server):
    url = nextcloud_server.root_url + "ocs/v2.php/cloud/user"
    with client(nextcloud_server) as http:
        xml = http.get(url, headers=OCS)
        by_param = http.get(url, params={"format": "json"}, headers=OCS)
        by_accept = http.get(url, headers={**OCS, "Accept": "application/json"})
    assert xml.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "ocs" and root.findtext("meta/statuscode") == "200"
    assert root.findtext("data/id") == "alice"
    assert ocs_json(by_param)["data"]["id"] == ocs_json(by_accept)["data"]["id"] == "alice"


def test_cloud_user_gives_the_user_id_for_a_login_name_login(nextcloud_server):
    assert nextcloud_server.login_name != nextcloud_server.user_id
    with client(nextcloud_server, user=nextcloud_server.login_name) as http:
        data = ocs_json(
            http.get(nextcloud_server.root_url + "ocs/v1.php/cloud/user?format=json", headers=OCS)
        )["data"]
    assert data["id"] == "alice"
    assert data["display-name"] == nextcloud_server.display_name


def test_capabilities_follow_the_options(make_nextcloud):
    server = make_nextcloud(
        forbidden_basenames=("con",),
        forbidden_characters=(":",),
        checksum_types=("SHA1", "MD5"),
        chunk_max_size=4096,
    )
    with client(server) as http:
        data = ocs_json(
            http.get(server.root_url + "ocs/v2.php/cloud/capabilities?format=json", headers=OCS)
        )["data"]
    assert data["version"]["major"] == 30 and data["version"]["string"]
    caps = data["capabilities"]
    assert caps["core"]["webdav-root"] == "remote.php/webdav"
    assert caps["dav"]["chunking"] == "1.0"
    files = caps["files"]
    assert files["bigfilechunking"] is True
    assert files["chunked_upload"] == {"max_size": 4096, "max_parallel_count": 5}
    assert files["forbidden_filenames"] == [".htaccess"]
    assert files["forbidden_filename_basenames"] == ["con"]
    assert set(files["forbidden_filename_characters"]) == {"\\", "/", ":"}
    assert files["forbidden_filename_extensions"] == [".part", ".filepart"]
    assert files["undelete"] is True
    assert caps["checksums"] == {"supportedTypes": ["SHA1", "MD5"], "preferredUploadType": "SHA1"}


def test_capabilities_without_chunking_checksums_or_chunk_size(make_nextcloud):
    server = make_nextcloud(chunking=False, chunk_max_size=None, bulk_upload=False)
    with client(server) as http:
        caps = ocs_json(
            http.get(server.root_url + "ocs/v1.php/cloud/capabilities?format=json", headers=OCS)
        )["data"]["capabilities"]
    assert "dav" not in caps and "checksums" not in caps
    assert "chunked_upload" not in caps["files"] and "bigfilechunking" not in caps["files"]


def test_capabilities_say_bulk_upload_where_the_server_takes_it(make_nextcloud):
    for bulk, expected in (
        (True, {"chunking": "1.0", "bulkupload": "1.0"}),
        (False, {"chunking": "1.0"}),
    ):
        server = make_nextcloud(bulk_upload=bulk)
        with client(server) as http:
            caps = ocs_json(
                http.get(server.root_url + "ocs/v1.php/cloud/capabilities?format=json", headers=OCS)
            )["data"]["capabilities"]
        assert caps["dav"] == expected


def test_anonymous_capabilities_have_the_version_but_no_private_capabilities(nextcloud_server):
    response = get(
        nextcloud_server.root_url + "ocs/v2.php/cloud/capabilities",
        params={"format": "json"},
        headers=OCS,
    )
    assert response.status_code == 200
    data = ocs_json(response)["data"]
    assert data["version"]["major"] == 30
    assert "files" not in data["capabilities"] and "dav" not in data["capabilities"]


def test_getapppassword_turns_an_account_password_into_an_app_password(nextcloud_server):
    url = nextcloud_server.root_url + "ocs/v2.php/core/getapppassword"
    with client(nextcloud_server, headers={"User-Agent": "Davdesk/1.0 test"}) as http:
        response = http.get(url, headers=OCS)
    assert response.status_code == 200
    password = ET.fromstring(response.content).findtext("data/apppassword")
    assert password and len(password) == 72
    record = nextcloud_server.app_passwords[-1]
    assert (record.name, record.password, record.revoked) == ("Davdesk/1.0 test", password, False)
    checks = nextcloud_server.password_checks
    with client(nextcloud_server, password=password) as http:
        assert (
            http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"}).status_code
            == 207
        )
        again = http.get(url, headers=OCS)
    assert nextcloud_server.password_checks == checks  # an app password is the cheap check
    assert again.status_code == 403  # not with an app password


def test_deleting_the_app_password_in_use_revokes_it(nextcloud_server):
    password = nextcloud_server.issue_app_password()
    url = nextcloud_server.root_url + "ocs/v2.php/core/apppassword"
    with client(nextcloud_server, password=password) as http:
        assert http.delete(url, headers=OCS).status_code == 200
    assert nextcloud_server.app_passwords[-1].revoked is True
    with client(nextcloud_server, password=password) as http:
        assert (
            http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"}).status_code
            == 401
        )
    with client(nextcloud_server) as http:  # with the account password there is none to delete
        assert http.delete(url, headers=OCS).status_code == 403


# -- Login Flow v2 ------------------------------------------------------------------------------


def test_login_flow_v2_end_to_end(make_nextcloud):
    server = make_nextcloud(subpath="/nextcloud")
    start = post(
        server.root_url + "index.php/login/v2", headers={"User-Agent": "Davdesk flow test"}
    )
    assert start.status_code == 200
    flow = start.json()
    token, endpoint, login = flow["poll"]["token"], flow["poll"]["endpoint"], flow["login"]
    assert endpoint.startswith(server.root_url) and login.startswith(server.root_url)
    assert post(endpoint, data={"token": token}).status_code == 404  # not yet
    page = get(login)
    assert page.status_code == 200 and "<form" in page.text
    server.grant_login(login)
    done = post(endpoint, data={"token": token})
    assert done.status_code == 200
    credentials = done.json()
    assert credentials["server"] == server.root_url.rstrip("/")
    assert credentials["loginName"] == server.login_name
    assert post(endpoint, data={"token": token}).status_code == 404  # only once
    assert server.app_passwords[-1].name == "Davdesk flow test"
    with client(server, user=credentials["loginName"], password=credentials["appPassword"]) as http:
        assert http.request("PROPFIND", server.files_url, headers={"Depth": "0"}).status_code == 207


def test_login_flow_granted_with_the_user_id_gives_that_login_name(nextcloud_server):
    flow = post(nextcloud_server.root_url + "index.php/login/v2").json()
    nextcloud_server.grant_login(flow["login"], login_name="alice")
    credentials = post(flow["poll"]["endpoint"], data={"token": flow["poll"]["token"]}).json()
    assert credentials["loginName"] == "alice"


def test_login_flow_refuses_a_wrong_password(nextcloud_server):
    flow = post(nextcloud_server.root_url + "index.php/login/v2").json()
    with pytest.raises(AssertionError):
        nextcloud_server.grant_login(flow["login"], password="not-it")
    assert post(flow["poll"]["endpoint"], data={"token": flow["poll"]["token"]}).status_code == 404


def test_login_flows_expire(nextcloud_server, monkeypatch):
    flow = post(nextcloud_server.root_url + "index.php/login/v2").json()
    monkeypatch.setattr(loginflow, "LOGIN_FLOW_LIFETIME", -1)
    assert get(flow["login"]).status_code == 403
    assert post(flow["poll"]["endpoint"], data={"token": flow["poll"]["token"]}).status_code == 404


def test_login_flow_answers_with_and_without_index_php(nextcloud_server):
    root = nextcloud_server.root_url
    assert post(root + "login/v2").status_code == 200
    flow = post(root + "index.php/login/v2").json()
    poll = root + "index.php/login/v2/poll"
    assert post(poll, data={"token": flow["poll"]["token"]}).status_code == 404
    assert get(root + "index.php/login/v2").status_code == 405  # POST only


# -- logins on DAV ---------------------------------------------------------------------------------


def test_dav_accepts_the_login_name_or_the_user_id(nextcloud_server):
    for user in (nextcloud_server.login_name, nextcloud_server.user_id):
        with client(nextcloud_server, user=user) as http:
            assert (
                http.request(
                    "PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"}
                ).status_code
                == 207
            )


def test_dav_paths_use_the_user_id_not_the_login_name(nextcloud_server):
    with client(nextcloud_server) as http:
        for other in (nextcloud_server.login_name, "bob"):
            url = f"{nextcloud_server.root_url}remote.php/dav/files/{other}/"
            assert http.request("PROPFIND", url, headers={"Depth": "0"}).status_code == 404


def test_a_failed_login_is_401_with_basic_challenge_and_sabre_body(nextcloud_server):
    for auth in (None, ("alice", "wrong")):
        response = request(
            "PROPFIND", nextcloud_server.files_url, auth=auth, headers={"Depth": "0"}
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Basic realm="Nextcloud", charset="UTF-8"'
        exception, _message = sabre_error(response)
        assert exception == "Sabre\\DAV\\Exception\\NotAuthenticated"


def test_a_dav_session_cookie_skips_the_password_check(make_nextcloud):
    server = make_nextcloud(password_cost=0.05)
    with client(server) as http:
        started = time.monotonic()
        first = http.request("PROPFIND", server.files_url, headers={"Depth": "0"})
        assert time.monotonic() - started >= 0.05  # the expensive check was paid for
        assert server.password_checks == 1
        cookies = first.headers.get_list("set-cookie")
        names = [c.split("=", 1)[0] for c in cookies]
        session_cookie = next(
            n for n in names if n.startswith("oc") and n != "oc_sessionPassphrase"
        )
        assert session_cookie[2:].isalnum()
        assert {"oc_sessionPassphrase", "nc_sameSiteCookielax", "nc_sameSiteCookiestrict"} <= set(
            names
        )
        assert not any("secure" in c.lower() for c in cookies)
        for _ in range(3):  # the client sends Basic and the cookies: no new check
            assert (
                http.request("PROPFIND", server.files_url, headers={"Depth": "0"}).status_code
                == 207
            )
        assert server.password_checks == 1
    with fresh(cookies=http.cookies) as cookies_only:
        assert (
            cookies_only.request("PROPFIND", server.files_url, headers={"Depth": "0"}).status_code
            == 207
        )
    assert server.password_checks == 1


def test_a_session_cookie_without_the_same_site_cookies_is_refused(nextcloud_server):
    with client(nextcloud_server) as http:
        http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"})
        session = {n: v for n, v in http.cookies.items() if not n.startswith("nc_sameSite")}
    with fresh(cookies=session, auth=("alice", nextcloud_server.password)) as http:
        response = http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"})
    assert response.status_code == 412
    assert response.json() == {"error": "Strict Cookie has not been found in request"}


def test_an_ocs_session_logs_in_dav_gets_but_not_other_methods(nextcloud_server):
    with client(nextcloud_server) as http:
        http.get(nextcloud_server.root_url + "ocs/v2.php/cloud/user", headers=OCS)
        jar = http.cookies
    (nextcloud_server.files_root / "a.txt").write_bytes(b"a")
    with fresh(cookies=jar) as cookies_only:
        assert cookies_only.get(nextcloud_server.files_url + "a.txt").status_code == 200
        refused = cookies_only.request(
            "PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"}
        )
    assert refused.status_code == 401
    assert sabre_error(refused)[1] == "CSRF check not passed."


def test_a_dav_session_also_logs_in_ocs(nextcloud_server):
    with client(nextcloud_server) as http:
        http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"})
        jar = http.cookies
    with fresh(cookies=jar) as cookies_only:
        response = cookies_only.get(
            nextcloud_server.root_url + "ocs/v2.php/cloud/user",
            params={"format": "json"},
            headers=OCS,
        )
    assert response.status_code == 200 and ocs_json(response)["data"]["id"] == "alice"
    assert nextcloud_server.password_checks == 1


def test_an_app_password_is_cheap_and_tied_to_its_login_name(nextcloud_server):
    password = nextcloud_server.issue_app_password()  # for the user id
    with client(nextcloud_server, password=password) as http:
        assert (
            http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"}).status_code
            == 207
        )
    assert nextcloud_server.password_checks == 0
    with client(nextcloud_server, user=nextcloud_server.login_name, password=password) as http:
        assert (
            http.request("PROPFIND", nextcloud_server.files_url, headers={"Depth": "0"}).status_code
            == 401
        )


# -- files: properties -----------------------------------------------------------------------------


def test_live_properties_of_files_and_folders(nextcloud_server):
    root = nextcloud_server.files_root
    (root / "docs").mkdir()
    (root / "docs" / "a.txt").write_bytes(b"12345")
    (root / "docs" / "b.png").write_bytes(b"\x89PNG" + b"0" * 6)
    with client(nextcloud_server) as http:
        listing = propfind(http, nextcloud_server.files_url + "docs/")
    folder = listing[path_of(nextcloud_server, "docs/")]
    text = listing[path_of(nextcloud_server, "docs/a.txt")]
    image = listing[path_of(nextcloud_server, "docs/b.png")]
    assert folder[f"{D}resourcetype"] == "collection"
    assert folder[f"{OC}size"] == "15"  # everything inside
    assert folder[f"{OC}permissions"] == "RGDNVCK"
    assert text[f"{OC}permissions"] == "RGDNVW"
    assert text[f"{D}getcontentlength"] == "5" and text[f"{OC}size"] == "5"
    assert text[f"{NC}has-preview"] == "false" and image[f"{NC}has-preview"] == "true"
    for props in (folder, text, image):
        etag = props[f"{D}getetag"]
        assert etag and etag.startswith('"') and etag.endswith('"')
        fileid = props[f"{OC}fileid"]
        assert fileid and fileid.isdigit()
        assert props[f"{OC}id"] == f"{int(fileid):08d}{nextcloud_server.instance.instance_id}"
    assert len({p[f"{OC}fileid"] for p in (folder, text, image)}) == 3


def test_allprop_is_sabres_default_set(nextcloud_server):
    (nextcloud_server.files_root / "a.txt").write_bytes(b"a")
    with client(nextcloud_server) as http:
        listing = propfind(http, nextcloud_server.files_url, body=b"")
    assert set(listing[path_of(nextcloud_server, "a.txt")]) == {
        f"{D}getlastmodified",
        f"{D}getcontentlength",
        f"{D}resourcetype",
        f"{D}getetag",
        f"{D}getcontenttype",
    }
    assert f"{D}quota-available-bytes" in listing[path_of(nextcloud_server)]


def test_depth_missing_means_1_and_infinity_lists_the_tree(nextcloud_server):
    (nextcloud_server.files_root / "d" / "e").mkdir(parents=True)
    (nextcloud_server.files_root / "d" / "e" / "f.txt").write_bytes(b"f")
    with client(nextcloud_server) as http:
        missing = http.request("PROPFIND", nextcloud_server.files_url)
        infinity = propfind(http, nextcloud_server.files_url, "infinity")
        minimal = http.request(
            "PROPFIND",
            nextcloud_server.files_url + "d/",
            content=ALL_PROPS,
            headers={"Depth": "0", "Prefer": "return=minimal"},
        )
    assert sorted(parse_multistatus(missing.content)) == [
        path_of(nextcloud_server),
        path_of(nextcloud_server, "d/"),
    ]
    assert path_of(nextcloud_server, "d/e/f.txt") in infinity
    assert b"404 Not Found" not in minimal.content


def test_file_ids_follow_moves_and_copies_get_new_ones(nextcloud_server):
    (nextcloud_server.files_root / "a.txt").write_bytes(b"a")
    with client(nextcloud_server) as http:
        before = propfind(http, nextcloud_server.files_url + "a.txt", "0")
        fileid = next(iter(before.values()))[f"{OC}fileid"]
        moved = http.request(
            "MOVE",
            nextcloud_server.files_url + "a.txt",
            headers={"Destination": nextcloud_server.files_url + "b.txt"},
        )
        assert moved.status_code == 201
        assert (
            moved.headers["oc-fileid"]
            == f"{int(fileid):08d}{nextcloud_server.instance.instance_id}"
        )
        assert moved.headers["oc-etag"].startswith('"')
        after = propfind(http, nextcloud_server.files_url + "b.txt", "0")
        assert next(iter(after.values()))[f"{OC}fileid"] == fileid
        copied = http.request(
            "COPY",
            nextcloud_server.files_url + "b.txt",
            headers={"Destination": nextcloud_server.files_url + "c.txt"},
        )
        assert copied.status_code == 201
        copy = propfind(http, nextcloud_server.files_url + "c.txt", "0")
        assert next(iter(copy.values()))[f"{OC}fileid"] != fileid


def test_etags_change_on_every_write_and_up_to_the_root(nextcloud_server):
    (nextcloud_server.files_root / "d").mkdir()
    url = nextcloud_server.files_url + "d/f.txt"

    def etags(http: httpx.Client) -> tuple[str | None, ...]:
        listing = propfind(http, nextcloud_server.files_url, "infinity")
        return tuple(
            listing.get(path_of(nextcloud_server, p), {}).get(f"{D}getetag")
            for p in ("", "d/", "d/f.txt")
        )

    with client(nextcloud_server) as http:
        assert http.put(url, content=b"one").status_code == 201
        first = etags(http)
        assert etags(http) == first  # stable while nothing changes
        response = http.put(url, content=b"two")
        assert response.status_code == 204
        second = etags(http)
        assert response.headers["etag"] == response.headers["oc-etag"] == second[2]
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_put_sets_the_mtime_from_x_oc_mtime(nextcloud_server):
    with client(nextcloud_server) as http:
        response = http.put(
            nextcloud_server.files_url + "old.txt",
            content=b"x",
            headers={"X-OC-Mtime": "1500000000"},
        )
        assert response.status_code == 201
        assert response.headers["x-oc-mtime"] == "accepted"
        props = propfind(http, nextcloud_server.files_url + "old.txt", "0")
    assert next(iter(props.values()))[f"{D}getlastmodified"] == "Fri, 14 Jul 2017 02:40:00 GMT"
    assert (nextcloud_server.files_root / "old.txt").stat().st_mtime == 1500000000


def test_oc_checksum_is_stored_as_sent_and_dropped_by_a_put_without_one(nextcloud_server):
    url = nextcloud_server.files_url + "c.bin"
    with client(nextcloud_server) as http:
        http.put(url, content=b"data", headers={"OC-Checksum": "SHA1:not-verified"})
        props = next(iter(propfind(http, url, "0").values()))
        assert props[f"{OC}checksums"] == "SHA1:not-verified"
        assert http.get(url).headers["oc-checksum"] == "SHA1:not-verified"
        http.put(url, content=b"new data")
        assert f"{OC}checksums" not in next(iter(propfind(http, url, "0").values()))


def test_a_put_shorter_than_its_content_length_is_400_and_leaves_no_file(nextcloud_server):
    host, port = nextcloud_server.host, nextcloud_server.port
    path = urlsplit(nextcloud_server.files_url).path + "short.bin"
    auth = httpx.BasicAuth("alice", nextcloud_server.password)  # a Basic header, built as usual
    header = next(auth.auth_flow(httpx.Request("PUT", "http://x/"))).headers["Authorization"]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            (
                f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {header}\r\n"
                f"Content-Length: 10\r\n\r\nabc"
            ).encode()
        )
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Expected filesize of 10 bytes" in answer
    assert not (nextcloud_server.files_root / "short.bin").exists()


@pytest.mark.parametrize(
    "name",
    [
        ".htaccess",
        ".HTACCESS",
        "a.part",
        "notes.FILEPART",
        "back\\slash",
        "CON",
        "con.tar.gz",
        "x:y",
    ],
)
def test_forbidden_names_are_400_invalid_path(make_nextcloud, name):
    server = make_nextcloud(forbidden_basenames=("con",), forbidden_characters=(":",))
    (server.files_root / "ok.txt").write_bytes(b"ok")
    target = server.files_url + quote(name, safe="")
    with client(server) as http:
        for response in (
            http.put(target, content=b"x"),
            http.request("MKCOL", target),
            http.request("MOVE", server.files_url + "ok.txt", headers={"Destination": target}),
            http.request("COPY", server.files_url + "ok.txt", headers={"Destination": target}),
        ):
            assert response.status_code == 400, (name, response.request.method)
            exception, _message = sabre_error(response)
            assert exception == "OCA\\DAV\\Connector\\Sabre\\Exception\\InvalidPath"
    assert sorted(p.name for p in server.files_root.iterdir()) == ["ok.txt"]


def test_allowed_look_alikes_of_forbidden_names(make_nextcloud):
    server = make_nextcloud(forbidden_basenames=("con",))
    with client(server) as http:
        for name in (".con", "icon.txt", "part", "a.part.txt", "htaccess"):
            assert http.put(server.files_url + name, content=b"x").status_code == 201, name


def test_quota_is_507(make_nextcloud):
    server = make_nextcloud(quota=100)
    with client(server) as http:
        assert http.put(server.files_url + "small", content=b"x" * 60).status_code == 201
        response = http.put(server.files_url + "big", content=b"x" * 60)
        assert response.status_code == 507
        assert sabre_error(response)[0] == "Sabre\\DAV\\Exception\\InsufficientStorage"
        root = propfind(
            http,
            server.files_url,
            "0",
            body=b"""<d:propfind xmlns:d="DAV:">
            <d:prop><d:quota-available-bytes/><d:quota-used-bytes/></d:prop></d:propfind>""",
        )
    assert root[path_of(server)] == {
        f"{D}quota-available-bytes": "40",
        f"{D}quota-used-bytes": "60",
    }
    assert not (server.files_root / "big").exists()


def test_if_match_and_if_none_match_are_honoured(nextcloud_server):
    url = nextcloud_server.files_url + "f.txt"
    with client(nextcloud_server) as http:
        etag = http.put(url, content=b"one").headers["etag"]
        assert http.put(url, content=b"x", headers={"If-None-Match": "*"}).status_code == 412
        assert http.put(url, content=b"x", headers={"If-Match": '"other"'}).status_code == 412
        assert (
            http.put(
                nextcloud_server.files_url + "new.txt", content=b"x", headers={"If-Match": etag}
            ).status_code
            == 412
        )
        assert http.put(url, content=b"two", headers={"If-Match": etag}).status_code == 204
        assert http.get(url, headers={"If-None-Match": etag}).status_code == 200
        current = http.get(url).headers["etag"]
        assert http.get(url, headers={"If-None-Match": current}).status_code == 304
    assert (nextcloud_server.files_root / "f.txt").read_bytes() == b"two"


def test_delete_moves_to_the_trash_bin(nextcloud_server):
    (nextcloud_server.files_root / "d").mkdir()
    (nextcloud_server.files_root / "d" / "f.txt").write_bytes(b"f")
    with client(nextcloud_server) as http:
        assert http.delete(nextcloud_server.files_url + "d/f.txt").status_code == 204
        assert http.delete(nextcloud_server.files_url + "d").status_code == 204
    assert list(nextcloud_server.files_root.iterdir()) == []
    items = {i.original_location: i for i in nextcloud_server.trash_items()}
    assert set(items) == {"d/f.txt", "d"}
    assert items["d"].is_dir and not items["d/f.txt"].is_dir
    assert items["d"].name == f"d.d{items['d'].deletion_time}"


def test_options_lists_nc_paginate_when_pagination_is_on(make_nextcloud):
    on, off = make_nextcloud(), make_nextcloud(paginate=False)
    for server, expected in ((on, True), (off, False)):
        with client(server) as http:
            dav = http.options(server.files_url).headers["dav"]
        features = {f.strip() for f in dav.split(",")}
        assert "1" in features and ("nc-paginate" in features) is expected
        assert "2" not in features  # no locking


def test_permissions_are_enforced(nextcloud_server):
    root = nextcloud_server.files_root
    (root / "ro").mkdir()
    (root / "ro" / "f.txt").write_bytes(b"f")
    (root / "fixed.txt").write_bytes(b"f")
    (root / "elsewhere").mkdir()
    nextcloud_server.set_permissions("ro", "RGDNV")  # no C, no K
    nextcloud_server.set_permissions("ro/f.txt", "RGNV")  # no D, no W
    nextcloud_server.set_permissions("fixed.txt", "RGDW")  # no N, no V
    url = nextcloud_server.files_url
    with client(nextcloud_server) as http:
        assert http.put(url + "ro/new.txt", content=b"x").status_code == 403
        assert http.request("MKCOL", url + "ro/sub").status_code == 403
        assert http.delete(url + "ro/f.txt").status_code == 403
        assert http.put(url + "ro/f.txt", content=b"x").status_code == 403
        assert (
            http.request(
                "MOVE", url + "fixed.txt", headers={"Destination": url + "renamed.txt"}
            ).status_code
            == 403
        )
        assert (
            http.request(
                "MOVE", url + "fixed.txt", headers={"Destination": url + "elsewhere/fixed.txt"}
            ).status_code
            == 403
        )
        props = propfind(http, url + "ro/f.txt", "0")
    assert next(iter(props.values()))[f"{OC}permissions"] == "RGNV"
    assert (root / "ro" / "f.txt").read_bytes() == b"f" and (root / "fixed.txt").exists()


def test_move_and_copy_onto_an_existing_node(nextcloud_server):
    root = nextcloud_server.files_root
    (root / "a.txt").write_bytes(b"a")
    (root / "b.txt").write_bytes(b"b")
    url = nextcloud_server.files_url
    with client(nextcloud_server) as http:
        refused = http.request(
            "COPY", url + "a.txt", headers={"Destination": url + "b.txt", "Overwrite": "F"}
        )
        assert refused.status_code == 412
        replaced = http.request("MOVE", url + "a.txt", headers={"Destination": url + "b.txt"})
        assert replaced.status_code == 204
        assert (
            http.request("MOVE", url + "nothing", headers={"Destination": url + "x"}).status_code
            == 404
        )
        assert http.request("MOVE", url + "b.txt").status_code == 400  # no Destination
    assert (root / "b.txt").read_bytes() == b"a" and not (root / "a.txt").exists()
    assert [i.original_location for i in nextcloud_server.trash_items()] == ["b.txt"]


def test_proppatch_keeps_dead_properties_and_protects_live_ones(nextcloud_server):
    (nextcloud_server.files_root / "a.txt").write_bytes(b"a")
    url = nextcloud_server.files_url + "a.txt"
    set_mtime = b"""<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:test">
      <d:set><d:prop><x:mtime>1234</x:mtime></d:prop></d:set></d:propertyupdate>"""
    set_etag = b"""<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:test">
      <d:set><d:prop><d:getetag>"x"</d:getetag><x:other>1</x:other></d:prop></d:set>
      </d:propertyupdate>"""
    with client(nextcloud_server) as http:
        assert http.request("PROPPATCH", url, content=set_mtime).status_code == 207
        refused = http.request("PROPPATCH", url, content=set_etag)
        assert b"403 Forbidden" in refused.content and b"424 Failed Dependency" in refused.content
        props = propfind(
            http,
            url,
            "0",
            body=b"""<d:propfind xmlns:d="DAV:" xmlns:x="urn:test">
            <d:prop><x:mtime/><x:other/></d:prop></d:propfind>""",
        )
    assert next(iter(props.values())) == {"{urn:test}mtime": "1234"}


def test_get_honours_a_single_range(nextcloud_server):
    (nextcloud_server.files_root / "r.bin").write_bytes(b"0123456789")
    with client(nextcloud_server) as http:
        part = http.get(nextcloud_server.files_url + "r.bin", headers={"Range": "bytes=2-4"})
    assert part.status_code == 206 and part.content == b"234"
    assert part.headers["content-range"] == "bytes 2-4/10"


def test_the_legacy_webdav_endpoint_serves_the_same_files(nextcloud_server):
    (nextcloud_server.files_root / "a.txt").write_bytes(b"a")
    legacy = nextcloud_server.root_url + "remote.php/webdav/"
    with client(nextcloud_server) as http:
        listing = propfind(http, legacy)
        assert urlsplit(legacy).path + "a.txt" in listing
        assert http.get(legacy + "a.txt").content == b"a"


def test_a_restarted_server_keeps_ids_app_passwords_and_sessions(make_nextcloud, tmp_path):
    server = make_nextcloud(data_dir=tmp_path / "restart")
    password = server.issue_app_password()
    (server.files_root / "a.txt").write_bytes(b"a")
    with client(server, password=password) as http:
        fileid = next(iter(propfind(http, server.files_url + "a.txt", "0").values()))[f"{OC}fileid"]
        jar = http.cookies
    server.stop()
    server.start()
    with fresh(cookies=jar) as cookies_only:
        assert (
            cookies_only.request("PROPFIND", server.files_url, headers={"Depth": "0"}).status_code
            == 207
        )
    server.stop()
    again = make_nextcloud(data_dir=tmp_path / "restart", port=server.port)
    with client(again, password=password) as http:
        assert (
            next(iter(propfind(http, again.files_url + "a.txt", "0").values()))[f"{OC}fileid"]
            == fileid
        )


def test_parallel_uploads_from_many_threads(nextcloud_server):
    errors: list[object] = []

    def upload(number: int) -> None:
        with client(nextcloud_server) as http:
            response = http.put(
                f"{nextcloud_server.files_url}f{number}.bin", content=bytes([number]) * 1000
            )
            if response.status_code != 201:
                errors.append(response)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with client(nextcloud_server) as http:
        listing = propfind(http, nextcloud_server.files_url)
    ids = {p[f"{OC}fileid"] for h, p in listing.items() if h.endswith(".bin")}
    assert len(ids) == 16


# -- pagination ------------------------------------------------------------------------------------


def test_x_nc_paginate_pages_through_a_cached_listing(nextcloud_server):
    for n in range(5):
        (nextcloud_server.files_root / f"f{n}").write_bytes(b"x")
    url = nextcloud_server.files_url
    with client(nextcloud_server) as http:
        first = http.request(
            "PROPFIND",
            url,
            content=ALL_PROPS,
            headers={"Depth": "1", "X-NC-Paginate": "true", "X-NC-Paginate-Count": "2"},
        )
        assert first.status_code == 207
        assert first.headers["x-nc-paginate"] == "true"
        assert first.headers["x-nc-paginate-total"] == "6"  # the folder is item 0
        token = first.headers["x-nc-paginate-token"]
        pages = [list(parse_multistatus(first.content))]
        (nextcloud_server.files_root / "late").write_bytes(b"x")  # the cache does not see it
        for offset in (2, 4):
            page = http.request(
                "PROPFIND",
                url,
                content=ALL_PROPS,
                headers={
                    "Depth": "1",
                    "X-NC-Paginate-Token": token,
                    "X-NC-Paginate-Offset": str(offset),
                    "X-NC-Paginate-Count": "2",
                },
            )
            assert page.status_code == 207
            pages.append(list(parse_multistatus(page.content)))
    names = [h.rsplit("/", 1)[-1] for page in pages for h in page]
    assert names == ["", "f0", "f1", "f2", "f3", "f4"]


def test_without_the_header_or_with_pagination_off_the_whole_listing(make_nextcloud):
    on, off = make_nextcloud(), make_nextcloud(paginate=False)
    for server in (on, off):
        for n in range(3):
            (server.files_root / f"f{n}").write_bytes(b"x")
    with client(on) as http:
        plain = http.request("PROPFIND", on.files_url, headers={"Depth": "1"})
        assert "x-nc-paginate" not in plain.headers and len(parse_multistatus(plain.content)) == 4
    with client(off) as http:
        ignored = http.request(
            "PROPFIND",
            off.files_url,
            headers={"Depth": "1", "X-NC-Paginate": "true", "X-NC-Paginate-Count": "1"},
        )
        assert "x-nc-paginate" not in ignored.headers
        assert len(parse_multistatus(ignored.content)) == 4


# -- chunked upload v2 -----------------------------------------------------------------------------


def uploads_url(server: NextcloudServer, folder: str = "") -> str:
    return f"{server.root_url}remote.php/dav/uploads/{server.user_id}/{folder}"


def test_chunked_upload_assembles_chunks_in_number_order(make_nextcloud):
    server = make_nextcloud(min_chunk_size=4)
    destination = {"Destination": server.files_url + "big.bin"}
    folder = uploads_url(server, "up-1")
    with client(server) as http:
        assert http.request("MKCOL", folder, headers=destination).status_code == 201
        for name, data in (("2", b"2222"), ("10", b"33"), ("1", b"1111")):
            assert (
                http.put(
                    f"{folder}/{name}",
                    content=data,
                    headers={**destination, "OC-Total-Length": "10"},
                ).status_code
                == 201
            )
        listing = propfind(http, folder + "/")
        sizes = {
            h.rstrip("/").rsplit("/", 1)[-1]: p.get(f"{D}getcontentlength")
            for h, p in listing.items()
        }
        assert sizes == {"up-1": None, ".file": "10", "1": "4", "2": "4", "10": "2"}
        done = http.request(
            "MOVE",
            f"{folder}/.file",
            headers={
                **destination,
                "OC-Total-Length": "10",
                "X-OC-Mtime": "1500000000",
                "OC-Checksum": "MD5:whatever",
            },
        )
        assert done.status_code == 201
        assert done.headers["x-oc-mtime"] == "accepted"
        assert done.headers["oc-fileid"].endswith(server.instance.instance_id)
        assert done.headers["oc-etag"].startswith('"')
        props = next(iter(propfind(http, server.files_url + "big.bin", "0").values()))
        assert http.request("PROPFIND", folder, headers={"Depth": "0"}).status_code == 404
    assert (server.files_root / "big.bin").read_bytes() == b"1111222233"
    assert (server.files_root / "big.bin").stat().st_mtime == 1500000000
    assert props[f"{OC}checksums"] == "MD5:whatever"


def test_chunked_upload_requires_destination_everywhere(make_nextcloud):
    server = make_nextcloud(min_chunk_size=1)
    folder = uploads_url(server, "up")
    destination = {"Destination": server.files_url + "x.bin"}
    with client(server) as http:
        assert http.request("MKCOL", folder).status_code == 400
        assert http.request("MKCOL", folder, headers=destination).status_code == 201
        assert http.put(folder + "/1", content=b"x").status_code == 400
        assert http.put(folder + "/1", content=b"x", headers=destination).status_code == 201
        assert http.request("MOVE", folder + "/.file").status_code == 400


@pytest.mark.parametrize("name", ["0", "10001", "abc", "1.5", "-1"])
def test_chunk_names_are_numbers_from_1_to_10000(make_nextcloud, name):
    server = make_nextcloud()
    folder = uploads_url(server, "up")
    destination = {"Destination": server.files_url + "x.bin"}
    with client(server) as http:
        http.request("MKCOL", folder, headers=destination)
        response = http.put(f"{folder}/{name}", content=b"x", headers=destination)
        assert response.status_code == 400
        assert "between 1 and 10000" in sabre_error(response)[1]
        assert http.put(f"{folder}/10000", content=b"x", headers=destination).status_code == 201


def test_chunks_cannot_be_downloaded(make_nextcloud):
    server = make_nextcloud()
    folder = uploads_url(server, "up")
    destination = {"Destination": server.files_url + "x.bin"}
    with client(server) as http:
        http.request("MKCOL", folder, headers=destination)
        http.put(folder + "/1", content=b"x", headers=destination)
        assert http.get(folder + "/1").status_code == 405
        assert http.get(folder + "/.file").status_code == 405


def test_assembly_checks_the_total_and_the_chunk_sizes(make_nextcloud):
    server = make_nextcloud(min_chunk_size=4)
    folder = uploads_url(server, "up")
    destination = {"Destination": server.files_url + "x.bin"}
    with client(server) as http:
        http.request("MKCOL", folder, headers=destination)
        http.put(folder + "/1", content=b"123", headers=destination)  # too small, not last
        http.put(folder + "/2", content=b"45", headers=destination)
        wrong_total = http.request(
            "MOVE", folder + "/.file", headers={**destination, "OC-Total-Length": "9"}
        )
        assert wrong_total.status_code == 400
        assert sabre_error(wrong_total)[1] == "Chunks on server do not sum up to 9 but to 5 bytes"
        too_small = http.request(
            "MOVE", folder + "/.file", headers={**destination, "OC-Total-Length": "5"}
        )
        assert too_small.status_code == 400
        http.put(folder + "/1", content=b"1234", headers=destination)  # a chunk sent again
        fine = http.request(
            "MOVE", folder + "/.file", headers={**destination, "OC-Total-Length": "6"}
        )
        assert fine.status_code == 201
    assert (server.files_root / "x.bin").read_bytes() == b"123445"


def test_a_chunk_over_the_quota_is_507_before_its_body_is_taken(make_nextcloud):
    server = make_nextcloud(quota=1000, min_chunk_size=1)
    folder = uploads_url(server, "up")
    destination = {"Destination": server.files_url + "x.bin"}
    with client(server) as http:
        http.request("MKCOL", folder, headers=destination)
        response = http.put(
            folder + "/1", content=b"x", headers={**destination, "OC-Total-Length": "5000"}
        )
        assert response.status_code == 507


def test_assembly_honours_overwrite_and_an_if_etag_on_the_destination(make_nextcloud):
    server = make_nextcloud(min_chunk_size=1)
    target = server.files_url + "x.bin"
    destination = {"Destination": target}
    folder = uploads_url(server, "up")
    with client(server) as http:
        old = http.put(target, content=b"old")
        fileid = old.headers["oc-fileid"]
        http.request("MKCOL", folder, headers=destination)
        http.put(folder + "/1", content=b"new", headers=destination)
        assert (
            http.request(
                "MOVE", folder + "/.file", headers={**destination, "Overwrite": "F"}
            ).status_code
            == 412
        )
        assert (
            http.request(
                "MOVE", folder + "/.file", headers={**destination, "If": f'<{target}> (["wrong"])'}
            ).status_code
            == 412
        )
        replaced = http.request(
            "MOVE",
            folder + "/.file",
            headers={**destination, "If": f"<{target}> ([{old.headers['etag']}])"},
        )
        assert replaced.status_code == 204
        assert replaced.headers["oc-fileid"] == fileid  # the file keeps its id
    assert (server.files_root / "x.bin").read_bytes() == b"new"
    assert server.trash_items() == []  # replaced in place, not deleted first


def test_a_slow_assembly_writes_the_destination_after_the_delay(make_nextcloud):
    server = make_nextcloud(min_chunk_size=1, assembly_delay=1.2)  # a margin for a busy machine
    target = server.files_url + "slow.bin"
    folder = uploads_url(server, "up")
    with client(server) as http:
        http.request("MKCOL", folder, headers={"Destination": target})
        http.put(folder + "/1", content=b"slow", headers={"Destination": target})
        with pytest.raises(httpx.ReadTimeout):
            http.request("MOVE", folder + "/.file", headers={"Destination": target}, timeout=0.3)
        assert not (server.files_root / "slow.bin").exists()
        assert http.request("PROPFIND", folder, headers={"Depth": "0"}).status_code == 207
        deadline = time.monotonic() + 5
        while not (server.files_root / "slow.bin").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert (server.files_root / "slow.bin").read_bytes() == b"slow"


def test_deleting_the_upload_folder_aborts_the_upload(make_nextcloud):
    server = make_nextcloud(min_chunk_size=1)
    folder = uploads_url(server, "up")
    destination = {"Destination": server.files_url + "x.bin"}
    with client(server) as http:
        http.request("MKCOL", folder, headers=destination)
        http.put(folder + "/1", content=b"x", headers=destination)
        assert http.delete(folder).status_code == 204
        assert http.request("MOVE", folder + "/.file", headers=destination).status_code == 404
    assert not (server.files_root / "x.bin").exists()


def test_uploads_of_other_users_and_of_a_server_without_chunking_are_404(make_nextcloud):
    server, without = make_nextcloud(), make_nextcloud(chunking=False)
    with client(server) as http:
        other = f"{server.root_url}remote.php/dav/uploads/bob/up"
        assert (
            http.request(
                "MKCOL", other, headers={"Destination": server.files_url + "x"}
            ).status_code
            == 404
        )
    with client(without) as http:
        response = http.request(
            "MKCOL", uploads_url(without, "up"), headers={"Destination": without.files_url + "x"}
        )
        assert response.status_code == 404


# -- the trash bin ---------------------------------------------------------------------------------


def trash_url(server: NextcloudServer, rel: str = "") -> str:
    return f"{server.root_url}remote.php/dav/trashbin/{server.user_id}/{rel}"


def test_the_trash_bin_lists_deleted_items_with_their_properties(nextcloud_server):
    (nextcloud_server.files_root / "d").mkdir()
    (nextcloud_server.files_root / "d" / "f.txt").write_bytes(b"12345")
    with client(nextcloud_server) as http:
        fileid = next(iter(propfind(http, nextcloud_server.files_url + "d/f.txt", "0").values()))[
            f"{OC}fileid"
        ]
        http.delete(nextcloud_server.files_url + "d/f.txt")
        listing = propfind(http, trash_url(nextcloud_server, "trash/"))
    (item,) = nextcloud_server.trash_items()
    props = listing[urlsplit(trash_url(nextcloud_server, f"trash/{item.name}")).path]
    assert item.name == f"f.txt.d{item.deletion_time}"
    assert props[f"{NC}trashbin-filename"] == "f.txt"
    assert props[f"{NC}trashbin-original-location"] == "d/f.txt"
    assert props[f"{NC}trashbin-deletion-time"] == str(item.deletion_time)
    assert props[f"{D}getcontentlength"] == "5" and props[f"{OC}size"] == "5"
    assert props[f"{D}resourcetype"] == "" and props[f"{OC}fileid"] == fileid


def test_a_deleted_folder_can_be_listed_and_its_files_downloaded(nextcloud_server):
    (nextcloud_server.files_root / "d").mkdir()
    (nextcloud_server.files_root / "d" / "f.txt").write_bytes(b"inside")
    with client(nextcloud_server) as http:
        http.delete(nextcloud_server.files_url + "d")
        (item,) = nextcloud_server.trash_items()
        folder = trash_url(nextcloud_server, f"trash/{item.name}/")
        listing = propfind(http, folder)
        inside = listing[urlsplit(folder).path + "f.txt"]
        assert inside[f"{NC}trashbin-original-location"] == "d/f.txt"
        download = http.get(folder + "f.txt")
    assert download.status_code == 200 and download.content == b"inside"


def test_restore_puts_items_back_renaming_on_a_clash(nextcloud_server):
    root = nextcloud_server.files_root
    (root / "d").mkdir()
    (root / "d" / "f.txt").write_bytes(b"first")
    (root / "gone").mkdir()
    (root / "gone" / "g.txt").write_bytes(b"g")
    with client(nextcloud_server) as http:
        http.delete(nextcloud_server.files_url + "d/f.txt")
        http.delete(nextcloud_server.files_url + "gone/g.txt")
        http.delete(nextcloud_server.files_url + "gone")
        (root / "d" / "f.txt").write_bytes(b"second")
        items = {i.original_location: i for i in nextcloud_server.trash_items()}
        for location in ("d/f.txt", "gone/g.txt"):
            response = http.request(
                "MOVE",
                trash_url(nextcloud_server, f"trash/{items[location].name}"),
                headers={"Destination": trash_url(nextcloud_server, "restore/x")},
            )
            assert response.status_code == 201
    assert (root / "d" / "f.txt").read_bytes() == b"second"
    assert (root / "d" / "f (restored).txt").read_bytes() == b"first"
    assert (root / "g.txt").read_bytes() == b"g"  # its folder is gone: into the root
    assert [i.original_location for i in nextcloud_server.trash_items()] == ["gone"]


def test_trash_items_can_be_deleted_for_good_and_the_bin_emptied(nextcloud_server):
    for name in ("a", "b", "c"):
        (nextcloud_server.files_root / name).write_bytes(b"x")
    with client(nextcloud_server) as http:
        for name in ("a", "b", "c"):
            http.delete(nextcloud_server.files_url + name)
        first = nextcloud_server.trash_items()[0]
        assert http.delete(trash_url(nextcloud_server, f"trash/{first.name}")).status_code == 204
        assert len(nextcloud_server.trash_items()) == 2
        assert http.delete(trash_url(nextcloud_server, "trash")).status_code == 204
        assert propfind(http, trash_url(nextcloud_server, "trash/")).keys() == {
            urlsplit(trash_url(nextcloud_server, "trash/")).path
        }
    assert nextcloud_server.trash_items() == []


def test_requests_are_recorded(nextcloud_server):
    nextcloud_server.clear_requests()
    with client(nextcloud_server) as http:
        http.request("PROPFIND", nextcloud_server.files_url + "caf%C3%A9/", headers={"Depth": "0"})
    (record,) = nextcloud_server.requests
    assert (record.method, record.status) == ("PROPFIND", 404)
    assert record.path == urlsplit(nextcloud_server.files_url).path + "café/"
    assert record.headers["depth"] == "0"


def test_fixture_data_dirs_are_fresh(nextcloud_server, tmp_path):
    assert Path(nextcloud_server.files_root).is_relative_to(tmp_path)
    assert list(nextcloud_server.files_root.iterdir()) == []
