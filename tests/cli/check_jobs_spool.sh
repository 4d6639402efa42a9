#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Parallel inputs with many findings: an input ahead of its turn hands 4,096 events to the main
# thread, then spools the rest to a temporary file (lint/cli/main.c). Whatever -j, and whether the
# spool works, fails to be made or fails mid-way, the output must be that of -j 1, byte for byte:
# no event lost, none out of order. Usage: check_jobs_spool.sh SIPLINT SOURCE_DIR PCAP_REPEAT
set -u
sl=$1
src=$2
repeat=$3
caps=$src/captures/crafted
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# Inputs: a long first one (22,000 findings) while the next ones, each with more than 4,096
# findings, finish ahead of their turn; a damaged one (its input error comes after its findings,
# so it is spooled too), inputs that cannot be read, and small ones in between.
"$repeat" "$caps/demo.pcap" "$tmp/long.pcap" 12 > /dev/null || exit 1
"$repeat" "$caps/tunnels.pcap" "$tmp/tunnels.pcap" 3 > /dev/null || exit 1
"$repeat" "$caps/demo.pcap" "$tmp/demo.pcap" 3 > /dev/null || exit 1
head -c 2500000 "$tmp/demo.pcap" > "$tmp/cut.pcap"
: > "$tmp/empty.pcap"
set -- "$tmp/long.pcap" "$tmp/tunnels.pcap" "$tmp/cut.pcap" "$tmp/empty.pcap" "$tmp/missing.pcap" \
    "$caps/demo.pcap" "$tmp/demo.pcap" "$caps/tunnels.pcap" "$tmp/tunnels.pcap"
opts="-q --no-config --max-transactions 1024"

"$sl" -j 1 $opts --format jsonl "$@" > "$tmp/j1" 2> "$tmp/j1.err"; rc1=$?
n=$(grep -c '"type":"finding"' "$tmp/j1")
if [ "$rc1" = 2 ] && [ "$n" -gt 40000 ] && grep -q 'cut.pcap: frame .*truncated' "$tmp/j1.err"; then
    echo "ok   -j 1: $n findings, the damaged input reported"; pass=$((pass + 1))
else echo "FAIL -j 1: exit $rc1, $n findings"; fail=$((fail + 1)); fi

same() { # same NAME RC: the last run's output, errors and exit status are those of -j 1
    if [ "$2" = "$rc1" ] && cmp -s "$tmp/j1" "$tmp/o" && cmp -s "$tmp/j1.err" "$tmp/o.err"; then
        echo "ok   $1"; pass=$((pass + 1))
    else
        echo "FAIL $1: exit $2 (expected $rc1)"; diff "$tmp/j1" "$tmp/o" | head -3 | cut -c1-200
        diff "$tmp/j1.err" "$tmp/o.err" | head -3; fail=$((fail + 1))
    fi
}

for j in 2 3 4; do
    "$sl" -j $j $opts --format jsonl "$@" > "$tmp/o" 2> "$tmp/o.err"; same "-j $j gives the output of -j 1" $?
done
# no temporary file can be made: jobs wait for their turn instead
TMPDIR=$tmp/none "$sl" -j 2 $opts --format jsonl "$@" > "$tmp/o" 2> "$tmp/o.err"
same "-j 2 without a temporary directory" $?
# the temporary file fills up mid-way (a file size limit of 256 KiB; standard output is a pipe)
( trap '' XFSZ; ulimit -f 512 || exit; "$sl" -j 2 $opts --format jsonl "$@" 2> "$tmp/o.err"; echo $? > "$tmp/o.rc" ) |
    cat > "$tmp/o"
same "-j 2 when the temporary file cannot grow" "$(cat "$tmp/o.rc")"

# every format at once
multi="--format text --format jsonl:$tmp/m.jsonl --format sarif:$tmp/m.sarif --format junit:$tmp/m.xml
       --format codequality:$tmp/m.cq --format html:$tmp/m.html"
"$sl" -j 1 $opts $multi "$@" > "$tmp/m.txt" 2> "$tmp/m.err"; rcm1=$?
mkdir "$tmp/m1"; mv "$tmp"/m.* "$tmp/m1/"
"$sl" -j 3 $opts $multi "$@" > "$tmp/m.txt" 2> "$tmp/m.err"; rcm3=$?
mkdir "$tmp/m3"; mv "$tmp"/m.* "$tmp/m3/"
if [ "$rcm1" = "$rcm3" ] && diff -r "$tmp/m1" "$tmp/m3" > /dev/null; then
    echo "ok   -j 3 gives the output of -j 1 in every format"; pass=$((pass + 1))
else echo "FAIL every format: -j 3 differs from -j 1"; diff -r -q "$tmp/m1" "$tmp/m3"; fail=$((fail + 1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
