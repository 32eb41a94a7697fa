"""What the planner will not sync, in a watched pair (wsgidav and Apache): shown once as the
planner's Outcomes in a run's job, kept in the pair's state in words while it lasts, never
repeated look after look, and gone once the user has dealt with it."""

from __future__ import annotations

from pathlib import Path

from app.dav import Outcome
from app.jobs.model import JobEnded, JobState
from app.sync.background.refusals import Refusals
from app.sync.background.status import PairState, PairStatus, read_status
from app.sync.pairfiles import PairFiles
from tests.sync.background.conftest import Recorder, wait_for

BAD = "bad\x07name.txt"  # a control character: servers refuse it in a URL (Apache: 400)
SHOWN = "bad\\x07name.txt"  # as a line of text shows it


def in_state(recorder: Recorder, state: PairState) -> PairStatus | None:
    """The newest status, when it is in that state (full looks come every second)."""
    last = recorder.last
    return last if last is not None and last.state is state else None


def looks(recorder: Recorder) -> int:
    with recorder.lock:
        return sum(s.text == "looking for changes" for s in recorder.statuses)


def refusals(recorder: Recorder) -> list[str]:
    with recorder.lock:
        return [o.path for r in recorder.results for o in r.outcomes if o.reason == "refused"]


def test_refused_files_are_shown_once_and_the_pair_says_it_needs_attention(
    dav_server, local, watch, recorder, tmp_path
):
    dav_server.make_dir("clash")
    dav_server.make_file("clash/inside.txt", b"server's")
    (local / "clash").write_bytes(b"a file here, a folder there")
    (local / BAD).write_bytes(b"bad")
    (local / "good.txt").write_bytes(b"good")
    events: list[object] = []

    class Listener(Recorder):
        def run_started(self, run):
            relay = super().run_started(run)
            return lambda e: (events.append(e), relay(e))

    listener = Listener()
    watch(dav_server.url, dav_server.user, dav_server.password, local, listener=listener)
    seen: list[PairStatus] = []
    wait_for(
        lambda: (s := in_state(listener, PairState.ATTENTION)) and not seen.append(s),
        what="the pair to need attention",
    )
    status = seen[-1]
    assert status.text == f"2 not synced: {SHOWN} and clash"
    assert dict(status.refused) == {
        "clash": "a file on one side and a folder on the other: left alone, with what the "
        "folder holds",
        BAD: f"not uploaded: the name {BAD!r} contains a control character",
    }
    assert (dav_server.root / "good.txt").read_bytes() == b"good"
    # Each refusal is a row of the run that found it, as the planner's Outcome: in the same
    # job as the upload, which ended failed (it has problems) though its upload went well.
    shown = [o for r in listener.results for o in r.outcomes if o.reason == "refused"]
    assert sorted(o.path.rpartition("/")[2] for o in shown) == [BAD, "clash"]
    assert all(not o.ok and o.note for o in shown)
    ends = [e for e in events if isinstance(e, JobEnded)]
    assert ends[0].state is JobState.FAILED and ends[0].tally.failed == 2
    assert ends[0].tally.done == 1
    # Look after look, nothing changes: nothing is shown again, no run is announced.
    runs, seen = len(listener.runs), looks(listener)
    wait_for(lambda: looks(listener) >= seen + 3, what="three more full looks")
    assert len(refusals(listener)) == 2 and len(listener.runs) == runs
    assert listener.stopped == []  # a refusal is not the pair stopping, nor a failure
    assert not (dav_server.root / "clash").is_file() and (local / "clash").is_file()
    saved = read_status(PairFiles.of(tmp_path / "state", local, dav_server.url).status, "pair")
    assert len(saved.refused) == 2  # for `pair list`, and a later process

    # The user deals with them: the bad name renamed, the local file moved out of the way.
    (local / BAD).rename(local / "renamed.txt")
    (local / "clash").rename(local / "clash.txt")
    wait_for(
        lambda: (
            (local / "clash" / "inside.txt").exists()
            and listener.last is not None
            and listener.last.state is PairState.IDLE
        ),
        what="the server's folder here, and up to date again",
    )
    assert listener.last is not None and listener.last.refused == ()
    assert (dav_server.root / "renamed.txt").read_bytes() == b"bad"
    assert (local / "clash" / "inside.txt").read_bytes() == b"server's"
    assert len(refusals(listener)) == 2


def test_a_refusal_alone_is_a_job_of_its_own_rows_and_comes_back_when_it_comes_back(
    dav_server, local: Path, watch, recorder
):
    (local / BAD).write_bytes(b"bad")
    events: list[object] = []

    class Listener(Recorder):
        def run_started(self, run):
            relay = super().run_started(run)
            return lambda e: (events.append(e), relay(e))

    listener = Listener()
    watch(dav_server.url, dav_server.user, dav_server.password, local, listener=listener)
    wait_for(lambda: len(refusals(listener)) == 1, what="the refusal shown")
    wait_for(lambda: any(isinstance(e, JobEnded) for e in events), what="its job's end")
    (run,) = listener.runs
    assert [t.blocked for t in run.job.tasks] == [
        f"not uploaded: the name {BAD!r} contains a control character"
    ]
    (ended,) = [e for e in events if isinstance(e, JobEnded)]
    assert ended.state is JobState.FAILED and ended.tally.failed == 1
    wait_for(
        lambda: (s := in_state(listener, PairState.ATTENTION)) and s.text == f"not synced: {SHOWN}"
    )
    (local / BAD).unlink()
    wait_for(lambda: listener.last is not None and listener.last.state is PairState.IDLE)
    (local / BAD).write_bytes(b"again")  # back: a change, so it is shown again
    wait_for(lambda: len(refusals(listener)) == 2, what="the refusal shown again")


def test_a_look_at_some_folders_replaces_only_their_refusals():
    """Pure bookkeeping: a full look replaces all; a look at folders replaces what is
    directly in them; what was shown is shown again only once it went and came back."""

    def refused(rel: str, why: str = "why") -> Outcome:
        return Outcome("put", "/dav/pair/" + rel, None, "refused", ok=False, note=why)

    book = Refusals()
    book.rooted("/dav/pair")
    book.replace([refused("a"), refused("sub/b"), refused("sub/deep/c")])
    assert [o.path for o in book.unshown()] == [
        "/dav/pair/a",
        "/dav/pair/sub/b",
        "/dav/pair/sub/deep/c",
    ]
    book.shown(book.unshown())
    book.update([], examined=["sub"])  # b was renamed; deep/ was not looked at
    assert book.listed() == (("a", "why"), ("sub/deep/c", "why"))
    assert book.unshown() == []
    book.update([refused("sub/b"), refused("a", "another reason")], examined=[""])
    assert [(o.path, o.note) for o in book.unshown()] == [
        ("/dav/pair/a", "another reason"),  # a new reason is news
        ("/dav/pair/sub/b", "why"),  # back after it went
    ]
