#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Re-makes the real-peer captures: runs every capture script (or those named) with OUTDIR as
# their output directory (default: this directory, i.e. overwrite the committed captures).
# usage: make.sh [-o OUTDIR] [NAME...]        needs root, sipp, sipsak, kamailio, tcpdump, ethtool
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
out=$HERE
if [ "${1:-}" = -o ]; then out=$2; shift 2; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(udp-pager udp-size udp-fragmented udp-in-dialog tcp-segmented
    bad-ack bad-contact bad-path bad-200-body signed sipsak-message kamailio-path)
rc=0
for n in "${names[@]}"; do
    "$HERE/$n.sh" "$out" || { echo "make.sh: $n failed" >&2; rc=1; }
done
exit $rc
