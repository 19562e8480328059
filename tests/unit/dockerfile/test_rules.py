"""Portside's Dockerfile rules (PS001-PS007) say what is wrong in plain words, and their quick fixes give
correct text."""

import random

import pytest

from gui.core.dockerfile.findings import apply_fix
from gui.core.dockerfile.rules import RULES, portside_rules

SEED = """# Use an official Python runtime as a base image
FROM python:3.8

# Set the working directory in the container
WORKDIR /app

# Copy the current directory contents into the container at /app
COPY . /app

# Install any needed packages specified in requirements.txt
RUN pip install --no-cache-dir -r requirements.txt

# Make port 80 available to the world outside this container
EXPOSE 80

# Run app.py when the container launches
CMD ["python", "app.py"]
"""

GOOD = """# syntax=docker/dockerfile:1
FROM python:3.12-slim AS builder
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY . .
USER nobody
EXPOSE 8000
CMD ["python", "app.py"]
"""


def rules(text, rule, context_dir=None):
    return [f for f in portside_rules(text, context_dir) if f.rule == rule]


def only(text, rule):
    found = rules(text, rule)
    assert len(found) == 1, found
    return found[0]


def fixed(text, rule):
    finding = only(text, rule)
    assert finding.fix is not None, finding
    result = apply_fix(text, finding.fix)
    assert rules(result, rule) == [], result  # the fix really fixes it
    return result


def test_a_good_multi_stage_file_has_no_findings():
    assert portside_rules(GOOD) == []


def test_every_finding_has_a_plain_message_and_a_why():
    text = (
        "FROM python AS base\nENV HF_TOKEN=x\nARG OPENAI_API_KEY\n"
        "FROM python:3.8\nRUN apt-get install -y gcc\n"
        "COPY . .\nRUN pip install -r requirements.txt\nRUN pip install flask\n"
    )
    found = portside_rules(text)
    assert {f.rule for f in found} == {"PS001", "PS002", "PS003", "PS004", "PS005", "PS007"}
    for finding in found:
        assert finding.severity in ("error", "warning", "info", "style")
        assert finding.message.endswith(".") and len(finding.message) > 30
        assert finding.why == RULES[finding.rule][1]
    assert [f.line for f in found] == sorted(f.line for f in found)


def test_rule_table_quotes_the_best_practices():
    assert {rule for rule in RULES if rule < "PS100"} == {f"PS00{n}" for n in range(1, 8)}  # PS1xx: syntax
    assert "python:3.12-slim" in RULES["PS001"][1]
    assert "multi-stage" in RULES["PS002"][1]
    assert "API keys" in RULES["PS003"][1]
    assert "same results" in RULES["PS004"][1]


# PS001 -------------------------------------------------------------------------------------------------


def test_ps001_full_python_image_fix_uses_slim():
    finding = only(SEED, "PS001")
    assert (finding.line, finding.column, finding.severity) == (2, 6, "warning")
    assert "python:3.8-slim" in finding.message
    assert finding.fix.title == "Use python:3.8-slim"
    assert fixed(SEED, "PS001") == SEED.replace("FROM python:3.8\n", "FROM python:3.8-slim\n")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("FROM python:3.12-bookworm", "FROM python:3.12-slim-bookworm"),
        ("from python:3.11.9 as app", "from python:3.11.9-slim as app"),
        ("FROM docker.io/library/python:3.10", "FROM docker.io/library/python:3.10-slim"),
        ("FROM --platform=linux/amd64 python:3", "FROM --platform=linux/amd64 python:3-slim"),
        ("  FROM python:3.12   AS   app  ", "  FROM python:3.12-slim   AS   app  "),
    ],
)
def test_ps001_fix_keeps_everything_else(line, expected):
    assert fixed(line + "\nCMD x\n", "PS001") == expected + "\nCMD x\n"


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12-slim",
        "FROM python:3.12-alpine",
        "FROM python:3.12-slim-bookworm",
        "FROM python:3.12@sha256:" + "a" * 64,
        "FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime",
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04",
        "FROM python:3.12-windowsservercore",
        # a builder stage may use the full image: it is not shipped
        "FROM python:3.12 AS builder\nRUN pip wheel --no-cache-dir x\nFROM python:3.12-slim\n",
    ],
)
def test_ps001_leaves_slim_and_other_images_alone(text):
    assert rules(text, "PS001") == []


