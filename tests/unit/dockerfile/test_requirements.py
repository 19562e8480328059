"""gui.core.dockerfile.requirements: pinning requirements.txt to the versions installed here, and the sentence that
says how the Dockerfile installs a dependency file."""

from __future__ import annotations

from gui.core.dockerfile.requirements import install_explanation, pin_requirements

# Pinning -------------------------------------------------------------------------------------------------


def test_pin_requirements_keeps_comments_options_and_markers():
    text = (
        "-r base.txt\n# a comment\nFlask\ntorch[cuda] ; sys_platform == 'linux'\nnumpy==1.26.4\n"
        "requests>=2  # http\ngit+https://example.com/x.git\npkg @ https://example.com/pkg.whl\n"
    )
    pinned = pin_requirements(
        text, {"flask": "3.0.3", "torch": "2.5.1", "numpy": "2.0", "requests": "2.32.3", "pkg": "1"}
    )
    assert pinned == (
        "-r base.txt\n# a comment\nFlask==3.0.3\ntorch[cuda]==2.5.1 ; sys_platform == 'linux'\n"
        "numpy==1.26.4\nrequests==2.32.3  # http\ngit+https://example.com/x.git\n"
        "pkg @ https://example.com/pkg.whl\n"
    )


def test_pin_requirements_matches_names_however_they_are_spelled():
    pinned = pin_requirements("My_Package\nscikit.learn\n", {"my-package": "1.0", "Scikit-Learn": "1.5.2"})
    assert pinned == "My_Package==1.0\nscikit.learn==1.5.2\n"


def test_pin_requirements_leaves_names_it_has_no_version_for():
    assert pin_requirements("flask\nrequests\n", {"flask": "3.0.3"}) == "flask==3.0.3\nrequests\n"


def test_pin_requirements_never_changes_an_exact_pin_or_an_editable_install():
    text = "numpy==1.26.4\n-e ./local\n--index-url https://example.com/simple\n"
    assert pin_requirements(text, {"numpy": "2.0", "local": "1"}) == text


def test_pin_requirements_keeps_line_endings_indentation_and_a_missing_last_newline():
    assert (
        pin_requirements("  flask\r\ntorch", {"flask": "3.0.3", "torch": "2.5.1"}) == "  flask==3.0.3\r\ntorch==2.5.1"
    )


def test_pin_requirements_with_no_pins_returns_the_text_unchanged():
    text = "flask\n# comment\n"
    assert pin_requirements(text, {}) == text


# How the dependency file is installed --------------------------------------------------------------------


def test_install_explanation_for_requirements_txt_says_it_is_a_cached_layer():
    text = install_explanation("requirements.txt")
    assert "pip install --no-cache-dir -r requirements.txt" in text
    assert "cached layer" in text


def test_install_explanation_for_pyproject_toml():
    text = install_explanation("pyproject.toml")
    assert "<tt>pyproject.toml</tt>" in text
    assert "pip install --no-cache-dir" in text
    assert "-r requirements.txt" not in text


def test_install_explanation_for_another_file_names_it():
    text = install_explanation("environment.yml")
    assert "<tt>environment.yml</tt>" in text
    assert "cached layer" in text
