#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Pathological inputs for the siplint CLI, one case per ctest (docs/robustness.md).

Every input is generated here at run time (nothing large is committed). Each case states what
siplint must end with (exit status, the findings that must be there, the error it must print)
and a time and memory bound; the run is measured (wall time, peak RSS of the siplint process
from wait4) and fails when it breaks a bound. Findings made before damage must survive it: the
damaged cases put a frame with a known violation (a Path header in a MESSAGE: PATH-NON-REGISTER,
RFC 3327 §4) before the damage, and the flood cases one before and one after the flood.

Usage: hostile.py --siplint PATH [--sanitized] CASE | --list
Exit: 0 pass, 1 fail, 77 skipped (a capture feature the case needs is not implemented yet).
"""
import argparse
import json
import os
import random
import re
import resource
import struct
import subprocess
import sys
import tempfile
import threading
import time

# ---- SIP messages -----------------------------------------------------------------------------

def sip(head, body=b""):
    """A message from readable lines: LF -> CRLF, Content-Length filled in."""
    head = head.strip("\n").replace("\n", "\r\n").encode()
    if b"@CL@" in head:
        head = head.replace(b"@CL@", str(len(body)).encode())
    return head + b"\r\n\r\n" + body


def path_message(tag):
    """A MESSAGE with a Path header: PATH-NON-REGISTER (error), and nothing else."""
    return sip(f"""MESSAGE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.{tag}
Max-Forwards: 70
Path: <sip:p1.example.net;lr>
From: "Alice" <sip:alice@example.com>;tag=a73kszlfl
To: "Bob" <sip:bob@example.com>
Call-ID: {tag}@192.0.2.10
CSeq: 1 MESSAGE
Date: Tue, 14 Nov 2023 22:13:20 GMT
Content-Type: text/plain
Content-Length: @CL@""", b"Did you get the door code?\r\n")


def plain_message(callid, cseq=1):
    return sip(f"""MESSAGE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.{callid}
Max-Forwards: 70
From: <sip:alice@example.com>;tag=a7
To: <sip:bob@example.com>
Call-ID: {callid}
CSeq: {cseq} MESSAGE
Content-Type: text/plain
Content-Length: @CL@""", b"hi\r\n")

# ---- capture writing --------------------------------------------------------------------------

EPOCH = 1700000000


def pcap_header(linktype=1, snaplen=262144):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def record(t, frame, caplen=None, wirelen=None):
    sec = int(t)
    usec = int(round((t - sec) * 1e6))
    caplen = len(frame) if caplen is None else caplen
    wirelen = len(frame) if wirelen is None else wirelen
    return struct.pack("<IIII", EPOCH + sec, usec, caplen, wirelen) + frame


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst):
    return bytes(int(x) for x in src.split(".")), bytes(int(x) for x in dst.split("."))


def ipv4(proto, src, dst, payload, ident=0, mf=False, frag_off=0):
    s, d = ip4(src, dst)
    flags = (0x2000 if mf else 0) | (frag_off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, proto, 0, s, d)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ether(ip_packet):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip_packet


def udp_frame(payload, src="192.0.2.10", dst="192.0.2.20", sport=5060, dport=5060):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ether(ipv4(17, src, dst, u))


def tcp_frame(payload, seq, flags=0x18, src="192.0.2.10", dst="192.0.2.20", sport=40000,
              dport=5060, ack=1):
    s, d = ip4(src, dst)
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = s + d + struct.pack("!BBH", 0, 6, len(h) + len(payload))
    c = csum(pseudo + h + payload)
    h = h[:16] + struct.pack("!H", c) + h[18:]
    return ether(ipv4(6, src, dst, h + payload))

# ---- the cases --------------------------------------------------------------------------------
# Each returns a dict:
#   input: bytes, or a callable yielding byte chunks (streamed to siplint's stdin)
#   args: extra siplint options; rc: allowed exit statuses
#   need: [(rule, frame or None)] findings that must be reported
#   stderr: regex the error output must match (None: anything)
#   time_s, mem_mb: the bounds (CPU seconds of siplint, peak RSS) for an unsanitized build (measured figure x ~10, see
#       docs/robustness.md); a sanitized build gets x5 time and x2 + 64 MB memory
#   requires: "tcp" or "frag" when the case needs that capture feature

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


@case
def header_line_2mb():
    """One 2 MB header line in a MESSAGE (raw file, read as UDP): MSG-SIZE, no crash."""
    body = b"x\r\n"
    msg = sip("MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
              "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
              "Call-ID: big\nCSeq: 1 MESSAGE\nSubject: " + "A" * (2 << 20) +
              "\nContent-Type: text/plain\nContent-Length: @CL@", body)
    return dict(input=msg, rc={1}, need=[("MSG-SIZE", 1)], time_s=5, mem_mb=64)


@case
def header_line_2mb_tcp():
    """The same 2 MB header line in a raw stream read as TCP: framed, linted, MSG-SIZE stays
    quiet (TCP is congestion-controlled) but the message is still linted."""
    msg = header_line_2mb()["input"]
    return dict(input=msg + plain_message("after-big"), args=["--transport", "tcp"], rc={0, 1},
                need=[], stderr=None, time_s=5, mem_mb=64, min_messages=2)


@case
def headers_200k():
    """200,000 header rows: more than the index holds (65535): SIP-PARSE names it, the
    message's size and body stay right (MSG-SIZE)."""
    rows = "".join("X-H%d: v\n" % i for i in range(200000))
    msg = sip("MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
              "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
              "Call-ID: many\nCSeq: 1 MESSAGE\n" + rows + "Content-Type: text/plain\n"
              "Content-Length: @CL@", b"x\r\n")
    return dict(input=msg, rc={1}, need=[("SIP-PARSE", 1), ("MSG-SIZE", 1)], time_s=10,
                mem_mb=96, message_re=r"too many header rows")


