"""Capture real 207 (and friends) bodies from the test servers, for parser tests.

Run by hand from the repository root, with the test dependencies installed
and Apache available (``.ci/run`` installs it)::

    python -m tests.data.capture            # both servers
    python -m tests.data.capture wsgidav    # or only one of them

It starts each server (``tests.servers``) over a fresh empty folder, builds a
small tree over HTTP, sends the requests below and writes, into
``tests/data/captured/``:

``<server>-<case>.xml``
    the response body, byte for byte as received (``Accept-Encoding:
    identity``, so nothing was decoded on the way);
``<server>-<case>.json``
    a sidecar: HTTP status and reason, Content-Type, the server's ``Server``
    header and the request that produced it (method, decoded and encoded
    path, headers without Authorization, body).

The tree (names chosen to break naive href handling: space, ``%#&+;`` and an
``é`` both precomposed, NFC, and decomposed, NFD)::

    /folder %#&+; é/                     <- the PROPFIND target
        a %#&+; é.txt                    (NFC é)
        nfd é.txt                        (NFD é)
        sub %#&+; é/                     (NFD é)
            inner.txt
    /locked dir/f.txt, g.txt             f.txt is LOCKed by the capture
    /copy source/f.txt

Cases (each only when the server answers with an XML body):

``propfind-allprop``   PROPFIND Depth 1, ``<allprop/>``, of the folder
``propfind-propname``  PROPFIND Depth 1, ``<propname/>``, of the folder
``propfind-prop``      PROPFIND Depth 1 naming live props and a missing one
                       (200 and 404 propstats in one response)
``proppatch``          PROPPATCH setting a dead property and removing the
                       protected ``getlastmodified`` (403/409/424 propstats)
``lock``               LOCK of ``/locked dir/f.txt``
``delete-locked-member``  DELETE ``/locked dir/`` without the lock token
``move-locked-member``    MOVE ``/locked dir/`` without the token
``copy-onto-locked-member``  COPY ``/copy source/`` onto ``/locked dir/``
                       with ``Overwrite: T``, without the token

The servers put dates, ETags, lock tokens and quota figures in these bodies:
they change on every run. Re-running the script overwrites the files.
"""

from __future__ import annotations

import json
import sys
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.servers import ApacheServer, WsgiDavServer, find_apache

OUT = Path(__file__).resolve().parent / "captured"

NFC_E = unicodedata.normalize("NFC", "é")
NFD_E = unicodedata.normalize("NFD", "é")
FOLDER = f"folder %#&+; {NFC_E}"
TREE_DIRS = [FOLDER, f"{FOLDER}/sub %#&+; {NFD_E}", "locked dir", "copy source"]
TREE_FILES = [
    f"{FOLDER}/a %#&+; {NFC_E}.txt",
    f"{FOLDER}/nfd {NFD_E}.txt",
    f"{FOLDER}/sub %#&+; {NFD_E}/inner.txt",
    "locked dir/f.txt",
    "locked dir/g.txt",
    "copy source/f.txt",
]

XML = 'application/xml; charset="utf-8"'

ALLPROP = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"""

PROPNAME = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>"""

PROP = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:z="urn:davdesk:test">
  <D:prop>
    <D:resourcetype/><D:getcontentlength/><D:getetag/>
    <D:getlastmodified/><D:displayname/><z:missing/>
  </D:prop>
</D:propfind>"""

PROPPATCH = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:davdesk:test">
  <D:set><D:prop><z:note>captured by tests/data/capture.py</z:note></D:prop></D:set>
  <D:remove><D:prop><D:getlastmodified/></D:prop></D:remove>
</D:propertyupdate>"""

LOCKINFO = b"""<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:">
  <D:lockscope><D:exclusive/></D:lockscope>
  <D:locktype><D:write/></D:locktype>
  <D:owner><D:href>davdesk capture</D:href></D:owner>
</D:lockinfo>"""


def enc(path: str, *, collection: bool = False) -> str:
    """``/``-separated unencoded path -> percent-encoded absolute URL path."""
    encoded = "/" + "/".join(quote(s, safe="") for s in path.strip("/").split("/"))
    return encoded + "/" if collection else encoded


