#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI's contract: exit codes, options, formats, errors that name the file, stdin, and no lost
# findings when a capture is damaged. Usage: check_cli_behaviour.sh SIPLINT SOURCE_DIR
set -u
sl=$1
src=$2
data=$src/tests/cli/data
demo=$src/captures/crafted/demo.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() { # check NAME EXPECTED_RC ACTUAL_RC [grep-pattern file]
    name=$1 want=$2 got=$3
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"; fail=$((fail + 1)); return
    fi
    if [ $# -ge 5 ] && ! grep -q -- "$4" "$5"; then
        echo "FAIL $name: '$4' not found in output:"; sed 's/^/    /' "$5" | head -20; fail=$((fail + 1)); return
    fi
    echo "ok   $name"; pass=$((pass + 1))
}

"$sl" --version > "$tmp/o" 2>&1; check "--version" 0 $? "siplint 0.1.0" "$tmp/o"
"$sl" --help > "$tmp/o" 2>&1; check "--help" 0 $? "Exit status" "$tmp/o"
"$sl" --list-rules > "$tmp/o" 2>&1; check "--list-rules" 0 $? "MSG-SIGNED-NO-DATE" "$tmp/o"
"$sl" --bogus x > "$tmp/o" 2>&1; check "unknown option is a usage error" 3 $? "bogus" "$tmp/o"
"$sl" > "$tmp/o" 2>&1; check "no input is a usage error" 3 $? "no input" "$tmp/o"
"$sl" --disable NO-SUCH-RULE "$data/clean-message.sip" > "$tmp/o" 2>&1
check "--disable with an unknown rule" 3 $? "NO-SUCH-RULE" "$tmp/o"
"$sl" --severity MSG-SIZE=loud "$data/clean-message.sip" > "$tmp/o" 2>&1
check "--severity with an unknown level" 3 $? "loud" "$tmp/o"
"$sl" --format yaml "$data/clean-message.sip" > "$tmp/o" 2>&1; check "unknown format" 3 $? "yaml" "$tmp/o"

"$sl" "$data/clean-message.sip" > "$tmp/o" 2>&1; check "clean raw message" 0 $? "0 findings" "$tmp/o"
"$sl" "$data/big-message.sip" > "$tmp/o" 2>&1
check "oversize raw message" 1 $? "big-message.sip:1: error: MESSAGE request is 1,6[0-9][0-9] bytes" "$tmp/o"
"$sl" --disable MSG-SIZE "$data/big-message.sip" > "$tmp/o" 2>&1
check "--disable MSG-SIZE" 0 $? "0 findings" "$tmp/o"
"$sl" --severity MSG-SIZE=warning "$data/big-message.sip" > "$tmp/o" 2>&1
check "--severity MSG-SIZE=warning" 0 $? "warning: MESSAGE request" "$tmp/o"
"$sl" --max-size 2000 "$data/big-message.sip" > "$tmp/o" 2>&1; check "--max-size 2000" 0 $? "0 findings" "$tmp/o"
"$sl" --assume-congestion-safe "$data/big-message.sip" > "$tmp/o" 2>&1
check "--assume-congestion-safe" 0 $? "0 findings" "$tmp/o"
"$sl" --transport tcp "$data/big-message.sip" > "$tmp/o" 2>&1
check "--transport tcp still fires" 1 $? "carried over tcp" "$tmp/o"

"$sl" "$tmp/missing.pcap" > "$tmp/o" 2>&1; check "missing file" 2 $? "missing.pcap: cannot open" "$tmp/o"
: > "$tmp/empty"; "$sl" "$tmp/empty" > "$tmp/o" 2>&1; check "empty file" 2 $? "empty: empty file" "$tmp/o"
head -c 3000 /dev/urandom | tr -d '\n' > "$tmp/noise"
"$sl" "$tmp/noise" > "$tmp/o" 2>&1; check "random bytes" 2 $? "noise: neither a pcap/pcapng capture nor a SIP message" "$tmp/o"

if [ -f "$demo" ]; then
    "$sl" --format jsonl "$demo" > "$tmp/file.jsonl" 2>&1; rc=$?
    check "demo capture has error findings" 1 $rc '"rule":"MSG-SIZE"' "$tmp/file.jsonl"
    tail -n 1 "$tmp/file.jsonl" > "$tmp/last"
    check "jsonl ends with the summary" 0 0 '^{"type":"summary","schema":1,' "$tmp/last"
    "$sl" --format jsonl - < "$demo" > "$tmp/stdin.jsonl" 2>&1
    check "standard input" 1 $?
    sed 's/"file":"[^"]*"//' "$tmp/file.jsonl" > "$tmp/a"; sed 's/"file":"[^"]*"//' "$tmp/stdin.jsonl" > "$tmp/b"
    if cmp -s "$tmp/a" "$tmp/b"; then echo "ok   stdin gives the same findings"; pass=$((pass + 1));
    else echo "FAIL stdin differs from the file"; fail=$((fail + 1)); fi
    # a capture cut in the middle of its last record: exit 2, the file and frame named, and every
    # finding before the damage still reported
    size=$(wc -c < "$demo")
    head -c $((size - 7)) "$demo" > "$tmp/cut.pcap"
    "$sl" --format jsonl "$tmp/cut.pcap" > "$tmp/cut.jsonl" 2> "$tmp/cut.err"
    check "damaged capture exits 2" 2 $? "cut.pcap" "$tmp/cut.err"
    before=$(grep -c '"type":"finding"' "$tmp/cut.jsonl")
    all=$(grep -c '"type":"finding"' "$tmp/file.jsonl")
    last=$(grep '"type":"finding"' "$tmp/file.jsonl" | sed -n 's/.*"frame":\([0-9]*\).*/\1/p' | sort -n | tail -1)
    lost=$(grep '"type":"finding"' "$tmp/file.jsonl" | grep -vc "\"frame\":$last,")
    if [ "$before" -ge "$lost" ] && [ "$before" -gt 0 ] && [ "$before" -le "$all" ]; then
        echo "ok   findings before the damage are kept ($before of $all)"; pass=$((pass + 1))
    else
        echo "FAIL damaged capture kept $before findings, expected at least $lost"; fail=$((fail + 1))
    fi
else
    echo "FAIL demo capture $demo missing"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
