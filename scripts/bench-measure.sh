# Sourced by the benchmark scripts. measure DIR COMMAND…: runs COMMAND under /usr/bin/time -v
# (its output and the timing log go to DIR) and prints "wall cpu rss_mb" (seconds, seconds, MB).
measure_in() {
  local dir=$1; shift
  local log="$dir/time.log"
  /usr/bin/time -v "$@" >"$dir/cmd.log" 2>"$log" || { cat "$dir/cmd.log" "$log" >&2; return 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
    /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%.2f %.2f %.0f\n", wall, user + sys, rss }' "$log"
}
