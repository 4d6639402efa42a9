#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the committed multi-message seeds of the fuzz harnesses (tests/fuzz/seeds/).

The single-message and capture seeds come straight from tests/torture, captures/ and
tests/unit/data; only the harnesses that take sequences (frame: a TCP stream; engine: records
separated by FF FE, see fuzz_engine.c) need seeds made from the demo messages.
Usage: tests/fuzz/make_seeds.py  (from anywhere; rewrites tests/fuzz/seeds/{frame,engine})
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO = os.path.join(ROOT, "captures", "crafted", "demo")


def message(name):
    """A demo message as mkpcap sends it: CRLF line ends, @CL@ replaced by the body length."""
    with open(os.path.join(DEMO, name), "rb") as f:
        raw = f.read()
    raw = re.sub(rb"(?<!\r)\n", b"\r\n", raw)
    head, sep, body = raw.partition(b"\r\n\r\n")
    head = head.replace(b"@CL@", str(len(body)).encode())
    return head + sep + body


def write(sub, name, data):
    d = os.path.join(HERE, "seeds", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    names = sorted(n for n in os.listdir(DEMO) if n.endswith(".sip"))
    msgs = [message(n) for n in names]
    # frame: the demo as one TCP stream, with CRLF keep-alives between some messages
    write("frame", "demo-stream", b"\r\n\r\n".join(msgs[:4]) + b"".join(msgs[4:]))
    # engine: control byte (see fuzz_engine.c) + message, records separated by FF FE.
    # 0x04 = UDP, A->B, 1 s later; 0x0c = B->A; 0x01 = TCP.
    sep = b"\xff\xfe"
    write("engine", "demo-udp",
          sep.join(bytes([0x04 if i % 2 == 0 else 0x0c]) + m for i, m in enumerate(msgs)))
    write("engine", "demo-tcp",
          sep.join(bytes([0x01 if i % 2 == 0 else 0x09]) + m for i, m in enumerate(msgs)))
    # a MESSAGE retransmitted after T1, 2*T1 (0x02 ~ 0.5 s), then answered; then a late copy
    # of the 200 going back in time (0x4a: B->A, time runs back)
    write("engine", "retransmit",
          sep.join([b"\x02" + msgs[0], b"\x02" + msgs[0], b"\x04" + msgs[0], b"\x0a" + msgs[1],
                    b"\x4a" + msgs[1]]))


if __name__ == "__main__":
    main()
