#!/usr/bin/env python3
"""Writes a large bus in this tool's record format, for benchmarks and the monitor's large-bus checks.

usage: make-large-bus.py PATH [COUNT] [BODY_BYTES]   (defaults: 100000 messages, ~360-byte bodies)

Each header ends with the `crc32c:` line this tool's writer puts there (CRC-32C of the header lines before it
and of the body), so readers take the checksum path they take on real buses.
"""
import random
import sys

# CRC-32C (Castagnoli, reflected 0x82F63B78), table-driven.
CRC_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ 0x82F63B78 if _crc & 1 else _crc >> 1
    CRC_TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF

TYPES = ["FACT", "PROGRESS", "DECISION", "QUESTION", "DONE", "INFO", "RUN_START", "RUN_STOP"]
WORDS = ("build test deploy parser cache token bucket review merge flaky retry latency schema index "
         "router handler timeout budget agent plan").split()


def main() -> None:
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    body_size = int(sys.argv[3]) if len(sys.argv) > 3 else 360
    rng = random.Random(42)
    base = 1_795_700_000
    with open(path, "wb") as out:
        for index in range(count):
            seconds = base + index // 10
            nanos = (index % 10) * 100_000_000 + rng.randrange(100_000_000)
            import time
            tm = time.gmtime(seconds)
            stamp = time.strftime("%Y%m%d-%H%M%S", tm)
            iso = time.strftime("%Y-%m-%dT%H:%M:%S", tm)
            frac = f"{nanos:09d}".rstrip("0")
            ts = iso + ("." + frac if frac else "") + "Z"
            words = []
            while sum(len(w) + 1 for w in words) < body_size:
                words.append(rng.choice(WORDS))
            lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
            body = ("\n".join(lines) + "\n").encode()
            task = f"task-{index % 7:02d}"
            fields = (
                f"msg_id: MSG-{stamp}-{nanos:09d}-PID{4242:05d}-{index % 10000:04d}\n"
                f"ts: {ts}\ntype: {TYPES[index % len(TYPES)]}\nproject_id: bench\ntask_id: {task}\n"
                f"run_id: run-{index % 3}\nbody_bytes: {len(body)}\n"
            ).encode()
            checksum = f"crc32c: {crc32c(fields + body):08x}\n".encode()
            if index:
                out.write(b"\n")
            out.write(b"---\n" + fields + checksum + b"---\n")
            out.write(body)


if __name__ == "__main__":
    main()
