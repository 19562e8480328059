"""gui.core.build.spec: the tag a build folder suggests (folder-name:1.0, valid for Docker) and the warning when
a tag already names an image on the engine."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gui.core.build.spec import replaced_tag_warnings, suggested_tag
from gui.core.engine.rows import NONE_TAG, ImageRow
from gui.core.reference import reference_problem

NOW = time.time()


@pytest.mark.parametrize(
    ("folder", "tag"),
    [
        ("/home/you/portside-sample-app", "portside-sample-app:1.0"),
        ("/home/you/My Project/", "my-project:1.0"),
        ("/srv/Über App!!", "uber-app:1.0"),
        ("/srv/app_v2.0", "app_v2.0:1.0"),
        ("/srv/__init__", "init:1.0"),
        ("/srv/a..b", "a-b:1.0"),
        ("/srv/a_-b", "a-b:1.0"),
        ("/srv/--x--", "x:1.0"),
        ("/srv/日本", "my-ai-app:1.0"),  # nothing usable: the tutorial's name
        ("/", "my-ai-app:1.0"),
        (Path("/srv/Chat Bot"), "chat-bot:1.0"),
    ],
)
def test_the_folder_name_becomes_a_valid_tag(folder, tag):
    assert suggested_tag(folder) == tag
    assert reference_problem(tag) is None


def test_a_long_folder_name_is_shortened_and_stays_valid():
    tag = suggested_tag("/srv/" + "very-long-name-" * 20)
    assert reference_problem(tag) is None and len(tag) <= 70 and tag.endswith(":1.0")


def test_no_folder_no_suggestion():
    assert suggested_tag("") is None and suggested_tag("   ") is None


def image(repository: str, tag: str, age_s: float) -> ImageRow:
    return ImageRow(f"sha256:{repository}{tag}".ljust(71, "f"), repository, tag, NOW - age_s, 1)


IMAGES = [
    image("web", "1.0", 7200),
    image("web", "1.1", 60),
    image("tool", "latest", 3 * 86400),
    image(NONE_TAG, NONE_TAG, 5),
]


def test_a_tag_on_another_image_says_which_and_when_and_offers_a_free_version():
    (warning,) = replaced_tag_warnings(["web:1.0"], IMAGES, now=NOW)
    short = IMAGES[0].short_id
    assert warning.startswith(f"web:1.0 is taken: this build replaces the tag on image {short}, built 2 hours ago.")
    assert warning.endswith("To keep both, tag this build web:1.2.")  # 1.1 is taken as well


def test_names_are_matched_as_the_engine_lists_them():
    assert len(replaced_tag_warnings(["docker.io/library/web:1.0"], IMAGES, now=NOW)) == 1
    (warning,) = replaced_tag_warnings(["tool"], IMAGES, now=NOW)  # no tag means latest
    assert "built 3 days ago" in warning and "To keep both" not in warning  # latest is no version to count up


def test_new_tags_and_invalid_ones_say_nothing():
    assert replaced_tag_warnings(["web:2.0", "new-app:1.0"], IMAGES, now=NOW) == []
    assert replaced_tag_warnings(["Web App", "<none>:<none>"], IMAGES, now=NOW) == []
