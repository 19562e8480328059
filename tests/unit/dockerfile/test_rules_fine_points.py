"""The finer points of Portside's Dockerfile rules: build arguments, secrets in odd shapes, continuation lines,
and the exact words and fixes the user sees (the main cases are in test_rules.py)."""

import pytest

from gui.core.dockerfile.findings import TextEdit, apply_fix
from gui.core.dockerfile.rules import portside_rules


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
    assert rules(result, rule) == [], result
    return result


# PS001, PS004: base images -------------------------------------------------------------------------------


def test_base_image_messages_name_the_image_and_an_example():
    finding = only("FROM python\n", "PS004")
    assert finding.column == 6
    assert "for example python:3.12-slim." in finding.message
    assert "for example nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04." in only("FROM nvidia/cuda\n", "PS004").message
    assert "for example team/model:1.2.3." in only("FROM team/model\n", "PS004").message


def test_build_argument_defaults_with_lowercase_names_and_unknown_ones():
    assert only("ARG tag\nFROM python:${tag:-latest}\n", "PS004").line == 2
    # an argument without a default could be anything: no guess
    unknown = "ARG TAG\nFROM python:${TAG}\n"
    assert rules(unknown, "PS001") == [] and rules(unknown, "PS004") == []


def test_only_arguments_before_the_first_from_name_an_image():
    # an ARG inside a stage (or an ENV anywhere) is not visible to a later FROM
    for text in (
        "FROM python:3.12-slim\nARG TAG=latest\nFROM python:${TAG}\n",
        "ENV TAG=latest\nFROM python:${TAG}\n",
    ):
        assert rules(text, "PS004") == [], text


def test_a_from_without_an_image_is_left_to_the_syntax_check():
    assert [f.rule for f in portside_rules("FROM\n") if f.rule in ("PS001", "PS004")] == []


def test_slim_fix_for_a_prerelease_tag():
    assert fixed("FROM python:3.13.0rc1\n", "PS001") == "FROM python:3.13.0rc1-slim\n"


@pytest.mark.parametrize("tag", ["3.14-rc", "3.13-rc-bookworm"])
def test_no_made_up_slim_tag_for_unknown_variants(tag):
    finding = only(f"FROM python:{tag}\n", "PS001")
    assert finding.fix is None
    assert finding.message.endswith("Use a -slim variant.")


def test_windows_nanoserver_images_have_no_slim_variant():
    assert rules("FROM python:3.12-nanoserver\n", "PS001") == []


def test_the_slim_fix_edits_the_from_line_only():
    # the image sits on a continuation line: the warning stays, without an edit that could miss
    finding = only("FROM \\\n    python:3.12 AS app\n", "PS001")
    assert finding.fix is None


# PS002: build tools ------------------------------------------------------------------------------------


def test_build_tools_in_a_later_run_of_the_final_stage():
    text = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\nRUN apt-get install -y gcc\n"
    assert only(text, "PS002").line == 3


# PS003: secrets ----------------------------------------------------------------------------------------


def test_secret_after_a_harmless_env_and_arg():
    assert only("FROM x:1\nENV A=1\nENV HF_TOKEN=hf_abc\n", "PS003").line == 3
    assert only("FROM x:1\nARG VERSION=1\nARG HF_TOKEN\n", "PS003").line == 3


def test_a_base64_secret_with_padding_is_still_a_secret():
    finding = only("FROM x:1\nENV API_KEY=c2VjcmV0==\n", "PS003")
    assert finding.fix.edits == (TextEdit(2, 2, ""),)  # the fix deletes the line


def test_two_secrets_are_named_together():
    env = only("FROM x:1\nENV HF_TOKEN=a OPENAI_API_KEY=b\n", "PS003")
    assert env.message.startswith("ENV HF_TOKEN and OPENAI_API_KEY bakes a secret into the image")
    assert env.fix.title == "Remove HF_TOKEN and OPENAI_API_KEY from the Dockerfile"
    arg = only("FROM x:1\nARG HF_TOKEN OPENAI_API_KEY\n", "PS003")
    assert arg.message.startswith("The build argument HF_TOKEN and OPENAI_API_KEY looks like a secret")
    assert arg.fix.edits == (TextEdit(2, 2, ""),)


