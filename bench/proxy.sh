#!/usr/bin/env bash
# The proxy's added latency (issue 7): an open-loop load at RATE requests/s
# for SECONDS per target, on loopback, against
#
#   direct  the backend itself (a Go HTTP server answering 256 bytes)
#   runway  the Runway proxy (package proxy) in front of it, by host routing
#   nginx   Debian's nginx as a reverse proxy to the same backend, with
#           upstream keep-alive (the usual production configuration)
#
# The targets take turns (10 rounds, each turn after a 1 s warm-up), so drift
# of the machine spreads over all three; latency runs from each request's
# scheduled time to its last byte (no coordinated omission). It prints
# p50/p90/p99/p99.9/max per target, what the proxies add at p50 and p99 over
# direct, and the CPU time per 1,000 requests of the server processes of
# each row (the backend for direct; the proxy alone for runway and nginx).
# Goal (DESIGN.md): the proxy adds well under a millisecond at p99; exits 1
# when the Runway proxy adds 1 ms or more, or any request failed.
#
# Needs: go, and nginx (Debian's package: apt-get install nginx; the script
# installs it when it runs as root with apt-get at hand). Each server
# listens on a free loopback port; nothing is left behind.
#
# Usage: bench/proxy.sh [RATE] [SECONDS]   (default 1000 requests/s, 30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000}
secs=${2:-30}

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nginx..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
  else
    echo "nginx is missing: apt-get install nginx" >&2
    exit 2
  fi
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# await FILE: wait (up to 10 s) for a server to write its URL.
await() {
  for _ in $(seq 100); do
    [ -s "$1" ] && { cat "$1"; return; }
    sleep 0.1
  done
  echo "no server wrote $1" >&2
  exit 1
}

echo "building the load generator (with the Runway proxy)..." >&2
go build -o "$work/proxyload" bench/proxyload.go

"$work/proxyload" backend -ready "$work/backend.url" &
backend_pid=$!
pids+=("$backend_pid")
backend=$(await "$work/backend.url")

"$work/proxyload" proxy -backend "$backend" -ready "$work/runway.url" 2>"$work/runway.log" &
runway_pid=$!
pids+=("$runway_pid")
runway=$(await "$work/runway.url")

nginx_port=$("$work/proxyload" port)
mkdir -p "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  upstream app {
    server ${backend#http://};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$nginx_port/" 2>/dev/null && break
  sleep 0.1
done
nginx_pids=$(echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true) | tr ' ' '+')

echo "$(nproc) cores; $("$nginx_bin" -v 2>&1); $(go version)" >&2
"$work/proxyload" load -rate "$rate" -duration "${secs}s" -rounds 10 -warmup 1s -goal 1ms -goal-target runway \
  -target "direct=$backend/,pids=$backend_pid" \
  -target "runway=$runway/,host=bench.production.localhost,pids=$runway_pid" \
  -target "nginx=http://127.0.0.1:$nginx_port/,pids=$nginx_pids"
