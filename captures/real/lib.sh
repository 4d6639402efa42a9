# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the real-peer capture scripts in captures/real/ (sourced, not run).
#
# Every script builds a private network out of network namespaces and veth pairs, runs real SIP
# software in it (sipp, sipsak, kamailio from Debian), captures with tcpdump and tears everything
# down on exit. Nothing touches the host's own interfaces. Needs root, iproute2, tcpdump, ethtool
# and the peers the script uses.
#
#   peers_init NAME OUTDIR   check tools, make a work directory, install the cleanup trap
#   net_pair                 namespaces A (alice, 198.51.100.1) and B (bob, 198.51.100.2)
#                            joined by a veth pair, MTU 1500, offloads off, IPv6 off
#   net_chain                A - B - C: A (198.51.100.1) <-> B (198.51.100.2 and 203.0.113.2)
#                            <-> C (203.0.113.3); B routes nothing, it is a SIP proxy
#   in_ns X CMD...           run CMD in namespace X (a, b or c)
#   cap_start X IFACE        start tcpdump in namespace X on IFACE ("any" for all interfaces),
#                            filter $CAP_FILTER (default: ip, which leaves out ARP)
#   cap_stop                 stop tcpdump and leave the capture at $OUT/$NAME.pcap
#   bg X LOG CMD...          start CMD in namespace X in the background, remember its pid
#   wait_port X PROTO PORT   wait until something listens on PORT in namespace X
#   sipp_scn FILE            copy a scenario to the work dir, replacing @DATE@ by the current
#                            date (RFC 1123, GMT, always 29 characters) and @SCN@ by the
#                            scenario's directory; prints the new path
#
# Addresses are from the documentation ranges (RFC 5737), so the captures show no real host.
# MAC addresses are fixed (02:00:00:00:00:0N) so that a re-run differs only in timestamps (and
# in the values sipsak and kamailio pick at random: Call-IDs, branches, tags).

set -u

peers_die() { echo "$NAME: $*" >&2; exit 1; }

peers_init() {
    NAME=$1
    OUT=$2
    HERE=$(cd "$(dirname "$0")" && pwd)
    [ "$(id -u)" = 0 ] || peers_die "must run as root (network namespaces, tcpdump)"
    for t in ip tcpdump ethtool ss; do
        command -v "$t" >/dev/null || peers_die "$t is missing"
    done
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/siplint-peers.XXXXXX")
    # namespace and interface names unique to this run (interface names: at most 15 bytes)
    NSP="slp$$"
    NS_A="${NSP}a"; NS_B="${NSP}b"; NS_C="${NSP}c"
    PIDS=""
    CAP_PID=""
    trap peers_cleanup EXIT
    trap 'exit 130' INT TERM
    cd "$WORK" || exit 1 # sipp may write its logs into the current directory
}

peers_cleanup() {
    local p
    for p in $CAP_PID $PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $CAP_PID $PIDS; do
        wait "$p" 2>/dev/null
    done
    for n in "$NS_A" "$NS_B" "$NS_C"; do
        ip netns del "$n" 2>/dev/null
    done
    if [ "${PEERS_KEEP_WORK:-0}" = 1 ]; then
        echo "$NAME: work directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}

ns_of() {
    case $1 in a) echo "$NS_A" ;; b) echo "$NS_B" ;; c) echo "$NS_C" ;; *) peers_die "no namespace $1" ;; esac
}

in_ns() {
    local ns
    ns=$(ns_of "$1"); shift
    ip netns exec "$ns" "$@"
}

