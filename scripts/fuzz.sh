#!/usr/bin/env bash
# Coverage-guided fuzzing of the record scanner with libFuzzer (Fuzz/BusFuzzer): random bytes and mutations of the
# shared test vectors must never crash it, return a record twice, or read differently live and at once.
# Usage: scripts/fuzz.sh [SECONDS]   (default 30; CI runs the default). A crash leaves its input in the work folder
# and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
BUS_FUZZ=1 swift build --scratch-path .build-fuzz --product BusFuzzer 2>&1 | grep -Ev "^\[[0-9]+/[0-9]+\]" || true
work=$(mktemp -d "${TMPDIR:-/tmp}/run-agent-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp ../shared/vectors/*.md "$work/corpus/" 2>/dev/null || true
cd "$work"
# Swift's backtracer would catch the crash signal before libFuzzer writes the crashing input: leave it to libFuzzer.
if ! SWIFT_BACKTRACE=enable=no "$OLDPWD/.build-fuzz/debug/BusFuzzer" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 corpus \
    >fuzz.log 2>&1; then
    tail -40 fuzz.log >&2
    mkdir -p "$OLDPWD/.build-fuzz/crashes" && cp crash-* "$OLDPWD/.build-fuzz/crashes/" 2>/dev/null || true
    echo "fuzz.sh: the scanner failed on a fuzzed input (kept in .build-fuzz/crashes)" >&2
    exit 1
fi
grep -E "stat::number_of_executed_units|Done" fuzz.log | sed 's/^/fuzz: /'
