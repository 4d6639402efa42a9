/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnel headers (internal to lint/capture): GRE (with ERSPAN II/III), GTP-U, VXLAN. */
#ifndef SIPLINT_CAPTURE_TUNNEL_H
#define SIPLINT_CAPTURE_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* Like the steps in decode.h: bounds-checked, stateless, no copies. Each finds the inner packet
 * of a tunnel and says what it is. IP-in-IP (protocols 4 and 41) needs no step of its own: the
 * inner packet is the outer one's payload. */

typedef enum sl_inner {
    SL_INNER_IP = 0,       /* an IPv4 or IPv6 packet */
    SL_INNER_ETHERNET = 1  /* an Ethernet frame (TEB, ERSPAN, VXLAN) */
} sl_inner;

/* GRE (RFC 2784, key and sequence number RFC 2890) over IP protocol 47, payload of avail
 * captured bytes. Inner: IPv4, IPv6 (protocol types 0x0800, 0x86DD), Ethernet (0x6558,
 * transparent Ethernet bridging), ERSPAN type I and II (0x88BE: type I has no sequence number
 * and no header of its own) and type III (0x22EB, with its optional platform subheader;
 * Ethernet or IP frames). Anything else (PPTP's enhanced GRE, version 1; RFC 1701 routing;
 * other protocols) is SL_DEC_SKIP. */
sl_dec_rc sl_dec_gre(const uint8_t *p, size_t avail, sl_inner *kind, const uint8_t **inner,
                     size_t *inner_len);

/* GTP-U (3GPP TS 29.281 §5) in a UDP payload: version 1, protocol type GTP, message type 255
 * (G-PDU), with the optional sequence / N-PDU / extension header fields and any chain of
 * extension headers; the T-PDU must be an IP packet. Returns SL_DEC_OK with the inner IP
 * packet; SL_DEC_SKIP for GTP-U signalling (echo, error indication, end marker); SL_DEC_MALFORMED
 * when the bytes are not GTPv1-U at all (the caller then treats them as an ordinary payload:
 * SIP found on port 2152 by content stays SIP). */
sl_dec_rc sl_dec_gtpu(const uint8_t *p, size_t avail, const uint8_t **inner, size_t *inner_len);

/* VXLAN (RFC 7348 §5) in a UDP payload: 8-byte header with the I flag, then an Ethernet frame.
 * The flags byte must be 0x08 (or 0x88, Group Based Policy), which no SIP start line can begin
 * with; otherwise SL_DEC_MALFORMED (not VXLAN: the caller treats the payload as ordinary). */
sl_dec_rc sl_dec_vxlan(const uint8_t *p, size_t avail, const uint8_t **inner, size_t *inner_len);

#endif
