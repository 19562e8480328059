"""Portside's Build runs on the engine's classic builder (POST /build without BuildKit), which reads no heredocs
and no BuildKit-only options on any Docker version: the syntax rules say so on the line, even where the engine
itself (Docker 23 and newer) would read the file with `docker build`."""

from __future__ import annotations

import docker

from gui.core.build.spec import BuildSpec
from gui.core.dockerfile.syntax import syntax_findings
from gui.core.engine.build_request import build_request

HEREDOCS = "FROM python:3.12-slim\nRUN <<EOF\necho hi\nEOF\nCOPY <<-END /x\n\thello\n\tEND\n"


def test_portside_builds_with_the_classic_builder(tmp_path):
    """The premise of PS121: the build request asks for no BuildKit session (no version=2)."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    client = docker.APIClient(base_url="unix:///nowhere.sock", version="1.41")  # no connection is made
    context, params, _headers = build_request(client, BuildSpec(tmp_path, tags=("app:1",)))
    context.close()
    assert params.get("version", "1") == "1"


def test_a_heredoc_on_a_new_engine_says_portsides_build_cannot_read_it():
    """Found: on Docker 23 and newer a heredoc got no finding, yet Portside's own Build failed on it."""
    found = syntax_findings(HEREDOCS, engine_version="27.1.0")
    assert [(f.rule, f.severity, f.line) for f in found] == [("PS121", "warning", 2), ("PS121", "warning", 5)]
    message = found[0].message
    assert message.startswith("Portside's Build uses Docker's classic builder, which does not read heredocs (<<EOF)")
    assert "&&" in message and "printf" in message and "docker build" in message and "BuildKit" in message


def test_a_buildkit_option_on_a_new_engine_says_portsides_build_cannot_read_it():
    """Found: the same for RUN --mount, COPY --chmod and the other options only BuildKit knows."""
    text = "FROM x\nRUN --mount=type=cache,target=/root/.cache pip install a\nCOPY --chmod=755 a /a\n"
    found = syntax_findings(text, engine_version="24.0.7")
    assert [(f.rule, f.severity, f.line) for f in found] == [("PS121", "warning", 2), ("PS121", "warning", 3)]
    assert "does not know RUN --mount" in found[0].message and "docker build" in found[0].message


def test_an_older_engine_names_the_version_and_no_engine_names_nothing():
    assert {f.rule for f in syntax_findings(HEREDOCS, engine_version="20.10.24")} == {"PS120"}
    assert syntax_findings(HEREDOCS) == []  # no engine: no build either; the findings come once one answers
