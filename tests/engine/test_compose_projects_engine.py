"""A compose project made by a real Compose (Debian's docker-compose 1.29.2) on the test engine, as Portside reads
it from the containers list and acts on it: stop, start and down through the API, up through the compose CLI."""

from __future__ import annotations

import json
import secrets

from gui.core.compose import actions as compose
from gui.core.compose.projects import PROJECT_LABEL, project_named
from tests.engine.test_compose_export_engine import docker_compose

# PID 1 ignores SIGTERM unless it says otherwise: this one ends at once, so a stop takes no 10 s wait.
COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]


def compose_file(image: str, labels: dict[str, str]) -> str:
    service = {"image": image, "command": COMMAND, "labels": labels}
    return json.dumps(  # JSON is YAML
        {
            "version": "3.7",
            "services": {"api": service, "worker": service},
            "networks": {"default": {"labels": labels}},
        }
    )


def states(engine, project: str) -> dict[str, str]:
    found = project_named(engine.containers(), project)
    return {} if found is None else {row.name: row.state for row in found.containers}


def project_networks(engine, project: str) -> list[str]:
    return [n["Name"] for n in engine.api.networks(filters={"label": f"{PROJECT_LABEL}={project}"})]


def test_a_compose_project_read_stopped_started_taken_down_and_brought_up(engine, busybox_image, test_labels, tmp_path):
    project = f"pstest{secrets.token_hex(4)}"
    file = tmp_path / "compose.yaml"
    file.write_text(compose_file(busybox_image, test_labels))
    try:
        up = docker_compose(tmp_path, "-p", project, "-f", str(file), "up", "-d")
        assert up.returncode == 0, up.stderr

        found = project_named(engine.containers(), project)
        assert found is not None
        assert found.services == ("api", "worker")
        assert found.config_files == (str(file),)
        assert found.working_dir == str(tmp_path)
        assert found.counts_text == "2 of 2 running"

        stopped = engine.perform(compose.ProjectStop(project))
        assert sorted(stopped) == sorted(states(engine, project))
        assert set(states(engine, project).values()) == {"exited"}

        engine.perform(compose.ProjectStart(project))
        assert set(states(engine, project).values()) == {"running"}

        plan = compose.down_plan(engine.api, project)
        assert len(plan.containers) == 2 and plan.networks == (f"{project}_default",)
        engine.perform(compose.ProjectDown.of(plan))
        assert states(engine, project) == {}
        assert project_networks(engine, project) == []

        # Up again from the files the containers named, through the compose CLI found on this computer.
        engine.perform(compose.ProjectUp(project, found.working_dir, found.config_files))
        assert set(states(engine, project).values()) == {"running"}
        assert len(states(engine, project)) == 2
    finally:
        docker_compose(tmp_path, "-p", project, "-f", str(file), "down", "-v")
