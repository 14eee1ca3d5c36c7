#!/usr/bin/env python3
"""Ratios of t2i's times to PyTorch's from tools/bench_rounds.sh output ("round side workload name
value unit" lines on stdin): one line per workload with each round's ratio and their median.
Below 1, t2i is faster. PyTorch's CFG sampling counts the faster of its two ways (one batch of
cond + uncond, or two passes)."""
import statistics
import sys
from collections import defaultdict

# workload -> (t2i's figure, PyTorch's figures: the smallest counts)
FIGURES = {
    "train-step": ("train_step_ms", ["train_step_ms"]),
    "ten-images": ("sample_s", ["sample_s", "sample_two_pass_s"]),
    "one-image": ("sample_s", ["sample_s", "sample_two_pass_s"]),
    "encode77": ("encode_1_s", ["encode_1_s"]),
    "encode24": ("encode_1_s", ["encode_1_s"]),
}


def main() -> None:
    values = defaultdict(dict)   # (round, side, workload) -> {name: value}
    for line in sys.stdin:
        parts = line.split()
        if len(parts) >= 5:
            try:
                values[(parts[0], parts[1], parts[2])][parts[3]] = float(parts[4])
            except ValueError:
                pass
    rounds = sorted({k[0] for k in values}, key=int)
    print("ratio t2i / PyTorch (below 1: t2i faster)")
    for workload, (mine, theirs) in FIGURES.items():
        ratios = []
        for r in rounds:
            a = values.get((r, "t2i", workload), {}).get(mine)
            b = [values.get((r, "torch", workload), {}).get(n) for n in theirs]
            b = [x for x in b if x]
            if a and b:
                ratios.append(a / min(b))
        if ratios:
            each = " / ".join(f"{x:.2f}" for x in ratios)
            print(f"{workload:12s} {each}   median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
