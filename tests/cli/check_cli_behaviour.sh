#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI's contract: exit codes, options, formats, errors that name the file, stdin, and no lost
# findings when a capture is damaged. Usage: check_cli_behaviour.sh SIPLINT SOURCE_DIR
set -u
sl=$1
src=$2
case $sl in /*) ;; *) sl=$PWD/$sl ;; esac   # some checks run from other directories
case $src in /*) ;; *) src=$PWD/$src ;; esac
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

# Options that steer MSG-SIZE, checked on MSG-SIZE alone (other rules may fire on the same
# message as the rule table grows: the exit status is checked where only MSG-SIZE decides it)
"$sl" --format jsonl "$data/clean-message.sip" > "$tmp/o" 2>&1; rc=$?
check "clean raw message: no error" 0 $rc '"errors":0,' "$tmp/o"
"$sl" "$data/big-message.sip" > "$tmp/o" 2>&1
check "oversize raw message" 1 $? "big-message.sip:1: error: MESSAGE request is 1,6[0-9][0-9] bytes" "$tmp/o"
nomsgsize() { # nomsgsize NAME OPTIONS...: MSG-SIZE must not fire
    name=$1; shift
    "$sl" --format jsonl "$@" "$data/big-message.sip" > "$tmp/o" 2>&1
    if grep -q '"rule":"MSG-SIZE"' "$tmp/o"; then echo "FAIL $name: MSG-SIZE still reported"; fail=$((fail + 1))
    else echo "ok   $name"; pass=$((pass + 1)); fi
}
nomsgsize "--disable MSG-SIZE" --disable MSG-SIZE
nomsgsize "--max-size 2000" --max-size 2000
nomsgsize "--assume-congestion-safe" --assume-congestion-safe
"$sl" --severity MSG-SIZE=warning --format jsonl "$data/big-message.sip" > "$tmp/o" 2>&1
check "--severity MSG-SIZE=warning" $? $? '"rule":"MSG-SIZE","severity":"warning"' "$tmp/o"
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
    # (a pipe has no file offsets: those fields are left out)
    strip='s/"file":"[^"]*"//; s/,"file_offset":[0-9]*,"file_length":[0-9]*//'
    sed "$strip" "$tmp/file.jsonl" > "$tmp/a"; sed "$strip" "$tmp/stdin.jsonl" > "$tmp/b"
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

# ---- exit status contract: --fail-on ----
# big-message.sip with MSG-SIZE as a warning and every other rule off: only the threshold decides
rules_off=$("$sl" --list-rules | awk '$1 != "MSG-SIZE" {printf " --disable %s", $1}')
# shellcheck disable=SC2086
"$sl" --no-config $rules_off --severity MSG-SIZE=warning "$data/big-message.sip" > "$tmp/o" 2>&1
check "a warning does not fail by default (--fail-on error)" 0 $?
# shellcheck disable=SC2086
"$sl" --no-config $rules_off --severity MSG-SIZE=warning --fail-on warning "$data/big-message.sip" > "$tmp/o" 2>&1
check "--fail-on warning fails on a warning" 1 $?
# shellcheck disable=SC2086
"$sl" --no-config $rules_off --severity MSG-SIZE=note --fail-on warning "$data/big-message.sip" > "$tmp/o" 2>&1
check "--fail-on warning passes a note" 0 $?
# shellcheck disable=SC2086
"$sl" --no-config $rules_off --severity MSG-SIZE=note --fail-on note "$data/big-message.sip" > "$tmp/o" 2>&1
check "--fail-on note fails on a note" 1 $?
"$sl" --fail-on loud "$demo" > "$tmp/o" 2>&1; check "--fail-on with an unknown level" 3 $? "loud" "$tmp/o"
"$sl" --color sometimes "$demo" > "$tmp/o" 2>&1; check "--color with an unknown value" 3 $? "sometimes" "$tmp/o"
"$sl" --duration 3 "$demo" > "$tmp/o" 2>&1; check "--duration without -i" 3 $? "live capture" "$tmp/o"
"$sl" --format jsonl --format sarif "$demo" > "$tmp/o" 2>&1
check "two formats on standard output" 3 $? "both write to standard output" "$tmp/o"

