#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Structural checks of siplint's HTML report (docs/html-report.md).

Usage: check_html.py SIPLINT SOURCE_DIR

For each capture: the report is well-formed HTML, self-contained (no external src/href, no
<script src>, no <link>), carries every finding of --format jsonl, has a ladder for each Call-ID
with a finding whose arrows are exactly the SIP messages of that Call-ID in the capture (frame,
direction, start line; read from the pcap here, independently of siplint), the offending message
marked in the finding's colour and the related frames joined by a bracket. Then: hostile capture
bytes cannot break out of the page, and a capture with hundreds of Call-IDs gets the bounded
number of diagrams with the rest listed.
"""
import html.parser
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

SIPLINT, SRC = sys.argv[1], sys.argv[2]
CAPTURES = ["captures/crafted/demo.pcap", "captures/crafted/msg-ack.pcap", "captures/real/bad-ack.pcap",
            "captures/real/udp-in-dialog.pcap"]
SEV = {"note": 1, "warning": 2, "error": 3}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
failures = 0
passes = 0


def fail(what):
    global failures
    failures += 1
    print("FAIL " + what)


def ok(what):
    global passes
    passes += 1
    print("ok   " + what)


# ---- the report as a tree ----

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], []

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, cls=None):
        for n in self.iter():
            if (tag is None or n.tag == tag) and (cls is None or cls in n.attrs.get("class", "").split()):
                yield n

    def all_text(self):
        return "".join(self.text) + "".join(c.all_text() for c in self.children)


class Tree(html.parser.HTMLParser):
    """Builds a tree and insists on well-formedness: every element closed, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.errors = []
        self.doctype = False

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        names = [a for a, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append("duplicate attribute in <%s>" % tag)
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.cur.tag != tag:
            self.errors.append("</%s> closes <%s> (line %d)" % (tag, self.cur.tag, self.getpos()[0]))
            while self.cur.parent and self.cur.tag != tag:
                self.cur = self.cur.parent
        if self.cur.parent:
            self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.text.append(data)


def parse(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    t = Tree()
    t.feed(text)
    t.close()
    if t.cur is not t.root:
        t.errors.append("<%s> never closed" % t.cur.tag)
    if not t.doctype:
        t.errors.append("no <!DOCTYPE html>")
    return text, t


def self_contained(text, tree, name):
    bad = []
    for n in tree.root.iter():
        for a in ("src", "href", "xlink:href", "action", "formaction", "poster", "data"):
            v = n.attrs.get(a)
            if v is None or n.tag == "object":
                continue
            if a == "data" and n.tag != "object":
                continue
            if not (v.startswith("#") or v.startswith("data:")):
                bad.append("<%s %s=%r>" % (n.tag, a, v))
        if n.tag == "script" and "src" in n.attrs:
            bad.append("<script src>")
        if n.tag in ("link", "iframe", "img", "object", "embed", "base"):
            bad.append("<%s>" % n.tag)
    for st in tree.root.find_all("style"):
        if re.search(r"url\(|@import", st.all_text()):
            bad.append("url() or @import in <style>")
    scripts = list(tree.root.find_all("script"))
    code = [s for s in scripts if s.attrs.get("type") != "application/json"]
    if len(code) != 1:
        bad.append("%d executable <script> elements (expected 1)" % len(code))
    if bad:
        fail("%s: not self-contained: %s" % (name, "; ".join(bad[:5])))
    else:
        ok("%s: self-contained (no external src/href, one inline script)" % name)


# ---- the capture, read independently ----

def pcap_sip(path):
    """(frame, src, dst, start line, call-id) of each UDP datagram that holds a SIP message."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not a pcap file" % path)
    link = struct.unpack(e + "I", data[20:24])[0]
    pos, frame = 24, 0
    while pos + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        frame += 1
        if link == 1:
            et, off = struct.unpack(">H", pkt[12:14])[0], 14
            while et in (0x8100, 0x88a8):
                et, off = struct.unpack(">H", pkt[off + 2:off + 4])[0], off + 4
        elif link == 113:
            et, off = struct.unpack(">H", pkt[14:16])[0], 16
        elif link == 276:
            et, off = struct.unpack(">H", pkt[0:2])[0], 20
        elif link == 101:
            et, off = (0x800 if pkt[0] >> 4 == 4 else 0x86dd), 0
        else:
            continue
        if et == 0x800:
            ihl = (pkt[off] & 15) * 4
            if pkt[off + 9] != 17 or struct.unpack(">H", pkt[off + 6:off + 8])[0] & 0x3fff:
                continue
            src = ".".join(str(b) for b in pkt[off + 12:off + 16])
            dst = ".".join(str(b) for b in pkt[off + 16:off + 20])
            udp = off + ihl
        else:
            continue
        sp, dp = struct.unpack(">HH", pkt[udp:udp + 4])
        payload = pkt[udp + 8:]
        text = payload.decode("latin-1")
        first = text.split("\r\n", 1)[0].split("\n", 1)[0]
        if not re.match(r"^([A-Za-z]+ \S+ SIP/2\.0|SIP/2\.0 \d{3})", first):
            continue
        m = re.search(r"^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", text.split("\r\n\r\n")[0], re.M | re.I)
        out.append((frame, "%s:%d" % (src, sp), "%s:%d" % (dst, dp), first, m.group(1) if m else ""))
    return out


def run(args, **kw):
    return subprocess.run([SIPLINT, "-q", "--no-config"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **kw)


def jsonl_findings(paths):
    p = run(["--format", "jsonl"] + paths)
    rows = [json.loads(l) for l in p.stdout.decode().splitlines()]
    return [r for r in rows if r["type"] == "finding"], p.returncode


def report_data(tree):
    node = next(n for n in tree.root.find_all("script") if n.attrs.get("id") == "sl-data")
    return json.loads(node.all_text())


def check_capture(cap, tmp):
    name = os.path.basename(cap)
    out = os.path.join(tmp, name + ".html")
    p = run(["--format", "html:" + out, cap])
    findings, jrc = jsonl_findings([cap])
    if p.returncode != jrc:
        fail("%s: exit status %d with html, %d with jsonl" % (name, p.returncode, jrc))
    text, tree = parse(out)
    if tree.errors:
        fail("%s: not well-formed: %s" % (name, "; ".join(tree.errors[:5])))
    else:
        ok("%s: well-formed HTML" % name)
    self_contained(text, tree, name)
    verdict = next(tree.root.find_all("span", "verdict"))
    if verdict.attrs.get("data-exit") != str(jrc):
        fail("%s: verdict says exit %s, siplint exits %d" % (name, verdict.attrs.get("data-exit"), jrc))
    data = report_data(tree)
    rules = [r["id"] for r in data["rules"]]
    got = sorted((f[1], rules[f[2]], f[3], f[5]) for f in data["findings"])
    want = sorted((f["frame"], f["rule"], SEV[f["severity"]], f["call_id"]) for f in findings)
    if got != want:
        fail("%s: findings in the report differ from jsonl:\n  report %s\n  jsonl  %s" % (name, got, want))
    else:
        ok("%s: all %d findings in the table data" % (name, len(want)))
    for f in findings:
        if not any(n.attrs.get("id") == "rule-" + f["rule"] for n in tree.root.find_all("section", "rule")):
            fail("%s: no embedded rule page for %s" % (name, f["rule"]))
            break
    # ladders
    ladders = {n.attrs["data-cid"]: n for n in tree.root.find_all("section", "ladder")}
    msgs = pcap_sip(os.path.join(SRC, cap))
    bad = 0
    for cid in sorted({f["call_id"] for f in findings if f["call_id"]}):
        lad = ladders.get(cid)
        if lad is None:
            fail("%s: no ladder for Call-ID %s" % (name, cid))
            bad += 1
            continue
        lanes = [next(l.find_all("text", "addr")).all_text() for l in lad.find_all("g", "lane")]
        lane_x = {}
        for l in lad.find_all("g", "lane"):
            line = next(l.find_all("line", "life"))
            lane_x[next(l.find_all("text", "addr")).all_text()] = float(line.attrs["x1"])
        arrows = []
        for g in lad.find_all("g", "m"):
            a = next(iter(list(g.find_all("line", "arr")) + list(g.find_all("path", "arr"))))
            title = next(g.find_all("title")).all_text().replace(" (retransmission)", "")
            if a.tag == "line":
                x1, x2 = float(a.attrs["x1"]), float(a.attrs["x2"])
            else:
                x1 = x2 = float(re.match(r"M([\d.]+)", a.attrs["d"]).group(1))
            arrows.append((int(g.attrs["data-frame"]), x1, x2, title, g))
        expect = [m for m in msgs if m[4] == cid]
        if [a[0] for a in arrows] != [m[0] for m in expect]:
            fail("%s: Call-ID %s: arrows for frames %s, the capture has %s" % (
                name, cid, [a[0] for a in arrows], [m[0] for m in expect]))
            bad += 1
            continue
        for a, m in zip(arrows, expect):
            # the arrow leaves the sender's lane and points at the receiver's (the head stops 2px short)
            if abs(a[1] - lane_x.get(m[1], -1)) > 0.5 or abs(a[2] - lane_x.get(m[2], -1)) > 3:
                fail("%s: frame %d: arrow %s->%s, expected lanes %s->%s (lanes %s)" % (
                    name, m[0], a[1], a[2], m[1], m[2], lanes))
                bad += 1
            if a[3] != m[3]:
                fail("%s: frame %d: labelled %r, start line %r" % (name, m[0], a[3], m[3]))
                bad += 1
        by_frame = {a[0]: a[4] for a in arrows}
        for f in (f for f in findings if f["call_id"] == cid):
            g = by_frame.get(f["frame"])
            if g is None or int(g.attrs.get("data-sev", "0")) < SEV[f["severity"]] or "off" not in g.attrs["class"]:
                fail("%s: frame %d (%s) not highlighted" % (name, f["frame"], f["rule"]))
                bad += 1
                continue
            colour = {1: "a-note", 2: "a-warning", 3: "a-error"}[int(g.attrs["data-sev"])]
            arr = list(g.find_all(None, "arr"))
            if not arr or colour not in arr[0].attrs["class"]:
                fail("%s: frame %d: arrow not in the finding's colour (%s)" % (name, f["frame"], colour))
                bad += 1
            for rel in f["related"]:
                br = [b for b in lad.find_all("path", "bracket") if b.attrs.get("data-rule") == f["rule"] and
                      b.attrs.get("data-from") == str(f["frame"]) and b.attrs.get("data-to") == str(rel)]
                if not br:
                    fail("%s: %s at frame %d: no bracket to related frame %d" % (name, f["rule"], f["frame"], rel))
                    bad += 1
            # the viewer's text marks the offending line
            ms = json.loads(next(lad.find_all("script", "msgs")).all_text())
            m = next(x for x in ms if x["f"] == f["frame"])
            marked = "".join(s[0] for s in m["seg"] if s[1] and f["rule"] in s[2])
            if f["line"] and f["line"] not in marked:
                fail("%s: frame %d: the viewer does not mark %r (marked %r)" % (name, f["frame"], f["line"], marked))
                bad += 1
    if not bad:
        ok("%s: %d ladders: arrows match the capture's messages, offending frames highlighted, related frames "
           "bracketed, offending lines marked" % (name, len(ladders)))


def write_pcap(path, packets):
    """packets: (time, src ip, sport, dst ip, dport, payload bytes); Ethernet, IPv4, UDP."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, s, sp, d, dp, pl in packets:
            udp = struct.pack(">HHHH", sp, dp, 8 + len(pl), 0) + pl
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             bytes(int(x) for x in s.split(".")), bytes(int(x) for x in d.split(".")))
            frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)))
            f.write(frame)


