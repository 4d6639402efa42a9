/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz harness: the capture layer on a whole pcap or pcapng file (libpcap reading from
 * fmemopen), every payload through the engine and every event reported, as the CLI does. */
#include <string.h>

#include "capture.h"
#include "fuzz.h"

static unsigned acc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0; /* fmemopen refuses an empty buffer; the CLI rejects empty files earlier */
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (fp == NULL)
        return 0;
    char err[SL_CAP_ERRBUF];
    err[0] = 0;
    sl_capture *c = sl_capture_open_fp(fp, "fuzz", err);
    if (c == NULL) {
        FZ_CHECK(err[0] != 0); /* a refused file always says why */
        return 0;
    }
    sl_engine *e = fz_engine_new(&acc);
    FZ_CHECK(e != NULL);
    sl_payload pl;
    sl_cap_rc rc;
    uint64_t last_frame = 0, n = 0;
    while ((rc = sl_capture_next(c, &pl, err)) == SL_CAP_PAYLOAD) {
        FZ_CHECK(++n < 10000000);
        FZ_CHECK(pl.meta.frame_last >= pl.meta.frame_first);
        FZ_CHECK(pl.meta.ts_nsec < 1000000000u);
        if (pl.kind == SL_PAYLOAD_EVENT) {
            /* an event may name earlier frames (a datagram whose fragments timed out) */
            FZ_CHECK(pl.text != NULL);
            sl_engine_report(e, pl.rule, &pl.meta, "%s", pl.text);
            continue;
        }
        FZ_CHECK(pl.kind == SL_PAYLOAD_MESSAGE);
        FZ_CHECK(pl.meta.frame_last >= last_frame); /* messages come out in frame order */
        last_frame = pl.meta.frame_last;
        /* the payload must be readable to its last byte: copy it exactly sized */
        char *copy = malloc(pl.len ? pl.len : 1);
        FZ_CHECK(copy != NULL);
        memcpy(copy, pl.data, pl.len);
        sl_engine_feed(e, copy, pl.len, &pl.meta, NULL);
        free(copy);
    }
    if (rc == SL_CAP_DAMAGED) {
        FZ_CHECK(err[0] != 0);
        /* damage is sticky */
        FZ_CHECK(sl_capture_next(c, &pl, err) == SL_CAP_DAMAGED);
    } else {
        FZ_CHECK(rc == SL_CAP_EOF);
    }
    const sl_cap_stats *st = sl_capture_stats(c);
    FZ_CHECK(st->skipped <= st->packets && st->fragments <= st->packets);
    FZ_CHECK(st->truncated <= st->payloads && st->frag_evicted <= st->frag_incomplete);
    sl_engine_free(e);
    sl_capture_close(c);
    return 0;
}
