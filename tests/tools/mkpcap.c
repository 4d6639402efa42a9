/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkpcap: write a pcap file from a readable layout (one line per packet), for crafted captures. */

/*
 * Usage: mkpcap LAYOUT OUT.pcap
 *
 * The layout is a text file, one directive or packet per line; `#` starts a comment (at the
 * start of a line or after white space). File names are relative to the layout's directory.
 *
 *   linktype ethernet|sll|sll2|raw|ipv4|ipv6|null|loop|NUMBER
 *                      one per file, before the first packet; default ethernet.
 *                      raw = LINKTYPE_RAW (101), ipv4/ipv6 = LINKTYPE_IPV4/IPV6 (228/229),
 *                      null = BSD loopback in little-endian order, loop = DLT_LOOP (big-endian).
 *                      A NUMBER allows raw-bytes packets only.
 *   snaplen N          the file's snap length (default 65535); longer records are cut to it
 *   precision usec|nsec  time stamp resolution of the file (default usec)
 *   epoch SECONDS      capture time of @0 (default 1700000000 = Tue, 14 Nov 2023 22:13:20 GMT)
 *
 *   [vlan ID | svlan ID]... udp SRC > DST @TIME FILE [OPTION]...
 *                      SRC and DST are 192.0.2.10:5060 or [2001:db8::1]:5060. vlan adds an
 *                      802.1Q tag, svlan an 802.1ad tag (Ethernet only), outermost first.
 *   raw-bytes @TIME FILE [snap=N]
 *                      the file's bytes are the whole frame, link-layer header included; a
 *                      FILE ending in .hex holds hex digits (white space and # comments ignored).
 *
 *   tcp SRC > DST @TIME FILE[+FILE...] [OPTION]...
 *                      one TCP segment; its payload is the FILEs (each read as a udp line reads
 *                      its file: line ends, @CL@; .hex as bytes; "-" nothing), one after the
 *                      other. Sequence and acknowledgement numbers follow per direction by
 *                      themselves (a direction starts at 1000; SYN and FIN count one).
 *                      Options: seq=N ack=N (override), flags=LETTERS (F S R P A U; default PA,
 *                      or A without payload), seg=OFF[:LEN] (only these payload bytes: one
 *                      message over several segments), lost (numbered but not written: a gap),
 *                      later (written after the next packet: out of order), dup (same sequence
 *                      number as the direction's previous segment: a retransmission),
 *                      ws=text|binary|cont|ping|pong|close (each FILE in one WebSocket frame),
 *                      nofin, mask or mask=HEX8 (client frames), wsslice=OFF[:LEN] (the part of
 *                      each FILE the frame carries), snap=N, lf, if=N.
 *   sctp SRC > DST @TIME FILE[+FILE...] [OPTION]...
 *                      one SCTP packet, one DATA chunk per FILE, consecutive TSNs per direction
 *                      from 1. Options: tsn=N, sid=N, ppid=N, vtag=N, frag=B|M|E (the chunks are
 *                      fragments: seg=OFF[:LEN] picks each chunk's bytes), dup, lost, later,
 *                      snap=N, lf. CRC32c is computed.
 * TIME is seconds after the epoch, with up to 9 decimals (6 with precision usec).
 * Options of a udp line:
 *   snap=N        cut this record to N bytes (the wire length stays the full length)
 *   lf            keep the file's bytes as they are (default: every LF not preceded by CR
 *                 becomes CRLF, so message files can be written with LF line ends)
 *   out           SLL/SLL2 packet type "outgoing" (default: "to us")
 *   ipopts=N      IPv4: add N 32-bit words of NOP options
 *   v6ext=A,B,..  IPv6: extension headers in this order: hbh, rt, dst, frag
 *   mf            set More Fragments (IPv6: in a fragment header, added if v6ext has none)
 *   fragoff=N     fragment offset in bytes (multiple of 8); a non-zero offset means the
 *                 packet carries the FILE bytes with no UDP header
 *   af6=N         null/loop: the AF_INET6 value written (24, 28 or 30; default 30)
 *   id=N          IPv4 identification / IPv6 fragment identification (default: the packet's
 *                 number in the file)
 *   frag=OFF[:LEN]  send only bytes OFF..OFF+LEN of the whole UDP datagram (header, message,
 *                 correct length and checksum) as one IP fragment; LEN omitted: to the end.
 *                 OFF is a multiple of 8; MF is set when bytes follow. Several lines with the
 *                 same id= make one datagram, in any order, with duplicates and overlaps.
 *   corrupt=N     flip the bits of byte N of the fragment's bytes (after frag=): an overlap
 *                 with different data
 *   tunnel=KIND:OSRC>ODST  wrap the packet in a tunnel between the outer addresses OSRC and
 *                 ODST (IPv4 or [IPv6], any mix with the inner version). Repeat for nesting,
 *                 outermost first. KIND: ipip (IP-in-IP, protocol 4 or 41 by the inner
 *                 version), gre, grekey (GRE with key and sequence number), gre-teb
 *                 (Ethernet over GRE), erspan2, erspan3 (ERSPAN type II / III over GRE, III
 *                 with its platform subheader), gtpu (GTP-U G-PDU on UDP 2152 with a PDU
 *                 session container extension header), vxlan (UDP 4789, VNI 100).
 *   if=N          pcapng: the interface (default 0)
 *
 * pcapng output: the directive `format pcapng` (or `format pcapng-be`, big-endian) before
 * anything else writes a pcapng file: a section header, then one Interface Description Block
 * per `interface LINKTYPE [tsresol=N]` directive (N: if_tsresol as a decimal power, 6 or 9),
 * which may come between packets too, and one Enhanced Packet Block per packet. Every packet
 * names its interface with if=N; linktype, snaplen and precision do not apply.
 *
 * Message files: after line-end conversion, every "@CL@" in the header part is replaced by
 * the decimal length of the body, i.e. of everything after the first empty line (CRLF CRLF,
 * or LF LF with `lf`). The body therefore includes the file's final line end. A message
 * without a body must end with an empty line, or it has no end of headers.
 *
 * Checksums: IPv4 header checksum and UDP checksum (IPv4 and IPv6) are computed over the whole
 * packet before any snap cut. The file is written little-endian whatever the host, so that the
 * same layout always gives the same bytes.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAME (65535 + 256)
#define MAX_TAGS 8

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

static const char *g_layout;
static int g_line;
static const char *g_out;
static FILE *g_outfp;

static void die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static void die(const char *fmt, ...)
{
    va_list ap;
    if (g_line > 0)
        fprintf(stderr, "%s:%d: ", g_layout, g_line);
    else if (g_layout != NULL)
        fprintf(stderr, "%s: ", g_layout);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (g_outfp != NULL) {
        fclose(g_outfp);
        remove(g_out); /* no half-written capture left behind */
    }
    exit(1);
}

