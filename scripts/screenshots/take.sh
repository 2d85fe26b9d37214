#!/usr/bin/env bash
# Renders the README's screenshots: runs the monitor in tmux on a prepared project bus, drives it with keys, and
# turns each `capture-pane -p -e` into a PNG (scripts/screenshots/render.py: pyte + Pillow, cell by cell).
# usage: scripts/screenshots/take.sh [OUTPUT_FOLDER]   (default: screenshots/)
# SCRATCH_PATH names SwiftPM's build folder (default .build), for a worktree that builds into its own; the
# release build and the Python environment go there.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-screenshots}
mkdir -p "$out"

scripts/setup.sh
fonts=(fonts-dejavu-core fonts-wqy-microhei fonts-noto-color-emoji)
for package in "${fonts[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
done
scratch=${SCRATCH_PATH:-.build}
# pyte and Pillow from PyPI, in a virtual environment of their own (under the scratch folder, out of git).
venv=$scratch/screenshots-venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import pyte, PIL" 2>/dev/null || "$venv/bin/pip" install -q pyte pillow

# RUN_AGENT_BIN names an already built binary (the screens do not depend on the build mode).
bin=${RUN_AGENT_BIN:-}
if [[ -z $bin ]]; then
    swift build -c release --product run-agent --scratch-path "$scratch" >/dev/null
    bin=$(cd "$scratch/release" && pwd)/run-agent
fi
work=$(mktemp -d /tmp/run-agent-shots-XXXXXX)
base_socket=run-agent-shots-$$
socket=$base_socket
trap 'for size in 140 80; do tmux -L "$base_socket-$size" kill-server 2>/dev/null || true; done; rm -rf "$work"' EXIT

# A project with a project bus and three task buses, with the variety a real swarm produces: realistic ids,
# agents, replies, a long multi-line body with a markdown rule, CJK and emoji (ZWJ sequences and flags included).
root=$work/runs
api=task-20261126-090000-api
tests=task-20261126-090500-tests
review=task-20261126-091000-review
post() { "$bin" bus post --root "$root" --project shop --no-fsync "$@" | sed -n 's/^msg_id: //p'; }
post --type INFO --meta agent=planner --body "Swarm started: 3 agents (builder, tester, reviewer) and a planner." >/dev/null
post --task $api --run run-20261126-090000-1 --meta agent=claude --type RUN_START --body "builder run 1 started (model: claude, cwd: services/api)" >/dev/null
post --task $tests --run run-20261126-090500-7 --meta agent=codex --type RUN_START --body "tester run 7 started" >/dev/null
post --type DECISION --meta agent=planner --body $'Split the work: api, tests, review.\nRationale: the three can proceed in parallel.' >/dev/null
post --task $api --run run-20261126-090000-1 --meta agent=claude --type PROGRESS --body "Implementing the token bucket in internal/ratelimit/bucket.go" >/dev/null
post --task $tests --run run-20261126-090500-7 --meta agent=codex --type FACT --body "311/312 passed; TestUploadResume is flaky (2 of 5 runs)" >/dev/null
question=$(post --task $review --run run-20261126-091000-3 --meta agent=gemini --type QUESTION --body "Should the limiter be per user or per API key?")
post --type ANSWER --meta agent=planner --parent "$question" --body "Per API key; per-user limits come later." >/dev/null
post --task $api --run run-20261126-090000-1 --meta agent=claude --meta files=3 --type FACT \
    --body $'go build ./... passed on linux-x86_64 in 9.8s\n\ncoverage: internal/ratelimit 92.3%\n  bucket.go      96%\n  limiter.go     88%' >/dev/null
