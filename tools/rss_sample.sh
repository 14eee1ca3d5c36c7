#!/usr/bin/env bash
# Samples a running process every INTERVAL seconds (default 30) until it exits, as CSV:
# seconds since start, resident memory (MB), threads, open file descriptors, and for a JVM the Java
# heap used / committed (MB, read with jstat, which does not attach to the process).
#
#   tools/rss_sample.sh PID runs/cifar/rss.csv [INTERVAL]
#   java -jar target/t2i.jar train ... & tools/rss_sample.sh $! rss.csv
set -u
pid=${1:?usage: rss_sample.sh PID OUT.csv [INTERVAL]}
out=${2:?usage: rss_sample.sh PID OUT.csv [INTERVAL]}
interval=${3:-30}
[ -r "/proc/$pid/status" ] || { echo "rss_sample.sh: no process $pid (Linux /proc needed)" >&2; exit 2; }
t0=$(date +%s)
echo "s,rss_mb,threads,fds,heap_used_mb,heap_committed_mb" > "$out"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status" 2>/dev/null)
  threads=$(awk '/Threads/{print $2}' "/proc/$pid/status" 2>/dev/null)
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
  heap=","
  if command -v jstat >/dev/null 2>&1; then
    # S0U S1U EU OU used, S0C S1C EC OC committed (KB)
    heap=$(jstat -gc "$pid" 2>/dev/null | awk 'NR==2{printf "%d,%d", ($3+$4+$6+$8)/1024, ($1+$2+$5+$7)/1024}')
    [ -n "$heap" ] || heap=","
  fi
  [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )),$rss,$threads,$fds,$heap" >> "$out"
  sleep "$interval"
done
