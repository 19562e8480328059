"""The referee for Portside's Dockerfile syntax rules: each Dockerfile of the table is built by the real engine
and linted by gui.core.dockerfile.syntax; they must agree on every row.

The build goes through docker-py's low-level api.build (POST /build without a BuildKit session), which is the
engine's legacy builder: the "builder" column says so. Expectations per row:
- "ok": the engine builds it, and there is no finding of severity error;
- "error": the engine rejects it, there is a finding of severity error, and when the engine names a line
  ("dockerfile parse error line N"), a finding of severity error is on line N;
- "version": syntax newer than this engine (heredocs, BuildKit-only options): the engine rejects it and a
  "needs Docker 23" (PS120) finding says so; on an engine of 23 or newer (BuildKit by default) Portside must say
  nothing against them, neither PS120 nor an error;
- "pull": COPY --from names no stage, so the engine tries to pull an image of that name (there is no network
  here, and no such image); Portside warns (PS107) rather than claims the file is broken.
Every base is the local busybox image, so nothing is pulled.
"""

from __future__ import annotations

import io
import re
import tarfile

import pytest

from gui.core.dockerfile.syntax import BUILDKIT_DEFAULT_VERSION, engine_release, syntax_findings

BB = "portside-test/busybox:1"  # stands for the shared busybox image in the table below
BUILDER = "legacy"  # who judged every row: api.build without a BuildKit session is the legacy builder

TABLE = [
    # (name, expected, Dockerfile); "BB" is replaced with the busybox tag
    ("plain", "ok", 'FROM BB\nCMD ["sh"]\n'),
    ("lower-case keywords", "ok", 'from BB\ncmd ["sh"]\n'),
    ("mixed-case keywords", "ok", "FrOm BB\nCoPy a.txt /x\n"),
    ("ARG before FROM", "ok", "ARG V=1\nFROM BB\n"),
    ("comments and blanks", "ok", "# top\n\nFROM BB\n# between\nLABEL a=b\n"),
    ("continuation", "ok", "FROM BB\nLABEL a=1 \\\n  b=2\n"),
    ("continuation over blank and comment", "ok", "FROM BB\nLABEL a=1 \\\n\n# note\n  b=2\n"),
    ("continuation at end of file", "ok", "FROM BB\nLABEL a=1 \\"),
    ("escape directive", "ok", "# escape=`\nFROM BB\nLABEL a=1 `\n  b=2\n"),
    ("escape directive keeps backslashes", "ok", "# escape=`\nFROM BB\nWORKDIR C:\\x\\\n"),
    ("syntax directive", "ok", "# syntax=docker/dockerfile:1\nFROM BB\n"),
    ("CMD with single quotes is shell form", "ok", "FROM BB\nCMD ['sh']\n"),
    ("ENTRYPOINT with trailing comma is shell form", "ok", 'FROM BB\nENTRYPOINT ["sh",]\n'),
    ("EXPOSE ports and protocols", "ok", "FROM BB\nEXPOSE 80 80/TCP 53/udp 1/sctp 8000-8010/tcp\n"),
    ("EXPOSE 0", "ok", "FROM BB\nEXPOSE 0\n"),
    ("EXPOSE from a variable", "ok", "FROM BB\nARG P=80\nEXPOSE $P\n"),
    ("COPY --from an earlier stage", "ok", "FROM BB AS build\nFROM BB\nCOPY --from=build /bin/sh /x\n"),
    ("stage names ignore case", "ok", "FROM BB AS Build\nFROM BB\nCOPY --from=build /bin/sh /x\n"),
    ("COPY --from a stage number", "ok", "FROM BB AS a\nFROM BB\nCOPY --from=0 /bin/sh /x\n"),
    ("COPY --from an image", "ok", "FROM BB\nCOPY --from=BB /bin/sh /x\n"),
    ("FROM --platform", "ok", "FROM --platform=linux/amd64 BB\n"),
    ("HEALTHCHECK with options", "ok", "FROM BB\nHEALTHCHECK --interval=30s --retries=3 CMD true\n"),
    ("STOPSIGNAL", "ok", "FROM BB\nSTOPSIGNAL SIGINT\n"),
    ("MAINTAINER", "ok", "FROM BB\nMAINTAINER me\n"),
    ("shell heredoc without a body", "ok", "FROM BB\nRUN cat <<EOF\n"),
    ("empty file", "error", ""),
    ("only comments", "error", "# hi\n# there\n"),
    ("only a directive", "error", "# syntax=docker/dockerfile:1\n"),
    ("only blank lines", "error", "\n\n  \n"),
    ("no FROM", "error", "RUN echo hi\n"),
    ("ENV before FROM", "error", "ENV A=1\nFROM BB\n"),
    ("LABEL before FROM", "error", "# c\nLABEL a=b\nFROM BB\n"),
    ("unknown instruction", "error", "FROM BB\nFOO bar\n"),
    ("two unknown instructions", "error", "FROM BB\nFOO x\nBAR y\n"),
    ("escape not honoured after an unknown directive", "error", "# foo=bar\n# escape=`\nFROM BB\nLABEL a `\n  b\n"),
    ("bad escape directive", "error", "# escape=x\nFROM BB\n"),
    ("RUN JSON with a number", "error", "FROM BB\nRUN [1, 2]\n"),
    ("CMD JSON with a number", "error", 'FROM BB\nCMD ["sh", 1]\n'),
    ("SHELL not JSON", "error", "FROM BB\nSHELL /bin/sh -c\n"),
    ("EXPOSE word", "error", "FROM BB\nEXPOSE abc\n"),
    ("EXPOSE protocol", "error", "FROM BB\nEXPOSE 80/xyz\n"),
    ("EXPOSE too high", "error", "FROM BB\nEXPOSE 70000\n"),
    ("EXPOSE negative", "error", "FROM BB\nEXPOSE -1\n"),
    ("EXPOSE backwards range", "error", "FROM BB\nEXPOSE 90-80\n"),
    ("EXPOSE empty", "error", "FROM BB\nEXPOSE\n"),
    ("COPY --from its own stage number", "error", "FROM BB\nCOPY --from=0 /bin/sh /x\n"),
    ("ONBUILD FROM", "error", "FROM BB\nONBUILD FROM x\n"),
    ("ONBUILD ONBUILD", "error", "FROM BB\nONBUILD ONBUILD RUN x\n"),
    ("HEALTHCHECK bad duration", "error", "FROM BB\nHEALTHCHECK --interval=abc CMD true\n"),
    ("ENV without arguments", "error", "FROM BB\nENV\n"),
    ("ENV without a value", "error", "FROM BB\nENV a\n"),
    ("LABEL without a value", "error", "FROM BB\nLABEL a\n"),
    ("ARG without a name", "error", "ARG\nFROM BB\n"),
    ("COPY with one argument", "error", "FROM BB\nCOPY a.txt\n"),
    ("FROM without an image", "error", "FROM\n"),
    ("FROM AS without a name", "error", "FROM BB AS\n"),
    ("FROM with four words", "error", "FROM BB as a b\n"),
    ("bad stage name", "error", "FROM BB AS 1bad\n"),
    ("stage name used twice", "error", "FROM BB AS a\nFROM BB AS a\n"),
    ("unknown option", "error", "FROM BB\nCOPY --bogus=1 a.txt /x\n"),
    ("bad signal", "error", "FROM BB\nSTOPSIGNAL FOO\n"),
    ("USER empty", "error", "FROM BB\nUSER\n"),
    ("WORKDIR empty", "error", "FROM BB\nWORKDIR\n"),
    ("VOLUME empty", "error", "FROM BB\nVOLUME\n"),
    ("RUN heredoc", "version", "FROM BB\nRUN <<EOF\necho hi\nEOF\n"),
    ("RUN heredoc with tabs", "version", "FROM BB\nRUN <<-EOF\n\techo hi\n\tEOF\n"),
    (
        "heredoc with a syntax directive",
        "version",
        "# syntax=docker/dockerfile:1.4\nFROM BB\nRUN <<EOF\necho hi\nEOF\n",
    ),
    ("COPY heredoc", "version", "FROM BB\nCOPY <<EOF /x\nhello\nEOF\n"),
    ("ADD heredoc", "version", "FROM BB\nADD <<EOF /y\nx\nEOF\n"),
    ("RUN --mount", "version", "FROM BB\nRUN --mount=type=cache,target=/x true\n"),
    ("COPY --chmod", "version", "FROM BB\nCOPY --chmod=755 a.txt /x\n"),
    ("COPY --from a stage defined later", "error", "FROM BB\nCOPY --from=later /bin/sh /x\nFROM BB AS later\n"),
    ("COPY --from no stage", "pull", "FROM BB\nCOPY --from=builder /bin/sh /x\n"),
]

