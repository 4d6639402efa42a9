/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siplint engine contract: feed one SIP message with its capture facts, receive findings. */
#ifndef SIPLINT_ENGINE_H
#define SIPLINT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "siplint/sip.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIPLINT_VERSION "0.1.0"

/* ---- rules ---------------------------------------------------------------------------------- */

typedef enum sl_severity {
    SL_SEV_NONE = 0,   /* rule disabled */
    SL_SEV_NOTE = 1,
    SL_SEV_WARNING = 2,
    SL_SEV_ERROR = 3
} sl_severity;

/* How Wireshark groups a rule's expert item. */
typedef enum sl_rule_group {
    SL_GROUP_PROTOCOL = 0,  /* an RFC requirement broken by one message */
    SL_GROUP_SEQUENCE = 1,  /* transaction or dialog order */
    SL_GROUP_MALFORMED = 2  /* bytes that do not parse, capture damage */
} sl_rule_group;

/* Rule ids, in the order of the rule table (lint/rules/rules.def). */
typedef enum sl_rule_id {
#define SL_RULE(sym, id, sev, group, rfc, summary) sym,
#include "siplint/rules.def"
#undef SL_RULE
    SL_RULE__COUNT
} sl_rule_id;

/* One row of the rule table: the only place a rule is described. */
typedef struct sl_rule {
    sl_rule_id sym;
    const char *id;          /* "MSG-SIZE": stable, never renamed or reused */
    sl_severity severity;    /* default severity */
    sl_rule_group group;
    const char *rfc;         /* "RFC 3428 §8" */
    const char *summary;     /* one line */
} sl_rule;

size_t sl_rule_count(void);
const sl_rule *sl_rule_at(size_t i);               /* i < sl_rule_count() */
const sl_rule *sl_rule_by_id(const char *id);      /* NULL if unknown */
const char *sl_severity_name(sl_severity s);       /* "error", "warning", "note", "none" */
int sl_severity_parse(const char *s, sl_severity *out); /* 0 ok, -1 unknown name */

/* ---- messages in ---------------------------------------------------------------------------- */

typedef enum sl_transport {
    SL_TP_UNKNOWN = 0,
    SL_TP_UDP,
    SL_TP_TCP,
    SL_TP_TLS,
    SL_TP_SCTP,
    SL_TP_WS,
    SL_TP_WSS
} sl_transport;

const char *sl_transport_name(sl_transport t);        /* "udp", "tcp", ... */
int sl_transport_parse(const char *s, sl_transport *out);
int sl_transport_is_stream(sl_transport t);           /* TCP, TLS (SCTP/WS are message-based) */
int sl_transport_is_congestion_controlled(sl_transport t); /* catalogue D4 */

enum {
    SL_META_REASSEMBLED = 1u << 0, /* carried by several IP fragments or TCP segments */
    SL_META_TRUNCATED = 1u << 1,   /* the capture's snap length cut the message */
    SL_META_RAW_FILE = 1u << 2     /* from a raw SIP message file, not a capture */
};

/* The capture facts that come with one message. */
typedef struct sl_meta {
    uint64_t frame_first;   /* first frame that carried the message (1-based) */
    uint64_t frame_last;    /* frame that completed it: findings are reported here */
    int64_t ts_sec;         /* capture time of frame_last */
    uint32_t ts_nsec;
    sl_transport transport;
    uint8_t af;             /* 4 or 6, 0 unknown */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    unsigned flags;         /* SL_META_* */
} sl_meta;

/* ---- findings out --------------------------------------------------------------------------- */

#define SL_MAX_RELATED 4

/* What a message finding's fingerprint is made of besides its Call-ID, CSeq number and CSeq
 * method (sl_fingerprint). */
typedef struct sl_fp_parts {
    uint64_t rule_hash;      /* the hash of the rule's id, where the fingerprint starts */
    int request;             /* a request: its method counts; a response: its status */
    sl_span method;
    unsigned status;
    sl_span row;             /* the name of the header row that holds the offending bytes, in any
                              * case; len 0 for the start line */
} sl_fp_parts;

typedef struct sl_finding {
    const sl_rule *rule;
    sl_severity severity;    /* effective severity (configuration applied) */
    const char *message;     /* human sentence with the values involved; valid during the call */
    uint64_t frame;          /* frame in which the violation became certain */
    uint64_t related[SL_MAX_RELATED];
    unsigned n_related;
    size_t msg_offset;       /* where the message starts in the buffer that was fed */
    size_t offset;           /* offset of the offending bytes inside the message */
    size_t length;           /* their length (0 = the message as a whole) */
    size_t msg_len;          /* length of the message (catalogue D3) */
    sl_span call_id;         /* into the fed buffer; valid during the call; len 0 if none */
    uint64_t cseq;           /* 0 if none */
    sl_span cseq_method;
    sl_span start_line;      /* the message's first line, for display */
    const sl_meta *meta;
    uint64_t fingerprint;    /* stable across runs and frame renumbering (see engine.c) */
    size_t message_len;      /* strlen(message) */
    /* With sl_engine_defer_fingerprints: fingerprint is 0, fp_deferred 1 and fp filled for the
     * findings of a message (not those of sl_engine_report), so that a sink which copies the
     * finding can compute the fingerprint later, on another thread, with sl_fingerprint. */
    int fp_deferred;
    sl_fp_parts fp;          /* spans into the fed buffer: valid during the call */
} sl_finding;

