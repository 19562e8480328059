"""Benchmark of test strength: mutation testing with mutmut, one module or feature folder at a time.
Too slow for CI (minutes per module); run by hand and put the table in the closing note.

    .venv/bin/python -m tests.bench.bench_mutation gui/core/secrets.py [more paths] [--tests tests/unit/x]
    .venv/bin/python -m tests.bench.bench_mutation --kept         the modules whose score the project keeps at 90 %
    add --working-tree to test uncommitted changes (the last commit is the default, so edits in progress
    elsewhere in the checkout cannot break the run)

Each target runs in a copy of the project under $TMPDIR/portside-mutation/<target>/ (so the checkout never gets a
mutants/ folder), with pyproject.toml's [tool.mutmut] narrowed to that
target. mutmut mutates the target, runs the tests that cover each mutated function, and counts a mutant killed
when a test fails. Survivors the project judged equivalent (no test could tell them apart from the original:
tests/bench/mutation_equivalents.toml, with a reason each) count as neither killed nor survived.

Prints one row per target: mutants, killed, survived, equivalent, no tests, timeouts, score (killed share of the
mutants that are not equivalent), and lists the survivors to look at (`--show` prints each one's diff).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.toml")
GOAL = 90.0

# The modules the project holds to GOAL, with the unit tests that speak for each (a folder that holds all of a
# module's tests keeps the run short; a narrower folder can only lower the score, never raise it).
KEPT = {
    "gui/core/monitor/stats.py": "tests/unit/monitor",  # the stats formulas
    "gui/core/monitor/cgroup.py": "tests/unit/monitor",  # cgroup and kernel readings
    "gui/core/monitor/host.py": "tests/unit/monitor",
    "gui/core/monitor/attribution.py": "tests/unit/monitor",  # which container owns a GPU process
    "gui/core/secrets.py": "tests/unit",
    "gui/core/registry/credentials.py": "tests/unit/registry",
    "gui/core/run/spec.py": "tests/unit/run",
    "gui/core/run/checks.py": "tests/unit/run",
    "gui/core/dockerfile/parser.py": "tests/unit/dockerfile",
    "gui/core/dockerfile/rules.py": "tests/unit/dockerfile",
}


# The tests of how the checkout is installed see a copy, not the checkout: they say nothing of the mutants.
PYTEST_ARGS = ["-p", "no:cacheprovider", "-q", "--ignore=tests/unit/test_resources.py"]
PYTEST_ARGS += ["--ignore=tests/unit/test_packaging.py"]
# mutmut asks pytest for single tests by node id; this plugin finds the ids pytest cannot parse back.
PYTEST_ARGS += ["-p", "tests.bench.mutation_ids"]


@dataclass
class Tally:
    target: str
    total: int = 0
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    no_tests: int = 0
    timeouts: int = 0

    @property
    def score(self) -> float:
        judged = self.total - len(self.equivalent)
        return 100.0 * self.killed / judged if judged else 100.0


def load_equivalents() -> dict[str, str]:
    """mutant name -> why no test can kill it."""
    if not EQUIVALENTS.exists():
        return {}
    return {name: entry["why"] for name, entry in tomllib.loads(EQUIVALENTS.read_text()).items()}


def slug(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", target).strip("-")


def project_files(working_tree: bool) -> list[str]:
    """The files of the last commit, or of the working tree (new files not yet committed included)."""
    extra = ["--others", "--exclude-standard"] if working_tree else []
    out = subprocess.run(["git", "ls-files", "--cached", *extra], cwd=ROOT, capture_output=True, text=True)
    return [name for name in out.stdout.splitlines() if (ROOT / name).is_file()]


def prepare_copy(target: str, tests: str, workdir: Path, working_tree: bool) -> None:
    """A fresh copy of the project (the last commit, or the working tree) whose pyproject.toml points mutmut at
    `target` alone."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    files = project_files(working_tree)
    if working_tree:
        for name in files:
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, workdir / name)
    else:
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive, check=True)
    # mutmut runs the tests in mutants/, a copy of source_paths and also_copy: everything the tests read.
    also_copy = sorted({name.split("/")[0] for name in files} - {"gui"})
    pyproject = (workdir / "pyproject.toml").read_text()
    pyproject = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", pyproject)
    only = target if target.endswith(".py") else target.rstrip("/") + "/*"
    pyproject += (
        "\n[tool.mutmut]\n"
        'source_paths = ["gui"]\n'
        f"also_copy = {json.dumps(also_copy)}\n"
        f"only_mutate = [{json.dumps(only)}]\n"
        f"pytest_add_cli_args_test_selection = [{json.dumps(tests)}]\n"
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}\n"
        "use_git_change_detection = false\n"
    )
    (workdir / "pyproject.toml").write_text(pyproject)


def mutmut(workdir: Path, *args: str, quiet: bool = False) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("REQUIRE_ENGINE", None)  # unit tests only: no engine
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=workdir,
        env=env,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )
    return out.stdout or ""


def tally(target: str, workdir: Path, equivalents: dict[str, str]) -> Tally:
    mutmut(workdir, "export-cicd-stats", quiet=True)
    stats = json.loads((workdir / "mutants" / "mutmut-cicd-stats.json").read_text())
    result = Tally(target, total=stats["total"], killed=stats["killed"], no_tests=stats["no_tests"])
    result.timeouts = stats["timeout"]
    result.killed += stats["timeout"]  # a mutant that makes the tests hang is caught too
    for line in mutmut(workdir, "results", quiet=True).splitlines():
        name, _, status = line.strip().rpartition(": ")
        if status not in ("survived", "no tests"):
            continue
        (result.equivalent if name in equivalents else result.survived).append(name)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="modules or folders under gui/")
    parser.add_argument("--kept", action="store_true", help="the modules whose score the project keeps")
    parser.add_argument("--tests", default="tests/unit", help="the tests that may kill the mutants")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--working-tree", action="store_true", help="mutate the files as they are now, not HEAD")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    args = parser.parse_args()
    targets = {target: args.tests for target in args.targets}
    if args.kept:
        targets.update(KEPT)
    if not targets:
        parser.error("name a module or folder, or --kept")

    equivalents = load_equivalents()
    base = Path(tempfile.gettempdir()) / "portside-mutation"
    rows = []
    for target, tests in targets.items():
        workdir = base / slug(target)
        print(f"== {target} (tests: {tests}) in {workdir}", flush=True)
        prepare_copy(target, tests, workdir, args.working_tree)
        mutmut(workdir, "run", "--max-children", str(args.children), quiet=True)
        row = tally(target, workdir, equivalents)
        rows.append(row)
        for name in row.survived:
            print(f"   survived: {name}")
            if args.show:
                print(mutmut(workdir, "show", name, quiet=True))

    print(f"\n{'module':44} {'mutants':>7} {'killed':>6} {'survived':>8} {'equiv.':>6} {'no tests':>8} {'score':>7}")
    for row in rows:
        mark = "" if row.score >= GOAL else "  below goal"
        print(
            f"{row.target:44} {row.total:7} {row.killed:6} {len(row.survived):8} {len(row.equivalent):6}"
            f" {row.no_tests:8} {row.score:6.1f}%{mark}"
        )


if __name__ == "__main__":
    main()
