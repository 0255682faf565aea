#!/usr/bin/env bash
# Payload extraction benchmark: dumpyard vs. a PyPI payload dumper vs. the decode floor.
# Builds (once, cached under /var/tmp) an OTA zip whose payload.bin holds ~1.1 GB of image-like
# partition data: mostly REPLACE_XZ, some REPLACE and ZERO, and ZSTD ops (all in `odm`, because
# the PyPI dumper cannot decode ZSTD: it extracts the other partitions).
# Usage: scripts/bench-payload.sh [--rebuild]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

cache=/var/tmp/dumpyard-bench-payload
zip="$cache/ota.zip"
venv=/var/tmp/apd-venv
[ "${1:-}" = "--rebuild" ] && rm -rf "$cache"
mkdir -p "$cache"

if [ ! -f "$zip" ]; then
  echo "bench: generating images and the OTA zip in $cache (a few minutes)" >&2
  # name size_MiB seed; 3/8 random, 1/8 zero, 1/2 text-like runs, as in extraction.md §5.
  images=(system:512:1 product:320:2 vendor:192:3 boot:64:4 odm:32:5)
  for spec in "${images[@]}"; do
    IFS=: read -r name mib seed <<<"$spec"
    python3 - "$cache/$name.img" "$mib" "$seed" <<'PY' &
import random, sys
path, mib, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
size = mib << 20
words = [b"ro.product.", b"vendor/lib64/", b"android.hardware.", b"=true\n", b"libc++.so", b"<permission name=\"", b"0x%08x "]
with open(path, "wb") as f:
    done = 0
    while done < size:
        n = min(r.randint(1, 64) * 4096, size - done)
        k = r.randrange(8)
        if k < 3:
            f.write(r.randbytes(n))
        elif k == 3:
            f.write(bytes(n))
        else:
            out = bytearray()
            while len(out) < n:
                out += r.choice(words) + str(r.randrange(1 << 20)).encode() + b"\n"
            f.write(bytes(out[:n]))
        done += n
PY
  done
  wait
  python3 fixtures/formats/payload.py --out "$cache/payload.bin" --zip "$zip" --chunk $((2 << 20)) --jobs 2 --xz-preset 1 \
    --policy "xz=14,replace=1" --partition-policy odm=zstd \
    system="$cache/system.img" product="$cache/product.img" vendor="$cache/vendor.img" boot="$cache/boot.img" odm="$cache/odm.img"
  for name in system product vendor boot odm; do sha256sum "$cache/$name.img" | cut -d' ' -f1 >"$cache/$name.sha256"; done
  rm -f "$cache"/*.img "$cache/payload.bin"
fi
if [ ! -x "$venv/bin/payload-dumper" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q android-payload-dumper==2.3.0
fi

swift build -c release --product dumpyard-bench >/dev/null
bench=.build/release/dumpyard-bench
out="$cache/out"

. scripts/bench-measure.sh
measure() { measure_in "$cache" "$@"; }

sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
cat "$zip" >/dev/null  # same warm page cache for every contender
echo "payload: $(du -h "$zip" | cut -f1) zip; partition data $(( (512 + 320 + 192 + 64 + 32) )) MiB" >&2

# This machine is a virtual machine that hands freed memory back to its host: the first write
# into page cache pages costs a host page fault each, so writing 1.1 GB of images costs 4-10 s of
# system time here (0.3 s when the pages were just used). It varies from run to run, so every
# contender runs three times, interleaved, and the medians are shown; "write floor" writes the same
# bytes as the images without decoding anything, to show that cost on its own.
rounds=${ROUNDS:-3}
: >"$cache/results"
for round in $(seq "$rounds"); do
  rm -rf "$out" && mkdir -p "$out"
  echo "write $(measure "$bench" writefloor "$zip" "$out" 2)" >>"$cache/results"
  echo "dumpyard $(measure "$bench" payload "$zip" "$out" 2)" >>"$cache/results"
  for name in system product vendor boot odm; do
    [ "$(sha256sum "$out/$name.img" | cut -d' ' -f1)" = "$(cat "$cache/$name.sha256")" ] || { echo "bench: $name differs" >&2; exit 1; }
  done
  rm -rf "$out" && mkdir -p "$out"
  echo "pypi $(measure "$venv/bin/payload-dumper" -j 2 -o "$out" -p system product vendor boot -- "$zip")" >>"$cache/results"
  echo "bench: round $round of $rounds done" >&2
done
rm -rf "$out"
echo "decode $(measure "$bench" floor "$zip")" >>"$cache/results"
# The checks the issue asks for cost SHA-256 over every operation's data and every partition:
# openssl's CPU time for the zip (in the page cache), scaled to the payload plus partition bytes.
zip_bytes=$(stat -c %s "$zip")
hash_bytes=$(( zip_bytes + (512 + 320 + 192 + 64 + 32) * 1048576 ))
read -r _ zip_hash_cpu _ < <(measure openssl dgst -sha256 "$zip")
echo "hash 0 $(awk -v c="$zip_hash_cpu" -v h="$hash_bytes" -v z="$zip_bytes" 'BEGIN { printf "%.2f", c * h / z }') 0" >>"$cache/results"

# Median of each column per contender.
median() { awk -v who="$1" -v col="$2" '$1 == who { print $col }' "$cache/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
d_wall=$(median dumpyard 2) d_cpu=$(median dumpyard 3) d_rss=$(median dumpyard 4)
p_wall=$(median pypi 2) p_cpu=$(median pypi 3) p_rss=$(median pypi 4)
w_wall=$(median write 2) w_cpu=$(median write 3) w_rss=$(median write 4)
f_cpu=$(median decode 3) f_rss=$(median decode 4)
floor=$(awk -v c="$f_cpu" 'BEGIN { printf "%.2f", c / 2 }')
both=$(awk -v c="$f_cpu" -v w="$w_cpu" 'BEGIN { printf "%.2f", (c + w) / 2 }')
h_cpu=$(median hash 3)
all=$(awk -v c="$f_cpu" -v w="$w_cpu" -v h="$h_cpu" 'BEGIN { printf "%.2f", (c + w + h) / 2 }')

printf '%-46s %9s %9s %9s\n' "contender (median of $rounds)" "wall s" "CPU s" "RSS MB"
printf '%-46s %9s %9s %9s\n' "dumpyard-bench payload (2 threads)" "$d_wall" "$d_cpu" "$d_rss"
printf '%-46s %9s %9s %9s\n' "android-payload-dumper 2.3.0 -j 2 (no odm)" "$p_wall" "$p_cpu" "$p_rss"
printf '%-46s %9s %9s %9s\n' "decode floor (serial CPU / 2 cores)" "$floor" "$f_cpu" "$f_rss"
printf '%-46s %9s %9s %9s\n' "write floor (same bytes, no decoding)" "$w_wall" "$w_cpu" "$w_rss"
printf '%-46s %9s %9s\n' "SHA-256 floor (payload + partition bytes)" "" "$h_cpu"
printf '%-46s %9s\n' "decode + write floor ((CPU + CPU) / 2 cores)" "$both"
printf '%-46s %9s\n' "decode + write + SHA-256 floor (/ 2 cores)" "$all"
awk -v d="$d_wall" -v f="$floor" -v b="$both" -v a="$all" -v p="$p_wall" 'BEGIN {
  printf "dumpyard / decode floor = %.2fx (goal <= 1.15x); / (decode + write) = %.2fx; / (decode + write + SHA-256) = %.2fx; PyPI / dumpyard = %.2fx\n", d / f, d / b, d / a, p / d }'
