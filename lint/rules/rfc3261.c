/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 3261 core rules that one message can prove: grammar, mandatory and singleton headers,
 * CSeq, Content-Length, Date, version. */
#include <string.h>

#include "../engine/engine_internal.h"

#define SL_MAX_PARSE_REPORTS 16

/* Report one SIP-PARSE problem; *n counts them, and only the first SL_MAX_PARSE_REPORTS of a
 * message are reported one by one. */
static void parse_report(sl_ctx *c, unsigned *n, sl_severity sev, size_t off, size_t len,
                         const char *what, const sl_header *h)
{
    if (++*n > SL_MAX_PARSE_REPORTS)
        return;
    if (h)
        sl_emit(c, SL_R_SIP_PARSE, sev, off, len, "%s header: %s: \"%s\"", sl_show(c, h->name, 40),
                what, sl_show(c, h->value, 80));
    else
        sl_emit(c, SL_R_SIP_PARSE, sev, off, len, "%s", what);
}

/* Check the value of one known header against its grammar; NULL if it conforms. */
static const char *check_value(const sl_header *h, size_t *at)
{
    const char *what = NULL;
    uint64_t v;
    sl_span e;
    size_t pos = 0;
    *at = 0;
    switch ((sl_hdr_id)h->id) {
    case SL_H_VIA:
        while (sl_list_next(h->value, &pos, &e)) {
            sl_via via;
            size_t eat = 0;
            if (e.len == 0) {
                *at = (size_t)(e.p - h->value.p);
                return "empty element in the Via list (RFC 4475 badinv01)";
            }
            if (sl_via_parse(e, &via, &what, &eat) != 0) {
                *at = (size_t)(e.p - h->value.p) + eat;
                return what;
            }
        }
        if (h->value.len == 0)
            return "empty Via";
        return NULL;
    case SL_H_FROM:
    case SL_H_TO: {
        sl_addr a;
        if (sl_addr_parse(h->value, &a, &what, at) != 0)
            return what;
        if (a.star)
            return "'*' is not an address";
        return NULL;
    }
    case SL_H_CONTACT:
    case SL_H_ROUTE:
    case SL_H_RECORD_ROUTE: {
        unsigned n = 0;
        int star = 0;
        while (sl_list_next(h->value, &pos, &e)) {
            sl_addr a;
            size_t eat = 0;
            n++;
            if (e.len == 0) {
                *at = (size_t)(e.p - h->value.p);
                return "empty element in the list (RFC 4475 badinv01)";
            }
            if (sl_addr_parse(e, &a, &what, &eat) != 0) {
                *at = (size_t)(e.p - h->value.p) + eat;
                return what;
            }
            if (a.star) {
                if (h->id != SL_H_CONTACT)
                    return "'*' is not an address";
                star = 1;
            } else if (h->id != SL_H_CONTACT && !a.name_addr) {
                /* route-param and rec-route = name-addr *( SEMI rr-param ) (RFC 3261 §25.1) */
                *at = (size_t)(e.p - h->value.p);
                return "the value is not a name-addr (the URI must be in <>)";
            }
            if (h->id == SL_H_CONTACT) {
                sl_param ex;
                if (sl_param_find(a.params, "expires", &ex) &&
                    sl_uint_parse(ex.value, UINT32_MAX, &v) != 0)
                    return "Contact expires parameter is not a number up to 2^32-1 (RFC 4475 "
                           "scalar02)";
            }
        }
        if (star && n > 1)
            return "Contact '*' combined with other values";
        return NULL;
    }
    case SL_H_CSEQ: {
        sl_cseq cs;
        return sl_cseq_parse(h->value, &cs, &what) != 0 ? what : NULL;
    }
    case SL_H_MAX_FORWARDS:
        switch (sl_uint_parse(h->value, 255, &v)) {
        case 0: return NULL;
        case -2: return "Max-Forwards is larger than 255 (RFC 3261 §20.22, RFC 4475 scalar02)";
        default: return "Max-Forwards is not a decimal number";
        }
    case SL_H_EXPIRES:
    case SL_H_MIN_EXPIRES:
        switch (sl_uint_parse(h->value, UINT32_MAX, &v)) {
        case 0: return NULL;
        case -2: return "the value is larger than 2^32-1 (RFC 3261 §20.19, RFC 4475 scalar02)";
        default: return "the value is not a decimal number of seconds";
        }
    case SL_H_RETRY_AFTER: {
        size_t d = 0;
        while (d < h->value.len && h->value.p[d] >= '0' && h->value.p[d] <= '9')
            d++;
        switch (sl_uint_parse((sl_span){h->value.p, d}, UINT32_MAX, &v)) {
        case 0: return NULL;
        case -2: return "Retry-After is larger than 2^32-1 (RFC 4475 scalarlg)";
        default: return "Retry-After does not start with a number of seconds";
        }
    }
    case SL_H_WARNING:
        while (sl_list_next(h->value, &pos, &e)) {
            size_t d = 0;
            while (d < e.len && e.p[d] >= '0' && e.p[d] <= '9')
                d++;
            if (d != 3 || d == e.len || e.p[d] != ' ') {
                *at = (size_t)(e.p - h->value.p);
                return "warn-code is not three digits followed by SP (RFC 3261 §20.43, RFC 4475 "
                       "scalarlg)";
            }
        }
        return NULL;
    case SL_H_CALL_ID:
        if (h->value.len == 0)
            return "empty Call-ID";
        for (size_t i = 0; i < h->value.len; i++) {
            unsigned char ch = (unsigned char)h->value.p[i];
            if (ch <= ' ' || ch >= 0x7f) {
                *at = i;
                return "Call-ID contains whitespace or a non-ASCII byte (RFC 3261 §25.1 callid)";
            }
        }
        return NULL;
    case SL_H_CONTENT_TYPE: {
        sl_ctype ct;
        return sl_ctype_parse(h->value, &ct) != 0 ? "Content-Type is not type/subtype;parameters"
                                                   : NULL;
    }
    default:
        return NULL;
    }
}

