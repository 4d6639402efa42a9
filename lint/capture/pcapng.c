/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng block reader: SHB (both byte orders), IDB, EPB, SPB, PB; other blocks skipped. */
#include "pcapng.h"

#include <stdlib.h>
#include <string.h>

enum {
    BT_SHB = 0x0A0D0D0A,
    BT_IDB = 0x00000001,
    BT_PB = 0x00000002,  /* obsolete Packet Block */
    BT_SPB = 0x00000003,
    BT_EPB = 0x00000006
};

#define MAX_IFACES 65536u /* a section with more is not a capture we can believe */

typedef struct iface {
    uint32_t linktype;
    uint32_t snaplen;
    int pow2;            /* resolution 2^-k (else 10^-k) */
    unsigned k;
    int64_t tsoffset;    /* seconds added to every time stamp (if_tsoffset) */
} iface;

struct sl_pcapng {
    FILE *fp;
    int be;              /* the current section is big-endian */
    int first;           /* the first block's type was read by the caller */
    uint64_t off;        /* bytes consumed so far */
    iface *ifs;
    size_t nifs, capifs;
    uint8_t *buf;
    size_t cap;
};

sl_pcapng *sl_pcapng_open(FILE *fp)
{
    sl_pcapng *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->fp = fp;
    r->first = 1;
    r->off = 4;
    return r;
}

void sl_pcapng_free(sl_pcapng *r)
{
    if (r == NULL)
        return;
    free(r->ifs);
    free(r->buf);
    free(r);
}