# ---- configuration file: errors name file, line and key (exit 4) ----
mkdir -p "$tmp/proj/sub/dir"
printf '[siplint]\nfail-on = warning\n\n[severity]\nMSG-SIZE = loud\n' > "$tmp/bad1.conf"
"$sl" --config "$tmp/bad1.conf" "$demo" > "$tmp/o" 2>&1
check "config: bad level" 4 $? "bad1.conf:5: \[severity\] MSG-SIZE: expected error, warning, note or off, got 'loud'" "$tmp/o"
printf '# comment\n[engine]\npath-mtu = 1500\nt1-ms = soon\n' > "$tmp/bad2.conf"
"$sl" --config "$tmp/bad2.conf" "$demo" > "$tmp/o" 2>&1
check "config: bad number" 4 $? "bad2.conf:4: \[engine\] t1-ms: expected a whole number" "$tmp/o"
printf '[siplint]\nfail_on = note\n' > "$tmp/bad3.conf"
"$sl" --config "$tmp/bad3.conf" "$demo" > "$tmp/o" 2>&1
check "config: unknown key" 4 $? "bad3.conf:2: \[siplint\] fail_on: unknown key" "$tmp/o"
printf '[siplint]\nthis is not a key\n' > "$tmp/bad4.conf"
"$sl" --config "$tmp/bad4.conf" "$demo" > "$tmp/o" 2>&1
check "config: syntax error" 4 $? "bad4.conf:2: " "$tmp/o"
printf '[suppress old]\ncall-id = x\n' > "$tmp/bad5.conf"
"$sl" --config "$tmp/bad5.conf" "$demo" > "$tmp/o" 2>&1
check "config: suppression without a rule" 4 $? "bad5.conf:1: \[suppress old\]" "$tmp/o"
printf '[suppress a]\nrule = PATH-LR\naddress = 300.1.1.1\n' > "$tmp/bad6.conf"
"$sl" --config "$tmp/bad6.conf" "$demo" > "$tmp/o" 2>&1
check "config: bad address" 4 $? "bad6.conf:3: \[suppress a\] address: '300.1.1.1'" "$tmp/o"
"$sl" --config "$tmp/none.conf" "$demo" > "$tmp/o" 2>&1; check "config: missing file" 4 $? "none.conf" "$tmp/o"

# found upward from the current directory; --no-config ignores it
printf '[siplint]\nfail-on = note\ndisable = MSG-SIZE\n' > "$tmp/proj/.siplint.conf"
(cd "$tmp/proj/sub/dir" && "$sl" --format jsonl "$demo" > "$tmp/o" 2>&1)
check ".siplint.conf found in a parent directory" 1 $? '"fail_on":"note"' "$tmp/o"
if grep -q '"rule":"MSG-SIZE"' "$tmp/o"; then echo "FAIL .siplint.conf: disable = MSG-SIZE ignored"; fail=$((fail + 1)); fi
(cd "$tmp/proj/sub/dir" && "$sl" --no-config --format jsonl "$demo" > "$tmp/o" 2>&1)
check "--no-config" 1 $? '"rule":"MSG-SIZE"' "$tmp/o"
# XDG: used when no .siplint.conf is found
mkdir -p "$tmp/xdg/siplint"
printf '[siplint]\nfail-on = note\n' > "$tmp/xdg/siplint/siplint.conf"
(cd / && XDG_CONFIG_HOME="$tmp/xdg" "$sl" --format jsonl "$demo" > "$tmp/o" 2>&1)
check "XDG configuration" 1 $? '"fail_on":"note"' "$tmp/o"

