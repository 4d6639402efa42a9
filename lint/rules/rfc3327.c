/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 3327 (Path) rules that one message can prove: PATH-NON-REGISTER, PATH-SYNTAX, PATH-LR,
 * PATH-NON-2XX, PATH-NO-SUPPORTED, PATH-REQUIRE-NO-SUPPORT, PATH-421. */
#include <stdio.h>
#include <string.h>

#include "../engine/engine_internal.h"

/* RFC 3327 §4: Path appears only in REGISTER requests and in 2xx responses to REGISTER (its
 * Table 3 marks it "-" for ACK, BYE, CANCEL, INVITE, OPTIONS; §4's applicability text covers
 * MESSAGE and other extension methods). A Route built from a stored Path is legal (§5.4). */
static void rule_non_register(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_PATH);
    if (!h || sl_concerns(c, "REGISTER"))
        return;
    if (m->is_request)
        sl_emit(c, SL_R_PATH_NON_REGISTER, SL_SEV_ERROR, h->offset, h->row_len,
                "Path header in a %s request; RFC 3327 §4 allows Path only in REGISTER requests "
                "and responses to REGISTER", sl_show(c, m->method, 32));
    else if (c->cseq_ok)
        sl_emit(c, SL_R_PATH_NON_REGISTER, SL_SEV_ERROR, h->offset, h->row_len,
                "Path header in a %u response to %s; RFC 3327 §4 allows Path only in REGISTER "
                "requests and responses to REGISTER", m->status, sl_show(c, c->cseq.method, 32));
}

/* path-value = name-addr *( SEMI rr-param ) (RFC 3327 §4), each URI with lr. Checked on every
 * Path row wherever it appears: a misplaced Path that is also malformed has two defects. */
static void check_path_values(sl_ctx *c, int syntax)
{
    const sl_msg *m = c->m;
    if (!m->count[SL_H_PATH])
        return; /* the usual case, without a call */
    for (const sl_header *h = sl_msg_hdr(m, SL_H_PATH); h; h = sl_msg_hdr_next(m, h)) {
        size_t pos = 0;
        sl_span e;
        if (h->value.len == 0 && syntax)
            sl_emit(c, SL_R_PATH_SYNTAX, SL_SEV_ERROR, h->offset, h->row_len,
                    "empty Path header (RFC 3327 §4: path-value = name-addr *( SEMI rr-param ))");
        while (sl_list_next(h->value, &pos, &e)) {
            sl_addr a;
            const char *what = NULL;
            size_t at;
            int bad = e.len == 0 || sl_addr_parse(e, &a, &what, &at) != 0 || !a.name_addr;
            if (bad) {
                if (syntax)
                    sl_emit(c, SL_R_PATH_SYNTAX, SL_SEV_ERROR, h->offset, h->row_len,
                            "Path value \"%s\" is not a name-addr: %s (RFC 3327 §4: path-value = "
                            "name-addr *( SEMI rr-param ))", sl_show(c, e, 80),
                            e.len == 0 ? "empty list element"
                            : what    ? what
                                      : "the URI must be enclosed in <>");
                continue; /* without <> there is no URI parameter to judge: PATH-SYNTAX says it */
            }
            if (syntax)
                continue;
            sl_param lr;
            if (!sl_param_find(a.uri_params, "lr", &lr)) {
                int outside = sl_param_find(a.params, "lr", NULL);
                sl_emit(c, SL_R_PATH_LR, SL_SEV_ERROR, h->offset, h->row_len,
                        "Path URI <%s> has no lr parameter%s (RFC 3327 §4: each Path URI MUST "
                        "carry lr)", sl_show(c, a.uri, 80),
                        outside ? "; the ;lr after '>' is a header parameter and does not count" : "");
            } else if (lr.value.p) {
                /* legacy "lr=on" from pre-RFC 3261 stacks: understood, but not the grammar */
                sl_emit(c, SL_R_PATH_LR, SL_SEV_WARNING, h->offset, h->row_len,
                        "Path URI <%s> carries lr=%s; RFC 3261 defines lr without a value",
                        sl_show(c, a.uri, 80), sl_show(c, lr.value, 16));
            }
        }
    }
}

