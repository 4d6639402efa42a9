/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture decoding steps (internal to lint/capture): link layer -> IP packet -> UDP datagram. */
#ifndef SIPLINT_CAPTURE_DECODE_H
#define SIPLINT_CAPTURE_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* Each step takes a pointer and the number of bytes that are really there (captured), checks
 * every header it reads against that count, and hands out pointers into the same buffer. No
 * step allocates, copies or keeps state, so IP fragment and TCP segment reassembly can be put
 * between the steps later: the IP step already reports fragments with their offset and id. */

/* The link layers we decode. capture.c maps libpcap's DLT values onto these, so that this file
 * needs no libpcap header and the platform differences of DLT numbers stay in one place. */
typedef enum sl_link {
    SL_LINK_UNSUPPORTED = 0,
    SL_LINK_ETHERNET, /* DLT_EN10MB, with any number of 802.1Q / 802.1ad tags, and PPPoE */
    SL_LINK_SLL,      /* Linux cooked capture v1: 16-byte header */
    SL_LINK_SLL2,     /* Linux cooked capture v2: 20-byte header */
    SL_LINK_RAW,      /* raw IP, version taken from the first nibble */
    SL_LINK_IPV4,     /* raw IPv4 only (LINKTYPE_IPV4) */
    SL_LINK_IPV6,     /* raw IPv6 only (LINKTYPE_IPV6) */
    SL_LINK_NULL      /* BSD loopback: 4-byte address family, either byte order */
} sl_link;

/* Outcome of one step. */
typedef enum sl_dec_rc {
    SL_DEC_OK = 0,
    SL_DEC_SKIP,      /* well-formed but not for us: ARP, TCP, ICMP, 802.3 LLC, ... */
    SL_DEC_FRAGMENT,  /* an IP fragment (not an atomic one): needs reassembly */
    SL_DEC_SHORT,     /* the captured bytes end inside a header we need */
    SL_DEC_MALFORMED  /* a header contradicts itself or the bytes around it */
} sl_dec_rc;

/* Link step: find the IP packet in a frame of caplen captured bytes. On SL_DEC_OK, *ip points
 * into frame and *ip_len is the number of captured bytes from there to the end of the frame
 * (link-layer trailers such as Ethernet padding included; the IP step uses the IP length). */
sl_dec_rc sl_dec_link(sl_link link, const uint8_t *frame, size_t caplen, const uint8_t **ip,
                      size_t *ip_len);

/* One IP packet, as the IP step found it. Pointers point into the caller's buffer. */
typedef struct sl_ip_pkt {
    uint8_t af;              /* 4 or 6 */
    const uint8_t *src;      /* 4 or 16 bytes */
    const uint8_t *dst;
    uint8_t proto;           /* upper-layer protocol, after any IPv6 extension headers */
    const uint8_t *payload;  /* upper-layer bytes (after extension headers) */
    size_t payload_len;      /* upper-layer length as the IP header states it */
    size_t payload_avail;    /* of which captured: <= payload_len */
    /* Fragment facts, filled in on SL_DEC_FRAGMENT (and zero otherwise), for reassembly. */
    uint32_t frag_id;        /* IPv4 identification or IPv6 fragment header identification */
    uint32_t frag_offset;    /* in bytes */
    int frag_more;           /* MF / M flag */
} sl_ip_pkt;

/* IP step: decode the IPv4 or IPv6 packet at p, of which len bytes were captured.
 * SL_DEC_OK: *out describes a whole (unfragmented) packet; payload_avail < payload_len means the
 *   capture cut it (the caller knows whether the frame was cut by the snap length or whether
 *   the IP length lies; it alone can tell truncated from malformed).
 * SL_DEC_FRAGMENT: *out describes the fragment; proto is the fragmented packet's protocol. */
sl_dec_rc sl_dec_ip(const uint8_t *p, size_t len, sl_ip_pkt *out);

/* IPv6 only: walk the extension headers at the start of ip->payload (ip->proto is the first
 * one's type) up to the upper layer, adjusting proto, payload, payload_len and payload_avail.
 * For a reassembled datagram, whose fragmentable part may begin with Destination Options or
 * other headers (RFC 8200 §4.5). A Fragment header there is SL_DEC_MALFORMED. */
sl_dec_rc sl_dec_ip6_ext(sl_ip_pkt *ip);

/* One UDP datagram. */
typedef struct sl_udp_dgram {
    uint16_t sport, dport;
    const uint8_t *payload;
    size_t len;       /* payload bytes captured */
    size_t wire_len;  /* payload length as the UDP length field states it; len < wire_len means
                       * the capture cut the datagram */
} sl_udp_dgram;

/* UDP step: decode the UDP header of an IP packet whose proto is 17. The UDP length field
 * decides where the payload ends (RFC 768); it must fit in the IP payload. */
sl_dec_rc sl_dec_udp(const sl_ip_pkt *ip, sl_udp_dgram *out);

#endif
