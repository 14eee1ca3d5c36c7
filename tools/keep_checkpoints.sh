#!/usr/bin/env bash
# Keeps every checkpoint a training run writes, as hard links in RUN/kept/ (no copies), although the
# trainer keeps only its newest few: for evaluating a run at several training times.
#
#   java -jar target/t2i.jar train ... --out RUN & tools/keep_checkpoints.sh $! RUN [INTERVAL]
set -u
pid=${1:?usage: keep_checkpoints.sh PID RUN [INTERVAL]}
run=${2:?usage: keep_checkpoints.sh PID RUN [INTERVAL]}
interval=${3:-15}
mkdir -p "$run/kept"
while kill -0 "$pid" 2>/dev/null; do
  for f in "$run"/checkpoints/step-*.t2i; do
    [ -e "$f" ] && [ ! -e "$run/kept/$(basename "$f")" ] && ln "$f" "$run/kept/" 2>/dev/null
  done
  sleep "$interval"
done