static void buf_put(buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (np == NULL)
            die("out of memory");
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void buf_u8(buf *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    buf_put(b, &c, 1);
}

static void buf_be16(buf *b, unsigned v)
{
    uint8_t c[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    buf_put(b, c, 2);
}

static void buf_be32(buf *b, uint32_t v)
{
    uint8_t c[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    buf_put(b, c, 4);
}

static void buf_le32(buf *b, uint32_t v)
{
    uint8_t c[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_put(b, c, 4);
}

static void put_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void read_file(const char *path, buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    uint8_t tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(out, tmp, n);
    if (ferror(f))
        die("%s: read error", path);
    fclose(f);
}

/* ---- numbers and addresses ------------------------------------------------------------------ */

static unsigned long parse_ulong(const char *s, unsigned long max, const char *what)
{
    char *end;
    if (!isdigit((unsigned char)s[0]))
        die("%s: expected a number, got '%s'", what, s);
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        die("%s: '%s' is not a number from 0 to %lu", what, s, max);
    return v;
}

/* "@S[.F]": seconds after the epoch, up to 9 decimals, parsed exactly (no floating point). */
static void parse_time(const char *s, uint64_t *sec, uint32_t *nsec)
{
    if (s[0] != '@')
        die("expected @TIME, got '%s'", s);
    s++;
    const char *dot = strchr(s, '.');
    char ipart[32];
    size_t il = dot ? (size_t)(dot - s) : strlen(s);
    if (il == 0 || il >= sizeof ipart)
        die("bad time '@%s'", s);
    memcpy(ipart, s, il);
    ipart[il] = '\0';
    *sec = parse_ulong(ipart, 4000000000UL, "time");
    *nsec = 0;
    if (dot) {
        const char *f = dot + 1;
        size_t fl = strlen(f);
        if (fl == 0 || fl > 9)
            die("bad time '@%s': 1 to 9 decimals", s);
        uint32_t v = 0;
        for (size_t i = 0; i < 9; i++) {
            int d = 0;
            if (i < fl) {
                if (!isdigit((unsigned char)f[i]))
                    die("bad time '@%s'", s);
                d = f[i] - '0';
            }
            v = v * 10 + (uint32_t)d;
        }
        *nsec = v;
    }
}

typedef struct endpoint {
    int af; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
} endpoint;

static void parse_endpoint(const char *s, endpoint *e)
{
    char host[64];
    const char *colon;
    memset(e, 0, sizeof *e);
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof host)
            die("bad endpoint '%s': expected [IPv6]:PORT", s);
        memcpy(host, s + 1, (size_t)(rb - s - 1));
        host[rb - s - 1] = '\0';
        colon = rb + 1;
        e->af = 6;
        if (inet_pton(AF_INET6, host, e->addr) != 1)
            die("bad IPv6 address '%s'", host);
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || (size_t)(colon - s) >= sizeof host)
            die("bad endpoint '%s': expected IPv4:PORT", s);
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        e->af = 4;
        if (inet_pton(AF_INET, host, e->addr) != 1)
            die("bad IPv4 address '%s'", host);
    }
    e->port = (uint16_t)parse_ulong(colon + 1, 65535, "port");
}

/* An address without a port: 192.0.2.1 or [2001:db8::1]. */
static void parse_addr(const char *s, endpoint *e)
{
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%s:0", s);
    parse_endpoint(tmp, e);
}

/* ---- message text ---------------------------------------------------------------------------- */

static void to_crlf(const buf *in, buf *out)
{
    for (size_t i = 0; i < in->len; i++) {
        if (in->p[i] == '\n' && (i == 0 || in->p[i - 1] != '\r'))
            buf_u8(out, '\r');
        buf_u8(out, in->p[i]);
    }
}

static const uint8_t *find(const uint8_t *h, size_t hl, const char *n)
{
    size_t nl = strlen(n);
    for (size_t i = 0; i + nl <= hl; i++)
        if (memcmp(h + i, n, nl) == 0)
            return h + i;
    return NULL;
}

/* Replace @CL@ in the header part by the body length. */
static void fill_content_length(const char *path, const buf *in, buf *out)
{
    const uint8_t *e = find(in->p, in->len, "\r\n\r\n");
    size_t hend = e ? (size_t)(e - in->p) + 4 : 0;
    if (e == NULL && (e = find(in->p, in->len, "\n\n")) != NULL)
        hend = (size_t)(e - in->p) + 2;
    if (e == NULL) {
        if (find(in->p, in->len, "@CL@") != NULL)
            die("%s: @CL@ used but the message has no empty line before a body", path);
        fprintf(stderr, "%s:%d: warning: %s has no empty line after its headers\n", g_layout,
                g_line, path);
        buf_put(out, in->p, in->len);
        return;
    }
    char num[24];
    snprintf(num, sizeof num, "%zu", in->len - hend);
    size_t i = 0;
    while (i < hend) {
        if (i + 4 <= hend && memcmp(in->p + i, "@CL@", 4) == 0) {
            buf_put(out, num, strlen(num));
            i += 4;
        } else {
            buf_u8(out, in->p[i++]);
        }
    }
    buf_put(out, in->p + hend, in->len - hend);
}

static void parse_hex(const char *path, const buf *in, buf *out)
{
    int hi = -1;
    for (size_t i = 0; i < in->len; i++) {
        int c = in->p[i];
        if (c == '#') {
            while (i < in->len && in->p[i] != '\n')
                i++;
            continue;
        }
        if (isspace(c))
            continue;
        if (!isxdigit(c))
            die("%s: byte %zu: '%c' is not a hex digit", path, i, c);
        int v = isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
        if (hi < 0) {
            hi = v;
        } else {
            buf_u8(out, (unsigned)(hi << 4 | v));
            hi = -1;
        }
    }
    if (hi >= 0)
        die("%s: odd number of hex digits", path);
}

/* ---- checksums ------------------------------------------------------------------------------- */

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

/* ---- packets --------------------------------------------------------------------------------- */

enum { LT_ETHERNET = 1, LT_NULL = 0, LT_RAW = 101, LT_LOOP = 108, LT_SLL = 113, LT_IPV4 = 228,
       LT_IPV6 = 229, LT_SLL2 = 276 };

typedef struct layout {
    unsigned linktype;
    int known;            /* linktype is one we can build udp packets for */
    uint32_t snaplen;
    int nsec;
    uint64_t epoch;
    int started;          /* a packet was written: the header directives are frozen */
    unsigned npkt;
    int ng, ng_be;        /* pcapng output; big-endian section */
    unsigned nifs;        /* pcapng interfaces written so far */
    unsigned if_lt[16];
    unsigned if_res[16];  /* if_tsresol: decimal power */
} layout;

typedef struct pkt_opts {
    long snap;            /* -1: none */
    int lf, mf, out;
    unsigned fragoff;
    unsigned ipopts;
    int af6;
    char v6ext[8];        /* 'h', 'r', 'd', 'f' in order */
    long id;              /* -1: the packet number */
    int has_frag;
    unsigned frag_off;
    long frag_len;        /* -1: to the end */
    long corrupt;         /* -1: none */
    unsigned ifidx;
    size_t n_tun;
    struct tun {
        char kind[16];
        endpoint src, dst;
    } tun[MAX_TAGS];
    size_t n_v6ext;
    unsigned tags[MAX_TAGS];
    unsigned tag_types[MAX_TAGS];
    size_t n_tags;
} pkt_opts;

static void mac_for(uint8_t mac[6], const endpoint *e)
{
    /* Locally administered, ending in the address's last byte: readable in a dissection. */
    static const uint8_t base[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x00};
    memcpy(mac, base, 6);
    mac[5] = e->addr[e->af == 4 ? 3 : 15];
}

static void build_ip_udp(buf *ip, const endpoint *src, const endpoint *dst, const buf *msg,
                         const pkt_opts *o, unsigned id)
{
    int frag = o->mf || o->fragoff || o->has_frag;
    unsigned fragoff = o->fragoff;
    int mf = o->mf;
    int with_udp = o->fragoff == 0; /* later fragments carry no UDP header */
    size_t l4len = (with_udp ? 8 : 0) + msg->len;
    buf l4 = {0};

    if (with_udp) {
        buf_be16(&l4, src->port);
        buf_be16(&l4, dst->port);
        if (msg->len + 8 > 65535)
            die("message of %zu bytes does not fit in a UDP datagram", msg->len);
        buf_be16(&l4, (unsigned)(msg->len + 8));
        buf_be16(&l4, 0);
    }
    buf_put(&l4, msg->p, msg->len);

    if (with_udp) {
        /* Pseudo-header: RFC 768 (IPv4), RFC 8200 §8.1 (IPv6; the checksum is mandatory). */
        size_t al = src->af == 4 ? 4 : 16;
        uint32_t s = sum16(0, src->addr, al);
        s = sum16(s, dst->addr, al);
        s += 17;
        s += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xFFFF);
        s = sum16(s, l4.p, l4.len);
        uint16_t c = fold(s);
        put_be16(l4.p + 6, c == 0 ? 0xFFFF : c); /* 0 means "no checksum" */
    }
    if (o->has_frag) {
        /* One slice of the whole datagram, as a sender's IP layer would cut it. */
        if (o->fragoff || o->mf)
            die("frag= does not mix with fragoff= or mf");
        size_t end = o->frag_len < 0 ? l4.len : o->frag_off + (size_t)o->frag_len;
        if (o->frag_off >= l4.len || end > l4.len || end <= o->frag_off)
            die("frag=%u: outside the %zu-byte datagram", o->frag_off, l4.len);
        memmove(l4.p, l4.p + o->frag_off, end - o->frag_off);
        mf = end < l4.len;
        l4.len = end - o->frag_off;
        l4len = l4.len;
        fragoff = o->frag_off;
        if (o->corrupt >= 0) {
            if ((size_t)o->corrupt >= l4.len)
                die("corrupt=%ld: the fragment has %zu bytes", o->corrupt, l4.len);
            l4.p[o->corrupt] ^= 0xFF;
        }
    }

    if (src->af == 4) {
        if (o->n_v6ext)
            die("v6ext= on an IPv4 packet");
        size_t hl = 20 + 4 * (size_t)o->ipopts;
        if (hl > 60)
            die("ipopts=%u: an IPv4 header holds at most 10 option words", o->ipopts);
        if (hl + l4len > 65535)
            die("packet of %zu bytes is too long for IPv4", hl + l4len);
        size_t h0 = ip->len;
        buf_u8(ip, 0x40 | (unsigned)(hl / 4));
        buf_u8(ip, 0);
        buf_be16(ip, (unsigned)(hl + l4len));
        buf_be16(ip, id & 0xFFFF);
        buf_be16(ip, (mf ? 0x2000u : 0) | (fragoff / 8));
        buf_u8(ip, 64);
        buf_u8(ip, 17);
        buf_be16(ip, 0);
        buf_put(ip, src->addr, 4);
        buf_put(ip, dst->addr, 4);
        for (unsigned i = 0; i < o->ipopts * 4; i++)
            buf_u8(ip, 1); /* NOP (RFC 791) */
        put_be16(ip->p + h0 + 10, fold(sum16(0, ip->p + h0, hl)));
    } else {
        if (o->ipopts)
            die("ipopts= on an IPv6 packet");
        char ext[8];
        size_t n = o->n_v6ext;
        memcpy(ext, o->v6ext, n);
        if (frag && memchr(ext, 'f', n) == NULL)
            ext[n++] = 'f';
        size_t extlen = 8 * n; /* every header we write is 8 bytes long */
        if (extlen + l4len > 65535)
            die("packet of %zu bytes is too long for IPv6", extlen + l4len);
        buf_be32(ip, 0x60000000u);
        buf_be16(ip, (unsigned)(extlen + l4len));
        static const unsigned code[] = {['h'] = 0, ['r'] = 43, ['d'] = 60, ['f'] = 44};
        buf_u8(ip, n ? code[(unsigned char)ext[0]] : 17);
        buf_u8(ip, 64);
        buf_put(ip, src->addr, 16);
        buf_put(ip, dst->addr, 16);
        for (size_t i = 0; i < n; i++) {
            unsigned next = i + 1 < n ? code[(unsigned char)ext[i + 1]] : 17;
            buf_u8(ip, next);
            switch (ext[i]) {
            case 'h':
            case 'd': /* 8 bytes: one PadN option of 4 bytes (RFC 8200 §4.2) */
                buf_u8(ip, 0);
                buf_u8(ip, 1);
                buf_u8(ip, 4);
                buf_be32(ip, 0);
                break;
            case 'r': /* type 253 (RFC 4727 experiment), segments left 0: nothing to route */
                buf_u8(ip, 0);
                buf_u8(ip, 253);
                buf_u8(ip, 0);
                buf_be32(ip, 0);
                break;
            case 'f': /* RFC 8200 §4.5 */
                buf_u8(ip, 0);
                buf_be16(ip, fragoff | (mf ? 1u : 0));
                buf_be32(ip, id);
                break;
            }
        }
    }
    buf_put(ip, l4.p, l4.len);
    free(l4.p);
}

