#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate the crafted captures from their layouts: make.sh [--check] PATH/TO/mkpcap
#
# Every NAME.layout in this directory becomes NAME.pcap next to it (NAME.pcapng when the layout
# says `format pcapng`). With --check nothing is
# written here: the captures are built in a temporary directory and compared with the
# committed ones (exit 1 if one differs or is missing).
set -eu

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
if [ $# -ne 1 ]; then
    echo "usage: $0 [--check] PATH/TO/mkpcap" >&2
    exit 2
fi
mkpcap=$1
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
for layout in "$dir"/*.layout; do
    name=$(basename "$layout" .layout)
    ext=pcap
    # a layout that starts a pcapng file makes NAME.pcapng
    if grep -q '^format pcapng' "$layout"; then
        ext=pcapng
    fi
    "$mkpcap" "$layout" "$tmp/$name.$ext"
    if [ "$check" -eq 1 ]; then
        if ! cmp -s "$tmp/$name.$ext" "$dir/$name.$ext"; then
            echo "$name.$ext is not what $name.layout produces: run $0 $mkpcap" >&2
            status=1
        fi
    else
        mv "$tmp/$name.$ext" "$dir/$name.$ext"
        echo "wrote $dir/$name.$ext"
    fi
done
exit $status
