/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Classic pcap records read in large blocks: see pcapfile.h. */
#include "pcapfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REC_HDR 16                /* seconds, fraction, captured length, wire length */
#define MAX_CAPLEN 262144u        /* libpcap's MAXIMUM_SNAPLEN: larger records are damage */
#define BLOCK (1u << 20)          /* bytes asked of the stream at a time */
#define BUF_CAP (BLOCK + MAX_CAPLEN + REC_HDR) /* a whole record always fits after a shift */

struct sl_pcapf {
    FILE *fp;
    int big, nsec;
    uint32_t snaplen;
    uint8_t *buf;
    size_t pos, end;  /* unread bytes: buf[pos..end) */
    uint64_t buf_off; /* file offset of buf[0] */
    int eof;          /* the stream gave fewer bytes than asked: it has no more */
    int err;          /* ... because of a read error (errno in err_no) */
    int err_no;
};

sl_pcapf *sl_pcapf_new(FILE *fp, uint64_t start, int big, int nsec, uint32_t snaplen)
{
    sl_pcapf *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->buf = malloc(BUF_CAP);
    if (r->buf == NULL) {
        free(r);
        return NULL;
    }
    r->fp = fp;
    r->big = big;
    r->nsec = nsec;
    r->snaplen = snaplen;
    r->buf_off = start;
    return r;
}

void sl_pcapf_free(sl_pcapf *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}

/* Make at least need bytes (at most MAX_CAPLEN + REC_HDR) readable at buf[pos] if the stream
 * has them; returns how many are readable. Bytes before pos are given up, so pointers handed
 * out earlier become invalid. */
static size_t fill(sl_pcapf *r, size_t need)
{
    if (r->end - r->pos >= need || r->eof)
        return r->end - r->pos;
    if (BUF_CAP - r->pos < need) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->buf_off += r->pos;
        r->end -= r->pos;
        r->pos = 0;
    }
    while (r->end - r->pos < need && !r->eof) {
        size_t room = BUF_CAP - r->end;
        if (room > BLOCK)
            room = BLOCK;
        size_t got = fread(r->buf + r->end, 1, room, r->fp);
        r->end += got;
        if (got < room) {
            /* fread stops short only at the end of the stream or on an error */
            r->eof = 1;
            if (ferror(r->fp)) {
                r->err = 1;
                r->err_no = errno;
            }
        }
    }
    return r->end - r->pos;
}

static uint32_t rd32(const uint8_t *p, int big)
{
    if (big)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* libpcap's sentence for a read error (pcap_fmt_errmsg_for_errno). */
static int read_error(const sl_pcapf *r, char *why, size_t whylen)
{
    snprintf(why, whylen, "error reading dump file: %s", strerror(r->err_no));
    return -1;
}

/* The ends of sl_pcapf_next that are not a record, kept out of line (noinline) so that the
 * record path needs no stack frame of its own for them: the end of the file or damage while
 * reading a record header (have bytes of it), a capture length past the maximum, damage while
 * reading caplen bytes of which keep are kept. */
__attribute__((noinline)) static int short_header(const sl_pcapf *r, size_t have, char *why,
                                                  size_t whylen)
{
    if (r->err)
        return read_error(r, why, whylen);
    if (have == 0)
        return 0;
    snprintf(why, whylen, "truncated dump file; tried to read %zu header bytes, only got %zu",
             (size_t)REC_HDR, have);
    return -1;
}

__attribute__((noinline)) static int bad_caplen(const sl_pcapf *r, uint32_t caplen, char *why,
                                                size_t whylen)
{
    if (caplen > r->snaplen)
        snprintf(why, whylen, "invalid packet capture length %u, bigger than snaplen of %d",
                 caplen, (int)r->snaplen);
    else
        snprintf(why, whylen, "invalid packet capture length %u, bigger than maximum of %u",
                 caplen, MAX_CAPLEN);
    return -1;
}

__attribute__((noinline)) static int short_record(const sl_pcapf *r, size_t have, uint32_t caplen,
                                                  uint32_t keep, char *why, size_t whylen)
{
    if (r->err)
        return read_error(r, why, whylen);
    snprintf(why, whylen, "truncated dump file; tried to read %u captured bytes, only got %zu",
             have < keep ? keep : caplen, have);
    return -1;
}

int sl_pcapf_next(sl_pcapf *r, sl_pcapf_rec *out, char *why, size_t whylen)
{
    /* (fill is called only when the buffer runs short: once per megabyte) */
    size_t have = r->end - r->pos >= REC_HDR ? r->end - r->pos : fill(r, REC_HDR);
    if (have < REC_HDR)
        return short_header(r, have, why, whylen);
    const uint8_t *h = r->buf + r->pos;
    uint32_t sec = rd32(h, r->big), frac = rd32(h + 4, r->big);
    uint32_t caplen = rd32(h + 8, r->big), len = rd32(h + 12, r->big);
    if (caplen > MAX_CAPLEN)
        return bad_caplen(r, caplen, why, whylen);
    /* The header is consumed; the record's bytes follow it. */
    r->pos += REC_HDR;
    have = r->end - r->pos >= caplen ? r->end - r->pos : fill(r, caplen);
    /* A record longer than the snapshot length is cut to it, the rest skipped (libpcap does
     * so; its sentence names the length it was reading when the file ended). */
    uint32_t keep = caplen > r->snaplen ? r->snaplen : caplen;
    if (have < caplen)
        return short_record(r, have, caplen, keep, why, whylen);
    out->data = r->buf + r->pos;
    r->pos += caplen;
    out->caplen = keep;
    out->len = len;
    out->end = r->buf_off + r->pos;
    /* Seconds are unsigned 32 bits; the fraction is read as libpcap reads it (signed, scaled to
     * nanoseconds), a negative one counts as 0, and a whole second or more is carried over. */
    int64_t f = (int64_t)(int32_t)frac * (r->nsec ? 1 : 1000);
    if (f < 0)
        f = 0;
    if (f < 1000000000) { /* the usual fraction: nothing to carry, no division */
        out->ts_sec = (int64_t)sec;
        out->ts_nsec = (uint32_t)f;
        return 1;
    }
    out->ts_sec = (int64_t)sec + f / 1000000000;
    out->ts_nsec = (uint32_t)(f % 1000000000);
    return 1;
}