/* ---- tunnels -------------------------------------------------------------------------------- */

/* An outer IP header for proto carrying payload_len bytes, appended to b. */
static void outer_ip(buf *b, const endpoint *src, const endpoint *dst, unsigned proto,
                     size_t payload_len, unsigned id)
{
    if (src->af != dst->af)
        die("tunnel: outer addresses of different IP versions");
    if (src->af == 4) {
        if (payload_len + 20 > 65535)
            die("tunnel: outer IPv4 packet too long");
        size_t h0 = b->len;
        buf_u8(b, 0x45);
        buf_u8(b, 0);
        buf_be16(b, (unsigned)(20 + payload_len));
        buf_be16(b, id & 0xFFFF);
        buf_be16(b, 0x4000); /* DF, as tunnel endpoints usually send */
        buf_u8(b, 64);
        buf_u8(b, proto);
        buf_be16(b, 0);
        buf_put(b, src->addr, 4);
        buf_put(b, dst->addr, 4);
        put_be16(b->p + h0 + 10, fold(sum16(0, b->p + h0, 20)));
    } else {
        if (payload_len > 65535)
            die("tunnel: outer IPv6 packet too long");
        buf_be32(b, 0x60000000u);
        buf_be16(b, (unsigned)payload_len);
        buf_u8(b, proto);
        buf_u8(b, 64);
        buf_put(b, src->addr, 16);
        buf_put(b, dst->addr, 16);
    }
}

/* An outer UDP datagram (header with correct checksum) around payload, appended to b. */
static void outer_udp(buf *b, const endpoint *src, const endpoint *dst, unsigned sport,
                      unsigned dport, const buf *payload, unsigned id)
{
    buf u = {0};
    size_t ul = 8 + payload->len;
    buf_be16(&u, sport);
    buf_be16(&u, dport);
    buf_be16(&u, (unsigned)ul);
    buf_be16(&u, 0);
    buf_put(&u, payload->p, payload->len);
    size_t al = src->af == 4 ? 4 : 16;
    uint32_t sm = sum16(0, src->addr, al);
    sm = sum16(sm, dst->addr, al);
    sm += 17 + (uint32_t)ul;
    sm = sum16(sm, u.p, u.len);
    uint16_t c = fold(sm);
    put_be16(u.p + 6, c == 0 ? 0xFFFF : c);
    outer_ip(b, src, dst, 17, u.len, id);
    buf_put(b, u.p, u.len);
    free(u.p);
}

/* An Ethernet header for an inner IP packet (TEB, ERSPAN, VXLAN), appended to b. */
static void inner_ether(buf *b, const buf *ip)
{
    static const uint8_t dmac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
    static const uint8_t smac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
    buf_put(b, dmac, 6);
    buf_put(b, smac, 6);
    buf_be16(b, (ip->p[0] >> 4) == 4 ? 0x0800 : 0x86DD);
}