def test_ps001_follows_the_shipped_stage_chain_and_build_args():
    chained = "FROM python:3.12 AS base\nFROM base\n"
    assert only(chained, "PS001").line == 1
    with_arg = "ARG PY=3.11\nFROM python:${PY}\n"
    finding = only(with_arg, "PS001")
    assert "python:3.11" in finding.message and finding.fix is None  # the line has a variable: no edit


def test_ps001_unknown_variant_warns_without_a_fix():
    finding = only("FROM python:3.13-rc-bookworm\n", "PS001")
    assert finding.fix is None


# PS002 -------------------------------------------------------------------------------------------------


def test_ps002_build_tools_in_a_single_stage_file():
    text = (
        "FROM python:3.12-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends "
        "gcc=4:12.2.0-3 g++ build-essential \\\n && rm -rf /var/lib/apt/lists/*\n"
    )
    finding = only(text, "PS002")
    assert (finding.line, finding.severity, finding.fix) == (2, "warning", None)
    assert "gcc, g++, build-essential" in finding.message
    assert "AS builder" in finding.message


@pytest.mark.parametrize(
    "command",
    [
        "apk add --no-cache build-base",
        "DEBIAN_FRONTEND=noninteractive apt-get install -y make",
        "yum install -y gcc-c++ make",
        "apt install -y gcc-12",
        "sudo apt-get install -y cmake",
    ],
)
def test_ps002_other_package_managers(command):
    assert rules(f"FROM alpine:3.20\nRUN {command}\n", "PS002")


@pytest.mark.parametrize(
    "command",
    [
        "echo gcc",
        "pip install make",
        "apt-get install -y libgcc-s1 curl",
        "apt-get update",
    ],
)
def test_ps002_no_false_alarm(command):
    assert rules(f"FROM debian:12\nRUN {command}\n", "PS002") == []


def test_ps002_build_tools_in_the_builder_stage_are_right():
    assert rules(GOOD, "PS002") == []


def test_ps002_build_tools_in_the_final_stage_of_a_multi_stage_file():
    text = "FROM python:3.12-slim AS builder\nFROM python:3.12-slim\nRUN apt-get install -y gcc\n"
    finding = only(text, "PS002")
    assert finding.line == 3 and "builder stage" in finding.message


# PS003 -------------------------------------------------------------------------------------------------


def test_ps003_secret_in_env_fix_removes_the_line():
    text = "FROM python:3.12-slim\nENV HF_TOKEN=hf_abc\nCMD x\n"
    finding = only(text, "PS003")
    assert (finding.line, finding.severity, finding.column) == (2, "error", 5)
    assert "docker run -e HF_TOKEN" in finding.message
    assert finding.fix.title == "Remove HF_TOKEN from the Dockerfile"
    assert fixed(text, "PS003") == "FROM python:3.12-slim\nCMD x\n"


def test_ps003_keeps_the_other_variables_of_the_line():
    text = 'FROM x:1\nENV A=1 OPENAI_API_KEY="sk-1 2" \\\n    B="two words"\nCMD x\n'
    assert fixed(text, "PS003") == 'FROM x:1\nENV A=1 B="two words"\nCMD x\n'


