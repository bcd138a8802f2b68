#!/usr/bin/env bash
# Builds timelined and starts it on the embedded default: config/timelined.json,
# socket var/timelined.sock, LMDB directory var/data. Extra flags pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product timelined
mkdir -p var
exec .build/release/timelined --config config/timelined.json "$@"
