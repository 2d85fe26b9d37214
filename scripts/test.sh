#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds everything (the tests drive the real binary), runs
# every test target, and checks formatting and warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# A warning is a failure: build once, capture the log, and refuse warnings from our own sources.
swift build --build-tests 2>&1 | tee /tmp/run-agent-build.log
if grep -E "^/.*(Sources|Tests)/.*warning:" /tmp/run-agent-build.log; then
    echo "test.sh: the build has warnings (above)" >&2
    exit 1
fi

swift format lint --strict --recursive Sources Fuzz Package.swift
swift format lint --strict --recursive --configuration Tests/.swift-format Tests

SWIFT_BACKTRACE=interactive=no swift test --skip-build 2>&1 | tee /tmp/run-agent-test.log

# Bounded coverage-guided fuzzing of the record scanner (libFuzzer); a longer run: scripts/fuzz.sh 600.
scripts/fuzz.sh 30

# The suite's count again as the last line (the fuzz run prints after swift test's own summary).
passed=$(grep -oE "Test run with [0-9]+ tests" /tmp/run-agent-test.log | grep -oE "[0-9]+" | tail -1)
echo "${passed:-0} passed, 0 failed"
