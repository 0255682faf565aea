#!/usr/bin/env bash
# Sets everything up and runs every test (unit, integration on the sample firmware, bad inputs,
# the GitLab rig's suite, the Telegram stand-in's suite, and the queue's fault-injection suite).
# Usage: scripts/test.sh [extra swift test arguments, e.g. --filter FirmwareTests]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh debug
# python-gitlab for the rig's conformance check, in .build/rig-venv (instant when present).
fixtures/rig/venv.sh >/dev/null
# python-telegram-bot for the Telegram stand-in's conformance check, in .build/telegram-venv.
fixtures/telegram/venv.sh >/dev/null
export PATH="/opt/swift/usr/bin:$PATH"
# Each test run gets its own store and work directories under a fresh temporary home.
export DUMPYARD_TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/dumpyard-test.XXXXXX")"
trap 'rm -rf "$DUMPYARD_TEST_TMP"' EXIT
# Every test uses Swift Testing: --disable-xctest drops the empty XCTest pass ("Executed 0 tests").
if [ $# -gt 0 ]; then
  swift test --disable-xctest "$@"
  exit
fi
swift test --disable-xctest --skip WorkerFaultTests
# The fault-injection suite runs alone, after the rest: its timings are scaled down (a 2 s lease),
# and the other suites' CPU load must not bend them.
swift test --disable-xctest --skip-build --filter WorkerFaultTests
