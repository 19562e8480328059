"""Every instruction is explained in plain words, with the reasons that matter for AI apps."""

import logging
import random

import pytest

from gui.core.dockerfile.explain import explain, explain_instruction
from gui.core.dockerfile.parser import parse_dockerfile

CONTRACT_WORDS = [
    "FROM",
    "WORKDIR",
    "COPY",
    "ADD",
    "RUN",
    "EXPOSE",
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "ARG",
    "USER",
    "HEALTHCHECK",
    "LABEL",
    "VOLUME",
    "SHELL",
    "STOPSIGNAL",
    "ONBUILD",
    "AS",
]


def about(line, *, before=""):
    """The explanation of the last instruction of `before + line`."""
    instructions = parse_dockerfile(before + line)
    return explain_instruction(instructions[-1], instructions)


@pytest.mark.parametrize("word", CONTRACT_WORDS + ["MAINTAINER"])
def test_every_instruction_has_its_own_explanation(word):
    text = explain(word)
    assert text.endswith(".") and len(text) > 60
    assert explain(word.lower()) == text
    assert "not a Dockerfile instruction" not in text


def test_explanations_are_all_different():
    texts = [explain(word) for word in CONTRACT_WORDS]
    assert len(set(texts)) == len(texts)


def test_general_texts_give_the_ai_reasons():
    assert "same results" in explain("FROM") and "slim" in explain("FROM") and "deploys faster" in explain("FROM")
    assert "compilers" in explain("AS") and "COPY --from=builder" in explain("AS")
    assert "API keys" in explain("ENV") and "docker run -e" in explain("ENV")
    assert "Pin versions" in explain("RUN") and "--no-cache-dir" in explain("RUN")
    assert "docker run -p 5000:80" in explain("EXPOSE")
    assert "requirements.txt" in explain("COPY") and ".dockerignore" in explain("COPY")
    assert "secrets" in explain("ARG")


def test_unknown_and_empty_words():
    assert explain("RUNN").startswith("RUNN is not a Dockerfile instruction")
    assert "cursor" in explain("")
    assert about("RUNN echo\n").startswith("RUNN is not a Dockerfile instruction")


def test_the_seed_sample_line_by_line():
    text = (
        "FROM python:3.8\nWORKDIR /app\nCOPY . /app\nRUN pip install --no-cache-dir -r requirements.txt\n"
        'EXPOSE 80\nCMD ["python", "app.py"]\n'
    )
    found = parse_dockerfile(text)
    explained = [explain_instruction(i, found).split("\n\n")[0] for i in found]
    assert explained[0].startswith("FROM python:3.8 starts the image from the python image, version 3.8.")
    assert "python:3.8-slim" in explained[0]
    assert explained[1].startswith("WORKDIR /app makes /app the working directory")
    assert explained[2].startswith("Copies everything in your build folder into /app")
    assert "listed in requirements.txt" in explained[3] and "--no-cache-dir keeps" in explained[3]
    assert "docker run -p 5000:80" in explained[4] and "localhost:5000" in explained[4]
    assert explained[5].startswith("Runs python app.py when the container starts.")
    for instruction, short in zip(found, explained):
        # the specific sentence comes first, then the general note about the instruction
        assert explain_instruction(instruction, found) == f"{short}\n\n{explain(instruction.keyword)}"


def test_from_named_stage_and_later_stage():
    first = about("FROM python:3.12-slim AS builder\n")
    assert first.startswith(
        "FROM python:3.12-slim AS builder starts a stage named builder from the python image, version 3.12-slim."
    )
    assert "deploys faster" in first
    assert first.endswith(explain("AS"))
    later = about("FROM builder\n", before="FROM python:3.12-slim AS builder\n")
    assert "from the builder stage above" in later
    assert "no version tag" in about("FROM python\n")
    assert "no version tag" in about("FROM python:latest\n")
    assert "empty image" in about("FROM scratch\n")
    assert "build argument" in about("FROM python:${PY}\n", before="ARG PY=3.12\n")
    assert "exact image sha256:" in about("FROM python@sha256:" + "a" * 64 + "\n")
    assert "linux/arm64" in about("FROM --platform=linux/arm64 python:3.12-slim\n")
    assert "FROM needs an image name" in about("FROM\n")


def test_from_gpu_and_framework_images():
    cuda = about("FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04\n")
    assert "GPU" in cuda and "NVIDIA Container Toolkit" in cuda and "-runtime image is much smaller" in cuda
    assert "deep-learning framework" in about("FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n")
    assert "Alpine" in about("FROM python:3.12-alpine\n")


def test_copy_variants():
    assert "from the builder stage (not from your folder)" in about("COPY --from=builder /wheels /wheels\n")
    assert "multi-stage" in about("COPY --from=builder /wheels /wheels\n")
    assert "stays cached" in about("COPY requirements.txt .\n")
    assert "into the working directory" in about("COPY requirements.txt .\n")
    assert "model files" in about("COPY model.safetensors /models/\n")
    assert "belong to app:app" in about("COPY --chown=app:app . .\n")
    assert "Downloads" in about("ADD https://example.com/w.bin /w.bin\n")
    assert "COPY is clearer" in about("ADD data.tar.gz /data/\n")
    assert "needs a source and a destination" in about("COPY\n")
    assert "heredoc" in about("COPY <<EOF /app/config.ini\n[server]\nEOF\n")
    assert "into /app" in about('COPY ["a b.txt", "/app"]\n')


