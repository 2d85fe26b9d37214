#!/usr/bin/env python3
"""Measures how long one key typed into the monitor's filter takes to show, on a large bus (issue 11: 50 ms).

usage: monitor-filter-latency.py RUN_AGENT BUS COUNT [ROUNDS [WORD]]
Starts `run-agent bus monitor BUS` in a private tmux server (120x35), waits until the status bar shows COUNT/COUNT
(every message read), opens the filter prompt, then ROUNDS times types WORD (default `q`) and waits until the shown
count changes, and deletes it (Backspace, or Ctrl-U for a longer word) and waits until it is COUNT/COUNT again. Each figure runs from `send-keys` to the
first `capture-pane` that shows the new count, so tmux's own round trips (a few ms) are included.
"""
import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    binary, bus, count = sys.argv[1], sys.argv[2], sys.argv[3]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    word = sys.argv[5] if len(sys.argv) > 5 else "q"
    socket = f"filter-latency-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    everything = f"{count}/{count}"

    def status() -> str:
        screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "m"], capture_output=True, text=True).stdout
        return screen.splitlines()[0] if screen else ""

    def wait(condition, limit: float = 30) -> float:
        start = time.monotonic()
        while time.monotonic() < start + limit:
            if condition(status()):
                return time.monotonic() - start
            time.sleep(0.001)
        raise SystemExit(f"timed out; status bar: {status()}")

    def key(*keys: str) -> float:
        start = time.monotonic()
        subprocess.run(tmux + ["send-keys", "-t", "m", *keys], check=True)
        return start

    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "m", "-x", "120", "-y", "35",
                           f"env LC_ALL=C.UTF-8 TERM=tmux-256color RUN_AGENT_NO_WIDTH_PROBE=1 {binary} bus monitor {bus}"],
                   check=True)
    try:
        wait(lambda bar: f" {everything} " in bar, limit=600)
        key("/")
        wait(lambda bar: True)
        narrow, widen = [], []
        for _ in range(rounds):
            start = key("-l", word)
            wait(lambda bar: f" {everything} " not in bar and f"/{count} " in bar)
            narrow.append(time.monotonic() - start)
            start = key("BSpace" if len(word) == 1 else "C-u")
            wait(lambda bar: f" {everything} " in bar)
            widen.append(time.monotonic() - start)
        deleted = "Backspace" if len(word) == 1 else "Ctrl-U"
        for name, figures in ((f"{word} typed", narrow), (deleted, widen)):
            print(f"{name}: median {statistics.median(figures) * 1000:.1f} ms, max {max(figures) * 1000:.1f} ms "
                  f"over {len(figures)} keys ({count} messages)")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


if __name__ == "__main__":
    main()