def cl_case(value, transport):
    msg = sip("MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n"
              "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
              "Call-ID: cl\nCSeq: 1 MESSAGE\nContent-Type: text/plain\n"
              "Content-Length: " + value, b"hello\r\n")
    return dict(input=msg, args=["--transport", transport], rc={1}, need=[("SIP-PARSE", 1)],
                time_s=5, mem_mb=32, message_re=r"Content-Length")


@case
def content_length_20_digits():
    """Content-Length: 20 digits (more than 2^64): SIP-PARSE, no overflow."""
    return cl_case("98765432109876543210", "udp")


@case
def content_length_20_digits_tcp():
    """The same in a raw stream read as TCP (the framer refuses it; the message is linted)."""
    return cl_case("98765432109876543210", "tcp")


@case
def content_length_negative():
    """Content-Length: -5: SIP-PARSE."""
    return cl_case("-5", "udp")


@case
def content_length_negative_tcp():
    """The same in a raw stream read as TCP."""
    return cl_case("-5", "tcp")


@case
def nul_in_headers():
    """NUL bytes in a header name and in header values (in a capture, so that nothing treats
    the bytes as a C string): SIP-PARSE, and the frame after it is still linted."""
    bad = (b"MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
           b"Max-Forwards: 70\r\nFrom: <sip:a@exa\0mple.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
           b"Call-ID: n\0ul\r\nCSeq: 1 MESSAGE\r\nX-N\0l: 1\r\n\0\0\0: x\r\n"
           b"Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nab\0\n")
    cap = (pcap_header() + record(0.0, udp_frame(bad)) +
           record(1.0, udp_frame(path_message("after-nul"))))
    return dict(input=cap, rc={1}, need=[("SIP-PARSE", 1), ("PATH-NON-REGISTER", 2)],
                time_s=5, mem_mb=32, all_formats=True)