def test_ps003_legacy_env_form_and_arg():
    assert fixed("FROM x:1\nENV API_KEY sk abc\n", "PS003") == "FROM x:1\n"
    text = "ARG HF_TOKEN\nFROM x:1\narg VERSION=1 dbPassword=x\n"
    found = rules(text, "PS003")
    assert [f.line for f in found] == [1, 3]
    assert "image history" in found[0].message
    assert apply_fix(text, found[0].fix) == "FROM x:1\narg VERSION=1 dbPassword=x\n"
    assert apply_fix(text, found[1].fix) == "ARG HF_TOKEN\nFROM x:1\narg VERSION=1\n"


@pytest.mark.parametrize(
    "line",
    [
        "ENV HF_HOME=/models TOKENIZERS_PARALLELISM=false",
        "ENV HF_TOKEN=",
        "ENV MONKEY=1",
        "ARG KEYBOARD_LAYOUT=us",
        "ENV PYTHONUNBUFFERED 1",
    ],
)
def test_ps003_harmless_names(line):
    assert rules(f"FROM x:1\n{line}\n", "PS003") == []


# PS004 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, words",
    [
        ("FROM python", "no version tag"),
        ("FROM python:latest AS app", "names no version"),
        ("FROM nvidia/cuda", "nvidia/cuda:12"),
        ("FROM localhost:5000/team/model", "no version tag"),
    ],
)
def test_ps004_latest_or_untagged_base(line, words):
    finding = only(f"{line}\nCMD x\n", "PS004")
    assert finding.severity == "warning" and finding.fix is None and words in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "FROM scratch",
        "FROM python:3.12-slim AS builder\nFROM builder",
        "FROM $BASE",
        "FROM python@sha256:" + "b" * 64,
        "FROM localhost:5000/model:1",
    ],
)
def test_ps004_leaves_pinned_stages_and_unknowns_alone(text):
    assert rules(text, "PS004") == []


def test_ps004_resolves_build_arg_defaults():
    assert only("ARG BASE=python:latest\nFROM ${BASE}\n", "PS004").line == 2
    assert only("ARG TAG\nFROM python:${TAG:-latest}\n", "PS004").line == 2


# PS005 -------------------------------------------------------------------------------------------------


def test_ps005_the_seed_sample_copies_before_installing():
    finding = only(SEED, "PS005")
    assert (finding.line, finding.severity) == (8, "warning")
    assert "requirements.txt" in finding.message
    assert (
        fixed(SEED, "PS005")
        == """# Use an official Python runtime as a base image
FROM python:3.8

# Set the working directory in the container
WORKDIR /app

# Copy only the requirements list first, so the install below stays cached until it changes
COPY requirements.txt /app/

# Install any needed packages specified in requirements.txt
RUN pip install --no-cache-dir -r requirements.txt

# Copy the current directory contents into the container at /app
COPY . /app

# Make port 80 available to the world outside this container
EXPOSE 80

# Run app.py when the container launches
CMD ["python", "app.py"]
"""
    )


def test_ps005_plain_copy_dot_dot():
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD x\n"
    assert fixed(text, "PS005") == (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD x\n"
    )


def test_ps005_keeps_flags_package_installs_between_and_constraints():
    text = (
        "FROM python:3.12-slim\nWORKDIR /srv\nCOPY --chown=app:app . /srv/app\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*\n"
        "ENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
        "RUN pip install --no-cache-dir -r /srv/app/reqs/base.txt -c app/constraints.txt\n"
    )
    assert fixed(text, "PS005") == (
        "FROM python:3.12-slim\nWORKDIR /srv\n"
        "COPY --chown=app:app reqs/base.txt /srv/app/reqs/\nCOPY --chown=app:app constraints.txt /srv/app/\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*\n"
        "ENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
        "RUN pip install --no-cache-dir -r /srv/app/reqs/base.txt -c app/constraints.txt\n"
        "COPY --chown=app:app . /srv/app\n"
    )


def test_ps005_requirements_already_copied_moves_the_rest_only():
    text = (
        "FROM python:3.12-slim\nWORKDIR /app\n\nCOPY requirements.txt .\n\nCOPY . .\n\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n\nCMD x\n"
    )
    assert fixed(text, "PS005") == (
        "FROM python:3.12-slim\nWORKDIR /app\n\nCOPY requirements.txt .\n\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n\nCOPY . .\n\nCMD x\n"
    )


