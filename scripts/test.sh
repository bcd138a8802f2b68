#!/usr/bin/env bash
# Runs the whole test suite: unit, store, end-to-end (real daemon on a real socket),
# the Python client's tests (python3 -m unittest, against the real daemon), then the short
# form of the kill -9 crash test (5 rounds: load, rebuild, backup, simulated OS crash, views deleted).
# Arguments go to `swift test` (e.g. --filter X); with any, the Python tests and the crash test are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
# Flush what the build wrote, so the end-to-end tests' fsyncs (durability strict)
# do not queue behind its writeback.
sync
swift test --skip-build "$@"
if [ $# -eq 0 ]; then
  python3 -m unittest discover -s clients/python/tests
  ROUNDS="${CRASH_ROUNDS:-5}" scripts/crash-test.sh
fi
