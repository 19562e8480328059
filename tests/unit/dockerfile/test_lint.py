"""lint_dockerfile: Portside's rules and hadolint's together, sorted, without saying the same thing twice."""

import pytest

from gui.core.dockerfile import hadolint
from gui.core.dockerfile.lint import lint_dockerfile

needs_hadolint = pytest.mark.usefixtures("hadolint_installed")  # fails, never skips, without hadolint

CLEAN = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER 10001
EXPOSE 8000
CMD ["python", "app.py"]
"""


@needs_hadolint
def test_a_clean_file_has_no_findings():
    assert lint_dockerfile(CLEAN) == []


@needs_hadolint
def test_lint_dockerfile_merges_sorted_and_without_repeats(tmp_path):
    text = "FROM python\nENV HF_TOKEN=x\nRUN pip install flask==3.0.3\nCMD python app.py\n"
    found = lint_dockerfile(text, tmp_path)
    rules_found = [f.rule for f in found]
    assert "PS004" in rules_found and "DL3006" not in rules_found
    assert "PS007" in rules_found and "DL3042" not in rules_found
    assert "PS003" in rules_found and "DL3064" not in rules_found
    assert "DL3025" in rules_found and "PS006" in rules_found
    assert [f.line for f in found] == sorted(f.line for f in found)


def test_without_hadolint_the_own_findings_come_with_a_note(monkeypatch):
    monkeypatch.setattr(hadolint, "hadolint_path", lambda: None)
    combined = lint_dockerfile("FROM python\n")
    assert [f.rule for f in combined] == ["PS004", "hadolint"]
