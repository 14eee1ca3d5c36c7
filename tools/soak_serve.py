#!/usr/bin/env python3
"""Soak test of `t2i serve`: minutes of mixed load against one server while its memory, threads
and open file descriptors are sampled; exits non-zero when the server did not hold up.
Standard library only; loopback addresses only.

    python3 tools/soak_serve.py --jar target/t2i.jar --model mini.t2i --minutes 10
    JVM_OPTS=-Xmx512m python3 tools/soak_serve.py --jar /tmp/t2i.jar --model mini.t2i
    python3 tools/soak_serve.py --url http://127.0.0.1:8080 --pid 12345 --minutes 10

With --jar and --model it starts `java $JVM_OPTS -jar JAR serve --model BUNDLE --port 0`
itself (its output goes to --log), reads the port from the line the server prints, and stops it
with SIGTERM at the end; with --url and --pid it loads a server that is already running (the
PID is read in /proc, so it must be the java process on this machine).

The load, until the deadline (the last requests in flight finish, each within its timeout):
  - 3 generating clients in a loop: 2-12 steps, 1-3 images, a new seed each time; one request
    in four goes to OpenAI's POST /v1/images/generations, the rest to POST /v1/generate;
  - 1 job client: POST /v1/jobs, then half of the jobs are cancelled (DELETE) after a random
    delay of up to 1.5 s, the other half polled (GET /v1/jobs/ID, GET .../preview) until they
    finish and their images fetched (GET .../images/I);
  - 1 dropping client: a raw socket sends POST /v1/generate for the longest job the server
    allows (its max steps, 2 images), or only part of that request one time in four, then closes
    after 0.05-2 s; half of the closes set SO_LINGER 0, so the server sees a reset;
  - GET /health every second.
Every request has a timeout (--timeout, --health-timeout): a timeout counts as a hang.

Every --sample-every seconds (30) it prints the server's RSS and thread count (/proc/PID/status)
and its open descriptors (/proc/PID/fd), sockets among them; after the load once more when the
queue is empty and again --settle seconds (65) later: the JDK's HTTP server keeps the socket of a
client that left mid-request until its own timers close it (sun.net.httpserver.maxReqTime 30 s
while the request is read, maxRspTime 60 s after). The summary gives requests by kind and status and the
checks, each PASS or FAIL:
  - every request answered: 200 (202 for a new job, 404 for a preview not yet drawn) or 503 with
    Retry-After; no 500 (the first bodies of 500s are printed: they carry the cause), no other
    status, no timeout, no connection closed without an answer, no failed job;
  - GET /health answered within --health-limit seconds (2) every time;
  - the peak RSS of the last third of the run within --rss-tolerance (10 %) of the first third's;
  - threads and descriptors flat: the last third's peak at most --thread-slack (8) and
    --fd-slack (16) above the first third's;
  - a server this script started still running at the end, and stopping on SIGTERM.

A ~1 M-parameter bundle in about half a minute (or --make-bundle DIR does this and uses it):
    java -jar target/t2i.jar train --data shapes --preset shapes --steps 1 --clip random \\
        --limit 64 --sample-every 0 --out /tmp/soak/run
    java -jar target/t2i.jar bundle --model /tmp/soak/run --out /tmp/soak/mini.t2i
(the demo's architecture after one training step: a 988,620-parameter 16x16 DiT with a seeded
random CLIP stored as its seed, 4.2 MB; its speed is a trained model's.)
Copy the jar first (cp target/t2i.jar /tmp/soak/) when a rebuild may happen during the run.
"""
import argparse
import collections
import http.client
import ipaddress
import json
import os
import random
import re
import shlex
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

# the prompts and the loopback check of the closed-loop load test beside this script
from load_test import PROMPTS, loopback_only  # noqa: E402


