#!/usr/bin/env bash
# Installs the system packages the build needs (Debian): liblmdb-dev, libsqlite3-dev
# (the benchmark's SQLite baseline), zlib1g-dev (ZIPFoundation, for evidence bundles), pkg-config,
# nats-server for the relay's tests, and chromium (headless) for the timeline page's browser tests
# and the evidence bundle's communication.pdf.
set -euo pipefail
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config liblmdb-dev libsqlite3-dev zlib1g-dev)
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists lmdb 2>/dev/null || need+=(liblmdb-dev)
  pkg-config --exists sqlite3 2>/dev/null || need+=(libsqlite3-dev)
  pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)
fi
# The relay's tests need a real nats-server (Debian's package).
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
# The timeline page is tested in a real headless browser (Debian's chromium).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
