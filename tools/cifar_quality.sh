#!/usr/bin/env bash
# The CIFAR-10 quality measurements of docs/RESULTS.md in one script: a cifar-cpu run's samples as a
# distribution (t2i evaluate) at its own sampling defaults, a guidance sweep, and the frontier over
# checkpoints kept while it trained (tools/keep_checkpoints.sh), then the plots and tables.
#
#   tools/cifar_quality.sh RUN JUDGE.zip CIFAR.zip [N] [SWEEP_N] [CFG_LIST]
#
# RUN        the run folder of `t2i train --preset cifar-cpu`; every checkpoint in RUN/kept/ is evaluated
#            too (tools/keep_checkpoints.sh keeps them all: delete those you do not want first)
# JUDGE.zip  the classifier from `t2i train-classifier`
# N          images for the run's own evaluation (default 1000: 100 per class)
# SWEEP_N    images per guidance scale in the sweep, and per point of the frontier (default 300)
# CFG_LIST   guidance scales of the sweep (default 1,2,3,4.5,6,8,10)
# Writes RUN/eval/{final,cfg-*,step-*}/ (report.json, samples.png, confusion.png) and RUN/eval/*.png.
set -euo pipefail
run=${1:?usage: cifar_quality.sh RUN JUDGE.zip CIFAR.zip [N] [SWEEP_N] [CFG_LIST]}
judge=${2:?judge classifier zip}
data=${3:?CIFAR-10 zip}
n=${4:-1000}
sweep_n=${5:-300}
cfgs=${6:-1,2,3,4.5,6,8,10}
jar=${T2I_JAR:-target/t2i.jar}
out="$run/eval"
mkdir -p "$out"
evaluate() { java -jar "$jar" evaluate --classifier "$judge" --data "$data" "$@" 2>&1 | grep -v '^\[' ; }

evaluate --model "$run" --n "$n" --out "$out/final" | tee "$out/final.txt"

sweep=()
for w in ${cfgs//,/ }; do
  evaluate --model "$run" --n "$sweep_n" --cfg "$w" --out "$out/cfg-$w" > "$out/cfg-$w.txt"
  sweep+=("$out/cfg-$w")
done
(IFS=,; java -jar "$jar" plot-evaluations --reports "${sweep[*]}" --by cfg --out "$out/cfg") | tee "$out/cfg.md"

# the frontier's points all of SWEEP_N images (a Fréchet distance's bias depends on N)
frontier=()
for ckpt in "$run"/kept/step-*.t2i; do
  [ -e "$ckpt" ] || continue
  name=$(basename "$ckpt" .t2i)
  evaluate --model "$ckpt" --n "$sweep_n" --out "$out/$name" > "$out/$name.txt"
  frontier+=("$out/$name")
done
evaluate --model "$run" --n "$sweep_n" --out "$out/end" > "$out/end.txt"
frontier+=("$out/end")
(IFS=,; java -jar "$jar" plot-evaluations --reports "${frontier[*]}" --by minutes --out "$out/frontier") \
  | tee "$out/frontier.md"
