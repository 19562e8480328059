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
    assert api.calls[0] == call  # the call the command stands for; a stop then reads how it ended
    assert [name for name, _args, _kwargs in api.calls[1:]] in ([], ["inspect_container"])


class StoppingApi:
    """A stop that ends the way `state` says (docker's State after the stop), or a container gone with --rm."""

    def __init__(self, state: dict | None):
        self.state = state

    def stop(self, container, timeout):
        pass

    def inspect_container(self, container):
        if self.state is None:
            raise RuntimeError("No such container")
        return {"State": self.state}


def test_a_stop_says_how_the_container_ended():
    outcome = actions.StopContainer("web").run(StoppingApi({"ExitCode": 137, "OOMKilled": False}))
    assert (outcome.exit_code, outcome.oom_killed, outcome.timeout) == (137, False, 10)
    assert outcome.seconds >= 0


def test_a_stop_of_a_container_removed_on_exit_still_succeeds():
    outcome = actions.StopContainer("web").run(StoppingApi(None))
    assert outcome.exit_code is None and not outcome.ignored_sigterm
