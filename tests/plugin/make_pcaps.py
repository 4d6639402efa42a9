#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the plugin self-test captures (UDP with IP fragments, IPv6, message/sip; TCP; truncated).
"""Usage: make_pcaps.py OUTDIR

selftest_udp.pcap: the plugin test asserts on it; only MSG-SIZE (and the absence of findings on
  the message/sip body) is asserted, so that adding rules to the engine does not break the test.
    1,2  MESSAGE, 2400 bytes, IPv4 fragments 1480 + rest      -> MSG-SIZE at 2 (also with limit 2000)
    3    200 OK
    4    MESSAGE, 1700 bytes, one frame                         -> MSG-SIZE at 4 (not with limit 2000)
    5    200 OK
    6    MESSAGE, 500 bytes, 6 bytes of Ethernet trailer after the IP packet
    7    200 OK
    8    MESSAGE, 1400 bytes, IPv6                              -> MSG-SIZE at 8
    9    200 OK, IPv6
    10   MESSAGE whose body is message/sip (the inner one has a Path header: if the plugin linted
         the body as a message of its own, PATH-NON-REGISTER would appear in frame 10)
    11   200 OK
    12   ICMP port unreachable quoting the first 520 bytes of a MESSAGE: Wireshark dissects the
         quote as SIP, but it is no message on the wire (if linted: CAP-TRUNCATED at 12)
selftest_tcp.pcap: handshake, a 1600-byte MESSAGE in 2 segments, two messages in one segment,
  a message split across segments that also carry whole messages. Used for 1-pass/-2 parity,
  stderr and valgrind checks (what the engine says about TCP is the engine's business).
selftest_trunc.pcap: a 300-byte snap length cuts a 2400-byte and a 600-byte MESSAGE over UDP and
  a 600-byte one over TCP (if linted: CAP-TRUNCATED at 1, 2 and 3).
"""
import struct
import sys

ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(n):
    return bytes.fromhex("20010db8000000000000000000000000")[:15] + bytes([n])


def eth(payload, ethertype=0x0800, trailer=b""):
    return ETH_DST + ETH_SRC + struct.pack("!H", ethertype) + payload + trailer


