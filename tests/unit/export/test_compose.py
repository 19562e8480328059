"""compose.yaml from runs, and back: every export reads back as the run it came from, secrets stay out of the
file, and what Compose cannot say is told in a note."""

from __future__ import annotations

import pytest
import yaml

from gui.core.export.common import differences
from gui.core.export.compose import from_compose, to_compose
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec

SECRET = "hf_abcdefghijklmnopqrstuvwxyzABCDEF12"
IMAGE = "ghcr.io/acme/llm:1.2"

SPECS = {
    "plain": RunSpec(IMAGE),
    "ports": RunSpec(
        IMAGE,
        ports=(
            PortSpec("80", "5000"),  # 127.0.0.1, Portside's default
            PortSpec("53", "5353", "udp"),
            PortSpec("8000-8010", "9000-9010"),
            PortSpec("8080", "8080", all_interfaces=True),
            PortSpec("81"),  # a random port on 127.0.0.1
            PortSpec("82", all_interfaces=True),  # a random port on every interface
            PortSpec("83", "192.168.1.5:6000"),
            PortSpec("84", "[::1]:6001"),
            PortSpec("85", "10.0.0.2"),  # a random port on one address
        ),
    ),
    "env with a secret": RunSpec(
        IMAGE,
        env=(EnvVar("HF_TOKEN", SECRET), EnvVar("MODE", "no"), EnvVar("EMPTY", ""), EnvVar("PRICE", "$5 ${X}")),
    ),
    "mounts": RunSpec(
        IMAGE,
        mounts=(
            MountSpec("volume", "models", "/models"),
            MountSpec("volume", "cache", "/cache", read_only=True),
            MountSpec("bind", "/home/me/data", "/data"),
            MountSpec("bind", "/etc/app.conf", "/app/app.conf", read_only=True),
            MountSpec("volume", "", "/scratch"),
            MountSpec("volume", "", "/frozen", read_only=True),
            MountSpec("bind", "/home/me/odd:name", "/odd"),
        ),
    ),
    "all GPUs": RunSpec(IMAGE, gpus=GpuSpec(GpuMode.ALL)),
    "two GPUs": RunSpec(IMAGE, gpus=GpuSpec(GpuMode.COUNT, count=2)),
    "GPU ids": RunSpec(IMAGE, gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "GPU-5c1a"), capabilities=("compute",))),
    "limits": RunSpec(IMAGE, memory="1.5g", cpus="3/2", shm_size="1g"),
    "limits in bytes": RunSpec(IMAGE, memory="1000000", cpus="0.25"),
    "restart always": RunSpec(IMAGE, restart="always"),
    "restart unless-stopped": RunSpec(IMAGE, restart="unless-stopped"),
    "restart on-failure": RunSpec(IMAGE, restart="on-failure"),
    "restart on-failure:5": RunSpec(IMAGE, restart="on-failure", restart_max_retries=5),
    "-it": RunSpec(IMAGE, interactive_tty=True, command="bash"),
    "command with quotes": RunSpec(IMAGE, command="""sh -c 'echo "it'"'"'s $HOME" && exec python -u app.py'"""),
    "entrypoint and the rest": RunSpec(
        IMAGE, name="llm-1", entrypoint="/usr/bin/tini", workdir="/srv/app", user="1000:1000", privileged=True
    ),
    "labels": RunSpec(IMAGE, labels=(("team", "ml"), ("io.acme.cost", "$0"))),
}


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_every_export_reads_back_as_the_run_it_came_from(spec):
    exported = to_compose([("app", spec)])

    ((name, read_back),) = from_compose(exported.text)

    assert name == "app"
    assert differences(spec, read_back) == []


def test_several_containers_share_one_file_each_as_its_own_service():
    services = [(f"app-{number}", spec) for number, spec in enumerate(SPECS.values())]

    read_back = from_compose(to_compose(services).text)

    assert [name for name, _ in read_back] == [name for name, _ in services]
    assert all(differences(spec, back) == [] for (_, spec), (_, back) in zip(services, read_back, strict=True))


def service(spec: RunSpec) -> dict:
    return yaml.safe_load(to_compose([("app", spec)]).text)["services"]["app"]


