/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 3428 (MESSAGE) rules that one message can prove: MSG-SIZE, MSG-SIGNED-NO-DATE. */
#include <string.h>

#include "../engine/engine_internal.h"

/* RFC 3428 §8: "the size of a MESSAGE request MUST NOT exceed 1300 bytes" unless the UAC
 * positively knows the path is congestion-controlled; RFC 8591 §7.1: the whole message counts.
 * A congestion-controlled transport at the capture point proves nothing about other hops, so the
 * rule fires on every transport; only the operator can assert a congestion-safe network. */
static void rule_msg_size(sl_ctx *c)
{
    const sl_msg *m = c->m;
    unsigned limit = c->cfg->max_message_size ? c->cfg->max_message_size : 1300;
    if (!sl_is_method(m, "MESSAGE") || m->len <= limit || c->cfg->assume_congestion_safe)
        return;
    const char *tp = sl_transport_name(c->meta->transport);
    const char *size = sl_thousands(c, m->len);
    const char *lim = sl_thousands(c, limit);
    if (sl_transport_is_congestion_controlled(c->meta->transport))
        sl_emit(c, SL_R_MSG_SIZE, SL_SEV_ERROR, 0, m->len,
                "MESSAGE request is %s bytes; RFC 3428 §8 limits it to %s%s when the path is not "
                "known to be congestion-controlled (it is carried over %s here, which does not prove "
                "that every hop is)", size, lim, limit == 1300 ? "" : " (configured)", tp);
    else
        sl_emit(c, SL_R_MSG_SIZE, SL_SEV_ERROR, 0, m->len,
                "MESSAGE request is %s bytes; RFC 3428 §8 limits it to %s%s when the path is not "
                "known to be congestion-controlled (it is carried over %s here)",
                size, lim, limit == 1300 ? "" : " (configured)", tp);
}

typedef enum { BODY_PLAIN = 0, BODY_SIGNED, BODY_OPAQUE } body_kind;

typedef struct body_verdict {
    body_kind kind;
    const char *form; /* which signed form (catalogue D2) */
} body_verdict;

static int b64val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

