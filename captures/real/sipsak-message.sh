#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sipsak-message.pcap: sipsak (alice, 198.51.100.1) sends a MESSAGE over UDP to sipp (bob),
# which answers 200 OK. sipsak picks its own Call-ID, branch and tag at random; everything
# the findings depend on is fixed.
# usage: sipsak-message.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init sipsak-message "${1:-$(dirname "$0")}"
command -v sipsak >/dev/null || peers_die "sipsak is missing"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 1 -t u1
wait_port b udp 5060
# sipsak -M (message mode) crashes (SIGSEGV) in Debian bookworm's sipsak 0.9.8.1, so the MESSAGE
# is sent in file mode (-f): sipsak reads scenarios/sipsak-message.sip, adds its own Via
# (random branch, rport) and sends it.
in_ns a timeout 20 sipsak -f "$S/sipsak-message.sip" -s sip:bob@198.51.100.2:5060 \
    -l 5060 -H 198.51.100.1 -vv >"$WORK/sipsak.log" 2>&1 || { cat "$WORK/sipsak.log" >&2; peers_die "sipsak failed"; }
wait "$UAS_PID"
cap_stop
