#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the siplint Wireshark plugin inside real tshark, as an unprivileged user, and checks it.
#
# usage: run_tshark_tests.sh BUILD_DIR SOURCE_DIR
#
# Wireshark ignores personal plugins when its real uid or gid is 0, so the plugin is installed
# into a private HOME (install-personal target) and tshark runs as nobody (setpriv) when this
# script runs as root. Everything tshark reads is copied under one temporary directory made
# world-readable. Set SIPLINT_KEEP_TMP=1 to keep that directory for inspection.
set -u

BUILD=${1:?usage: run_tshark_tests.sh BUILD_DIR SOURCE_DIR}
SRC=${2:?usage: run_tshark_tests.sh BUILD_DIR SOURCE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)

T=$(mktemp -d "${TMPDIR:-/tmp}/siplint-plugin-test.XXXXXX") || exit 2
if [ "${SIPLINT_KEEP_TMP:-0}" = 1 ]; then
    echo "# keeping $T"
else
    trap 'rm -rf "$T"' EXIT
fi
mkdir -p "$T/home" "$T/caps" "$T/out"

pass=0
fail=0
ok()     { pass=$((pass + 1)); echo "ok   - $*"; }
not_ok() { fail=$((fail + 1)); echo "FAIL - $*"; }
fatal()  { echo "FATAL - $*"; exit 1; }

# ---- install the plugin into the private HOME ---------------------------------------------------
HOME="$T/home" cmake --build "$BUILD" --target install-personal >"$T/install.log" 2>&1 \
    || { cat "$T/install.log"; fatal "cmake --build $BUILD --target install-personal failed"; }

# ---- captures: the self-test ones, and every capture in captures/ that has an .expected file ----
command -v python3 >/dev/null || fatal "python3 is needed to write the self-test captures"
python3 "$HERE/make_pcaps.py" "$T/caps" || fatal "make_pcaps.py failed"
if [ -d "$SRC/captures" ]; then
    (cd "$SRC/captures" && find . -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.expected' \) -print0 |
        while IFS= read -r -d '' f; do mkdir -p "$T/captures/$(dirname "$f")" && cp "$f" "$T/captures/$f"; done)
fi
chmod -R a+rX "$T"

# ---- how tshark is run ---------------------------------------------------------------------------
# A clean environment: no personal preferences or profiles of whoever runs the tests.
if [ "$(id -u)" = 0 ] || [ "$(id -g)" = 0 ]; then
    command -v setpriv >/dev/null || fatal "running as root and setpriv is missing: tshark would not load personal plugins"
    AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    AS_USER=()
fi
ts() {
    (cd "$T" && env -i PATH="$PATH" HOME="$T/home" LANG=C.UTF-8 "${AS_USER[@]}" tshark "$@")
}

# frame rule severity, one finding a line, from -T fields output (occurrences comma-separated).
findings() {
    ts "$@" -T fields -e frame.number -e siplint.rule -e siplint.severity -E occurrence=a -E aggregator=, |
        awk -F'\t' '$2 != "" { n = split($2, r, ","); split($3, s, ","); for (i = 1; i <= n; i++) print $1, r[i], s[i] }'
}
frames_with() { # frames that have a finding of rule $1 (further args: tshark options)
    local rule=$1; shift
    ts "$@" -Y "siplint.rule == \"$rule\"" -T fields -e frame.number | tr '\n' ' ' | sed 's/ $//'
}
expect_eq() { # name, got, want
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}

# ---- 1. the plugin loads -------------------------------------------------------------------------
if ts -G plugins 2>"$T/out/plugins.err" | grep -q 'siplint\.so'; then
    ok "tshark -G plugins lists siplint.so"
else
    echo "# tshark -G plugins:"; ts -G plugins | sed 's/^/#   /'
    echo "# tshark -G folders:"; ts -G folders | sed 's/^/#   /'
    cat "$T/out/plugins.err"
    fatal "the plugin did not load (personal plugin folder above; root never loads it)"
fi