static void rule_path_syntax(sl_ctx *c)
{
    check_path_values(c, 1);
}

static void rule_path_lr(sl_ctx *c)
{
    check_path_values(c, 0);
}

/* RFC 3327 §4 adds Path to RFC 3261 Table 3 for REGISTER requests and 2xx responses only; a Path
 * in a 1xx or 3xx-6xx response to REGISTER is undefined (some registrars echo it in 401/423). */
static void rule_non_2xx(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_PATH);
    if (!h || m->is_request || m->status == 0 || (m->status >= 200 && m->status < 300) ||
        !sl_concerns(c, "REGISTER"))
        return;
    sl_emit(c, SL_R_PATH_NON_2XX, SL_SEV_WARNING, h->offset, h->row_len,
            "Path \"%s\" in a %u response to REGISTER; RFC 3327 §4 defines Path only for REGISTER "
            "requests and their 2xx responses", sl_show(c, h->value, 80), m->status);
}

/* Values in all Via rows (a row may hold a comma list). */
static unsigned via_count(const sl_msg *m)
{
    unsigned n = 0;
    for (const sl_header *h = sl_msg_hdr(m, SL_H_VIA); h; h = sl_msg_hdr_next(m, h)) {
        size_t pos = 0;
        sl_span e;
        while (sl_list_next(h->value, &pos, &e))
            n++;
    }
    return n;
}

/* A clause for finding texts: "it has no Supported header" or "its Supported "a, b" does not
 * list path". */
static const char *supported_text(sl_ctx *c)
{
    const sl_header *h = sl_msg_hdr(c->m, SL_H_SUPPORTED);
    if (!h)
        return "it has no Supported header";
    const char *v = sl_show(c, h->value, 80);
    char *out = c->show[c->show_next++ % 4];
    snprintf(out, sizeof c->show[0], "its Supported \"%s\"%s does not list path", v,
             sl_msg_hdr_next(c->m, h) ? " (and further rows)" : "");
    return out;
}

/* RFC 3327 §5.2: a proxy SHOULD NOT add Path unless the UA put "path" in Supported. Option tags
 * are tokens and so compare case-insensitively (RFC 3261 §7.3.1); Supported has the compact form
 * k. A REGISTER with a single Via has crossed no proxy: the UA inserted the Path itself, which
 * §5.1 allows (MAY), so that is only a note. */
static void rule_no_supported(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_PATH);
    if (!h || !sl_is_method(m, "REGISTER") || sl_msg_has_option(m, SL_H_SUPPORTED, "path"))
        return;
    if (via_count(m) == 1)
        sl_emit(c, SL_R_PATH_NO_SUPPORTED, SL_SEV_NOTE, h->offset, h->row_len,
                "REGISTER with a single Via carries Path \"%s\" but %s: the UA inserted Path "
                "itself (RFC 3327 §5.1 MAY) without declaring support for it (§5.1: the UA SHOULD "
                "list path in Supported)", sl_show(c, h->value, 80), supported_text(c));
    else
        sl_emit(c, SL_R_PATH_NO_SUPPORTED, SL_SEV_WARNING, h->offset, h->row_len,
                "REGISTER carries Path \"%s\" but %s; RFC 3327 §5.2: a proxy SHOULD NOT add Path "
                "unless the UA indicated support in Supported",
                sl_show(c, h->value, 80), supported_text(c));
}

/* RFC 3327 §5.2: Require: path is for a UA that indicated support; without it the proxy SHOULD
 * reject the REGISTER with 421 instead. */