static void rule_sip_parse(sl_ctx *c)
{
    const sl_msg *m = c->m;
    unsigned n = 0;
    for (unsigned i = 0; i < m->n_issues; i++) {
        const sl_issue *is = &m->issues[i];
        /* Tolerances are warnings (catalogue: a message with LF-only line ends is linted and
         * gets a SIP-PARSE warning); the rest are errors. */
        int tolerated = is->code == SL_PI_LF_ONLY || is->code == SL_PI_NO_END_OF_HEADERS;
        parse_report(c, &n, tolerated ? SL_SEV_WARNING : SL_SEV_ERROR, is->offset, is->len, is->what, NULL);
    }
    if (m->n_issues_total > m->n_issues)
        parse_report(c, &n, SL_SEV_ERROR, 0, 0, "further parse problems were not recorded", NULL);
    for (size_t i = 0; i < m->n_hdrs; i++) {
        const sl_header *h = &m->hdrs[i];
        size_t at;
        const char *what = check_value(h, &at);
        if (what)
            parse_report(c, &n, SL_SEV_ERROR, h->offset, h->row_len, what, h);
    }
    if (n > SL_MAX_PARSE_REPORTS) {
        unsigned more = n - SL_MAX_PARSE_REPORTS;
        sl_emit(c, SL_R_SIP_PARSE, SL_SEV_ERROR, 0, 0, "%u further parse problems in this message",
                more);
    }
}

static void rule_mandatory(sl_ctx *c)
{
    static const sl_hdr_id req[] = {SL_H_TO, SL_H_FROM, SL_H_CSEQ, SL_H_CALL_ID, SL_H_VIA,
                                    SL_H_MAX_FORWARDS};
    const sl_msg *m = c->m;
    size_t n = m->is_request ? 6 : 5; /* responses need no Max-Forwards (RFC 3261 §8.2.6.2) */
    for (size_t i = 0; i < n; i++) {
        if (m->count[req[i]])
            continue;
        if (req[i] == SL_H_MAX_FORWARDS)
            /* RFC 2543 peers omit it and proxies add it (§16.6 step 3): a warning only */
            sl_emit(c, SL_R_SIP_MANDATORY_HDRS, SL_SEV_WARNING, 0, 0,
                    "%s request has no Max-Forwards header (RFC 3261 §8.1.1.6: a UAC MUST insert "
                    "one)", sl_show(c, m->method, 32));
        else
            sl_emit(c, SL_R_SIP_MANDATORY_HDRS, SL_SEV_ERROR, 0, 0,
                    "%s has no %s header (RFC 3261 §%s)",
                    m->is_request ? "request" : "response", sl_hdr_name(req[i]),
                    m->is_request ? "8.1.1" : "8.2.6.2");
    }
}

static void rule_singleton(sl_ctx *c)
{
    static const sl_hdr_id once[] = {SL_H_TO, SL_H_FROM, SL_H_CALL_ID, SL_H_CSEQ, SL_H_MAX_FORWARDS,
                                     SL_H_CONTENT_LENGTH, SL_H_CONTENT_TYPE, SL_H_DATE, SL_H_EXPIRES};
    const sl_msg *m = c->m;
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
        if (m->count[once[i]] < 2)
            continue;
        const sl_header *first = sl_msg_hdr(m, once[i]);
        const sl_header *second = sl_msg_hdr_next(m, first);
        sl_emit(c, SL_R_SIP_SINGLETON, SL_SEV_ERROR, second->offset, second->row_len,
                "%s appears %u times (\"%s\" and \"%s\"); RFC 3261 §7.3.1 allows repeated rows only "
                "for comma-separated list headers", sl_hdr_name(once[i]), (unsigned)m->count[once[i]],
                sl_show(c, first->value, 60), sl_show(c, second->value, 60));
    }
}