@case
def output_injection():
    """Bytes that attack the reader of the report: quotes, backslashes, a terminal escape
    sequence, BEL, NUL, a bare CR that would start a forged line, invalid UTF-8, in the
    Call-ID, the Request-URI and a header value that findings quote. JSON Lines output must
    stay one valid JSON object a line; text output must carry no ESC, CR or NUL byte."""
    evil = b'a"b\\c\x1b[31mRED\x1b]0;title\x07\x00\rcaptures/x.pcap:1: error: forged [MSG-SIZE]\xff\xfe\xc3('
    bad = (b"MESSAGE sip:bob@" + evil + b" SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK" + evil +
           b"\r\nMax-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
           b"Call-ID: " + evil + b"\r\nCSeq: 1 MESSAGE\r\nPath: <sip:" + evil + b">\r\n"
           b"Date: " + evil + b"\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nab\r\n")
    cap = pcap_header() + record(0.0, udp_frame(bad)) + record(1.0, udp_frame(path_message("after")))
    return dict(input=cap, rc={1}, need=[("PATH-NON-REGISTER", 2)], time_s=5, mem_mb=32,
                text_clean=True, all_formats=True)


@case
def absurd_timestamps():
    """pcapng time stamps at the ends of 64 bits: if_tsoffset of +-2^63, a count near 2^64 in
    seconds, on two interfaces. Time arithmetic (capture, tracker timers, every output format's
    dates) must neither overflow nor refuse: every frame is linted."""
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    out = shb
    for tsoff in (2**63 - 1, -2**63):
        opts = (struct.pack("<HH", 9, 1) + bytes([0, 0, 0, 0]) + struct.pack("<HH", 14, 8) +
                struct.pack("<q", tsoff) + struct.pack("<HH", 0, 0))
        body = struct.pack("<HHI", 1, 0, 262144) + opts
        out += struct.pack("<II", 1, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    n = 0
    for ts in (2**64 - 2, 0, 2**63, 1700000000):
        for ifc in (0, 1):
            n += 1
            frame = udp_frame(path_message("t%d" % n))
            pad = (-len(frame)) % 4
            tl = 32 + len(frame) + pad
            out += (struct.pack("<IIIIIII", 6, tl, ifc, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) +
                    frame + b"\0" * pad + struct.pack("<I", tl))
    return dict(input=out, rc={1}, need=[("PATH-NON-REGISTER", i) for i in range(1, n + 1)],
                time_s=5, mem_mb=32, all_formats=True)


@case
def folded_cr_empty_value():
    """An empty header value continued by a folded line of blanks around a bare CR (found by
    fuzz_parse): the value span once came out 1 byte long *negative* and siplint read far past
    the message (segfault). Now: SIP-PARSE on the bare CR, the next frame linted."""
    bad = (b"MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
           b"Path:\r\n \r \nCall-ID: x\r\n\r\n")
    cap = pcap_header() + record(0.0, udp_frame(bad)) + record(1.0, udp_frame(path_message("after")))
    return dict(input=cap, rc={1}, need=[("SIP-PARSE", 1), ("PATH-NON-REGISTER", 2)], time_s=5,
                mem_mb=32, all_formats=True)


def multipart(ctype, body):
    return sip("MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\n"
               "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
               "Call-ID: mp\nCSeq: 1 MESSAGE\nDate: Tue, 14 Nov 2023 22:13:20 GMT\n"
               "Content-Type: " + ctype + "\nContent-Length: @CL@", body)


@case
def multipart_nested_deep():
    """multipart/mixed nested 20,000 levels deep (2 MB, read as TCP): linted in bounded time
    and stack, whatever depth the rules look into."""
    depth = 20000
    open_ = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
                     for i in range(depth))
    close = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    body = open_ + b"--b%d\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b%d--\r\n" % (depth, depth) + close
    msg = multipart("multipart/mixed; boundary=b0", body)
    return dict(input=msg, args=["--transport", "tcp"], rc={0, 1}, need=[], time_s=10,
                mem_mb=64, min_messages=1)


