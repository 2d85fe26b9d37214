#!/usr/bin/env python3
"""Benchmark of `run-agent bus serve` (a benchmark, not a test; figures go in the README).

usage: bench-serve.py BINARY [POSTS_PER_CLIENT]

With fsync on and 16 concurrent clients: posts/s and p50/p99 latency with group commit and with
--no-group-commit (one locked write and fsync per message), in the same run; the time from a POST's response to
the SSE event on a 100-message and a 100k-message bus (median); GET /api/bus?limit=100 on the 100k-message bus.
Everything talks to 127.0.0.1 only, with bounded request counts.
"""
import http.client, json, os, statistics, subprocess, sys, tempfile, threading, time

BINARY = sys.argv[1]
PER_CLIENT = int(sys.argv[2]) if len(sys.argv) > 2 else 100
CLIENTS = 16
HERE = os.path.dirname(os.path.abspath(__file__))


def serve(bus, *flags):
    child = subprocess.Popen([BINARY, "bus", "serve", "--port", "0", "--bus", bus, "--log-level", "error", *flags],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = child.stdout.readline().strip()
    host, port = url.removeprefix("http://").split(":")
    return child, host, int(port)


def post(connection, body):
    connection.request("POST", "/api/bus", json.dumps({"body": body, "project_id": "bench"}))
    reply = connection.getresponse()
    reply.read()
    assert reply.status == 201, reply.status


def load(host, port):
    latencies, lock = [], threading.Lock()

    def client(index):
        connection = http.client.HTTPConnection(host, port)
        mine = []
        for n in range(PER_CLIENT):
            start = time.perf_counter()
            post(connection, f"client {index} message {n}")
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return len(latencies) / elapsed, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]


def sse_latency(host, port, rounds=50):
    connection = http.client.HTTPConnection(host, port)
    connection.request("GET", "/api/bus/stream?limit=0")
    stream = connection.getresponse()
    stream.readline(); stream.readline()  # retry: preamble
    poster = http.client.HTTPConnection(host, port)
    delays = []
    for n in range(rounds):
        post(poster, f"sse probe {n}")
        answered = time.perf_counter()
        while True:
            line = stream.readline()
            if line.startswith(b"data:") and f"sse probe {n}\"".encode() in line:
                break
        delays.append(time.perf_counter() - answered)
    return statistics.median(delays)


def list_latency(host, port, rounds=50):
    connection = http.client.HTTPConnection(host, port)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        connection.request("GET", "/api/bus?limit=100")
        reply = connection.getresponse(); reply.read()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


with tempfile.TemporaryDirectory() as folder:
    results = {}
    for name, flags in [("group commit", []), ("one fsync per message", ["--no-group-commit"])]:
        bus = os.path.join(folder, name.replace(" ", "-") + ".md")
        child, host, port = serve(bus, *flags)
        try:
            results[name] = load(host, port)
        finally:
            child.terminate(); child.wait()
    for name, (rate, p50, p99) in results.items():
        print(f"{name:24s} {rate:8.0f} posts/s   p50 {p50 * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms")
    print(f"group commit speed-up: {results['group commit'][0] / results['one fsync per message'][0]:.1f}x")

    for count in [100, 100_000]:
        bus = os.path.join(folder, f"sized-{count}.md")
        subprocess.run([sys.executable, os.path.join(HERE, "make-large-bus.py"), bus, str(count)], check=True,
                       stdout=subprocess.DEVNULL)
        child, host, port = serve(bus)
        try:
            list_latency(host, port, rounds=3)  # the first read of the bus happens at start; warm up the route
            print(f"{count:>7} messages: SSE event after POST response, median {sse_latency(host, port) * 1000:.2f} ms;"
                  f" GET /api/bus?limit=100 median {list_latency(host, port) * 1000:.2f} ms")
        finally:
            child.terminate(); child.wait()
