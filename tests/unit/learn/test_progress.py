"""Which Learn steps are done, from hand-made snapshots: every check mark comes from state, never a click."""

import time
from dataclasses import replace

from gui.core.build.history import BuildRecord
from gui.core.engine.rows import ContainerRow, ImageRow, PublishedPort
from gui.core.learn.progress import (
    Facts,
    LearnState,
    Project,
    done_steps,
    first_not_done,
    is_done,
    named_references,
    next_not_done,
    probe_urls,
    project_containers,
    project_from,
    same_image,
)

IMAGE_ID = "sha256:" + "ab12" * 16
OTHER_ID = "sha256:" + "cd34" * 16
URL = "http://127.0.0.1:5000"


def record(
    started: float, context="/home/me/sample-app", result="succeeded", image_id=IMAGE_ID, tags=("sample-app:1.0",)
):
    return BuildRecord(
        id=f"20260101-000000-{int(started) % 1000000:06d}",
        tags=tags,
        context=context,
        dockerfile="Dockerfile",
        started=started,
        duration_s=3.0,
        result=result,
        image_id=image_id,
        image_size=1000,
        command="docker build -t sample-app:1.0 .",
    )


def image(repository="sample-app", tag="1.0", image_id=IMAGE_ID):
    return ImageRow(id=image_id, repository=repository, tag=tag, created=0, size=1000)


LOCAL_5000 = (PublishedPort(5000, 80, "tcp", "127.0.0.1"),)


def container(name="app", state="running", ports=LOCAL_5000, image_id=IMAGE_ID, image_name="sample-app:1.0"):
    return ContainerRow(
        id=f"{name}-id".ljust(64, "0"),
        name=name,
        image=image_name,
        image_id=image_id,
        command="python app.py",
        state=state,
        status="Up 1 second" if state == "running" else "Exited (0) just now",
        created=time.time(),
        ports=tuple(ports),
    )


PROJECT = Project(folder="/home/me/sample-app", image_id=IMAGE_ID, tags=("sample-app:1.0",))


def built(**changes) -> LearnState:
    """The user built the project; nothing runs yet."""
    values = dict(
        engine_usable=True,
        images=[image(), image("python", "3.12-slim", OTHER_ID)],
        project=PROJECT,
        facts=Facts(dockerfile_found=True, lint_rules=frozenset({"PS004"})),
    )
    return LearnState(**{**values, **changes})


def test_nothing_is_done_on_an_empty_machine_without_an_engine():
    state = LearnState()
    assert done_steps(state) == frozenset()
    assert first_not_done(done_steps(state)) == "what-is-docker"


def test_read_only_steps_are_done_once_read():
    state = LearnState(read=frozenset({"what-is-docker", "where-next"}))
    assert done_steps(state) == {"what-is-docker", "where-next"}


def test_built_but_not_running():
    done = done_steps(built())
    assert {"check-install", "get-image", "write-dockerfile", "build"} <= done
    assert not done & {"run", "watch", "stop-remove", "tag-push"}
    assert "best-practices" not in done  # PS004 still found


def test_the_build_step_needs_that_very_image_not_just_any():
    state = built(images=[image("python", "3.12-slim", OTHER_ID)])
    assert is_done("get-image", state) and not is_done("build", state)
    assert not is_done("build", built(project=Project(folder="/home/me/sample-app")))  # never built


def test_running_but_not_answering_yet_is_not_done():
    state = built(containers=[container()])
    assert probe_urls(state) == [URL]
    assert not is_done("run", state)


def test_running_and_answering_is_done():
    state = built(containers=[container()], facts=Facts(dockerfile_found=True, answering=frozenset({URL})))
    assert is_done("run", state)


def test_answering_needs_a_running_container_with_a_published_port():
    facts = Facts(dockerfile_found=True, answering=frozenset({URL}))
    assert not is_done("run", built(containers=[container(state="exited")], facts=facts))
    assert not is_done("run", built(containers=[container(ports=())], facts=facts))
    assert probe_urls(built(containers=[container(ports=())])) == []
    # Someone else's container on the same port is not the user's app.
    assert not is_done("run", built(containers=[container(image_id=OTHER_ID, image_name="nginx")], facts=facts))


