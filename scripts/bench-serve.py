#!/usr/bin/env python3
"""Benchmark of `run-agent bus serve` (a benchmark, not a test; figures go in the README).

usage: bench-serve.py BINARY [POSTS_PER_CLIENT]

With fsync on and 16 concurrent clients: posts/s and p50/p99 latency with group commit and with
--no-group-commit (one locked write and fsync per message), in the same run, on this machine's disk and on a
slower one (every fsync made 2 ms longer by scripts/slow-fsync.c, LD_PRELOADed: this virtual disk answers fsync
in about 0.1 ms, an SSD with a real cache flush in 1-5 ms); the time from a POST's response to the SSE event on a
100-message and a 100k-message bus (median); GET /api/bus?limit=100 on both; a burst of 2000 posts delivered to 49
SSE clients with and without a 50th that never reads (it must be dropped and must not slow the others).
Everything talks to 127.0.0.1 only, with bounded request counts.
"""
import http.client, json, os, socket, statistics, subprocess, sys, tempfile, threading, time

BINARY = sys.argv[1]
PER_CLIENT = int(sys.argv[2]) if len(sys.argv) > 2 else 100
CLIENTS = 16
HERE = os.path.dirname(os.path.abspath(__file__))


def serve(bus, *flags, environment=None):
    child = subprocess.Popen([BINARY, "bus", "serve", "--port", "0", "--bus", bus, "--log-level", "error", *flags],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             env={**os.environ, **(environment or {})})
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


def slow_disk(folder, micros):
    """The environment that makes the server's fsyncs `micros` longer (scripts/slow-fsync.c, built here)."""
    if micros == 0:
        return {}
    library = os.path.join(folder, "slow-fsync.so")
    if not os.path.exists(library):
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", library, os.path.join(HERE, "slow-fsync.c"), "-ldl"],
                       check=True)
    return {"LD_PRELOAD": library, "SLOW_FSYNC_US": str(micros)}


class StreamClient(threading.Thread):
    """One SSE client that reads every event and notes when each message id arrived."""

    def __init__(self, host, port, expected):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection(host, port)
        self.connection.request("GET", "/api/bus/stream?limit=0")
        self.stream = self.connection.getresponse()
        self.expected, self.arrivals = expected, {}

    def run(self):
        while len(self.arrivals) < self.expected:
            line = self.stream.readline()
            if not line:
                return
            if line.startswith(b"id:"):
                self.arrivals[line[3:].strip().decode()] = time.perf_counter()


def stalled_client(host, port):
    """A client that asks for the stream and never reads: its small receive buffer fills, then its queue."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    sock.sendall(b"GET /api/bus/stream?limit=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return sock


def fan_out(folder, with_stalled, burst=2000, readers=49, posters=8):
    """A burst of `burst` posts while `readers` clients stream (and maybe one that never reads): the time until
    every reader has every message, and the median and p99 delay from a POST's request to each reader's event."""
    bus = os.path.join(folder, f"fan-out-{with_stalled}.md")
    child, host, port = serve(bus, "--no-fsync", "--client-buffer", "256")
    try:
        clients = [StreamClient(host, port, burst) for _ in range(readers)]
        for client in clients: client.start()
        stalled = stalled_client(host, port) if with_stalled else None
        sent_at, lock = {}, threading.Lock()

        def poster(index):
            connection = http.client.HTTPConnection(host, port)
            for n in range(burst // posters):
                sent = time.perf_counter()
                connection.request("POST", "/api/bus", json.dumps({"body": f"{index}-{n} " + "x" * 2000,
                                                                    "project_id": "bench"}))
                reply = connection.getresponse()
                msg_id = json.loads(reply.read())["msg_id"]
                with lock: sent_at[msg_id] = sent

        start = time.perf_counter()
        threads = [threading.Thread(target=poster, args=(i,)) for i in range(posters)]
        for thread in threads: thread.start()
        for thread in threads: thread.join()
        for client in clients: client.join(timeout=120)
        finished = max(max(client.arrivals.values()) for client in clients)
        complete = sum(len(client.arrivals) == burst for client in clients)
        delays = sorted(arrival - sent_at[msg_id] for client in clients for msg_id, arrival in client.arrivals.items())
        connection = http.client.HTTPConnection(host, port)
        connection.request("GET", "/metrics")
        metrics = connection.getresponse().read().decode()
        dropped = next((line.split()[-1] for line in metrics.splitlines()
                        if line.startswith("bus_sse_dropped_clients_total")), "?")
        if stalled: stalled.close()
        return finished - start, complete, delays[len(delays) // 2], delays[int(len(delays) * 0.99)], dropped
    finally:
        child.terminate(); child.wait()


with tempfile.TemporaryDirectory() as folder:
    for disk, micros in [("this disk", 0), ("fsync + 2 ms", 2000)]:
        results = {}
        for name, flags in [("group commit", []), ("one fsync per message", ["--no-group-commit"])]:
            bus = os.path.join(folder, f"{micros}-" + name.replace(" ", "-") + ".md")
            child, host, port = serve(bus, *flags, environment=slow_disk(folder, micros))
            try:
                results[name] = load(host, port)
            finally:
                child.terminate(); child.wait()
        for name, (rate, p50, p99) in results.items():
            print(f"{disk}: {name:24s} {rate:8.0f} posts/s   p50 {p50 * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms")
        speed_up = results['group commit'][0] / results['one fsync per message'][0]
        print(f"{disk}: group commit speed-up {speed_up:.1f}x")

    # Alternated three times, medians reported: 49 reader threads make the Python side noisy.
    runs = {False: [], True: []}
    for _ in range(3):
        for with_stalled in [False, True]:
            runs[with_stalled].append(fan_out(folder, with_stalled))
    for with_stalled, results in runs.items():
        elapsed, p50, p99 = (statistics.median(result[index] for result in results) for index in (0, 2, 3))
        complete = min(result[1] for result in results)
        dropped = "/".join(result[4] for result in results)
        label = "49 readers + 1 that never reads" if with_stalled else "49 readers"
        print(f"fan-out, 2000 posts, {label}: all delivered in {elapsed * 1000:.0f} ms, {complete}/49 complete, "
              f"POST request to event p50 {p50 * 1000:.2f} ms p99 {p99 * 1000:.2f} ms, dropped {dropped} (medians of 3)")

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
