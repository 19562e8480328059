"""The build request: Engine.build sends what docker-py's APIClient.build would, extra tags are applied
after the build, and open_build words the failures that come before the stream."""

import io
import json
import tarfile
from pathlib import Path

import docker
import docker.errors
import pytest
import requests

from gui.core.build.failures import BuildError
from gui.core.build.spec import BuildSpec
from gui.core.engine.build_request import apply_extra_tags, build_request, dockerignore_patterns, open_build
from gui.core.errors import EngineGone
from tests.unit.build.build_examples import MULTI_STAGE, make_project, spec

FAKES = Path(__file__).parents[2] / "fakes"


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


# the settings that change the request: tags, another Dockerfile with a target, build arguments and labels
SPECS = [
    {},
    {"tags": ("my-ai-app:1.0", "my-ai-app:latest", "registry.example.com/team/app:1.0")},
    {"dockerfile": "docker/Dockerfile.gpu", "target": "runtime", "no_cache": True, "pull": True},
    {"build_args": (("PYTHON_VERSION", "3.12"), ("EXTRA", "a b=c")), "labels": (("io.portside.test", "1"),)},
]


def test_extra_tags_are_applied_with_api_tag():
    calls = []

    class FakeApi:
        def tag(self, image, repository, tag):
            calls.append((image, repository, tag))

    build = BuildSpec(Path("/x"), tags=("app:1.0", "app", "localhost:5000/team/app:2"))
    assert build.first_tag == "app:1.0"
    apply_extra_tags(FakeApi(), "sha256:abc", build.extra_tags)
    assert calls == [("sha256:abc", "app", "latest"), ("sha256:abc", "localhost:5000/team/app", "2")]


# The request Engine.build sends is docker-py's ------------------------------------------------------------


class _Recorder(docker.APIClient):
    """An APIClient that records POST /build instead of sending it."""

    def __init__(self):
        super().__init__(base_url="unix:///nonexistent.sock", version="1.41")
        self.sent = None

    def _post(self, url, data=None, params=None, headers=None, **kwargs):
        self.sent = {"url": url, "params": params, "headers": headers, "tar": _names(data)}
        return None

    def _stream_helper(self, response, decode=False):
        return iter(())


def _names(data) -> list[str]:
    data.seek(0)
    with tarfile.open(fileobj=io.BytesIO(data.read())) as archive:
        return sorted(archive.getnames())


@pytest.mark.parametrize("changes", SPECS)
def test_build_request_is_what_docker_py_sends(project, changes, monkeypatch):
    monkeypatch.setenv("HOME", str(project.parent / "home"))  # no proxy or login of the developer
    (project / "docker").mkdir()
    (project / "docker" / "Dockerfile.gpu").write_text(MULTI_STAGE)
    (project / "model.bin").write_bytes(b"0" * 10)
    (project / ".dockerignore").write_text("# big files\n*.bin\n\n")
    build = spec(project, **changes)

    reference = _Recorder()
    list(reference.build(**build.api_kwargs(), decode=True, rm=True, forcerm=True))
    expected = reference.sent
    expected["params"]["dockerfile"] = expected["params"]["dockerfile"][0]  # docker-py sends (name, None)
    expected["params"] = {key: value for key, value in expected["params"].items() if value is not None}

    client = _Recorder()
    context, params, headers = build_request(client, build)
    assert {key: value for key, value in params.items() if value is not None} == expected["params"]
    assert headers == expected["headers"]
    assert _names(context) == expected["tar"]
    assert "model.bin" not in expected["tar"] and "app.py" in expected["tar"]
    context.close()
    if build.labels:
        assert json.loads(params["labels"]) == dict(build.labels)


def test_dockerignore_patterns(tmp_path):
    assert dockerignore_patterns(tmp_path) is None
    (tmp_path / ".dockerignore").write_text("# comment\n  data/  \n\n*.pt\n")
    assert dockerignore_patterns(tmp_path) == ["data/", "*.pt"]


# open_build ----------------------------------------------------------------------------------------------


def test_an_unparsable_dockerfile_is_refused_before_the_stream(monkeypatch):
    data = json.loads((FAKES / "build_unknown_instruction.json").read_text())

    class Engine:
        def build(self, spec):
            response = requests.Response()
            response.status_code = data["http_error"]["status"]
            raise docker.errors.APIError("400 Client Error", response, data["http_error"]["explanation"])

    with pytest.raises(BuildError) as caught:
        open_build(Engine(), BuildSpec(Path("/x"), tags=("a:1",)))
    assert caught.value.message == (
        "Line 3 of the Dockerfile starts with RUNN, which is not a Dockerfile instruction. Did you mean RUN?"
    )
    assert caught.value.line == 3 and caught.value.step is None
    assert data["dockerfile"].splitlines()[2].startswith("RUNN")


def test_open_build_words_other_failures():
    class Unreadable:
        def build(self, spec):
            raise PermissionError(13, "Permission denied", "/x/secret.key")

    class Gone:
        def build(self, spec):
            raise requests.exceptions.ConnectionError("connection refused")

    with pytest.raises(BuildError, match=r"^Could not read /x/secret.key in the build folder: Permission denied"):
        open_build(Unreadable(), BuildSpec(Path("/x")))
    with pytest.raises(EngineGone):
        open_build(Gone(), BuildSpec(Path("/x")))
