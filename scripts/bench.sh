#!/usr/bin/env bash
# Whole-process figures for the README: the table of issue 8 (JSON and text reads of both layouts against `grep`
# on the same file, `--tail`/`--since`/`poll`/`--follow` on a 1 MB and a large bus, peak memory, `post`), the
# monitor's first screen, and how long an append takes to reach `read --follow` on a small and a 100k-message bus. In-process figures come from
# `BUS_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark` (Benchmarks/BusBenchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

swift build -c release --static-swift-stdlib -Xlinker -no-pie --product run-agent >/dev/null
bin=.build/release/run-agent
work=$(mktemp -d /tmp/run-agent-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
# Large buses take minutes to make: kept between runs in BENCH_DATA (default .bench-data, ignored by git).
data=${BENCH_DATA:-.bench-data}
mkdir -p "$data"
python3 scripts/make-large-bus.py "$work/big.md" 100000 280

echo "== issue 8's table: JSON, text, tail, since, poll, follow start-up, memory and post, against same-run yardsticks"
python3 scripts/bench-read.py "$bin" "$data" --large "${BENCH_LARGE:-1G}"

# The text looked for is the first line of the newest body: the monitor shows it before the history is read.
newest() { "$bin" bus read --bus "$1" --tail 1 --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["body"].splitlines()[0][:28])'; }
echo "== monitor: first screen of the 100k-message bus and of the large buses; when the history is in; memory"
python3 scripts/monitor-first-screen.py "$PWD/$bin" "$work/big.md" "$(newest "$work/big.md")"
for layout in own go; do
    large="$data/$layout-${BENCH_LARGE:-1G}.md"
    [[ -f $large ]] && python3 scripts/monitor-first-screen.py "$PWD/$bin" "$large" "$(newest "$large")"
done
echo "== monitor: one key typed into the filter of the 100k-message bus, to the screen (issue 11: 50 ms)"
python3 scripts/monitor-filter-latency.py "$PWD/$bin" "$work/big.md" 100000 20
# The large buses' history is kept as records' places: a word filter reads every record again (a word in few
# bodies is decided on the records' bytes; one in most bodies reads them as records).
for layout in own go; do
    large="$data/$layout-${BENCH_LARGE:-1G}.md"
    [[ -f $large ]] || continue
    count=$("$bin" bus read --bus "$large" --tail 0 --json | wc -l)
    echo "== monitor: a word typed into the filter of $large ($count messages kept as places)"
    python3 scripts/monitor-filter-latency.py "$PWD/$bin" "$large" "$count" 3 q
    python3 scripts/monitor-filter-latency.py "$PWD/$bin" "$large" "$count" 3 deploy
done

"$bin" bus post --bus "$work/MESSAGE-BUS.md" --project bench --body hello >/dev/null
echo "== append -> read --follow latency (includes the poster's start-up)"
python3 scripts/follow-latency.py "$bin" "$work/MESSAGE-BUS.md" 50
python3 scripts/follow-latency.py "$bin" "$work/big.md" 50

echo "== monitor (issue 11), in process: reply counts of 100k messages, opening them, one key typed into the filter"
BUS_BENCHMARKS=1 swift package --scratch-path "${BENCH_SCRATCH:-.build-bench}" benchmark --filter 'monitor.*'
