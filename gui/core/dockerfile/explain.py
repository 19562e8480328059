"""Plain-words explanations of Dockerfile instructions, in the seed's style: what a line does, then why
it matters for an AI app. Shown beside the editor for the instruction under the cursor. No Qt."""

from __future__ import annotations

import re
import shlex

from gui.core import log
from gui.core.dockerfile.parser import (
    Instruction,
    command_text,
    copy_operands,
    exec_form,
    split_flags,
    unquote,
    words,
)
from gui.core.dockerfile.shell_commands import COMMAND_SPLIT_RE, PIP_VALUE_OPTIONS
from gui.core.reference import split_reference
from gui.core.secrets import is_secret_name

__all__ = ["explain", "explain_instruction"]

_log = log.get("explain")

_GENERAL = {
    "FROM": "Specifies the base image: the starting point your image is built on, such as an operating "
    "system with Python already installed. For AI apps the base decides the Python version and, "
    "for GPU images like nvidia/cuda, the CUDA libraries. Pin a version tag (python:3.12-slim) so a "
    "model gives the same results next month, and prefer a slim image: it deploys faster.",
    "AS": "Names a build stage (FROM ... AS builder), so a later stage can copy from it with "
    "COPY --from=builder. Multi-stage builds compile and download in a builder stage and copy only "
    "the results into a small final image, which keeps compilers out of what you ship.",
    "WORKDIR": "Sets the working directory within the container. RUN, COPY, CMD and ENTRYPOINT after it "
    "work in that folder, and Docker creates it if it is missing. Use it instead of a cd command.",
    "COPY": "Copies files from your build folder (or, with --from, from an earlier stage) into the image. "
    "Copy requirements.txt and install packages before copying the rest of your code: then "
    "changing your code does not re-run the slow install. A .dockerignore keeps data sets, "
    "checkpoints and secrets out.",
    "ADD": "Copies files into the image like COPY, and also downloads URLs and unpacks local tar archives. "
    "Prefer COPY unless you need that: it does one thing, so the Dockerfile is easier to read.",
    "RUN": "Runs a command while the image is built, for example installing packages, and saves the result "
    "as a new layer. Pin versions (torch==2.3.1) so the image installs the same packages every "
    "time, and use pip's --no-cache-dir to keep the download cache out of the image.",
    "EXPOSE": "Documents the port the app listens on inside the container. It does not open it to your "
    "computer: publish it when you run the container, for example docker run -p 5000:80 maps "
    "port 80 in the container to localhost:5000.",
    "CMD": 'Specifies the command to run when the container starts, such as CMD ["python", "app.py"]. '
    "A command given after the image name (docker run IMAGE other command) replaces it. The JSON form runs the program directly, so it "
    "receives the stop signal and can shut down cleanly.",
    "ENTRYPOINT": "Makes the container always run this program; CMD (or the words after the image name in "
    "docker run) become its arguments. Useful when the image is one tool, such as a model "
    "server.",
    "ENV": "Sets an environment variable in the image, for the steps after it and for every container "
    "started from it. Good for settings like PYTHONUNBUFFERED=1. Never put API keys or tokens in "
    "ENV: anyone with the image can read them. Pass them when the container starts (docker run -e).",
    "ARG": "Declares a build argument: a value you can set with docker build --build-arg NAME=value. It "
    "exists only while the image is built, but its value is recorded in the image history, so it "
    "is no place for secrets. An ARG before the first FROM can be used in FROM lines.",
    "USER": "Runs the following steps and the container as this user instead of root. If the app or a "
    "model-loading library has a bug, it then cannot take over the whole container.",
    "HEALTHCHECK": "Tells Docker how to check that the app still answers, for example by requesting a "
    "health URL every 30 seconds. docker ps then shows healthy or unhealthy, and an "
    "orchestrator can restart a model server that hangs.",
    "LABEL": "Adds information to the image as key=value pairs, such as the version, the source repository "
    "or the model it serves. Labels change nothing at run time; tools and people can read them.",
    "VOLUME": "Marks a folder whose contents live outside the container's own files, so they survive when "
    "the container is removed. Handy for model caches and data sets you do not want to download "
    "again.",
    "SHELL": "Changes the shell used by the shell form of RUN, CMD and ENTRYPOINT, for example to "
    '["/bin/bash", "-o", "pipefail", "-c"] so a failing command in a pipe fails the build.',
    "STOPSIGNAL": "Sets the signal docker stop sends to ask the app to exit (SIGTERM unless changed). A "
    "server that finishes its current request on that signal shuts down cleanly.",
    "ONBUILD": "Stores an instruction that runs later, when another Dockerfile uses this image in its FROM. "
    "Used for base images shared by a team; it can surprise people, so use it sparingly.",
    "MAINTAINER": 'Names the image\'s author. It is deprecated: use LABEL maintainer="name" instead.',
}

