"""Compose projects from container labels, and the project actions on a fake API: what each asks the engine, the
command it shows, and the sentences when Up cannot run."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from gui.core.compose import actions as compose
from gui.core.compose.projects import compose_projects, grouped_order, shared_project
from gui.core.errors import EngineError
from tests.fakes.fake_compose import compose_container
from tests.fakes.fake_engine import container


class Api:
    """Records the calls; lists the project's containers and networks as the engine's label filter does."""

    def __init__(self, raw: list[dict], networks: list[str]):
        self.raw, self.network_names, self.calls = raw, networks, []

    def containers(self, all=False, filters=None):
        self.calls.append(("containers", filters))
        return self.raw

    def networks(self, filters=None):
        return [{"Name": name} for name in self.network_names]

    def stop(self, name, timeout=10):
        self.calls.append(("stop", name))

    def start(self, name):
        self.calls.append(("start", name))

    def remove_container(self, name):
        self.calls.append(("remove", name))

    def remove_network(self, name):
        self.calls.append(("remove network", name))


def raw(name: str, state: str) -> dict:
    return {"Id": f"{name}-id", "Names": [f"/{name}"], "State": state}


def test_projects_are_grouped_with_services_files_and_counts():
    rows = [
        compose_container("shop", "web", folder="/srv/shop", files="compose.yaml,/etc/extra.yaml"),
        compose_container("shop", "db", state="exited", folder="/srv/shop"),
        container("solo"),
    ]
    [shop] = compose_projects(rows)
    assert shop.name == "shop" and shop.services == ("db", "web")
    assert shop.counts_text == "1 of 2 running"
    assert shop.working_dir == "/srv/shop"


def test_files_come_from_the_newest_container_relative_ones_in_the_project_folder():
    old = replace(compose_container("shop", "web", files="old.yaml"), created=100.0)
    new = replace(compose_container("shop", "db", files="a.yaml,/abs/b.yaml"), created=200.0)
    [shop] = compose_projects([old, new])
    assert shop.config_files == ("/srv/shop/a.yaml", "/abs/b.yaml")


def test_shared_project_and_grouped_order():
    web, db, solo = compose_container("shop", "web"), compose_container("shop", "db"), container("solo")
    assert shared_project([web, db]) == "shop"
    assert shared_project([web, solo]) == "" and shared_project([solo]) == "" and shared_project([]) == ""
    rows = sorted([solo, web, compose_container("blog", "app"), db], key=grouped_order)
    assert [r.name for r in rows] == ["blog-app-1", "shop-db-1", "shop-web-1", "solo"]


def test_stop_and_start_act_on_the_projects_containers_by_label():
    api = Api([raw("shop-web-1", "running"), raw("shop-db-1", "exited")], [])
    assert compose.ProjectStop("shop").run(api) == ("shop-web-1",)
    assert ("containers", {"label": "com.docker.compose.project=shop"}) in api.calls
    assert ("stop", "shop-web-1-id") in api.calls and ("stop", "shop-db-1-id") not in api.calls
    assert compose.ProjectStart("shop").run(api) == ("shop-db-1",)
    assert compose.ProjectStop("shop").command == "docker compose -p shop stop"
    assert compose.ProjectStart("shop").command == "docker compose -p shop start"


def test_down_removes_exactly_the_plan_containers_first_and_keeps_volumes():
    api = Api([raw("shop-web-1", "running"), raw("shop-db-1", "exited")], ["shop_default"])
    plan = compose.down_plan(api, "shop")
    assert plan == compose.DownPlan("shop", ("shop-db-1", "shop-web-1"), ("shop_default",))
    action = compose.ProjectDown.of(plan)
    assert action.command == "docker compose -p shop down"
    action.run(api)
    removals = [call for call in api.calls if call[0].startswith("remove")]
    assert removals == [("remove", "shop-db-1"), ("remove", "shop-web-1"), ("remove network", "shop_default")]


def test_down_skips_what_is_gone_already():
    class Gone(Exception):
        status_code = 404

    api = Api([], [])
    api.stop = lambda name, timeout=10: (_ for _ in ()).throw(Gone())
    compose.ProjectDown.of(compose.DownPlan("shop", ("shop-web-1",), ())).run(api)  # no error


def test_the_compose_cli_prefers_the_v2_plugin_then_docker_compose():
    def which(name):
        return {"docker": "/usr/bin/docker", "docker-compose": "/usr/bin/docker-compose"}.get(name)

    def works(code):
        return lambda argv, **_: subprocess.CompletedProcess(argv, code)

    assert compose.find_compose_cli(which, works(0)) == ["/usr/bin/docker", "compose"]
    assert compose.find_compose_cli(which, works(1)) == ["/usr/bin/docker-compose"]
    assert compose.find_compose_cli(lambda name: None, works(0)) is None


def test_up_shows_the_v2_command_and_runs_the_cli_in_the_project_folder(tmp_path):
    file = tmp_path / "compose.yaml"
    file.write_text("services: {}\n")
    up = compose.ProjectUp("shop", str(tmp_path), (str(file),))
    assert up.command == f"docker compose -p shop -f {file} up -d"
    script = tmp_path / "fake-compose"
    script.write_text('#!/bin/sh\npwd > "$(dirname "$0")/ran"; echo "$@" >> "$(dirname "$0")/ran"\n')
    script.chmod(0o755)
    up.run(None, cli=[str(script)])
    assert (tmp_path / "ran").read_text().splitlines() == [str(tmp_path), f"-p shop -f {file} up -d"]


@pytest.mark.parametrize(
    ("folder", "files", "words"),
    [
        ("", (), "cannot tell which compose files"),
        ("/srv", ("/nowhere/compose.yaml",), "is not on this computer"),
    ],
)
def test_up_that_cannot_run_here_says_what_to_do(folder, files, words):
    with pytest.raises(EngineError, match=words):
        compose.ProjectUp("shop", folder, files).run(None, cli=["true"])


def test_up_without_any_compose_cli_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    monkeypatch.setattr(compose, "find_compose_cli", lambda: None)
    with pytest.raises(EngineError, match="Install the Docker Compose plugin"):
        compose.ProjectUp("shop", str(tmp_path), (str(tmp_path / "compose.yaml"),)).run(None)


def test_a_failing_up_says_what_compose_said(tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    script = tmp_path / "fake-compose"
    script.write_text("#!/bin/sh\necho 'ERROR: pull access denied for nope' >&2\nexit 1\n")
    script.chmod(0o755)
    with pytest.raises(EngineError, match="pull access denied for nope"):
        compose.ProjectUp("shop", str(tmp_path), (str(tmp_path / "compose.yaml"),)).run(None, cli=[str(script)])
