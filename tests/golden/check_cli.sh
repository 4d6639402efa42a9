#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden capture test: for every capture in captures/ with a <name>.expected file, the CLI must
# report exactly those findings (frame, rule, severity). Usage: check_cli.sh SIPLINT CAPTURES_DIR
set -u
siplint=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checked=0
failed=0
for cap in $(find "$dir" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort); do
    exp="${cap%.*}.expected"
    [ -f "$exp" ] || continue
    checked=$((checked + 1))
    "$siplint" --format jsonl "$cap" > "$tmp/out.jsonl" 2> "$tmp/err.txt"
    rc=$?
    if [ "$rc" -ge 2 ]; then
        echo "FAIL $cap: siplint exited $rc: $(cat "$tmp/err.txt")"
        failed=$((failed + 1))
        continue
    fi
    # "frame RULE severity" from each finding line (keys are emitted in a fixed order)
    sed -n 's/^{"type":"finding".*"frame":\([0-9]*\),"rule":"\([A-Z0-9-]*\)","severity":"\([a-z]*\)".*/\1 \2 \3/p' \
        "$tmp/out.jsonl" | sort > "$tmp/got"
    sed -e 's/#.*//' -e 's/[[:space:]]\{1,\}/ /g' -e 's/^ //' -e 's/ $//' "$exp" | grep -v '^$' | sort > "$tmp/want"
    if ! cmp -s "$tmp/got" "$tmp/want"; then
        echo "FAIL $cap (< expected, > reported):"
        diff "$tmp/want" "$tmp/got" | grep '^[<>]'
        failed=$((failed + 1))
    else
        echo "ok   $cap ($(wc -l < "$tmp/want") findings)"
    fi
done
if [ "$checked" -eq 0 ]; then
    echo "FAIL: no capture with an .expected file under $dir"
    exit 1
fi
echo "$((checked - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
