#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp-in-dialog.pcap: alice (sipp) calls bob (sipp) over UDP, sends a MESSAGE inside the INVITE
# dialog, then hangs up.
# usage: udp-in-dialog.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init udp-in-dialog "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-invite-message.xml" 1 -t u1
wait_port b udp 5060
sipp_uac a "$S/uac-invite-message.xml" 198.51.100.2:5060 dialog-1@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
