#!/usr/bin/env bash
# Measures Runway's dependency inventory plus both SBOMs (CycloneDX 1.6 and
# SPDX 2.3) against syft writing one CycloneDX SBOM, on the same real Node
# app (282 npm packages: express, axios, winston, pg, eslint, mocha...),
# once with node_modules installed and once with the lockfile alone. It
# prints, per tool and folder, the median wall time and CPU time (user +
# system; steadier than wall time on a busy machine) of RUNS runs and the
# largest peak memory (max RSS), as /usr/bin/time sees the process.
#
# The app is installed with `npm ci` into the user's cache by the inventory
# benchmark (never committed). syft is built once from the Go module proxy
# into the same cache (v1.45.0 is refused there; v1.57.1 builds with Go
# 1.26), or taken from $SYFT. Needs: go, npm, /usr/bin/time (Debian: time).
#
# Usage: bench/sbom.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/runway-test"
syft_version=v1.57.1
[ -x /usr/bin/time ] || { echo "bench/sbom.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

# The app, installed and lockfile-only (created once by the benchmark).
go test ./scanner/inventory -run '^$' -bench '^BenchmarkScan$' -benchtime 1x >/dev/null
installed="$cache/bench-node-app"
lockonly="$cache/bench-node-app-lockfile-only"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/runway-sbom" bench/sbomrss.go

syft=${SYFT:-$cache/syft-$syft_version/syft}
if [ ! -x "$syft" ]; then
  echo "building syft $syft_version (once; takes minutes)..." >&2
  GOBIN="$(dirname "$syft")" go install "github.com/anchore/syft/cmd/syft@$syft_version"
fi
export SYFT_CHECK_FOR_APP_UPDATE=false

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# measure CMD...: prints "median_wall_ms median_cpu_ms max_rss_mb" over $runs runs.
measure() {
  local walls=() cpus=() peak=0
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -o "$work/time" -f "%e %U %S %M" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r wall user sys rss <"$work/time"
    walls+=("$(awk -v w="$wall" 'BEGIN{printf "%d", w*1000}')")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%d", (u+s)*1000}')")
    (( rss > peak )) && peak=$rss
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $((peak / 1024))"
}

printf '%-14s %-8s %10s %10s %12s\n' folder tool wall_ms cpu_ms max_rss_mb
for kind in installed lockfile-only; do
  dir=$installed
  [ "$kind" = lockfile-only ] && dir=$lockonly
  read -r rw_ms rw_cpu rw_mb < <(measure "$work/runway-sbom" -dir "$dir")
  read -r sy_ms sy_cpu sy_mb < <(measure "$syft" -q "dir:$dir" -o "cyclonedx-json=$work/syft.cdx.json")
  printf '%-14s %-8s %10s %10s %12s\n' "$kind" runway "$rw_ms" "$rw_cpu" "$rw_mb"
  printf '%-14s %-8s %10s %10s %12s\n' "$kind" syft "$sy_ms" "$sy_cpu" "$sy_mb"
  awk -v a="$sy_ms" -v b="$rw_ms" -v e="$sy_cpu" -v f="$rw_cpu" -v c="$sy_mb" -v d="$rw_mb" -v k="$kind" \
    'BEGIN{printf "%-14s runway: %.0fx less wall time, %.0fx less CPU, %.0f%% of syft'"'"'s peak memory\n", k, a/(b>0?b:1), e/(f>0?f:1), 100*d/(c>0?c:1)}'
done
