#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp-fragmented.pcap: a 3000-byte MESSAGE over UDP on a link with MTU 1500, so that alice's
# kernel sends it as three IPv4 fragments; bob (sipp) answers 200 OK.
# usage: udp-fragmented.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init udp-fragmented "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 1 -t u1
wait_port b udp 5060
sipp_uac a "$S/msg-3000.xml" 198.51.100.2:5060 big-3000@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
