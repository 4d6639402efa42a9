#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# udp-pager.pcap: three pager-mode MESSAGEs over UDP from sipp (alice) to sipp (bob):
# text/plain, message/cpim, application/vnd.3gpp.sms; each answered 200 OK.
# usage: udp-pager.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init udp-pager "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 3 -t u1
wait_port b udp 5060
sipp_uac a "$S/msg-text.xml" 198.51.100.2:5060 pager-text@198.51.100.1 -t u1
sipp_uac a "$S/msg-cpim.xml" 198.51.100.2:5060 pager-cpim@198.51.100.1 -t u1
sipp_uac a "$S/msg-sms.xml" 198.51.100.2:5060 pager-sms@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
