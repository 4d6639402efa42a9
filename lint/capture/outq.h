/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture layer's output queue (internal to lint/capture).
 *
 * One frame can yield several items (several SIP messages in one TCP segment, several SCTP
 * DATA chunks, a fragment timeout event and a datagram) or none (a segment that only adds to
 * a stream). The decoders push what a frame yields; sl_capture_next hands the items out one by
 * one and reads the next frame only when the queue is empty. So the data an item points at
 * must stay valid until the decoder that pushed it is called again: the frame itself, a
 * reassembly buffer, or a stream buffer the decoder does not touch before its next call. */
#ifndef SIPLINT_CAPTURE_OUTQ_H
#define SIPLINT_CAPTURE_OUTQ_H

#include "capture.h"

typedef struct sl_outq_item {
    sl_payload pl;
    char text[SL_CAP_EVENT_TEXT];
} sl_outq_item;

typedef struct sl_outq {
    sl_outq_item *items;
    size_t n;     /* pushed */
    size_t head;  /* handed out */
    size_t cap;
} sl_outq;

void sl_outq_init(sl_outq *q);
void sl_outq_free(sl_outq *q);

/* A SIP message (stream transports: one framed message) or a datagram payload that may carry
 * one (UDP, SCTP DATA, WebSocket message). meta->transport and the addresses must be set.
 * Returns 0, or -1 when memory is exhausted. */
int sl_outq_message(sl_outq *q, const void *data, size_t len, const sl_meta *meta);

/* A capture event: rule is one of the CAP-* rules (or SIP-PARSE for stream garbage); the
 * text is the finding's message. Returns 0, or -1 when memory is exhausted. */
int sl_outq_event(sl_outq *q, sl_rule_id rule, const sl_meta *meta, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Hand out the next item: 1 with *out filled (out->text points into the queue and is valid
 * until the queue is next pushed to), 0 when the queue is empty (it is then reset). */
int sl_outq_pop(sl_outq *q, sl_payload *out);

#endif
