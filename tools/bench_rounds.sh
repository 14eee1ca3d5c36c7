#!/usr/bin/env bash
# Alternates t2i and the PyTorch peer on the issue-14 workloads, round after round, on the jar's
# default native build; prints "round side workload name value unit" lines.
#   tools/bench_rounds.sh JAR ROUNDS [OLD_JAR]
# Workloads: the seed training step (time, peak RSS), CLIP encode of 64 prompts and of one at 77
# and at 24 positions (a DiT with context_len 24 reads no more), one image with 50 Euler CFG steps.
# OLD_JAR, if given, also runs the training step, for memory comparisons between versions.
# Also CFG sampling of 10 images x 50 steps; at the end, tools/peer_ratios.py prints t2i's time
# over PyTorch's per workload and round (below 1: t2i is faster).
set -uo pipefail
jar=${1:?t2i.jar}; rounds=${2:-1}; old=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
t2i() { java -cp "$1" dev.t2i.cli.Main bench "${@:2}" 2>&1; }
torch() { python3 "$here/peer_bench.py" "$@" 2>&1; }
emit() { grep -E '^[a-z_0-9]+ [0-9.]+ ' | sed "s/^/$1 $2 $3 /"; }
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
for r in $(seq 1 "$rounds"); do
  [ -n "$old" ] && t2i "$old" train-step --reps 3 | emit "$r" old train-step
  t2i "$jar" train-step --reps 3 | emit "$r" t2i train-step
  torch train-step --reps 3 | emit "$r" torch train-step
  for n in 77 24; do
    t2i "$jar" encode --positions "$n" --reps 7 | emit "$r" t2i "encode$n"
    torch encode --positions "$n" --reps 7 | emit "$r" torch "encode$n"
  done
  t2i "$jar" sample --images 1 --steps 50 --reps 5 | emit "$r" t2i one-image
  torch sample --images 1 --steps 50 --reps 5 | emit "$r" torch one-image
  t2i "$jar" sample --images 10 --steps 50 --reps 3 | emit "$r" t2i ten-images
  torch sample --images 10 --steps 50 --reps 3 | emit "$r" torch ten-images
done | tee "$lines"
python3 "$here/peer_ratios.py" < "$lines"