post --task $review --run run-20261126-091000-3 --meta agent=gemini --type FACT --body "Reviewed by 日本語チーム ✓ — looks good 🚀 👍🏽 👨‍👩‍👧 🇯🇵" >/dev/null
post --task $tests --run run-20261126-090500-7 --meta agent=codex --type PROGRESS --body "Bisecting the flake: 7 commits left" >/dev/null
post --task $tests --run run-20261126-090500-7 --meta agent=codex --type FACT --body "Flake fixed: tests shared a temp dir; now t.TempDir()" >/dev/null
post --task $api --run run-20261126-090000-1 --meta agent=claude --type DONE \
    --body $'Rate limiter merged.\n\n## Summary\nToken bucket per API key; 429 with Retry-After when empty.\n\n---\n\nFiles:\n  - internal/ratelimit/bucket.go\n  - services/api/router.go' >/dev/null
post --task $api --run run-20261126-090000-1 --meta agent=claude --type RUN_STOP --body "builder run 1 stopped with code 0" >/dev/null

shoot() {  # name columns rows
    local capture=$work/${1//\//-}.ans
    tmux -L "$socket" capture-pane -p -e -N -t shots > "$capture"  # -N: keep trailing cells (full-width bars)
    "$venv/bin/python" scripts/screenshots/render.py "$capture" "$out/$1.png" "$2" "$3"
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

# One session per size: list, detail, type picker, compose, help; then the narrow layout from the small one.
shoot_size() {  # columns rows
    local columns=$1 rows=$2 dir=$out/$1x$2
    mkdir -p "$dir"
    # A server of its own per size: a new session right after kill-server can reach the dying server.
    tmux -L "$socket" kill-server 2>/dev/null || true
    socket=$base_socket-$columns
    tmux -L "$socket" -f /dev/null new-session -d -s shots -x "$columns" -y "$rows" \
        "env LC_ALL=C.UTF-8 TERM=tmux-256color TZ=UTC JRUN_RUNS_DIR=$root $bin bus monitor --project shop"
    wait_for "builder run 1 stopped"
    keys k k k k
    wait_for "PAUSED"
    shoot "$1x$2/list" "$columns" "$rows"
    keys Enter
    wait_for "msg_id:"
    shoot "$1x$2/detail" "$columns" "$rows"
    keys Escape
    keys t
    wait_for "RUN_STOP"
    keys j Space j j Space
    wait_for "[x] DECISION"
    shoot "$1x$2/type-picker" "$columns" "$rows"
    keys Escape G c
    wait_for "Esc cancel"
    keys -l "Deploy window agreed: Thursday 14:00 UTC"
    keys C-j
    keys -l "Owner: release team 🚀"
    wait_for "Owner: release team"
    shoot "$1x$2/compose" "$columns" "$rows"
    keys Escape '?'
    wait_for "keys (q closes)"
    shoot "$1x$2/help" "$columns" "$rows"
    keys q
}
shoot_size 140 40
shoot_size 80 24
tmux -L "$socket" resize-window -t shots -x 40 -y 12
keys G
wait_for -E "^[0-9]{2}:[0-9]{2}:[0-9]{2} \\[RUN_S"  # the narrow layout drops the date column
shoot narrow-40x12 40 12

# Issue 11's screens at 80x24, in a session of their own so the ones above keep their content: a highlighted
# search (list and detail pane), the thread view of the limiter question, and the swarm panel with a stale task.
# The review task speaks again just before the monitor starts, so with --stale 10s the others are marked.
tmux -L "$socket" kill-server 2>/dev/null || true
socket=$base_socket-power
post --task $review --run run-20261126-091000-3 --meta agent=gemini --type PROGRESS --body "Reviewing router.go changes" >/dev/null
tmux -L "$socket" -f /dev/null new-session -d -s shots -x 80 -y 24 \
    "env LC_ALL=C.UTF-8 TERM=tmux-256color TZ=UTC JRUN_RUNS_DIR=$root $bin bus monitor --project shop --stale 10s"
wait_for "Reviewing router.go"
keys /
keys -l "limiter"
keys Enter
wait_for "/limiter"
keys g Enter
wait_for "msg_id:"
shoot "80x24/search" 80 24
keys Escape r
wait_for "thread of"
shoot "80x24/thread" 80 24
keys Escape Escape s
wait_for "STALE"
shoot "80x24/swarm" 80 24

