#!/usr/bin/env python3
"""Measures how long the monitor takes to show its first screen of a bus, and its memory once shown.

usage: monitor-first-screen.py RUN_AGENT BUS TEXT
Starts `run-agent bus monitor BUS` in a private tmux server (120x35) and polls the screen until TEXT (something
on the last rows, e.g. the newest body) is visible; prints the elapsed time and the monitor's resident memory.
Then waits until the status bar no longer says "loading history" (the older part of a large bus is read in the
background) and prints that time and the peak memory too.
"""
import os
import subprocess
import sys
import time


def main() -> None:
    binary, bus, text = sys.argv[1], sys.argv[2], sys.argv[3]
    socket = f"first-screen-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    start = time.monotonic()
    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "m", "-x", "120", "-y", "35",
                           f"env LC_ALL=C.UTF-8 TERM=tmux-256color {binary} bus monitor {bus}"], check=True)
    try:
        deadline = start + 30
        while time.monotonic() < deadline:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "m"], capture_output=True, text=True).stdout
            if text in screen:
                elapsed = time.monotonic() - start
                pid = subprocess.run(tmux + ["display-message", "-p", "-t", "m", "#{pane_pid}"],
                                     capture_output=True, text=True).stdout.strip()
                with open(f"/proc/{pid}/status") as status:
                    rss = next(line for line in status if line.startswith("VmHWM")).split()[1]
                print(f"first screen after {elapsed * 1000:.0f} ms (tmux start included); "
                      f"peak RSS {int(rss) // 1024} MiB; bus {os.path.getsize(bus) // (1 << 20)} MiB", flush=True)
                while time.monotonic() < start + 600:
                    screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "m"], capture_output=True,
                                            text=True).stdout
                    if "history" not in screen.splitlines()[0]:
                        with open(f"/proc/{pid}/status") as status:
                            rss = next(line for line in status if line.startswith("VmHWM")).split()[1]
                        print(f"history loaded after {(time.monotonic() - start) * 1000:.0f} ms; "
                              f"peak RSS {int(rss) // 1024} MiB")
                        return
                    time.sleep(0.05)
                sys.exit("the history did not load within 600 s")
            time.sleep(0.01)
        sys.exit("the first screen did not show within 30 s")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


if __name__ == "__main__":
    main()
