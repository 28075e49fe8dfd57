#!/usr/bin/env bash
# Make sure the real services the `services` tests start are installed: Debian's prometheus and
# prometheus-alertmanager. Installs them (as root, via apt-get) only when missing; prints versions.
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)

if ((${#need[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "services.sh: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # --no-install-recommends: the tests start the binaries themselves; no systemd units needed
    apt-get install -y -qq --no-install-recommends "${need[@]}"
    # the packages enable system services; the tests use their own ports, but stop these anyway
    # so nothing else listens on 9090/9093 during CI
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        systemctl stop prometheus prometheus-alertmanager 2>/dev/null || true
    fi
fi

prometheus --version 2>&1 | head -n 1
prometheus-alertmanager --version 2>&1 | head -n 1
