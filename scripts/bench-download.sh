#!/usr/bin/env bash
# Download benchmark (issue 6; not a test): a 2 GiB file from a loopback nginx, throttled per
# connection (limit_rate, default 50 MB/s) and unthrottled, fetched by `curl -o` and by dumpyard's
# downloader with 1 and 4 connections; wall time, throughput and CPU of each, side by side.
# Goals: with 4 connections at least 3x curl on the throttled server; never slower than curl on the
# unthrottled one. The file is cached in /var/tmp/dumpyard-bench-download.
# Usage: scripts/bench-download.sh        (SIZE_MIB=2048 RATE=50m ROUNDS=3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

size_mib=${SIZE_MIB:-2048}
rate=${RATE:-50m}
rounds=${ROUNDS:-3}
cache=/var/tmp/dumpyard-bench-download
mkdir -p "$cache"
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "bench: installing nginx (its service is not started)" >&2
  # policy-rc.d keeps the package from starting a system nginx on port 80.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
file="$cache/firmware-$size_mib.bin"
if [ ! -f "$file" ]; then
  echo "bench: writing a $size_mib MiB test file" >&2
  head -c "${size_mib}M" /dev/urandom >"$file.tmp" && mv "$file.tmp" "$file"
fi
expected=$(sha256sum "$file" | cut -d' ' -f1)

swift build -c release --product dumpyard-bench >/dev/null
bench=.build/release/dumpyard-bench
tmp=$(mktemp -d /var/tmp/bench-download.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location /throttled/ { alias $cache/; limit_rate $rate; }
    location /fast/ { alias $cache/; }
  }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp" -g 'daemon off;' &
nginx_pid=$!
# SIGTERM: nginx's fast shutdown stops its workers too (after a kill -9 they would live on).
trap 'kill $nginx_pid 2>/dev/null && wait $nginx_pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/fast/" -r 0-0 2>/dev/null && break; sleep 0.1; done

# measure <label> <command…>: wall s, CPU s (user+sys of the command), and the output's digest check.
# The served file stays in the page cache (nginx sends it from there), so no contender reads the
# disk. This VM hands freed pages back to its host, and the first write into such a page costs a
# fault on the host: writing the same 2 GiB varies by ±40 % from run to run. Every contender
# therefore runs ROUNDS times, interleaved, and the medians are compared.
results="$tmp/results"
: >"$results"
measure() {
  local key=$1 label=$2; shift 2
  rm -rf "$tmp/out" && mkdir -p "$tmp/out"
  cat "$file" >/dev/null
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >/dev/null
  local got; got=$(sha256sum "$tmp/out/"* | cut -d' ' -f1)
  [ "$got" = "$expected" ] || { echo "bench: $label wrote different bytes" >&2; exit 1; }
  rm -rf "$tmp/out"
  read -r wall user sys <"$tmp/time"
  echo "$key $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" >>"$results"
  printf '  %-52s %6.2f s\n' "$label" "$wall" >&2
}

for round in $(seq "$rounds"); do
  echo "bench: round $round of $rounds" >&2
  for kind in throttled fast; do
    url="http://127.0.0.1:$port/$kind/$(basename "$file")"
    measure "$kind-curl" "curl -o ($kind)" curl -sS -o "$tmp/out/f" "$url"
    measure "$kind-1" "dumpyard, 1 connection ($kind)" "$bench" download "$url" "$tmp/out" 1
    measure "$kind-4" "dumpyard, 4 connections ($kind)" "$bench" download "$url" "$tmp/out" 4
  done
done

median() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-58s %8s %9s %8s\n' "contender ($size_mib MiB, loopback nginx, median of $rounds)" "wall s" "MB/s" "CPU s"
for kind in throttled fast; do
  label=$([ "$kind" = throttled ] && echo "limit_rate $rate per connection" || echo "unthrottled")
  for who in curl 1 4; do
    name=$([ "$who" = curl ] && echo "curl -o" || echo "dumpyard, $who connection$([ "$who" = 4 ] && echo s)")
    wall=$(median "$kind-$who" 2) cpu=$(median "$kind-$who" 3)
    awk -v l="$name ($label)" -v w="$wall" -v c="$cpu" -v mib="$size_mib" \
      'BEGIN { printf "%-58s %8.2f %9.1f %8.2f\n", l, w, mib * 1.048576 / w, c }'
  done
done
awk -v t="$(median throttled-curl 2)" -v t4="$(median throttled-4 2)" -v f="$(median fast-curl 2)" -v f1="$(median fast-1 2)" -v f4="$(median fast-4 2)" 'BEGIN {
  printf "throttled: 4 connections = %.2fx curl (goal >= 3x); unthrottled: curl / dumpyard = %.2fx (1 connection), %.2fx (4) (goal >= 1)\n", t / t4, f / f1, f / f4 }'