def test_a_container_of_an_older_build_still_counts_by_its_image_name():
    old = container(image_id=OTHER_ID, image_name="sample-app:1.0")
    assert project_containers(built(containers=[old])) == [old]


def test_watch_is_done_once_the_monitor_measured_the_projects_container():
    running = container()
    assert not is_done("watch", built(containers=[running]))
    assert is_done("watch", built(containers=[running], sampled=frozenset({running.id})))
    assert not is_done("watch", built(containers=[running], sampled=frozenset({"someone-else"})))


def test_stop_and_remove_needs_a_container_that_ran_and_is_now_stopped_or_gone():
    running = container()
    assert not is_done("stop-remove", built())  # never ran
    assert not is_done("stop-remove", built(containers=[running], seen_running=frozenset({running.id})))
    stopped = replace(running, state="exited")
    assert is_done("stop-remove", built(containers=[stopped], seen_running=frozenset({running.id})))
    assert is_done("stop-remove", built(containers=[], seen_running=frozenset({running.id})))  # removed


def test_tag_and_push_needs_a_registry_name_and_a_push():
    local_name = image("127.0.0.1:5000/sample-app", "1.0")
    state = built(images=[image(), local_name])
    assert named_references(state) == ["127.0.0.1:5000/sample-app:1.0"]
    assert not is_done("tag-push", state)  # tagged, not pushed
    assert is_done("tag-push", replace(state, pushed=frozenset({"127.0.0.1:5000/sample-app:1.0"})))
    # A push from the terminal: the registry gave the image a digest under that name.
    digest = "127.0.0.1:5000/sample-app@sha256:" + "9" * 64
    assert is_done("tag-push", replace(state, facts=replace(state.facts, repo_digests=(digest,))))
    # A push of another image under that name does not count.
    assert not is_done("tag-push", built(pushed=frozenset({"127.0.0.1:5000/sample-app:1.0"})))


def test_best_practices_follow_the_lint_of_the_projects_dockerfile():
    assert not is_done("best-practices", built(facts=Facts(dockerfile_found=True)))  # not linted yet
    assert is_done("best-practices", built(facts=Facts(dockerfile_found=True, lint_rules=frozenset({"DL3008"}))))
    assert not is_done("best-practices", built(facts=Facts(dockerfile_found=True, lint_rules=frozenset({"PS003"}))))


def test_the_engine_going_away_unchecks_what_it_proved():
    state = built(engine_usable=False, images=[], containers=[])
    assert not {"check-install", "get-image", "build"} & done_steps(state)


def test_the_project_is_the_newest_build_or_the_wizards_newer_folder():
    records = [
        record(100, context="/p/old"),
        record(200, context="/p/sample", image_id=OTHER_ID),
        record(300, context="/p/sample", result="failed", image_id=None),
    ]
    project = project_from(records)
    assert project.folder == "/p/sample" and project.image_id == OTHER_ID  # the failed build made no image
    assert project_from(records, "/p/wizard", wizard_at=250).folder == "/p/sample"
    newer = project_from(records, "/p/wizard", wizard_at=400)
    assert newer == Project(folder="/p/wizard")
    assert project_from([], None) == Project()
    assert Project(image_id=IMAGE_ID).image == "ab12ab12ab12"


def test_image_ids_match_short_or_long():
    assert same_image("sha256:" + "ab" * 32, "abababababab")
    assert not same_image("sha256:" + "ab" * 32, "ab")  # too short to tell
    assert not same_image(None, IMAGE_ID)


def test_after_a_step_the_guide_offers_the_next_one_not_done():
    from gui.core.learn.steps import STEPS

    ids = [step.id for step in STEPS]
    assert next_not_done(ids[0], done=[]) == ids[1]
    assert next_not_done(ids[0], done=ids[1:3]) == ids[3]  # done steps are passed over
    assert next_not_done(ids[-2], done=[ids[-1]]) is None  # nothing left after it
    assert next_not_done(ids[-1], done=[]) is None
