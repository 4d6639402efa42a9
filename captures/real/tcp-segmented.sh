#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp-segmented.pcap: the 3000-byte MESSAGE of msg-3000.xml over TCP, with bob's advertised MSS
# cut to 536 bytes (route option advmss), so that alice's kernel sends it in several segments;
# bob (sipp) answers 200 OK on the same connection.
# Segments without payload (pure ACKs) are left out by the capture filter, because where they
# fall between data segments depends on scheduling; SYN, FIN and RST segments are kept.
# usage: tcp-segmented.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init tcp-segmented "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
in_ns a ip route change 198.51.100.0/24 dev "$IF_A" advmss 536
in_ns b ip route change 198.51.100.0/24 dev "$IF_B" advmss 536
CAP_FILTER='tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0)'
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 1 -t t1
wait_port b tcp 5060
sipp_uac a "$S/msg-3000.xml" 198.51.100.2:5060 big-3000@198.51.100.1 -t t1
wait "$UAS_PID"
cap_stop
