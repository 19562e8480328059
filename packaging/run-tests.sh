#!/usr/bin/env bash
# Runs the whole test suite: unit, GUI (offscreen) and engine tests against a real dockerd.
# Nothing is skipped silently: a test whose engine or tool is missing fails (REQUIRE_ENGINE=1), and the run fails
# when any test was skipped all the same (PORTSIDE_NO_SKIPS=1, tests/conftest.py lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/start-engine.sh
export REQUIRE_ENGINE=1 PORTSIDE_NO_SKIPS=1 QT_QPA_PLATFORM=offscreen
# The code's own rules first: lint and format (the layer contracts are a unit test, tests/unit/test_layers.py).
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
exec .venv/bin/python -m pytest "$@"
