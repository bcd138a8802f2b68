#!/usr/bin/env bash
# kill -9 crash test (docs/OPERATIONS.md). ROUNDS=20 by default; CI runs a short form.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/debug/timelined ] || swift build --product timelined
[ -x .build/debug/timeline-audit ] || swift build --product timeline-audit || true
exec python3 scripts/crash_test.py --rounds "${ROUNDS:-20}" "$@"
