#!/usr/bin/env bash
# Quick start: sets everything up, then dumps the bundled sample firmware into ./dumps.
# Usage: scripts/dump-sample.sh [extra dumpyard dump options, e.g. --json or --force]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "dump-sample: setting up (the first build takes about a minute)" >&2
scripts/setup.sh release
export PATH="/opt/swift/usr/bin:$PATH"
.build/release/dumpyard dump fixtures/sample-firmware.zip --out dumps "$@"
here=$(pwd)
cat >&2 <<MSG

Next: look at the dump with git, e.g.
  git --git-dir $here/dumps/yardphone/gravel.git log --all --stat | head
  clone=\$(mktemp -d) && git clone $here/dumps/yardphone/gravel.git "\$clone/gravel" && ls "\$clone/gravel"
The binary is $here/.build/release/dumpyard (see README.md, "Using it").
MSG