class Tally:
    """Answers by kind and status, the unexpected ones with their detail, latencies by kind."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.failures = collections.Counter()
        self.examples = collections.OrderedDict()
        self.max_latency = collections.defaultdict(float)
        self.health_window = 0.0
        self.drops = collections.Counter()

    def add(self, kind, status, seconds, ok, detail=""):
        with self.lock:
            self.counts[(kind, str(status))] += 1
            self.max_latency[kind] = max(self.max_latency[kind], seconds)
            if kind == "health":
                self.health_window = max(self.health_window, seconds)
            if not ok:
                key = f"{kind} {status}"
                self.failures[key] += 1
                if len(self.examples.setdefault(key, [])) < 3:
                    self.examples[key].append(detail[:400])

    def take_health_window(self):
        with self.lock:
            v, self.health_window = self.health_window, 0.0
            return v

    def total(self):
        with self.lock:
            return sum(self.counts.values())


class Server:
    """Where the server listens and how to call it; every call has a timeout."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port or 80

    def call(self, method, path, body=None, timeout=30.0):
        """(status or an error name, headers, body bytes, seconds); never raises for the network."""
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Connection": "close"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            payload = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, payload, time.monotonic() - t0
        except (socket.timeout, TimeoutError):
            return "timeout", {}, b"", time.monotonic() - t0
        except (OSError, http.client.HTTPException) as e:
            return f"no-answer:{type(e).__name__}", {}, str(e).encode(), time.monotonic() - t0
        finally:
            conn.close()


def judge(tally, kind, status, headers, payload, seconds, allowed=(200,)):
    """Counts one answer: allowed statuses pass, 503 passes with Retry-After, anything else fails."""
    if status in allowed:
        tally.add(kind, status, seconds, True)
        return True
    if status == 503:
        if headers.get("retry-after"):
            tally.add(kind, status, seconds, True)
        else:
            tally.add(kind, "503-without-Retry-After", seconds, False, payload.decode("utf-8", "replace"))
        return False
    tally.add(kind, status, seconds, False, f"after {seconds:.1f} s: " + payload.decode("utf-8", "replace"))
    return False


def generation_body(rng, openai=False):
    body = {"prompt": rng.choice(PROMPTS), "n": rng.randint(1, 3), "steps": rng.randint(2, 12),
            "seed": rng.randrange(1 << 31)}
    if openai:
        body["response_format"] = "b64_json"
    return body


def generating_client(server, tally, deadline, rng, timeout):
    while time.monotonic() < deadline:
        openai = rng.random() < 0.25
        kind, path = ("openai", "/v1/images/generations") if openai else ("generate", "/v1/generate")
        status, headers, payload, secs = server.call("POST", path, generation_body(rng, openai), timeout)
        judge(tally, kind, status, headers, payload, secs)
        if status == 503:
            time.sleep(1)


def job_client(server, tally, deadline, rng, timeout):
    while time.monotonic() < deadline:
        status, headers, payload, secs = server.call("POST", "/v1/jobs", generation_body(rng), timeout)
        if not judge(tally, "job-create", status, headers, payload, secs, allowed=(202,)):
            time.sleep(1 if status == 503 else 0.2)
            continue
        job = json.loads(payload)
        path = "/v1/jobs/" + job["id"]
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0, 1.5))
            s, h, p, t = server.call("DELETE", path, None, timeout)
            judge(tally, "job-delete", s, h, p, t)
            continue
        give_up = time.monotonic() + timeout
        polls = 0
        while True:
            s, h, p, t = server.call("GET", path, None, timeout)
            if not judge(tally, "job-get", s, h, p, t):
                break
            state = json.loads(p)
            if state["status"] in ("succeeded", "failed", "cancelled"):
                if state["status"] != "succeeded":
                    tally.add("job-result", state["status"], 0, False, json.dumps(state))
                    break
                tally.add("job-result", "succeeded", 0, True)
                for i, _ in enumerate(state.get("image_urls", [])):
                    s, h, p, t = server.call("GET", f"{path}/images/{i}", None, timeout)
                    if judge(tally, "job-image", s, h, p, t) and not p.startswith(b"\x89PNG"):
                        tally.add("job-image", "not-a-png", t, False, repr(p[:40]))
                break
            if time.monotonic() > give_up or time.monotonic() > deadline:
                if time.monotonic() > give_up:
                    tally.add("job-result", "never-finished", timeout, False, json.dumps(state))
                s, h, p, t = server.call("DELETE", path, None, timeout)
                judge(tally, "job-delete", s, h, p, t)
                break
            polls += 1
            if polls % 2 == 0:
                s, h, p, t = server.call("GET", path + "/preview", None, timeout)
                judge(tally, "job-preview", s, h, p, t, allowed=(200, 404))
            time.sleep(0.25)


