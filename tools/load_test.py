#!/usr/bin/env python3
"""Closed-loop load test of one running `t2i serve`: CONCURRENCY clients, each sending its next
request as soon as the last one is answered, until REQUESTS requests are done or MAX_SECONDS pass.
Prints requests/s and latency percentiles. Standard library only; loopback addresses only.

    python3 tools/load_test.py http://127.0.0.1:8080 --concurrency 4 --requests 40 --steps 20

Every request is POST /v1/generate {"prompt", "seed", "steps"} with a distinct seed, so nothing
is cached; --warmup requests run first and are not counted (the JIT compiler's first minutes).
"""
import argparse
import ipaddress
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PROMPTS = ["a red circle", "a blue square", "a green triangle", "a yellow star", "a purple ring",
           "an orange cross"]


def loopback_only(url):
    host = urllib.parse.urlparse(url).hostname
    for info in socket.getaddrinfo(host, None):
        if not ipaddress.ip_address(info[4][0]).is_loopback:
            sys.exit(f"{url}: {host} is not a loopback address; this tool only loads servers on this machine")


def post(url, body, timeout):
    req = urllib.request.Request(url + "/v1/generate", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
        status = f"{type(e).__name__}"
    return status, time.perf_counter() - t0


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--requests", type=int, default=40, help="counted requests (after the warm-up)")
    ap.add_argument("--warmup", type=int, default=8)
    ap.add_argument("--steps", type=int, default=None, help="steps per request (default: the model's)")
    ap.add_argument("--max-seconds", type=float, default=900, help="stop sending after this long")
    ap.add_argument("--timeout", type=float, default=300, help="per-request timeout, seconds")
    a = ap.parse_args()
    url = a.url.rstrip("/")
    loopback_only(url)

    lock = threading.Lock()
    counter = {"next": 0}
    results = []
    deadline = time.monotonic() + a.max_seconds
    total = a.warmup + a.requests
    start = {"t": None}
    warm = threading.Event()

    def client():
        while time.monotonic() < deadline:
            with lock:
                i = counter["next"]
                if i >= total:
                    return
                counter["next"] += 1
            if i >= a.warmup:
                warm.wait()
            body = {"prompt": PROMPTS[i % len(PROMPTS)], "seed": 1000 + i}
            if a.steps:
                body["steps"] = a.steps
            status, seconds = post(url, body, a.timeout)
            with lock:
                if i < a.warmup:
                    counter.setdefault("warm_done", 0)
                    counter["warm_done"] += 1
                    if counter["warm_done"] == a.warmup:
                        start["t"] = time.perf_counter()
                        warm.set()
                else:
                    results.append((status, seconds, time.perf_counter()))

    if a.warmup == 0:
        start["t"] = time.perf_counter()
        warm.set()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1, deadline - time.monotonic() + a.timeout))
    ok = sorted(s for st, s, _ in results if st == 200)
    errors = [st for st, _, _ in results if st != 200]
    if not results:
        sys.exit("no counted request finished")
    elapsed = max(end for _, _, end in results) - start["t"]
    print(f"concurrency {a.concurrency}, steps {a.steps or 'default'}: {len(results)} requests in {elapsed:.1f} s, "
          f"{len(ok) / elapsed:.3f} requests/s; latency p50 {percentile(ok, 50):.2f} s, "
          f"p95 {percentile(ok, 95):.2f} s, max {ok[-1] if ok else float('nan'):.2f} s; "
          f"errors {len(errors)} {sorted(set(map(str, errors)))}")


if __name__ == "__main__":
    main()
