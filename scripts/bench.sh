#!/usr/bin/env bash
# Whole-process figures for the README: `post` start-to-finish, a full read of a 100k-message bus, and how long an
# append takes to reach `read --follow` on a small and on a 100k-message bus. In-process figures come from
# `BUS_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark` (Benchmarks/BusBenchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

swift build -c release --product run-agent >/dev/null
bin=.build/release/run-agent
work=$(mktemp -d /tmp/run-agent-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== post, one process per message (fsync on, then off)"
hyperfine -N --warmup 5 --runs 200 \
    "$bin bus post --bus $work/MESSAGE-BUS.md --project bench --body hello" \
    "$bin bus post --bus $work/MESSAGE-BUS.md --project bench --body hello --no-fsync"

echo "== full read of a 100k-message bus"
python3 scripts/make-large-bus.py "$work/big.md" 100000 280
ls -l "$work/big.md"
hyperfine -N --warmup 1 --runs 10 "$bin bus read --bus $work/big.md --tail 1"
/usr/bin/time -f "peak RSS %M KB" "$bin" bus read --bus "$work/big.md" --tail 1 >/dev/null

echo "== monitor: first screen of the 100k-message bus, and its memory"
python3 scripts/monitor-first-screen.py "$PWD/$bin" "$work/big.md" "100000/100000"

echo "== append -> read --follow latency (includes the poster's start-up)"
python3 scripts/follow-latency.py "$bin" "$work/MESSAGE-BUS.md" 50
python3 scripts/follow-latency.py "$bin" "$work/big.md" 50
