#!/usr/bin/env bash
# Installs what dumpyard needs on Debian 12 (only the packages that are missing) and builds it.
# Usage: scripts/setup.sh [debug|release]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${1:-release}"

# The Swift toolchain of this machine kind lives in /opt/swift.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "setup: no Swift toolchain found (expected swift on PATH or in /opt/swift)" >&2; exit 1; }

mapfile -t wanted < <(grep -v '^\s*#' scripts/packages.txt | sed '/^\s*$/d')
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  # A policy-rc.d that answers 101 keeps the packages from starting their services (a system nginx
  # on port 80, fcgiwrap): the tests start their own. Ours only if there was none.
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$guard" >/dev/null
    "${sudo_cmd[@]}" chmod +x "$guard"
    trap '[ -z "$guard" ] || "${sudo_cmd[@]}" rm -f "$guard"' EXIT
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$guard" ]; then "${sudo_cmd[@]}" rm -f "$guard"; guard=""; fi
fi

echo "setup: building dumpyard ($configuration)" >&2
if ! swift build -c "$configuration" --product dumpyard >.build-setup.log 2>&1; then
  cat .build-setup.log >&2
  echo "setup: build failed" >&2
  exit 1
fi
rm -f .build-setup.log
