"""Exit codes in plain words, and when a stop that ended in 137 means the program ignored SIGTERM."""

from __future__ import annotations

import pytest

from gui.core.engine.exit_codes import StopOutcome, exit_code_of_status, ignored_sigterm_advice, meaning


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (0, "finished normally"),
        (1, "error"),
        (125, "docker run itself failed"),
        (126, "cannot be run"),
        (127, "Command not found"),
        (137, "Stopped by force (SIGKILL"),
        (139, "Crashed (segmentation fault"),
        (143, "Stopped politely (SIGTERM"),
        (3, "the program's own error code"),
        (255, "the program's own error code"),
    ],
)
def test_each_exit_code_has_a_sentence(code, words):
    text = meaning(code)
    assert words in text
    assert str(code) in text
    assert text.endswith(".") and "`" not in text


def test_137_names_both_usual_causes():
    assert "ignored the polite stop signal" in meaning(137) and "ran out of memory" in meaning(137)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("Exited (137) 5 seconds ago", 137),
        ("Exited (0) About a minute ago", 0),
        ("Exited (-1) 2 hours ago", -1),
        ("Up 3 minutes", None),
        ("Created", None),
        ("", None),
    ],
)
def test_the_exit_code_is_read_from_the_engine_status(status, code):
    assert exit_code_of_status(status) == code


@pytest.mark.parametrize(
    ("outcome", "ignored"),
    [
        (StopOutcome(137, False, 10.02, 10), True),  # killed after the whole wait
        (StopOutcome(137, True, 10.02, 10), False),  # out of memory, not the stop
        (StopOutcome(137, False, 0.3, 10), False),  # killed by something else, not the timeout
        (StopOutcome(143, False, 0.1, 10), False),  # stopped politely
        (StopOutcome(0, False, 0.1, 10), False),
        (StopOutcome(None, False, 10.0, 10), False),  # gone (--rm): nothing to explain
        (StopOutcome(137, False, 3.0, 3), True),  # docker stop --time 3
    ],
)
def test_a_forced_stop_after_the_whole_wait_means_sigterm_was_ignored(outcome, ignored):
    assert outcome.ignored_sigterm is ignored


def test_the_advice_says_why_and_offers_the_fixes():
    why, fix = ignored_sigterm_advice("web", 10)
    assert "web" in why and "10 seconds" in why and "SIGTERM" in why and "PID 1" in why
    assert "--init" in fix and "STOPSIGNAL" in fix and 'CMD ["python", "app.py"]' in fix
    assert "`" not in why + fix