@pytest.mark.parametrize(
    "between, run",
    [
        ("", "RUN pip install --no-cache-dir -r requirements.txt && python manage.py collectstatic"),
        ("RUN python setup.py build\n", "RUN pip install --no-cache-dir -r requirements.txt"),
        ("WORKDIR /other\n", "RUN pip install --no-cache-dir -r /app/requirements.txt"),
        ("", "RUN pip install --no-cache-dir -r requirements.txt -e ."),
        ("", "RUN pip install --no-cache-dir -r ../outside.txt"),
        ("", 'RUN ["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]'),
    ],
)
def test_ps005_warns_without_a_fix_when_moving_could_break_the_build(between, run):
    finding = only(f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n{between}{run}\n", "PS005")
    assert finding.fix is None


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n",
        "FROM python:3.12-slim AS a\nCOPY . .\nFROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
        "FROM python:3.12-slim\nCOPY --from=builder . .\nRUN pip install --no-cache-dir -r requirements.txt\n",
        "FROM python:3.12-slim\nCOPY . .\nRUN pip install --no-cache-dir flask==3.0.3\n",
    ],
)
def test_ps005_right_order_other_stages_and_plain_installs(text):
    assert rules(text, "PS005") == []


# PS006 -------------------------------------------------------------------------------------------------


def test_ps006_dockerignore_only_with_a_context(tmp_path):
    assert rules(GOOD, "PS006") == []
    finding = only_in(rules(GOOD, "PS006", tmp_path))
    assert (finding.line, finding.severity, finding.fix) == (1, "info", None)
    assert ".git" in finding.message
    (tmp_path / ".dockerignore").write_text(".git\n")
    assert rules(GOOD, "PS006", tmp_path) == []
    assert rules(GOOD, "PS006", tmp_path / "missing") == []


def only_in(found):
    assert len(found) == 1, found
    return found[0]


# PS007 -------------------------------------------------------------------------------------------------


def test_ps007_adds_no_cache_dir():
    text = "FROM python:3.12-slim\nRUN pip install flask==3.0.3\n"
    finding = only(text, "PS007")
    assert (finding.line, finding.column, finding.severity) == (2, 5, "warning")
    assert fixed(text, "PS007") == "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\n"


def test_ps007_each_install_of_a_run_that_lacks_it():
    text = (
        "FROM python:3.12-slim\nRUN pip3 install -U pip && python3 -m pip install --no-cache-dir a==1 \\\n"
        "    && /opt/venv/bin/pip install -r requirements.txt; pip3.12 install b==2\n"
    )
    assert fixed(text, "PS007") == (
        "FROM python:3.12-slim\n"
        "RUN pip3 install --no-cache-dir -U pip && python3 -m pip install --no-cache-dir a==1 \\\n"
        "    && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt; "
        "pip3.12 install --no-cache-dir b==2\n"
    )


def test_ps007_continuation_with_a_comment_and_the_flag_on_a_later_line():
    good = "FROM x:1\nRUN pip install \\\n    # torch first\n    --no-cache-dir torch==2.3.1\n"
    assert rules(good, "PS007") == []
    bad = "FROM x:1\nRUN pip install \\\n    # pip install --no-cache-dir is only a comment here\n    torch==2.3.1\n"
    assert fixed(bad, "PS007") == (
        "FROM x:1\nRUN pip install --no-cache-dir \\\n"
        "    # pip install --no-cache-dir is only a comment here\n    torch==2.3.1\n"
    )


def test_ps007_heredoc_points_at_the_body_line():
    text = "FROM x:1\nRUN <<EOF\nset -e\n  pip install torch==2.3.1\nEOF\n"
    finding = only(text, "PS007")
    assert (finding.line, finding.column) == (4, 3)
    assert fixed(text, "PS007") == "FROM x:1\nRUN <<EOF\nset -e\n  pip install --no-cache-dir torch==2.3.1\nEOF\n"


