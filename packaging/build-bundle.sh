#!/usr/bin/env bash
# Builds the one-folder bundle of Portside with PyInstaller: Python, Qt, the dependencies, hadolint and Portside
# in one folder that runs on a machine with no Python (run dist/portside/portside).
#   bash packaging/build-bundle.sh [DIST_DIR [WORK_DIR]]     defaults: dist/ and build/bundle/ of the repository
# Needs the development install (.venv, packaging/setup.sh); installs PyInstaller into it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=$(realpath -m "${1:-dist}")
work=$(realpath -m "${2:-build/bundle}")
python=.venv/bin/python

if ! "$python" -m PyInstaller --version >/dev/null 2>&1; then
  "$python" -m pip install -q "pyinstaller>=6.0"
fi

# The bundle holds what an install holds: Portside's wheel, unpacked. The wheel is built from a copy of the
# sources, because setuptools' build/ folder in the repository may still hold modules that were since removed.
rm -rf "$work/src" "$work/wheel" "$work/stage"
mkdir -p "$work/src"
cp -r pyproject.toml README.md gui resources "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
"$python" -m pip wheel -q --no-deps -w "$work/wheel" "$work/src"
"$python" -m zipfile -e "$work"/wheel/portside-*.whl "$work/stage"

PORTSIDE_STAGE="$work/stage" "$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" packaging/portside.spec
echo "Portside bundle: $dist/portside/portside ($(du -sh "$dist/portside" | cut -f1))"
