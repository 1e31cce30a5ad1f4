#!/usr/bin/env bash
# Measures `runway check` on every scaffolded template: wall time, the time
# of the app's own commands on the critical path (build, then the slower of
# lint and test, which run concurrently), and Runway's overhead beyond them.
# For comparison it also times the same commands run by hand, one after the
# other, as a CI job without Runway would.
#
# Usage: bench/check-templates.sh [RUNS]   (default 3 warm runs per template)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/runway" ./cmd/runway
rw="$work/runway"

ms() { date +%s%3N; }
printf '%-12s %4s %10s %12s %10s %12s\n' template run wall_ms commands_ms overhead_ms by_hand_ms
for t in static-site node-api go-api; do
  dir="$work/$t"
  "$rw" new "$t" "$dir" --name demo --owner bench --yes >/dev/null
  "$rw" check "$dir" --quiet --format json >/dev/null # warm caches (npm, Go)
  build=$(sed -n 's/^  build: //p' "$dir/runway.yaml")
  lint=$(sed -n 's/^  lint: //p' "$dir/runway.yaml")
  test=$(sed -n 's/^  test: //p' "$dir/runway.yaml")
  for i in $(seq 1 "$runs"); do
    start=$(ms)
    "$rw" check "$dir" --quiet --format json >"$work/report.json"
    wall=$(( $(ms) - start ))
    critical=$(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
d={c["name"]:c["duration_ms"] for c in r["checks"]}
print(d.get("build",0)+max(d.get("lint",0),d.get("test",0)))' "$work/report.json")
    start=$(ms)
    (cd "$dir" && sh -c "$build" && sh -c "$lint" && sh -c "$test") >/dev/null 2>&1
    hand=$(( $(ms) - start ))
    printf '%-12s %4d %10d %12d %10d %12d\n' "$t" "$i" "$wall" "$critical" $(( wall - critical )) "$hand"
  done
done
