"""The jobs panel: a card per running or queued job, with pause, resume and cancel that work."""

from __future__ import annotations

from app.jobs.model import JobProgress, JobState, Transfer
from app.jobs.planner import plan_mkdir
from app.ui.jobs_panel import progress_text
from tests.ui.results.test_pane import newest, wait_for_jobs


def test_pause_shows_on_the_card_and_resume_finishes_the_job(wsgidav_server, open_window,
                                                             qtbot, tmp_path):
    files = []
    for name in ("one.txt", "two ü.txt", "three.txt"):
        files.append(tmp_path / name)
        files[-1].write_bytes(name.encode() * 1000)
    window = open_window(wsgidav_server)
    window.operations.job_added.connect(lambda bridge, name, queued: bridge.pause())
    assert not window.jobs.isVisible()

    window.operations.upload(files, window.current_path)

    qtbot.waitUntil(lambda: bool(window.jobs.cards))
    [card] = window.jobs.cards.values()
    assert window.jobs.isVisible() and card.title.text() == "Upload 3 items"
    qtbot.waitUntil(lambda: "paused" in card.detail.text())
    assert "0 of 3 files" in card.detail.text()
    assert not any(p.name.endswith(".txt") for p in wsgidav_server.root.iterdir())

    card.pause.click()  # now "resume"

    wait_for_jobs(qtbot, window, 1)
    assert newest(window).ended.state is JobState.FINISHED
    assert sorted(p.name for p in wsgidav_server.root.iterdir()) == ["one.txt", "three.txt",
                                                                     "two ü.txt"]
    qtbot.waitUntil(lambda: not window.jobs.cards)
    assert not window.jobs.isVisible()


def test_a_third_job_waits_in_the_queue_and_cancelling_it_reports_every_file(
        wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    base = window.current_path
    bridges = []
    window.operations.job_added.connect(
        lambda bridge, name, queued: bridges.append(bridge) or (not queued and bridge.pause()))
    for number in range(3):
        window.operations.start_job(f"Folders {number}", plan_mkdir(
            [f"{base}job {number} folder {n}/" for n in range(4)]), [base])

    cards = window.jobs.cards
    queued = cards[bridges[2].job.id]
    assert queued.detail.text().startswith("Queued") and not queued.pause.isEnabled()

    queued.cancel.click()

    qtbot.waitUntil(lambda: bridges[2].job.id not in cards, timeout=10_000)
    record = newest(window)
    assert record.job.id == bridges[2].job.id
    assert record.ended.state is JobState.CANCELLED and len(record.outcomes) == 4
    assert {o.reason for o in record.outcomes} == {"cancelled"}
    assert not any((wsgidav_server.root / f"job 2 folder {n}").exists() for n in range(4))
    for bridge in bridges[:2]:
        cards[bridge.job.id].cancel.click()
    qtbot.waitUntil(lambda: not cards, timeout=10_000)


def test_progress_text_says_files_bytes_rate_and_time_left():
    progress = JobProgress(1, 12, 40, 3_200_000, 10_000_000, 1_100_000.0, 7.2,
                           (Transfer("/a/big.iso", 500, 1000),), paused=False)
    assert progress_text(progress) == "12 of 40 files · 3.2 MB of 10.0 MB · 1.1 MB/s · 7 s left"
    assert progress_text(JobProgress(1, 1, 2, 0, 0, 0.0, None, (), True)) == \
        "1 of 2 files · paused"
