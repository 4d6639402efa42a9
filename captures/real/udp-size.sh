#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp-size.pcap: text/plain MESSAGEs of exactly 1299, 1300 and 1301 bytes (RFC 3428 §8 counts
# from the first byte of the request line to the last body byte) over UDP, sipp to sipp; each
# answered 200 OK. None is IP-fragmented (MTU 1500).
# usage: udp-size.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init udp-size "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 3 -t u1
wait_port b udp 5060
for n in 1299 1300 1301; do
    sipp_uac a "$S/msg-$n.xml" 198.51.100.2:5060 "size-$n@198.51.100.1" -t u1
done
wait "$UAS_PID"
cap_stop
