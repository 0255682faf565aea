#!/usr/bin/env bash
# Whole-dump benchmark of an A/B OTA (issue 3): what `dumpyard dump` of a ~1 GB payload OTA costs
# beyond extracting its payload. The OTA is made from a large variant of the sample firmware
# (fixtures/make-sample-firmware.sh: real ext4 and EROFS images full of generated files), its
# images packed into payload.bin mostly as REPLACE_XZ (payload.py, as scripts/bench-payload.sh).
# Prints wall time, CPU time and peak RSS of the extraction alone (dumpyard-bench payload) and of
# the whole dump into a fresh store and repository, then of the same dump again (already dumped).
# Usage: scripts/bench-dump-ota.sh [--rebuild]      (SIZE_MB=1100 FILES=30000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size_mb=${SIZE_MB:-1100}
files=${FILES:-30000}
cache=/var/tmp/dumpyard-bench-ota
zip="$cache/ota.zip"
[ "${1:-}" = "--rebuild" ] && rm -rf "$cache"
mkdir -p "$cache"
if [ ! -f "$zip" ]; then
  echo "bench: generating a $size_mb MB firmware with $files files and its OTA in $cache (a few minutes)" >&2
  fixtures/make-sample-firmware.sh --files "$files" --size-mb "$size_mb" --out "$cache/fastboot.zip" >/dev/null
  work="$cache/images" && rm -rf "$work" && mkdir -p "$work"
  unzip -q -o "$cache/fastboot.zip" system.img vendor.img product.img -d "$work"
  simg2img "$work/product.img" "$work/product.raw" && mv "$work/product.raw" "$work/product.img"
  python3 fixtures/formats/payload.py --out "$work/payload.bin" --zip "$zip" --chunk $((2 << 20)) --jobs 2 --xz-preset 1 \
    --policy "xz=14,replace=1" --partition-policy product=zstd \
    system="$work/system.img" vendor="$work/vendor.img" product="$work/product.img" >/dev/null
  rm -rf "$work"
fi
swift build -c release --product dumpyard >/dev/null
swift build -c release --product dumpyard-bench >/dev/null
run_dir=$(mktemp -d /var/tmp/bench-ota.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT

. scripts/bench-measure.sh
measure() { measure_in "$run_dir" "$@"; }

cat "$zip" >/dev/null
payload_mib=$(unzip -l "$zip" payload.bin | awk '$NF == "payload.bin" { printf "%d", $1 / 1048576 }')
image_mib=$(unzip -l "$cache/fastboot.zip" | awk '$NF ~ /\.img$/ { sum += $1 } END { printf "%d", sum / 1048576 }')
echo "OTA: $(du -h "$zip" | cut -f1) zip, payload.bin $payload_mib MiB, from $image_mib MiB of images (system ext4, vendor EROFS, product ext4) holding $files files" >&2
printf '%-58s %8s %8s %8s\n' "step (2 cores)" "wall s" "CPU s" "RSS MB"
mkdir -p "$run_dir/out"
printf '%-58s %s\n' "payload extraction alone (dumpyard-bench payload)" "$(measure .build/release/dumpyard-bench payload "$zip" "$run_dir/out" 2)"
rm -rf "$run_dir/out"
export DUMPYARD_HOME="$run_dir/home"
printf '%-58s %s\n' "dumpyard dump, fresh store and repository" "$(measure .build/release/dumpyard dump "$zip" --out "$run_dir/dumps")"
printf '%-58s %s\n' "dumpyard dump again (already dumped)" "$(measure .build/release/dumpyard dump "$zip" --out "$run_dir/dumps")"
echo "store $(du -sh "$DUMPYARD_HOME" | cut -f1), repository $(du -sh "$run_dir/dumps" | cut -f1)" >&2
git --git-dir="$(find "$run_dir/dumps" -name '*.git' -type d | head -1)" count-objects -vH >&2
