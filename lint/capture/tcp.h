/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stream transports (internal to lint/capture): TCP segment reassembly with SIP framing, SIP over
 * WebSocket (RFC 7118) on TCP, TLS detection, and SCTP DATA chunk reassembly (RFC 4168).
 *
 * Each module keeps per-flow state and pushes what a packet completes to an output queue:
 * framed SIP messages (sl_outq_message) and capture events (sl_outq_event: CAP-TCP-GAP,
 * CAP-OPAQUE, SIP-PARSE for stream garbage). The data of pushed items stays valid until the next
 * call into the same module (sl_tcp_* or sl_sctp_*). Memory is bounded (see tcp.c). */
#ifndef SIPLINT_CAPTURE_TCP_H
#define SIPLINT_CAPTURE_TCP_H

#include "decode.h"
#include "outq.h"

typedef struct sl_tcp sl_tcp;

sl_tcp *sl_tcp_new(void); /* NULL on out of memory */
void sl_tcp_free(sl_tcp *t);

/* One TCP segment. ip->proto == 6; ip->payload is the TCP header onward, ip->payload_avail bytes
 * captured; meta: frame numbers, time, af, src/dst set by the caller (ports and transport are
 * filled in here); cut: the snap length cut this frame. Complete SIP messages and capture events
 * go to q; their data stays valid until the next call into this module. */
void sl_tcp_feed(sl_tcp *t, const sl_ip_pkt *ip, const sl_meta *meta, int cut, sl_outq *q);

/* End of capture: report what is left. A partial message at the end of a stream is not a gap
 * (the capture simply stopped): it is reported as CAP-TRUNCATED, once per stream. */
void sl_tcp_finish(sl_tcp *t, sl_outq *q);

/* SCTP: same shape. */
typedef struct sl_sctp sl_sctp;

sl_sctp *sl_sctp_new(void); /* NULL on out of memory */
void sl_sctp_free(sl_sctp *s);
void sl_sctp_feed(sl_sctp *s, const sl_ip_pkt *ip, const sl_meta *meta, int cut, sl_outq *q);
void sl_sctp_finish(sl_sctp *s, sl_outq *q);

#endif