# ---- 2. fields, filters, expert items, preferences registered -----------------------------------
ts -G fields >"$T/out/fields.txt" 2>&1
for f in siplint siplint.rule siplint.severity siplint.rfc siplint.message siplint.related_frame siplint.msg_len; do
    if grep -qP "\t\Q$f\E(\t|$)" "$T/out/fields.txt"; then ok "-G fields has $f"; else not_ok "-G fields lacks $f"; fi
done
ts -G defaultprefs >"$T/out/prefs.txt" 2>&1
for p in max_message_size assume_congestion_safe disabled_rules rule_severities path_mtu t1_ms t2_ms t4_ms date_stale_s config_file profile; do
    if grep -q "siplint\.$p:" "$T/out/prefs.txt"; then ok "-G defaultprefs has siplint.$p"; else not_ok "-G defaultprefs lacks siplint.$p"; fi
done
if ts -Y siplint.msg_size -r caps/selftest_udp.pcap >/dev/null 2>"$T/out/ei.err"; then
    ok "expert item siplint.msg_size is a display filter field"
else
    not_ok "expert item siplint.msg_size: $(cat "$T/out/ei.err")"
fi

# ---- 3. MSG-SIZE on the self-test capture: exactly the right frames, changed by preferences ------
U=caps/selftest_udp.pcap
expect_eq "MSG-SIZE frames (IPv4 fragments, one frame, IPv6)" "$(frames_with MSG-SIZE -r $U)" "2 4 8"
expect_eq "MSG-SIZE frames with -2" "$(frames_with MSG-SIZE -2 -r $U)" "2 4 8"
expect_eq "MSG-SIZE frames, -o siplint.max_message_size:2000" \
    "$(frames_with MSG-SIZE -o siplint.max_message_size:2000 -r $U)" "2"
expect_eq "MSG-SIZE frames, -o siplint.assume_congestion_safe:TRUE" \
    "$(frames_with MSG-SIZE -o siplint.assume_congestion_safe:TRUE -r $U)" ""
expect_eq "MSG-SIZE frames, -o siplint.disabled_rules:MSG-SIZE" \
    "$(frames_with MSG-SIZE -o siplint.disabled_rules:MSG-SIZE -r $U)" ""
expect_eq "MSG-SIZE severity, -o siplint.rule_severities:MSG-SIZE=warning" \
    "$(findings -o siplint.rule_severities:MSG-SIZE=warning -r $U | awk '$2 == "MSG-SIZE" { print $3 }' | sort -u)" "warning"
got=$(frames_with MSG-SIZE -o 'siplint.disabled_rules:NO-SUCH-RULE' -r $U 2>"$T/out/unknown.err")
if [ "$got" = "2 4 8" ] && grep -q 'NO-SUCH-RULE' "$T/out/unknown.err"; then
    ok "unknown id in siplint.disabled_rules is reported and ignored"
else
    not_ok "unknown rule id: frames '$got', stderr '$(cat "$T/out/unknown.err")'"
fi
# The CLI's configuration file, read by the CLI's own parser (lint/config), and the profile.
mkdir -p "$T/conf"
printf '[engine]\nmax-message-size = 2000\n' >"$T/conf/big.conf"
printf '[siplint]\ndisable = MSG-SIZE\n' >"$T/conf/off.conf"
printf '[suppress one]\nrule = MSG-SIZE\nframes = 4\n[suppress other-file]\nrule = *\nfile = elsewhere.pcap\n' >"$T/conf/sup.conf"
printf '[siplint]\nprofile = interop\n' >"$T/conf/interop.conf"
printf '[engine]\nmax-mesage-size = 2000\n' >"$T/conf/bad.conf"
chmod -R a+rX "$T/conf"
expect_eq "siplint.config_file: [engine] max-message-size" \
    "$(frames_with MSG-SIZE -o siplint.config_file:"$T/conf/big.conf" -r $U)" "2"
expect_eq "siplint.config_file: [siplint] disable" \
    "$(frames_with MSG-SIZE -o siplint.config_file:"$T/conf/off.conf" -r $U)" ""
expect_eq "siplint.config_file: [suppress] by frame (a file-scoped one never matches)" \
    "$(frames_with MSG-SIZE -o siplint.config_file:"$T/conf/sup.conf" -r $U)" "2 8"
