#!/usr/bin/env bash
# How to split a machine's cores for training: every workers x threads split of the cores (workers
# run shards of the batch side by side; threads run inside each op), timed by `t2i bench
# train-step`, one table row per split. For a machine with more cores than this project's two
# (platform.CoreSplit's rule past 4 cores was derived, not measured): run it there and compare the
# rows with what CoreSplit picks (the row marked *).
#
#   tools/core_split.sh JAR [PRESET] [BATCH] [CORES] [REPS]
#
# PRESET  seed (default) or cifar-cpu or any preset; BATCH images per step (default 64);
# CORES   cores to split (default: all, nproc); REPS timed steps per split (default 3).
# Prints: workers, threads, step seconds, images/s, images per CPU-hour (images/s x 3600 / cores).
set -euo pipefail
jar=${1:?usage: core_split.sh JAR [PRESET] [BATCH] [CORES] [REPS]}
preset=${2:-seed}
batch=${3:-64}
cores=${4:-$(nproc)}
reps=${5:-3}
# CoreSplit.of(cores, null, null): one worker per core up to 4, the rest of the cores to each op
dw=$(( cores < 4 ? cores : 4 )); dt=$(( cores / dw ))
echo "# $preset, batch $batch, $cores cores, $reps reps; $(date -u +%F) $(git rev-parse --short HEAD 2>/dev/null || true)"
echo "# CoreSplit's choice: $dw workers x $dt threads (marked *)"
echo "| workers | threads | step s | images/s | images per CPU-hour |"
echo "|---:|---:|---:|---:|---:|"
for (( w = 1; w <= cores; w *= 2 )); do
  t=$(( cores / w ))
  (( batch % w == 0 )) || continue
  out=$(OMP_NUM_THREADS=$t java -jar "$jar" bench train-step --preset "$preset" --batch "$batch" --workers "$w" \
        --threads "$t" --reps "$reps" 2>/dev/null)
  ips=$(awk '$1 == "train_images_per_s" {print $2}' <<<"$out")
  [ -n "$ips" ] || { echo "| $w | $t | failed | | |"; continue; }
  mark=""
  [ "$w" = "$dw" ] && [ "$t" = "$dt" ] && mark=" *"
  awk -v w="$w" -v t="$t" -v b="$batch" -v ips="$ips" -v c="$cores" -v m="$mark" \
    'BEGIN { printf "| %d%s | %d | %.3f | %.1f | %.0f |\n", w, m, t, b / ips, ips, ips * 3600 / c }'
done