_PARSE_LINE_RE = re.compile(r"dockerfile parse error line (\d+)", re.IGNORECASE)


def _context(dockerfile: str) -> io.BytesIO:
    """A build context tarball: the Dockerfile and a small a.txt for COPY rows."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("Dockerfile", dockerfile.encode()), ("a.txt", b"a\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _engine_build(api, dockerfile: str, labels: dict[str, str]) -> str | None:
    """None when the engine builds `dockerfile`, else its error message."""
    import docker.errors

    error = None
    try:
        stream = api.build(
            fileobj=_context(dockerfile), custom_context=True, rm=True, forcerm=True, pull=False, decode=True,
            labels=labels,
        )  # fmt: skip
        for chunk in stream:
            if "error" in chunk:
                error = str(chunk["error"])
    except docker.errors.APIError as exc:
        error = str(exc.explanation or exc)
    return error


def test_table_is_big_enough():
    assert len(TABLE) >= 40
    assert len({name for name, _, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("name", "expected", "text"), TABLE, ids=[row[0] for row in TABLE])
def test_engine_and_syntax_rules_agree(docker_client, busybox_image, test_labels, name, expected, text):
    api = docker_client.api
    version = api.version().get("Version", "")
    release = engine_release(version)
    dockerfile = text.replace("BB", busybox_image)
    if expected == "version" and release is not None and release >= BUILDKIT_DEFAULT_VERSION:
        # This engine builds such a file with BuildKit (the legacy build below would not say so): Portside must not
        # call it too new, nor broken.
        found = syntax_findings(dockerfile, engine_version=version)
        assert not [f for f in found if f.rule == "PS120" or f.severity == "error"], found
        return
    engine_error = _engine_build(api, dockerfile, test_labels)
    found = syntax_findings(dockerfile, engine_version=version)
    errors = [f for f in found if f.severity == "error"]
    verdict = f"[{BUILDER} builder, engine {version}] engine said: {engine_error!r}; findings: {found!r}"
    if expected == "ok":
        assert engine_error is None, verdict
        assert errors == [], verdict
    elif expected == "error":
        assert engine_error is not None, verdict
        assert errors, verdict
        named = _PARSE_LINE_RE.search(engine_error)
        if named:
            assert int(named.group(1)) in {f.line for f in errors}, verdict
    elif expected == "version":
        assert engine_error is not None, verdict
        assert any(f.rule == "PS120" and "Docker 23" in f.message for f in found), verdict
        assert errors == [], verdict
    elif expected == "pull":
        assert engine_error is not None and "from flag value" in engine_error, verdict
        assert errors == [] and any(f.rule == "PS107" for f in found), verdict
