/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz harness: the engine on a sequence of messages with varying capture facts, for the
 * stateful rules (transactions, dialogs, timers driven by capture time).
 *
 * Input: records separated by the two bytes FF FE. Each record's first byte chooses the
 * message's facts; the rest is the message:
 *   bits 0-2  transport (UDP, TCP, TLS, SCTP, WS, WSS, unknown, UDP)
 *   bit 3     direction: B->A instead of A->B
 *   bit 4     IPv6 instead of IPv4
 *   bit 5     SL_META_REASSEMBLED (spanning the previous frame too)
 *   bit 6     time goes back by the gap instead of forward (damaged or merged captures)
 *   bit 7     SL_META_TRUNCATED
 *   and the byte's value picks the time gap: 0 .. 65 s, in steps of ~257 ms. */
#include <string.h>

#include "fuzz.h"

static unsigned acc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sl_transport tps[8] = {SL_TP_UDP, SL_TP_TCP, SL_TP_TLS, SL_TP_SCTP,
                                        SL_TP_WS, SL_TP_WSS, SL_TP_UNKNOWN, SL_TP_UDP};
    sl_engine *e = fz_engine_new(&acc);
    FZ_CHECK(e != NULL);
    sl_meta meta;
    memset(&meta, 0, sizeof meta);
    int64_t t_ns = (int64_t)1700000000 * 1000000000;
    uint64_t frame = 0, fed = 0;
    size_t pos = 0;
    while (pos < size) {
        size_t end = pos;
        while (end < size && !(data[end] == 0xff && end + 1 < size && data[end + 1] == 0xfe))
            end++;
        if (end > pos) {
            uint8_t ctl = data[pos];
            const uint8_t *msg = data + pos + 1;
            size_t mlen = end - pos - 1;
            meta.transport = tps[ctl & 7];
            int back = (ctl >> 3) & 1;
            uint8_t a[16] = {192, 0, 2, 10}, b[16] = {192, 0, 2, 20};
            if (ctl & 0x10) {
                memset(a, 0, 16);
                memset(b, 0, 16);
                a[0] = b[0] = 0x20;
                a[1] = b[1] = 0x01;
                a[15] = 1;
                b[15] = 2;
                meta.af = 6;
            } else {
                meta.af = 4;
            }
            memcpy(meta.src, back ? b : a, 16);
            memcpy(meta.dst, back ? a : b, 16);
            meta.sport = back ? 5070 : 5060;
            meta.dport = back ? 5060 : 5070;
            frame += 1 + ((ctl >> 5) & 1);
            meta.frame_last = frame;
            meta.frame_first = (ctl & 0x20) ? frame - 1 : frame;
            int64_t gap = (int64_t)ctl * 257000000;
            t_ns += (ctl & 0x40) ? -gap : gap;
            meta.ts_sec = t_ns / 1000000000;
            meta.ts_nsec = (uint32_t)(((t_ns % 1000000000) + 1000000000) % 1000000000);
            if (t_ns % 1000000000 < 0)
                meta.ts_sec--;
            meta.flags = 0;
            if (ctl & 0x20)
                meta.flags |= SL_META_REASSEMBLED;
            if (ctl & 0x80)
                meta.flags |= SL_META_TRUNCATED;
            /* an exactly sized copy, so that a read past the message is caught */
            char *copy = malloc(mlen ? mlen : 1);
            FZ_CHECK(copy != NULL);
            memcpy(copy, msg, mlen);
            size_t out_len = 0;
            sl_feed_rc rc = sl_engine_feed(e, copy, mlen, &meta, &out_len);
            FZ_CHECK(rc == SL_FEED_LINTED || rc == SL_FEED_NOT_SIP);
            FZ_CHECK(out_len <= mlen);
            free(copy);
            fed++;
        }
        pos = end + 2;
    }
    const sl_stats *st = sl_engine_stats(e);
    FZ_CHECK(st->messages <= fed);
    FZ_CHECK(st->requests + st->responses <= st->messages);
    sl_engine_free(e);
    return 0;
}
