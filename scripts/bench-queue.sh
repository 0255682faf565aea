#!/usr/bin/env bash
# Job queue benchmark (issue 5; not a test): submit + claim + complete of 20,000 no-op jobs with
# 4 worker processes on loopback Redis. Goals: >= 2,000 jobs/s and claim p99 <= 50 ms.
# Usage: scripts/bench-queue.sh            (JOBS=20000 WORKERS=4 LATENCY_JOBS=200 by default)
# For each AOF fsync policy (`always`, the production setting, and `everysec`) it starts its own
# redis-server (free loopback port, temp dir, AOF on, no RDB), then:
#   A  throughput: 4 `dumpyard-bench queue-worker` processes wait, one `queue-submit` submits the
#      jobs in batches of 100 (one round trip, one AOF sync each); jobs/s = jobs / (first submit → all completed, timed by the submitter);
#   B  claim round trip p50/p99 over every claim the workers made in A (monotonic clock);
#   C  wake-up latency: `queue-latency` submits 200 jobs 20 ms apart to the 4 idle workers;
#      submit→claimed from each job's `created` and `started` fields (Redis time, ms);
#   D  drain (diagnostic): the jobs submitted first, then the 4 workers started; jobs/s of claim +
#      complete alone, timed by `queue-wait` from the workers' start to all completed;
# and reads `INFO memory` and redis-server's CPU after A. Prints one table with PASS/MISS against
# the goals (A for jobs/s, B for claim p99).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

jobs=${JOBS:-20000}
workers=${WORKERS:-4}
latency_jobs=${LATENCY_JOBS:-200}
tmp=$(mktemp -d /tmp/bench-queue.XXXXXX)
redis_pid=""
worker_pids=()

cleanup() {
  for pid in "${worker_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$redis_pid" ] && kill -9 "$redis_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

