#!/usr/bin/env bash
# Installs what Portside needs on Debian/Ubuntu (as root), and the app into .venv.
#   bash packaging/setup.sh          the app and the Docker engine
#   bash packaging/setup.sh --test   also what the test suite needs
set -euo pipefail

# Another apt run (unattended-upgrades, a second terminal) may hold apt's locks: wait for it, up to this long.
APT_LOCK_WAIT_S=${APT_LOCK_WAIT_S:-600}
APT_RETRY_S=${APT_RETRY_S:-10}

# apt-get that waits for the locks instead of failing. DPkg::Lock::Timeout makes it wait for dpkg's lock, but
# `apt-get update` also takes the package lists' lock, which apt (2.6 at least) does not wait for: that one is
# retried here while apt says "Could not get lock". Any other failure fails at once.
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_WAIT_S)) errors status
  errors=$(mktemp)
  while true; do
    status=0
    apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT_S" "$@" 2>"$errors" || status=$?
    cat "$errors" >&2
    if (( status == 0 )) || ! grep -q "Could not get lock" "$errors" || (( SECONDS >= deadline )); then
      rm -f "$errors"
      return "$status"
    fi
    echo "apt is busy (another apt or dpkg run holds its lock); trying again in ${APT_RETRY_S} s" >&2
    sleep "$APT_RETRY_S"
  done
}

main() {
  cd "$(dirname "$0")/.."

  with_tests=0
  [[ "${1:-}" == "--test" ]] && with_tests=1

  packages=(
    docker.io python3 python3-venv python3-pip
    # Qt's runtime libraries (xcb for a desktop session, EGL/GL for rendering)
    libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-randr0
    fonts-dejavu-core
  )
  if (( with_tests )); then
    # busybox-static: test images FROM scratch; docker-registry + apache2-utils: a real registry with
    # htpasswd auth on 127.0.0.1; desktop-file-utils + appstream: the packaging validators;
    # debootstrap: the local Python base image of tests/engine/python_base.py; gcc + libc6-dev: the fake
    # libnvidia-ml.so.1 of tests/fakes/fake_nvml.c; pass + gnupg + golang-docker-credential-helpers: a real
    # docker credential helper (docker-credential-pass) for the registry sign-in tests; docker-compose: a compose
    # implementation that reads and brings up the exported compose.yaml files; openssh-server/-client + openssl: a
    # real ssh:// engine (sshd on 127.0.0.1) and the TLS engine tests.
    packages+=(busybox-static docker-registry apache2-utils desktop-file-utils appstream util-linux debootstrap
               gcc libc6-dev pass gnupg golang-docker-credential-helpers docker-compose openssh-server openssh-client openssl)
  fi

  missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if (( ${#missing[@]} )); then
    export DEBIAN_FRONTEND=noninteractive
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
  fi

  if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
  if (( with_tests )); then
    .venv/bin/python -m pip install -q -e '.[test]'
  else
    .venv/bin/python -m pip install -q -e .
  fi
  echo "Portside is installed in $(pwd)/.venv (run: .venv/bin/portside)"
}

# Sourced (tests/unit/test_packaging.py), it only defines apt_get.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
