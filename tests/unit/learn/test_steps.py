"""The Learn steps follow the seed's chapters, each in two to four plain sentences with its exact command."""

import re

import pytest

from gui.core.dockerfile.rule_table import RULES
from gui.core.learn.steps import ACTIONS, PRACTICES, STEPS, fill_command, step

SEED_ORDER = [
    "what-is-docker",
    "check-install",
    "get-image",
    "write-dockerfile",
    "build",
    "run",
    "watch",
    "stop-remove",
    "tag-push",
    "best-practices",
    "where-next",
]


def test_the_steps_follow_the_seed_chapters_in_order():
    assert [each.id for each in STEPS] == SEED_ORDER
    assert len({each.title for each in STEPS}) == len(STEPS)


@pytest.mark.parametrize("each", STEPS, ids=lambda each: each.id)
def test_every_step_says_it_in_two_to_four_plain_sentences(each):
    assert 2 <= len(each.sentences) <= 4
    for sentence in each.sentences:
        assert sentence.endswith("."), sentence
        # One sentence per item: no full stop followed by a new sentence inside it.
        assert not re.search(r"[.?!] [A-Z]", sentence), sentence
        assert "`" not in sentence and "**" not in sentence  # no markdown in Qt labels
    assert each.check and "`" not in each.check


@pytest.mark.parametrize("each", STEPS, ids=lambda each: each.id)
def test_each_step_has_a_command_or_something_to_read_and_one_action(each):
    if each.id == "write-dockerfile":
        assert each.example.startswith("FROM python:") and "EXPOSE 80" in each.example
    elif each.id == "where-next":
        assert not each.command
    else:
        assert each.command.startswith("docker ")
        assert all(line.startswith("docker ") for line in each.command.splitlines())
    if each.read_only:
        assert each.id in ("what-is-docker", "where-next")
    else:
        assert each.action in ACTIONS and each.action_label
    assert each.offline_action is None or each.offline_action in ACTIONS


def test_the_commands_are_the_seeds():
    assert fill_command(step("check-install").command) == "docker --version\ndocker info"
    assert fill_command(step("build").command) == "docker build -t my-ai-app ."
    assert fill_command(step("run").command) == "docker run -p 5000:80 my-ai-app"
    assert "docker push yourusername/my-ai-app" in fill_command(step("tag-push").command)


def test_commands_carry_the_users_own_names_once_known():
    assert fill_command(step("run").command, "sample-app:1.0") == "docker run -p 5000:80 sample-app:1.0"
    assert fill_command(step("stop-remove").command, container="eager_turing") == (
        "docker stop eager_turing\ndocker rm eager_turing"
    )
    assert fill_command(step("best-practices").command, "sample-app:2.0") == "docker build -t sample-app:1.0 ."
    assert fill_command(step("best-practices").command, "127.0.0.1:5000/app") == (
        "docker build -t 127.0.0.1:5000/app:1.0 ."
    )


def test_steps_that_need_a_registry_offer_the_local_path():
    get_image, tag_push = step("get-image"), step("tag-push")
    assert "already on this machine" in get_image.offline and get_image.offline_action == "images"
    assert "127.0.0.1" in fill_command(tag_push.offline)
    assert any("127.0.0.1" in sentence for sentence in tag_push.sentences)


def test_each_best_practice_names_the_lint_rules_that_check_it():
    titles = " ".join(practice.title.lower() for practice in PRACTICES)
    for words in ("slim", "stages", "secrets", "version"):
        assert words in titles
    for practice in PRACTICES:
        assert practice.rules and all(rule in RULES for rule in practice.rules)
    assert step("best-practices").practices == PRACTICES