def message(cid, cseq=1, ua="", extra=""):
    body = "hello"
    return ("MESSAGE sip:bob@example.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.%s\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
            "Call-ID: %s\r\nCSeq: %d MESSAGE\r\n%s%sContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (
                abs(hash(cid)) % 10**8, cid, cseq, ua, extra, len(body), body)).encode("utf-8", "surrogateescape")


def check_hostile(tmp):
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&amp;"
    ua = "User-Agent: <svg onload=alert(3)> </style><a href=\"http://evil.example/\">x</a>\r\n"
    pl = message(evil, ua=ua).replace(b"hello", b"hello")
    pl = pl[:-5] + b"\xff\xfe\x00bad" if False else pl
    cap = os.path.join(tmp, "hostile.pcap")
    write_pcap(cap, [(1700000000.0, "192.0.2.10", 5060, "192.0.2.20", 5060, pl),
                     (1700000000.5, "192.0.2.10", 5060, "192.0.2.20", 5060, pl),  # a retransmission
                     (1700000001.0, "192.0.2.10", 5060, "192.0.2.20", 5060,
                      message("bytes\x01\x1b[2J", extra="X-Bin: \udcff\udcfe\r\n"))])
    out = os.path.join(tmp, "hostile.html")
    run(["--format", "html:" + out, cap])
    text, tree = parse(out)
    problems = list(tree.errors)
    if len([n for n in tree.root.find_all("script")]) != 2 + len(list(tree.root.find_all("script", "msgs"))):
        problems.append("a capture-made <script> element")
    for n in tree.root.iter():
        if n.tag in ("img", "a") and n.attrs.get("href", "#").startswith("http") or n.tag == "img":
            problems.append("a capture-made <%s>" % n.tag)
        if any(a.startswith("on") for a in n.attrs):
            problems.append("an event handler attribute on <%s>" % n.tag)
    if "\x1b" in text or "\x01" in text:
        problems.append("control characters copied into the page")
    data = report_data(tree)
    if evil not in [f[5] for f in data["findings"]]:
        problems.append("the hostile Call-ID did not survive as data")
    lad = [n for n in tree.root.find_all("section", "ladder") if n.attrs.get("data-cid") == evil]
    if not lad:
        problems.append("no ladder for the hostile Call-ID")
    else:
        rts = [g for g in lad[0].find_all("g", "m") if "rt" in g.attrs["class"].split()]
        if [g.attrs["data-frame"] for g in rts] != ["2"]:
            problems.append("the retransmission (frame 2) is not marked")
        ua_text = "".join(t.all_text() for t in lad[0].find_all("text", "ua"))
        if "<svg onload" not in ua_text:
            problems.append("the User-Agent is not shown as text on its lane: %r" % ua_text)
    if problems:
        fail("hostile capture: " + "; ".join(problems))
    else:
        ok("hostile capture: Call-ID with </script>, markup in User-Agent, control bytes and invalid UTF-8 stay "
           "text; retransmission marked")


