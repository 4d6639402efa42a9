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
} layout;

typedef struct pkt_opts {
    long snap;            /* -1: none */
    int lf, mf, out;
    unsigned fragoff;
    unsigned ipopts;
    int af6;
    char v6ext[8];        /* 'h', 'r', 'd', 'f' in order */
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
    int frag = o->mf || o->fragoff;
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
        buf_be16(ip, (o->mf ? 0x2000u : 0) | (o->fragoff / 8));
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
                buf_be16(ip, o->fragoff | (o->mf ? 1u : 0));
                buf_be32(ip, id);
                break;
            }
        }
    }
    buf_put(ip, l4.p, l4.len);
    free(l4.p);
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

static void write_header(const layout *L)
{
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

static void packet_line(layout *L, char **tok, int ntok)
{
    pkt_opts o;
    memset(&o, 0, sizeof o);
    o.snap = -1;
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
        build_ip_udp(&ip, &src, &dst, &msg, &o, L->npkt + 1);
        build_link(&frame, L, &src, &dst, &o, &ip);
        free(raw.p);
        free(conv.p);
        free(msg.p);
        free(ip.p);
        free(p);
    } else {
        die("unknown keyword '%s'", tok[i]);
    }
    if (frame.len > MAX_FRAME)
        die("frame of %zu bytes is too long", frame.len);
    if (!L->started) {
        write_header(L);
        L->started = 1;
    }
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
            strcmp(tok[0], "precision") == 0 || strcmp(tok[0], "epoch") == 0)
            directive(&L, tok, ntok);
        else
            packet_line(&L, tok, ntok);
    }
    g_line = 0;
    if (ferror(in))
        die("read error");
    fclose(in);
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