/* Decode up to cap bytes of base64 from s, skipping whitespace. Returns the bytes decoded. */
static size_t b64_prefix(sl_span s, unsigned char *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < s.len && o < cap; i++) {
        int v = b64val((unsigned char)s.p[i]);
        if (v < 0) {
            if (s.p[i] == '=')
                break;
            continue;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

/* Read the CMS ContentInfo contentType OID (RFC 5652 §3): SEQUENCE { OID, [0] ... }. */
static body_verdict cms_kind(const unsigned char *d, size_t n)
{
    static const unsigned char pkcs7[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07};
    static const unsigned char auth_env[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                                             0x09, 0x10, 0x01, 0x17};
    body_verdict v = {BODY_PLAIN, NULL};
    size_t i = 0;
    if (n < 2 || d[i++] != 0x30)
        return v;
    if (d[i] & 0x80) /* long-form length: skip its bytes */
        i += 1 + (d[i] & 0x7f);
    else
        i++;
    if (i + 2 > n || d[i] != 0x06)
        return v;
    size_t olen = d[i + 1];
    const unsigned char *oid = d + i + 2;
    if (i + 2 + olen > n)
        return v;
    if (olen == sizeof pkcs7 + 1 && memcmp(oid, pkcs7, sizeof pkcs7) == 0) {
        if (oid[8] == 2)
            v = (body_verdict){BODY_SIGNED, "application/pkcs7-mime whose CMS content is signedData"};
        else if (oid[8] == 3)
            v.kind = BODY_OPAQUE;
    } else if (olen == sizeof auth_env && memcmp(oid, auth_env, sizeof auth_env) == 0) {
        v.kind = BODY_OPAQUE;
    }
    return v;
}

/* Catalogue D2: is this body (of this media type) signed, opaque (encrypted), or neither? */
static body_verdict classify(sl_span ctype, sl_span cte, sl_span body, int depth)
{
    body_verdict v = {BODY_PLAIN, NULL};
    sl_ctype ct;
    if (depth > 8 || sl_ctype_parse(ctype, &ct) != 0)
        return v;
    sl_span prm;
    if (sl_ctype_is(&ct, "multipart", "signed")) {
        /* RFC 1847 §2.1 / RFC 8551 §3.5.3; SIP uses it only for CMS signatures (RFC 3261 §23.3) */
        if (!sl_ctype_param(&ct, "protocol", &prm) || sl_span_ieq(prm, "application/pkcs7-signature") ||
            sl_span_ieq(prm, "application/x-pkcs7-signature"))
            return (body_verdict){BODY_SIGNED, "multipart/signed"};
        return v;
    }
    if (sl_ctype_is(&ct, "application", "pkcs7-mime") || sl_ctype_is(&ct, "application", "x-pkcs7-mime")) {
        if (sl_ctype_param(&ct, "smime-type", &prm)) {
            if (sl_span_ieq(prm, "signed-data"))
                return (body_verdict){BODY_SIGNED, "application/pkcs7-mime; smime-type=signed-data"};
            if (sl_span_ieq(prm, "enveloped-data") || sl_span_ieq(prm, "authEnveloped-data") ||
                sl_span_ieq(prm, "auth-enveloped-data"))
                return (body_verdict){BODY_OPAQUE, NULL};
            return v; /* certs-only, compressed-data */
        }
        unsigned char der[32];
        if (sl_span_ieq(cte, "base64"))
            return cms_kind(der, b64_prefix(body, der, sizeof der));
        return cms_kind((const unsigned char *)body.p, body.len);
    }
    if (sl_span_ieq(ct.type, "multipart")) {
        sl_span bd;
        if (!sl_ctype_param(&ct, "boundary", &bd))
            return v;
        size_t pos = 0;
        sl_part part;
        body_verdict acc = v;
        while (sl_multipart_next(body, bd, &pos, &part) == 1) {
            sl_span pct = {"text/plain", 10}, pcte = {"", 0};
            sl_mime_header(part.headers, "Content-Type", &pct);
            sl_mime_header(part.headers, "Content-Transfer-Encoding", &pcte);
            body_verdict pv = classify(pct, pcte, part.body, depth + 1);
            if (pv.kind == BODY_SIGNED)
                return pv; /* a signed part anywhere makes the message signed (D2 d) */
            if (pv.kind == BODY_OPAQUE)
                acc.kind = BODY_OPAQUE;
        }
        return acc;
    }
    if (sl_ctype_is(&ct, "message", "cpim")) {
        /* RFC 3862 §2: metadata headers, empty line, MIME headers, empty line, content. RFC 8591
         * §9.1 lets the CPIM payload alone be signed. */
        size_t i = 0, blank = 0, mime_start = 0, mime_end = 0;
        while (i < body.len && blank < 2) {
            const char *nl = memchr(body.p + i, '\n', body.len - i);
            size_t le = nl ? (size_t)(nl - body.p) : body.len;
            size_t content = le;
            if (content > i && body.p[content - 1] == '\r')
                content--;
            if (content == i) {
                blank++;
                if (blank == 1)
                    mime_start = le + 1;
                else
                    mime_end = i;
            }
            i = le + 1;
        }
        if (blank < 2 || mime_end < mime_start)
            return v;
        sl_span mh = {body.p + mime_start, mime_end - mime_start};
        sl_span ict, icte = {"", 0};
        if (!sl_mime_header(mh, "Content-Type", &ict))
            return v;
        sl_mime_header(mh, "Content-Transfer-Encoding", &icte);
        size_t cs = i < body.len ? i : body.len;
        body_verdict iv = classify(ict, icte, (sl_span){body.p + cs, body.len - cs}, depth + 1);
        if (iv.kind == BODY_SIGNED)
            iv.form = "a signed message/cpim payload";
        return iv;
    }
    return v;
}

static void rule_signed_no_date(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!sl_concerns(c, "MESSAGE") || m->count[SL_H_DATE] || m->body.len == 0)
        return;
    const sl_header *ct = sl_msg_hdr(m, SL_H_CONTENT_TYPE);
    if (!ct)
        return;
    const sl_header *cte = sl_msg_hdr(m, SL_H_CONTENT_TRANSFER_ENCODING);
    body_verdict v = classify(ct->value, cte ? cte->value : (sl_span){"", 0}, m->body, 0);
    if (v.kind != BODY_SIGNED)
        return; /* enveloped bodies hide any signature: no proof (catalogue D2) */
    if (m->is_request)
        sl_emit(c, SL_R_MSG_SIGNED_NO_DATE, SL_SEV_ERROR, ct->offset, ct->row_len,
                "signed MESSAGE request (%s) has no Date header; RFC 3428 §11.4 requires Date in "
                "every signed MESSAGE request and response", v.form);
    else
        sl_emit(c, SL_R_MSG_SIGNED_NO_DATE, SL_SEV_ERROR, ct->offset, ct->row_len,
                "signed %u response to MESSAGE (%s) has no Date header; RFC 3428 §11.4 requires "
                "Date in every signed MESSAGE request and response", m->status, v.form);
}

const sl_rule_impl sl_rules_rfc3428[] = {
    {SL_R_MSG_SIZE, rule_msg_size},
    {SL_R_MSG_SIGNED_NO_DATE, rule_signed_no_date},
    {SL_RULE__COUNT, NULL},
};