ns_new() { # X
    local ns
    ns=$(ns_of "$1")
    ip netns add "$ns" || peers_die "ip netns add $ns failed"
    in_ns "$1" ip link set lo up
    in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# veth X IFX ADDRX MACX Y IFY ADDRY MACY
veth() {
    local nx ny
    nx=$(ns_of "$1"); ny=$(ns_of "$5")
    ip link add "$2" netns "$nx" type veth peer name "$6" netns "$ny" || peers_die "ip link add failed"
    in_ns "$1" ip link set "$2" address "$4" mtu 1500
    in_ns "$5" ip link set "$6" address "$8" mtu 1500
    # No segmentation or receive offloads: tcpdump must see the packets that a real 1500-byte
    # link would carry (IP fragments, TCP segments of at most one MSS), not merged super-packets.
    in_ns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1
    in_ns "$5" ethtool -K "$6" tso off gso off gro off tx off rx off >/dev/null 2>&1
    in_ns "$1" ip addr add "$3" dev "$2"
    in_ns "$5" ip addr add "$7" dev "$6"
    in_ns "$1" ip link set "$2" up
    in_ns "$5" ip link set "$6" up
}

net_pair() {
    ns_new a; ns_new b
    IF_A="${NSP}A"; IF_B="${NSP}B"
    veth a "$IF_A" 198.51.100.1/24 02:00:00:00:00:01 b "$IF_B" 198.51.100.2/24 02:00:00:00:00:02
    # fill the ARP caches now, so that no ARP exchange delays the first SIP packet
    in_ns a ip neigh replace 198.51.100.2 lladdr 02:00:00:00:00:02 dev "$IF_A" nud permanent
    in_ns b ip neigh replace 198.51.100.1 lladdr 02:00:00:00:00:01 dev "$IF_B" nud permanent
}

net_chain() {
    ns_new a; ns_new b; ns_new c
    IF_A="${NSP}A"; IF_BA="${NSP}BA"; IF_BC="${NSP}BC"; IF_C="${NSP}C"
    veth a "$IF_A" 198.51.100.1/24 02:00:00:00:00:01 b "$IF_BA" 198.51.100.2/24 02:00:00:00:00:02
    veth b "$IF_BC" 203.0.113.2/24 02:00:00:00:00:03 c "$IF_C" 203.0.113.3/24 02:00:00:00:00:04
    in_ns a ip neigh replace 198.51.100.2 lladdr 02:00:00:00:00:02 dev "$IF_A" nud permanent
    in_ns b ip neigh replace 198.51.100.1 lladdr 02:00:00:00:00:01 dev "$IF_BA" nud permanent
    in_ns b ip neigh replace 203.0.113.3 lladdr 02:00:00:00:00:04 dev "$IF_BC" nud permanent
    in_ns c ip neigh replace 203.0.113.2 lladdr 02:00:00:00:00:03 dev "$IF_C" nud permanent
}

bg() { # X LOG CMD...
    local x=$1 log=$2
    shift 2
    ip netns exec "$(ns_of "$x")" "$@" </dev/null >"$log" 2>&1 &
    PIDS="$PIDS $!"
    LAST_PID=$!
}

cap_start() { # X IFACE
    local i
    ip netns exec "$(ns_of "$1")" tcpdump -i "$2" -n -U --immediate-mode -s 0 -Z root -w "$WORK/cap.pcap" "${CAP_FILTER:-ip}" </dev/null >/dev/null 2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    for i in $(seq 1 100); do
        grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/tcpdump.err" >&2
    peers_die "tcpdump did not start"
}

cap_stop() {
    sleep 0.5 # let the last packets reach the capture
    kill -TERM "$CAP_PID" 2>/dev/null
    wait "$CAP_PID" 2>/dev/null
    CAP_PID=""
    grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err" || { cat "$WORK/tcpdump.err" >&2; peers_die "tcpdump dropped packets"; }
    cp "$WORK/cap.pcap" "$OUT/$NAME.pcap"
    echo "$NAME: $(sed -n 's/ packets captured//p' "$WORK/tcpdump.err") packets -> $OUT/$NAME.pcap"
}

wait_port() { # X PROTO PORT
    local i opt=-ltn
    [ "$2" = udp ] && opt=-lun
    for i in $(seq 1 100); do
        in_ns "$1" ss -H "$opt" "sport = :$3" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    peers_die "nothing listens on $2 port $3 in namespace $1"
}

sipp_scn() { # FILE -> path of the copy with @DATE@ filled in
    local d f
    d=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S GMT')
    f="$WORK/$(basename "$1")"
    sed -e "s/@DATE@/$d/g" -e "s|@SCN@|$(cd "$(dirname "$1")" && pwd)|g" "$1" >"$f"
    echo "$f"
}

# sipp as UAS in namespace X on port 5060: SCENARIO, number of calls to serve, extra options
sipp_uas() { # X SCENARIO CALLS [OPTIONS...]
    local x=$1 scn=$2 calls=$3
    shift 3
    bg "$x" "$WORK/uas.log" sipp -sf "$(sipp_scn "$scn")" -m "$calls" -p 5060 -nostdin -nr "$@"
    UAS_PID=$LAST_PID
}

# sipp as UAC in namespace X, to REMOTE, one call with Call-ID CALLID; waits for it to finish
sipp_uac() { # X SCENARIO REMOTE CALLID [OPTIONS...]
    local x=$1 scn=$2 remote=$3 cid=$4 rc
    shift 4
    in_ns "$x" timeout 20 sipp "$remote" -sf "$(sipp_scn "$scn")" -m 1 -p 5060 \
        -cid_str "$cid" -nostdin -nr -timeout 15 -timeout_error "$@" </dev/null >"$WORK/uac.log" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        cat "$WORK/uac.log" >&2
        peers_die "sipp UAC ($(basename "$scn")) failed with status $rc"
    fi
}
