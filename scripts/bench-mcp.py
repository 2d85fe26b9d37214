#!/usr/bin/env python3
"""Benchmark of `run-agent bus mcp` over stdio, with raw JSON-RPC (no client library in the way).

Usage: scripts/bench-mcp.py [RUN_AGENT_BINARY] [--posts N] [--waits N]

- bus_post round trip: request written to the server's stdin until its answer is read from stdout, fsync off
  (JRUN_BUS_FSYNC=0); median and p90 of N posts (target: median at most 5 ms).
- bus_wait latency: a bus_wait is pending; another process appends with `run-agent bus post`; latency is from
  the appended message's own `ts` (the writer's clock reading, taken under the lock just before it writes) to
  the moment the wait's answer arrives here (target: median at most 20 ms). The bus lives in a temporary folder.
"""

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import datetime, timezone


def parse_ts(text):
    """Nanoseconds since the epoch of an RFC 3339 UTC timestamp with up to 9 fractional digits."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(seconds.timestamp()) * 1_000_000_000 + int((fraction or "0").ljust(9, "0")[:9])


class Server:
    def __init__(self, binary, bus, env):
        self.process = subprocess.Popen(
            [binary, "bus", "mcp", "--bus", bus], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.lines = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put((time.time_ns(), time.perf_counter_ns(), json.loads(line)))

    def send(self, method, params=None, notify=False):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if not notify:
            self.next_id += 1
            message["id"] = self.next_id
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()
        return message.get("id")

    def answer(self, request_id, timeout=30):
        while True:
            wall, mono, message = self.lines.get(timeout=timeout)
            if message.get("id") == request_id:
                return wall, mono, message

    def call(self, name, arguments):
        start = time.perf_counter_ns()
        _, end, message = self.answer(self.send("tools/call", {"name": name, "arguments": arguments}))
        result = message["result"]
        if result.get("isError"):
            raise RuntimeError(result["content"][0]["text"])
        return (end - start) / 1e6, json.loads(result["content"][0]["text"])

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=".build/release/run-agent")
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--waits", type=int, default=50)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    folder = tempfile.mkdtemp(prefix="run-agent-bench-mcp-")
    env = {**os.environ, "JRUN_BUS_FSYNC": "0", "JRUN_PROJECT_ID": "bench", "HOME": folder}
    bus = os.path.join(folder, "MESSAGE-BUS.md")
    try:
        server = Server(binary, bus, env)
        server.answer(server.send("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "bench-mcp", "version": "1"}}))
        server.send("notifications/initialized", notify=True)

        for _ in range(20):  # warm-up
            server.call("bus_post", {"type": "PROGRESS", "body": "warm-up"})
        posts = [server.call("bus_post", {"type": "PROGRESS", "body": f"post {i} ✅"})[0] for i in range(args.posts)]

        latencies = []
        for index in range(args.waits):
            _, page = server.call("bus_read", {"limit": 1})
            request = server.send("tools/call", {"name": "bus_wait", "arguments": {
                "since": page["cursor"], "types": ["ANSWER"], "timeout_s": 30}})
            time.sleep(0.02)  # let the wait block first: this measures a woken wait, not one that finds it there
            subprocess.run([binary, "bus", "post", "--bus", bus, "--type", "ANSWER", "--body", f"answer {index}"],
                           env=env, check=True, stdout=subprocess.DEVNULL)
            wall, _, message = server.answer(request)
            arrived = json.loads(message["result"]["content"][0]["text"])["messages"][0]
            latencies.append((wall - parse_ts(arrived["timestamp"])) / 1e6)
        server.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    def summary(values):
        values = sorted(values)
        return f"median {statistics.median(values):.2f} ms, p90 {values[int(len(values) * 0.9) - 1]:.2f} ms"

    print(f"bus_post round trip over stdio (fsync off), {len(posts)} posts: {summary(posts)}")
    print(f"bus_wait return after another process's append, {len(latencies)} waits: {summary(latencies)}")


if __name__ == "__main__":
    main()