def test_run_variants():
    assert "torch has no pinned version" in about("RUN pip install torch\n")
    assert "torch, numpy have no pinned version" in about("RUN pip install torch numpy==1.26.4 && pip install numpy\n")
    assert "no pinned version" not in about("RUN pip install torch==2.3.1\n")
    system = about(
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n"
    )
    assert "system packages" in system and "multi-stage" in system and "/var/lib/apt/lists" in system
    assert "system packages" not in about("RUN apt-get update && pip install x==1\n")
    assert "cache mount" in about("RUN --mount=type=cache,target=/root/.cache/pip pip install x==1\n")
    assert "secret mount" in about("RUN --mount=type=secret,id=hf huggingface-cli login\n")
    assert "script written between the heredoc markers" in about("RUN <<EOF\nset -e\necho hi\nEOF\n")
    long = about("RUN " + "x" * 200 + "\n")
    assert "…" in long.split("\n\n")[0]


def test_run_lists_every_unpinned_package():
    text = about("RUN pip install torch numpy==1.26.4 transformers[torch] -r requirements.txt\n")
    assert "torch, transformers[torch] have no pinned version" in text


def test_the_value_of_any_pip_option_is_no_package():
    """Found: explain kept its own, shorter list of pip options that take a value, so the value of --timeout,
    --retries or --progress-bar was named as an unpinned package."""
    text = about("RUN pip install --timeout 60 --retries 5 --progress-bar off --prefix /opt torch\n")
    assert "torch has no pinned version" in text


def test_cmd_entrypoint_forms():
    assert "receives the stop signal" in about('CMD ["python", "app.py"]\n')
    shell = about("CMD python app.py\n")
    assert "/bin/sh -c" in shell and 'CMD ["python", "app.py"]' in shell
    entry = about('ENTRYPOINT ["uvicorn", "app:app"]\n')
    assert entry.startswith("Runs uvicorn app:app as the container's main program.")


def test_env_and_arg():
    secret = about("ENV PYTHONUNBUFFERED=1 HF_TOKEN=hf_x\n")
    assert "docker logs" in secret
    assert "HF_TOKEN looks like a secret" in secret and "docker run -e HF_TOKEN=..." in secret
    assert "hf_x" not in secret  # the secret value itself is never repeated
    assert "Sets the environment variable APP_MODE to production for" in about("ENV APP_MODE production\n")
    assert "ENV needs a name" in about("ENV\n")
    before_from = about("ARG PY=3.12\n")
    assert "PY, which is 3.12 unless" in before_from and "FROM lines" in before_from
    in_stage = about("ARG VERSION\n", before="FROM x:1\n")
    assert "--build-arg VERSION=" in in_stage and "FROM lines" not in in_stage.split("\n\n")[0]
    assert "image history" in about("ARG OPENAI_API_KEY\n", before="FROM x:1\n")


def test_user_healthcheck_onbuild():
    assert "as the user app rather than root" in about("USER app\n")
    assert "administrator" in about("USER root\n")
    assert "turns off" in about("HEALTHCHECK NONE\n")
    check = about("HEALTHCHECK --interval=10s CMD curl -f http://localhost:8000/health || exit 1\n")
    assert check.startswith("Docker runs curl -f http://localhost:8000/health || exit 1 every 10s")
    assert "Stores RUN pip install x to run" in about("ONBUILD run pip install x\n")


def test_instructions_without_specific_text_get_the_general_one():
    assert about("LABEL org.opencontainers.image.version=1.0\n") == explain("LABEL")
    assert about('VOLUME ["/models"]\n') == explain("VOLUME")
    assert about("STOPSIGNAL SIGINT\n") == explain("STOPSIGNAL")


def test_never_raises_and_never_falls_back_silently(caplog):
    caplog.set_level(logging.DEBUG, logger="portside.explain")
    pieces = [
        "FROM",
        "FROM x AS",
        "FROM --platform=",
        "COPY",
        "COPY --from=",
        "COPY a",
        "ADD . .",
        "RUN",
        "RUN --mount=type=secret",
        "RUN <<EOF",
        "EOF",
        "EXPOSE",
        "EXPOSE abc/udp",
        "CMD",
        "CMD [",
        "CMD []",
        "ENTRYPOINT []",
        "ENV",
        "ENV A",
        'ENV A="',
        "ARG",
        "ARG =",
        "USER",
        "USER :",
        "HEALTHCHECK",
        "HEALTHCHECK CMD",
        "ONBUILD",
        "ONBUILD ",
        "WORKDIR",
        "RUN pip install",
        "RUN pip install -r",
        "\\",
        '"',
        "'",
        "$",
        "é",
        "FROM python:@",
        "FROM :",
        "FROM @",
    ]
    rng = random.Random(5)
    for _ in range(1500):
        endings = ["", " x", " \\", " 'y"]
        text = "\n".join(rng.choice(pieces) + rng.choice(endings) for _ in range(rng.randint(1, 6)))
        instructions = parse_dockerfile(text)
        for instruction in instructions:
            result = explain_instruction(instruction, instructions)
            assert isinstance(result, str) and result
    assert [r for r in caplog.records if r.name == "portside.explain"] == []