def test_arguments_without_defaults_keep_the_harmless_ones():
    assert fixed("FROM x:1\nARG APP_VERSION HF_TOKEN\n", "PS003") == "FROM x:1\nARG APP_VERSION\n"


def test_the_secret_fix_keeps_indentation_and_the_keyword_as_written():
    assert fixed("FROM x:1\n  env A=1 HF_TOKEN=x\n", "PS003") == "FROM x:1\n  env A=1\n"


def test_a_line_still_being_typed_keeps_what_is_not_secret():
    assert fixed("FROM x:1\nENV A=1 B HF_TOKEN=x\n", "PS003") == "FROM x:1\nENV A=1 B\n"


# PS006: .dockerignore ----------------------------------------------------------------------------------


def test_dockerignore_message_names_the_folder(tmp_path):
    folder = tmp_path / "my-app"
    folder.mkdir()
    finding = only_one(rules("FROM x:1\n", "PS006", folder))
    assert finding.message.startswith("There is no .dockerignore in my-app: everything in the folder")


def only_one(found):
    assert len(found) == 1, found
    return found[0]


# PS007: pip's cache ------------------------------------------------------------------------------------


def test_the_fix_has_a_plain_title():
    assert only("FROM x:1\nRUN pip install a==1\n", "PS007").fix.title == "Add --no-cache-dir"


def test_exec_form_warning_is_a_plain_warning():
    finding = only('FROM x:1\nRUN ["pip", "install", "a==1"]\n', "PS007")
    assert finding.severity == "warning"
    assert finding.message.startswith("pip install without --no-cache-dir keeps pip's download cache")


@pytest.mark.parametrize(
    "run",
    [
        'RUN ["python", "-c", "print(1)"]',
        'RUN ["pip", "install", "--no-cache-dir", "a==1"]',
        "RUN pip install \\  \n    --no-cache-dir torch==2.3.1",  # blanks after the backslash
    ],
)
def test_no_false_alarm(run):
    assert rules(f"FROM x:1\n{run}\n", "PS007") == []


@pytest.mark.parametrize(
    "first",
    [
        'RUN ["python", "-c", "print(1)"]',
        "RUN --mount=type=cache,target=/root/.cache/pip pip install torch==2.3.1",
    ],
)
def test_a_later_run_is_still_checked(first):
    assert only(f"FROM x:1\n{first}\nRUN pip install a==1\n", "PS007").line == 3


def test_only_a_cache_mount_excuses_the_missing_flag():
    assert only("FROM x:1\nRUN --mount=type=secret,id=hf pip install torch==2.3.1\n", "PS007").line == 2


def test_pip_and_install_on_two_lines():
    text = "FROM x:1\nRUN pip \\\n    install torch==2.3.1\n"
    assert fixed(text, "PS007") == "FROM x:1\nRUN pip \\\n    install --no-cache-dir torch==2.3.1\n"


def test_escape_directive_continuation_carries_the_flag():
    assert rules("# escape=`\nFROM x:1\nRUN pip install `\n    --no-cache-dir torch==2.3.1\n", "PS007") == []
    # heredoc bodies are shell: there a backslash continues the line
    body = "# escape=`\nFROM x:1\nRUN <<EOF\npip install \\\n    --no-cache-dir torch==2.3.1\nEOF\n"
    assert rules(body, "PS007") == []


def test_a_blank_line_in_a_heredoc_ends_the_command():
    text = "FROM x:1\nRUN <<EOF\npip install torch==2.3.1\n\npip install --no-cache-dir numpy\nEOF\n"
    finding = only(text, "PS007")
    assert finding.line == 3
    assert apply_fix(text, finding.fix) == text.replace("torch", "--no-cache-dir torch")


@pytest.mark.parametrize("tail", ["\xa0", "X"])  # a no-break space pasted from a web page; a stray letter
def test_in_a_heredoc_only_blanks_may_follow_a_continuing_backslash(tail):
    text = f"FROM x:1\nRUN <<EOF\npip install torch==2.3.1 \\{tail}\n--no-cache-dir\nEOF\n"
    assert only(text, "PS007").line == 3
