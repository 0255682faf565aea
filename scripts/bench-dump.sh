#!/usr/bin/env bash
# Benchmark: dumpyard against today's pipeline on the same generated firmware.
#   today's pipeline = dumpyara 1.1.0 (PyPI, in a virtualenv this script creates) + git add -A + git commit
# Prints wall time, CPU time (user+sys) and peak memory of both, side by side.
# Usage: scripts/bench-dump.sh [--files N] [--size-mb M] [--keep]   (default: 9000 files, 300 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

files=9000 size_mb=300 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --size-mb) size_mb="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--files N] [--size-mb M] [--keep]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh release
export PATH="/opt/swift/usr/bin:$PATH"
need=()
for pair in time:/usr/bin/time 7z:p7zip-full cpio:cpio; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "${pair%%:*}" ] || need+=("${pair##*:}")
done
[ -x /usr/bin/time ] || need+=(time)
python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bench="${BENCH_DIR:-${TMPDIR:-/tmp}/dumpyard-bench}"
mkdir -p "$bench"
venv="$bench/venv-dumpyara"
if [ ! -x "$venv/bin/dumpyara" ]; then
  echo "bench: creating $venv with dumpyara 1.1.0" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q dumpyara==1.1.0
fi

firmware="$bench/firmware-${files}-${size_mb}.zip"
if [ ! -f "$firmware" ]; then
  echo "bench: generating $firmware" >&2
  fixtures/make-sample-firmware.sh --files "$files" --size-mb "$size_mb" --out "$firmware" >&2
fi
# A fresh run directory each time, deleted only at the end: ext4 slows down file creation right
# after mass deletion (recently deleted inodes are skipped), which would distort the figures.
run=$(mktemp -d "$bench/run.XXXXXX")
sync

# measure NAME COMMAND...: appends "NAME wall user sys maxrss_kb" to results
results="$run/results.txt"
measure() {
  local name="$1"; shift
  local out="$run/time-$name.txt"
  /usr/bin/time -f "%e %U %S %M" -o "$out" "$@" >"$run/log-$name.txt" 2>&1 || { echo "bench: $name failed, see $run/log-$name.txt" >&2; cat "$run/log-$name.txt" >&2; exit 1; }
  echo "$name $(cat "$out")" >>"$results"
}

# dumpyard: cold store, then the same firmware again into a fresh output with the warm store.
export DUMPYARD_HOME="$run/home"
measure dumpyard-cold "$root/.build/release/dumpyard" dump "$firmware" --out "$run/dumps" --json
measure dumpyard-warm "$root/.build/release/dumpyard" dump "$firmware" --out "$run/dumps2" --json

# today's pipeline: dumpyara extraction, then git add -A and git commit in its output.
# dumpyara sets the C locale and then writes all_files.txt in the locale encoding: without UTF-8
# mode it dies on the first non-ASCII file name (the sample has one).
measure dumpyara env PYTHONUTF8=1 "$venv/bin/dumpyara" "$firmware" -o "$run/dumpyara-out"
measure git-add bash -c "cd '$run/dumpyara-out' && git init -q && git add -A"
measure git-commit bash -c "cd '$run/dumpyara-out' && git -c user.name=bench -c user.email=bench@localhost commit -q -m bench"

python3 - "$results" "$firmware" "$run/log-dumpyard-cold.txt" <<'PY'
import json, os, sys
rows = {}
for line in open(sys.argv[1]):
    name, wall, user, sys_, rss = line.split()
    rows[name] = (float(wall), float(user) + float(sys_), int(rss) / 1024)
size = os.path.getsize(sys.argv[2]) / 1e6
summary = {}
for line in open(sys.argv[3]):
    if line.startswith("{"):
        summary = json.loads(line)
ref = [rows["dumpyara"], rows["git-add"], rows["git-commit"]]
today = (sum(r[0] for r in ref), sum(r[1] for r in ref), max(r[2] for r in ref))
print(f"firmware: {sys.argv[2]} ({size:.0f} MB zip; {summary.get('files', '?')} files, {summary.get('bytes', 0) / 1e6:.0f} MB of content)")
print(f"{'':34}{'wall s':>9}{'CPU s':>9}{'peak MB':>10}")
def show(label, r): print(f"{label:34}{r[0]:9.2f}{r[1]:9.2f}{r[2]:10.0f}")
show("dumpyard dump (cold store)", rows["dumpyard-cold"])
show("dumpyard dump (warm store)", rows["dumpyard-warm"])
show("today: dumpyara 1.1.0", rows["dumpyara"])
show("today: git add -A", rows["git-add"])
show("today: git commit", rows["git-commit"])
show("today: total", today)
print(f"speed-up (cold): {today[0] / rows['dumpyard-cold'][0]:.1f}x wall, {today[1] / rows['dumpyard-cold'][1]:.1f}x CPU")
PY
[ "$keep" -eq 1 ] || rm -rf "$run"
