/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 3261 core rules that one message can prove: grammar, mandatory and singleton headers,
 * CSeq, Content-Length, Date, version, Via branch, From tag, Content-Type, message size on UDP,
 * 421 Require. */
#include <stdio.h>
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

/* Nonzero iff some byte of the eight in p is at most ' ' or at least 0x7f. With the high bits
 * cleared first no addition carries into the next byte: per byte, (b & 0x7f) + 0x01 sets the
 * high bit iff the low seven bits are 0x7f, and (b & 0x7f) + 0x5f sets it iff they are at least
 * 0x21; a byte is bad iff its own high bit is set, or the first sum's, or not the second's. */
static uint64_t callid_bad_in_word(const char *p)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t l = w & 0x7f7f7f7f7f7f7f7fULL;
    return (w | (l + ones) | ~(l + ones * 0x5f)) & 0x8080808080808080ULL;
}

/* True if no byte of s is at most ' ' or at least 0x7f (the byte loop of check_value finds the
 * offending one), eight bytes at a time; a last, partial word is tested as the eight bytes
 * ending s. */
static int callid_clean(sl_span s)
{
    size_t i = 0;
    for (; s.len - i >= 8; i += 8)
        if (callid_bad_in_word(s.p + i))
            return 0;
    if (i < s.len && s.len >= 8)
        return !callid_bad_in_word(s.p + s.len - 8);
    for (; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch <= ' ' || ch >= 0x7f)
            return 0;
    }
    return 1;
}

/* Does check_value have a grammar for this header? Lets rule_sip_parse pass over the others
 * without a call: one bit per header id, a shift and a test where a switch took a jump. */
#define SL_GRAMMAR_BIT(id) (1ULL << (id))
_Static_assert(SL_H__COUNT <= 64, "has_grammar keeps one bit per header id in 64 bits");
static int has_grammar(unsigned id)
{
    static const uint64_t with_grammar =
        SL_GRAMMAR_BIT(SL_H_VIA) | SL_GRAMMAR_BIT(SL_H_FROM) | SL_GRAMMAR_BIT(SL_H_TO) |
        SL_GRAMMAR_BIT(SL_H_CONTACT) | SL_GRAMMAR_BIT(SL_H_ROUTE) |
        SL_GRAMMAR_BIT(SL_H_RECORD_ROUTE) | SL_GRAMMAR_BIT(SL_H_CSEQ) |
        SL_GRAMMAR_BIT(SL_H_MAX_FORWARDS) | SL_GRAMMAR_BIT(SL_H_EXPIRES) |
        SL_GRAMMAR_BIT(SL_H_MIN_EXPIRES) | SL_GRAMMAR_BIT(SL_H_RETRY_AFTER) |
        SL_GRAMMAR_BIT(SL_H_WARNING) | SL_GRAMMAR_BIT(SL_H_CALL_ID) |
        SL_GRAMMAR_BIT(SL_H_CONTENT_TYPE);
    return id < 64 && ((with_grammar >> id) & 1);
}

/* The grammar checks of check_value, one function per kind of header. Each returns NULL if the
 * value conforms, else the problem with *at set (0 unless the problem has an offset). Via, From
 * and To rows have been parsed by the tracker before this rule runs: their checks take the
 * engine's remembered parse by reference (sl_ctx_*_ref) rather than a copy, and ask sl_ctx_via
 * or sl_ctx_addr for the error text and offset only when the element does not parse. */

static const char *check_via(sl_ctx *c, const sl_header *h, size_t *at)
{
    /* a row of one element that the tracker parsed: the loop below would find that element
     * (sl_list_next trims a comma-free row as the tracker did), parsed, and nothing else */
    if (h == c->via1_hdr && c->via1_only)
        return NULL;
    const char *what = NULL;
    size_t pos = 0; /* past the value's end once the last element is read: no call then */
    sl_span e;
    while (pos <= h->value.len && sl_list_next(h->value, &pos, &e)) {
        sl_via via;
        size_t eat = 0;
        if (e.len == 0) {
            *at = (size_t)(e.p - h->value.p);
            return "empty element in the Via list (RFC 4475 badinv01)";
        }
        if (!sl_ctx_via_ref(c, e, &via) && sl_ctx_via(c, e, &via, &what, &eat) != 0) {
            *at = (size_t)(e.p - h->value.p) + eat;
            return what;
        }
    }
    if (h->value.len == 0)
        return "empty Via";
    return NULL;
}

