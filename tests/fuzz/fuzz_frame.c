/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz harness: stream framing (sl_frame_stream) fed in random splits, as a TCP reassembler
 * feeds it. Framing the stream piece by piece must find the same messages at the same offsets
 * as framing it whole; each framed message then goes through the engine as TCP. */
#include <string.h>

#include "fuzz.h"
#include "siplint/sip.h"

#define MAX_EVENTS 4096

typedef struct ev {
    size_t off, len; /* absolute offset in the stream; len 0 for BROKEN */
    int broken;
} ev;

/* Frame everything that is complete in buf[0..len); *done = bytes consumed. Returns 1 if the
 * stream broke (nothing after it is framed). */
static int frame_all(const char *buf, size_t len, size_t base, size_t *done, ev *evs, size_t *n)
{
    size_t pos = 0;
    for (;;) {
        size_t start = 0, mlen = 0;
        const char *why = NULL;
        sl_frame_rc rc = sl_frame_stream(buf + pos, len - pos, &start, &mlen, &why);
        FZ_CHECK(start <= len - pos);
        if (rc == SL_FRAME_COMPLETE) {
            FZ_CHECK(mlen > 0 && mlen <= len - pos - start && why == NULL);
            if (*n < MAX_EVENTS)
                evs[(*n)++] = (ev){base + pos + start, mlen, 0};
            pos += start + mlen;
            continue;
        }
        if (rc == SL_FRAME_BROKEN) {
            FZ_CHECK(why != NULL && why[0] != 0);
            if (*n < MAX_EVENTS)
                evs[(*n)++] = (ev){base + pos + start, 0, 1};
            *done = pos;
            return 1;
        }
        FZ_CHECK(rc == SL_FRAME_NEED_MORE);
        pos += start; /* leading CRLF keep-alives may be dropped */
        *done = pos;
        return 0;
    }
}

static unsigned acc;
static ev whole[MAX_EVENTS], split[MAX_EVENTS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    size_t nw = 0, ns = 0, done = 0;
    frame_all(buf, size, 0, &done, whole, &nw);

    /* Piece by piece: the pending bytes are always a suffix of the stream, so buf + consumed
     * serves as the reassembly buffer; only its length grows with each segment. */
    uint64_t rng = fz_seed(data, size);
    size_t consumed = 0, have = 0;
    int broken = 0;
    while (have < size && !broken) {
        size_t seg;
        switch (fz_next(&rng) % 4) {
        case 0: seg = 1; break;                          /* byte by byte */
        case 1: seg = 1 + fz_next(&rng) % 8; break;      /* splits inside CRLF CRLF */
        case 2: seg = 1 + fz_next(&rng) % 1460; break;   /* MSS-sized */
        default: seg = size - have; break;               /* the rest */
        }
        if (seg > size - have)
            seg = size - have;
        have += seg;
        /* the framer gets an exactly sized copy, so reading past the segment is caught */
        size_t plen = have - consumed;
        char *pend = malloc(plen ? plen : 1);
        FZ_CHECK(pend != NULL);
        memcpy(pend, buf + consumed, plen);
        size_t d = 0;
        broken = frame_all(pend, plen, consumed, &d, split, &ns);
        free(pend);
        consumed += d;
    }
    /* same messages, same offsets, same breakage */
    FZ_CHECK(nw == ns);
    for (size_t i = 0; i < nw; i++)
        FZ_CHECK(whole[i].off == split[i].off && whole[i].len == split[i].len &&
                 whole[i].broken == split[i].broken);

    /* each framed message through the engine, as the TCP layer hands it over */
    sl_engine *e = fz_engine_new(&acc);
    FZ_CHECK(e != NULL);
    sl_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.transport = SL_TP_TCP;
    meta.af = 4;
    for (size_t i = 0; i < nw; i++) {
        if (whole[i].broken)
            continue;
        meta.frame_first = meta.frame_last = i + 1;
        char *msg = malloc(whole[i].len);
        FZ_CHECK(msg != NULL);
        memcpy(msg, buf + whole[i].off, whole[i].len);
        size_t out_len = 0;
        sl_engine_feed(e, msg, whole[i].len, &meta, &out_len);
        FZ_CHECK(out_len <= whole[i].len);
        free(msg);
    }
    sl_engine_free(e);
    return 0;
}