# engine facts and suppressions from the file
printf '[engine]\nmax-message-size = 2000\n' > "$tmp/big.conf"
"$sl" --config "$tmp/big.conf" --format jsonl "$data/big-message.sip" > "$tmp/o" 2>&1
if grep -q '"rule":"MSG-SIZE"' "$tmp/o"; then echo "FAIL config max-message-size ignored"; fail=$((fail + 1)); else echo "ok   config: [engine] max-message-size"; pass=$((pass + 1)); fi
printf '[suppress registrar]\nrule = PATH-LR\naddress = 192.0.2.20:5060\nreason = fixed in the next release\n[suppress one-call]\nrule = MSG-SIZE\ncall-id = demo-m2@192.0.2.10\n[suppress frames]\nrule = *\nframes = 5-7\nfile = demo.pcap\n' > "$tmp/sup.conf"
"$sl" --config "$tmp/sup.conf" --format jsonl "$demo" > "$tmp/o" 2>&1
got=$(grep '"type":"finding"' "$tmp/o" | grep -c -e '"rule":"PATH-LR"' -e '"rule":"MSG-SIZE"' -e '"frame":[567],')
if [ "$got" = 0 ] && grep -q '"suppressed":[1-9]' "$tmp/o"; then echo "ok   suppressions by address, Call-ID and frame range"; pass=$((pass + 1))
else echo "FAIL suppressions: $got findings left that should be suppressed"; fail=$((fail + 1)); fi

# ---- formats ----
"$sl" --fail-on note --format junit:"$tmp/j.xml" --format codequality:"$tmp/cq.json" --format text "$demo" "$data/big-message.sip" > "$tmp/t.txt" 2>&1
check "several formats from one run (text on stdout)" 1 $? "^[0-9]* findings (" "$tmp/t.txt"
python3 - "$tmp/j.xml" "$tmp/cq.json" "$demo" > "$tmp/o" 2>&1 << 'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
assert root.tag == "testsuites" and len(suites) == 2, "two testsuites"
s = suites[0]
assert s.get("name") == sys.argv[3], s.get("name")
cases = {c.get("name"): c for c in s.findall("testcase")}
assert int(s.get("tests")) == len(cases) and len(cases) > 10, "a testcase per rule"
assert cases["PATH-LR"].find("failure") is not None and "frame" not in cases["PATH-LR"].find("failure").text
assert ":9: error:" in cases["PATH-LR"].find("failure").text
assert cases["MSG-CONTACT"].find("failure") is None
assert int(s.get("failures")) == sum(1 for c in cases.values() if c.find("failure") is not None)
cq = json.load(open(sys.argv[2]))
assert cq and all(i["location"]["path"] and i["location"]["lines"]["begin"] >= 1 and i["severity"] in
                  ("info", "minor", "major", "critical", "blocker") for i in cq)
assert len({i["fingerprint"] for i in cq}) == len(cq), "unique fingerprints"
assert any(i["check_name"] == "PATH-LR" and i["location"]["lines"]["begin"] == 9 for i in cq)
print("formats ok")
PY
check "JUnit parses as XML (suite per input, case per rule); Code Quality JSON" 0 $? "formats ok" "$tmp/o"
"$sl" -o "$tmp/out.jsonl" --format jsonl "$demo" > "$tmp/o" 2>&1
check "--output FILE" 1 $? '"type":"summary"' "$tmp/out.jsonl"
"$sl" --color always "$demo" > "$tmp/o" 2>&1
check "--color always" 1 $? "$(printf '\033')\[1;31merror" "$tmp/o"
NO_COLOR=1 "$sl" --color auto "$demo" > "$tmp/o" 2>&1
if grep -q "$(printf '\033')" "$tmp/o"; then echo "FAIL NO_COLOR: escape sequences"; fail=$((fail + 1)); else echo "ok   NO_COLOR and a pipe: no colour"; pass=$((pass + 1)); fi
"$sl" "$demo" > "$tmp/o" 2>&1
check "text: Call-ID and the offending line beneath" 1 $? "^    | Path: <sip:p1.example.net>$" "$tmp/o"
check "text: summary table per rule" 1 1 "^PATH-LR  *error  *2$" "$tmp/o"