def test_the_file_says_what_a_person_would_write():
    spec = RunSpec(
        IMAGE,
        command="python -m http.server 80",
        ports=(PortSpec("80", "5000"), PortSpec("53", "5353", "udp"), PortSpec("8000-8010", "8000-8010")),
        mounts=(MountSpec("volume", "models", "/models", read_only=True), MountSpec("bind", "/home/me/data", "/data")),
        gpus=GpuSpec(GpuMode.COUNT, count=2),
        memory="2g",
        cpus="1.5",
        restart="on-failure",
        restart_max_retries=3,
    )
    text = to_compose([("app", spec)]).text
    written = yaml.safe_load(text)

    assert written["services"]["app"] == {
        "image": IMAGE,
        "command": ["python", "-m", "http.server", "80"],
        "ports": ["127.0.0.1:5000:80", "127.0.0.1:5353:53/udp", "127.0.0.1:8000-8010:8000-8010"],
        "volumes": ["models:/models:ro", "/home/me/data:/data"],
        "restart": "on-failure:3",
        "deploy": {
            "resources": {
                "limits": {"cpus": "1.5", "memory": "2g"},
                "reservations": {"devices": [{"driver": "nvidia", "count": 2, "capabilities": ["gpu"]}]},
            }
        },
    }
    # The volume keeps its engine name: Compose would otherwise put the project's name in front of it.
    assert written["volumes"] == {"models": {"name": "models"}}
    assert "container_name" not in written["services"]["app"]  # only when the run named its container


def test_a_secret_is_written_as_a_reference_and_the_user_told_where_its_value_goes():
    spec = RunSpec(IMAGE, env=(EnvVar("HF_TOKEN", SECRET), EnvVar("DB_URL", "postgres://app:pw1234@db/x")))

    exported = to_compose([("app", spec)])

    assert SECRET not in exported.text and "pw1234" not in exported.text
    assert yaml.safe_load(exported.text)["services"]["app"]["environment"] == {
        "HF_TOKEN": "${HF_TOKEN}",
        "DB_URL": "${DB_URL}",
    }
    assert exported.secrets == ("HF_TOKEN", "DB_URL")
    assert any(".env file beside compose.yaml" in note and "HF_TOKEN, DB_URL" in note for note in exported.notes)
    assert "# Put HF_TOKEN=..., DB_URL=... in a .env file beside this one." in exported.text


def test_yaml_words_that_mean_true_or_false_are_quoted():
    exported = to_compose([("app", RunSpec(IMAGE, env=(EnvVar("DEBUG", "no"), EnvVar("FAST", "yes"))))])

    assert "restart: 'no'" in exported.text  # a bare no would be read as false
    assert "DEBUG: 'no'" in exported.text and "FAST: 'yes'" in exported.text
    written = yaml.safe_load(exported.text)["services"]["app"]
    assert written["restart"] == "no" and written["environment"] == {"DEBUG": "no", "FAST": "yes"}


def test_a_dollar_is_written_as_compose_reads_a_literal_dollar():
    exported = to_compose([("app", RunSpec(IMAGE, command="sh -c 'echo $HOME'", env=(EnvVar("PRICE", "$5"),)))])

    written = yaml.safe_load(exported.text)["services"]["app"]
    assert written["command"] == ["sh", "-c", "echo $$HOME"]
    assert written["environment"] == {"PRICE": "$$5"}


def test_what_compose_cannot_say_becomes_a_note():
    spec = RunSpec(
        IMAGE,
        auto_remove=True,
        publish_all=True,
        env=(EnvVar("my.token", SECRET),),
        labels=(("api.token", SECRET),),
    )

    exported = to_compose([("app", spec)])

    assert SECRET not in exported.text
    assert [note.split(":")[:2] for note in exported.notes] == [
        ["app", " The secret variable my.token is left out"],
        ["app", " The label api.token is left out"],
        ["app", " Removed when it stops (--rm) is not exported"],
        ["app", " Publish all exposed ports (-P) is not exported"],
    ]
    # ...and the comparison names the same losses: nothing is dropped in silence.
    assert len(differences(spec, from_compose(exported.text)[0][1])) == 4


def test_service_names_compose_refuses_are_cleaned_and_kept_apart():
    exported = to_compose([("my app!", RunSpec(IMAGE)), ("my app?", RunSpec("redis"))])

    assert [name for name, _ in from_compose(exported.text)] == ["my-app", "my-app-2"]
    assert 'The service for "my app!" is named "my-app": Compose allows letters, digits, ".", "_", "-".' in (
        exported.notes
    )


def test_the_command_that_starts_it_names_the_project_when_given():
    assert to_compose([("app", RunSpec(IMAGE))]).command == "docker compose -f compose.yaml up -d"
    assert to_compose([("app", RunSpec(IMAGE))], "demo").command == "docker compose -p demo -f compose.yaml up -d"
    assert to_compose([("app", RunSpec(IMAGE))]).file_name == "compose.yaml"


HAND_WRITTEN = """
services:
  web:
    image: nginx:1.27
    command: nginx -g 'daemon off;'
    ports:
      - 8080:80
      - "127.0.0.1:8443:443"
      - 9000
      - target: 53
        published: 5353
        protocol: udp
        host_ip: 127.0.0.1
    environment:
      - MODE=prod
      - FROM_HOST
    volumes:
      - data:/var/lib/data
      - ./site:/usr/share/nginx/html:ro
      - type: bind
        source: /etc/hosts
        target: /etc/hosts
        read_only: true
    restart: no
    deploy:
      resources:
        limits: {memory: 256M, cpus: "0.5"}
  worker:
    image: python:3.11
    environment: {QUEUE: jobs, RETRIES: 3, VERBOSE: true}
    labels: [tier=back]
volumes:
  data:
"""