_KNOWN_ENV = {
    "PYTHONUNBUFFERED": "Python prints output straight away, so you see it in docker logs as it happens",
    "PYTHONDONTWRITEBYTECODE": "Python does not write .pyc files, which a container does not need",
    "PIP_NO_CACHE_DIR": "pip keeps no download cache, so the image stays smaller",
    "PIP_DISABLE_PIP_VERSION_CHECK": "pip does not check online for a newer pip on every install",
    "CUDA_VISIBLE_DEVICES": "chooses which GPUs CUDA programs see inside the container",
    "NVIDIA_VISIBLE_DEVICES": "chooses which GPUs the NVIDIA Container Toolkit gives the container",
    "NVIDIA_DRIVER_CAPABILITIES": "chooses which driver features (compute, utility...) the container gets",
    "HF_HOME": "sets where Hugging Face libraries keep downloaded models; put a volume there to download once",
    "TRANSFORMERS_CACHE": "sets where transformers keeps downloaded models",
    "TORCH_HOME": "sets where PyTorch keeps downloaded weights",
    "OMP_NUM_THREADS": "limits how many CPU threads numerical libraries use",
    "TOKENIZERS_PARALLELISM": "controls whether Hugging Face tokenizers use several threads",
    "DEBIAN_FRONTEND": "keeps apt from stopping to ask questions during the build",
    "PATH": "sets the folders searched for programs",
}


def explain(keyword: str) -> str:
    """What an instruction (or the word AS) does, in plain words; never raises."""
    word = (keyword or "").strip().upper()
    if word in _GENERAL:
        return _GENERAL[word]
    if not word:
        return "Put the cursor on a Dockerfile instruction to see what it does."
    return (
        f"{keyword.strip()} is not a Dockerfile instruction, so Docker will stop the build here. Check "
        f"the spelling: instructions are words like FROM, RUN, COPY and CMD."
    )


def explain_instruction(instruction: Instruction, instructions: list[Instruction] | None = None) -> str:
    """An explanation of this very line: what it does with its own arguments, then the general note.

    `instructions` (the whole file, optional) lets FROM tell an earlier stage from an image."""
    special = _SPECIFIC.get(instruction.keyword)
    try:
        if instruction.keyword == "FROM":
            text = _from(instruction, _stage_names_before(instruction, instructions or []))
        else:
            text = special(instruction) if special else ""
    except Exception:  # the helpers never raise by design; the side panel must not break if one does
        _log.debug("no specific explanation for %r", instruction, exc_info=True)
        text = ""
    general = explain(instruction.keyword)
    if instruction.keyword == "FROM" and re.search(r"(?i)\sAS\s", f" {instruction.arguments} "):
        general = explain("AS")
    if not text:
        return general
    return f"{text}\n\n{general}" if instruction.keyword in _GENERAL else text


