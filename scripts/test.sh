#!/usr/bin/env bash
# Runs the whole test suite: unit, store, end-to-end (real daemon on a real socket).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
