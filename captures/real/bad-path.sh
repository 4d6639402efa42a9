#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bad-path.pcap: a misbehaving UAC (sipp): alice's MESSAGE carries a Path header; bob (sipp) answers 200 OK.
# usage: bad-path.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init bad-path "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 1 -t u1
wait_port b udp 5060
sipp_uac a "$S/msg-path.xml" 198.51.100.2:5060 path-1@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