# ---- baselines ----
"$sl" --write-baseline "$tmp/base.txt" "$demo" > "$tmp/o" 2>&1
check "--write-baseline" 1 $? "^# siplint baseline 1" "$tmp/base.txt"
"$sl" --baseline "$tmp/base.txt" --format jsonl --fail-on note "$demo" > "$tmp/o" 2>&1
check "--baseline: old findings pass" 0 $? '"findings":0,.*"baselined":[1-9]' "$tmp/o"
"$sl" --baseline "$tmp/base.txt" --format jsonl "$demo" "$data/big-message.sip" > "$tmp/o" 2>&1
check "--baseline: a new finding fails" 1 $? '"file":"[^"]*big-message.sip","frame":1,"rule":"MSG-SIZE"' "$tmp/o"
printf 'not a baseline\n' > "$tmp/nb.txt"
"$sl" --baseline "$tmp/nb.txt" "$demo" > "$tmp/o" 2>&1; check "--baseline: not a baseline" 4 $? "nb.txt:1:" "$tmp/o"

# ---- many captures: directories, gzip, -j, stable order ----
mkdir -p "$tmp/caps/b" "$tmp/caps/a"
cp "$src"/captures/crafted/*.pcap "$tmp/caps/a/"
cp "$demo" "$tmp/caps/b/z.pcap"; gzip -c "$demo" > "$tmp/caps/b/y.pcap.gz"; echo ignored > "$tmp/caps/b/notes.txt"
"$sl" -j 1 --format jsonl "$tmp/caps" > "$tmp/j1" 2>&1; rc1=$?
"$sl" -j 4 --format jsonl "$tmp/caps" > "$tmp/j4" 2>&1; rc4=$?
if [ "$rc1" = "$rc4" ] && cmp -s "$tmp/j1" "$tmp/j4"; then echo "ok   -j 4 gives the same output, in the same order, as -j 1"; pass=$((pass + 1))
else echo "FAIL -j 4 differs from -j 1"; diff "$tmp/j1" "$tmp/j4" | head -5; fail=$((fail + 1)); fi
n=$(tail -n 1 "$tmp/j1" | sed -n 's/.*"files":\([0-9]*\),.*/\1/p')
want=$(( $(ls "$src"/captures/crafted/*.pcap | wc -l) + 2 ))
[ "$n" = "$want" ] && { echo "ok   a directory is searched recursively ($n captures)"; pass=$((pass + 1)); } || { echo "FAIL directory: $n files, expected $want"; fail=$((fail + 1)); }
a=$(grep '"file":"[^"]*y.pcap.gz"' "$tmp/j1" | sed 's/"file":"[^"]*"//; s/,"file_offset":[0-9]*,"file_length":[0-9]*//' | wc -l)
b=$(grep '"file":"[^"]*z.pcap"' "$tmp/j1" | wc -l)
[ "$a" = "$b" ] && [ "$a" -gt 0 ] && { echo "ok   gzip-compressed capture ($a findings, as uncompressed)"; pass=$((pass + 1)); } || { echo "FAIL gzip: $a findings vs $b"; fail=$((fail + 1)); }
prev=""; sorted=1
for f in $(grep '"type":"finding"' "$tmp/j1" | sed 's/.*"file":"\([^"]*\)".*/\1/' | uniq); do
    [ -n "$prev" ] && [ "$(printf '%s\n%s\n' "$prev" "$f" | sort | head -1)" != "$prev" ] && sorted=0; prev=$f
done
[ "$sorted" = 1 ] && { echo "ok   inputs reported in sorted order"; pass=$((pass + 1)); } || { echo "FAIL order"; fail=$((fail + 1)); }

# ---- --help and the man page agree ----
man=$src/docs/siplint.1
if [ -f "$man" ]; then
    "$sl" --help | grep -o -e '--[a-z][a-z0-9-]*' | grep -v -e '^--help' | sort -u > "$tmp/h"
    sed 's/\\-/-/g' "$man" | grep -o -e '--[a-z][a-z0-9-]*' | grep -v -e '^--help' | sort -u > "$tmp/m"
    if cmp -s "$tmp/h" "$tmp/m"; then echo "ok   --help and docs/siplint.1 name the same options"; pass=$((pass + 1))
    else echo "FAIL --help vs docs/siplint.1 (< help only, > man only):"; diff "$tmp/h" "$tmp/m" | grep '^[<>]'; fail=$((fail + 1)); fi
else echo "FAIL docs/siplint.1 missing"; fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
