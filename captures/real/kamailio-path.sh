#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kamailio-path.pcap: alice (sipp, 198.51.100.1) registers twice through an edge proxy (kamailio
# with the path module, 198.51.100.2 / 203.0.113.2) at a registrar (kamailio with registrar and
# usrloc, 203.0.113.3): once with "Supported: path" (the proxy adds Path, the registrar saves
# it and copies it into the 200 OK), once without (the proxy adds Path anyway, the registrar
# answers 420 with "Unsupported: path"). Captured on the proxy's host on both of its interfaces,
# so each message appears on both hops.
# usage: kamailio-path.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init kamailio-path "${1:-$(dirname "$0")}"
command -v kamailio >/dev/null || peers_die "kamailio is missing"
S=$HERE/scenarios
K=$HERE/kamailio
net_chain
for x in b c; do mkdir -p "$WORK/run-$x"; done
bg c "$WORK/registrar.log" kamailio -DD -E -m 32 -M 8 -f "$K/registrar.cfg" -Y "$WORK/run-c" -P "$WORK/run-c/pid"
bg b "$WORK/proxy.log" kamailio -DD -E -m 32 -M 8 -f "$K/proxy.cfg" -Y "$WORK/run-b" -P "$WORK/run-b/pid"
wait_port c udp 5060
wait_port b udp 5060
sleep 1 # let the kamailio children start
cap_start b any
sipp_uac a "$S/reg-path.xml" 198.51.100.2:5060 reg-path@198.51.100.1 -t u1
sipp_uac a "$S/reg-nopath.xml" 198.51.100.2:5060 reg-nopath@198.51.100.1 -t u1
cap_stop