def test_a_hand_written_file_reads_as_the_runs_it_describes():
    (web_name, web), (worker_name, worker) = from_compose(HAND_WRITTEN)

    assert (web_name, worker_name) == ("web", "worker")
    expected_web = RunSpec(
        "nginx:1.27",
        command="nginx -g 'daemon off;'",
        ports=(
            PortSpec("80", "8080", all_interfaces=True),
            PortSpec("443", "8443"),
            PortSpec("9000", all_interfaces=True),
            PortSpec("53", "5353", "udp"),
        ),
        env=(EnvVar("MODE", "prod"), EnvVar("FROM_HOST", "${FROM_HOST}")),  # taken from where compose runs
        mounts=(
            MountSpec("volume", "data", "/var/lib/data"),
            MountSpec("bind", "./site", "/usr/share/nginx/html", read_only=True),
            MountSpec("bind", "/etc/hosts", "/etc/hosts", read_only=True),
        ),
        memory="256m",
        cpus="0.5",
    )
    assert differences(expected_web, web) == []
    assert worker.env == (EnvVar("QUEUE", "jobs"), EnvVar("RETRIES", "3"), EnvVar("VERBOSE", "true"))
    assert worker.labels == (("tier", "back"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services: [", "The file is not valid YAML at line 1"),
        ("name: nothing here\n", "The file has no services"),
        ("services:\n  web: nginx\n", "The service web is not a mapping of settings"),
        ("services:\n  web:\n    build: .\n", "The service web, image: it has no image"),
        ("services:\n  web:\n    image: x\n    ports: ['80:http']\n", 'The service web, ports: "80:http" is not'),
        ("services:\n  web:\n    image: x\n    ports: 80\n", "The service web, ports: expected a list"),
        ("services:\n  web:\n    image: x\n    restart: sometimes\n", 'The service web, restart: "sometimes"'),
        ("services:\n  web:\n    image: x\n    environment: FOO\n", "The service web, environment: expected"),
        ("services:\n  web:\n    image: x\n    volumes: ['a:b:c:d']\n", 'The service web, volumes: "a:b:c:d"'),
        ("services:\n  web:\n    image: x\n    tty: maybe\n", "The service web, tty: expected true or false"),
        ('services:\n  web:\n    image: x\n    command: "echo \'hi"\n', "The service web, command: a quote"),
        (
            "services:\n  gpu:\n    image: x\n    deploy: {resources: {reservations: {devices: "
            "[{driver: nvidia, count: many}]}}}\n",
            'The service gpu, deploy.resources.reservations.devices: count "many"',
        ),
    ],
)
def test_a_file_it_cannot_read_is_refused_with_a_sentence_naming_the_service_and_key(text, message):
    with pytest.raises(ValueError, match="^" + message.replace("[", r"\[").replace(".", r"\.")):
        from_compose(text)


def test_an_inspected_container_exports_and_reads_back():
    """The specs also come from `docker inspect` (Run again with changes): the same round trip holds."""
    inspected = {
        "Name": "/web-1",
        "Config": {
            "Image": IMAGE,
            "Env": ["HF_TOKEN=" + SECRET, "MODE=prod"],
            "Cmd": ["python", "app.py"],
            "Labels": {"team": "ml"},
        },
        "HostConfig": {
            "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "5000"}]},
            "RestartPolicy": {"Name": "unless-stopped"},
            "Mounts": [{"Type": "volume", "Source": "models", "Target": "/models"}],
            "DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}],
            "Memory": 2 * 1024**3,
            "NanoCpus": 1_500_000_000,
        },
    }
    spec = RunSpec.from_inspect(inspected)

    exported = to_compose([("web", spec)])

    assert SECRET not in exported.text
    assert differences(spec, from_compose(exported.text)[0][1]) == []


def test_what_compose_cannot_say_is_noted_and_left_out_of_the_comparison():
    from gui.core.export.common import differences
    from gui.core.export.compose import compose_view

    spec = RunSpec(
        image="web:1.0",
        auto_remove=True,
        publish_all=True,
        env=(EnvVar("MODE", "fast"),),
        labels=(("team", "ml"), ("api_token", "sk-live-abcdefghijklmnopqrstuvwxyz123456")),
    )
    exported = to_compose([("web", spec)])
    [(_name, back)] = from_compose(exported.text)
    assert len(differences(spec, back)) == 3  # --rm, -P and the secret label, each named
    assert differences(compose_view(spec), back) == []
    assert sum(("--rm" in note) or ("-P" in note) or ("api_token" in note) for note in exported.notes) == 3
