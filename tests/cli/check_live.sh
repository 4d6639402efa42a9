#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Live capture on loopback with a real SIP peer: sipp sends a MESSAGE with a Path header (a
# PATH-NON-REGISTER violation) to a sipp UAS; siplint -i lo reports it as it happens, stops at
# --duration, --count and SIGINT with the summary and the normal exit status.
# Usage: check_live.sh SIPLINT SOURCE_DIR. Needs root (packet capture) and sipp; exit 77 (skip)
# without them.
set -u
sl=$1
src=$2
data=$src/tests/cli/data
if [ "$(id -u)" != 0 ]; then echo "SKIP: live capture needs root"; exit 77; fi
if ! command -v sipp > /dev/null; then echo "SKIP: sipp is not installed (apt-get install sip-tester)"; exit 77; fi
tmp=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2> /dev/null; done; rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); for f in "$tmp"/*.err; do [ -f "$f" ] && sed 's/^/    /' "$f"; done; }

# ports of our own, so that other traffic on lo does not count
base=$(( 20000 + $$ % 20000 ))
uas=$base
uac=$((base + 1))
filter="udp port $uas or udp port $uac"

call() { # one MESSAGE transaction between two sipp instances
    timeout 15 sipp -sf "$data/sipp-message-uas.xml" -i 127.0.0.1 -p "$uas" -m 1 -nostdin \
        > "$tmp/uas.log" 2>&1 &
    u=$!
    sleep 0.5
    timeout 15 sipp -sf "$data/sipp-message-uac.xml" -i 127.0.0.1 -p "$uac" "127.0.0.1:$uas" -m 1 \
        -nostdin > "$tmp/uac.log" 2>&1
    r=$?
    wait "$u"
    return $r
}

wait_capturing() { # let libpcap open the interface before traffic starts
    sleep 1.5
}

# 1. --duration: the findings of the call, the summary, exit 1 (an error-level finding)
"$sl" -q -i lo --filter "$filter" --duration 6 --format jsonl > "$tmp/d.out" 2> "$tmp/d.err" &
s=$!
pids="$pids $s"
wait_capturing
if call; then ok "sipp completed a MESSAGE transaction on loopback"; else ko "sipp call failed: $(tail -3 "$tmp/uac.log")"; fi
wait "$s"
rc=$?
if [ "$rc" = 1 ]; then ok "--duration: exit 1"; else ko "--duration: exit $rc, expected 1"; fi
if grep -q '"rule":"PATH-NON-REGISTER"' "$tmp/d.out"; then ok "--duration: PATH-NON-REGISTER found live"; else ko "--duration: no PATH-NON-REGISTER in: $(cat "$tmp/d.out")"; fi
if tail -n 1 "$tmp/d.out" | grep -q '"type":"summary".*"sip_messages":2'; then ok "--duration: summary counts the MESSAGE and its 200"
else ko "--duration: summary: $(tail -n 1 "$tmp/d.out")"; fi

# 2. SIGINT ends the capture cleanly: text summary, exit 1
"$sl" -q -i lo --filter "$filter" > "$tmp/i.out" 2> "$tmp/i.err" &
s=$!
pids="$pids $s"
wait_capturing
call
sleep 0.5
kill -INT "$s"
wait "$s"
rc=$?
if [ "$rc" = 1 ]; then ok "SIGINT: exit 1"; else ko "SIGINT: exit $rc, expected 1"; fi
if grep -q 'interface lo:[0-9]*: error: Path header in a MESSAGE request' "$tmp/i.out" && grep -q '^[0-9]* findings* (' "$tmp/i.out"; then
    ok "SIGINT: findings and summary printed"
else ko "SIGINT: output: $(cat "$tmp/i.out")"; fi

# 3. --count 1 stops after the first SIP message, SIGTERM not needed
"$sl" -q -i lo --filter "$filter" --count 1 --format jsonl --fail-on note > "$tmp/c.out" 2> "$tmp/c.err" &
s=$!
pids="$pids $s"
wait_capturing
call
sleep 1
if kill -0 "$s" 2> /dev/null; then kill -TERM "$s"; ko "--count 1: still running after the call"; fi
wait "$s"
rc=$?
if [ "$rc" = 1 ] && tail -n 1 "$tmp/c.out" | grep -q '"sip_messages":1,'; then ok "--count 1: one message, exit 1"
else ko "--count 1: exit $rc, $(tail -n 1 "$tmp/c.out")"; fi

# 4. an interface that does not exist: exit 2 naming it
"$sl" -q -i no-such-if0 > "$tmp/n.out" 2> "$tmp/n.err"
rc=$?
if [ "$rc" = 2 ] && grep -q "no-such-if0" "$tmp/n.err"; then ok "unknown interface: exit 2 naming it"; else ko "unknown interface: exit $rc"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