expect_eq "a preference set to other than its default overrides the file" \
    "$(frames_with MSG-SIZE -o siplint.config_file:"$T/conf/big.conf" -o siplint.max_message_size:1301 -r $U)" "2 4 8"
got=$(frames_with MSG-SIZE -o siplint.config_file:"$T/conf/bad.conf" -r $U 2>"$T/out/badconf.err")
cli_err=$("$BUILD/siplint" --config "$T/conf/bad.conf" "$T/$U" 2>&1 >/dev/null | sed 's/^siplint: //')
if [ "$got" = "2 4 8" ] && [ -n "$cli_err" ] && grep -qF "$cli_err" "$T/out/badconf.err"; then
    ok "a bad configuration file is reported in the CLI's words ($cli_err) and ignored"
else
    not_ok "bad configuration file: frames '$got', stderr '$(cat "$T/out/badconf.err")', CLI '$cli_err'"
fi
FB=captures/crafted/frag-bad.pcap
if [ -f "$T/$FB" ]; then
    expect_eq "siplint.profile:interop: warnings become notes, as siplint --profile interop" \
        "$(findings -2 -o siplint.profile:interop -r $FB | awk '{ print $3 }' | sort -u)" \
        "$("$BUILD/siplint" --profile interop --format jsonl "$T/$FB" | grep -o '"severity":"[a-z]*"' | sort -u | cut -d'"' -f4)"
    expect_eq "profile = interop in the file" \
        "$(findings -2 -o siplint.config_file:"$T/conf/interop.conf" -r $FB | awk '{ print $3 }' | sort -u)" "note"
    expect_eq "siplint.profile:strict overrides the file's profile" \
        "$(findings -2 -o siplint.config_file:"$T/conf/interop.conf" -o siplint.profile:strict -r $FB | awk '{ print $3 }' | sort -u)" "warning"
fi
# The tracker bound: said once, at the frame where the first entry was dropped (one pass and -2),
# in -z siplint,stat too; never with the default bound on the same capture.
printf '[engine]\nmax-transactions = 1024\n' >"$T/conf/small.conf"
chmod a+r "$T/conf/small.conf"
FL=caps/selftest_flood.pcap
full1=$(ts -o siplint.config_file:"$T/conf/small.conf" -r $FL -Y siplint.tracker_full -T fields -e frame.number | tr '\n' ' ' | sed 's/ $//')
full2=$(ts -2 -o siplint.config_file:"$T/conf/small.conf" -r $FL -Y siplint.tracker_full -T fields -e frame.number | tr '\n' ' ' | sed 's/ $//')
case $full1 in
    ''|*' '*) not_ok "tracker full: one frame expected, got '$full1'" ;;
    *) expect_eq "tracker full: the same frame with -2" "$full2" "$full1" ;;
esac
expect_eq "tracker full: said in -z siplint,stat" \
    "$(ts -q -o siplint.config_file:"$T/conf/small.conf" -r $FL -z siplint,stat | grep -c "tracker was full from frame $full1:")" "1"
expect_eq "tracker full: not with the default bound" \
    "$(ts -r $FL -Y siplint.tracker_full -T fields -e frame.number | wc -l)" "0"
expect_eq "Info column carries [siplint:MSG-SIZE]" \
    "$(ts -r $U -Y 'frame.number == 2' -T fields -e _ws.col.Info | grep -c '\[siplint:MSG-SIZE\]')" "1"
# Frame 10's body is message/sip, which Wireshark dissects as SIP again; its Path header must not
# be linted as a message on the wire.
expect_eq "message/sip body not linted as a message" \
    "$(findings -r $U | awk '$1 == 10 && $2 == "PATH-NON-REGISTER"' | wc -l)" "0"

expect_eq "SIP quoted in an ICMP error not linted" "$(findings -r $U | awk '$1 == 12' | wc -l)" "0"

expect_eq "cut by the snap length: CAP-TRUNCATED over UDP and TCP" \
    "$(findings -r caps/selftest_trunc.pcap | awk '$2 == "CAP-TRUNCATED" { print $1 }' | tr '\n' ' ')" "1 2 3 "
