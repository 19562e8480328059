"""requirements.txt for the Dockerfile wizard: pinning unpinned requirements to the versions installed here, and
the sentence that says how the Dockerfile installs a dependency file. No Qt."""

from __future__ import annotations

import re


def install_explanation(dependency_file: str) -> str:
    """How the Dockerfile installs from the dependency file, and why that way (rich text, for a label)."""
    if dependency_file == "requirements.txt":
        return (
            "The Dockerfile copies <tt>requirements.txt</tt> on its own and runs "
            "<tt>pip install --no-cache-dir -r requirements.txt</tt> <i>before</i> it copies the rest of your "
            "code. Docker keeps that step's result as a cached layer, so when you change only your code the "
            "next build skips the install. <tt>--no-cache-dir</tt> keeps pip's download cache out of the "
            "image, which makes it smaller."
        )
    if dependency_file == "pyproject.toml":
        return (
            "The Dockerfile copies <tt>pyproject.toml</tt> first and installs with "
            "<tt>pip install --no-cache-dir</tt> before it copies the rest of your code, so the install is a "
            "cached layer that survives code changes. <tt>--no-cache-dir</tt> keeps pip's download cache out "
            "of the image."
        )
    return (
        f"The Dockerfile copies <tt>{dependency_file}</tt> before the rest of your code and installs from it, "
        "so the install is a cached layer that survives code changes. Package caches are left out of the "
        "image."
    )


def pin_requirements(text: str, pins: dict[str, str]) -> str:
    """requirements.txt with `name==version` for each pinned name that had no exact version.

    Comments, options (-r, -e, --index-url), URLs, extras and environment markers are kept as they are."""
    wanted = {_normal(name): version for name, version in pins.items()}
    pattern = re.compile(
        r"^(?P<lead>\s*)(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\s*\[[^\]]*\])?"
        r"(?P<spec>[^;#]*?)(?P<rest>\s*(?:;[^#]*)?(?:\s+#.*)?)$"
    )
    lines = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        match = pattern.match(body)
        if (
            match
            and not body.lstrip().startswith(("-", "#"))
            and "@" not in body.split("#")[0]
            and "://" not in body
            and "==" not in match["spec"]
        ):
            version = wanted.get(_normal(match["name"]))
            if version:
                body = f"{match['lead']}{match['name']}{match['extras'] or ''}=={version}{match['rest']}"
        lines.append(body + ending)
    return "".join(lines)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