@case
def multipart_signed_nested_deep():
    """multipart/signed inside multipart/signed, 5,000 levels (the signed-MESSAGE rules read
    into it): bounded, still linted; no Date: MSG-SIGNED-NO-DATE."""
    depth = 5000
    proto = b'protocol="application/pkcs7-signature"; micalg=sha1'
    open_ = b"".join(b"--s%d\r\nContent-Type: multipart/signed; %s; boundary=s%d\r\n\r\n"
                     % (i, proto, i + 1) for i in range(depth))
    close = b"".join(b"\r\n--s%d\r\nContent-Type: application/pkcs7-signature\r\n\r\nSIG\r\n--s%d--\r\n"
                     % (i, i) for i in reversed(range(depth)))
    body = open_ + b"--s%d\r\nContent-Type: text/plain\r\n\r\nhi\r\n--s%d--\r\n" % (depth, depth) + close
    msg = sip("MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\n"
              "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
              "Call-ID: mps\nCSeq: 1 MESSAGE\nContent-Type: multipart/signed; " +
              proto.decode() + "; boundary=s0\nContent-Length: @CL@", body)
    return dict(input=msg, args=["--transport", "tcp"], rc={1},
                need=[("MSG-SIGNED-NO-DATE", 1)], time_s=5, mem_mb=64)


@case
def multipart_no_boundary():
    """multipart/signed and multipart/mixed without a boundary parameter, and a boundary that
    never occurs in the body: each still linted (a finding or a clean verdict, no crash)."""
    out = pcap_header()
    bodies = [("multipart/signed; protocol=\"application/pkcs7-signature\"", b"--x\r\n\r\nhi\r\n--x--\r\n"),
              ("multipart/mixed", b"no boundary at all\r\n"),
              ("multipart/mixed; boundary=never", b"--other\r\n\r\nhi\r\n" * 100),
              ("multipart/mixed; boundary=\"\"", b"--\r\n\r\n--\r\n"),
              ("multipart/mixed; boundary=", b"----\r\n")]
    for i, (ct, body) in enumerate(bodies):
        m = sip("MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK%d\n"
                "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\n"
                "Call-ID: nb%d\nCSeq: 1 MESSAGE\nDate: Tue, 14 Nov 2023 22:13:20 GMT\n"
                "Content-Type: %s\nContent-Length: @CL@" % (i, i, ct), body)
        out += record(float(i), udp_frame(m))
    out += record(9.0, udp_frame(path_message("after-mp")))
    return dict(input=out, rc={1}, need=[("PATH-NON-REGISTER", len(bodies) + 1)], time_s=10,
                mem_mb=32, min_messages=len(bodies) + 1)


@case
def tcp_headers_never_end():
    """A TCP stream that starts a request and then sends header rows for 24 MB without the
    empty line (16,800 segments of 1,460 bytes): the stream buffer stays bounded, the stream
    is given up with a finding, and a UDP MESSAGE before and after it are still linted."""
    seg = 1460
    nseg = 16800

    def gen():
        yield pcap_header()
        yield record(0.0, udp_frame(path_message("before-tcp")))
        yield record(0.001, tcp_frame(b"", 0, flags=0x02))  # SYN
        start = b"MESSAGE sip:bob@example.com SIP/2.0\r\n"
        row = b"X-Endless: " + b"y" * 60 + b"\r\n"
        data = start + row * ((seg * nseg) // len(row) + 1)
        seq = 1
        for k in range(nseg):
            yield record(0.01 + k * 1e-4, tcp_frame(data[k * seg:(k + 1) * seg], seq))
            seq += seg
        yield record(5.0, udp_frame(path_message("after-tcp")))
    return dict(input=gen, rc={0, 1, 2}, need=[("PATH-NON-REGISTER", 1),
                                                ("PATH-NON-REGISTER", nseg + 3)],
                need_any=["SIP-PARSE", "CAP-TRUNCATED", "CAP-TCP-GAP", "CAP-OPAQUE"],
                time_s=20, mem_mb=128, requires="tcp")


@case
def million_call_ids():
    """1,000,000 MESSAGE requests, each its own Call-ID, 1 ms apart (300 MB streamed through
    stdin): per-dialog and per-transaction state must expire with capture time or be capped;
    the frame after the flood is still linted."""
    n = 1000000

    def gen():
        yield pcap_header()
        yield record(0.0, udp_frame(path_message("before-flood")))
        # one frame, its Call-ID (and branch) rewritten in place: same length, so the IP
        # header checksum stays right (the UDP checksum is 0: not computed)
        tmpl = udp_frame(plain_message("c0000000@192.0.2.10"))
        batch = []
        for i in range(n):
            batch.append(record(1.0 + i * 1e-3, tmpl.replace(b"c0000000@", b"c%07d@" % i)))
            if len(batch) == 2000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)
        yield record(1.0 + n * 1e-3 + 1, udp_frame(path_message("after-flood")))
    # MSG-CC-TRANSPORT (a note on every MESSAGE over UDP) is off: a million notes are noise
    return dict(input=gen, args=["-d", "MSG-CC-TRANSPORT"], rc={0, 1},
                need=[("PATH-NON-REGISTER", 1), ("PATH-NON-REGISTER", n + 2)],
                time_s=40, mem_mb=128, count_only=True)