static void rule_cseq_method(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!m->is_request || !c->cseq_ok ||
        (c->cseq.method.len == m->method.len && memcmp(c->cseq.method.p, m->method.p, m->method.len) == 0))
        return;
    const sl_header *h = sl_msg_hdr(m, SL_H_CSEQ);
    sl_emit(c, SL_R_SIP_CSEQ_METHOD, SL_SEV_ERROR, h->offset, h->row_len,
            "CSeq method \"%s\" differs from the request method \"%s\" (RFC 3261 §8.1.1.5; the "
            "comparison is case-sensitive)", sl_show(c, c->cseq.method, 40), sl_show(c, m->method, 40));
}

static void rule_cseq_range(sl_ctx *c)
{
    if (!c->cseq_ok || (!c->cseq.overflow && c->cseq.num < (1ULL << 31)))
        return;
    const sl_header *h = sl_msg_hdr(c->m, SL_H_CSEQ);
    size_t d = 0;
    while (d < h->value.len && h->value.p[d] >= '0' && h->value.p[d] <= '9')
        d++;
    sl_emit(c, SL_R_SIP_CSEQ_RANGE, SL_SEV_ERROR, h->offset, h->row_len,
            "CSeq number %s is not below 2^31 (RFC 3261 §8.1.1.5)",
            sl_show(c, (sl_span){h->value.p, d}, 40));
}

static void rule_cl_mismatch(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_CONTENT_LENGTH);
    if (m->cl_short && h) {
        sl_emit(c, SL_R_SIP_CL_MISMATCH, SL_SEV_ERROR, h->offset, h->row_len,
                "Content-Length is %lld but only %zu bytes follow the header section (RFC 3261 §18.3)",
                (long long)m->content_length, m->body.len);
    } else if (m->trailing && !sl_transport_is_stream(c->meta->transport)) {
        sl_emit(c, SL_R_SIP_CL_MISMATCH, SL_SEV_NOTE, m->len, m->trailing,
                "%zu bytes follow the %lld-byte body announced by Content-Length; they are not part "
                "of the message and are discarded (RFC 3261 §18.3)",
                m->trailing, (long long)m->content_length);
    }
}

static void rule_date_syntax(sl_ctx *c)
{
    for (const sl_header *h = sl_msg_hdr(c->m, SL_H_DATE); h; h = sl_msg_hdr_next(c->m, h)) {
        time_t t;
        const char *what;
        if (sl_date_parse(h->value, &t, &what) != 0)
            sl_emit(c, SL_R_SIP_DATE_SYNTAX, SL_SEV_ERROR, h->offset, h->row_len,
                    "Date \"%s\": %s", sl_show(c, h->value, 60), what);
    }
}

static void rule_version(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (sl_span_eq(m->version, "SIP/2.0"))
        return;
    size_t off = (size_t)(m->version.p - m->base);
    if (sl_span_ieq(m->version, "SIP/2.0"))
        sl_emit(c, SL_R_SIP_VERSION, SL_SEV_WARNING, off, m->version.len,
                "SIP version is written \"%s\"; RFC 3261 §7.1 requires upper-case \"SIP/2.0\" when "
                "sending", sl_show(c, m->version, 20));
    else
        sl_emit(c, SL_R_SIP_VERSION, SL_SEV_ERROR, off, m->version.len,
                "SIP version \"%s\" is not SIP/2.0 (RFC 3261 §7.1; a UAS answers 505)",
                sl_show(c, m->version, 20));
}

const sl_rule_impl sl_rules_rfc3261[] = {
    {SL_R_SIP_PARSE, rule_sip_parse},
    {SL_R_SIP_VERSION, rule_version},
    {SL_R_SIP_MANDATORY_HDRS, rule_mandatory},
    {SL_R_SIP_SINGLETON, rule_singleton},
    {SL_R_SIP_CSEQ_METHOD, rule_cseq_method},
    {SL_R_SIP_CSEQ_RANGE, rule_cseq_range},
    {SL_R_SIP_CL_MISMATCH, rule_cl_mismatch},
    {SL_R_SIP_DATE_SYNTAX, rule_date_syntax},
    {SL_RULE__COUNT, NULL},
};
