#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# signed.pcap: signed MESSAGEs over UDP from sipp to sipp: S/MIME multipart/signed without Date, application/pkcs7-mime signed-data without Date, and multipart/signed with a Date (the near-miss); each answered 200 OK.
# usage: signed.sh [OUTDIR]   (default: this directory)
. "$(dirname "$0")/lib.sh"
peers_init signed "${1:-$(dirname "$0")}"
S=$HERE/scenarios
net_pair
cap_start a "$IF_A"
sipp_uas b "$S/uas-200.xml" 3 -t u1
wait_port b udp 5060
sipp_uac a "$S/msg-signed-nodate.xml" 198.51.100.2:5060 signed-nodate@198.51.100.1 -t u1
sipp_uac a "$S/msg-pkcs7-nodate.xml" 198.51.100.2:5060 pkcs7-nodate@198.51.100.1 -t u1
sipp_uac a "$S/msg-signed-date.xml" 198.51.100.2:5060 signed-date@198.51.100.1 -t u1
wait "$UAS_PID"
cap_stop