@case
def fragment_flood():
    """200,000 first IPv4 fragments (More Fragments set, each its own IP id) that never
    complete: reassembly state stays bounded; the frame after the flood is still linted."""
    n = 200000

    def gen():
        yield pcap_header()
        yield record(0.0, udp_frame(path_message("before-frags")))
        payload = struct.pack("!HHHH", 5060, 5060, 1208, 0) + b"MESSAGE sip:x SIP/2.0\r\n" + b"z" * 1001  # 1032 bytes: a multiple of 8
        batch = []
        for i in range(n):
            batch.append(record(1.0 + i * 1e-4, ether(ipv4(17, "192.0.2.%d" % (1 + i % 200), "192.0.2.20",
                                                           payload, ident=i & 0xFFFF, mf=True))))
            if len(batch) == 2000:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)
        yield record(1.0 + n * 1e-4 + 60, udp_frame(path_message("after-frags")))
    return dict(input=gen, rc={0, 1}, need=[("PATH-NON-REGISTER", 1),
                                             ("PATH-NON-REGISTER", n + 2)],
                need_any=["CAP-FRAG-INCOMPLETE"], time_s=15, mem_mb=64, requires="frag",
                count_only=True)


def damaged(tail, stderr_re, t=5):
    cap = pcap_header() + record(0.0, udp_frame(path_message("before-damage"))) + tail
    return dict(input=cap, rc={2}, need=[("PATH-NON-REGISTER", 1)], stderr=stderr_re,
                time_s=t, mem_mb=64)


@case
def pcap_caplen_huge():
    """A record whose captured length is 2^31-1 bytes (the file holds 100): exit 2, an error
    naming frame 2, frame 1's finding kept, nothing allocated for the lie."""
    return damaged(struct.pack("<IIII", EPOCH, 0, 0x7FFFFFFF, 0x7FFFFFFF) + b"\0" * 100,
                   r"frame 2")


@case
def pcap_caplen_over_wirelen():
    """A record with captured length > original length > snap length (lies in three ways)."""
    return damaged(struct.pack("<IIII", EPOCH, 0, 300000, 60) + b"\0" * 300000, r"frame 2")


@case
def pcap_caplen_short():
    """Record lengths that lie the other way: a record claims 30 bytes, the next record
    header then falls inside the packet: decoding goes on or stops, never reads outside."""
    frame = udp_frame(path_message("x"))
    tail = struct.pack("<IIII", EPOCH, 0, 30, len(frame)) + frame + record(2.0, udp_frame(path_message("y")))
    cap = pcap_header() + record(0.0, udp_frame(path_message("before-damage"))) + tail
    return dict(input=cap, rc={1, 2}, need=[("PATH-NON-REGISTER", 1)], time_s=5, mem_mb=64)


@case
def pcap_truncated_last_record():
    """The file ends 200 bytes into its last record: exit 2 naming the frame, earlier findings kept."""
    frame = udp_frame(path_message("cut"))
    return damaged(record(1.0, frame)[:16 + 200], r"frame 2.*truncated|truncated.*frame 2")


