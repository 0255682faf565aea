#!/usr/bin/env bash
# Sets everything up and runs every test (unit, integration on the sample firmware, bad inputs).
# Usage: scripts/test.sh [extra swift test arguments, e.g. --filter FirmwareTests]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh debug
export PATH="/opt/swift/usr/bin:$PATH"
# Each test run gets its own store and work directories under a fresh temporary home.
export DUMPYARD_TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/dumpyard-test.XXXXXX")"
trap 'rm -rf "$DUMPYARD_TEST_TMP"' EXIT
# Every test uses Swift Testing: --disable-xctest drops the empty XCTest pass ("Executed 0 tests").
swift test --disable-xctest "$@"
