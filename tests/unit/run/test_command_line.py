"""Run from a command: pasted docker run lines read into the Run form's values. Each real line fills what it says,
names what the form has no field for, and reads back from the form's own command line to the same spec; bad
input gets a sentence that points at the word. bash itself is the referee for how the words split."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import replace

import pytest

from gui.core.run.command_flags import BY_NAME
from gui.core.run.command_line import parse_command
from gui.core.run.command_words import Dialect, read_command
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, PortSpec, RunSpec
from tests.unavailable import unavailable
from tests.unit.run.paste_lines import BAD, ENVIRON, FOLDER, HOME, LINES, TOKEN, Line, plain_id

# Every option the Run form has a field for, in each spelling the docker CLI takes.
FORM_OPTIONS = {
    "--name",
    "--rm",
    "-i",
    "--interactive",
    "-t",
    "--tty",
    "--restart",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "--entrypoint",
    "-p",
    "--publish",
    "-P",
    "--publish-all",
    "-e",
    "--env",
    "-v",
    "--volume",
    "--mount",
    "--gpus",
    "-m",
    "--memory",
    "--cpus",
    "--shm-size",
    "--privileged",
    "-l",
    "--label",
    "-d",
    "--detach",
}


def parse(text: str):
    return parse_command(text, ENVIRON, HOME, FOLDER)


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.id)
def test_a_real_line_fills_the_form_and_names_what_it_leaves_out(line: Line):
    pasted = parse(line.text)
    assert pasted.ok, [finding.message for finding in pasted.errors]
    for key, value in line.expect.items():
        assert getattr(pasted.spec, key) == value, key
    dropped = [finding.message for finding in pasted.dropped]
    assert len(dropped) == len(line.dropped), dropped
    assert all(" is left out" in message for message in dropped)  # the Run dialog's status names them by it
    for piece in line.dropped:
        assert any(piece in message for message in dropped), (piece, dropped)
    for finding in (*pasted.dropped, *pasted.notes):
        assert 0 <= finding.start <= finding.end <= len(line.text)


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.id)
def test_line_to_form_to_preview_line_to_form_gives_the_same_spec(line: Line):
    spec = parse(line.text).spec
    preview = shlex.join(spec.argv(reveal_secrets=True))
    again = parse_command(preview)  # no environment: the preview spells every value out
    assert again.ok, [finding.message for finding in again.errors]
    assert again.spec == spec
    assert again.dropped == ()


def test_the_table_is_large_and_uses_every_option_the_form_has_in_every_spelling():
    assert len(LINES) >= 60
    used = set()
    for line in LINES:
        pasted = parse(line.text)
        for word in pasted.arguments[: pasted.image_index]:
            if word.startswith("--"):
                used.add(word.partition("=")[0])
            elif word.startswith("-"):
                used.update(f"-{letter}" for letter in word[1:].partition("=")[0] if letter.isalpha())
    assert FORM_OPTIONS - used == set()


@pytest.mark.parametrize(("text", "piece", "where"), BAD, ids=[plain_id(case[0]) for case in BAD])
def test_bad_input_gets_a_sentence_at_the_word_and_fills_nothing(text, piece, where):
    pasted = parse(text)
    assert pasted.spec is None and not pasted.ok
    assert len(pasted.errors) == 1
    message = pasted.errors[0].message
    assert piece in message and message.startswith(where), message
    assert "Traceback" not in message and message.endswith((".", "?", ")")), message


def test_the_error_span_is_the_word_it_names():
    text = "docker run -p 8080:80 \\\n  --gpuss all nginx"
    error = parse(text).errors[0]
    assert text[error.start : error.end] == "--gpuss"
    quote = parse('docker run -e "A=b nginx').errors[0]
    assert (quote.start, quote.end) == (14, 15)


def test_secrets_are_masked_in_sentences():
    pasted = parse(f"docker run -e HF_TOKEN={TOKEN} --name 'bad name' nginx")
    assert TOKEN not in pasted.errors[0].message
    dropped = parse(f"docker run --label-file x --health-cmd 'curl -H \"Authorization: Bearer {TOKEN}\"' nginx")
    assert all(TOKEN not in finding.message for finding in dropped.dropped)


# --- what the CLI reads, word by word ---------------------------------------------------------------------


def test_grouped_letters_and_attached_values_read_as_the_cli_reads_them():
    spec = parse("docker run -dit -p8080:80 -e=A=1 -itP nginx").spec
    assert spec.interactive_tty and spec.publish_all
    assert spec.env == (EnvVar("A", "1"),)
    # -m's value is the rest of the group, as pflag reads it
    assert parse("docker run -tim512m nginx").spec.memory == "512m"


def test_the_last_of_a_repeated_single_value_counts_and_the_user_hears_it():
    pasted = parse("docker run --name web --name api -m 1g --memory=2g nginx")
    assert (pasted.spec.name, pasted.spec.memory) == ("api", "2g")
    assert sum("more than once" in note.message for note in pasted.notes) == 2


def test_words_after_the_image_go_to_the_program_and_a_docker_option_there_is_pointed_out():
    pasted = parse("docker run nginx -p 80:80")
    assert pasted.spec.ports == () and pasted.spec.command == "-p 80:80"
    assert any("comes after the image" in note.message for note in pasted.notes)
    assert parse("docker run -- nginx -v").spec.command == "-v"


def test_gpus_without_capabilities_ask_for_compute_and_utility_and_say_so():
    pasted = parse("docker run --gpus all nginx")
    assert pasted.spec.gpus == GpuSpec(GpuMode.ALL, capabilities=("compute", "utility"))
    assert any("names no capabilities" in note.message for note in pasted.notes)
    # The capabilities in the order the GPUs tab has them; one it lacks is named as left out.
    odd = parse("docker run --gpus 'all,\"capabilities=video,compute,display\"' nginx")
    assert odd.spec.gpus.capabilities == ("compute", "video")
    assert [finding.message for finding in odd.dropped] == [
        "The GPU capability display is left out: the form offers compute, utility, graphics, video."
    ]
    assert parse("docker run --gpus all --gpus 1 nginx").dropped[0].message.startswith("--gpus 1 is left out")


def test_an_env_without_value_takes_it_from_the_environment_docker_gets():
    assert parse("docker run -e HF_TOKEN nginx").spec.env == (EnvVar("HF_TOKEN", TOKEN),)
    missing = parse("docker run -e NOT_SET nginx")
    assert missing.spec.env == (EnvVar("NOT_SET", ""),)
    assert any("Type the value on the Environment tab" in note.message for note in missing.notes)
    # sudo gives docker a fresh environment, unless -E keeps it
    assert parse("sudo docker run -e HF_TOKEN nginx").spec.env == (EnvVar("HF_TOKEN", ""),)
    assert parse("sudo -E docker run -e HF_TOKEN nginx").spec.env == (EnvVar("HF_TOKEN", TOKEN),)


def test_ports_read_as_the_cli_publishes_them():
    ports = parse("docker run -p 80 -p 127.0.0.1:5000:80 -p 10.0.0.2::81 -p target=82,published=8082 nginx").spec
    assert [(row.container, row.host, row.all_interfaces) for row in ports.ports] == [
        ("80", "", True),
        ("80", "5000", False),
        ("81", "10.0.0.2", False),
        ("82", "8082", True),
    ]


def test_docker_options_before_run_and_the_create_command():
    pasted = parse("docker --context remote --debug container create --name job busybox")
    assert pasted.subcommand == "create" and pasted.spec.name == "job"
    assert [finding.message.split(" is left out")[0] for finding in pasted.dropped] == ["--context remote", "--debug"]


def test_an_entrypoint_of_several_words_is_one_program_as_docker_takes_it():
    spec = parse("docker run --entrypoint 'python -m server' nginx").spec
    assert spec.create_kwargs()["entrypoint"] == ["python -m server"]
    assert parse('docker run --entrypoint "" nginx').dropped[0].message.startswith('--entrypoint ""')


def test_every_option_of_the_docker_cli_is_known():
    """An option the form lacks is named as left out, never refused as unknown."""
    for name, flag in BY_NAME.items():
        if name in ("help", "detach", "detach-keys", "sig-proxy"):
            continue
        value = "" if not flag.takes_value else " x"
        pasted = parse(f"docker create --{name}{value} busybox")
        assert not any("has no option" in error.message for error in pasted.errors), name


def test_a_long_line_is_read_whole():
    """Eight hundred options, as a generated command might have: every one of them reaches the form."""
    options = " ".join(f"-e VAR{index}=value{index} -p {9000 + index}:{index + 1}" for index in range(400))
    spec = parse(f"docker run {options} nginx").spec
    assert len(spec.env) == 400 and len(spec.ports) == 400


def test_unset_variables_are_dropped_like_the_shell_drops_them():
    pasted = parse_command("docker run nginx --model-id $model", {}, HOME, FOLDER)
    assert pasted.spec.command == "--model-id"
    assert any("$model is not set for Portside" in note.message for note in pasted.notes)
    assert parse_command('docker run nginx "$model"', {}).spec.command == "''"


def test_a_spec_read_back_is_the_same_through_its_masked_preview_once_secrets_are_typed_again():
    spec = parse(f"docker run -e HF_TOKEN={TOKEN} -p 8000:8000 nginx").spec
    masked = parse_command(spec.command_line).spec
    assert masked.env[0].value != TOKEN
    assert replace(masked, env=spec.env) == spec


# --- the shell's part ---------------------------------------------------------------------------------------

DOCKER_SHIM = """#!/bin/sh
exec python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"
"""


@pytest.fixture(scope="module")
def bash_reads():
    """What bash hands to docker for a line: a `docker` on PATH that prints its arguments."""
    bash = shutil.which("bash")
    if bash is None:
        unavailable("bash is not installed: it is the referee for how a line splits into words")
    folder = tempfile.mkdtemp(prefix="psd-shim-")
    for name in ("docker", "nvidia-docker"):
        path = os.path.join(folder, name)
        with open(path, "w") as shim:
            shim.write(DOCKER_SHIM)
        os.chmod(path, 0o755)
    with open(os.path.join(folder, "sudo"), "w") as shim:
        shim.write('#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n')
    os.chmod(os.path.join(folder, "sudo"), 0o755)

    def read(text: str) -> list[str]:
        environ = {**ENVIRON, "PATH": f"{folder}:{os.environ['PATH']}"}
        # The folder the line runs in, without making it: $PWD and $(pwd) name it.
        script = f"PWD={shlex.quote(FOLDER)}; pwd() {{ echo {shlex.quote(FOLDER)}; }}\n{text}\n"
        result = subprocess.run([bash, "-c", script], capture_output=True, text=True, env=environ, timeout=30)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    yield read
    shutil.rmtree(folder, ignore_errors=True)


BASH_LINES = [line for line in LINES if read_command(line.text).dialect is Dialect.BASH and not line.forgiven]


@pytest.mark.parametrize("line", BASH_LINES, ids=lambda line: line.id)
def test_bash_hands_docker_the_same_words(line: Line, bash_reads):
    words = read_command(line.text, ENVIRON, HOME, FOLDER).words
    assert bash_reads(line.text.removeprefix("$ ")) == [word.text for word in words[1:]]


def test_a_space_after_the_continuation_is_forgiven():
    """bash would end the command there (the \\ escapes the space); the user meant the next line."""
    forgiven = [line for line in LINES if line.forgiven]
    assert forgiven
    for line in forgiven:
        assert parse(line.text).spec.image == "ollama/ollama"


def test_what_web_pages_copy_along_is_forgiven_or_named():
    """A no-break space parts words; an apostrophe inside a value is kept; a typographic quote is an error."""
    assert parse("docker run\u00a0-p\u00a080:80 nginx").spec.ports == (PortSpec("80", "80", all_interfaces=True),)
    assert parse("docker run -e MSG=it’s nginx").spec.env == (EnvVar("MSG", "it’s"),)
    assert "typographic quote (‘)" in parse("docker run -e ‘A=b’ nginx").errors[0].message


def test_powershell_and_cmd_continuations_and_quotes():
    powershell = read_command('docker run `\n  -e \'it\'\'s\' `\n  -e "a`tb" -e "say ""hi""" img')
    assert powershell.dialect is Dialect.POWERSHELL
    assert [word.text for word in powershell.words] == [
        "docker",
        "run",
        "-e",
        "it's",
        "-e",
        "a\tb",
        "-e",
        'say "hi"',
        "img",
    ]
    cmd = read_command("docker run ^\n  -e \"A=b c\" -e 'x' -e %UNSET% -e a^&b img")
    assert cmd.dialect is Dialect.CMD
    assert [word.text for word in cmd.words][2:] == ["-e", "A=b c", "-e", "'x'", "-e", "%UNSET%", "-e", "a&b", "img"]


