/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Engine internals shared with the rule files: the per-message context and how rules report. */
#ifndef SIPLINT_ENGINE_INTERNAL_H
#define SIPLINT_ENGINE_INTERNAL_H

#include <string.h>

#include "siplint/engine.h"
#include "siplint/sip.h"

/* Everything a message rule may read. */
typedef struct sl_ctx {
    struct sl_engine *e;
    const sl_msg *m;
    const sl_meta *meta;
    const sl_config *cfg;
    int cseq_ok;             /* CSeq parsed */
    sl_cseq cseq;
    sl_span call_id;
    struct sl_tracker *trk;  /* the transaction/dialog tracker (stateful rules), NULL when off */
    struct sl_trk_view *tv;  /* what it knows about this message (lint/engine/tracker.h) */
    /* The first Via row and its first element as the tracker read them, for the rules that
     * would locate and parse the same element again (rfc3261.c: check_via, top_via). via1_hdr
     * is NULL when the tracker did not get that far (off, or the message is not tracked). */
    const sl_header *via1_hdr;
    const sl_via *via1;      /* its first element, parsed (valid for the message) */
    int via1_only;           /* the row has no comma: that element is all of it */
    /* The first From and To rows as the tracker parsed them (sl_ctx_addr_row): row [0] From,
     * [1] To, NULL when not known */
    const sl_header *addr_hdr[2];
    const sl_addr *addr_a[2];
    char show[4][192];       /* scratch for sl_show */
    unsigned show_next;
    size_t start_len;        /* the start line's length without its line end, for findings: */
    int start_known;         /* found at the first finding (0 until then) */
    unsigned n_memo;         /* sl_ctx_addr / sl_ctx_via: elements parsed so far (set to 0) */
    struct sl_ctx_memo {
        const char *p;
        size_t len;
        int kind;            /* 1 address, 2 Via */
        union {
            sl_addr a;
            sl_via v;
        } u;
    } memo[12];
} sl_ctx;

/* A message's capture time in nanoseconds, clamped to +-2^62 ns (about the years 1824 to 2116):
 * a damaged or hostile capture can hold seconds (up to 2^64 in pcapng) whose nanoseconds do not
 * fit in 64 bits, and the tracker adds timer durations to the time and subtracts times. */
#define SL_NS_LIMIT (INT64_MAX / 2)
static inline int64_t sl_meta_ns(const sl_meta *m)
{
    if (m->ts_sec > SL_NS_LIMIT / 1000000000)
        return SL_NS_LIMIT;
    if (m->ts_sec < -(SL_NS_LIMIT / 1000000000))
        return -SL_NS_LIMIT;
    return m->ts_sec * 1000000000 + (int64_t)m->ts_nsec;
}

/* sl_transport_is_stream, inline for the engine's per-message path */
static inline int sl_tp_is_stream(sl_transport t)
{
    return t == SL_TP_TCP || t == SL_TP_TLS;
}

/* A message rule: reads ctx->m, reports through sl_emit. */
typedef void (*sl_rule_fn)(sl_ctx *c);
/* Which messages a rule can report on. The engine calls a rule only for those: most rules
 * concern only requests or only responses, or only MESSAGE or REGISTER, and a call that returns
 * at once still costs the dispatch. A rule marked so must find nothing in, and change nothing
 * for, the others. "Concerns" is sl_concerns: the request method, or a response's CSeq method
 * (a response without a parsed CSeq concerns no method); "request" with a method is
 * sl_is_method. */
enum {
    SL_ON_ANY = 0,
    SL_ON_REQUEST,
    SL_ON_RESPONSE,
    SL_ON_MESSAGE,            /* sl_concerns(c, "MESSAGE") */
    SL_ON_MESSAGE_REQUEST,    /* sl_is_method(m, "MESSAGE") */
    SL_ON_MESSAGE_RESPONSE,   /* a response that concerns MESSAGE */
    SL_ON_REGISTER_REQUEST,   /* sl_is_method(m, "REGISTER") */
    SL_ON_REGISTER_RESPONSE   /* a response that concerns REGISTER */
};
typedef struct sl_rule_def {
    sl_rule_id rule;
    sl_rule_fn fn;
    unsigned char on;        /* SL_ON_* */
} sl_rule_def;

/* Rule modules, one per RFC family (lint/rules/). Each array ends with an entry whose fn is
 * NULL ({SL_RULE__COUNT, NULL...}). */
extern const sl_rule_def sl_rules_rfc3261[];
extern const sl_rule_def sl_rules_rfc3428[];
extern const sl_rule_def sl_rules_rfc3327[];
extern const sl_rule_def sl_rules_rfc4320[];
extern const sl_rule_def sl_rules_rfc8224[];
extern const sl_rule_def sl_rules_stateful[]; /* transaction and dialog rules (stateful.c) */

/* Report a finding of rule at [off, off+len) of the message with the rule's natural severity
 * sev (the configuration may override it). fmt must be a string literal: the engine remembers
 * how it splits by its address (engine.c, plan_of). */
void sl_emit(sl_ctx *c, sl_rule_id rule, sl_severity sev, size_t off, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* The same, naming other frames the finding refers to (the request a response answers, the
 * MESSAGE an ACK refers to...). Zeros and the current frame are skipped. fmt: as for sl_emit. */
void sl_emit_related(sl_ctx *c, sl_rule_id rule, sl_severity sev, size_t off, size_t len,
                     const uint64_t *related, unsigned n_related, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

/* sl_addr_parse and sl_via_parse of an element of this message, remembered: the tracker and
 * SIP-PARSE's grammar check read the same From, To and Via elements, and parsing them once is
 * a tenth of the engine's time (docs/performance.md). Same contract as the parsers. */
int sl_ctx_addr(sl_ctx *c, sl_span e, sl_addr *a, const char **what, size_t *err_at);
int sl_ctx_via(sl_ctx *c, sl_span e, sl_via *v, const char **what, size_t *err_at);
/* The same without the copy (the tracker reads a few fields): the remembered result, valid for
 * the message, or *spare filled when the memo is full; NULL when the element does not parse. */
const sl_addr *sl_ctx_addr_ref(sl_ctx *c, sl_span e, sl_addr *spare);
const sl_via *sl_ctx_via_ref(sl_ctx *c, sl_span e, sl_via *spare);

/* sl_ctx_addr_ref(c, h->value, spare) for a header row, the From or To row the tracker parsed
 * answered without the memo's search */
static inline const sl_addr *sl_ctx_addr_row(sl_ctx *c, const sl_header *h, sl_addr *spare)
{
    if (h == c->addr_hdr[0])
        return c->addr_a[0];
    if (h == c->addr_hdr[1])
        return c->addr_a[1];
    return sl_ctx_addr_ref(c, h->value, spare);
}

/* A printable, length-capped copy of s (control and non-ASCII bytes escaped as \xNN), valid
 * until four more calls. */
const char *sl_show(sl_ctx *c, sl_span s, size_t max);
/* "1,512" */
const char *sl_thousands(sl_ctx *c, uint64_t v);

/* sl_span_eq for a string literal, inline: the compiler folds the length and the comparison
 * (most rules ask "is this a MESSAGE?" of every message). */
static inline int sl_span_is(sl_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

static inline int sl_is_method(const sl_msg *m, const char *method)
{
    return m->is_request && sl_span_is(m->method, method);
}
/* The method a message concerns: the request method, or a response's CSeq method. */
static inline int sl_concerns(const sl_ctx *c, const char *method)
{
    if (c->m->is_request)
        return sl_span_is(c->m->method, method);
    return c->cseq_ok && sl_span_is(c->cseq.method, method);
}

#endif