static const char *check_from_to(sl_ctx *c, const sl_header *h, size_t *at)
{
    sl_addr spare;
    const char *what = NULL;
    const sl_addr *a = sl_ctx_addr_row(c, h, &spare);
    if (!a && sl_ctx_addr(c, h->value, &spare, &what, at) != 0)
        return what;
    if (!a)
        a = &spare;
    if (a->star)
        return "'*' is not an address";
    return NULL;
}

static const char *check_addr_list(sl_ctx *c, const sl_header *h, size_t *at)
{
    const char *what = NULL;
    size_t pos = 0;
    sl_span e;
    unsigned n = 0;
    int star = 0;
    while (pos <= h->value.len && sl_list_next(h->value, &pos, &e)) {
        sl_addr a;
        size_t eat = 0;
        n++;
        if (e.len == 0) {
            *at = (size_t)(e.p - h->value.p);
            return "empty element in the list (RFC 4475 badinv01)";
        }
        if (sl_ctx_addr(c, e, &a, &what, &eat) != 0) {
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
            uint64_t v;
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

static const char *check_cseq(sl_ctx *c, const sl_header *h)
{
    /* The engine has parsed the first CSeq row already (c->cseq); a successful parse ends its
     * method at the end of the value, which identifies the row. */
    if (c->cseq_ok && c->cseq.method.p + c->cseq.method.len == h->value.p + h->value.len)
        return NULL;
    sl_cseq cs;
    const char *what = NULL;
    return sl_cseq_parse(h->value, &cs, &what) != 0 ? what : NULL;
}

static const char *check_warning(const sl_header *h, size_t *at)
{
    size_t pos = 0;
    sl_span e;
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
}

static const char *check_call_id(const sl_header *h, size_t *at)
{
    if (h->value.len == 0)
        return "empty Call-ID";
    if (callid_clean(h->value))
        return NULL;
    for (size_t i = 0; i < h->value.len; i++) {
        unsigned char ch = (unsigned char)h->value.p[i];
        if (ch <= ' ' || ch >= 0x7f) {
            *at = i;
            return "Call-ID contains whitespace or a non-ASCII byte (RFC 3261 §25.1 callid)";
        }
    }
    return NULL;
}

static const char *check_numbers(const sl_header *h)
{
    uint64_t v;
    switch ((sl_hdr_id)h->id) {
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
    default: { /* SL_H_RETRY_AFTER */
        size_t d = 0;
        while (d < h->value.len && h->value.p[d] >= '0' && h->value.p[d] <= '9')
            d++;
        switch (sl_uint_parse((sl_span){h->value.p, d}, UINT32_MAX, &v)) {
        case 0: return NULL;
        case -2: return "Retry-After is larger than 2^32-1 (RFC 4475 scalarlg)";
        default: return "Retry-After does not start with a number of seconds";
        }
    }
    }
}

/* Check the value of one known header against its grammar (has_grammar); NULL if it conforms. */
static const char *check_value(sl_ctx *c, const sl_header *h, size_t *at)
{
    *at = 0;
    switch ((sl_hdr_id)h->id) {
    case SL_H_VIA:
        return check_via(c, h, at);
    case SL_H_FROM:
    case SL_H_TO:
        return check_from_to(c, h, at);
    case SL_H_CONTACT:
    case SL_H_ROUTE:
    case SL_H_RECORD_ROUTE:
        return check_addr_list(c, h, at);
    case SL_H_CSEQ:
        return check_cseq(c, h);
    case SL_H_MAX_FORWARDS:
    case SL_H_EXPIRES:
    case SL_H_MIN_EXPIRES:
    case SL_H_RETRY_AFTER:
        return check_numbers(h);
    case SL_H_WARNING:
        return check_warning(h, at);
    case SL_H_CALL_ID:
        return check_call_id(h, at);
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
        if (!has_grammar(h->id))
            continue;
        size_t at;
        const char *what = check_value(c, h, &at);
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
    /* the common case, every header present, in one expression instead of the loop below */
    if (m->count[SL_H_TO] && m->count[SL_H_FROM] && m->count[SL_H_CSEQ] && m->count[SL_H_CALL_ID] &&
        m->count[SL_H_VIA] && (m->count[SL_H_MAX_FORWARDS] || !m->is_request))
        return;
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
    /* the common case, no repeated row, in one expression: a count of 2 or more sets a bit above
     * bit 0 */
    if (((m->count[SL_H_TO] | m->count[SL_H_FROM] | m->count[SL_H_CALL_ID] | m->count[SL_H_CSEQ] |
          m->count[SL_H_MAX_FORWARDS] | m->count[SL_H_CONTENT_LENGTH] |
          m->count[SL_H_CONTENT_TYPE] | m->count[SL_H_DATE] | m->count[SL_H_EXPIRES]) >> 1) == 0)
        return;
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
    if (m->version.len == 7 && memcmp(m->version.p, "SIP/2.0", 7) == 0)
        return; /* (sl_span_eq, with the literal's length known here) */
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

/* ---- issue 4: single-message rules ------------------------------------------------------- */

#define SL_MAGIC_COOKIE "z9hG4bK"

/* The top Via value (first element of the first Via row), parsed: *v points to the parse the
 * engine remembers (or to *spare), without a copy. Returns the row, or NULL when there is no Via
 * or its first element does not parse (SIP-PARSE reports that). */
static const sl_header *top_via(sl_ctx *c, const sl_via **v, sl_via *spare)
{
    if (c->via1_hdr) { /* the same row and element, as the tracker found them */
        *v = c->via1;
        return c->via1_hdr;
    }
    const sl_header *h = sl_msg_hdr(c->m, SL_H_VIA);
    size_t pos = 0;
    sl_span e;
    if (!h || !sl_list_next(h->value, &pos, &e) || e.len == 0 || !(*v = sl_ctx_via_ref(c, e, spare)))
        return NULL;
    return h;
}

/* A request that shows both RFC 2543 habits at once: no branch at all in its top Via and no From
 * tag (RFC 4475 §3.4.1 inv2543). RFC 3261 keeps accepting such peers (§8.1.1.3, §17.2.3), so the
 * two rules report them as warnings; a message with only one of the defects is no 2543 peer. */
static int looks_rfc2543(sl_ctx *c)
{
    const sl_msg *m = c->m;
    sl_via vs;
    const sl_via *v;
    sl_addr as;
    const sl_addr *a;
    const sl_header *f = sl_msg_hdr(m, SL_H_FROM);
    if (!m->is_request || !top_via(c, &v, &vs) || v->has_branch || !f ||
        !(a = sl_ctx_addr_row(c, f, &as)))
        return 0;
    return !a->has_tag;
}

/* RFC 3261 §8.1.1.7: the branch of a request's top Via MUST begin with "z9hG4bK". Lower Vias may
 * come from RFC 2543 elements and are not judged; responses carry a copy of the request's Via
 * (§8.2.6.2), so the defect is reported on the request only. */
static void rule_via_branch(sl_ctx *c)
{
    const sl_msg *m = c->m;
    sl_via vs;
    const sl_via *v;
    const sl_header *h;
    if (!m->is_request || !(h = top_via(c, &v, &vs)))
        return;
    const size_t ck = sizeof SL_MAGIC_COOKIE - 1;
    /* the method is shown only in a finding: sl_show it there, not for every request */
    if (!v->has_branch) {
        int old = looks_rfc2543(c);
        sl_emit(c, SL_R_SIP_VIA_BRANCH, old ? SL_SEV_WARNING : SL_SEV_ERROR, h->offset, h->row_len,
                "top Via of the %s request has no branch parameter; RFC 3261 §8.1.1.7 requires one "
                "beginning with \"z9hG4bK\"%s", sl_show(c, m->method, 32),
                old ? " (the request also lacks a From tag, as an RFC 2543 element would send it: "
                      "a warning)" : "");
        return;
    }
    sl_span b = v->branch;
    if (b.len >= ck && memcmp(b.p, SL_MAGIC_COOKIE, ck) == 0) {
        if (b.len == ck)
            /* RFC 4475 §3.2.1 badbranch: valid syntax, but the cookie alone identifies nothing */
            sl_emit(c, SL_R_SIP_VIA_BRANCH, SL_SEV_WARNING, h->offset, h->row_len,
                    "top Via branch of the %s request is the bare magic cookie \"z9hG4bK\" with "
                    "nothing after it; RFC 3261 §8.1.1.7 requires a branch unique across space and "
                    "time (RFC 4475 §3.2.1)", sl_show(c, m->method, 32));
        return;
    }
    if (b.len >= ck && sl_span_ieq((sl_span){b.p, ck}, SL_MAGIC_COOKIE)) {
        /* parameter values are case-insensitive by default (§7.3.1), but §17.2.3 looks for
         * the exact characters: whether a peer takes this for the cookie is uncertain */
        sl_emit(c, SL_R_SIP_VIA_BRANCH, SL_SEV_WARNING, h->offset, h->row_len,
                "top Via branch \"%s\" of the %s request begins with the magic cookie in the wrong "
                "letter case; RFC 3261 §8.1.1.7 requires the characters \"z9hG4bK\", and a peer "
                "comparing them exactly falls back to RFC 2543 matching (§17.2.3)",
                sl_show(c, b, 60), sl_show(c, m->method, 32));
        return;
    }
    sl_emit(c, SL_R_SIP_VIA_BRANCH, SL_SEV_ERROR, h->offset, h->row_len,
            "top Via branch \"%s\" of the %s request does not begin with \"z9hG4bK\" (RFC 3261 "
            "§8.1.1.7); peers fall back to RFC 2543 transaction matching (§17.2.3)",
            sl_show(c, b, 60), sl_show(c, m->method, 32));
}

/* RFC 3261 §8.1.1.3: the From of every request carries a tag. */
static void rule_from_tag(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_FROM);
    sl_addr spare;
    const sl_addr *a;
    if (!m->is_request || !h || !(a = sl_ctx_addr_row(c, h, &spare)) || a->star)
        return;
    if (a->has_tag && a->tag.len > 0)
        return;
    int old = !a->has_tag && looks_rfc2543(c);
    int inside = !a->has_tag && sl_param_find(a->uri_params, "tag", NULL);
    sl_emit(c, SL_R_SIP_FROM_TAG, old ? SL_SEV_WARNING : SL_SEV_ERROR, h->offset, h->row_len,
            "From \"%s\" of the %s request %s; RFC 3261 §8.1.1.3 requires the UAC to add a tag%s",
            sl_show(c, h->value, 80), sl_show(c, m->method, 32),
            a->has_tag ? "has a tag parameter without a value"
            : inside  ? "has no tag (the tag inside <> is a URI parameter, not the From tag)"
                      : "has no tag",
            old ? " (the top Via also lacks a branch, as an RFC 2543 element would send it: a "
                  "warning)" : "");
}

/* "MESSAGE request" or "200 response", for finding texts. */
static const char *what_msg(sl_ctx *c, char *buf, size_t n)
{
    if (c->m->is_request)
        snprintf(buf, n, "%s request", sl_show(c, c->m->method, 32));
    else
        snprintf(buf, n, "%u response", c->m->status);
    return buf;
}

/* True if the span holds only CR and LF bytes. */
static int only_line_ends(sl_span s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] != '\r' && s.p[i] != '\n')
            return 0;
    return 1;
}

/* RFC 3261 §20.15, §7.4.1: a non-empty body needs Content-Type. The body is what Content-Length
 * delimits (catalogue D3): CL 0 is no body, and UDP bytes after the CL body are discarded
 * (§18.3), not a body. */
static void rule_ct_missing(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->body.len == 0 || m->count[SL_H_CONTENT_TYPE])
        return;
    /* Without Content-Length a datagram's body runs to its end (§18.3); a stack that ends the
     * datagram with a spare CRLF has sent padding, not a body. */
    if (m->content_length < 0 && only_line_ends(m->body))
        return;
    const sl_header *cl = sl_msg_hdr(m, SL_H_CONTENT_LENGTH);
    char what[64];
    what_msg(c, what, sizeof what);
    if (cl && m->content_length >= 0)
        sl_emit(c, SL_R_SIP_CT_MISSING, SL_SEV_ERROR, cl->offset, cl->row_len,
                "%s carries a %s-byte body (Content-Length %lld) but no Content-Type; RFC 3261 "
                "§20.15 and §7.4.1 require Content-Type for a non-empty body",
                what, sl_thousands(c, m->body.len), (long long)m->content_length);
    else
        sl_emit(c, SL_R_SIP_CT_MISSING, SL_SEV_ERROR, m->hdr_end, m->body.len,
                "%s carries a %s-byte body (no Content-Length: it runs to the end of the "
                "datagram) but no Content-Type; RFC 3261 §20.15 and §7.4.1 require Content-Type "
                "for a non-empty body", what, sl_thousands(c, m->body.len));
}

/* RFC 3261 §18.3, §20.14: Content-Length MUST be used with stream-oriented transports (TCP, TLS
 * over TCP). WebSocket carries one SIP message per WebSocket message (RFC 7118 §5.1) and SCTP
 * preserves message boundaries (RFC 4168), so they are not held to it. */
static void rule_cl_stream(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!sl_transport_is_stream(c->meta->transport) || m->count[SL_H_CONTENT_LENGTH])
        return;
    char what[64], tp[8];
    const char *name = sl_transport_name(c->meta->transport);
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof tp; i++)
        tp[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    tp[i] = 0;
    sl_emit(c, SL_R_SIP_CL_STREAM, SL_SEV_ERROR, 0, 0,
            "%s sent over %s has no Content-Length header; RFC 3261 §18.3 and §20.14 require it "
            "on stream transports, where it alone marks the end of the message",
            what_msg(c, what, sizeof what), tp);
}

