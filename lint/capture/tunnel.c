/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tunnel headers: GRE with ERSPAN II/III, GTP-U G-PDUs, VXLAN; bounds-checked, no copies. */
#include "tunnel.h"

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

enum {
    GRE_C = 0x8000, /* checksum present (RFC 2784) */
    GRE_R = 0x4000, /* routing present (RFC 1701 only) */
    GRE_K = 0x2000, /* key present (RFC 2890) */
    GRE_S = 0x1000, /* sequence number present (RFC 2890) */
    GRE_VER = 0x0007
};

sl_dec_rc sl_dec_gre(const uint8_t *p, size_t avail, sl_inner *kind, const uint8_t **inner,
                     size_t *inner_len)
{
    if (avail < 4)
        return SL_DEC_SHORT;
    uint16_t fl = be16(p), type = be16(p + 2);
    if ((fl & GRE_VER) != 0 || (fl & GRE_R) != 0)
        return SL_DEC_SKIP; /* enhanced GRE (PPTP) or RFC 1701 source routing */
    size_t off = 4 + ((fl & GRE_C) ? 4 : 0) + ((fl & GRE_K) ? 4 : 0) + ((fl & GRE_S) ? 4 : 0);
    if (avail < off)
        return SL_DEC_SHORT;
    switch (type) {
    case 0x0800:
    case 0x86DD:
        *kind = SL_INNER_IP;
        break;
    case 0x6558: /* transparent Ethernet bridging (Ethernet over GRE, NVGRE) */
        *kind = SL_INNER_ETHERNET;
        break;
    case 0x88BE:
        /* ERSPAN: type I has no sequence number and no ERSPAN header; type II has both
         * (ERSPAN draft-foschiano-erspan §4.1): Ver(4)=1 VLAN(12) COS(3) En(2) T(1)
         * Session(10) Reserved(12) Index(20). */
        *kind = SL_INNER_ETHERNET;
        if (fl & GRE_S) {
            if (avail - off < 8)
                return SL_DEC_SHORT;
            if (p[off] >> 4 != 1)
                return SL_DEC_MALFORMED;
            off += 8;
        }
        break;
    case 0x22EB: {
        /* ERSPAN type III (§4.2): Ver(4)=2 VLAN(12) COS(3) BSO(2) T(1) Session(10)
         * Timestamp(32) SGT(16) P(1) FT(5) HwID(6) D(1) Gra(2) O(1); with O, an 8-byte
         * platform-specific subheader follows. FT 0 = Ethernet, 2 = IP. */
        if (avail - off < 12)
            return SL_DEC_SHORT;
        const uint8_t *h = p + off;
        if (h[0] >> 4 != 2)
            return SL_DEC_MALFORMED;
        unsigned ft = (h[10] >> 2) & 0x1F;
        int o = h[11] & 1;
        off += 12 + (o ? 8 : 0);
        if (avail < off)
            return SL_DEC_SHORT;
        if (ft == 0)
            *kind = SL_INNER_ETHERNET;
        else if (ft == 2)
            *kind = SL_INNER_IP;
        else
            return SL_DEC_SKIP;
        break;
    }
    default:
        return SL_DEC_SKIP; /* MPLS, PPP, WCCP, keepalives (type 0), ... */
    }
    *inner = p + off;
    *inner_len = avail - off;
    return SL_DEC_OK;
}

sl_dec_rc sl_dec_gtpu(const uint8_t *p, size_t avail, const uint8_t **inner, size_t *inner_len)
{
    if (avail < 8)
        return SL_DEC_MALFORMED;
    /* Flags: version(3) = 1, PT(1) = 1 (GTP, not GTP'), spare(1), E, S, PN. */
    if ((p[0] & 0xF0) != 0x30)
        return SL_DEC_MALFORMED;
    size_t len = be16(p + 2); /* octets after the mandatory 8-byte header */
    size_t end = 8 + len;
    size_t lim = end < avail ? end : avail; /* the capture may have cut the packet */
    size_t off = 8;
    if (p[0] & 0x07) {
        /* Sequence number(2), N-PDU number(1), next extension header type(1): present when
         * any of E, S, PN is set (§5.1). */
        if (len < 4)
            return SL_DEC_MALFORMED;
        if (lim < 12)
            return SL_DEC_SHORT;
        uint8_t next = (p[0] & 0x04) ? p[11] : 0;
        off = 12;
        /* Extension headers (§5.2): length in 4-octet units (>= 1), content, next type as the
         * last octet. Each one takes at least 4 bytes, so the walk ends with the bytes. */
        while (next != 0) {
            if (off >= end)
                return SL_DEC_MALFORMED;
            if (off >= lim)
                return SL_DEC_SHORT;
            size_t el = (size_t)p[off] * 4;
            if (el == 0 || el > end - off)
                return SL_DEC_MALFORMED;
            if (el > lim - off)
                return SL_DEC_SHORT;
            next = p[off + el - 1];
            off += el;
        }
    }
    if (p[1] != 0xFF)
        return SL_DEC_SKIP; /* echo request/response, error indication, end marker, ... */
    if (off >= lim)
        return off >= end ? SL_DEC_SKIP : SL_DEC_SHORT;
    unsigned v = p[off] >> 4;
    if (v != 4 && v != 6)
        return SL_DEC_SKIP; /* a T-PDU that is not IP (PPP, Ethernet PDU sessions) */
    *inner = p + off;
    *inner_len = lim - off;
    return SL_DEC_OK;
}

sl_dec_rc sl_dec_vxlan(const uint8_t *p, size_t avail, const uint8_t **inner, size_t *inner_len)
{
    if (avail < 8 || (p[0] & 0x77) != 0 || (p[0] & 0x08) == 0)
        return SL_DEC_MALFORMED;
    *inner = p + 8;
    *inner_len = avail - 8;
    return SL_DEC_OK;
}
