#!/usr/bin/env bash
# Times the seed workloads on each of ND4J's CPU native builds, alternated with the PyTorch peer,
# round after round; prints one line per measurement: round build name value unit.
#   tools/bench_native_builds.sh JAR ROUNDS [BUILD...]
# BUILD is generic, avx2, avx512, onednn, onednn-avx2 or onednn-avx512; each non-generic build's
# jar (org.nd4j:nd4j-native:1.0.0-M2.1:<linux-x86_64-BUILD>) must be in ~/.m2.
set -euo pipefail
jar=${1:?t2i.jar}; rounds=${2:-1}; shift 2 || true
builds=("$@"); [ ${#builds[@]} -gt 0 ] || builds=(generic avx2 avx512 onednn onednn-avx2 onednn-avx512)
repo=~/.m2/repository/org/nd4j/nd4j-native/1.0.0-M2.1
here=$(cd "$(dirname "$0")" && pwd)
run_t2i() { # build workload args...
  local b=$1; shift
  local cp=$jar ext=""
  if [ "$b" != generic ]; then cp=$jar:$repo/nd4j-native-1.0.0-M2.1-linux-x86_64-$b.jar; ext=-$b; fi
  java -Xmx6g -Dorg.bytedeco.javacpp.platform.extension=$ext -cp "$cp" dev.t2i.cli.Main bench "$@" 2>/dev/null
}
for r in $(seq 1 "$rounds"); do
  for b in "${builds[@]}" torch; do
    for w in train-step sample encode; do
      if [ "$b" = torch ]; then
        out=$(python3 "$here/peer_bench.py" "$w" --threads 2 2>/dev/null || true)
      else
        out=$(run_t2i "$b" "$w" || true)
      fi
      echo "$out" | grep -v '^#' | grep . | sed "s/^/$r $b /"
    done
  done
done
