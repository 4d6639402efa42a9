#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real peers, end to end: re-runs some of the capture scripts of captures/real (sipp UAC and UAS
# in network namespaces, tcpdump capturing), then lints the fresh captures with the CLI and
# compares with the committed .expected files (tests/golden/check_cli.sh).
# usage: run_peers.sh SIPLINT SOURCE_DIR [NAME...]
# Exits 77 (ctest: skipped) when not root or when sipp, tcpdump, ethtool or ip is missing.
set -u
siplint=${1:?usage: run_peers.sh SIPLINT SOURCE_DIR [NAME...]}
src=${2:?usage: run_peers.sh SIPLINT SOURCE_DIR [NAME...]}
shift 2
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(udp-pager udp-size udp-fragmented tcp-segmented bad-ack signed)
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (network namespaces, tcpdump)"; exit 77; fi
for t in sipp tcpdump ethtool ip ss; do
    command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/siplint-peers-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for n in "${names[@]}"; do
    if ! "$src/captures/real/$n.sh" "$tmp" >"$tmp/$n.log" 2>&1; then
        cat "$tmp/$n.log"
        echo "FAIL: $n.sh did not make its capture"
        exit 1
    fi
    cp "$src/captures/real/$n.expected" "$tmp/"
done
sh "$src/tests/golden/check_cli.sh" "$siplint" "$tmp"
