#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bad-contact.pcap: misbehaving UAs (sipp): alice's MESSAGE carries a Contact header, and bob's 200 OK to it carries one too.
# usage: bad-contact.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init bad-contact "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200-contact.xml" 1 -t u1
wait_port b udp 5060
sipp_uac a "$S/msg-contact.xml" 198.51.100.2:5060 contact-1@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
