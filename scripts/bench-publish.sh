#!/usr/bin/env bash
# Publish benchmark (issue 4): a generated ~500 MB / 20,000-file dump published to the local rig
# (nginx + git http-backend + the GitLab stand-in on loopback) by `dumpyard publish`, against
# `git push` of the same commit from a normal repository into another project; then a second
# build with 1 % of its files changed (made from the first with git, on its own branch) published
# by dumpyard: the bytes it sends against the first push's.
# Goals: dumpyard at least 3x faster than git push; the second build sends under 2 % of the bytes.
# Usage: scripts/bench-publish.sh          (SIZE_MB=500 FILES=20000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size_mb=${SIZE_MB:-500}
files=${FILES:-20000}
cache=/var/tmp/dumpyard-bench-publish
mkdir -p "$cache"
firmware="$cache/firmware-$files-$size_mb.zip"
if [ ! -f "$firmware" ]; then
  echo "bench: generating a $size_mb MB firmware with $files files (a few minutes)" >&2
  fixtures/make-sample-firmware.sh --files "$files" --size-mb "$size_mb" --out "$firmware" >/dev/null
fi
swift build -c release --product dumpyard >/dev/null
dumpyard=$PWD/.build/release/dumpyard
run=$(mktemp -d /var/tmp/bench-publish.XXXXXX)
python3 fixtures/rig/rig.py start --dir "$run/rig" >"$run/rig.json"
trap 'python3 fixtures/rig/rig.py stop --dir "$run/rig" >/dev/null 2>&1 || true; rm -rf "$run"' EXIT
url=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$run/rig.json")
token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$run/rig.json")
export GITLAB_URL=$url DUMPER_TOKEN=$token GITLAB_ROOT_GROUP=dumps DUMPYARD_HOME=$run/home LFS_THRESHOLD=0

echo "bench: dumping it" >&2
summary=$("$dumpyard" dump "$firmware" --out "$run/dumps" --json)
repo=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["repository"])' "$summary")
branch=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["branch"])' "$summary")
objects=$(git --git-dir "$repo" rev-list --objects "refs/heads/$branch" | wc -l)
echo "dump: $(git --git-dir "$repo" ls-tree -r "refs/heads/$branch" | wc -l) files, $objects objects, repository $(du -sh "$repo" | cut -f1)" >&2

# Seconds and CPU of a command; its stdout goes to $run/out.
timed() { /usr/bin/time -f "%e %U %S" -o "$run/time" "$@" >"$run/out"; read -r wall user sys <"$run/time"; echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"; }
# Bytes the server received for git-receive-pack since the last call.
received() {
  curl -s "$url/-/rig/git-requests" | python3 -c '
import json, sys
requests = [r for r in json.load(sys.stdin) if r["path"].endswith("/git-receive-pack")]
print(sum(r["request_bytes"] for r in requests))'
}

read -r d_wall d_cpu < <(timed "$dumpyard" publish "$repo" "$branch" --json)
first_bytes=$(received)

# git push of the same commit from a normal (non-bare, checked-out) repository into another project.
git clone -q --branch "$branch" "$repo" "$run/normal"
group=$(curl -s -H "PRIVATE-TOKEN: $token" "$url/api/v4/groups/dumps" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
curl -s -o /dev/null -H "PRIVATE-TOKEN: $token" -H 'Content-Type: application/json' \
  -d "{\"path\": \"gitpush\", \"namespace_id\": $group}" "$url/api/v4/projects"
remote="${url/:\/\//://oauth2:$token@}/dumps/gitpush.git"
read -r g_wall g_cpu < <(timed git -C "$run/normal" push -q "$remote" "HEAD:refs/heads/$branch")
git_bytes=$(( $(received) - first_bytes ))

# The second build: 1 % of the files changed (one byte appended), committed on its own branch.
git -C "$run/normal" checkout -q -b second
git -C "$run/normal" ls-files | awk 'NR % 100 == 0' | while IFS= read -r path; do
  [ -L "$run/normal/$path" ] || printf 'x' >>"$run/normal/$path"
done
git -C "$run/normal" -c user.name=bench -c user.email=bench@localhost commit -qam "second build"
git -C "$run/normal" push -q "$repo" second:refs/heads/second
changed=$(git -C "$run/normal" diff --name-only "$branch" second | wc -l)
read -r s_wall s_cpu < <(timed "$dumpyard" publish "$repo" second --json)
second_bytes=$(( $(received) - first_bytes - git_bytes ))

printf '%-52s %8s %8s %14s\n' "publish to the rig ($files files, $size_mb MB)" "wall s" "CPU s" "bytes sent"
printf '%-52s %8s %8s %14s\n' "dumpyard publish (first build, pack from the store)" "$d_wall" "$d_cpu" "$first_bytes"
printf '%-52s %8s %8s %14s\n' "git push from a normal repository" "$g_wall" "$g_cpu" "$git_bytes"
printf '%-52s %8s %8s %14s\n' "dumpyard publish, second build ($changed files changed; libgit2: not in the store)" "$s_wall" "$s_cpu" "$second_bytes"
awk -v d="$d_wall" -v g="$g_wall" -v f="$first_bytes" -v s="$second_bytes" 'BEGIN {
  printf "git push / dumpyard = %.2fx (goal >= 3x); second build sent %.2f%% of the first (goal < 2%%)\n", g / d, 100 * s / f }'