static void wrap_tunnel(buf *out, const struct tun *t, const buf *ip, unsigned id)
{
    buf in = {0};
    const char *k = t->kind;
    unsigned ver = ip->len ? ip->p[0] >> 4 : 4;
    if (strcmp(k, "ipip") == 0) {
        outer_ip(out, &t->src, &t->dst, ver == 4 ? 4 : 41, ip->len, id);
        buf_put(out, ip->p, ip->len);
        return;
    }
    if (strcmp(k, "gre") == 0 || strcmp(k, "grekey") == 0) {
        /* RFC 2784; grekey: K and S (RFC 2890) */
        int ks = k[3] == 'k';
        buf_be16(&in, ks ? 0x3000 : 0);
        buf_be16(&in, ver == 4 ? 0x0800 : 0x86DD);
        if (ks) {
            buf_be32(&in, 0x01020304u); /* key */
            buf_be32(&in, id);          /* sequence number */
        }
        buf_put(&in, ip->p, ip->len);
    } else if (strcmp(k, "gre-teb") == 0) {
        buf_be16(&in, 0);
        buf_be16(&in, 0x6558);
        inner_ether(&in, ip);
        buf_put(&in, ip->p, ip->len);
    } else if (strcmp(k, "erspan2") == 0) {
        buf_be16(&in, 0x1000); /* S: ERSPAN II has a sequence number */
        buf_be16(&in, 0x88BE);
        buf_be32(&in, id);
        buf_be16(&in, 0x1000 | 10);   /* Ver 1, VLAN 10 */
        buf_be16(&in, 0x0000 | 7);    /* COS 0, En 0, T 0, session 7 */
        buf_be32(&in, 0);             /* reserved, index */
        inner_ether(&in, ip);
        buf_put(&in, ip->p, ip->len);
    } else if (strcmp(k, "erspan3") == 0) {
        buf_be16(&in, 0x1000);
        buf_be16(&in, 0x22EB);
        buf_be32(&in, id);
        buf_be16(&in, 0x2000 | 10);   /* Ver 2, VLAN 10 */
        buf_be16(&in, 7);             /* session 7 */
        buf_be32(&in, 0x12345678u);   /* timestamp */
        buf_be16(&in, 0);             /* SGT */
        buf_u8(&in, 0);               /* P 0, FT 0 (Ethernet), HwID high bits */
        buf_u8(&in, 0x01);            /* D 0, Gra 0, O 1: platform subheader follows */
        buf_be32(&in, 0x18000000u);   /* platform subheader (platform id 6), 8 bytes */
        buf_be32(&in, 0);
        inner_ether(&in, ip);
        buf_put(&in, ip->p, ip->len);
    } else if (strcmp(k, "gtpu") == 0) {
        /* TS 29.281: flags 0x34 (version 1, PT 1, E), G-PDU, length, TEID; sequence number,
         * N-PDU number, next extension type 0x85 (PDU session container, TS 38.415), one
         * 4-byte extension header (length 1: PDU type UL, QFI 9; next type 0). */
        buf_u8(&in, 0x34);
        buf_u8(&in, 0xFF);
        buf_be16(&in, (unsigned)(4 + 4 + ip->len));
        buf_be32(&in, 0x0000BEEFu);
        buf_be16(&in, 0);
        buf_u8(&in, 0);
        buf_u8(&in, 0x85);
        buf_u8(&in, 1);
        buf_u8(&in, 0x10);
        buf_u8(&in, 0x09);
        buf_u8(&in, 0);
        buf_put(&in, ip->p, ip->len);
        outer_udp(out, &t->src, &t->dst, 2152, 2152, &in, id);
        free(in.p);
        return;
    } else if (strcmp(k, "vxlan") == 0) {
        static const uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 100, 0}; /* I; VNI 100 */
        buf_put(&in, vx, sizeof vx);
        inner_ether(&in, ip);
        buf_put(&in, ip->p, ip->len);
        outer_udp(out, &t->src, &t->dst, 49152, 4789, &in, id);
        free(in.p);
        return;
    } else {
        die("tunnel: unknown kind '%s'", k);
    }
    outer_ip(out, &t->src, &t->dst, 47, in.len, id);
    buf_put(out, in.p, in.len);
    free(in.p);
}

static void build_link(buf *fr, const layout *L, const endpoint *src, const endpoint *dst,
                       const pkt_opts *o, const buf *ip)
{
    unsigned et = src->af == 4 ? 0x0800 : 0x86DD;
    uint8_t smac[6], dmac[6];
    mac_for(smac, src);
    mac_for(dmac, dst);
    if (o->n_tags && L->linktype != LT_ETHERNET)
        die("vlan tags need linktype ethernet");
    if (o->out && L->linktype != LT_SLL && L->linktype != LT_SLL2)
        die("'out' needs linktype sll or sll2");
    if (o->af6 && L->linktype != LT_NULL && L->linktype != LT_LOOP)
        die("af6= needs linktype null or loop");
    switch (L->linktype) {
    case LT_ETHERNET:
        buf_put(fr, dmac, 6);
        buf_put(fr, smac, 6);
        for (size_t i = 0; i < o->n_tags; i++) {
            buf_be16(fr, o->tag_types[i]);
            buf_be16(fr, o->tags[i]); /* PCP 0, DEI 0, VID */
        }
        buf_be16(fr, et);
        buf_put(fr, ip->p, ip->len);
        while (fr->len < 60) /* the minimum frame (without FCS) is padded by the sender */
            buf_u8(fr, 0);
        return;
    case LT_SLL:
        buf_be16(fr, o->out ? 4 : 0); /* outgoing : to us */
        buf_be16(fr, 1);              /* ARPHRD_ETHER */
        buf_be16(fr, 6);
        buf_put(fr, smac, 6);
        buf_be16(fr, 0);
        buf_be16(fr, et);
        break;
    case LT_SLL2:
        buf_be16(fr, et);
        buf_be16(fr, 0);
        buf_be32(fr, 2);              /* interface index */
        buf_be16(fr, 1);              /* ARPHRD_ETHER */
        buf_u8(fr, o->out ? 4 : 0);
        buf_u8(fr, 6);
        buf_put(fr, smac, 6);
        buf_be16(fr, 0);
        break;
    case LT_NULL:
    case LT_LOOP: {
        uint32_t af = src->af == 4 ? 2 : (uint32_t)(o->af6 ? o->af6 : 30);
        if (L->linktype == LT_NULL)
            buf_le32(fr, af); /* the writer's byte order; we pretend a little-endian host */
        else
            buf_be32(fr, af);
        break;
    }
    case LT_RAW:
        break;
    case LT_IPV4:
        if (src->af != 4)
            die("linktype ipv4 carries IPv4 packets only");
        break;
    case LT_IPV6:
        if (src->af != 6)
            die("linktype ipv6 carries IPv6 packets only");
        break;
    default:
        die("linktype %u: only raw-bytes packets", L->linktype);
    }
    buf_put(fr, ip->p, ip->len);
}

/* pcapng numbers in the section's byte order. */
static void ng16(const layout *L, buf *b, unsigned v)
{
    if (L->ng_be) {
        buf_be16(b, v);
    } else {
        buf_u8(b, v & 0xFF);
        buf_u8(b, (v >> 8) & 0xFF);
    }
}

static void ng32(const layout *L, buf *b, uint32_t v)
{
    if (L->ng_be)
        buf_be32(b, v);
    else
        buf_le32(b, v);
}

/* One pcapng block: type, total length, body padded to 4 bytes, total length again. */
static void ng_block(const layout *L, uint32_t type, const buf *body)
{
    buf b = {0};
    size_t pad = (4 - body->len % 4) % 4;
    uint32_t total = (uint32_t)(12 + body->len + pad);
    ng32(L, &b, type);
    ng32(L, &b, total);
    buf_put(&b, body->p, body->len);
    for (size_t i = 0; i < pad; i++)
        buf_u8(&b, 0);
    ng32(L, &b, total);
    if (fwrite(b.p, 1, b.len, g_outfp) != b.len)
        die("%s: write error", g_out);
    free(b.p);
}

static void write_ng_header(const layout *L)
{
    buf body = {0};
    ng32(L, &body, 0x1A2B3C4Du); /* byte-order magic */
    ng16(L, &body, 1);
    ng16(L, &body, 0);
    ng32(L, &body, 0xFFFFFFFFu); /* section length: unknown */
    ng32(L, &body, 0xFFFFFFFFu);
    ng_block(L, 0x0A0D0D0Au, &body);
    free(body.p);
}

static void write_header(const layout *L)
{
    if (L->ng) {
        write_ng_header(L);
        return;
    }
    buf h = {0};
    buf_le32(&h, L->nsec ? 0xA1B23C4Du : 0xA1B2C3D4u);
    uint8_t ver[4] = {2, 0, 4, 0}; /* 2.4, little-endian */
    buf_put(&h, ver, 4);
    buf_le32(&h, 0); /* thiszone */
    buf_le32(&h, 0); /* sigfigs */
    buf_le32(&h, L->snaplen);
    buf_le32(&h, L->linktype);
    if (fwrite(h.p, 1, h.len, g_outfp) != h.len)
        die("%s: write error", g_out);
    free(h.p);
}

