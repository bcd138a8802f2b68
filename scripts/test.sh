#!/usr/bin/env bash
# Runs the whole test suite: unit, store, end-to-end (real daemon on a real socket),
# then the short form of the kill -9 crash test (3 rounds: load, rebuild, backup).
# Arguments go to `swift test` (e.g. --filter X); with any, the crash test is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
# A fresh build leaves gigabytes of dirty pages; flush them now, or the end-to-end
# tests' fsyncs (durability strict) queue behind that writeback and time out.
sync
swift test --skip-build "$@"
if [ $# -eq 0 ]; then
  ROUNDS="${CRASH_ROUNDS:-3}" scripts/crash-test.sh
fi