def test_ps007_escape_directive():
    text = "# escape=`\nFROM x:1\nRUN pip install `\n    torch==2.3.1\n"
    assert fixed(text, "PS007") == "# escape=`\nFROM x:1\nRUN pip install --no-cache-dir `\n    torch==2.3.1\n"


@pytest.mark.parametrize(
    "text",
    [
        "FROM x:1\nRUN --mount=type=cache,target=/root/.cache/pip pip install torch==2.3.1\n",
        "FROM x:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install torch==2.3.1\n",
        "FROM x:1\nRUN pipenv install --deploy\n",
        "FROM x:1\nRUN uv pip install --system torch==2.3.1\n",
        "FROM x:1\nRUN pip download torch\n",
        "FROM x:1\n# RUN pip install x\n",
    ],
)
def test_ps007_no_false_alarm(text):
    assert rules(text, "PS007") == []


def test_ps007_env_counts_only_in_its_own_stage_and_exec_form_has_no_fix():
    text = "FROM x:1 AS a\nENV PIP_NO_CACHE_DIR=1\nFROM x:1\nRUN pip install a==1\n"
    assert only(text, "PS007").line == 4
    finding = only('FROM x:1\nRUN ["pip", "install", "a==1"]\n', "PS007")
    assert finding.fix is None


def test_fixes_applied_one_after_another_clean_the_seed_sample():
    text = SEED.replace("--no-cache-dir ", "") + "ENV OPENAI_API_KEY=sk-123\n"
    for _ in range(10):
        fixable = [f for f in portside_rules(text) if f.fix]
        if not fixable:
            break
        text = apply_fix(text, fixable[0].fix)
    assert [f.rule for f in portside_rules(text)] == []


# robustness ---------------------------------------------------------------------------------------------

PIECES = [
    "FROM python:3.8",
    "FROM python",
    "from python:3.12-bookworm AS b",
    "FROM b",
    "FROM scratch",
    "ARG PY=3.11",
    "FROM python:${PY}",
    "WORKDIR /app",
    "WORKDIR sub",
    "WORKDIR $X",
    "COPY . .",
    "COPY . /app",
    "ADD ./ /srv/",
    "COPY requirements.txt .",
    "COPY --from=b / /",
    "RUN pip install -r requirements.txt",
    "RUN pip install x",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "RUN python -m pip install -r r.txt -c c.txt",
    "RUN apt-get install -y gcc",
    "RUN apk add build-base",
    "ENV HF_TOKEN=x A=1",
    "ENV API_KEY v",
    "ARG TOKEN",
    "ENV PIP_NO_CACHE_DIR=1",
    "RUN <<EOF",
    "pip install y",
    "EOF",
    "# comment",
    "",
    "RUN a \\",
    "  pip install z \\",
    "  # note",
    'CMD ["python"]',
    'RUN ["pip", "install", "x"]',
    "# escape=`",
    "RUN pip install `",
    "\\",
    "`",
    "COPY",
    "RUN",
    "ENV",
    "ARG",
    "FROM",
    "RUN --mount=type=cache,target=/c pip install q",
    "ENV A=\"x y\" SECRET='a b'",
]


def test_rules_and_fixes_never_raise_on_random_files(tmp_path):
    rng = random.Random(31337)
    for _ in range(1500):
        text = "\n".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) + rng.choice(["", "\n", "\r\n"])
        found = portside_rules(text, tmp_path)
        for finding in found:
            assert finding.rule in RULES and finding.line >= 1
            if finding.fix is None:
                continue
            result = apply_fix(text, finding.fix)
            before = [f for f in found if f.rule == finding.rule]
            after = rules(result, finding.rule)
            if finding.rule != "PS005":
                assert len(after) < len(before), (text, finding, result)
