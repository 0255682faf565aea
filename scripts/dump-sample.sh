#!/usr/bin/env bash
# Quick start: sets everything up, then dumps the bundled sample firmware into ./dumps.
# Usage: scripts/dump-sample.sh [extra dumpyard dump options, e.g. --json or --force]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
export PATH="/opt/swift/usr/bin:$PATH"
.build/release/dumpyard dump fixtures/sample-firmware.zip --out dumps "$@"
cat >&2 <<'MSG'

Next: look at the dump with git, e.g.
  git -C dumps/yardphone/gravel.git log --all --stat | head
  git clone dumps/yardphone/gravel.git /tmp/gravel && ls /tmp/gravel
MSG