class Capture:
    def __init__(self, server_name: str, server, client: httpx.Client) -> None:
        self.server_name = server_name
        self.server = server
        self.client = client
        self.saved: list[str] = []

    def request(
        self,
        case: str | None,
        method: str,
        path: str,
        *,
        collection: bool = False,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> httpx.Response:
        target = enc(path, collection=collection)
        headers = {"Accept-Encoding": "identity", **(headers or {})}
        if body is not None:
            headers.setdefault("Content-Type", XML)
        response = self.client.request(
            method, self.server.url.rstrip("/") + target, headers=headers, content=body
        )
        if case is not None:
            shown = "/" + path.strip("/") + ("/" if collection else "")
            self.save(case, response, method, shown, target, headers, body)
        return response

    def annotate(self, case: str, **fields) -> None:
        """Add what the server did to the files to a saved case's sidecar."""
        sidecar = OUT / f"{self.server_name}-{case}.json"
        if sidecar.exists():
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            data.setdefault("effect", {}).update(fields)
            sidecar.write_text(
                json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )

    def save(self, case, response, method, path, target, headers, body) -> None:
        ctype = response.headers.get("Content-Type", "")
        stem = f"{self.server_name}-{case}"
        if not response.content or "xml" not in ctype:
            print(f"  {stem}: {response.status_code}, no XML body ({ctype or 'none'}): not saved")
            return
        (OUT / f"{stem}.xml").write_bytes(response.content)
        sidecar = {
            "server": self.server_name,
            "case": case,
            "status": response.status_code,
            "reason": response.reason_phrase,
            "content_type": ctype,
            "server_header": response.headers.get("Server"),
            "request": {
                "method": method,
                "path": path,
                "target": target,
                "headers": {k: v for k, v in headers.items() if k.lower() != "authorization"},
                "body": body.decode("utf-8") if body is not None else None,
            },
        }
        (OUT / f"{stem}.json").write_text(
            json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        self.saved.append(stem)
        print(f"  {stem}: {response.status_code} {ctype}, {len(response.content)} bytes")


def capture(server_name: str, server) -> list[str]:
    print(f"{server_name}: {server.url}")
    with httpx.Client(auth=(server.user, server.password), timeout=30) as client:
        cap = Capture(server_name, server, client)
        for d in TREE_DIRS:
            r = cap.request(None, "MKCOL", d, collection=True)
            assert r.status_code == 201, (d, r.status_code, r.text)
        for f in TREE_FILES:
            r = client.put(server.url.rstrip("/") + enc(f), content=f"{f}\n".encode())
            assert r.status_code == 201, (f, r.status_code, r.text)

        depth1 = {"Depth": "1"}
        cap.request(
            "propfind-allprop", "PROPFIND", FOLDER, collection=True, headers=depth1, body=ALLPROP
        )
        cap.request(
            "propfind-propname", "PROPFIND", FOLDER, collection=True, headers=depth1, body=PROPNAME
        )
        cap.request("propfind-prop", "PROPFIND", FOLDER, collection=True, headers=depth1, body=PROP)
        cap.request("proppatch", "PROPPATCH", f"{FOLDER}/a %#&+; {NFC_E}.txt", body=PROPPATCH)

        lock = cap.request(
            "lock",
            "LOCK",
            "locked dir/f.txt",
            body=LOCKINFO,
            headers={"Depth": "0", "Timeout": "Second-3600"},
        )
        assert lock.status_code == 200, (lock.status_code, lock.text)
        token = lock.headers["Lock-Token"]

        def locked_dir() -> list[str] | None:
            d = server.root / "locked dir"
            return sorted(p.name for p in d.iterdir()) if d.is_dir() else None

        def restore_g() -> None:
            if (server.root / "locked dir").is_dir() and "g.txt" not in locked_dir():
                client.put(server.url.rstrip("/") + enc("locked dir/g.txt"), content=b"g\n")

        # Each case starts from the same tree: "/locked dir/" with f.txt
        # (locked) and g.txt; the sidecar notes what was left afterwards.
        dest = server.url.rstrip("/") + enc("moved dir", collection=True)
        onto = server.url.rstrip("/") + enc("locked dir", collection=True)
        cases = [
            ("delete-locked-member", "DELETE", "locked dir", {}),
            ("move-locked-member", "MOVE", "locked dir", {"Destination": dest, "Overwrite": "F"}),
            (
                "copy-onto-locked-member",
                "COPY",
                "copy source",
                {"Destination": onto, "Overwrite": "T", "Depth": "infinity"},
            ),
        ]
        for case, method, path, headers in cases:
            restore_g()
            before = locked_dir()
            cap.request(case, method, path, collection=True, headers=headers)
            after = locked_dir()
            moved = (server.root / "moved dir").is_dir()
            print(f"  {case}: /locked dir/ {before} -> {after}; /moved dir/ exists: {moved}")
            cap.annotate(
                case, locked_dir_before=before, locked_dir_after=after, moved_dir_exists=moved
            )
        r = cap.request(None, "UNLOCK", "locked dir/f.txt", headers={"Lock-Token": token})
        print(f"  UNLOCK: {r.status_code}")
        return cap.saved


def main(argv: list[str]) -> int:
    which = argv or ["wsgidav", "apache"]
    OUT.mkdir(exist_ok=True)
    for name in which:
        if name == "wsgidav":
            with (
                tempfile.TemporaryDirectory(prefix="davdesk-capture-") as root,
                WsgiDavServer(root) as server,
            ):
                capture("wsgidav", server)
        elif name == "apache":
            if find_apache() is None:
                print("apache2 not installed: skipped", file=sys.stderr)
                return 1
            with ApacheServer() as server:
                capture("apache", server)
        else:
            print(f"unknown server {name!r} (wsgidav, apache)", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
