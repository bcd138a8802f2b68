#!/usr/bin/env bash
# kill -9 crash test (docs/OPERATIONS.md). ROUNDS=20 by default; CI runs a short form.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build what it runs (a no-op when up to date), so a stale binary is never tested.
swift build --product timelined
swift build --product timeline-audit
exec python3 scripts/crash_test.py --rounds "${ROUNDS:-20}" "$@"