@case
def pcap_truncated_header():
    """The file ends inside a record header."""
    return damaged(struct.pack("<IIII", EPOCH, 0, 100, 100)[:7], r"frame 2")


@case
def pcapng_block_length_lies():
    """pcapng: an Enhanced Packet Block whose total length is 2^31 (after a good one)."""
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, 1, 0, 262144) + struct.pack("<I", 20)
    frame = udp_frame(path_message("before-damage"))
    pad = (-len(frame)) % 4
    tl = 32 + len(frame) + pad
    epb = (struct.pack("<IIIIIII", 6, tl, 0, 0, 0, len(frame), len(frame)) + frame + b"\0" * pad +
           struct.pack("<I", tl))
    bad = struct.pack("<IIIIIII", 6, 0x80000000, 0, 0, 0, 100, 100) + b"\0" * 100
    return dict(input=shb + idb + epb + bad, rc={2}, need=[("PATH-NON-REGISTER", 1)],
                stderr=r"frame 2|block", time_s=5, mem_mb=64)


@case
def unknown_link_type():
    """A pcap of link type 147 (USER0), which siplint does not decode: it says so (an error, or
    the summary names the frames it could not decode), no crash."""
    cap = pcap_header(linktype=147) + b"".join(record(float(i), udp_frame(path_message("u%d" % i)))
                                               for i in range(5))
    return dict(input=cap, rc={0, 2}, need=[], stderr=None, time_s=5, mem_mb=32,
                any_output_re=r"(?i)link[- ]?type|not decoded|unsupported|147")


@case
def empty_file():
    """An empty file: exit 2, "empty"."""
    return dict(input=b"", rc={2}, need=[], stderr=r"(?i)empty", time_s=5, mem_mb=32)


@case
def random_bytes():
    """1 MB of random bytes (fixed seed): neither capture nor SIP: exit 2, said so."""
    r = random.Random(9)
    data = bytes(r.getrandbits(8) for _ in range(1 << 20))
    if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a"):
        data = b"R" + data
    return dict(input=data, rc={2}, need=[], stderr=r"(?i)neither|not a", time_s=5, mem_mb=128)


@case
def random_after_pcap_header():
    """A valid pcap file header, then 1 MB of random bytes: damaged (exit 2), bounded."""
    r = random.Random(10)
    return dict(input=pcap_header() + bytes(r.getrandbits(8) for _ in range(1 << 20)), rc={2},
                need=[], stderr=r"frame", time_s=5, mem_mb=64)


@case
def random_after_pcapng_header():
    """A valid pcapng section and interface, then 1 MB of random bytes: exit 2, bounded."""
    r = random.Random(11)
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, 1, 0, 262144) + struct.pack("<I", 20)
    return dict(input=shb + idb + bytes(r.getrandbits(8) for _ in range(1 << 20)), rc={0, 1, 2},
                need=[], time_s=5, mem_mb=64)

# ---- feature probes ---------------------------------------------------------------------------

def probe(siplint, feature, tmp):
    """Does this siplint already decode the feature? (TCP reassembly, IP fragment reassembly.)"""
    if feature == "tcp":
        m = path_message("probe")
        cap = pcap_header() + record(0, tcp_frame(b"", 0, flags=0x02)) + \
            record(0.1, tcp_frame(m[:100], 1)) + record(0.2, tcp_frame(m[100:], 101))
    else:
        m = path_message("probe")
        u = struct.pack("!HHHH", 5060, 5060, 8 + len(m), 0) + m
        cut = 200
        cap = pcap_header() + record(0, ether(ipv4(17, "192.0.2.10", "192.0.2.20", u[:cut], 7, mf=True))) + \
            record(0.1, ether(ipv4(17, "192.0.2.10", "192.0.2.20", u[cut:], 7, frag_off=cut)))
    p = os.path.join(tmp, "probe.pcap")
    with open(p, "wb") as f:
        f.write(cap)
    out = subprocess.run([siplint, "--format", "jsonl", p], capture_output=True).stdout.decode()
    return '"PATH-NON-REGISTER"' in out

