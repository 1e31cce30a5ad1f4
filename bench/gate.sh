#!/usr/bin/env bash
# The supply-chain gate, side by side with the peer chain, on the same
# inputs in one run (issue 3):
#
#   peers:  gitleaks dir  +  syft (CycloneDX and SPDX)  +  osv-scanner (offline)  +  opa eval
#   runway: runway check --skip build,lint,test,sast   (secrets, inventory, vulnerabilities,
#           both SBOMs, policy) and, for information, the same with static analysis
#
# Inputs: the node-api template's code with a real npm dependency set (express, axios,
# winston, pg, eslint, mocha...: ~280 packages), once with node_modules installed and once
# with the lockfile alone; a synthetic OSV database of 20,000 npm advisories in osv.dev's
# all.zip format (bench/osvgen.py), imported into Runway's database and given to
# osv-scanner as its offline database.
#
# Prints, per input and tool, the median wall time and CPU time (user + system) of RUNS
# warm runs and the peak RSS, then the ratio of the peer chain's summed wall time to
# Runway's, and Runway's peak RSS against syft's. Goals: ratio >= 4 on both inputs, Runway's
# peak RSS <= half of syft's, the lockfile-only gate under 300 ms.
#
# Peers are built once from the Go module proxy into the user's cache (never committed).
# Needs: go, npm, python3, /usr/bin/time (Debian package: time).
#
# Usage: bench/gate.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
repo=$(pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/runway-test"
peers="$cache/peers"
[ -x /usr/bin/time ] || { echo "bench/gate.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

build_peer() { # name module@version
  if [ ! -x "$peers/$1" ]; then
    echo "building $2 (once)..." >&2
    GOBIN="$peers" go install "$2"
  fi
}
build_peer gitleaks github.com/zricethezav/gitleaks/v8@v8.30.1
build_peer syft github.com/anchore/syft/cmd/syft@v1.57.1
build_peer osv-scanner github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.1
build_peer opa github.com/open-policy-agent/opa@v1.20.2
export SYFT_CHECK_FOR_APP_UPDATE=false

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/runway" ./cmd/runway
rw="$work/runway"

# The dependency set, installed once by the inventory benchmark.
go test ./scanner/inventory -run '^$' -bench '^BenchmarkScan$' -benchtime 1x >/dev/null
deps="$cache/bench-node-app"

# The two inputs: the template's code with that dependency set.
for kind in installed lockfile-only; do
  app="$work/$kind"
  "$rw" new node-api "$app" --name expense-approvals --owner finance --yes >/dev/null
  cp "$deps/package.json" "$deps/package-lock.json" "$app/"
  [ "$kind" = installed ] && cp -a "$deps/node_modules" "$app/"
done

# One vulnerability database for both tools.
python3 bench/osvgen.py "$deps/package-lock.json" "$work/osv" 20000 >&2
export RUNWAY_VULN_DB="$work/runway-db"
"$rw" db import "$work/osv/npm/all.zip" >/dev/null
mkdir -p "$work/osv-scanner-cache/osv-scalibr"
cp -r "$work/osv/npm" "$work/osv-scanner-cache/osv-scalibr/"
export OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$work/osv-scanner-cache"

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# measure CMD...: "median_wall_ms median_cpu_ms max_rss_mb" over $runs runs after one
# warm-up. Exit codes are ignored: a blocked gate or found vulnerabilities exit non-zero.
measure() {
  local walls=() cpus=() peak=0
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -o "$work/time" -f "%e %U %S %M" "$@" >/dev/null 2>"$work/stderr" || true
    read -r wall user sys rss < <(tail -n 1 "$work/time")
    walls+=("$(awk -v w="$wall" 'BEGIN{printf "%d", w*1000}')")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%d", (u+s)*1000}')")
    (( rss > peak )) && peak=$rss
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $((peak / 1024))"
}

row() { printf '%-14s %-30s %9s %9s %11s\n' "$@"; }
row input tool wall_ms cpu_ms max_rss_mb
for kind in installed lockfile-only; do
  app="$work/$kind"
  "$rw" check "$app" --quiet --format json --skip build,lint,test >/dev/null || true # writes policy-input.json
  cp "$app/.runway/policy-input.json" "$work/input.json"
  read -r gl_ms gl_cpu gl_mb < <(measure "$peers/gitleaks" dir "$app" --no-banner --report-path "$work/gitleaks.json")
  read -r sy_ms sy_cpu sy_mb < <(measure "$peers/syft" -q "dir:$app" -o "cyclonedx-json=$work/syft.cdx.json" -o "spdx-json=$work/syft.spdx.json")
  read -r os_ms os_cpu os_mb < <(measure "$peers/osv-scanner" scan source --offline-vulnerabilities --format json -r "$app")
  read -r op_ms op_cpu op_mb < <(measure "$peers/opa" eval -d "$repo/opa/policies" -i "$work/input.json" 'data.runway')
  read -r rw_ms rw_cpu rw_mb < <(measure "$rw" check "$app" --quiet --format json --skip build,lint,test,sast)
  read -r rs_ms rs_cpu rs_mb < <(measure "$rw" check "$app" --quiet --format json --skip build,lint,test)
  row "$kind" "gitleaks dir" "$gl_ms" "$gl_cpu" "$gl_mb"
  row "$kind" "syft (CycloneDX + SPDX)" "$sy_ms" "$sy_cpu" "$sy_mb"
  row "$kind" "osv-scanner (offline)" "$os_ms" "$os_cpu" "$os_mb"
  row "$kind" "opa eval (built-in bundle)" "$op_ms" "$op_cpu" "$op_mb"
  peers_ms=$((gl_ms + sy_ms + os_ms + op_ms))
  row "$kind" "peer chain (sum)" "$peers_ms" "$((gl_cpu + sy_cpu + os_cpu + op_cpu))" "$sy_mb"
  row "$kind" "runway check (same work)" "$rw_ms" "$rw_cpu" "$rw_mb"
  row "$kind" "runway check (+ static analysis)" "$rs_ms" "$rs_cpu" "$rs_mb"
  awk -v p="$peers_ms" -v r="$rw_ms" -v rm="$rw_mb" -v sm="$sy_mb" -v k="$kind" 'BEGIN{
    printf "%-14s speed-up %.1fx (goal >= 4x); peak RSS %d MB = %.0f%% of syft'"'"'s (goal <= 50%%)\n\n", k, p/(r>0?r:1), rm, 100*rm/(sm>0?sm:1) }'
done
