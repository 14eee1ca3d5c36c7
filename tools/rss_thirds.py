#!/usr/bin/env python3
"""Summarises a tools/rss_sample.sh CSV the way docs/RELIABILITY.md reports long runs: the peak
resident memory of the first, middle and last third of the run, the last third's peak over the
first third's, the highest sample, and threads and open descriptors at the start and the end.

    python3 tools/rss_thirds.py runs/cifar/rss.csv [more.csv ...]

Exits 1 when a run's last-third peak is more than --tolerance (default 0.10) above its first-third
peak, so it can end a scripted soak.
"""
import argparse
import csv
import sys


def summary(path):
    rows = [r for r in csv.DictReader(open(path)) if r.get("rss_mb")]
    if len(rows) < 3:
        sys.exit(f"{path}: fewer than 3 samples")
    end = int(rows[-1]["s"])

    def peak(lo, hi):
        v = [int(r["rss_mb"]) for r in rows if lo <= int(r["s"]) < hi]
        return max(v) if v else None

    first, middle, last = peak(0, end / 3), peak(end / 3, 2 * end / 3), peak(2 * end / 3, end + 1)
    return {
        "file": path, "samples": len(rows), "seconds": end, "first": first, "middle": middle, "last": last,
        "ratio": last / first, "max": max(int(r["rss_mb"]) for r in rows),
        "threads": (rows[1]["threads"], rows[-1]["threads"]), "fds": (rows[1]["fds"], rows[-1]["fds"]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--tolerance", type=float, default=0.10)
    args = ap.parse_args()
    failed = False
    for path in args.csv:
        s = summary(path)
        ok = s["ratio"] <= 1 + args.tolerance
        failed |= not ok
        print(f"{s['file']}: {s['samples']} samples over {s['seconds']} s; peak RSS first third {s['first']} MB, "
              f"middle {s['middle']} MB, last third {s['last']} MB (x{s['ratio']:.3f}, "
              f"{'within' if ok else 'OVER'} {args.tolerance:.0%}); highest {s['max']} MB; "
              f"threads {s['threads'][0]} -> {s['threads'][1]}; fds {s['fds'][0]} -> {s['fds'][1]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