def ipv4_packets(src, dst, proto, payload, ident, mtu_payload=None):
    """IPv4 packets for payload, fragmented into mtu_payload-byte pieces if given."""
    pieces = []
    if mtu_payload is None or len(payload) <= mtu_payload:
        pieces.append((0, payload, False))
    else:
        off = 0
        while off < len(payload):
            chunk = payload[off:off + mtu_payload]
            pieces.append((off, chunk, off + len(chunk) < len(payload)))
            off += len(chunk)
    out = []
    for off, chunk, more in pieces:
        flags_frag = (0x2000 if more else 0) | (off // 8)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident, flags_frag, 64, proto, 0,
                          ip4(src), ip4(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        out.append(hdr + chunk)
    return out


def udp4(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, len(u))
    c = csum(pseudo + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def udp6_packet(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = src + dst + struct.pack("!I3xB", len(u), 17)
    c = csum(pseudo + u) or 0xFFFF
    u = u[:6] + struct.pack("!H", c) + u[8:]
    return struct.pack("!IHBB16s16s", 0x60000000, len(u), 17, 64, src, dst) + u


def tcp4(src, dst, sport, dport, seq, ack, flags, data=b""):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(t))
    return t[:16] + struct.pack("!H", csum(pseudo + t)) + t[18:]


def sip_message(n, size, host="192.0.2.1", transport="UDP", ctype="text/plain", body=None):
    """A well-formed MESSAGE request of exactly size bytes (when body is None)."""
    def build(b):
        return ("MESSAGE sip:bob@example.com SIP/2.0\r\n"
                "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK-m%d\r\n"
                "Max-Forwards: 70\r\n"
                "From: <sip:alice@example.com>;tag=a%d\r\n"
                "To: <sip:bob@example.com>\r\n"
                "Call-ID: call-%d@example.com\r\n"
                "CSeq: 1 MESSAGE\r\n"
                "Content-Type: %s\r\n"
                "Content-Length: %d\r\n"
                "\r\n" % (transport, host, n, n, n, ctype, len(b))).encode() + b
    if body is not None:
        return build(body)
    empty = len(build(b""))
    blen = size - empty
    blen -= len(str(blen)) - 1  # the Content-Length digits count too
    msg = build(b"x" * blen)
    while len(msg) != size:     # settle the digit count
        blen += size - len(msg)
        msg = build(b"x" * blen)
    return msg


def sip_ok(n, host="192.0.2.1", transport="UDP"):
    return ("SIP/2.0 200 OK\r\n"
            "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK-m%d\r\n"
            "From: <sip:alice@example.com>;tag=a%d\r\n"
            "To: <sip:bob@example.com>;tag=b%d\r\n"
            "Call-ID: call-%d@example.com\r\n"
            "CSeq: 1 MESSAGE\r\n"
            "Content-Length: 0\r\n"
            "\r\n" % (transport, host, n, n, n, n)).encode()


def write_pcap(path, frames, snaplen=262144, step_us=None):
    """Frame i at 1700000000 + i s (+ i ms), or every step_us microseconds when given."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1))
        for i, fr in enumerate(frames):
            data = fr[:snaplen]
            if step_us is None:
                sec, usec = 1700000000 + i, 1000 * i
            else:
                sec, usec = 1700000000 + (i * step_us) // 1000000, (i * step_us) % 1000000
            f.write(struct.pack("<IIII", sec, usec, len(data), len(fr)))
            f.write(data)


def udp_frames():
    a, b = "192.0.2.1", "192.0.2.2"
    frames = []
    big = sip_message(1, 2400)
    for p in ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, big), 0x1001, 1480):
        frames.append(eth(p))
    frames.append(eth(ipv4_packets(b, a, 17, udp4(b, a, 5060, 5060, sip_ok(1)), 0x2001)[0]))
    mid = sip_message(2, 1700)
    frames.append(eth(ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, mid), 0x1002)[0]))
    frames.append(eth(ipv4_packets(b, a, 17, udp4(b, a, 5060, 5060, sip_ok(2)), 0x2002)[0]))
    small = sip_message(3, 500)
    frames.append(eth(ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, small), 0x1003)[0],
                      trailer=b"\xde\xad\xbe\xef\x00\x00"))
    frames.append(eth(ipv4_packets(b, a, 17, udp4(b, a, 5060, 5060, sip_ok(3)), 0x2003)[0]))
    a6, b6 = ip6(1), ip6(2)
    v6 = sip_message(4, 1400, host="[2001:db8::1]")
    frames.append(eth(udp6_packet(a6, b6, 5060, 5060, v6), 0x86DD))
    frames.append(eth(udp6_packet(b6, a6, 5060, 5060, sip_ok(4, host="[2001:db8::1]")), 0x86DD))
    inner = ("MESSAGE sip:carol@example.com SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-inner\r\n"
             "Max-Forwards: 70\r\n"
             "From: <sip:dave@example.com>;tag=d1\r\n"
             "To: <sip:carol@example.com>\r\n"
             "Call-ID: inner@example.com\r\n"
             "CSeq: 1 MESSAGE\r\n"
             "Path: <sip:proxy.example.com;lr>\r\n"
             "Content-Type: text/plain\r\n"
             "Content-Length: 5\r\n"
             "\r\n"
             "hello").encode()
    outer = sip_message(5, 0, ctype="message/sip", body=inner)
    frames.append(eth(ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, outer), 0x1005)[0]))
    frames.append(eth(ipv4_packets(b, a, 17, udp4(b, a, 5060, 5060, sip_ok(5)), 0x2005)[0]))
    quoted = ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, sip_message(6, 600)), 0x1006)[0][:548]
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    frames.append(eth(ipv4_packets(b, a, 1, icmp, 0x2006)[0]))
    return frames


def tcp_frames():
    a, b = "192.0.2.1", "192.0.2.2"
    sp, dp = 40000, 5060
    cseq, sseq = 1000, 5000
    frames = []

    def c2s(flags, data=b""):
        nonlocal cseq
        frames.append(eth(ipv4_packets(a, b, 6, tcp4(a, b, sp, dp, cseq, sseq, flags, data), 0x3000 + len(frames))[0]))
        cseq += len(data) + (1 if flags & 0x02 else 0)

    def s2c(flags, data=b""):
        nonlocal sseq
        frames.append(eth(ipv4_packets(b, a, 6, tcp4(b, a, dp, sp, sseq, cseq, flags, data), 0x4000 + len(frames))[0]))
        sseq += len(data) + (1 if flags & 0x02 else 0)

    SYN, ACK, PSH = 0x02, 0x10, 0x08
    c2s(SYN)
    cseq_fix = cseq
    s2c(SYN | ACK)
    c2s(ACK)
    assert cseq == cseq_fix
    m1 = sip_message(11, 1600, transport="TCP")
    c2s(ACK, m1[:1000])
    c2s(ACK | PSH, m1[1000:])
    s2c(ACK | PSH, sip_ok(11, transport="TCP"))
    m2, m3 = sip_message(12, 300, transport="TCP"), sip_message(13, 1500, transport="TCP")
    c2s(ACK | PSH, m2 + m3)
    s2c(ACK | PSH, sip_ok(12, transport="TCP") + sip_ok(13, transport="TCP"))
    m4, m5, m6 = (sip_message(14, 400, transport="TCP"), sip_message(15, 900, transport="TCP"),
                  sip_message(16, 350, transport="TCP"))
    c2s(ACK | PSH, m4 + m5[:450])
    c2s(ACK | PSH, m5[450:] + m6)
    s2c(ACK | PSH, sip_ok(14, transport="TCP") + sip_ok(15, transport="TCP") + sip_ok(16, transport="TCP"))
    return frames


def main():
    out = sys.argv[1]
    write_pcap(out + "/selftest_udp.pcap", udp_frames())
    write_pcap(out + "/selftest_tcp.pcap", tcp_frames())
    a, b = "192.0.2.1", "192.0.2.2"
    big = eth(ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, sip_message(21, 2400)), 0x5001)[0])
    ok = eth(ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, sip_message(22, 600)), 0x5002)[0])
    seg = eth(ipv4_packets(a, b, 6, tcp4(a, b, 40001, 5060, 1, 1, 0x18, sip_message(23, 600, transport="TCP")),
                           0x5003)[0])
    write_pcap(out + "/selftest_trunc.pcap", [big, ok, seg], snaplen=300)
    # 2,000 MESSAGE transactions in one second and never answered: more than a 1,024-slot
    # transaction table holds (the plugin's tracker-full note)
    flood = [eth(ipv4_packets(a, b, 17, udp4(a, b, 5060, 5060, sip_message(1000 + k, 400)), 0x6000 + k)[0])
             for k in range(2000)]
    write_pcap(out + "/selftest_flood.pcap", flood, step_us=500)


if __name__ == "__main__":
    main()
