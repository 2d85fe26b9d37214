#!/usr/bin/env python3
"""The machine-consumer paths of issue 8 as one table, each beside a yardstick measured in the same run.

usage: bench-read.py RUN_AGENT WORK_DIR [--large SIZE] [--runs N]

For each layout (this tool's records and the Go writer's), on a 100k-message bus:
  read --tail 0 --json, read --tail 0 (text), read --tail 20: median wall time (hyperfine), its ratio to
  `grep -c '^---$'` on the same file in the same run, and peak RSS.
Then, per layout, a 1 MB bus against a SIZE bus (default 1G): read --tail 20, read --since <an id among the last>,
poll --since <the next-to-last id>, and the start-up of read --follow --tail 20 (until its 20th line), with the
ratio large/small: the cost follows what is asked, not the file's size. Finally the peak RSS of
read --tail 0 --json on the SIZE bus, and `post --no-fsync` as a whole process against a Swift-free yardstick
(`true`).

Buses are made with scripts/make-large-bus.py in WORK_DIR and reused when present.
"""
import argparse
import json
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def make_bus(path: str, layout: str, count: int = 0, size: str = "") -> str:
    if not os.path.exists(path):
        args = [sys.executable, os.path.join(HERE, "make-large-bus.py"), path, "--layout", layout]
        args += ["--size", size] if size else [str(count)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return path


def hyperfine(commands: list[str], runs: int) -> list[float]:
    """Median seconds of each command, measured in one hyperfine run (output to a pipe, so grep cannot stop at
    the first match as it does when stdout is /dev/null)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "-N", "--output=pipe", "--warmup", "1", "--runs", str(runs),
                        "--export-json", export.name, *commands],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = json.load(open(export.name))["results"]
    return [result["median"] for result in results]


def peak_rss_mib(command: list[str]) -> float:
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True).stderr
    return int(out.strip().splitlines()[-1]) / 1024


def last_ids(binary: str, bus: str, count: int) -> list[str]:
    out = subprocess.run([binary, "bus", "read", "--bus", bus, "--tail", str(count), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line)["msg_id"] for line in out.splitlines()]


def follow_startup(binary: str, bus: str, runs: int) -> float:
    """Median seconds from spawning `read --follow --tail 20` to its 20th line."""
    samples = []
    for _ in range(runs):
        start = time.monotonic()
        follower = subprocess.Popen([binary, "bus", "read", "--bus", bus, "--follow", "--tail", "20"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        selector = selectors.DefaultSelector()
        selector.register(follower.stdout, selectors.EVENT_READ)
        seen = b""
        deadline = start + 60
        while seen.count(b"\n") < 20 and time.monotonic() < deadline:
            if selector.select(timeout=1):
                chunk = os.read(follower.stdout.fileno(), 1 << 16)
                if not chunk:
                    break
                seen += chunk
        samples.append(time.monotonic() - start)
        follower.kill()
        follower.wait()
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("work")
    parser.add_argument("--large", default="1G", help="size of the large bus (K/M/G suffixes), default 1G")
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    binary, work, runs = options.binary, options.work, options.runs
    read = [binary, "bus", "read", "--bus"]
    rows = []

    for layout in ("own", "go"):
        bus = make_bus(os.path.join(work, f"{layout}-100k.md"), layout, count=100_000)
        mib = os.path.getsize(bus) / (1 << 20)
        grep, json_all, text_all, tail20 = hyperfine([
            f"grep -c ^---$ {bus}",
            " ".join(read + [bus, "--tail", "0", "--json"]),
            " ".join(read + [bus, "--tail", "0"]),
            " ".join(read + [bus, "--tail", "20"]),
        ], runs)
        rss = peak_rss_mib(read + [bus, "--tail", "0", "--json"])
        rows.append((f"{layout}: grep -c '^---$' (yardstick), 100k messages, {mib:.0f} MiB", ms(grep), "1x", ""))
        rows.append((f"{layout}: read --tail 0 --json", ms(json_all), f"{json_all / grep:.1f}x grep",
                     f"peak RSS {rss:.0f} MiB; {mib / json_all:.0f} MiB/s"))
        rows.append((f"{layout}: read --tail 0 (text)", ms(text_all), f"{text_all / grep:.1f}x grep", ""))
        rows.append((f"{layout}: read --tail 20", ms(tail20), f"{tail20 / grep:.2f}x grep", ""))

    for layout in ("own", "go"):
        small = make_bus(os.path.join(work, f"{layout}-1M.md"), layout, size="1M")
        large = make_bus(os.path.join(work, f"{layout}-{options.large}.md"), layout, size=options.large)
        figures = {}
        for name, bus in (("small", small), ("large", large)):
            ids = last_ids(binary, bus, 5)
            grep, tail, since, poll = hyperfine([
                f"grep -c ^---$ {bus}",
                " ".join(read + [bus, "--tail", "20"]),
                " ".join(read + [bus, "--since", ids[0]]),
                " ".join([binary, "bus", "poll", "--bus", bus, "--since", ids[-2]]),
            ], runs)
            figures[name] = (grep, tail, since, poll, follow_startup(binary, bus, max(3, runs // 2)))
        labels = ["grep -c (yardstick: reads it all)", "read --tail 20", "read --since <5th newest id>",
                  "poll --since <next-to-last id>", "read --follow --tail 20, start-up to 20th line"]
        size_small = os.path.getsize(small) / (1 << 20)
        size_large = os.path.getsize(large) / (1 << 20)
        for index, label in enumerate(labels):
            s, l = figures["small"][index], figures["large"][index]
            rows.append((f"{layout}: {label}, {size_small:.0f} MiB vs {size_large:.0f} MiB",
                         f"{ms(s)} vs {ms(l)}", f"{l / s:.2f}x", ""))
        rss = peak_rss_mib(read + [large, "--tail", "0", "--json"])
        rows.append((f"{layout}: read --tail 0 --json of the {size_large:.0f} MiB bus", "", "",
                     f"peak RSS {rss:.0f} MiB"))

    with tempfile.TemporaryDirectory() as scratch:
        bus = os.path.join(scratch, "MESSAGE-BUS.md")
        true_time, post, post_fsync = hyperfine([
            "true",
            f"{binary} bus post --bus {bus} --project bench --body hello --no-fsync",
            f"{binary} bus post --bus {bus} --project bench --body hello",
        ], max(runs, 50))
    rows.append(("post --no-fsync, whole process", ms(post), f"{post / true_time:.0f}x `true`", ""))
    rows.append(("post (fsync), whole process", ms(post_fsync), "", "the disk's fsync included"))

    width = max(len(row[0]) for row in rows)
    print(f"| {'what'.ljust(width)} | median | ratio | notes |")
    print(f"| {'-' * width} | --- | --- | --- |")
    for what, median, ratio, notes in rows:
        print(f"| {what.ljust(width)} | {median} | {ratio} | {notes} |")


if __name__ == "__main__":
    main()
