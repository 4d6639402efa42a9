/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture decoding steps: link layers, IPv4/IPv6 (with extension headers), UDP; bounds-checked. */
#include "decode.h"

/* Ethertypes (IEEE registry). */
enum {
    ET_IPV4 = 0x0800,
    ET_IPV6 = 0x86DD,
    ET_VLAN = 0x8100,      /* IEEE 802.1Q customer tag */
    ET_QINQ = 0x88A8,      /* IEEE 802.1ad service tag */
    ET_QINQ_OLD = 0x9100,  /* pre-standard double tagging, still seen in captures */
    ET_PPPOE_SESSION = 0x8864
};

/* ARPHRD_NETLINK: SLL frames of the Linux "nflog"/"nlmon" kind, whose protocol field is a
 * netlink family rather than an ethertype. */
#define SL_ARPHRD_NETLINK 824

/* BSD address families in DLT_NULL / DLT_LOOP headers. AF_INET is 2 everywhere; AF_INET6
 * differs by system: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly), 30 (Darwin). The
 * header is in the writer's byte order for DLT_NULL and big-endian for DLT_LOOP. */
#define SL_BSD_AF_INET 2u

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Follow an ethertype at frame[off], through any number of VLAN tags (each 4 bytes: TCI, then
 * the next ethertype). Every tag consumes 4 bytes, so the loop ends with the buffer. */
static sl_dec_rc dec_ethertype(uint16_t type, const uint8_t *frame, size_t off, size_t caplen,
                               const uint8_t **ip, size_t *ip_len)
{
    while (type == ET_VLAN || type == ET_QINQ || type == ET_QINQ_OLD) {
        if (caplen - off < 4)
            return SL_DEC_SHORT;
        type = be16(frame + off + 2);
        off += 4;
    }
    if (type == ET_PPPOE_SESSION) {
        /* PPPoE session stage (RFC 2516 §4): ver/type 0x11, code 0, session id, length; then
         * the PPP protocol field (RFC 1661 §2): 0x0021 IPv4, 0x0057 IPv6. */
        if (caplen - off < 8)
            return SL_DEC_SHORT;
        if (frame[off] != 0x11 || frame[off + 1] != 0)
            return SL_DEC_MALFORMED;
        uint16_t ppp = be16(frame + off + 6);
        off += 8;
        if (ppp == 0x0021)
            type = ET_IPV4;
        else if (ppp == 0x0057)
            type = ET_IPV6;
        else
            return SL_DEC_SKIP; /* LCP, IPCP, ... */
    }
    if (type != ET_IPV4 && type != ET_IPV6)
        return SL_DEC_SKIP; /* ARP, LLDP, PPPoE, MPLS, 802.3 length field (< 0x0600), ... */
    *ip = frame + off;
    *ip_len = caplen - off;
    return SL_DEC_OK;
}

static int bsd_af_is_inet6(uint32_t af)
{
    return af == 24 || af == 28 || af == 30;
}