static void rule_require_no_support(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!sl_is_method(m, "REGISTER") || !sl_msg_has_option(m, SL_H_REQUIRE, "path") ||
        sl_msg_has_option(m, SL_H_SUPPORTED, "path"))
        return;
    const sl_header *h = sl_msg_hdr(m, SL_H_REQUIRE);
    for (const sl_header *r = h; r; r = sl_msg_hdr_next(m, r)) {
        size_t pos = 0;
        sl_span e;
        while (sl_list_next(r->value, &pos, &e))
            if (sl_span_ieq(e, "path"))
                h = r;
    }
    sl_emit(c, SL_R_PATH_REQUIRE_NO_SUPPORT, SL_SEV_WARNING, h->offset, h->row_len,
            "REGISTER has Require \"%s\" but %s; RFC 3327 §5.2: when the UA has not "
            "indicated support, a proxy that needs the registrar's support SHOULD reject the "
            "request with 421, not insert Require: path", sl_show(c, h->value, 60), supported_text(c));
}

/* Does the text contain "path" as a word (case-insensitive)? */
static int mentions_path(sl_span s)
{
    for (size_t i = 0; i + 4 <= s.len; i++) {
        if (!sl_span_ieq((sl_span){s.p + i, 4}, "path"))
            continue;
        unsigned char b = i ? (unsigned char)s.p[i - 1] : ' ';
        unsigned char a = i + 4 < s.len ? (unsigned char)s.p[i + 4] : ' ';
        int wb = !((b | 32) >= 'a' && (b | 32) <= 'z') && !(b >= '0' && b <= '9');
        int wa = !((a | 32) >= 'a' && (a | 32) <= 'z') && !(a >= '0' && a <= '9');
        if (wb && wa)
            return 1;
    }
    return 0;
}

/* RFC 3327 §5.2 with RFC 3261 §21.4.16: a 421 that rejects a REGISTER for want of Path support
 * lists path in Require. A 421 to REGISTER is also how other extensions are demanded (IMS
 * sec-agree, outbound), so the rule judges only a 421 that shows it is about Path: its reason
 * phrase or a Warning names path, or it carries Path. A 421 without any Require is
 * SIP-421-REQUIRE's in any case. */
static void rule_421(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status != 421 || !sl_concerns(c, "REGISTER") ||
        sl_msg_has_option(m, SL_H_REQUIRE, "path"))
        return;
    const char *evidence = NULL;
    if (mentions_path(m->reason))
        evidence = "its reason phrase names path";
    for (const sl_header *w = sl_msg_hdr(m, SL_H_WARNING); w && !evidence; w = sl_msg_hdr_next(m, w))
        if (mentions_path(w->value))
            evidence = "its Warning names path";
    if (!evidence && m->count[SL_H_PATH])
        evidence = "it carries Path";
    if (!evidence)
        return;
    const sl_header *h = sl_msg_hdr(m, SL_H_REQUIRE);
    if (h)
        sl_emit(c, SL_R_PATH_421, SL_SEV_ERROR, h->offset, h->row_len,
                "421 to REGISTER is about Path (%s) but Require \"%s\" lacks path; RFC 3327 §5.2 "
                "and RFC 3261 §21.4.16: the 421 lists the required extension in Require",
                evidence, sl_show(c, h->value, 60));
    else
        sl_emit(c, SL_R_PATH_421, SL_SEV_ERROR, 0, 0,
                "421 to REGISTER is about Path (%s) but has no Require: path; RFC 3327 §5.2 and "
                "RFC 3261 §21.4.16: the 421 lists the required extension in Require", evidence);
}

const sl_rule_def sl_rules_rfc3327[] = {
    {SL_R_PATH_NON_REGISTER, rule_non_register, SL_ON_ANY},
    {SL_R_PATH_SYNTAX, rule_path_syntax, SL_ON_ANY},
    {SL_R_PATH_LR, rule_path_lr, SL_ON_ANY},
    {SL_R_PATH_NON_2XX, rule_non_2xx, SL_ON_REGISTER_RESPONSE},
    {SL_R_PATH_NO_SUPPORTED, rule_no_supported, SL_ON_REGISTER_REQUEST},
    {SL_R_PATH_REQUIRE_NO_SUPPORT, rule_require_no_support, SL_ON_REGISTER_REQUEST},
    {SL_R_PATH_421, rule_421, SL_ON_REGISTER_RESPONSE},
    {SL_RULE__COUNT, NULL, SL_ON_ANY},
};