/* RFC 3261 §18.1.1: a request within 200 bytes of the path MTU, or larger than 1300 bytes when
 * the MTU is unknown, MUST go over a congestion-controlled transport. For MESSAGE this is also
 * MSG-SIZE (RFC 3428 §8); both rules report, each can be disabled alone, and this one names the
 * other so that readers see one cause (decision documented in docs/rules/SIP-UDP-SIZE.md). */
static void rule_udp_size(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!m->is_request || c->meta->transport != SL_TP_UDP)
        return;
    unsigned mtu = c->cfg->path_mtu;
    size_t limit = mtu ? (mtu > 200 ? mtu - 200 : 0) : 1300;
    if (m->len <= limit)
        return;
    char why[96];
    if (mtu)
        snprintf(why, sizeof why, "within 200 bytes of the configured path MTU of %u", mtu);
    else
        snprintf(why, sizeof why, "over 1,300 bytes with the path MTU unknown");
    sl_emit(c, SL_R_SIP_UDP_SIZE, SL_SEV_ERROR, 0, m->len,
            "%s request of %s bytes sent over UDP; RFC 3261 §18.1.1 requires a congestion-"
            "controlled transport such as TCP for a request %s%s",
            sl_show(c, m->method, 32), sl_thousands(c, m->len), why,
            sl_is_method(m, "MESSAGE") ? " (for this MESSAGE see also MSG-SIZE, RFC 3428 §8)" : "");
}