static void write_ng_record(layout *L, unsigned ifidx, uint64_t sec, uint32_t nsec,
                            const buf *fr, long snap)
{
    size_t cap = fr->len;
    if (snap >= 0 && (size_t)snap < cap)
        cap = (size_t)snap;
    uint64_t s = L->epoch + sec, ts = s;
    unsigned res = L->if_res[ifidx];
    uint32_t frac = nsec;
    for (unsigned i = 9; i > res; i--) {
        if (frac % 10)
            die("time has more decimals than the interface's resolution");
        frac /= 10;
    }
    for (unsigned i = 0; i < res; i++)
        ts *= 10;
    ts += frac;
    buf body = {0};
    ng32(L, &body, ifidx);
    ng32(L, &body, (uint32_t)(ts >> 32));
    ng32(L, &body, (uint32_t)ts);
    ng32(L, &body, (uint32_t)cap);
    ng32(L, &body, (uint32_t)fr->len);
    buf_put(&body, fr->p, cap);
    while (body.len % 4)
        buf_u8(&body, 0);
    ng_block(L, 6, &body);
    free(body.p);
    L->npkt++;
}

/* `interface LINKTYPE [tsresol=N]`: one IDB, written where the directive stands. */
static void ng_interface(layout *L, char **tok, int ntok)
{
    if (!L->ng)
        die("'interface' needs 'format pcapng'");
    if (ntok < 2 || ntok > 3)
        die("usage: interface LINKTYPE [tsresol=N]");
    if (L->nifs >= sizeof L->if_lt / sizeof L->if_lt[0])
        die("too many interfaces");
    static const struct {
        const char *name;
        unsigned lt;
    } names[] = {{"ethernet", LT_ETHERNET}, {"sll", LT_SLL},   {"sll2", LT_SLL2},
                 {"raw", LT_RAW},           {"ipv4", LT_IPV4}, {"ipv6", LT_IPV6},
                 {"null", LT_NULL},         {"loop", LT_LOOP}};
    unsigned lt = 0xFFFFFFFFu;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(tok[1], names[k].name) == 0)
            lt = names[k].lt;
    if (lt == 0xFFFFFFFFu)
        lt = (unsigned)parse_ulong(tok[1], 0xFFFF, "linktype");
    unsigned res = 6;
    if (ntok == 3) {
        if (strncmp(tok[2], "tsresol=", 8) != 0)
            die("usage: interface LINKTYPE [tsresol=N]");
        res = (unsigned)parse_ulong(tok[2] + 8, 9, "tsresol");
    }
    if (!L->started) {
        write_header(L);
        L->started = 1;
    }
    buf body = {0};
    ng16(L, &body, lt);
    ng16(L, &body, 0);
    ng32(L, &body, 0); /* snap length: none */
    if (res != 6) {
        ng16(L, &body, 9); /* if_tsresol */
        ng16(L, &body, 1);
        buf_u8(&body, res);
        buf_u8(&body, 0);
        buf_u8(&body, 0);
        buf_u8(&body, 0);
        ng16(L, &body, 0); /* opt_endofopt */
        ng16(L, &body, 0);
    }
    ng_block(L, 1, &body);
    free(body.p);
    L->if_lt[L->nifs] = lt;
    L->if_res[L->nifs] = res;
    L->nifs++;
}

static void write_record(layout *L, uint64_t sec, uint32_t nsec, const buf *fr, long snap)
{
    size_t cap = fr->len;
    if (cap > L->snaplen)
        cap = L->snaplen;
    if (snap >= 0 && (size_t)snap < cap)
        cap = (size_t)snap;
    if (!L->nsec && nsec % 1000 != 0)
        die("time has nanoseconds but the file has precision usec");
    buf r = {0};
    uint64_t s = L->epoch + sec;
    if (s > 0xFFFFFFFFu)
        die("time stamp beyond 2106");
    buf_le32(&r, (uint32_t)s);
    buf_le32(&r, L->nsec ? nsec : nsec / 1000);
    buf_le32(&r, (uint32_t)cap);
    buf_le32(&r, (uint32_t)fr->len);
    buf_put(&r, fr->p, cap);
    if (fwrite(r.p, 1, r.len, g_outfp) != r.len)
        die("%s: write error", g_out);
    free(r.p);
    L->npkt++;
}

/* ---- the layout ------------------------------------------------------------------------------ */

static char *g_dir; /* layout directory, with a trailing '/' or empty */

static char *path_of(const char *name)
{
    size_t n = strlen(g_dir) + strlen(name) + 1;
    char *p = malloc(n);
    if (p == NULL)
        die("out of memory");
    if (name[0] == '/')
        snprintf(p, n, "%s", name);
    else
        snprintf(p, n, "%s%s", g_dir, name);
    return p;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static void parse_opts(char **tok, int ntok, int i, pkt_opts *o, int udp)
{
    for (; i < ntok; i++) {
        const char *t = tok[i];
        if (strncmp(t, "snap=", 5) == 0) {
            o->snap = (long)parse_ulong(t + 5, 0xFFFFFFFFUL, "snap");
        } else if (!udp) {
            die("unknown option '%s' (raw-bytes takes snap= only)", t);
        } else if (strcmp(t, "lf") == 0) {
            o->lf = 1;
        } else if (strcmp(t, "mf") == 0) {
            o->mf = 1;
        } else if (strcmp(t, "out") == 0) {
            o->out = 1;
        } else if (strncmp(t, "fragoff=", 8) == 0) {
            o->fragoff = (unsigned)parse_ulong(t + 8, 65528, "fragoff");
            if (o->fragoff % 8)
                die("fragoff=%u is not a multiple of 8", o->fragoff);
        } else if (strncmp(t, "ipopts=", 7) == 0) {
            o->ipopts = (unsigned)parse_ulong(t + 7, 10, "ipopts");
        } else if (strncmp(t, "af6=", 4) == 0) {
            o->af6 = (int)parse_ulong(t + 4, 255, "af6");
            if (o->af6 != 24 && o->af6 != 28 && o->af6 != 30)
                die("af6=%d: use 24, 28 or 30", o->af6);
        } else if (strncmp(t, "id=", 3) == 0) {
            o->id = (long)parse_ulong(t + 3, 0xFFFFFFFFUL, "id");
        } else if (strncmp(t, "frag=", 5) == 0) {
            char v[64];
            snprintf(v, sizeof v, "%s", t + 5);
            char *colon = strchr(v, ':');
            if (colon != NULL)
                *colon = '\0';
            o->has_frag = 1;
            o->frag_off = (unsigned)parse_ulong(v, 65528, "frag offset");
            if (o->frag_off % 8)
                die("frag=%u: the offset is not a multiple of 8", o->frag_off);
            o->frag_len = colon ? (long)parse_ulong(colon + 1, 65535, "frag length") : -1;
        } else if (strncmp(t, "corrupt=", 8) == 0) {
            o->corrupt = (long)parse_ulong(t + 8, 65535, "corrupt");
        } else if (strncmp(t, "if=", 3) == 0) {
            o->ifidx = (unsigned)parse_ulong(t + 3, 255, "if");
        } else if (strncmp(t, "tunnel=", 7) == 0) {
            /* KIND:OSRC>ODST */
            char v[160];
            snprintf(v, sizeof v, "%s", t + 7);
            char *colon = strchr(v, ':'), *gt = strchr(v, '>');
            if (colon == NULL || gt == NULL || gt < colon)
                die("tunnel=KIND:OSRC>ODST, got '%s'", t);
            *colon = '\0';
            *gt = '\0';
            if (o->n_tun >= MAX_TAGS)
                die("more than %d tunnels", MAX_TAGS);
            struct tun *tu = &o->tun[o->n_tun++];
            if (strlen(v) >= sizeof tu->kind)
                die("tunnel: unknown kind '%s'", v);
            memcpy(tu->kind, v, strlen(v) + 1);
            parse_addr(colon + 1, &tu->src);
            parse_addr(gt + 1, &tu->dst);
        } else if (strncmp(t, "v6ext=", 6) == 0) {
            char list[64];
            snprintf(list, sizeof list, "%s", t + 6);
            for (char *s = strtok(list, ","); s; s = strtok(NULL, ",")) {
                char c = strcmp(s, "hbh") == 0  ? 'h'
                         : strcmp(s, "rt") == 0 ? 'r'
                         : strcmp(s, "dst") == 0 ? 'd'
                         : strcmp(s, "frag") == 0 ? 'f'
                                                  : 0;
                if (c == 0)
                    die("v6ext: unknown header '%s' (hbh, rt, dst, frag)", s);
                if (o->n_v6ext >= sizeof o->v6ext)
                    die("v6ext: too many headers");
                o->v6ext[o->n_v6ext++] = c;
            }
        } else {
            die("unknown option '%s'", t);
        }
    }
}

/* ---- tcp and sctp lines (stream transports) ------------------------------------------------- */

/* Per-direction state, so that sequence numbers, acknowledgements and TSNs follow by
 * themselves: a direction starts at seq 1000 (TSN 1) unless seq= (tsn=) says otherwise. */
typedef struct sflow {
    int af;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t next;      /* TCP: next sequence number; SCTP: next TSN */
    uint32_t last;      /* TCP: sequence number of the last segment written */
    int started;
} sflow;

static sflow g_flows[128];
static size_t g_nflows;

static sflow *flow_of(const endpoint *s, const endpoint *d, int create)
{
    for (size_t i = 0; i < g_nflows; i++) {
        sflow *f = &g_flows[i];
        if (f->af == s->af && f->sport == s->port && f->dport == d->port &&
            memcmp(f->src, s->addr, 16) == 0 && memcmp(f->dst, d->addr, 16) == 0)
            return f;
    }
    if (!create)
        return NULL;
    if (g_nflows == sizeof g_flows / sizeof g_flows[0])
        die("too many flows");
    sflow *f = &g_flows[g_nflows++];
    memset(f, 0, sizeof *f);
    f->af = s->af;
    memcpy(f->src, s->addr, 16);
    memcpy(f->dst, d->addr, 16);
    f->sport = s->port;
    f->dport = d->port;
    return f;
}

/* A packet written with `later` waits for the next packet line. */
static struct {
    int on;
    buf frame;
    uint64_t sec;
    uint32_t nsec;
    long snap;
    unsigned ifidx;
} g_later;

static void emit_frame(layout *L, const pkt_opts *o, uint64_t sec, uint32_t nsec, buf *frame,
                       long snap)
{
    if (frame->len > MAX_FRAME)
        die("frame of %zu bytes is too long", frame->len);
    if (!L->started) {
        write_header(L);
        L->started = 1;
    }
    if (L->ng)
        write_ng_record(L, o->ifidx, sec, nsec, frame, snap);
    else
        write_record(L, sec, nsec, frame, snap);
}

static void flush_later(layout *L)
{
    if (!g_later.on)
        return;
    pkt_opts o;
    memset(&o, 0, sizeof o);
    o.ifidx = g_later.ifidx;
    g_later.on = 0;
    emit_frame(L, &o, g_later.sec, g_later.nsec, &g_later.frame, g_later.snap);
    free(g_later.frame.p);
    memset(&g_later.frame, 0, sizeof g_later.frame);
}

/* OFF:LEN or OFF (to the end) */
static void parse_range(const char *s, size_t *off, long *len)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%s", s);
    char *c = strchr(tmp, ':');
    *len = -1;
    if (c) {
        *c = '\0';
        *len = (long)parse_ulong(c + 1, 1000000, "length");
    }
    *off = parse_ulong(tmp, 1000000, "offset");
}

