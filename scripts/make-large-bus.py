#!/usr/bin/env python3
"""Writes a large bus for benchmarks and the monitor's large-bus checks, in either writer's record layout.

Layouts:
  own  this tool's writer: each header carries `body_bytes:` and ends with the `crc32c:` line (CRC-32C of the
       header lines before it and of the body), so readers take the checksum path they take on real buses.
  go   the Go writer's (conductor-loop's run-agent): no `body_bytes`, no checksum; the body runs to the next
       `---` line that opens a record. Bodies are 1-5 lines of about 80 characters, as agents write them.

Sizes: COUNT messages, or --size BYTES (K/M/G suffixes, 1024-based) to stop once the file reaches that size.
The content is deterministic (seeded), so two runs with the same arguments write the same bytes.
"""
import argparse
import sys
import time

try:  # Hardware CRC-32C when the `crc32c` package is installed (bench.sh puts it in a venv): 1 GB in seconds.
    from crc32c import crc32c as fast_crc32c
except ImportError:
    fast_crc32c = None

import random

# CRC-32C (Castagnoli, reflected 0x82F63B78), table-driven: the fallback when the package is missing.
CRC_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ 0x82F63B78 if _crc & 1 else _crc >> 1
    CRC_TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    if fast_crc32c is not None:
        return fast_crc32c(data)
    crc = 0xFFFFFFFF
    table = CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


TYPES = ["FACT", "PROGRESS", "DECISION", "QUESTION", "DONE", "INFO", "RUN_START", "RUN_STOP"]
WORDS = ("build test deploy parser cache token bucket review merge flaky retry latency schema index "
         "router handler timeout budget agent plan").split()


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def arguments(argv):
    parser = argparse.ArgumentParser(
        prog="make-large-bus.py",
        description="Write a large, deterministic message bus for benchmarks.",
        epilog="Examples: make-large-bus.py /tmp/big.md 100000 --layout go;  "
        "make-large-bus.py /tmp/huge.md --size 1G --layout own",
    )
    parser.add_argument("path", help="file to write (replaced if it exists)")
    parser.add_argument("count", nargs="?", type=int, default=100_000, help="messages to write (default 100000)")
    parser.add_argument(
        "body_bytes", nargs="?", type=int, default=None,
        help="own layout: approximate body size in bytes (default 360); go layout: ignored (1-5 lines of ~80)",
    )
    parser.add_argument("--layout", choices=["own", "go"], default="own", help="record layout (default own)")
    parser.add_argument("--size", type=parse_size, default=None,
                        help="stop once the file reaches this many bytes (K/M/G suffixes) instead of COUNT")
    return parser.parse_args(argv)


def body_lines(rng, layout: str, body_size: int):
    if layout == "go":
        lines = []
        for _ in range(rng.randint(1, 5)):
            words = []
            while sum(len(w) + 1 for w in words) < 80:
                words.append(rng.choice(WORDS))
            lines.append(" ".join(words))
        return lines
    words = []
    while sum(len(w) + 1 for w in words) < body_size:
        words.append(rng.choice(WORDS))
    return [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]


def main(argv) -> None:
    args = arguments(argv)
    count = args.count if args.size is None else sys.maxsize
    body_size = args.body_bytes if args.body_bytes is not None else 360
    rng = random.Random(42)
    base = 1_795_700_000
    written = 0
    with open(args.path, "wb") as out:
        index = 0
        while index < count and (args.size is None or written < args.size):
            seconds = base + index // 10
            nanos = (index % 10) * 100_000_000 + rng.randrange(100_000_000)
            tm = time.gmtime(seconds)
            stamp = time.strftime("%Y%m%d-%H%M%S", tm)
            iso = time.strftime("%Y-%m-%dT%H:%M:%S", tm)
            frac = f"{nanos:09d}".rstrip("0")
            ts = iso + ("." + frac if frac else "") + "Z"
            body = ("\n".join(body_lines(rng, args.layout, body_size)) + "\n").encode()
            task = f"task-{index % 7:02d}"
            fields = (
                f"msg_id: MSG-{stamp}-{nanos:09d}-PID{4242:05d}-{index % 10000:04d}\n"
                f"ts: {ts}\ntype: {TYPES[index % len(TYPES)]}\nproject_id: bench\ntask_id: {task}\n"
                f"run_id: run-{index % 3}\n"
            ).encode()
            if args.layout == "own":
                fields += f"body_bytes: {len(body)}\n".encode()
                fields += f"crc32c: {crc32c(fields + body):08x}\n".encode()
            record = (b"\n" if index else b"") + b"---\n" + fields + b"---\n" + body
            out.write(record)
            written += len(record)
            index += 1


if __name__ == "__main__":
    main(sys.argv[1:])