swift build -c release --product dumpyard-bench >/dev/null
bench=.build/release/dumpyard-bench

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_redis <fsync policy>: sets port, url, redis_pid; waits for PING.
start_redis() {
  port=$(free_port)
  url="redis://127.0.0.1:$port/0"
  mkdir -p "$tmp/$1"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp/$1" --appendonly yes --appendfsync "$1" --save '' \
    --daemonize no --logfile "$tmp/$1/redis.log" &
  redis_pid=$!
  for _ in $(seq 200); do
    [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  echo "bench: redis-server did not answer PING" >&2
  exit 1
}

stop_redis() {
  kill -9 "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  redis_pid=""
}

# start_workers <prefix> <expected total> <file stem> [settle s]: workers under /usr/bin/time,
# bounded to 10 min; then waits `settle` (1 s: every worker connected and blocked in BLPOP).
start_workers() {
  worker_pids=()
  for i in $(seq "$workers"); do
    /usr/bin/time -v -o "$3-w$i.time" timeout 600 "$bench" queue-worker "$url" "$1" "w$i" "$2" "$3-w$i.samples" >"$3-w$i.json" &
    worker_pids+=($!)
  done
  sleep "${4:-1}"
}

wait_workers() {
  for pid in "${worker_pids[@]}"; do wait "$pid" || { echo "bench: a worker failed" >&2; cat "$tmp"/*/*-w*.json >&2; exit 1; }; done
  worker_pids=()
}

# json <file> <key>: the first number after "key": in a JSON line.
json() { grep -o "\"$2\":[0-9.]*" "$1" | head -1 | cut -d: -f2; }

# Nearest-rank p50 p99 max of the numbers in the given files.
percentiles() {
  cat "$@" | sort -g | awk '{ v[NR] = $1 } END {
    r50 = int(NR * 0.50); if (r50 < NR * 0.50) r50++; r99 = int(NR * 0.99); if (r99 < NR * 0.99) r99++
    printf "%.2f %.2f %.2f\n", v[r50], v[r99], v[NR] }'
}

# run_variant <fsync policy>: phases A, B, C on a fresh redis-server; writes $tmp/<policy>.result.
run_variant() {
  local fsync=$1 dir=$tmp/$1
  start_redis "$fsync"
  echo "bench: appendfsync $fsync: $jobs jobs, $workers workers (redis on port $port)" >&2
  start_workers 'bench:{a}:' "$jobs" "$dir/a"
  "$bench" queue-submit "$url" 'bench:{a}:' "$jobs" --wait >"$dir/submit.json"
  wait_workers
  local memory=$(redis-cli -p "$port" INFO memory | tr -d '\r')
  local used=$(grep '^used_memory:' <<<"$memory" | cut -d: -f2) human=$(grep '^used_memory_human:' <<<"$memory" | cut -d: -f2)
  local keys=$(redis-cli -p "$port" DBSIZE)
  local redis_cpu=$(redis-cli -p "$port" INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.2f", s }')
  local worker_cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$dir"/a-w*.time)
  read -r c50 c99 cmax < <(percentiles "$dir"/a-w*.samples)
  local claims=$(cat "$dir"/a-w*.samples | wc -l)

  echo "bench: appendfsync $fsync: drain, $jobs jobs submitted before the workers start" >&2
  "$bench" queue-submit "$url" 'bench:{d}:' "$jobs" >/dev/null
  "$bench" queue-wait "$url" 'bench:{d}:' "$jobs" >"$dir/drain.json" &
  local waiter=$!
  start_workers 'bench:{d}:' "$jobs" "$dir/d" 0
  wait "$waiter"
  wait_workers

  echo "bench: appendfsync $fsync: wake-up latency, $latency_jobs jobs 20 ms apart" >&2
  start_workers 'bench:{c}:' "$latency_jobs" "$dir/c"
  "$bench" queue-latency "$url" 'bench:{c}:' "$latency_jobs" >"$dir/latency.json"
  wait_workers
  stop_redis

  local rate=$(json "$dir/submit.json" jobs_per_s)
  local verdict_rate=$(awk -v r="$rate" 'BEGIN { print (r >= 2000) ? "PASS" : "MISS" }')
  local verdict_claim=$(awk -v p="$c99" 'BEGIN { print (p <= 50) ? "PASS" : "MISS" }')
  {
    echo "rate=$rate $verdict_rate"
    echo "submit=$(json "$dir/submit.json" submit_per_s); $(json "$dir/submit.json" all_done_s) s"
    echo "drain=$(json "$dir/drain.json" jobs_per_s)"
    echo "claim=$c50 / $c99 / $cmax"
    echo "claimgoal=$c99 $verdict_claim ($claims claims)"
    echo "wake=$(json "$dir/latency.json" p50) / $(json "$dir/latency.json" p99) / $(json "$dir/latency.json" max)"
    echo "cpu=$worker_cpu; $redis_cpu"
    echo "memory=$used $human ($keys keys)"
  } >"$tmp/$fsync.result"
}

run_variant always
run_variant everysec

# line <label> <key> <goal>: one row of the table, both policies.
line() {
  printf '%-52s %-26s %-26s %s\n' "$1" "$(sed -n "s/^$2=//p" "$tmp/always.result")" "$(sed -n "s/^$2=//p" "$tmp/everysec.result")" "$3"
}
echo
printf '%-52s %-26s %-26s %s\n' "figure ($jobs no-op jobs, $workers workers)" "appendfsync always" "appendfsync everysec" "goal"
line "A: throughput, jobs/s (first submit -> all done)" rate ">= 2,000 jobs/s"
line "A: submit rate, jobs/s (batches of 100); wall" submit ""
line "D: drain of a filled queue (claim+complete), jobs/s" drain ""
line "B: claim round trip p50 / p99 / max, ms" claim ""
line "B: claim p99, ms" claimgoal "<= 50 ms"
line "C: idle wake-up submit->claimed p50/p99/max, ms" wake ""
line "A: CPU s of $workers workers; of redis-server" cpu ""
line "used_memory after A ($jobs jobs done)" memory ""