/* RFC 3261 §21.4.16: a 421 response MUST list the required extensions in Require. */
static void rule_421_require(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status != 421)
        return;
    const sl_header *h = sl_msg_hdr(m, SL_H_REQUIRE);
    if (!h) {
        sl_emit(c, SL_R_SIP_421_REQUIRE, SL_SEV_ERROR, 0, 0,
                "421 (Extension Required) response has no Require header; RFC 3261 §21.4.16 "
                "requires it to list the extensions the server needs");
        return;
    }
    for (const sl_header *r = h; r; r = sl_msg_hdr_next(m, r)) {
        size_t pos = 0;
        sl_span e;
        while (sl_list_next(r->value, &pos, &e))
            if (e.len)
                return;
    }
    sl_emit(c, SL_R_SIP_421_REQUIRE, SL_SEV_ERROR, h->offset, h->row_len,
            "421 (Extension Required) response has an empty Require header; RFC 3261 §21.4.16 "
            "requires it to list the extensions the server needs");
}

const sl_rule_def sl_rules_rfc3261[] = {
    {SL_R_SIP_PARSE, rule_sip_parse, SL_ON_ANY},
    {SL_R_SIP_VERSION, rule_version, SL_ON_ANY},
    {SL_R_SIP_MANDATORY_HDRS, rule_mandatory, SL_ON_ANY},
    {SL_R_SIP_SINGLETON, rule_singleton, SL_ON_ANY},
    {SL_R_SIP_CSEQ_METHOD, rule_cseq_method, SL_ON_REQUEST},
    {SL_R_SIP_CSEQ_RANGE, rule_cseq_range, SL_ON_ANY},
    {SL_R_SIP_CL_MISMATCH, rule_cl_mismatch, SL_ON_ANY},
    {SL_R_SIP_DATE_SYNTAX, rule_date_syntax, SL_ON_ANY},
    {SL_R_SIP_VIA_BRANCH, rule_via_branch, SL_ON_REQUEST},
    {SL_R_SIP_FROM_TAG, rule_from_tag, SL_ON_REQUEST},
    {SL_R_SIP_CT_MISSING, rule_ct_missing, SL_ON_ANY},
    {SL_R_SIP_CL_STREAM, rule_cl_stream, SL_ON_ANY},
    {SL_R_SIP_UDP_SIZE, rule_udp_size, SL_ON_REQUEST},
    {SL_R_SIP_421_REQUIRE, rule_421_require, SL_ON_RESPONSE},
    {SL_RULE__COUNT, NULL, SL_ON_ANY},
};