def dropping_client(server, tally, deadline, rng, long_body):
    data = json.dumps(long_body).encode()
    while time.monotonic() < deadline:
        reset = rng.random() < 0.5
        partial = rng.random() < 0.25
        head = (f"POST /v1/generate HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        try:
            s = socket.create_connection((server.host, server.port), timeout=10)
        except OSError as e:
            tally.add("drop", f"connect-failed:{type(e).__name__}", 0, False, str(e))
            time.sleep(1)
            continue
        try:
            if reset:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.sendall(head + (data[: len(data) // 2] if partial else data))
            time.sleep(rng.uniform(0.05, 2.0))
        except OSError:
            pass
        finally:
            s.close()
        tally.drops["reset" if reset else "closed"] += 1
        tally.drops["partial body" if partial else "whole request"] += 1
        time.sleep(rng.uniform(0.5, 2.0))


def health_poller(server, tally, deadline, timeout):
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        status, headers, payload, secs = server.call("GET", "/health", None, timeout)
        judge(tally, "health", status, headers, payload, secs)
        next_at += 1.0
        time.sleep(max(0.0, next_at - time.monotonic()))


def proc_sample(pid):
    """(RSS MiB, threads, open descriptors, of which sockets) of a process, from /proc."""
    rss = threads = None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = sockets = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        fds += 1
        sockets += target.startswith("socket:")
    return rss, threads, fds, sockets


def show(t, sample, requests, health, note=""):
    rss, threads, fds, sockets = sample
    print(f"{t:6.0f} {rss:8.0f} {threads:7d} {fds:5d} {sockets:7d} {requests:8d} {health:>12}{note}", flush=True)


def make_bundle(java, jar, folder):
    out = os.path.join(folder, "mini.t2i")
    if os.path.exists(out):
        print(f"using the bundle made before: {out}")
        return out
    os.makedirs(folder, exist_ok=True)
    run = os.path.join(folder, "run")
    for args in (["train", "--data", "shapes", "--preset", "shapes", "--steps", "1", "--clip", "random",
                  "--limit", "64", "--sample-every", "0", "--out", run],
                 ["bundle", "--model", run, "--out", out]):
        print("$ " + " ".join([java, "-jar", jar] + args), flush=True)
        subprocess.run([java, "-jar", jar] + args, check=True, timeout=900)
    return out


def start_server(a):
    java = a.java
    cmd = [java] + shlex.split(a.jvm_opts) + ["-jar", a.jar, "serve", "--model", a.model, "--port", str(a.port)] \
        + shlex.split(a.serve_opts)
    log = a.log or f"/tmp/t2i-soak-serve-{os.getpid()}.log"
    print("$ " + " ".join(shlex.quote(c) for c in cmd) + f"   (output: {log})", flush=True)
    out = open(log, "w")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.monotonic()
    while time.monotonic() - t0 < a.start_timeout:
        if proc.poll() is not None:
            sys.exit(f"the server exited with status {proc.returncode}:\n" + open(log).read()[-4000:])
        m = re.search(r"on http://([^\s:]+):(\d+)", open(log).read())
        if m:
            url = f"http://127.0.0.1:{m.group(2)}"
            s, _, _, _ = Server(url).call("GET", "/health", None, 5)
            if s == 200:
                print(f"ready after {time.monotonic() - t0:.1f} s on {url} (pid {proc.pid})", flush=True)
                return proc, url, log
        time.sleep(0.5)
    proc.kill()
    sys.exit(f"the server did not answer /health within {a.start_timeout} s; see {log}")


def stop_server(proc):
    """SIGTERM (the server drains), then SIGKILL after 60 s; returns (exit status, seconds)."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = f"killed after 60 s ({proc.wait()})"
    return rc, time.monotonic() - t0


def peak(samples, lo, hi, i):
    values = [s[i] for s in samples if lo < s[0] <= hi]
    return max(values) if values else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", default="target/t2i.jar", help="the t2i jar to start (default target/t2i.jar)")
    ap.add_argument("--model", help="bundle to serve (with --jar)")
    ap.add_argument("--make-bundle", metavar="DIR", help="make the ~1 M-parameter bundle DIR/mini.t2i (kept for "
                    "the next run) and serve it")
    ap.add_argument("--java", default="java")
    ap.add_argument("--jvm-opts", default=os.environ.get("JVM_OPTS", ""),
                    help="options for the server's JVM (default: $JVM_OPTS), e.g. -Xmx512m")
    ap.add_argument("--serve-opts", default="", help="more `t2i serve` options, e.g. '--queue 8'")
    ap.add_argument("--port", type=int, default=0, help="port for a server this script starts (default 0: any)")
    ap.add_argument("--log", help="the started server's output (default /tmp/t2i-soak-serve-PID.log)")
    ap.add_argument("--start-timeout", type=float, default=300)
    ap.add_argument("--url", help="a running server instead (needs --pid)")
    ap.add_argument("--pid", type=int, help="that server's java process")
    ap.add_argument("--minutes", type=float, default=10, help="minutes of load (default 10)")
    ap.add_argument("--sample-every", type=float, default=30, help="seconds between samples (default 30)")
    ap.add_argument("--timeout", type=float, default=180,
                    help="seconds before a generation or job call counts as a hang (default 180; the server "
                         "itself stops a generation at its --request-timeout, 120 s)")
    ap.add_argument("--health-timeout", type=float, default=30, help="seconds before /health counts as a hang")
    ap.add_argument("--health-limit", type=float, default=2.0, help="slowest /health answer allowed (2 s)")
    ap.add_argument("--rss-tolerance", type=float, default=0.10, help="last third's RSS peak over the first "
                    "third's, at most 1 + this (0.10)")
    ap.add_argument("--thread-slack", type=int, default=8)
    ap.add_argument("--fd-slack", type=int, default=16)
    ap.add_argument("--settle", type=float, default=65, help="seconds idle after the load before the last sample "
                    "(65: the JDK server closes sockets of dropped requests after its 60 s response timer)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    proc = None
    if a.url:
        if a.pid is None:
            sys.exit("--url needs --pid, the server's java process, whose memory is sampled")
        url, pid, log = a.url.rstrip("/"), a.pid, None
        loopback_only(url)
    else:
        if a.make_bundle and not a.model:
            a.model = make_bundle(a.java, a.jar, a.make_bundle)
        if not a.model:
            sys.exit("give --model BUNDLE (or --make-bundle DIR), or --url and --pid of a running server")
        proc, url, log = start_server(a)
        pid = proc.pid
    server = Server(url)
    try:
        ok = soak(a, server, pid, log, proc)
    finally:
        if proc is not None and proc.poll() is None:
            rc, secs = stop_server(proc)
            print(f"server stopped by SIGTERM in {secs:.1f} s, exit status {rc}")
            if rc not in (0, 143, -15):
                ok = False
    print("RESULT: " + ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


def soak(a, server, pid, log, proc):
    status, _, payload, _ = server.call("GET", "/health", None, a.health_timeout)
    if status != 200:
        sys.exit(f"GET /health answered {status}: {payload[:200]!r}")
    health = json.loads(payload)
    limits = health.get("limits", {})
    max_steps = min(limits.get("max_steps", 200), limits.get("max_images_times_steps", 400) // 2)
    long_body = {"prompt": "a long job nobody waits for", "steps": max_steps, "n": 2, "seed": 7}
    print(f"model: {health['model'].get('dit_parameters')} DiT parameters, {health['model'].get('image_size')}px; "
          f"drops ask for {max_steps} steps x 2 images", flush=True)

    tally = Tally()
    seconds = a.minutes * 60
    start = time.monotonic()
    deadline = start + seconds
    print(f"{'t/s':>6} {'RSS/MiB':>8} {'threads':>7} {'fds':>5} {'sockets':>7} {'requests':>8} {'health max/s':>12}")
    show(0, proc_sample(pid), 0, "-", "   (before the load)")
    rng = random.Random(a.seed)
    workers = [threading.Thread(target=generating_client, args=(server, tally, deadline, random.Random(rng.random()),
                                                                 a.timeout), daemon=True) for _ in range(3)]
    workers.append(threading.Thread(target=job_client, args=(server, tally, deadline, random.Random(rng.random()),
                                                              a.timeout), daemon=True))
    workers.append(threading.Thread(target=dropping_client, args=(server, tally, deadline,
                                                                   random.Random(rng.random()), long_body), daemon=True))
    workers.append(threading.Thread(target=health_poller, args=(server, tally, deadline, a.health_timeout),
                                    daemon=True))
    for w in workers:
        w.start()

    samples = []  # (t, rss, threads, fds, sockets)
    next_sample = start + a.sample_every
    alive = True
    while time.monotonic() < deadline - 1e-3:
        time.sleep(max(0.0, min(next_sample, deadline) - time.monotonic()))
        if proc is not None and proc.poll() is not None:
            print(f"the server exited with status {proc.returncode} during the load")
            alive = False
            break
        if time.monotonic() >= next_sample - 1e-3:
            t = time.monotonic() - start
            sample = proc_sample(pid)
            samples.append((t,) + sample)
            show(t, sample, tally.total(), f"{tally.take_health_window():.3f}")
            next_sample += a.sample_every
    for w in workers:
        w.join(timeout=max(a.timeout, a.health_timeout) + 30)
    hung_clients = sum(w.is_alive() for w in workers)

    idle = None
    if alive:
        # the queue drained: what the server holds with nothing to do
        for _ in range(60):
            s, _, p, _ = server.call("GET", "/health", None, a.health_timeout)
            if s == 200 and json.loads(p).get("queued") == 0:
                break
            time.sleep(1)
        time.sleep(1)
        idle = proc_sample(pid)
        show(time.monotonic() - start, idle, tally.total(), "-", "   (after the load, queue empty)")
        if a.settle > 0:
            # the JDK's server closes the socket of a client that left mid-request only when its own
            # timers fire (sun.net.httpserver.maxReqTime 30 s, maxRspTime 60 s)
            time.sleep(a.settle)
            idle = proc_sample(pid)
            show(time.monotonic() - start, idle, tally.total(), "-", f"   (after {a.settle:g} s more idle)")

    print("\nrequests by kind and status:")
    kinds = sorted({k for k, _ in tally.counts})
    for k in kinds:
        row = ", ".join(f"{s}: {n}" for (kk, s), n in sorted(tally.counts.items()) if kk == k)
        print(f"  {k:12s} {row}   (slowest {tally.max_latency[k]:.2f} s)")
    print(f"  {'drops':12s} " + ", ".join(f"{k}: {n}" for k, n in sorted(tally.drops.items())))
    n500 = sum(n for (k, s), n in tally.counts.items() if s == "500")
    hangs = sum(n for (k, s), n in tally.counts.items() if s == "timeout")
    no_answer = sum(n for (k, s), n in tally.counts.items() if s.startswith("no-answer"))
    print(f"500s: {n500}; timeouts (hangs): {hangs}; connections closed without an answer: {no_answer}; "
          f"client threads still running after the deadline + timeout: {hung_clients}")
    for key, examples in tally.examples.items():
        print(f"  {key} x{tally.failures[key]}: " + " | ".join(examples))

    checks = []
    checks.append(("every request answered 200 (202, 404 preview) or 503 + Retry-After",
                   not tally.failures and hung_clients == 0, f"{sum(tally.failures.values())} not"))
    generated = sum(n for (k, s), n in tally.counts.items() if k in ("generate", "openai") and s == "200")
    checks.append(("the load ran (generations answered 200)", generated > 0, f"{generated}"))
    hmax = tally.max_latency["health"]
    checks.append((f"/health within {a.health_limit:g} s", hmax <= a.health_limit, f"max {hmax:.3f} s"))
    third = seconds / 3
    r1, r3 = peak(samples, 0, third, 1), peak(samples, 2 * third, seconds + 1, 1)
    if r1 and r3:
        checks.append((f"RSS: last third's peak within {a.rss_tolerance:.0%} of the first third's",
                       r3 <= r1 * (1 + a.rss_tolerance), f"{r1:.0f} -> {r3:.0f} MiB, ratio {r3 / r1:.3f}"))
        for name, i, slack in (("threads", 2, a.thread_slack), ("open fds", 3, a.fd_slack)):
            f1, f3 = peak(samples, 0, third, i), peak(samples, 2 * third, seconds + 1, i)
            checks.append((f"{name} flat (last third's peak at most {slack} above the first third's)",
                           f3 <= f1 + slack, f"first sample {samples[0][i]}, last {samples[-1][i]}, "
                                             f"peaks {f1} -> {f3}"
                           + (f", idle after the load {idle[i - 1]}" if idle else "")))
    else:
        checks.append(("samples in the first and the last third", False,
                       f"{len(samples)} samples; run longer than 3 x --sample-every"))
    if proc is not None:
        checks.append(("the server still running", alive, "" if alive else f"exit status {proc.returncode}"))
    print("\nchecks:")
    for name, passed, detail in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")
    if log:
        text = open(log, errors="replace").read()
        lines = [ln for ln in text.splitlines() if re.search(r"Exception|Error|WARN|SEVERE", ln)]
        print(f"\nserver log {log}: {len(text.splitlines())} lines, {len(lines)} naming an exception, error or "
              "warning" + (":" if lines else ""))
        for ln in lines[:20]:
            print("  " + ln[:300])
    return all(p for _, p, _ in checks)


if __name__ == "__main__":
    main()