# ---- running one case -------------------------------------------------------------------------

def run_case(name, siplint, sanitized):
    c = CASES[name]()
    c.setdefault("args", [])
    c.setdefault("stderr", None)
    tmp = tempfile.mkdtemp(prefix="siplint-hostile-")
    try:
        if c.get("requires") and not probe(siplint, c["requires"], tmp):
            print("SKIP %s: this siplint does not decode %s yet; the case runs once it does"
                  % (name, {"tcp": "SIP over TCP", "frag": "IP fragments"}[c["requires"]]))
            return 77
        time_bound = int(c["time_s"] * (5 if sanitized else 1))
        mem_bound = int(c["mem_mb"] * 2 + 64 if sanitized else c["mem_mb"])
        stream = callable(c["input"])
        if stream:
            path = "-"
        else:
            path = os.path.join(tmp, "input")
            with open(path, "wb") as f:
                f.write(c["input"])

        def limits():
            # a backstop against taking the machine down; the bounds are checked below
            resource.setrlimit(resource.RLIMIT_CPU, (time_bound * 2 + 10, time_bound * 2 + 10))
            if not sanitized:  # ASan reserves terabytes of address space
                lim = (mem_bound * 4 + 256) << 20
                resource.setrlimit(resource.RLIMIT_AS, (lim, lim))

        env = dict(os.environ)
        # a small quarantine: the memory bound is about siplint, not about ASan holding freed blocks
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:quarantine_size_mb=16")
        t0 = time.monotonic()
        p = subprocess.Popen([siplint, "--format", "jsonl"] + c["args"] + [path],
                             stdin=subprocess.PIPE if stream else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limits,
                             env=env)
        err_chunks = []
        threading.Thread(target=lambda: err_chunks.append(p.stderr.read()), daemon=True).start()
        if stream:
            def feed():
                try:
                    for chunk in c["input"]():
                        p.stdin.write(chunk)
                except BrokenPipeError:
                    pass
                finally:
                    try:
                        p.stdin.close()
                    except BrokenPipeError:
                        pass
            threading.Thread(target=feed, daemon=True).start()
        killed = []

        def watchdog():
            killed.append(True)
            p.kill()
        timer = threading.Timer(time_bound * 3, watchdog)
        timer.start()
        findings, by_rule, messages, summary, lines, bad_json = set(), {}, None, [], [], []
        for raw in p.stdout:
            line = raw.decode("utf-8", "replace")
            try:
                o = json.loads(line)
            except ValueError:
                bad_json.append(line)
                continue
            if o.get("type") == "finding":
                findings.add((o.get("rule"), o.get("frame")))
                by_rule[o.get("rule")] = by_rule.get(o.get("rule"), 0) + 1
                if len(lines) < 200 and not c.get("count_only"):
                    lines.append(line)
            else:
                summary.append(line)
                for k in ("sip_messages", "messages"):
                    if isinstance(o.get(k), int):
                        messages = o[k]
        _, status, ru = os.wait4(p.pid, 0)
        elapsed = time.monotonic() - t0
        timer.cancel()
        time.sleep(0.05)
        rc = os.waitstatus_to_exitcode(status)
        stderr = b"".join(err_chunks).decode("utf-8", "replace")
        rss_mb = ru.ru_maxrss / 1024.0
        problems = []
        if killed:
            problems.append("killed after %.0f s (3x the time bound)" % (time_bound * 3))
        if rc < 0:
            problems.append("siplint died of signal %d" % -rc)
        elif rc not in c["rc"]:
            problems.append("exit status %d, expected %s" % (rc, sorted(c["rc"])))
        if re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error:", stderr):
            problems.append("sanitizer report")
        if bad_json:
            # hostile bytes (NUL, quotes, control characters, invalid UTF-8) must not break
            # the JSON Lines output that scripts read
            problems.append("%d output lines are not JSON, e.g. %r" % (len(bad_json), bad_json[0][:200]))
        for rule, frame in c["need"]:
            if frame is None and rule not in by_rule or frame is not None and (rule, frame) not in findings:
                problems.append("missing finding %s%s" % (rule, "" if frame is None else " at frame %d" % frame))
        if c.get("need_any") and not any(r in by_rule for r in c["need_any"]):
            problems.append("none of %s reported" % ", ".join(c["need_any"]))
        if c["stderr"] and not re.search(c["stderr"], stderr):
            problems.append("error output does not match /%s/" % c["stderr"])
        if c.get("message_re") and not any(re.search(c["message_re"], ln) for ln in lines):
            problems.append("no finding whose message matches /%s/" % c["message_re"])
        if c.get("any_output_re"):
            text = stderr + "".join(summary) + "".join(lines)
            if not re.search(c["any_output_re"], text):
                problems.append("nothing in the output matches /%s/" % c["any_output_re"])
        if c.get("all_formats"):
            # every renderer on the same input (dates, escaping): no crash, no sanitizer report
            for fmt in ("text", "sarif", "junit", "codequality", "html"):
                t = subprocess.run([siplint, "--format", fmt] + c["args"] + [path], capture_output=True,
                                   env=env, stdin=subprocess.DEVNULL)
                terr = t.stderr.decode("utf-8", "replace")
                if t.returncode < 0 or t.returncode not in c["rc"]:
                    problems.append("--format %s: exit status %d" % (fmt, t.returncode))
                if re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error:", terr):
                    problems.append("--format %s: sanitizer report: %s" % (fmt, terr[:500]))
        if c.get("text_clean"):
            t = subprocess.run([siplint] + c["args"] + [path], capture_output=True, env=env)
            for b, what in ((b"\x1b", "ESC"), (b"\r", "CR"), (b"\x00", "NUL")):
                if b in t.stdout:
                    problems.append("text output carries a raw %s byte" % what)
            if re.search(rb"(?m)^captures/x\.pcap:1: error: forged", t.stdout):
                problems.append("text output carries a forged finding line")
        if c.get("min_messages") and messages is not None and messages < c["min_messages"]:
            problems.append("%d SIP messages linted, expected at least %d" % (messages, c["min_messages"]))
        cpu = ru.ru_utime + ru.ru_stime
        # CPU time, not wall time: the bound must hold on a loaded machine too (the wall time
        # of the streamed cases is mostly this script writing the input)
        if cpu > time_bound:
            problems.append("used %.1f s of CPU, bound %d s" % (cpu, time_bound))
        if rss_mb > mem_bound:
            problems.append("peak RSS %.1f MB, bound %d MB" % (rss_mb, mem_bound))
        print("%s: exit %d, CPU %.2f s (bound %d s), wall %.2f s, peak RSS %.1f MB (bound %d MB)%s" %
              (name, rc, cpu, time_bound, elapsed, rss_mb, mem_bound, " [sanitized]" if sanitized else ""))
        print("  findings by rule: %s" % (", ".join("%s %d" % kv for kv in sorted(by_rule.items())) or "none"))
        if stderr.strip():
            print("  stderr: %s" % stderr.strip()[:2000])
        if problems:
            for s in problems:
                print("FAIL %s: %s" % (name, s))
            for ln in (lines + summary)[:20]:
                print("  | " + ln.rstrip()[:300])
            return 1
        print("ok   %s" % name)
        return 0
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--siplint")
    ap.add_argument("--sanitized", default="0", help="1 when siplint is built with ASan")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        for n, fn in CASES.items():
            print("%-32s %s" % (n, (fn.__doc__ or "").split("\n")[0]))
        return 0
    if a.case not in CASES or not a.siplint:
        ap.error("need --siplint and one of: " + " ".join(CASES))
    return run_case(a.case, a.siplint, a.sanitized.upper() in ("1", "ON", "TRUE", "YES"))


if __name__ == "__main__":
    sys.exit(main())
