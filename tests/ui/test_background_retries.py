"""A background run's failed file retried from the results pane (Apache, pytest-qt): the
retry is recorded for the pair, so the pair is up to date at once and its next look does
nothing for that file; a retry that fails again leaves the pair's records as they were."""

from __future__ import annotations

import pytest

from app.dav import DavClient
from app.sync.background.status import PairState
from app.sync.background.types import WatchSettings
from app.sync.pairfiles import PairFiles
from app.sync.state import StateDB
from app.ui.results.records import Phase
from tests.ui.test_background_sync import WAIT, Rig, read

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise",
    "This plugin does not support propagateSizeHints",
)

#: The pair never tries again by itself meanwhile (its back-off is ten minutes): what the
#: retry from the pane does is all that happens.
PATIENT = WatchSettings(
    poll_interval=600,
    full_scan_interval=600,
    debounce=0.3,
    settle=0.1,
    first_backoff=600,
    max_backoff=600,
    workers=2,
)


def test_a_retry_from_the_pane_is_recorded_for_the_pair(
    qtbot, apache_server, tmp_path, memory_keyring
):
    rig = Rig(qtbot, apache_server, tmp_path / "home")
    colleague = DavClient(
        apache_server.url, user=apache_server.user, password=apache_server.password
    )
    try:
        local = tmp_path / "up"
        local.mkdir()
        (local / "a.txt").write_bytes(b"v1")
        apache_server.make_dir("up")
        rig.pair("Up", local, "up/", direction="up")
        window = rig.start(settings=PATIENT).windows[0]
        results = window.results
        on_server = apache_server.root / "up" / "a.txt"
        qtbot.waitUntil(lambda: read(on_server) == b"v1", timeout=WAIT)
        rig.wait_state("Up", PairState.IDLE)
        state = PairFiles.of(rig.paths.data, local, apache_server.url + "up/").state

        def record():
            with StateDB(state) as db:
                return db.load().get("a.txt")

        first = record()
        assert first is not None and first.local_size == 2
        held = colleague.lock(colleague.root + "up/a.txt", owner="colleague")
        (local / "a.txt").write_bytes(b"v2, longer")  # its upload meets the lock: 423
        qtbot.waitUntil(results.retry_failed.isEnabled, timeout=WAIT)
        rig.wait_state("Up", PairState.WAITING)
        assert read(on_server) == b"v1"

        def ended_jobs() -> int:
            return sum(r.phase in (Phase.FINISHED, Phase.FAILED) for r in results.model.records())

        jobs = ended_jobs()
        results.retry_failed.trigger()  # still locked: fails again
        qtbot.waitUntil(lambda: ended_jobs() == jobs + 1, timeout=WAIT)
        assert results.model.records()[0].phase is Phase.FAILED
        assert record() == first and rig.service.status("Up").state is PairState.WAITING

        colleague.unlock(colleague.root + "up/a.txt", held.token)
        runs = len(rig.service.recent)
        qtbot.waitUntil(results.retry_failed.isEnabled, timeout=WAIT)
        results.retry_failed.trigger()
        qtbot.waitUntil(lambda: read(on_server) == b"v2, longer", timeout=WAIT)
        # Up to date at once (not after its back-off), with the retry's record.
        rig.wait_state("Up", PairState.IDLE)
        recorded = record()
        assert recorded is not None and recorded.local_size == len(b"v2, longer")
        looks: list[PairState] = []
        rig.service.changed.connect(
            lambda: looks.append(s.state) if (s := rig.service.status("Up")) else None
        )
        rig.service.sync_now("Up")  # the next look: nothing to do for a.txt
        qtbot.waitUntil(lambda: PairState.SCANNING in looks, timeout=WAIT)
        rig.wait_state("Up", PairState.IDLE)
        assert len(rig.service.recent) == runs  # no run: nothing sent again, no conflict
        assert read(on_server) == b"v2, longer" and read(local / "a.txt") == b"v2, longer"
        assert sorted(p.name for p in local.iterdir()) == ["a.txt"]
    finally:
        colleague.close()
        rig.close()
