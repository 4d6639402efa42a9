#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bad-ack.pcap: a misbehaving UAC (sipp): alice sends a MESSAGE over UDP, bob (sipp) answers 200 OK, and alice ACKs the 200 as if the MESSAGE had been an INVITE.
# usage: bad-ack.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init bad-ack "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200-ack.xml" 1 -t u1
wait_port b udp 5060
sipp_uac a "$S/uac-message-ack.xml" 198.51.100.2:5060 ack-1@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