static void slice(buf *b, size_t off, long len)
{
    if (off > b->len)
        die("range starts at %zu but there are only %zu bytes", off, b->len);
    size_t n = len < 0 || off + (size_t)len > b->len ? b->len - off : (size_t)len;
    memmove(b->p, b->p + off, n);
    b->len = n;
}

/* A message file as the udp line reads it (.hex: bytes as they are; "-": nothing). */
static void load_part(const char *name, int lf, buf *out)
{
    if (strcmp(name, "-") == 0)
        return;
    char *p = path_of(name);
    buf raw = {0}, conv = {0};
    read_file(p, &raw);
    if (ends_with(p, ".hex")) {
        parse_hex(p, &raw, out);
    } else {
        if (lf)
            buf_put(&conv, raw.p, raw.len);
        else
            to_crlf(&raw, &conv);
        fill_content_length(p, &conv, out);
    }
    free(raw.p);
    free(conv.p);
    free(p);
}

/* RFC 6455 §5.2 frame around b. */
static void ws_wrap(buf *b, unsigned op, int fin, const uint8_t *key)
{
    buf f = {0};
    buf_u8(&f, (fin ? 0x80u : 0) | op);
    unsigned mb = key ? 0x80u : 0;
    if (b->len < 126) {
        buf_u8(&f, mb | (unsigned)b->len);
    } else if (b->len < 65536) {
        buf_u8(&f, mb | 126);
        buf_be16(&f, (unsigned)b->len);
    } else {
        buf_u8(&f, mb | 127);
        buf_be32(&f, 0);
        buf_be32(&f, (uint32_t)b->len);
    }
    if (key)
        buf_put(&f, key, 4);
    for (size_t i = 0; i < b->len; i++)
        buf_u8(&f, b->p[i] ^ (key ? key[i & 3] : 0u));
    free(b->p);
    *b = f;
}

