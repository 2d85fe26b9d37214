#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds everything (the tests drive the real binary), runs
# every test target, and checks formatting and warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

logs=$(mktemp -d "${TMPDIR:-/tmp}/run-agent-test-XXXXXX")
trap 'rm -rf "$logs"' EXIT

# A warning is a failure: build once, capture the log, and refuse warnings from our own sources.
swift build --build-tests 2>&1 | tee "$logs/build.log"
if grep -E "^/.*(Sources|Tests)/.*warning:" "$logs/build.log"; then
    echo "test.sh: the build has warnings (above)" >&2
    exit 1
fi

swift format lint --strict --recursive Sources Fuzz Package.swift
swift format lint --strict --recursive --configuration Tests/.swift-format Tests

SWIFT_BACKTRACE=interactive=no swift test --skip-build 2>&1 | tee "$logs/test.log"

# `run-agent bus mcp` end to end with a client nobody here wrote: the official Python MCP SDK, in a throwaway
# virtual environment, drives the debug binary over stdio (Tests/mcp/e2e_mcp.py; it prints one line).
python3 -m venv "$logs/venv"
"$logs/venv/bin/pip" install --quiet --disable-pip-version-check "mcp==2.3.0"
"$logs/venv/bin/python" Tests/mcp/e2e_mcp.py .build/debug/run-agent

# Bounded coverage-guided fuzzing of the record scanner (libFuzzer); a longer run: scripts/fuzz.sh 600.
scripts/fuzz.sh 30

# The README's first command builds the release binary with the Swift runtime linked in (`--static-swift-stdlib`)
# at a fixed address (`-Xlinker -no-pie`: no relocating the runtime at each start), which together make a `post`
# start in a third of the time: build it the same way, check that it is such a binary, and that it posts and reads.
# The build is the README's own first command (between `setup.sh &&` and `&& .build/release/run-agent`), so that
# a command that stopped working fails here: `swift run` once refused `--static-swift-stdlib` unnoticed.
readme_build=$(sed -n '4p' README.md | sed -E 's/^scripts\/setup\.sh && //; s/ && \.build\/release\/run-agent .*$//')
[[ $readme_build == "swift build "* ]] || { echo "test.sh: README line 4 is not 'setup && swift build ... && run'" >&2; exit 1; }
read -ra readme_words <<<"$readme_build"
"${readme_words[@]}"
# run-agent-services is built with the same flags: the README's words between `swift build` and `--product run-agent`.
count=${#readme_words[@]}
[[ "${readme_words[*]:count-2}" == "--product run-agent" ]] || { echo "test.sh: README line 4 does not end in '--product run-agent'" >&2; exit 1; }
release_flags=("${readme_words[@]:2:count-4}")
if ! readelf -h .build/release/run-agent | grep -qE "Type: +EXEC"; then
    echo "test.sh: .build/release/run-agent is position-independent; the release build lost -no-pie" >&2
    exit 1
fi
# The static runtime's link exports every symbol (27k) unless Package.swift's --no-export-dynamic holds: the loader's
# lookups and the runtime's start-up dladdr then slow every command. Counted on the release binary: a debug build
# uses the shared runtime and exports nothing of its own either way.
exported=$(readelf --dyn-syms -W .build/release/run-agent | awk 'NR > 3 && $7 != "UND"' | wc -l)
if ((exported > 100)); then
    echo "test.sh: .build/release/run-agent exports $exported symbols of its own; --no-export-dynamic was lost" >&2
    exit 1
fi
release_bus="$logs/MESSAGE-BUS.md"
.build/release/run-agent bus post --bus "$release_bus" --project ci --body "release smoke test 🎉" >/dev/null
.build/release/run-agent bus read --bus "$release_bus" --json | grep -q '"body":"release smoke test 🎉"'
# `serve` and `mcp` live in run-agent-services (its static link needs libcurl's headers: setup.sh), which
# run-agent execs: build it the same way and check that both commands reach it.
swift build "${release_flags[@]}" --product run-agent-services
.build/release/run-agent bus serve --help | grep -q "USAGE: run-agent bus serve"
.build/release/run-agent bus mcp --help | grep -q "USAGE: run-agent bus mcp"

# The suite's count again as the last line (the fuzz run prints after swift test's own summary).
passed=$(grep -oE "Test run with [0-9]+ tests" "$logs/test.log" | grep -oE "[0-9]+" | tail -1)
echo "${passed:-0} passed, 0 failed"
