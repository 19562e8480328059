"""Rows for the lists come from the engine's list payloads; ports are sorted and deduplicated."""

from gui.core.engine.rows import PublishedPort, container_row, image_rows

RAW_CONTAINER = {
    "Id": "f" * 64,
    "Names": ["/web"],
    "Image": "my-ai-app:1.0",
    "ImageID": "sha256:aaa",
    "Command": "python app.py",
    "Created": 1700000000,
    "State": "running",
    "Status": "Up 3 minutes",
    "Ports": [
        {"IP": "::", "PrivatePort": 80, "PublicPort": 5000, "Type": "tcp"},
        {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 5000, "Type": "tcp"},
        {"IP": "127.0.0.1", "PrivatePort": 8888, "PublicPort": 3000, "Type": "tcp"},
        {"PrivatePort": 9000, "Type": "udp"},
    ],
    "Labels": {"b": "2", "a": "1"},
    "HostConfig": {"NetworkMode": "host"},
}


def test_container_row_reads_the_list_payload():
    row = container_row(RAW_CONTAINER)
    assert (row.name, row.image, row.state, row.running) == ("web", "my-ai-app:1.0", "running", True)
    assert row.short_id == "f" * 12
    assert row.labels == (("a", "1"), ("b", "2"))
    assert row.network_mode == "host"  # the Monitor reads a listed container before its inspect: no own network
    assert container_row({**RAW_CONTAINER, "HostConfig": None}).network_mode == ""


def test_ports_sorted_one_per_host_port_with_loopback_links():
    row = container_row(RAW_CONTAINER)
    assert [port.host_port for port in row.ports] == [3000, 5000]
    assert [port.url for port in row.ports] == ["http://127.0.0.1:3000", "http://127.0.0.1:5000"]
    assert row.exposed == ("9000/udp",)
    assert str(row.ports[0]) == "127.0.0.1:3000->8888"


def test_udp_ports_have_no_link():
    assert PublishedPort(53, 53, "udp").url is None
    assert str(PublishedPort(53, 53, "udp")) == "53->53/udp"


def test_exited_container_is_not_running():
    row = container_row({**RAW_CONTAINER, "State": "exited", "Status": "Exited (1) 2 seconds ago", "Ports": []})
    assert not row.running and row.ports == ()


def test_image_rows_one_per_tag_and_used_by_count():
    containers = [container_row(RAW_CONTAINER), container_row({**RAW_CONTAINER, "Id": "e" * 64})]
    rows = image_rows(
        [
            {"Id": "sha256:aaa", "RepoTags": ["my-ai-app:1.0", "user/my-ai-app:1.0"], "Created": 1, "Size": 100},
            {"Id": "sha256:bbb", "RepoTags": None, "RepoDigests": [], "Created": 2, "Size": 50},
            {"Id": "sha256:ccc", "RepoTags": ["<none>:<none>"], "RepoDigests": ["busybox@sha256:123"], "Size": 5},
        ],
        containers,
    )
    assert [(r.repository, r.tag, r.used_by) for r in rows] == [
        ("my-ai-app", "1.0", 2),
        ("user/my-ai-app", "1.0", 2),
        ("<none>", "<none>", 0),
        ("busybox", "<none>", 0),
    ]
    assert rows[2].dangling and rows[2].reference == "bbb"
    assert rows[0].reference == "my-ai-app:1.0"
    assert len({row.key for row in rows}) == 4


def test_registry_port_in_repository_is_kept():
    rows = image_rows([{"Id": "sha256:d", "RepoTags": ["localhost:5000/team/app:2"], "Size": 1}], [])
    assert (rows[0].repository, rows[0].tag) == ("localhost:5000/team/app", "2")
