#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# siplint hot-path regression check (issue 10): instructions counted by callgrind (repeatable on a
# noisy machine) for `siplint --format jsonl` over a fixed capture built from the committed
# captures/real/*.pcap (Ethernet ones, concatenated with mergecap -a, then repeated to 4 MB with
# pcap_repeat). Compares with bench/callgrind.baseline and reports; never fails on the figure.
#   bench/callgrind.sh [--build DIR] [--update]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
UPDATE=0
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift ;;
    --update) UPDATE=1 ;;
    *) echo "callgrind.sh: unknown option $1" >&2; exit 3 ;;
    esac
    shift
done
for t in valgrind mergecap; do command -v $t >/dev/null || { echo "callgrind.sh: $t is missing" >&2; exit 1; }; done
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSIPLINT_TESTS=OFF >/dev/null || exit 1
fi
cmake --build "$BUILD" --target siplint pcap_repeat -j2 >/dev/null || exit 1
OUT=$ROOT/bench/out
mkdir -p "$OUT"
caps=()
for f in "$ROOT"/captures/real/*.pcap; do
    # link type 1 (Ethernet) only: mergecap -a keeps one link type per pcap file
    [ "$(od -An -tu4 -j20 -N4 "$f" | tr -d ' ')" = 1 ] && caps+=("$f")
done
mergecap -a -F pcap -w "$OUT/cg-src.pcap" "${caps[@]}" || exit 1
"$BUILD/bench/pcap_repeat" "$OUT/cg-src.pcap" "$OUT/cg.pcap" 4 >/dev/null || exit 1
ir=$(valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" "$BUILD/siplint" --format jsonl -q \
    --no-config "$OUT/cg.pcap" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
bytes=$(stat -c %s "$OUT/cg.pcap")
base=$(sed -n 's/^instructions \([0-9]*\).*/\1/p' "$ROOT/bench/callgrind.baseline" 2>/dev/null)
echo "siplint --format jsonl over $bytes bytes (${#caps[@]} captures/real files, repeated): $ir instructions, $(awk -v i="$ir" -v b="$bytes" 'BEGIN{printf "%.1f", i/b}') per byte"
if [ -n "$base" ]; then
    awk -v i="$ir" -v b="$base" 'BEGIN{d=100*(i-b)/b; printf "baseline %d: %+.1f %%%s\n", b, d, (d > 10 ? "  <- the hot path got much slower: look at it (callgrind_annotate bench/out/callgrind.out)" : "")}'
fi
if [ $UPDATE = 1 ]; then
    printf 'instructions %s  # bench/callgrind.sh, %s, %s\n' "$ir" "$(gcc --version | head -1)" "$(date -u +%Y-%m-%d)" >"$ROOT/bench/callgrind.baseline"
    echo "baseline updated"
fi