# Without TCP desegmentation Wireshark hands over part of the 1600-byte message (frame 4): a
# partial message is not linted.
expect_eq "partial TCP message (desegmentation off) not linted" \
    "$(findings -o tcp.desegment_tcp_streams:FALSE -r caps/selftest_tcp.pcap | awk '$1 == 4 || $1 == 5' | wc -l)" "0"

# ---- 4. expert info and statistics ----------------------------------------------------------------
ts -q -r $U -z expert >"$T/out/expert1.txt" 2>&1
ts -2 -q -r $U -z expert >"$T/out/expert2.txt" 2>&1
n=$(grep -c 'SIPLINT  *MSG-SIZE: ' "$T/out/expert1.txt")
expect_eq "-z expert lists the MSG-SIZE items" "$n" "3"
if cmp -s "$T/out/expert1.txt" "$T/out/expert2.txt"; then ok "-z expert: 1-pass and -2 agree"; else not_ok "-z expert: 1-pass and -2 differ"; fi

total=$(findings -r $U | wc -l)
ts -q -r $U -z siplint,stat >"$T/out/stat.txt" 2>&1
expect_eq "-z siplint,stat MSG-SIZE row" "$(awk '$1 == "MSG-SIZE" && $2 == "error" { print $3, $4 }' "$T/out/stat.txt")" "3 2"
expect_eq "-z siplint,stat TOTAL" "$(awk '$1 == "TOTAL" { print $2 }' "$T/out/stat.txt")" "$total"
ts -2 -q -r $U -z 'siplint,stat,frame.number <= 4' >"$T/out/statf.txt" 2>&1
expect_eq "-z siplint,stat,<filter> with -2" "$(awk '$1 == "MSG-SIZE" { print $3 }' "$T/out/statf.txt")" "2"
ts -q -r $U -z siplint,tree >"$T/out/tree.txt" 2>&1
expect_eq "-z siplint,tree counts MSG-SIZE" "$(awk '$1 == "MSG-SIZE" { print $2 }' "$T/out/tree.txt")" "3"

# ---- 5. every capture: CLI = -2 = 1-pass (one stated exception), quiet -V, expected findings ------
# The one difference allowed, and required: one-pass tshark prints each frame as soon as it is
# dissected, so it cannot show a CAP-FRAG-INCOMPLETE that the fragment tracker decides only after
# the datagram's last fragment (timeout noticed at a later frame, eviction, end of the capture)
# and dates back to that fragment's frame, as the CLI does. Those findings appear from the second
# pass on (-2, GUI); docs/wireshark.md "Parity". They are recognised by the CLI's message.
late_frag='CAP-FRAG-INCOMPLETE .*never completed: (timed out|evicted|the capture ended)'
caps=$(cd "$T" && find caps captures -type f \( -name '*.pcap' -o -name '*.pcapng' \) 2>/dev/null | sort)
n_expected=0
n_late=0
for c in $caps; do
    findings -r "$c" >"$T/out/one" 2>"$T/out/one.err"
    findings -2 -r "$c" >"$T/out/two" 2>"$T/out/two.err"
    for mode in "" "-2"; do
        ts $mode -V -r "$c" >/dev/null 2>"$T/out/v.err"; rc=$?
        if [ $rc -eq 0 ] && [ ! -s "$T/out/v.err" ]; then
            ok "$c: tshark $mode -V exits 0 with nothing on stderr"
        else
            not_ok "$c: tshark $mode -V rc=$rc, stderr:"; sed 's/^/#   /' "$T/out/v.err"
        fi
    done
    # The CLI's findings: all of them, and those a single pass cannot show.
    "$BUILD/siplint" --format jsonl "$T/$c" 2>/dev/null | python3 -c '
