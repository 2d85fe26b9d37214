#!/usr/bin/env python3
"""Measures how long an append takes to reach `run-agent bus read --follow`.

usage: follow-latency.py RUN_AGENT BUS [SAMPLES]
Posts SAMPLES messages (one at a time, each after the previous one was printed) and reports the median and max
latency from just before `post` starts to the line appearing on the follower's stdout, minus nothing: the figure
includes the poster's own process start-up.
"""
import os
import selectors
import subprocess
import sys
import time


def main() -> None:
    binary, bus = sys.argv[1], sys.argv[2]
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    follower = subprocess.Popen([binary, "bus", "read", "--bus", bus, "--follow", "--tail", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    selector = selectors.DefaultSelector()
    selector.register(follower.stdout, selectors.EVENT_READ)
    buffered = b""

    def wait_for(token: bytes, deadline: float) -> bool:
        nonlocal buffered
        while token not in buffered:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if selector.select(remaining):
                chunk = os.read(follower.stdout.fileno(), 65536)
                if not chunk:
                    return False
                buffered += chunk
        return True

    wait_for(b"\n", time.monotonic() + 30)  # the --tail 1 line: the follower is up
    latencies = []
    for index in range(samples):
        token = f"latency-probe-{index}-{os.getpid()}".encode()
        start = time.monotonic()
        subprocess.run([binary, "bus", "post", "--bus", bus, "--project", "bench", "--no-fsync",
                        "--body", token.decode()], check=True, stdout=subprocess.DEVNULL)
        if not wait_for(token, start + 5):
            sys.exit(f"message {index} did not reach the follower within 5 s")
        latencies.append((time.monotonic() - start) * 1000)
    follower.terminate()
    latencies.sort()
    print(f"{bus}: {os.path.getsize(bus)} bytes, median {latencies[len(latencies) // 2]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms over {samples} appends (post start-up included)")


if __name__ == "__main__":
    main()
