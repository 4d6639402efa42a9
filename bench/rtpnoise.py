#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""siplint bench: RTP-like UDP noise (non-SIP traffic for the benchmark captures).

usage: rtpnoise.py send DEST_IP BASE_PORT STREAMS PPS SECONDS
       rtpnoise.py sink BASE_PORT STREAMS

send: STREAMS streams of 172-byte RTP packets (12-byte RTP v2 header, PCMU payload of 160
random bytes) from local port BASE_PORT+2i to DEST_IP:BASE_PORT+2i, PPS packets per second in
all, for SECONDS. sink: binds the same ports and discards what arrives (so no ICMP errors).
"""
import os, selectors, socket, struct, sys, time


def send(dest, base, streams, pps, secs):
    socks = []
    for i in range(streams):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", base + 2 * i))
        socks.append(s)
    payload = os.urandom(160)
    ssrc = [struct.unpack("!I", os.urandom(4))[0] for _ in range(streams)]
    seq = [0] * streams
    tick = 0.01
    per_tick = max(1, int(pps * tick))
    end = time.monotonic() + secs
    nxt = time.monotonic()
    while time.monotonic() < end:
        for k in range(per_tick):
            i = k % streams
            seq[i] = (seq[i] + 1) & 0xFFFF
            hdr = struct.pack("!BBHII", 0x80, 0, seq[i], (seq[i] * 160) & 0xFFFFFFFF, ssrc[i])
            socks[i].sendto(hdr + payload, (dest, base + 2 * i))
        nxt += tick
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)


def sink(base, streams):
    sel = selectors.DefaultSelector()
    for i in range(streams):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", base + 2 * i))
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            key.fileobj.recv(2048)


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    else:
        sink(int(sys.argv[2]), int(sys.argv[3]))
