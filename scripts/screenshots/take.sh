#!/usr/bin/env bash
# Renders the README's screenshots: runs the monitor in tmux on a prepared project bus, drives it with keys, and
# turns each `capture-pane -p -e` into a PNG (scripts/screenshots/render.py: pyte + Pillow, cell by cell).
# usage: scripts/screenshots/take.sh [OUTPUT_FOLDER]   (default: screenshots/)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-screenshots}
mkdir -p "$out"

scripts/setup.sh
fonts=(fonts-dejavu-core fonts-wqy-microhei fonts-noto-color-emoji)
for package in "${fonts[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
done
python3 -c "import pyte, PIL" 2>/dev/null || python3 -m pip install -q pyte pillow

swift build -c release --product run-agent >/dev/null
bin=$PWD/.build/release/run-agent
work=$(mktemp -d /tmp/run-agent-shots-XXXXXX)
socket=run-agent-shots-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

# A project with a project bus and three task buses, with the variety a real swarm produces.
root=$work/runs
post() { "$bin" bus post --root "$root" --project shop --no-fsync "$@" >/dev/null; }
post --type INFO --body "Swarm started: 3 agents (builder, tester, reviewer) and a planner."
post --task task-api --run run-1 --type RUN_START --body "builder run 1 started (model: claude, cwd: services/api)"
post --task task-tests --run run-7 --type RUN_START --body "tester run 7 started"
post --type DECISION --meta owner=planner --body $'Split the work: api, tests, review.\nRationale: the three can proceed in parallel.'
post --task task-api --run run-1 --type PROGRESS --body "Implementing the token bucket in internal/ratelimit/bucket.go"
post --task task-tests --run run-7 --type FACT --body "311/312 passed; TestUploadResume is flaky (2 of 5 runs)"
post --task task-review --run run-3 --type QUESTION --body "Should the limiter be per user or per API key?"
post --type DECISION --body "Per API key; per-user limits come later."
post --task task-api --run run-1 --type FACT --meta agent=claude --meta files=3 \
    --body $'go build ./... passed on linux-x86_64 in 9.8s\n\ncoverage: internal/ratelimit 92.3%\n  bucket.go      96%\n  limiter.go     88%'
post --task task-review --run run-3 --type FACT --body "Reviewed by 日本語チーム ✓ — looks good 🚀"
post --task task-tests --run run-7 --type PROGRESS --body "Bisecting the flake: 7 commits left"
post --task task-tests --run run-7 --type FACT --body "Flake fixed: tests shared a temp dir; now t.TempDir()"
post --task task-api --run run-1 --type DONE --body $'Rate limiter merged.\nFiles:\n  - internal/ratelimit/bucket.go\n  - services/api/router.go'
post --task task-api --run run-1 --type RUN_STOP --body "builder run 1 stopped with code 0"

shoot() {  # name columns rows
    local capture=$work/$1.ans
    tmux -L "$socket" capture-pane -p -e -t shots > "$capture"
    python3 scripts/screenshots/render.py "$capture" "$out/$1.png" "$2" "$3"
    echo "wrote $out/$1.png"
}
wait_for() {  # text (or, with -E, an extended regular expression)
    local mode=-F
    if [[ $1 == -E ]]; then mode=-E; shift; fi
    for _ in $(seq 500); do
        tmux -L "$socket" capture-pane -p -t shots | grep -q "$mode" -- "$1" && return 0
        sleep 0.02
    done
    echo "take.sh: timed out waiting for '$1'" >&2
    tmux -L "$socket" capture-pane -p -t shots >&2
    return 1
}
keys() { tmux -L "$socket" send-keys -t shots "$@"; }

tmux -L "$socket" -f /dev/null new-session -d -s shots -x 120 -y 32 \
    "env LC_ALL=C.UTF-8 TERM=tmux-256color TZ=UTC JRUN_RUNS_DIR=$root $bin bus monitor --project shop"
wait_for "builder run 1 stopped"
keys k k k k k
wait_for "PAUSED"
shoot list 120 32

keys Enter
wait_for "coverage"
shoot detail 120 32
keys Escape

keys t
wait_for "RUN_STOP"
keys j Space j j Space
wait_for "[x] INFO"
shoot type-picker 120 32
keys Enter
wait_for "type: DONE,INFO"
keys G

keys c
wait_for "Esc cancel"
keys -l "Deploy window agreed: Thursday 14:00 UTC"
keys C-j
keys -l "Owner: release team"
wait_for "Owner: release team"
shoot compose 120 32
keys Escape

tmux -L "$socket" resize-window -t shots -x 60 -y 16
keys G
wait_for -E "^[0-9]{2}:[0-9]{2}:[0-9]{2} \\[DONE\\]"  # the narrow layout drops the date column
shoot narrow 60 16
