#!/usr/bin/env python3
"""Measures how long an append takes to appear on the monitor's screen.

usage: monitor-append-latency.py RUN_AGENT BUS [SAMPLES]
Runs the monitor on BUS in a private tmux server, posts SAMPLES messages with `run-agent bus post`, and polls
`capture-pane` every 2 ms until each appears; prints the median and max (the poster's start-up included).
"""
import os
import subprocess
import sys
import time


def main() -> None:
    binary, bus = sys.argv[1], sys.argv[2]
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    socket = f"append-latency-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "m", "-x", "120", "-y", "35",
                           f"env LC_ALL=C.UTF-8 TERM=tmux-256color {binary} bus monitor {bus}"], check=True)

    def screen() -> str:
        return subprocess.run(tmux + ["capture-pane", "-p", "-t", "m"], capture_output=True, text=True).stdout

    try:
        deadline = time.monotonic() + 30
        while "FOLLOW" not in screen():
            if time.monotonic() > deadline:
                sys.exit("the monitor did not start")
            time.sleep(0.01)
        latencies = []
        for index in range(samples):
            token = f"probe-{index}-{os.getpid()}"
            start = time.monotonic()
            subprocess.run([binary, "bus", "post", "--bus", bus, "--project", "bench", "--no-fsync",
                            "--body", token], check=True, stdout=subprocess.DEVNULL)
            while token not in screen():
                if time.monotonic() - start > 5:
                    sys.exit(f"message {index} did not appear within 5 s")
                time.sleep(0.002)
            latencies.append((time.monotonic() - start) * 1000)
        latencies.sort()
        print(f"append on screen: median {latencies[len(latencies) // 2]:.1f} ms, max {latencies[-1]:.1f} ms "
              f"over {samples} appends (post start-up and capture polling included)")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


if __name__ == "__main__":
    main()
