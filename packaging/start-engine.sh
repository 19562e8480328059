#!/usr/bin/env bash
# Starts the Docker engine in the background when it is not answering (machines without systemd),
# and waits until it answers.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
  systemctl start docker || true
fi
if ! docker info >/dev/null 2>&1; then
  nohup dockerd >/tmp/portside-dockerd.log 2>&1 &
fi
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    echo "Docker engine is running"
    exit 0
  fi
  sleep 0.5
done
echo "The Docker engine did not start; its log:" >&2
tail -n 50 /tmp/portside-dockerd.log >&2 || true
exit 1
