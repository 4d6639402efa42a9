/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4/IPv6 fragment reassembly (internal to lint/capture): bounded, timed by capture time. */
#ifndef SIPLINT_CAPTURE_FRAG_H
#define SIPLINT_CAPTURE_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "outq.h"

/*
 * Fragments are keyed as the receiver keys them: IPv4 by source, destination, protocol and
 * identification (RFC 791 §3.2), IPv6 by source, destination and identification (RFC 8200
 * §4.5). The payload of each fragment is copied into its datagram's buffer; nothing else is
 * copied. Every datagram that never completes yields exactly one CAP-FRAG-INCOMPLETE event,
 * reported at the frame of the last fragment seen of it (frame_first: its first fragment), for
 * one of four reasons:
 *   - its time ran out (capture time, counted from its first fragment: 30 s for IPv4 like
 *     Linux's ipfrag_time, 60 s for IPv6, RFC 8200 §4.5);
 *   - a fragment overlapped bytes already received with different bytes: the datagram is
 *     discarded, as RFC 5722 requires for IPv6 and Linux does for IPv4, since a receiver cannot
 *     know which copy the sender meant (overlaps with the same bytes are harmless duplicates:
 *     counted, not reported);
 *   - the limits on pending datagrams or bytes were reached: the oldest datagram is evicted;
 *   - the capture ended.
 */

typedef struct sl_frag sl_frag;

typedef struct sl_frag_limits {
    size_t max_datagrams;   /* pending datagrams; default 1024 */
    size_t max_bytes;       /* memory held by pending datagrams; default 4 MiB */
    uint32_t timeout4_s;    /* default 30 */
    uint32_t timeout6_s;    /* default 60 */
} sl_frag_limits;

typedef struct sl_frag_stats {
    uint64_t reassembled;   /* datagrams completed */
    uint64_t duplicates;    /* fragments whose bytes were all or partly received before, same data */
    uint64_t conflicts;     /* fragments overlapping earlier bytes with different data */
    uint64_t incomplete;    /* datagrams reported with CAP-FRAG-INCOMPLETE (all reasons) */
    uint64_t timed_out;     /* of incomplete: time ran out */
    uint64_t evicted;       /* of incomplete: a limit was reached */
    uint64_t malformed;     /* fragments that cannot be part of any datagram (bad length) */
    size_t peak_bytes;      /* most memory held at once */
} sl_frag_stats;

/* limits NULL: the defaults. Returns NULL only when memory is exhausted. */
sl_frag *sl_frag_new(const sl_frag_limits *limits);
void sl_frag_free(sl_frag *f);

/* A completed datagram. ip.src, ip.dst and ip.payload point into mem, which the caller now
 * owns (free(mem)). ip.payload_avail < ip.payload_len when the snap length cut a fragment. */
typedef struct sl_frag_done {
    void *mem;
    sl_ip_pkt ip;
    uint64_t frame_first;   /* the frame of the first fragment seen */
} sl_frag_done;

typedef enum sl_frag_rc {
    SL_FRAG_HELD = 0,       /* stored (or absorbed as a duplicate); nothing complete yet */
    SL_FRAG_DONE = 1,       /* this fragment completed a datagram: *out is filled */
    SL_FRAG_BAD = -1        /* a fragment that cannot be reassembled (length not a multiple of
                             * 8 with more to come, or past 65535 bytes); ignored */
} sl_frag_rc;

/* Capture time passes: report and drop every datagram whose time ran out by now_ns
 * (nanoseconds since the epoch of the capture). Call it for every frame before its fragment,
 * if any, is fed, so that events come out in a deterministic order. Cheap when nothing is due.
 * Returns 1 when it dropped something (the statistics changed), else 0. */
int sl_frag_tick(sl_frag *f, int64_t now_ns, sl_outq *q);

/* One fragment as the IP step described it (SL_DEC_FRAGMENT). cut: the snap length cut this
 * frame (ip->payload_avail may then be < ip->payload_len; the missing bytes are marked and the
 * completed datagram's payload_avail stops before the first of them). Events (a conflict, an
 * eviction) go to q. */
sl_frag_rc sl_frag_feed(sl_frag *f, const sl_ip_pkt *ip, int cut, uint64_t frame, int64_t now_ns,
                        sl_outq *q, sl_frag_done *out);

/* End of capture: one CAP-FRAG-INCOMPLETE event per datagram still pending, oldest first. */
void sl_frag_finish(sl_frag *f, sl_outq *q);

const sl_frag_stats *sl_frag_stats_get(const sl_frag *f);

#endif