import json, re, sys
late = re.compile(sys.argv[2])
with open(sys.argv[1], "w") as lf:
    for line in sys.stdin:
        o = json.loads(line)
        if o.get("type") == "finding":
            row = "%s %s %s" % (o["frame"], o["rule"], o["severity"])
            print(row)
            if late.search(o["rule"] + " " + o.get("message", "")):
                print(row, file=lf)' "$T/out/late.unsorted" "$late_frag" | sort >"$T/out/cli"
    sort "$T/out/late.unsorted" >"$T/out/late"
    n_late=$((n_late + $(wc -l <"$T/out/late")))
    sort "$T/out/two" >"$T/out/two.sorted"
    sort "$T/out/one" >"$T/out/one.sorted"
    if cmp -s "$T/out/cli" "$T/out/two.sorted"; then
        ok "$c: CLI and tshark -2 report the same findings ($(wc -l <"$T/out/cli"))"
    else
        not_ok "$c: CLI and tshark -2 differ (< CLI, > tshark -2)"; diff "$T/out/cli" "$T/out/two.sorted" | sed 's/^/#   /'
    fi
    # one pass = CLI minus the late fragment findings (comm: lines only in the CLI's list)
    comm -23 "$T/out/cli" "$T/out/late" >"$T/out/cli.onepass"
    if cmp -s "$T/out/cli.onepass" "$T/out/one.sorted"; then
        ok "$c: CLI and one-pass tshark report the same findings ($(wc -l <"$T/out/one"); $(wc -l <"$T/out/late") late CAP-FRAG-INCOMPLETE only from -2 on)"
    else
        not_ok "$c: CLI and one-pass tshark differ beyond the late CAP-FRAG-INCOMPLETE (< CLI, > tshark)"
        diff "$T/out/cli.onepass" "$T/out/one.sorted" | sed 's/^/#   /'
    fi
    exp="${c%.*}.expected"
    if [ -f "$T/$exp" ]; then
        n_expected=$((n_expected + 1))
        sed -e 's/#.*//' -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' "$T/$exp" | grep -v '^$' | sort >"$T/out/want"
        if cmp -s "$T/out/two.sorted" "$T/out/want"; then
            ok "$c: -2 findings equal $exp"
        else
            not_ok "$c: -2 findings differ from $exp (< got, > expected)"; diff "$T/out/two.sorted" "$T/out/want" | sed 's/^/#   /'
        fi
    fi
done
echo "# $n_late late CAP-FRAG-INCOMPLETE finding(s) shown from the second pass on only"
# The exception is exactly that, on the capture made for it (captures/crafted/frag-bad.layout):
# the conflicting overlap (frame 2) is decided at its own frame; the timeouts (5, 6) and the
# datagram pending at the end (8) only later. No MESSAGE of it is linted, although Wireshark
# reassembles the first and third datagrams.
FB=captures/crafted/frag-bad.pcap
if [ -f "$T/$FB" ]; then
    expect_eq "frag-bad: one pass" "$(findings -r $FB | tr '\n' ';')" "2 CAP-FRAG-INCOMPLETE warning;"
    expect_eq "frag-bad: -2" "$(findings -2 -r $FB | tr '\n' ';')" \
        "2 CAP-FRAG-INCOMPLETE warning;5 CAP-FRAG-INCOMPLETE warning;6 CAP-FRAG-INCOMPLETE warning;8 CAP-FRAG-INCOMPLETE warning;"
    expect_eq "frag-bad: Wireshark reassembles SIP the tracker gave up; not linted" \
        "$(ts -r $FB -Y sip -T fields -e frame.number | tr '\n' ' ')" "3 8 "
fi
echo "# $n_expected capture(s) with an .expected file"

# ---- 6. damaged captures never crash tshark with the plugin --------------------------------------
if command -v editcap >/dev/null; then
    for c in caps/selftest_udp.pcap caps/selftest_tcp.pcap; do
        for seed in 1 2 3; do
            editcap --seed $seed -E 0.02 "$T/$c" "$T/caps/damaged.pcap" >/dev/null 2>&1 || continue
            chmod a+r "$T/caps/damaged.pcap"
            ts -2 -V -r caps/damaged.pcap >/dev/null 2>"$T/out/d.err"; rc=$?
            if [ $rc -lt 128 ]; then ok "$c damaged (seed $seed): no crash (rc $rc)"; else not_ok "$c damaged (seed $seed): rc $rc"; fi
        done
    done
    rm -f "$T/caps/damaged.pcap"
fi

echo "# $pass passed, $fail failed"
[ $fail -eq 0 ]