/* Receives each finding. The pointers inside *f are valid only during the call. */
typedef void (*sl_sink)(const sl_finding *f, void *user);

/* ---- configuration ------------------------------------------------------------------------- */

typedef struct sl_config {
    sl_severity severity[SL_RULE__COUNT];  /* per rule; SL_SEV_NONE disables */
    unsigned max_message_size;             /* MSG-SIZE limit, default 1300 (RFC 3428 §8) */
    int assume_congestion_safe;            /* MSG-SIZE: the operator asserts every hop is safe */
    unsigned path_mtu;                     /* known path MTU in bytes, 0 = unknown (SIP-UDP-SIZE:
                                            * limit MTU - 200; MSG-SIZE: quiet if MTU >= size+200) */
    unsigned t1_ms, t2_ms, t4_ms;          /* RFC 3261 timers (catalogue D5): 500, 4000, 5000 */
    unsigned date_stale_s;                 /* MSG-DATE-STALE: "several minutes", default 300 */
    unsigned max_transactions;             /* tracker bound: transactions held at once (slots,
                                            * rounded up to a power of two); 0 = 32768 */
} sl_config;

/* Defaults: every rule at its table severity, limit 1300, MTU unknown, T1/T2/T4 = 500/4000/5000 ms,
 * stale after 300 s. */
void sl_config_default(sl_config *c);

/* ---- the engine ----------------------------------------------------------------------------- */

typedef struct sl_engine sl_engine;

/* Returns NULL only when memory is exhausted. The config is copied. */
sl_engine *sl_engine_new(const sl_config *cfg, sl_sink sink, void *user);
void sl_engine_free(sl_engine *e);

/* From now on leave the fingerprint of message findings to the sink (sl_finding.fp_deferred). */
void sl_engine_defer_fingerprints(sl_engine *e);
/* The fingerprint of a message finding from its parts: what the engine puts in
 * sl_finding.fingerprint when it does not defer it. */
uint64_t sl_fingerprint(sl_span call_id, uint64_t cseq, sl_span cseq_method, const sl_fp_parts *fp);

/* 0 when sl_engine_feed would answer SL_FEED_NOT_SIP for these bytes, whatever their meta:
 * neither a SIP start line nor SIP headers without one (RTP, STUN, keep-alives). A front-end may
 * skip such payloads instead of feeding them; nothing else in the engine depends on them. */
int sl_engine_is_sip(const char *buf, size_t len);

/* What sl_engine_feed found in the bytes. */
typedef enum sl_feed_rc {
    SL_FEED_LINTED = 0,   /* a SIP message was linted (findings went to the sink) */
    SL_FEED_NOT_SIP = 1,  /* not SIP (keep-alive, STUN, other protocol); nothing reported */
    SL_FEED_NOMEM = -1
} sl_feed_rc;

/* Lint one SIP message. buf holds the message; on datagram transports (UDP, SCTP, WS, unknown)
 * it is the whole datagram payload, whose bytes after the Content-Length body are trailing.
 * On stream transports (TCP, TLS) buf is one message as framed by sl_frame_stream.
 * If out_len is not NULL it receives the message length. */
sl_feed_rc sl_engine_feed(sl_engine *e, const char *buf, size_t len, const sl_meta *meta,
                          size_t *out_len);

/* sl_engine_feed for a message parsed already, so that the parse can run elsewhere (the CLI
 * parses on its reader thread, the rules run on the engine's). rc and *m must be what
 * sl_parse(ps, buf, len, mode, m) returned for exactly these bytes, with mode SL_FRAME_STREAM
 * when sl_transport_is_stream(meta->transport) and SL_FRAME_DATAGRAM otherwise (m->hdrs may
 * point into ps's rows, or into a copy of the m->n_hdrs rows made before ps parsed again).
 * buf, *m and the rows stay the caller's; the engine only reads them, during the call.
 * Everything else is as sl_engine_feed: a message with SL_META_TRUNCATED is reported without
 * looking at rc or *m (the caller need not parse it), SL_PARSE_NOMEM gives SL_FEED_NOMEM,
 * NOT_SIP bytes that hold SIP headers are still reported, and the same stats count. */
sl_feed_rc sl_engine_feed_parsed(sl_engine *e, const char *buf, size_t len, const sl_meta *meta,
                                 sl_parse_rc rc, const sl_msg *m, size_t *out_len);

/* Report a capture-level problem (CAP-TRUNCATED, CAP-TCP-GAP, ...) through the same sink. */
void sl_engine_report(sl_engine *e, sl_rule_id rule, const sl_meta *meta, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Counters since sl_engine_new. */
typedef struct sl_stats {
    uint64_t messages;
    uint64_t requests;
    uint64_t responses;
    uint64_t findings[4];     /* by effective severity */
    uint64_t by_rule[SL_RULE__COUNT];
    /* The transaction/dialog tracker's bound (docs/architecture.md): records it could not keep
     * because a table was full. While it loses records, rules that would conclude from the
     * absence of an earlier message stay quiet; a front-end may show this count once. */
    uint64_t tracker_dropped;
    uint64_t tracker_bytes;   /* memory the tracker's tables may use at most */
} sl_stats;
const sl_stats *sl_engine_stats(const sl_engine *e);

#ifdef __cplusplus
}
#endif
#endif
