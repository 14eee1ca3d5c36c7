#!/usr/bin/env python3
"""Ring-allreduce arithmetic for data-parallel training of a t2i model (docs/SCALING.md).

    python3 tools/allreduce_estimate.py --params 18145072 --step-seconds 1.6
    python3 tools/allreduce_estimate.py --params 18145072 --step-seconds 1.6 --measure-loopback

A ring allreduce of B bytes over N nodes sends and receives 2(N-1)/N x B per node (reduce-scatter,
then all-gather), in 2(N-1) rounds. Time = 2(N-1)/N x B / bandwidth + 2(N-1) x latency. The
gradient is fp32 (4 bytes per parameter) unless --bytes-per-param says otherwise. With
--measure-loopback the script also times B bytes sent through a TCP socket on 127.0.0.1 (the
best case of the plain-socket path on this machine; no network is touched) and the elementwise
sum of two fp32 vectors of that size (the arithmetic of the reduce step; with numpy, one core).
"""
import argparse
import socket
import threading
import time


def ring_seconds(nbytes, nodes, gbit, latency_s):
    if nodes < 2:
        return 0.0
    wire = 2 * (nodes - 1) / nodes * nbytes
    return wire / (gbit * 1e9 / 8) + 2 * (nodes - 1) * latency_s


def loopback_seconds(nbytes, reps=3):
    """Best of reps: send nbytes from one socket to another on 127.0.0.1."""
    best = float("inf")
    payload = bytes(1 << 20)
    for _ in range(reps):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        got = {"n": 0}

        def receive():
            conn, _ = srv.accept()
            buf = bytearray(1 << 20)
            view = memoryview(buf)
            while got["n"] < nbytes:
                k = conn.recv_into(view)
                if k == 0:
                    break
                got["n"] += k
            conn.close()

        t = threading.Thread(target=receive)
        t.start()
        c = socket.create_connection(("127.0.0.1", port))
        t0 = time.perf_counter()
        sent = 0
        while sent < nbytes:
            chunk = payload[: min(len(payload), nbytes - sent)]
            c.sendall(chunk)
            sent += len(chunk)
        t.join()
        best = min(best, time.perf_counter() - t0)
        c.close()
        srv.close()
    return best


def sum_seconds(params, reps=5):
    try:
        import numpy as np
    except ImportError:
        return None
    a = np.ones(params, dtype=np.float32)
    b = np.ones(params, dtype=np.float32)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        np.add(a, b, out=a)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--params", type=int, required=True)
    ap.add_argument("--bytes-per-param", type=int, default=4)
    ap.add_argument("--step-seconds", type=float, required=True, help="measured compute time of one step")
    ap.add_argument("--nodes", default="2,4,8,16,64")
    ap.add_argument("--gbit", default="10,25,100")
    ap.add_argument("--latency-us", type=float, default=30.0, help="per-message latency (TCP in one rack: 20-50)")
    ap.add_argument("--measure-loopback", action="store_true")
    a = ap.parse_args()
    nbytes = a.params * a.bytes_per_param
    nodes = [int(x) for x in a.nodes.split(",")]
    gbits = [float(x) for x in a.gbit.split(",")]
    print(f"gradient: {a.params:,} parameters x {a.bytes_per_param} B = {nbytes:,} B ({nbytes / 1e6:.2f} MB)")
    print(f"step compute time: {a.step_seconds:.3f} s; latency {a.latency_us:.0f} us per message")
    print("allreduce time per step (its share of compute + allreduce when they do not overlap)")
    print("nodes  sent per node   " + "".join(f"{f'{g:g} Gb/s':>22}" for g in gbits))
    for n in nodes:
        traffic = 2 * (n - 1) / n * nbytes
        cells = []
        for g in gbits:
            s = ring_seconds(nbytes, n, g, a.latency_us * 1e-6)
            cells.append(f"{s * 1000:9.1f} ms ({s / (a.step_seconds + s) * 100:4.1f} %)")
        print(f"{n:5d}  {traffic / 1e6:9.2f} MB  " + "".join(f"{c:>22}" for c in cells))
    if a.measure_loopback:
        s = loopback_seconds(nbytes)
        print(f"loopback TCP, {nbytes / 1e6:.2f} MB through one socket on 127.0.0.1: {s:.4f} s "
              f"({nbytes * 8 / s / 1e9:.1f} Gb/s)")
        t = sum_seconds(a.params)
        if t is None:
            print("fp32 sum of two gradient-sized vectors: numpy not installed, not measured")
        else:
            print(f"fp32 sum of two {a.params:,}-element vectors (numpy, one core): {t:.4f} s")


if __name__ == "__main__":
    main()