sl_dec_rc sl_dec_link(sl_link link, const uint8_t *frame, size_t caplen, const uint8_t **ip,
                      size_t *ip_len)
{
    switch (link) {
    case SL_LINK_ETHERNET:
        /* dst(6) src(6) type(2) */
        if (caplen < 14)
            return SL_DEC_SHORT;
        return dec_ethertype(be16(frame + 12), frame, 14, caplen, ip, ip_len);
    case SL_LINK_SLL:
        /* packet type(2) ARPHRD(2) address length(2) address(8) protocol(2) */
        if (caplen < 16)
            return SL_DEC_SHORT;
        if (be16(frame + 2) == SL_ARPHRD_NETLINK)
            return SL_DEC_SKIP;
        return dec_ethertype(be16(frame + 14), frame, 16, caplen, ip, ip_len);
    case SL_LINK_SLL2:
        /* protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1)
         * address(8) */
        if (caplen < 20)
            return SL_DEC_SHORT;
        if (be16(frame + 8) == SL_ARPHRD_NETLINK)
            return SL_DEC_SKIP;
        return dec_ethertype(be16(frame), frame, 20, caplen, ip, ip_len);
    case SL_LINK_RAW:
    case SL_LINK_IPV4:
    case SL_LINK_IPV6:
        if (caplen < 1)
            return SL_DEC_SHORT;
        if ((link == SL_LINK_IPV4 && frame[0] >> 4 != 4) ||
            (link == SL_LINK_IPV6 && frame[0] >> 4 != 6))
            return SL_DEC_MALFORMED;
        *ip = frame;
        *ip_len = caplen;
        return SL_DEC_OK;
    case SL_LINK_NULL: {
        if (caplen < 4)
            return SL_DEC_SHORT;
        /* Family values are small, so the byte order that yields a small number is the one
         * the writer used. */
        uint32_t af = be32(frame);
        if (af > 0xFFFF)
            af = le32(frame);
        if (af != SL_BSD_AF_INET && !bsd_af_is_inet6(af))
            return SL_DEC_SKIP;
        *ip = frame + 4;
        *ip_len = caplen - 4;
        return SL_DEC_OK;
    }
    case SL_LINK_UNSUPPORTED:
    default:
        return SL_DEC_SKIP;
    }
}

/* IPv4 (RFC 791). */
static sl_dec_rc dec_ipv4(const uint8_t *p, size_t len, sl_ip_pkt *out)
{
    if (len < 20)
        return SL_DEC_SHORT;
    size_t hlen = (size_t)(p[0] & 0x0F) * 4;
    if (hlen < 20)
        return SL_DEC_MALFORMED;
    if (hlen > len)
        return SL_DEC_SHORT; /* options cut by the capture */
    size_t total = be16(p + 2);
    /* A total length below the header length is a lie. (Wireshark reads 0 as "TSO: the NIC
     * fills it in"; that is a TCP sender-side artefact and needs no UDP support.) */
    if (total < hlen)
        return SL_DEC_MALFORMED;
    /* The IP total length, not the frame, says where the packet ends: Ethernet pads short
     * frames and some captures keep the FCS. */
    size_t end = total < len ? total : len;

    out->af = 4;
    out->src = p + 12;
    out->dst = p + 16;
    out->proto = p[9];
    out->payload = p + hlen;
    out->payload_len = total - hlen;
    out->payload_avail = end - hlen;
    uint16_t fo = be16(p + 6);
    if ((fo & 0x3FFF) != 0) { /* MF set or a non-zero offset (RFC 791 §3.1) */
        out->frag_id = be16(p + 4);
        out->frag_offset = (uint32_t)(fo & 0x1FFF) * 8;
        out->frag_more = (fo & 0x2000) != 0;
        return SL_DEC_FRAGMENT;
    }
    return SL_DEC_OK;
}

/* IPv6 (RFC 8200), walking the extension headers that sit between the fixed header and the
 * upper layer. */