def test_run_from_the_spec_of_the_form():
    """The form's own preview is a line like any other (a RunSpec with every field set)."""
    from tests.unit.run.spec_examples import FULL

    pasted = parse_command(shlex.join(FULL.argv(reveal_secrets=True)))
    assert pasted.spec == FULL
    assert isinstance(pasted.spec, RunSpec)


def test_any_text_gets_an_answer_never_an_exception():
    """Lines cut, doubled and mangled at random: each is read, or refused with a sentence."""
    import random

    chance = random.Random(22)
    pieces = ["\\", "`", "^", '"', "'", "$(", "${", "%", "=", "-", "--", ":", ",", "\n", " ", "#", "|", "~", "“"]
    for _ in range(3000):
        text = chance.choice(LINES).text
        for _ in range(chance.randint(1, 4)):
            at = chance.randrange(len(text) + 1)
            if chance.random() < 0.5:
                text = text[:at] + chance.choice(pieces) + text[at:]
            else:
                text = text[:at] + text[at + chance.randint(1, 12) :]
        pasted = parse(text)
        assert pasted.ok or pasted.errors, text
        assert all(0 <= finding.start <= finding.end <= len(text) for finding in pasted.errors), text
        assert not any("Portside could not read" in finding.message for finding in pasted.errors), text
