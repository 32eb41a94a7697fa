"""Listings, names and sessions against the fake Nextcloud: the WebDAV side of an account."""

from __future__ import annotations

from app.dav import Source
from app.jobs.model import Conflict, JobState, TaskResult
from app.jobs.planner import plan_mkdir, plan_upload
from app.jobs.runner import JobOptions, JobRunner
from app.nextcloud.connect import NextcloudConnection, connect


def _connect(server, **kwargs) -> NextcloudConnection:
    return connect(server.origin, login=server.login_name, password=server.password, **kwargs)


def _run(found: NextcloudConnection, job, workers: int = 4) -> tuple[JobState, list]:
    results: list[TaskResult] = []
    ended = JobRunner(
        found.client,
        job,
        lambda e: results.append(e) if isinstance(e, TaskResult) else None,
        JobOptions(workers=workers),
    ).run()
    return ended.state, [o for r in results for o in r.outcomes]


def test_listings_carry_ids_permissions_folder_sizes_and_previews(nextcloud_server):
    root = nextcloud_server.files_root
    (root / "Photos").mkdir()
    (root / "Photos" / "cat.png").write_bytes(b"\x89PNG" + bytes(996))
    (root / "Photos" / "notes.txt").write_bytes(bytes(24))
    (root / "Shared").mkdir()
    nextcloud_server.set_permissions("Shared", "RG")
    found = _connect(nextcloud_server)
    with found.client:
        listing = {r.name: r for r in found.client.listdir(found.account.files_path)}
        photos = {r.name: r for r in found.client.listdir(found.account.files_path + "Photos/")}
    assert listing["Photos"].tree_size == 1024 and listing["Photos"].fileid
    assert listing["Photos"].allows("DNVCK") and not listing["Shared"].allows("D")
    assert listing["Shared"].permissions == "RG"
    assert photos["cat.png"].has_preview and not photos["notes.txt"].has_preview
    assert photos["cat.png"].fileid != photos["notes.txt"].fileid


def test_a_big_folder_is_listed_in_pages(nextcloud_server):
    for number in range(2345):
        (nextcloud_server.files_root / f"file {number:04d} #&%.txt").write_bytes(b"x")
    found = _connect(nextcloud_server)
    with found.client:
        nextcloud_server.clear_requests()
        names = [r.name for r in found.client.listdir(found.account.files_path)]
    assert sorted(names) == sorted(f"file {n:04d} #&%.txt" for n in range(2345))
    pages = [r for r in nextcloud_server.requests if r.method == "PROPFIND"]
    assert len(pages) == 3  # 1,000 a page; the folder itself is item 0 of 2,346
    assert "x-nc-paginate-token" not in pages[0].headers
    assert [p.headers.get("x-nc-paginate-offset") for p in pages[1:]] == ["1000", "2000"]


def test_a_server_without_pagination_answers_in_one_go(make_nextcloud):
    server = make_nextcloud(paginate=False)
    for number in range(1500):
        (server.files_root / f"f{number}").write_bytes(b"")
    found = _connect(server)
    with found.client:
        assert found.client.extensions.page_size is None
        server.clear_requests()
        assert len(found.client.listdir(found.account.files_path)) == 1500
    assert [r.method for r in server.requests] == ["PROPFIND"]


def test_names_the_server_forbids_are_reported_before_anything_is_sent(make_nextcloud, local):
    server = make_nextcloud(forbidden_basenames=("con", "aux"), forbidden_characters=(":",))
    for name in (".htaccess", "CON.txt", "a:b.txt", "video.part", "fine name #1.txt"):
        (local / name).write_bytes(b"data")
    found = _connect(server)
    with found.client:
        server.clear_requests()
        state, outcomes = _run(
            found,
            plan_upload(
                found.client, sorted(local.iterdir()), found.account.files_path, Conflict.ASK
            ),
        )
        _, [folder] = _run(
            found, plan_mkdir([found.account.files_path + "aux.d"], client=found.client)
        )
    by_name = {o.path.rsplit("/", 1)[1]: o for o in outcomes}
    assert by_name["fine name #1.txt"].ok and state is JobState.FAILED
    for name in (".htaccess", "CON.txt", "a:b.txt", "video.part"):
        refused = by_name[name]
        assert not refused.ok and refused.source is Source.LOCAL and refused.status is None
        assert "the server does not allow" in refused.detail
    assert not folder.ok and "'aux'" in folder.detail
    sent = {r.path.rsplit("/", 1)[1] for r in server.requests if r.method in ("PUT", "MKCOL")}
    assert sent == {"fine name #1.txt"}  # the refused names never reached the server


def test_the_session_cookie_spares_the_password_hash_on_every_request(nextcloud_server, local):
    """Nextcloud checks an account password's hash on each request that carries it, unless the
    request also carries the session cookie the first answer set: 200 files, a few checks."""
    for number in range(200):
        (local / f"{number}.txt").write_bytes(b"x" * number)
    found = _connect(nextcloud_server)
    with found.client:
        before = nextcloud_server.password_checks
        state, outcomes = _run(
            found,
            plan_upload(
                found.client, sorted(local.iterdir()), found.account.files_path, Conflict.ASK
            ),
        )
    assert state is JobState.FINISHED and len(outcomes) == 200
    assert nextcloud_server.password_checks - before <= 4  # at most one per worker


def test_signing_in_again_drops_the_old_session(nextcloud_server):
    found = _connect(nextcloud_server)
    with found.client:
        found.client.stat(found.account.files_path)
        app_password = nextcloud_server.issue_app_password(
            "x", login_name=nextcloud_server.login_name
        )
        found.client.sign_in(nextcloud_server.login_name, app_password)
        checks = nextcloud_server.password_checks
        found.client.stat(found.account.files_path)
        [cookie] = [r.headers.get("cookie", "") for r in nextcloud_server.requests[-1:]]
    assert nextcloud_server.password_checks == checks
    assert "oc" not in cookie.split("=")[0]  # the account password's session was not sent
