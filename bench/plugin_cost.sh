#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the siplint plugin adds to tshark's time: tshark with the plugin versus tshark without it,
# on the same capture, in the ways people run tshark. Not part of ctest (timings are
# measurements, not tests).
#
#   bench/plugin_cost.sh [-b BUILD_DIR] [-n RUNS] [-c] CAPTURE
#
# -c: count instructions with valgrind's callgrind instead of timing (one run per mode and side;
# repeatable on a noisy machine, about 50 times slower: use a small capture such as a 10 MB slice).
#
# Each mode runs RUNS times (default 5) with and without the plugin, alternating, and prints
# the median and min-max of each and the median overhead. The plugin is installed into a
# throwaway personal plugin folder; "without" runs with an empty HOME, so both load exactly
# the same system plugins. As root, tshark runs as nobody (root ignores personal plugins).
set -euo pipefail

build=build
runs=5
count=0
while getopts "b:n:c" o; do
    case $o in
        b) build=$OPTARG ;;
        n) runs=$OPTARG ;;
        c) count=1 ;;
        *) echo "usage: $0 [-b BUILD_DIR] [-n RUNS] [-c] CAPTURE" >&2; exit 3 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-b BUILD_DIR] [-n RUNS] [-c] CAPTURE" >&2; exit 3; }
cap=$(realpath "$1")
[ -r "$cap" ] || { echo "$0: $1: cannot read" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
command -v tshark >/dev/null || { echo "$0: tshark is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/with" "$tmp/without"
HOME=$tmp/with cmake --build "$root/$build" --target install-personal >/dev/null 2>&1 ||
    { echo "$0: cannot build or install the plugin (is $build configured?)" >&2; exit 2; }
chmod -R a+rX "$tmp"

run_ts() { # HOME args...
    local home=$1
    shift
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home" tshark "$@"
    else
        env HOME="$home" tshark "$@"
    fi
}
# The capture must be readable by the user tshark runs as.
if ! run_ts "$tmp/without" -r "$cap" -c 1 -q >/dev/null 2>&1; then
    cp "$cap" "$tmp/cap.pcap" && chmod a+r "$tmp/cap.pcap" && cap=$tmp/cap.pcap
fi
run_ts "$tmp/with" -G plugins 2>/dev/null | grep -q siplint ||
    { echo "$0: the plugin does not load" >&2; exit 2; }

secs() { # HOME args... -> wall seconds
    local s e
    s=$(date +%s%N)
    run_ts "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    echo "scale=3; ($e - $s) / 1000000000" | bc
}
stats() { # values... -> "median min max"
    printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.3f %.3f %.3f", m, v[1], v[NR]}'
}

# instructions of one run under callgrind (all threads)
instr() { # HOME args...
    local home=$1
    shift
    local v=(valgrind --tool=callgrind --callgrind-out-file=/dev/null tshark "$@")
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home" "${v[@]}" 2>&1 >/dev/null
    else
        env HOME="$home" "${v[@]}" 2>&1 >/dev/null
    fi | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
if [ "$count" = 1 ]; then
    command -v valgrind >/dev/null || { echo "$0: -c needs valgrind" >&2; exit 2; }
    echo "capture: $1; instructions (callgrind, all threads), one run per mode and side"
    editcap -r "$cap" "$tmp/empty" 0 && chmod a+r "$tmp/empty" # no packet, same file format
    e0=$(instr "$tmp/without" -r "$tmp/empty" -Y sip)
    e1=$(instr "$tmp/with" -r "$tmp/empty" -Y sip)
    echo "start-up alone (an empty copy of the capture): without $e0, with $e1"
    printf '%-36s %-16s %-16s %-10s %s\n' "mode" "without" "with" "overhead" "overhead past start-up"
    for mode in "-q -z expert" "-q -Y sip" "-Y sip" "-q -z sip,stat" ""; do
        # shellcheck disable=SC2086
        i0=$(instr "$tmp/without" -r "$cap" $mode)
        # shellcheck disable=SC2086
        i1=$(instr "$tmp/with" -r "$cap" $mode)
        awk -v m="tshark -r CAP ${mode:-(summary lines)}" -v a="$i0" -v b="$i1" -v s0="$e0" -v s1="$e1" 'BEGIN {
            printf "%-36s %-16.0f %-16.0f %+.1f%%     %+.1f%%\n", m, a, b, 100*(b-a)/a, 100*((b-s1)-(a-s0))/(a-s0) }'
    done
    exit 0
fi
pkts=$(capinfos -c -M "$cap" 2>/dev/null | awk -F: '/Number of packets/{gsub(/ /,"",$2); print $2}')
echo "capture: $1 ($(du -h "$cap" | cut -f1), ${pkts:-?} packets); $runs runs per mode"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); tshark $(tshark -v | head -1 | awk '{print $3}')"
printf '%-36s %-22s %-22s %s\n' "mode" "without (median, min-max)" "with (median, min-max)" "overhead"
for mode in "-q -z expert" "-q -Y sip" "-Y sip" "-q -z sip,stat" ""; do
    wo=() wi=()
    for ((i = 0; i < runs; i++)); do
        # shellcheck disable=SC2086
        wo+=("$(secs "$tmp/without" -r "$cap" $mode)")
        # shellcheck disable=SC2086
        wi+=("$(secs "$tmp/with" -r "$cap" $mode)")
    done
    read -r m0 a0 b0 <<<"$(stats "${wo[@]}")"
    read -r m1 a1 b1 <<<"$(stats "${wi[@]}")"
    pct=$(echo "scale=1; ($m1 - $m0) * 100 / $m0" | bc)
    printf '%-36s %-22s %-22s %s%%\n' "tshark -r CAP ${mode:-(summary lines)}" "$m0 ($a0-$b0)" "$m1 ($a1-$b1)" "$pct"
done
