"""The log file: where it is, what --verbose adds, and that no secret ever reaches it."""

from __future__ import annotations

import base64
import logging
import threading

import pytest

from app import logs
from app.config.paths import AppPaths
from app.logs import MASK, logging_to, redact, redact_value

SECRET = "s3cr3t-Pa55"
BASIC = base64.b64encode(f"alice:{SECRET}".encode()).decode()


@pytest.mark.parametrize(
    "line",
    [
        f"Authorization: Basic {BASIC}",
        f'authorization: Digest username="alice", response="{SECRET}", nc=00000001',
        f"headers={{'Authorization': 'Basic {BASIC}', 'Accept': '*/*'}}",
        (
            f"receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', "
            f"[(b'Set-Cookie', b'oc_sessionPassphrase={SECRET}; path=/'), (b'Date', b'x')])"
        ),
        f"send_request_headers.started [(b'Cookie', b'nc_token={SECRET}')]",
        f"Cookie: nc_session_id={SECRET}; nc_token={SECRET}",
        f"PROPFIND https://alice:{SECRET}@dav.example.com/files/ 207",
        f"GET https://dav.example.com/s/?token={SECRET}&download=1",
        f"login password={SECRET} user=alice",
        f"{{'user': 'alice', 'password': '{SECRET}'}}",
        f"access_token: {SECRET}",
    ],
)
def test_secrets_are_blanked_in_every_form_a_library_prints_them(line):
    cleaned = redact(line)
    assert SECRET not in cleaned and BASIC not in cleaned
    assert MASK in cleaned


def test_ordinary_lines_are_left_alone():
    line = 'HTTP Request: PROPFIND http://127.0.0.1:8080/Docs%20%26/ "HTTP/1.1 207 Multi-Status"'
    assert redact(line) == line
    assert (
        redact("job 3: 12 passed, 1 failed; lock token kept")
        == "job 3: 12 passed, 1 failed; lock token kept"
    )


def test_a_password_the_program_was_given_is_blanked_wherever_it_appears():
    given = "correct horse battery staple"
    redact_value(given)
    assert redact(f"server said: wrong answer {given}!") == f"server said: wrong answer {MASK}!"


def test_log_file_under_the_config_home_rotates_and_leaves_no_handler_behind(tmp_path):
    folder = AppPaths.default({"DAVDESK_CONFIG_HOME": str(tmp_path)}).log
    handlers_before = list(logging.getLogger().handlers)
    with logging_to(folder) as path:
        assert path == tmp_path / "log" / "davdesk.log"
        logging.getLogger("app.jobs.runner").info("job 1 finished")
        logging.getLogger("app.jobs.runner").debug("debug lines need --verbose")
        logging.getLogger("httpx").info("HTTP Request: needs --verbose too")
    assert logging.getLogger().handlers == handlers_before
    text = path.read_text(encoding="utf-8")
    assert "app.logs: davdesk" in text and "INFO MainThread app.jobs.runner: job 1 finished" in text
    assert "debug lines" not in text and "HTTP Request" not in text
    assert logs.MAX_BYTES and logs.BACKUPS  # rotation: davdesk.log.1 ... after MAX_BYTES


def test_verbose_adds_debug_and_request_lines_to_file_and_stderr(tmp_path, capfd):
    with logging_to(tmp_path, verbose=True) as path:
        logging.getLogger("app.dav").debug("PROPFIND Depth 1 on /")
        logging.getLogger("httpx").info('HTTP Request: PROPFIND http://h/ "HTTP/1.1 207"')
    text = path.read_text(encoding="utf-8")
    assert "PROPFIND Depth 1 on /" in text and "HTTP Request: PROPFIND" in text
    assert "PROPFIND Depth 1 on /" in capfd.readouterr().err
    assert logging.getLogger("app").level == logging.NOTSET  # restored


@pytest.mark.expected_log("request failed")
def test_tracebacks_and_arguments_are_redacted_before_they_are_written(tmp_path):
    with logging_to(tmp_path) as path:
        try:
            raise RuntimeError(f"401 for https://alice:{SECRET}@host/ with password={SECRET}")
        except RuntimeError:
            logging.getLogger("app.cli").exception("request failed: %s", f"Cookie: id={SECRET}")
    text = path.read_text(encoding="utf-8")
    assert "RuntimeError: 401 for https://alice:[redacted]@host/" in text
    assert SECRET not in text


def test_passwords_given_on_many_threads_at_once_are_all_blanked():
    """Each addition swaps in a new tuple under a lock: none is lost to another's."""
    threads, each = 8, 100
    start = threading.Barrier(threads)

    def give(thread: int) -> None:
        start.wait()
        for n in range(each):
            redact_value(f"given-{thread}-{n}-secret")

    workers = [threading.Thread(target=give, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    line = " ".join(f"given-{t}-{n}-secret" for t in range(threads) for n in range(each))
    assert set(redact(line).split()) == {MASK}