def check_scale(tmp):
    n = 300
    pk = []
    for i in range(n):
        t = 1700000000.0 + i * 0.01
        pk.append((t, "192.0.2.10", 5060, "192.0.2.20", 5060, message("scale-%d@192.0.2.10" % i)))
    cap = os.path.join(tmp, "scale.pcap")
    write_pcap(cap, pk)
    out = os.path.join(tmp, "scale.html")
    run(["--format", "html:" + out, cap])
    text, tree = parse(out)
    data = report_data(tree)
    ladders = list(tree.root.find_all("section", "ladder"))
    per_rule = data["perRule"]
    if tree.errors or len(data["findings"]) != n or len(ladders) != per_rule:
        fail("scale: %d findings (want %d), %d ladders (want %d), errors %s" % (
            len(data["findings"]), n, len(ladders), per_rule, tree.errors[:3]))
    else:
        ok("scale: %d Call-IDs with a finding: %d ladders (the first %d per rule), every finding in the table"
           % (n, len(ladders), per_rule))
    if [l.attrs["data-cid"] for l in ladders] != ["scale-%d@192.0.2.10" % i for i in range(per_rule)]:
        fail("scale: the ladders are not the first Call-IDs of the capture")


def guarded(what, fn, *args):
    try:
        fn(*args)
    except Exception as e:  # a report that cannot even be read is a failure, not a crash
        fail("%s: %s: %s" % (what, type(e).__name__, e))


def check_several(tmp):
    # several inputs in one report, in parallel: the same findings as one by one
    out = os.path.join(tmp, "all.html")
    p = run(["-j", "2", "--format", "html:" + out] + CAPTURES)
    _, tree = parse(out)
    data = report_data(tree)
    findings, _ = jsonl_findings(CAPTURES)
    if len(data["findings"]) != len(findings) or data["files"] != CAPTURES or tree.errors:
        fail("several inputs with -j 2: %d findings (want %d), files %s" % (len(data["findings"]), len(findings),
                                                                          data["files"]))
    else:
        ok("several inputs with -j 2: one report, every input and finding")


with tempfile.TemporaryDirectory() as tmp:
    for c in CAPTURES:
        guarded(c, check_capture, c, tmp)
    guarded("hostile capture", check_hostile, tmp)
    guarded("scale", check_scale, tmp)
    guarded("several inputs", check_several, tmp)

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