def _code(text: str, limit: int = 80) -> str:
    """The command on one line, shortened. Written plainly: the side panel shows plain text, where a
    backtick would show as itself."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _stage_names_before(instruction: Instruction, instructions: list[Instruction]) -> set[str]:
    names = set()
    for other in instructions:
        if other.line >= instruction.line:
            break
        if other.keyword == "FROM":
            _, rest = split_flags(other.arguments)
            if len(rest) >= 3 and rest[1].upper() == "AS":
                names.add(rest[2].lower())
    return names


def _from(instruction: Instruction, stage_names: set[str] = frozenset()) -> str:
    flags, rest = split_flags(instruction.arguments)
    if not rest:
        return "FROM needs an image name, for example FROM python:3.12-slim."
    image = unquote(rest[0])
    name = rest[2] if len(rest) >= 3 and rest[1].upper() == "AS" else None
    start = f"FROM {image} AS {name} starts a stage named {name}" if name else f"FROM {image} starts the image"
    if image == "scratch":
        return f"{start} from an empty image: nothing but the files you copy in."
    if image.lower() in stage_names:
        return (
            f"{start} from the {image} stage above: it carries on from everything that stage built, "
            f"instead of starting from a published image."
        )
    repository, tag, digest = split_reference(image)
    if "$" in image:
        return f"{start} from {image}; the $ part is filled in from a build argument (ARG) when the image is built."
    if digest:
        version = f"pinned to the exact image {digest[:19]}…"
    elif tag and tag != "latest":
        version = f"version {tag}"
    else:
        version = "with no version tag, so whatever the latest tag points to when you build; name a version instead"
    sentence = f"{start} from the {repository} image, {version}."
    notes = []
    platform = dict(flags).get("platform")
    if platform:
        notes.append(f"It uses the image made for {platform}.")
    lowered = (tag or "").lower()
    if "slim" in lowered:
        notes.append("It is a slim variant: a much smaller download, so it deploys faster.")
    elif "alpine" in lowered:
        notes.append(
            "It is based on Alpine Linux: tiny, but many Python wheels (numpy, torch) do not "
            "install on it without compiling."
        )
    elif repository.rsplit("/", 1)[-1] == "python" and tag and tag != "latest":
        notes.append(
            f"The full image includes compilers and tools; {repository}:{tag.split('-')[0]}-slim "
            f"is about a sixth of the size."
        )
    if "cuda" in repository.lower() or "cuda" in lowered:
        notes.append(
            "It brings NVIDIA's CUDA libraries so PyTorch or TensorFlow can use the GPU; the host "
            "still needs the NVIDIA driver and the NVIDIA Container Toolkit."
        )
        if "devel" in lowered:
            notes.append(
                "A -devel image has compilers for building CUDA code; a -runtime image is much smaller for running it."
            )
    if re.search(r"pytorch|tensorflow", repository.lower()):
        notes.append("It comes with a deep-learning framework already installed.")
    return " ".join([sentence] + notes)


def _workdir(instruction: Instruction) -> str:
    folder = unquote(instruction.arguments.strip()) or "?"
    return (
        f"WORKDIR {folder} makes {folder} the working directory: the steps after it, and the app when "
        f"the container runs, work there."
    )


def _copy(instruction: Instruction) -> str:
    flags, paths = copy_operands(instruction)
    flag_values = dict(flags)
    if "<<" in instruction.arguments and "\n" in instruction.arguments:
        return f"{instruction.keyword} writes the text between the heredoc markers into a file in the image."
    if len(paths) < 2:
        return f"{instruction.keyword} needs a source and a destination, for example COPY requirements.txt ."
    sources, destination = paths[:-1], paths[-1]
    where = "the working directory" if destination in (".", "./") else destination
    stage = flag_values.get("from")
    if stage:
        return (
            f"Copies {', '.join(sources)} from the {stage} stage (not from your folder) into {where}. "
            f"This is how a multi-stage build brings only the finished results into the final image, "
            f"leaving compilers and build files behind."
        )
    if any(source in (".", "./") for source in sources):
        text = (
            f"Copies everything in your build folder into {where} (except what .dockerignore leaves "
            f"out). Do this after installing the requirements, so a code change does not re-run the "
            f"install."
        )
    elif any(re.search(r"requirements.*\.txt$|pyproject\.toml$|environment\.ya?ml$", s) for s in sources):
        text = (
            f"Copies {', '.join(sources)} into {where} on its own, before the rest of the code, so the "
            f"install step after it stays cached until the requirements change."
        )
    elif any(re.search(r"\.(pt|pth|bin|safetensors|onnx|h5|ckpt|gguf|pkl)$", s) for s in sources):
        text = (
            f"Copies model files ({', '.join(sources)}) into {where}. Large weights make the image big; "
            f"for files that change often, a volume or a download at start-up can be better."
        )
    else:
        text = f"Copies {', '.join(sources)} from your build folder into {where}."
    if instruction.keyword == "ADD":
        if any(re.match(r"https?://", s) for s in sources):
            text = f"Downloads {', '.join(sources)} into {where} while the image is built."
        text += " ADD also unpacks tar archives; COPY is clearer when you only copy files."
    if "chown" in flag_values:
        text += f" The files will belong to {flag_values['chown']}."
    return text


_PIP_RE = re.compile(r"(?:pip[0-9.]*|python[0-9.]*\s+-m\s+pip)\s+install\b")
_BUILD_TOOLS = re.compile(r"(?<![\w-])(?:gcc|g\+\+|build-essential|build-base|make|cmake|clang)(?![\w-])")


def _run(instruction: Instruction) -> str:
    flags, _ = split_flags(instruction.arguments)
    command = command_text(instruction)
    first = command.split("\n", 1)[0]
    if "\n" in command:
        text = "Runs the small script written between the heredoc markers while the image is built."
    else:
        text = f"Runs {_code(first)} while the image is built and saves the result as a new layer."
    notes = []
    if _PIP_RE.search(command):
        files = re.findall(r"(?<!\S)(?:--requirement(?:=|\s+)|-r\s*)(\S+)", command)
        if files:
            notes.append(f"It installs the Python packages listed in {', '.join(files)}.")
        unpinned = _unpinned_packages(command)
        if unpinned:
            verb = "has" if len(unpinned) == 1 else "have"
            notes.append(
                f"{', '.join(unpinned)} {verb} no pinned version: write name==1.2.3 so the image gets "
                f"the same version every time and a model gives the same results."
            )
        if "--no-cache-dir" in command:
            notes.append("--no-cache-dir keeps pip's download cache out of the image.")
    commands = [c.strip() for c in COMMAND_SPLIT_RE.split(command)]
    if any(
        re.match(r"(?:sudo\s+)?(?:\S+=\S*\s+)*(?:apt-get|apt|apk|yum|dnf|microdnf)\s.*?\b(?:install|add)\b", c)
        for c in commands
    ):
        notes.append("It installs system packages.")
        if _BUILD_TOOLS.search(command):
            notes.append(
                "Compilers are only needed to build things; a multi-stage build keeps them out of the final image."
            )
        if "rm -rf /var/lib/apt/lists" in command:
            notes.append("Removing /var/lib/apt/lists afterwards keeps the package lists out of the image.")
    for name, value in flags:
        if name == "mount" and "type=cache" in value:
            notes.append("The cache mount keeps downloads between builds without storing them in the image.")
        elif name == "mount" and "type=secret" in value:
            notes.append("The secret mount lends the build a secret for this step only; it is not saved in the image.")
    return " ".join([text] + notes)


def _unpinned_packages(command: str) -> list[str]:
    found = []
    for match in _PIP_RE.finditer(command):
        tail = COMMAND_SPLIT_RE.split(command[match.end() :], maxsplit=1)[0]
        skip = False
        for token in tail.split():
            if skip:
                skip = False
                continue
            if token.startswith("-"):
                skip = token in PIP_VALUE_OPTIONS
                continue
            name = unquote(token)
            if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?", name) and name != "pip":
                found.append(name)
    return found


def _expose(instruction: Instruction) -> str:
    ports = [unquote(p) for p in words(instruction.arguments)] or ["?"]
    port = ports[0].split("/", 1)[0]
    listed = ", ".join(ports)
    example = (
        f" For example docker run -p 5000:{port} makes it reachable at http://localhost:5000." if port.isdigit() else ""
    )
    return (
        f"EXPOSE {listed} says the app listens on port{'s' if len(ports) > 1 else ''} {listed} inside "
        f"the container. It does not publish anything by itself.{example}"
    )


def _command(instruction: Instruction) -> str:
    listed = exec_form(instruction.arguments)
    keyword = instruction.keyword
    when = "when the container starts" if keyword == "CMD" else "as the container's main program"
    if listed is not None:
        shown = shlex.join(listed) if listed else ""
        text = f"Runs {_code(shown)} {when}."
        if keyword == "CMD":
            text += " A command given to docker run after the image name replaces it."
        return text + " This JSON form starts the program directly, so it receives the stop signal."
    command = command_text(instruction).split("\n", 1)[0]
    return (
        f"Runs {_code(command)} {when}, through /bin/sh -c. In this shell form the shell is the main "
        f"process and does not pass docker stop's signal on; the JSON form "
        f'({keyword} ["python", "app.py"]) lets the app shut down cleanly.'
    )


def _env(instruction: Instruction) -> str:
    tokens = words(instruction.arguments)
    if not tokens:
        return "ENV needs a name and a value, for example ENV PYTHONUNBUFFERED=1."
    if "=" not in tokens[0]:
        pairs = [(tokens[0], instruction.arguments.split("\n", 1)[0][len(tokens[0]) :].strip())]
    else:
        pairs = [(unquote(t.partition("=")[0]), unquote(t.partition("=")[2])) for t in tokens]
    parts = []
    for name, value in pairs:
        if is_secret_name(name):
            parts.append(
                f"{name} looks like a secret. A value set with ENV is stored in the image, where anyone "
                f"who has it can read it with docker inspect: never put API keys here. Pass it when "
                f"the container starts instead (docker run -e {name}=...)."
            )
        elif name in _KNOWN_ENV:
            parts.append(f"Sets {name}={value}: {_KNOWN_ENV[name]}.")
        else:
            parts.append(
                f"Sets the environment variable {name} to {_code(value or '(empty)', 60)} for the "
                f"steps after it and in every container from this image."
            )
    return " ".join(parts)


def _arg(instruction: Instruction) -> str:
    parts = []
    for token in words(instruction.arguments):
        name, eq, value = token.partition("=")
        name = unquote(name)
        if is_secret_name(name):
            parts.append(
                f"{name} looks like a secret. Build-argument values are recorded in the image history "
                f"(docker history), so pass secrets at run time (docker run -e {name}=...) or with a "
                f"build secret (RUN --mount=type=secret)."
            )
        elif eq:
            parts.append(
                f"Declares the build argument {name}, which is {_code(unquote(value), 40)} unless docker build "
                f"--build-arg {name}=... says otherwise."
            )
        else:
            parts.append(f"Declares the build argument {name}; set it with docker build --build-arg {name}=....")
    if instruction.stage < 0 and parts:
        parts.append(
            "Because it comes before the first FROM, it can be used in FROM lines, for example to "
            "choose the Python version."
        )
    return " ".join(parts)


def _user(instruction: Instruction) -> str:
    user = unquote(instruction.arguments.strip()) or "?"
    if user.split(":", 1)[0] in ("root", "0"):
        return (
            "USER root switches back to the administrator account. Fine for an install step, but switch "
            "to an ordinary user before the app runs."
        )
    return f"Runs the steps after it, and the app in the container, as the user {user} rather than root."


def _healthcheck(instruction: Instruction) -> str:
    flags, rest = split_flags(instruction.arguments)
    if rest and rest[0].upper() == "NONE":
        return "HEALTHCHECK NONE turns off a health check inherited from the base image."
    command = " ".join(rest[1:]) if rest and rest[0].upper() == "CMD" else " ".join(rest)
    every = dict(flags).get("interval", "30s")
    return f"Docker runs {_code(command)} every {every}; when it fails repeatedly the container is unhealthy."


def _onbuild(instruction: Instruction) -> str:
    inner, _, rest = instruction.arguments.partition(" ")
    return (
        (
            f"Stores {inner.upper()} {rest} to run when another Dockerfile builds FROM this image; "
            f"nothing happens in this build."
        )
        if inner
        else ""
    )


_SPECIFIC = {
    "FROM": _from,
    "WORKDIR": _workdir,
    "COPY": _copy,
    "ADD": _copy,
    "RUN": _run,
    "EXPOSE": _expose,
    "CMD": _command,
    "ENTRYPOINT": _command,
    "ENV": _env,
    "ARG": _arg,
    "USER": _user,
    "HEALTHCHECK": _healthcheck,
    "ONBUILD": _onbuild,
}
