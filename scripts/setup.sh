#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine: the ncursesw headers for the monitor,
# tmux for the monitor's end-to-end tests, util-linux's flock(1) for the lock tests, curl for the server's
# raw-path tests, GNU time for the memory bound of a large read, libcurl's headers for the release link (the MCP
# SDK pulls in FoundationNetworking, whose static library needs -lcurl), binutils' readelf for the checks that
# `run-agent` starts without relocating itself or exporting its symbols. Idempotent and quiet
# when everything is already there.
set -euo pipefail

packages=(libncurses-dev tmux util-linux curl time libcurl4-openssl-dev binutils)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
