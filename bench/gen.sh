#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# siplint bench: capture real sipp traffic between two network namespaces (captures/real/lib.sh:
# veth pair, MTU 1500, offloads off) for SECONDS, and leave it at OUTDIR/base.pcap.
#
# Traffic, all at once: pager-mode MESSAGEs of about 300, 1290, 1320 and 3000 bytes over UDP
# (the last one IP-fragmented) and over one TCP connection (segmented at the MSS), REGISTERs,
# INVITE dialogs with an in-dialog MESSAGE and BYE over UDP and over TCP, and RTP-like UDP noise
# (bench/rtpnoise.py), each SIP exchange by a sipp UAC in namespace a and a sipp UAS in b.
#
# usage: bench/gen.sh [OUTDIR [SECONDS]]   (default bench/out, 15 s: about 30 MB)
. "$(dirname "$0")/../captures/real/lib.sh"
peers_init base "${1:-$(dirname "$0")/out}"
DUR=${2:-15}
SC=$HERE/scenarios
command -v sipp >/dev/null || peers_die "sipp is missing (apt-get install sip-tester)"
command -v python3 >/dev/null || peers_die "python3 is missing"

net_pair
cap_start a "$IF_A"

# UAS (bob, 198.51.100.2): one sipp per scenario and transport
uas() { # PORT SCENARIO TRANSPORT
    bg b "$WORK/uas-$1.log" sipp -sf "$SC/$2" -p "$1" -t "$3" -nostdin -nr
}
uas 5060 pager-uas.xml u1
uas 5062 pager-uas.xml t1
uas 5064 reg-uas.xml u1
uas 5066 dlg-uas.xml u1
uas 5068 dlg-uas.xml t1
bg b "$WORK/sink.log" python3 "$HERE/rtpnoise.py" sink 40000 16
wait_port b udp 5060; wait_port b tcp 5062; wait_port b udp 5064
wait_port b udp 5066; wait_port b tcp 5068; wait_port b udp 40000

# UAC (alice, 198.51.100.1): RATE calls per second for DUR seconds each
UACS=""
uac() { # LOCALPORT REMOTEPORT SCENARIO TRANSPORT RATE
    in_ns a sipp "198.51.100.2:$2" -sf "$SC/$3" -p "$1" -t "$4" -r "$5" -m $(($5 * DUR)) \
        -nostdin -nr -timeout $((DUR + 30)) -timeout_error </dev/null >"$WORK/uac-$1.log" 2>&1 &
    UACS="$UACS $!"
}
uac 16060 5060 pager-uac.xml u1 80
uac 16062 5062 pager-uac.xml t1 80
uac 16064 5064 reg-uac.xml u1 200
uac 16066 5066 dlg-uac.xml u1 40
uac 16068 5068 dlg-uac.xml t1 20
in_ns a python3 "$HERE/rtpnoise.py" send 198.51.100.2 40000 16 2200 "$DUR" &
NOISE=$!
rc=0
for p in $UACS; do
    wait "$p" || rc=1
done
wait "$NOISE"
[ $rc = 0 ] || { tail -n 20 "$WORK"/uac-*.log >&2; peers_die "a sipp UAC failed"; }
cap_stop