/* CRC32c (Castagnoli), as SCTP uses it (RFC 9260 Appendix A). */
static uint32_t crc32c(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

/* tcp SRC > DST @TIME FILE[+FILE...] [OPTION]...   sctp SRC > DST @TIME FILE[+FILE...] [OPTION]... */
static void stream_line(layout *L, char **tok, int ntok, pkt_opts *o)
{
    int is_tcp = strcmp(tok[0], "tcp") == 0;
    if (!L->known)
        die("linktype %u: only raw-bytes packets", L->linktype);
    if (ntok < 6 || strcmp(tok[2], ">") != 0)
        die("usage: %s SRC > DST @TIME FILE[+FILE...] [OPTION]...", tok[0]);
    endpoint src, dst;
    parse_endpoint(tok[1], &src);
    parse_endpoint(tok[3], &dst);
    if (src.af != dst.af)
        die("source and destination are of different IP versions");
    uint64_t sec;
    uint32_t nsec;
    parse_time(tok[4], &sec, &nsec);

    long seq = -1, ack = -1, seg_len = -1, wsl_len = -1, ppid = 0, sid = 0, vtag = 1;
    size_t seg_off = 0, wsl_off = 0;
    int has_seg = 0, has_wsl = 0, lf = 0, later = 0, lost = 0, dup = 0, nofin = 0;
    const char *flags = NULL, *ws = NULL, *frag = NULL;
    uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    int mask = 0;
    for (int i = 6; i < ntok; i++) {
        const char *t = tok[i];
        if (strncmp(t, "seq=", 4) == 0 || strncmp(t, "tsn=", 4) == 0)
            seq = (long)parse_ulong(t + 4, 0xFFFFFFFFUL, "seq");
        else if (strncmp(t, "ack=", 4) == 0)
            ack = (long)parse_ulong(t + 4, 0xFFFFFFFFUL, "ack");
        else if (strncmp(t, "flags=", 6) == 0)
            flags = t + 6;
        else if (strncmp(t, "seg=", 4) == 0)
            has_seg = 1, parse_range(t + 4, &seg_off, &seg_len);
        else if (strncmp(t, "wsslice=", 8) == 0)
            has_wsl = 1, parse_range(t + 8, &wsl_off, &wsl_len);
        else if (strncmp(t, "ws=", 3) == 0)
            ws = t + 3;
        else if (strcmp(t, "nofin") == 0)
            nofin = 1;
        else if (strcmp(t, "mask") == 0)
            mask = 1;
        else if (strncmp(t, "mask=", 5) == 0) {
            unsigned long k = strtoul(t + 5, NULL, 16);
            for (int b = 0; b < 4; b++)
                key[b] = (uint8_t)(k >> (24 - 8 * b));
            mask = 1;
        } else if (strncmp(t, "frag=", 5) == 0)
            frag = t + 5;
        else if (strncmp(t, "ppid=", 5) == 0)
            ppid = (long)parse_ulong(t + 5, 0xFFFFFFFFUL, "ppid");
        else if (strncmp(t, "sid=", 4) == 0)
            sid = (long)parse_ulong(t + 4, 65535, "sid");
        else if (strncmp(t, "vtag=", 5) == 0)
            vtag = (long)parse_ulong(t + 5, 0xFFFFFFFFUL, "vtag");
        else if (strcmp(t, "lf") == 0)
            lf = 1;
        else if (strcmp(t, "later") == 0)
            later = 1;
        else if (strcmp(t, "lost") == 0)
            lost = 1;
        else if (strcmp(t, "dup") == 0)
            dup = 1;
        else if (strncmp(t, "snap=", 5) == 0)
            o->snap = (long)parse_ulong(t + 5, 0xFFFFFFFFUL, "snap");
        else if (strncmp(t, "if=", 3) == 0)
            o->ifidx = (unsigned)parse_ulong(t + 3, 255, "if");
        else
            die("unknown %s option '%s'", tok[0], t);
    }

    /* the payload: each part loaded (and WebSocket-framed), then concatenated, then seg= */
    buf parts[16];
    size_t nparts = 0;
    char names[1024];
    snprintf(names, sizeof names, "%s", tok[5]);
    for (char *s = strtok(names, "+"); s; s = strtok(NULL, "+")) {
        if (nparts == 16)
            die("at most 16 parts");
        buf *b = &parts[nparts++];
        memset(b, 0, sizeof *b);
        load_part(s, lf, b);
        if (has_wsl)
            slice(b, wsl_off, wsl_len);
        if (ws) {
            static const struct {
                const char *n;
                unsigned op;
            } ops[] = {{"cont", 0}, {"text", 1}, {"binary", 2}, {"close", 8}, {"ping", 9},
                       {"pong", 10}};
            unsigned op = 99;
            for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
                if (strcmp(ws, ops[k].n) == 0)
                    op = ops[k].op;
            if (op == 99)
                die("ws=%s: cont, text, binary, close, ping or pong", ws);
            ws_wrap(b, op, !nofin, mask ? key : NULL);
        }
    }
    buf pl = {0};
    for (size_t k = 0; k < nparts; k++) {
        if (!is_tcp)
            continue;
        buf_put(&pl, parts[k].p, parts[k].len);
    }
    if (has_seg && is_tcp)
        slice(&pl, seg_off, seg_len);

    buf l4 = {0};
    unsigned proto;
    sflow *f = flow_of(&src, &dst, 1);
    if (is_tcp) {
        proto = 6;
        unsigned fl = 0;
        const char *fs = flags ? flags : (pl.len ? "PA" : "A");
        for (const char *c = fs; *c; c++) {
            const char *all = "FSRPAU";
            const char *w = strchr(all, *c);
            if (w == NULL)
                die("flags=%s: letters F S R P A U", fs);
            fl |= 1u << (w - all);
        }
        if (!f->started) {
            f->next = 1000;
            f->started = 1;
        }
        uint32_t s = seq >= 0 ? (uint32_t)seq : dup ? f->last : f->next;
        sflow *r = flow_of(&dst, &src, 0);
        uint32_t a = ack >= 0 ? (uint32_t)ack : r && r->started ? r->next : 0;
        uint32_t end = s + (uint32_t)pl.len + (fl & 2 ? 1u : 0) + (fl & 1 ? 1u : 0);
        if (!dup || (int32_t)(end - f->next) > 0)
            f->next = end;
        f->last = s;
        buf_be16(&l4, src.port);
        buf_be16(&l4, dst.port);
        buf_be32(&l4, s);
        buf_be32(&l4, (fl & 16) ? a : 0);
        buf_u8(&l4, 5 << 4);
        buf_u8(&l4, fl);
        buf_be16(&l4, 65535);
        buf_be16(&l4, 0);
        buf_be16(&l4, 0);
        buf_put(&l4, pl.p, pl.len);
        size_t al = src.af == 4 ? 4 : 16;
        uint32_t cs = sum16(0, src.addr, al);
        cs = sum16(cs, dst.addr, al);
        cs += 6 + (uint32_t)(l4.len >> 16) + (uint32_t)(l4.len & 0xFFFF);
        cs = sum16(cs, l4.p, l4.len);
        put_be16(l4.p + 16, fold(cs));
    } else {
        proto = 132;
        if (!f->started) {
            f->next = 1;
            f->started = 1;
        }
        buf_be16(&l4, src.port);
        buf_be16(&l4, dst.port);
        buf_be32(&l4, (uint32_t)vtag);
        buf_be32(&l4, 0);
        uint32_t tsn = seq >= 0 ? (uint32_t)seq : f->next;
        unsigned be = 3;
        if (frag)
            be = strcmp(frag, "B") == 0 ? 2 : strcmp(frag, "E") == 0 ? 1 : strcmp(frag, "M") == 0 ? 0
                                                                                          : 3;
        for (size_t k = 0; k < nparts; k++, tsn++) {
            buf *b = &parts[k];
            if (has_seg)
                slice(b, seg_off, seg_len);
            buf_u8(&l4, 0); /* DATA */
            buf_u8(&l4, be);
            buf_be16(&l4, (unsigned)(16 + b->len));
            buf_be32(&l4, tsn);
            buf_be16(&l4, (unsigned)sid);
            buf_be16(&l4, 0);
            buf_be32(&l4, (uint32_t)ppid);
            buf_put(&l4, b->p, b->len);
            while (l4.len % 4)
                buf_u8(&l4, 0);
        }
        if (!dup && (int32_t)(tsn - f->next) > 0)
            f->next = tsn;
        uint32_t c = crc32c(l4.p, l4.len);
        /* RFC 9260 Appendix A: the CRC goes in as the little-endian image of the value */
        l4.p[8] = (uint8_t)c;
        l4.p[9] = (uint8_t)(c >> 8);
        l4.p[10] = (uint8_t)(c >> 16);
        l4.p[11] = (uint8_t)(c >> 24);
    }
    for (size_t k = 0; k < nparts; k++)
        free(parts[k].p);
    free(pl.p);

    buf ip = {0}, frame = {0};
    outer_ip(&ip, &src, &dst, proto, l4.len, L->npkt + 1);
    buf_put(&ip, l4.p, l4.len);
    free(l4.p);
    build_link(&frame, L, &src, &dst, o, &ip);
    free(ip.p);
    if (lost) {
        free(frame.p); /* the capture never saw it */
        return;
    }
    if (later) {
        if (g_later.on)
            die("two packets with 'later' in a row");
        g_later.on = 1;
        g_later.frame = frame;
        g_later.sec = sec;
        g_later.nsec = nsec;
        g_later.snap = o->snap;
        g_later.ifidx = o->ifidx;
        return;
    }
    emit_frame(L, o, sec, nsec, &frame, o->snap);
    free(frame.p);
    flush_later(L);
}

static void packet_line(layout *L, char **tok, int ntok)
{
    pkt_opts o;
    memset(&o, 0, sizeof o);
    o.snap = -1;
    o.id = -1;
    o.corrupt = -1;
    if (L->ng) {
        /* The packet's interface decides its link type. */
        unsigned ifx = 0;
        for (int k = 0; k < ntok; k++)
            if (strncmp(tok[k], "if=", 3) == 0)
                ifx = (unsigned)parse_ulong(tok[k] + 3, 255, "if");
        if (ifx >= L->nifs)
            die("if=%u: no such interface (declare it with 'interface' first)", ifx);
        L->linktype = L->if_lt[ifx];
        L->known = L->linktype == LT_ETHERNET || L->linktype == LT_SLL ||
                   L->linktype == LT_SLL2 || L->linktype == LT_RAW || L->linktype == LT_IPV4 ||
                   L->linktype == LT_IPV6 || L->linktype == LT_NULL || L->linktype == LT_LOOP;
    }
    int i = 0;
    while (i < ntok && (strcmp(tok[i], "vlan") == 0 || strcmp(tok[i], "svlan") == 0)) {
        if (i + 1 >= ntok)
            die("%s: missing VLAN id", tok[i]);
        if (o.n_tags >= MAX_TAGS)
            die("more than %d VLAN tags", MAX_TAGS);
        o.tag_types[o.n_tags] = tok[i][0] == 's' ? 0x88A8 : 0x8100;
        o.tags[o.n_tags++] = (unsigned)parse_ulong(tok[i + 1], 4095, "VLAN id");
        i += 2;
    }
    if (i >= ntok)
        die("expected udp after the VLAN tags");

    uint64_t sec;
    uint32_t nsec;
    buf frame = {0};
    if (strcmp(tok[i], "raw-bytes") == 0) {
        if (o.n_tags)
            die("raw-bytes takes no VLAN tags (put them in the bytes)");
        if (ntok - i < 3)
            die("usage: raw-bytes @TIME FILE [snap=N]");
        parse_time(tok[i + 1], &sec, &nsec);
        char *p = path_of(tok[i + 2]);
        parse_opts(tok, ntok, i + 3, &o, 0);
        buf raw = {0};
        read_file(p, &raw);
        if (ends_with(p, ".hex"))
            parse_hex(p, &raw, &frame);
        else
            buf_put(&frame, raw.p, raw.len);
        free(raw.p);
        free(p);
    } else if (strcmp(tok[i], "udp") == 0) {
        if (!L->known)
            die("linktype %u: only raw-bytes packets", L->linktype);
        if (ntok - i < 6 || strcmp(tok[i + 2], ">") != 0)
            die("usage: udp SRC > DST @TIME FILE [OPTION]...");
        endpoint src, dst;
        parse_endpoint(tok[i + 1], &src);
        parse_endpoint(tok[i + 3], &dst);
        if (src.af != dst.af)
            die("source and destination are of different IP versions");
        parse_time(tok[i + 4], &sec, &nsec);
        char *p = path_of(tok[i + 5]);
        parse_opts(tok, ntok, i + 6, &o, 1);
        if (o.af6 && src.af != 6)
            die("af6= on an IPv4 packet");
        buf raw = {0}, conv = {0}, msg = {0}, ip = {0};
        read_file(p, &raw);
        if (o.lf)
            buf_put(&conv, raw.p, raw.len);
        else
            to_crlf(&raw, &conv);
        if (o.fragoff)
            buf_put(&msg, conv.p, conv.len); /* a later fragment: bytes as they are */
        else
            fill_content_length(p, &conv, &msg);
        build_ip_udp(&ip, &src, &dst, &msg, &o, o.id >= 0 ? (unsigned)o.id : L->npkt + 1);
        /* Tunnels, innermost first; the link layer then carries the outermost packet. */
        for (size_t k = o.n_tun; k-- > 0;) {
            buf outer = {0};
            wrap_tunnel(&outer, &o.tun[k], &ip, L->npkt + 1);
            free(ip.p);
            ip = outer;
            src = o.tun[k].src;
            dst = o.tun[k].dst;
        }
        build_link(&frame, L, &src, &dst, &o, &ip);
        free(raw.p);
        free(conv.p);
        free(msg.p);
        free(ip.p);
        free(p);
    } else if (strcmp(tok[i], "tcp") == 0 || strcmp(tok[i], "sctp") == 0) {
        stream_line(L, tok + i, ntok - i, &o); /* writes the packet itself */
        return;
    } else {
        die("unknown keyword '%s'", tok[i]);
    }
    if (frame.len > MAX_FRAME)
        die("frame of %zu bytes is too long", frame.len);
    if (!L->started) {
        write_header(L);
        L->started = 1;
    }
    if (L->ng)
        write_ng_record(L, o.ifidx, sec, nsec, &frame, o.snap);
    else
        write_record(L, sec, nsec, &frame, o.snap);
    free(frame.p);
}

static void directive(layout *L, char **tok, int ntok)
{
    if (L->started)
        die("'%s' must come before the first packet", tok[0]);
    if (ntok != 2)
        die("usage: %s VALUE", tok[0]);
    const char *v = tok[1];
    if (strcmp(tok[0], "linktype") == 0) {
        static const struct {
            const char *name;
            unsigned lt;
        } names[] = {{"ethernet", LT_ETHERNET}, {"sll", LT_SLL},   {"sll2", LT_SLL2},
                     {"raw", LT_RAW},           {"ipv4", LT_IPV4}, {"ipv6", LT_IPV6},
                     {"null", LT_NULL},         {"loop", LT_LOOP}};
        L->known = 0;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (strcmp(v, names[k].name) == 0) {
                L->linktype = names[k].lt;
                L->known = 1;
            }
        if (!L->known)
            L->linktype = (unsigned)parse_ulong(v, 0xFFFF, "linktype");
    } else if (strcmp(tok[0], "format") == 0) {
        if (strcmp(v, "pcap") == 0) {
            L->ng = 0;
        } else if (strcmp(v, "pcapng") == 0 || strcmp(v, "pcapng-be") == 0) {
            L->ng = 1;
            L->ng_be = v[6] == '-';
        } else {
            die("format: pcap, pcapng or pcapng-be");
        }
    } else if (strcmp(tok[0], "snaplen") == 0) {
        L->snaplen = (uint32_t)parse_ulong(v, 262144, "snaplen");
        if (L->snaplen == 0)
            die("snaplen 0 is not allowed in pcap");
    } else if (strcmp(tok[0], "precision") == 0) {
        if (strcmp(v, "usec") == 0)
            L->nsec = 0;
        else if (strcmp(v, "nsec") == 0)
            L->nsec = 1;
        else
            die("precision: usec or nsec");
    } else {
        L->epoch = parse_ulong(v, 4000000000UL, "epoch");
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mkpcap LAYOUT OUT.pcap\n");
        return 2;
    }
    g_layout = argv[1];
    g_out = argv[2];
    const char *slash = strrchr(g_layout, '/');
    size_t dl = slash ? (size_t)(slash - g_layout) + 1 : 0;
    g_dir = malloc(dl + 1);
    if (g_dir == NULL)
        die("out of memory");
    memcpy(g_dir, g_layout, dl);
    g_dir[dl] = '\0';

    FILE *in = fopen(g_layout, "r");
    if (in == NULL)
        die("%s", strerror(errno));
    g_outfp = fopen(g_out, "wb");
    if (g_outfp == NULL) {
        fprintf(stderr, "%s: %s\n", g_out, strerror(errno));
        return 1;
    }
    layout L = {.linktype = LT_ETHERNET, .known = 1, .snaplen = 65535, .epoch = 1700000000};
    char line[4096];
    while (fgets(line, sizeof line, in) != NULL) {
        g_line++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n')
            die("line too long");
        /* '#' at the start or after white space starts a comment */
        for (size_t k = 0; k < n; k++)
            if (line[k] == '#' && (k == 0 || isspace((unsigned char)line[k - 1]))) {
                line[k] = '\0';
                break;
            }
        char *tok[64];
        int ntok = 0;
        for (char *t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
            if (ntok == 64)
                die("too many words");
            tok[ntok++] = t;
        }
        if (ntok == 0)
            continue;
        if (strcmp(tok[0], "linktype") == 0 || strcmp(tok[0], "snaplen") == 0 ||
            strcmp(tok[0], "precision") == 0 || strcmp(tok[0], "epoch") == 0 ||
            strcmp(tok[0], "format") == 0)
            directive(&L, tok, ntok);
        else if (strcmp(tok[0], "interface") == 0)
            ng_interface(&L, tok, ntok);
        else
            packet_line(&L, tok, ntok);
    }
    g_line = 0;
    if (ferror(in))
        die("read error");
    fclose(in);
    if (g_later.on)
        die("'later' on the last packet: nothing comes after it");
    if (!L.started)
        write_header(&L); /* a capture with no packets is still a capture */
    if (fclose(g_outfp) != 0) {
        g_outfp = NULL;
        die("%s: write error", g_out);
    }
    g_outfp = NULL;
    free(g_dir);
    return 0;
}
