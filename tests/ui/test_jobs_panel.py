"""The jobs panel: a card per running or queued job, with pause, resume and cancel that work."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea

from app.jobs.model import JobProgress, JobState, Transfer
from app.jobs.planner import plan_mkdir
from app.ui.jobs_panel import JobCard, progress_text
from app.ui.window_fit import DEFAULT_SIZE, fits
from tests.ui.results.test_pane import newest, wait_for_jobs


def test_pause_shows_on_the_card_and_resume_finishes_the_job(
    wsgidav_server, open_window, qtbot, tmp_path
):
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
    assert sorted(p.name for p in wsgidav_server.root.iterdir()) == [
        "one.txt",
        "three.txt",
        "two ü.txt",
    ]
    qtbot.waitUntil(lambda: not window.jobs.cards)
    assert not window.jobs.isVisible()


def test_a_third_job_waits_in_the_queue_and_cancelling_it_reports_every_file(
    wsgidav_server, open_window, qtbot
):
    window = open_window(wsgidav_server)
    base = window.current_path
    bridges = []
    window.operations.job_added.connect(
        lambda bridge, name, queued: bridges.append(bridge) or (not queued and bridge.pause())
    )
    for number in range(3):
        window.operations.start_job(
            f"Folders {number}",
            plan_mkdir([f"{base}job {number} folder {n}/" for n in range(4)]),
            [base],
        )

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
    progress = JobProgress(
        1,
        12,
        40,
        3_200_000,
        10_000_000,
        1_100_000.0,
        7.2,
        (Transfer("/a/big.iso", 500, 1000),),
        paused=False,
    )
    assert progress_text(progress) == "12 of 40 files · 3.2 MB of 10.0 MB\n1.1 MB/s · 7 s left"
    assert progress_text(JobProgress(1, 1, 2, 0, 0, 0.0, None, (), True)) == "1 of 2 files\npaused"


def test_a_job_without_bytes_goes_in_files_a_second():
    deleting = JobProgress(1, 30, 100, 0, 0, 0.0, 20.0, (), paused=False, files_rate=3.5)
    assert progress_text(deleting) == "30 of 100 files\n3.5 files/s · 20 s left"
    fast = JobProgress(1, 30, 100, 0, 0, 0.0, 0.28, (), paused=False, files_rate=250.0)
    assert progress_text(fast) == "30 of 100 files\n250 files/s · 0 s left"
    first = JobProgress(1, 30, 100, 0, 0, 0.0, None, (), paused=False)
    assert progress_text(first) == "30 of 100 files\ntime left unknown"  # one event so far


def test_a_job_of_new_folders_shows_its_rate_and_time_left(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    base = window.current_path
    seen: list[str] = []

    def watch(bridge, name, queued):
        card = window.jobs.cards[bridge.job.id]
        bridge.progress.connect(lambda _: seen.append(card.detail.text()))

    window.operations.job_added.connect(watch)
    window.operations.start_job(
        "Create 600 folders", plan_mkdir([f"{base}folder {n}/" for n in range(600)]), [base]
    )

    wait_for_jobs(qtbot, window, 1)
    paced = [text for text in seen if "files/s · " in text and " left" in text]
    assert paced, seen
    done, _pace = paced[-1].split("\n")
    assert done.endswith("of 600 files")


def inside(widget, area) -> bool:
    """Whether all of widget shows within area's viewport."""
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def test_every_card_is_usable_at_the_window_s_first_size(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    # As MainWindow opens on Qt's offscreen screen (800×800): the default height, the width
    # cut down to the screen (tests/ui/test_window_fit.py), narrower than the default.
    available = window.screen().availableGeometry()
    assert fits(window.geometry(), available)
    assert window.height() == DEFAULT_SIZE.height() and window.width() < DEFAULT_SIZE.width()
    base = window.current_path
    window.operations.job_added.connect(
        lambda bridge, name, queued: None if queued else bridge.pause()
    )
    names = [
        "Upload holiday photos from the camera card of last summer (1,200 items)",
        "Create 4 folders",
        "Create 2 folders",
    ]
    for number, name in enumerate(names):
        window.operations.start_job(
            name, plan_mkdir([f"{base}job {number} folder {n}/" for n in range(4)]), [base]
        )
    panel = window.jobs
    cards = list(panel.cards.values())
    qtbot.waitUntil(lambda: all("paused" in c.detail.text() for c in cards[:2]))
    qtbot.wait(50)  # the layout settles

    area = panel.findChild(QScrollArea)
    assert panel.width() >= panel.minimumWidth() >= 250
    assert not area.horizontalScrollBar().isVisible()
    for card in cards:
        assert isinstance(card, JobCard)
        assert inside(card.pause, area) and inside(card.cancel, area), card.title.text()
        assert card.width() <= area.viewport().width()
        assert card.detail.width() <= card.width()
    long_title = cards[0].title
    assert long_title.text() == names[0] and long_title.toolTip() == names[0]
    assert cards[2].detail.text().startswith("Queued")
    assert cards[0].detail.text() == "0 of 4 files\npaused"
    for card in cards:
        card.cancel.click()
    qtbot.waitUntil(lambda: not panel.cards, timeout=10_000)
