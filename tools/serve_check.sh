#!/usr/bin/env bash
# Starts one `t2i serve` on 127.0.0.1, times how long until GET /health answers 200 (before that
# the port is closed: the bundle loads before the server listens), runs tools/load_test.py
# against it, and reports the server process's CPU seconds per request (from /proc), which
# holds whatever else the machine runs. WARMUP (default 8) requests go first and are not counted.
# JAVA_OPTS go to the server (e.g. -Dsun.net.httpserver.maxRspTime=600 on a loaded machine, where
# a request can take longer than the JDK server's 60 s response limit), SERVE_OPTS to `t2i serve`
# (e.g. --request-timeout 900 there). Stops the server at the end.
#   WARMUP=4 tools/serve_check.sh MODEL.t2i [PORT] [load_test.py options: --concurrency, --requests, --steps]
set -euo pipefail
model="$1"; shift
port="${1:-18080}"; [ $# -gt 0 ] && shift
jar="$(dirname "$0")/../target/t2i.jar"
java ${JAVA_OPTS:-} -jar "$jar" serve --model "$model" --port "$port" ${SERVE_OPTS:-} > "${TMPDIR:-/tmp}/t2i-serve-$port.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
start=$(date +%s.%N)
refused=0
until curl -sf "http://127.0.0.1:$port/health" > /dev/null; do
  refused=$((refused + 1))
  kill -0 $pid 2>/dev/null || { echo "server exited:"; cat "${TMPDIR:-/tmp}/t2i-serve-$port.log"; exit 1; }
  sleep 0.5
done
ready=$(echo "$(date +%s.%N) - $start" | bc)
echo "ready after ${ready} s (health checks refused before: $refused)"
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$pid/stat"; }
python3 "$(dirname "$0")/load_test.py" "http://127.0.0.1:$port" "$@" --warmup 0 --requests "${WARMUP:-8}" \
    | sed 's/^/warm-up: /'
c0=$(cpu)
python3 "$(dirname "$0")/load_test.py" "http://127.0.0.1:$port" --warmup 0 "$@" | tee "${TMPDIR:-/tmp}/t2i-load-$port.txt"
c1=$(cpu)
n=$(sed -n 's/.*: \([0-9]*\) requests in.*/\1/p' "${TMPDIR:-/tmp}/t2i-load-$port.txt")
echo "server CPU for those $n requests: $(echo "$c1 - $c0" | bc) s, $(echo "scale=3; ($c1 - $c0) / $n" | bc) s per request"