static uint16_t rd16(const sl_pcapng *r, const uint8_t *p)
{
    return r->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const sl_pcapng *r, const uint8_t *p)
{
    if (r->be)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Read exactly n bytes: 1, or 0 at end of file (*got tells how many came). */
static int rd_exact(sl_pcapng *r, void *p, size_t n, size_t *got)
{
    size_t g = n ? fread(p, 1, n, r->fp) : 0;
    r->off += g;
    if (got)
        *got = g;
    return g == n;
}

static int grow(sl_pcapng *r, size_t n)
{
    if (n <= r->cap)
        return 1;
    size_t c = r->cap ? r->cap : 65536;
    while (c < n)
        c *= 2;
    uint8_t *b = realloc(r->buf, c);
    if (b == NULL)
        return 0;
    r->buf = b;
    r->cap = c;
    return 1;
}

#define DAMAGE(...)                                                                            \
    do {                                                                                       \
        snprintf(why, why_len, __VA_ARGS__);                                                   \
        return -1;                                                                             \
    } while (0)

/* IDB options we use: if_tsresol (9), if_tsoffset (14). Malformed options end the walk (the
 * packet data does not depend on them). */
static void idb_options(const sl_pcapng *r, const uint8_t *p, size_t n, iface *ifc)
{
    size_t o = 0;
    while (n - o >= 4) {
        uint16_t code = rd16(r, p + o), len = rd16(r, p + o + 2);
        o += 4;
        if (code == 0 || len > n - o)
            break;
        if (code == 9 && len == 1) {
            uint8_t v = p[o];
            ifc->pow2 = (v & 0x80) != 0;
            ifc->k = v & 0x7F;
            /* 10^-19 is the finest decimal unit a 64-bit count can use; 2^-63 the finest
             * binary one. Anything finer is nonsense: keep the default. */
            if ((!ifc->pow2 && ifc->k > 19) || (ifc->pow2 && ifc->k > 63)) {
                ifc->pow2 = 0;
                ifc->k = 6;
            }
        } else if (code == 14 && len == 8) {
            uint64_t hi = rd32(r, p + o), lo = rd32(r, p + o + 4);
            ifc->tsoffset = (int64_t)(r->be ? hi << 32 | lo : lo << 32 | hi);
        }
        o += ((size_t)len + 3) & ~(size_t)3;
    }
}

static void set_time(const iface *ifc, uint64_t ts, sl_pcapng_pkt *pkt)
{
    uint64_t sec, nsec;
    if (ifc->pow2) {
        unsigned k = ifc->k;
        sec = k ? ts >> k : ts;
        uint64_t frac = k ? ts & ((UINT64_C(1) << k) - 1) : 0;
        nsec = (uint64_t)(((unsigned __int128)frac * 1000000000u) >> k);
    } else {
        uint64_t div = 1;
        for (unsigned i = 0; i < ifc->k; i++)
            div *= 10;
        sec = ts / div;
        uint64_t rem = ts % div;
        if (ifc->k <= 9) {
            for (unsigned i = ifc->k; i < 9; i++)
                rem *= 10;
        } else {
            for (unsigned i = 9; i < ifc->k; i++)
                rem /= 10;
        }
        nsec = rem;
    }
    /* Clamp to +-2^62 s (each part to +-2^61): a hostile time stamp or if_tsoffset must not
     * overflow here, nor where idle timeouts are added to the time (tcp.c, sctp.c). */
    const int64_t half = INT64_C(1) << 61;
    int64_t s = sec > (uint64_t)half ? half : (int64_t)sec;
    int64_t off = ifc->tsoffset > half ? half : ifc->tsoffset < -half ? -half : ifc->tsoffset;
    s += off; /* both within +-2^61: the sum is within +-2^62 */
    pkt->ts_sec = s;
    pkt->ts_nsec = (uint32_t)nsec;
}

int sl_pcapng_next(sl_pcapng *r, sl_pcapng_pkt *pkt, char *why, size_t why_len)
{
    uint8_t h[12];
    for (;;) {
        uint64_t boff = r->off - (r->first ? 4 : 0);
        size_t got;
        /* Block type and length; the caller read the first block's type. */
        if (r->first) {
            r->first = 0;
            h[0] = 0x0A, h[1] = 0x0D, h[2] = 0x0D, h[3] = 0x0A;
            if (!rd_exact(r, h + 4, 4, &got))
                DAMAGE("file ends inside the block header at byte %llu", (unsigned long long)boff);
        } else if (!rd_exact(r, h, 8, &got)) {
            if (got == 0 && !ferror(r->fp))
                return 0;
            if (ferror(r->fp))
                DAMAGE("read error at byte %llu", (unsigned long long)(boff + got));
            DAMAGE("file ends inside the block header at byte %llu", (unsigned long long)boff);
        }
        uint32_t type, blen;
        if (memcmp(h, "\x0A\x0D\x0D\x0A", 4) == 0) {
            /* SHB: the byte-order magic after the length decides the section's byte order. */
            if (!rd_exact(r, h + 8, 4, NULL))
                DAMAGE("file ends inside the section header block at byte %llu",
                       (unsigned long long)boff);
            if (memcmp(h + 8, "\x1A\x2B\x3C\x4D", 4) == 0)
                r->be = 1;
            else if (memcmp(h + 8, "\x4D\x3C\x2B\x1A", 4) == 0)
                r->be = 0;
            else
                DAMAGE("section header block at byte %llu has no byte-order magic",
                       (unsigned long long)boff);
            type = BT_SHB;
            blen = rd32(r, h + 4);
            if (blen < 28 || blen % 4 != 0)
                DAMAGE("section header block at byte %llu has length %u",
                       (unsigned long long)boff, (unsigned)blen);
            r->nifs = 0; /* interface ids are per section */
        } else {
            type = rd32(r, h);
            blen = rd32(r, h + 4);
            if (blen < 12 || blen % 4 != 0)
                DAMAGE("block at byte %llu has length %u", (unsigned long long)boff,
                       (unsigned)blen);
        }
        size_t hdr = type == BT_SHB ? 12 : 8;
        size_t rest = blen - hdr; /* body and trailing length */
        int wanted = type == BT_IDB || type == BT_EPB || type == BT_SPB || type == BT_PB ||
                     type == BT_SHB;
        if (!wanted || blen > SL_PCAPNG_MAX_BLOCK) {
            if (wanted && type != BT_SHB)
                DAMAGE("packet block at byte %llu claims %u bytes (more than %u)",
                       (unsigned long long)boff, (unsigned)blen, SL_PCAPNG_MAX_BLOCK);
            /* Skip it (an SHB with huge options included), checking the trailing length. */
            uint8_t tmp[4096];
            while (rest > 4) {
                size_t n = rest - 4 < sizeof tmp ? rest - 4 : sizeof tmp;
                if (!rd_exact(r, tmp, n, NULL))
                    DAMAGE("file ends inside the block at byte %llu", (unsigned long long)boff);
                rest -= n;
            }
            if (!rd_exact(r, tmp, 4, NULL))
                DAMAGE("file ends inside the block at byte %llu", (unsigned long long)boff);
            if (rd32(r, tmp) != blen)
                DAMAGE("block at byte %llu: trailing length %u differs from %u",
                       (unsigned long long)boff, (unsigned)rd32(r, tmp), (unsigned)blen);
            continue;
        }
        if (!grow(r, rest))
            DAMAGE("out of memory reading the block at byte %llu", (unsigned long long)boff);
        if (!rd_exact(r, r->buf, rest, NULL))
            DAMAGE("file ends inside the block at byte %llu", (unsigned long long)boff);
        if (rd32(r, r->buf + rest - 4) != blen)
            DAMAGE("block at byte %llu: trailing length %u differs from %u",
                   (unsigned long long)boff, (unsigned)rd32(r, r->buf + rest - 4),
                   (unsigned)blen);
        const uint8_t *b = r->buf;
        size_t bl = rest - 4;
        pkt->offset = boff;

        switch (type) {
        case BT_SHB:
            /* major(2) minor(2) section length(8) options: version 1 only */
            if (bl < 4 || rd16(r, b) != 1)
                DAMAGE("section header block at byte %llu: unsupported version %u",
                       (unsigned long long)boff, bl < 4 ? 0u : (unsigned)rd16(r, b));
            continue;
        case BT_IDB: {
            if (bl < 8)
                DAMAGE("interface description block at byte %llu is too short",
                       (unsigned long long)boff);
            if (r->nifs >= MAX_IFACES)
                DAMAGE("more than %u interfaces in one section at byte %llu", MAX_IFACES,
                       (unsigned long long)boff);
            if (r->nifs == r->capifs) {
                size_t c = r->capifs ? r->capifs * 2 : 8;
                iface *n = realloc(r->ifs, c * sizeof *n);
                if (n == NULL)
                    DAMAGE("out of memory at byte %llu", (unsigned long long)boff);
                r->ifs = n;
                r->capifs = c;
            }
            iface *ifc = &r->ifs[r->nifs++];
            memset(ifc, 0, sizeof *ifc);
            ifc->linktype = rd16(r, b);
            ifc->snaplen = rd32(r, b + 4);
            ifc->k = 6; /* microseconds unless if_tsresol says otherwise */
            idb_options(r, b + 8, bl - 8, ifc);
            continue;
        }
        case BT_EPB:
        case BT_PB: {
            /* EPB: interface(4) ts high(4) ts low(4) caplen(4) len(4) data options.
             * PB:  interface(2) drops(2) ts high(4) ts low(4) caplen(4) len(4) data options. */
            if (bl < 20)
                DAMAGE("packet block at byte %llu is too short", (unsigned long long)boff);
            uint32_t ifid = type == BT_EPB ? rd32(r, b) : rd16(r, b);
            if (ifid >= r->nifs)
                DAMAGE("packet block at byte %llu names interface %u, but the section has %zu",
                       (unsigned long long)boff, (unsigned)ifid, r->nifs);
            uint32_t caplen = rd32(r, b + 12), len = rd32(r, b + 16);
            if (caplen > bl - 20)
                DAMAGE("packet block at byte %llu: captured length %u exceeds the block",
                       (unsigned long long)boff, (unsigned)caplen);
            const iface *ifc = &r->ifs[ifid];
            set_time(ifc, (uint64_t)rd32(r, b + 4) << 32 | rd32(r, b + 8), pkt);
            pkt->linktype = ifc->linktype;
            pkt->caplen = caplen;
            pkt->len = len < caplen ? caplen : len;
            pkt->data = b + 20;
            pkt->data_offset = boff + 28;
            return 1;
        }
        case BT_SPB: {
            /* original length(4) data: the captured length is what the block holds, cut to
             * interface 0's snap length. No time stamp. */
            if (bl < 4)
                DAMAGE("simple packet block at byte %llu is too short", (unsigned long long)boff);
            if (r->nifs == 0)
                DAMAGE("simple packet block at byte %llu before any interface",
                       (unsigned long long)boff);
            const iface *ifc = &r->ifs[0];
            uint32_t len = rd32(r, b);
            uint32_t caplen = (uint32_t)(bl - 4);
            if (len < caplen)
                caplen = len;
            if (ifc->snaplen && ifc->snaplen < caplen)
                caplen = ifc->snaplen;
            pkt->linktype = ifc->linktype;
            pkt->ts_sec = 0;
            pkt->ts_nsec = 0;
            pkt->caplen = caplen;
            pkt->len = len;
            pkt->data = b + 4;
            pkt->data_offset = boff + 12;
            return 1;
        }
        default:
            continue;
        }
    }
}
