#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bad-200-body.pcap: a misbehaving UAS (sipp): alice (sipp) sends a correct MESSAGE and bob answers with a 200 OK that has a text/plain body.
# usage: bad-200-body.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init bad-200-body "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200-body.xml" 1 -t u1
wait_port b udp 5060
sipp_uac a "$S/msg-text.xml" 198.51.100.2:5060 body-1@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
