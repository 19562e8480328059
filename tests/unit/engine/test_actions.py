"""Each action's command line is what a learner would type for the same effect."""

import pytest

from gui.core.engine import actions


@pytest.mark.parametrize(
    ("action", "command"),
    [
        (actions.StartContainer("web"), "docker start web"),
        (actions.StopContainer("web"), "docker stop web"),
        (actions.StopContainer("web", timeout=3), "docker stop --time 3 web"),
        (actions.RestartContainer("web"), "docker restart web"),
        (actions.RemoveContainer("web"), "docker rm web"),
        (actions.RemoveContainer("web", volumes=True, force=True), "docker rm --force --volumes web"),
        (
            actions.TagImage("my-ai-app:latest", "user/my-ai-app", "1.0"),
            "docker tag my-ai-app:latest user/my-ai-app:1.0",
        ),
        (actions.RemoveImage("busybox:1"), "docker rmi busybox:1"),
        (actions.RemoveImage("busybox:1", force=True), "docker rmi --force busybox:1"),
        (actions.PruneDanglingImages(), "docker image prune --force"),
        (actions.InspectContainer("web"), "docker container inspect web"),
        (actions.InspectImage("a b"), "docker image inspect 'a b' && docker image history 'a b'"),
    ],
)
def test_command_lines(action, command):
    assert action.command == command


def test_names_with_shell_characters_are_quoted():
    assert actions.StopContainer("x;rm -rf /").command == "docker stop 'x;rm -rf /'"


class RecordingApi:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs)) or {}


@pytest.mark.parametrize(
    ("action", "call"),
    [
        (actions.StopContainer("web", timeout=3), ("stop", ("web",), {"timeout": 3})),
        (actions.RemoveContainer("web", volumes=True), ("remove_container", ("web",), {"v": True, "force": False})),
        (actions.TagImage("a:1", "b", "2"), ("tag", ("a:1", "b", "2"), {})),
        (actions.RemoveImage("a:1", force=True), ("remove_image", ("a:1",), {"force": True})),
    ],
)
def test_the_api_call_matches_the_command(action, call):
    api = RecordingApi()
    action.run(api)
    assert api.calls == [call]