static sl_dec_rc dec_ipv6(const uint8_t *p, size_t len, sl_ip_pkt *out)
{
    if (len < 40)
        return SL_DEC_SHORT;
    size_t claimed = 40 + (size_t)be16(p + 4); /* a Jumbo Payload (RFC 2675) is not decoded */
    size_t avail = claimed < len ? claimed : len;
    uint8_t nh = p[6];
    size_t off = 40;

    out->af = 6;
    out->src = p + 8;
    out->dst = p + 24;
    for (;;) {
        size_t hl;
        /* Every extension header starts with next header and a length byte (RFC 8200 §4,
         * RFC 6564 for the uniform format of later ones). */
        if (nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 || nh == 139 ||
            nh == 140) {
            if (claimed - off < 2)
                return SL_DEC_MALFORMED;
            if (avail - off < 2)
                return SL_DEC_SHORT;
        } else {
            break; /* upper layer (or ESP, No Next Header: the caller skips those) */
        }
        if (nh == 44)
            hl = 8;                                  /* Fragment (RFC 8200 §4.5): fixed */
        else if (nh == 51)
            hl = ((size_t)p[off + 1] + 2) * 4;       /* AH (RFC 4302 §2.2): 32-bit words */
        else
            hl = ((size_t)p[off + 1] + 1) * 8;       /* 8-octet units, first 8 not counted */
        if (claimed - off < hl)
            return SL_DEC_MALFORMED;
        if (avail - off < hl)
            return SL_DEC_SHORT;
        if (nh == 44) {
            uint16_t fo = be16(p + off + 2);
            uint32_t foff = fo & 0xFFF8u;
            int more = fo & 1;
            /* An atomic fragment (offset 0, M clear) is a whole packet: RFC 6946 §4 says to
             * process it as such. Any other fragment waits for reassembly. */
            if (foff != 0 || more) {
                out->proto = p[off];
                out->payload = p + off + hl;
                out->payload_len = claimed - off - hl;
                out->payload_avail = avail - off - hl;
                out->frag_id = be32(p + off + 4);
                out->frag_offset = foff;
                out->frag_more = more;
                return SL_DEC_FRAGMENT;
            }
        }
        nh = p[off];
        off += hl;
    }
    out->proto = nh;
    out->payload = p + off;
    out->payload_len = claimed - off;
    out->payload_avail = avail - off;
    return SL_DEC_OK;
}

sl_dec_rc sl_dec_ip(const uint8_t *p, size_t len, sl_ip_pkt *out)
{
    *out = (sl_ip_pkt){0};
    if (len < 1)
        return SL_DEC_SHORT;
    switch (p[0] >> 4) {
    case 4:
        return dec_ipv4(p, len, out);
    case 6:
        return dec_ipv6(p, len, out);
    default:
        return SL_DEC_MALFORMED;
    }
}

sl_dec_rc sl_dec_udp(const sl_ip_pkt *ip, sl_udp_dgram *out)
{
    *out = (sl_udp_dgram){0};
    if (ip->payload_len < 8)
        return SL_DEC_MALFORMED;
    if (ip->payload_avail < 8)
        return SL_DEC_SHORT;
    const uint8_t *u = ip->payload;
    size_t ulen = be16(u + 4);
    /* RFC 768: the length counts the 8-byte header. 0 is only legal for an IPv6 jumbogram
     * (RFC 2675 §4), which we do not decode. Anything past the IP payload is a lie; bytes in
     * the IP payload past the UDP length are not part of the datagram. */
    if (ulen < 8 || ulen > ip->payload_len)
        return SL_DEC_MALFORMED;
    out->sport = be16(u);
    out->dport = be16(u + 2);
    out->payload = u + 8;
    out->wire_len = ulen - 8;
    out->len = ip->payload_avail - 8 < out->wire_len ? ip->payload_avail - 8 : out->wire_len;
    return SL_DEC_OK;
}

sl_dec_rc sl_dec_ip6_ext(sl_ip_pkt *ip)
{
    const uint8_t *p = ip->payload;
    size_t off = 0, claimed = ip->payload_len, avail = ip->payload_avail;
    uint8_t nh = ip->proto;
    while (nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 135 || nh == 139 || nh == 140) {
        if (claimed - off < 2)
            return SL_DEC_MALFORMED;
        if (avail - off < 2)
            return SL_DEC_SHORT;
        size_t hl = nh == 51 ? ((size_t)p[off + 1] + 2) * 4 : ((size_t)p[off + 1] + 1) * 8;
        if (claimed - off < hl)
            return SL_DEC_MALFORMED;
        if (avail - off < hl)
            return SL_DEC_SHORT;
        nh = p[off];
        off += hl;
    }
    if (nh == 44)
        return SL_DEC_MALFORMED; /* a fragment header inside a reassembled datagram */
    ip->proto = nh;
    ip->payload = p + off;
    ip->payload_len = claimed - off;
    ip->payload_avail = avail - off;
    return SL_DEC_OK;
}
