/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 3428 (MESSAGE) rules that one message can prove: size, transport, Contact, bodies, Date and
 * signatures, IM URIs, method case, and the 405/413/415 answers to MESSAGE. */
#include <string.h>
#include <time.h>

#include "../engine/engine_internal.h"

/* RFC 3428 §8: "the size of a MESSAGE request MUST NOT exceed 1300 bytes" unless the UAC
 * positively knows the path is congestion-controlled; RFC 8591 §7.1: the whole message counts.
 * A congestion-controlled transport at the capture point proves nothing about other hops, so the
 * rule fires on every transport; only the operator can assert a congestion-safe network or a
 * path MTU. */
static void rule_msg_size(sl_ctx *c)
{
    const sl_msg *m = c->m;
    unsigned limit = c->cfg->max_message_size ? c->cfg->max_message_size : 1300;
    if (!sl_is_method(m, "MESSAGE") || m->len <= limit || c->cfg->assume_congestion_safe)
        return;
    /* The other exception of §8: the message is at least 200 bytes below the path MTU, which
     * only the operator can know (--path-mtu). */
    if (c->cfg->path_mtu && (uint64_t)m->len + 200 <= c->cfg->path_mtu)
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
    /* What the signature covers, for MSG-SIGNED-DATE-UNCOVERED: for multipart/signed the first
     * part (has_part), for pkcs7-mime signed-data the CMS blob that encapsulates it (has_cms). */
    int has_part, has_cms;
    sl_span part_ct, part_cte, part_body;
    sl_span cms, cms_cte;
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
    body_verdict v = {BODY_PLAIN, NULL, 0, 0, {0}, {0}, {0}, {0}, {0}};
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
            v.kind = BODY_SIGNED, v.form = "application/pkcs7-mime whose CMS content is signedData";
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
    body_verdict v = {BODY_PLAIN, NULL, 0, 0, {0}, {0}, {0}, {0}, {0}};
    sl_ctype ct;
    /* Only multipart/, application/ and message/ types can be signed or opaque, and the type is
     * the value's first token: most bodies (text/plain) need no parse. */
    unsigned char t0 = ctype.len ? (unsigned char)(ctype.p[0] | 0x20) : 0;
    if (t0 != 'm' && t0 != 'a')
        return v;
    if (depth > 8 || sl_ctype_parse(ctype, &ct) != 0)
        return v;
    sl_span prm;
    if (sl_ctype_is(&ct, "multipart", "signed")) {
        /* RFC 1847 §2.1 / RFC 8551 §3.5.3; SIP uses it only for CMS signatures (RFC 3261 §23.3) */
        if (!sl_ctype_param(&ct, "protocol", &prm) || sl_span_ieq(prm, "application/pkcs7-signature") ||
            sl_span_ieq(prm, "application/x-pkcs7-signature")) {
            v.kind = BODY_SIGNED;
            v.form = "multipart/signed";
            /* RFC 1847 §2.1: the first part is the signed content */
            sl_span bd;
            size_t pos = 0;
            sl_part part;
            if (sl_ctype_param(&ct, "boundary", &bd) && sl_multipart_next(body, bd, &pos, &part) == 1) {
                v.has_part = 1;
                v.part_ct = (sl_span){"text/plain", 10}; /* RFC 2045 §5.2 default */
                v.part_cte = (sl_span){"", 0};
                sl_mime_header(part.headers, "Content-Type", &v.part_ct);
                sl_mime_header(part.headers, "Content-Transfer-Encoding", &v.part_cte);
                v.part_body = part.body;
            }
        }
        return v;
    }
    if (sl_ctype_is(&ct, "application", "pkcs7-mime") || sl_ctype_is(&ct, "application", "x-pkcs7-mime")) {
        if (sl_ctype_param(&ct, "smime-type", &prm)) {
            if (sl_span_ieq(prm, "signed-data")) {
                v.kind = BODY_SIGNED;
                v.form = "application/pkcs7-mime; smime-type=signed-data";
            } else if (sl_span_ieq(prm, "enveloped-data") || sl_span_ieq(prm, "authEnveloped-data") ||
                       sl_span_ieq(prm, "auth-enveloped-data")) {
                v.kind = BODY_OPAQUE;
            }
            /* else certs-only, compressed-data: not signed */
        } else {
            unsigned char der[32];
            if (sl_span_ieq(cte, "base64"))
                v = cms_kind(der, b64_prefix(body, der, sizeof der));
            else
                v = cms_kind((const unsigned char *)body.p, body.len);
        }
        if (v.kind == BODY_SIGNED) {
            v.has_cms = 1;
            v.cms = body;
            v.cms_cte = cte;
        }
        return v;
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

/* ---- MSG-SIGNED-DATE-UNCOVERED ------------------------------------------------------------ */

/* One BER/DER TLV at d[*i] (RFC 5652 uses DER, but signers may stream BER with indefinite
 * lengths). Sets the tag, the content length (*indef for 0x80, then the rest of d) and moves *i to
 * the content. Returns 0, or -1 if the bytes run out or the length does not fit. */
static int ber_tlv(const unsigned char *d, size_t n, size_t *i, unsigned *tag, size_t *clen, int *indef)
{
    if (*i + 2 > n)
        return -1;
    *tag = d[(*i)++];
    if ((*tag & 0x1f) == 0x1f)
        return -1; /* high tag numbers do not occur in the structures read here */
    unsigned l = d[(*i)++];
    *indef = 0;
    if (l < 0x80) {
        *clen = l;
    } else if (l == 0x80) {
        *indef = 1;
        *clen = n - *i;
    } else {
        unsigned k = l & 0x7f;
        size_t v = 0;
        if (k > 4 || *i + k > n)
            return -1;
        while (k--)
            v = (v << 8) | d[(*i)++];
        *clen = v;
    }
    return *clen <= n - *i ? 0 : -1;
}

/* The encapsulated content of a CMS SignedData blob (RFC 5652 §3, §5.1, §5.2): ContentInfo {
 * signedData, [0] SignedData { version, digestAlgorithms, EncapsulatedContentInfo { id-data,
 * [0] OCTET STRING } ... } }. A constructed OCTET STRING is joined in place. Returns 1 and *out
 * (inside d) when found, 0 otherwise (detached, another content type, unreadable). */
static int cms_econtent(unsigned char *d, size_t n, sl_span *out)
{
    static const unsigned char id_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    size_t i = 0, len;
    unsigned tag;
    int indef;
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0x30) /* ContentInfo */
        return 0;
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0x06) /* contentType */
        return 0;
    i += len;
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0xa0) /* [0] content */
        return 0;
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0x30) /* SignedData */
        return 0;
    for (int skip = 0; skip < 2; skip++) { /* version, digestAlgorithms */
        if (ber_tlv(d, n, &i, &tag, &len, &indef) || indef)
            return 0;
        i += len;
    }
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0x30) /* EncapsulatedContentInfo */
        return 0;
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0x06 || len != sizeof id_data ||
        memcmp(d + i, id_data, sizeof id_data) != 0)
        return 0;
    i += len;
    if (ber_tlv(d, n, &i, &tag, &len, &indef) || tag != 0xa0) /* [0] eContent */
        return 0;
    if (ber_tlv(d, n, &i, &tag, &len, &indef))
        return 0;
    if (tag == 0x04 && !indef) {
        *out = (sl_span){(const char *)d + i, len};
        return 1;
    }
    if (tag != 0x24)
        return 0;
    /* constructed OCTET STRING: primitive chunks up to the end of its content or an EOC */
    size_t end = i + len, w = i, start = i;
    while (i < end) {
        if (i + 2 <= end && d[i] == 0 && d[i + 1] == 0)
            break;
        if (ber_tlv(d, end, &i, &tag, &len, &indef) || tag != 0x04 || indef)
            return 0;
        memmove(d + w, d + i, len);
        w += len;
        i += len;
    }
    *out = (sl_span){(const char *)d + start, w - start};
    return 1;
}

/* Split a MIME entity (or a SIP message after its start line) at its first empty line. */
static void split_entity(sl_span e, sl_span *headers, sl_span *body)
{
    size_t i = 0;
    *headers = e;
    *body = (sl_span){e.p + e.len, 0};
    while (i < e.len) {
        const char *nl = memchr(e.p + i, '\n', e.len - i);
        size_t le = nl ? (size_t)(nl - e.p) : e.len;
        size_t content = le > i && e.p[le - 1] == '\r' ? le - 1 : le;
        if (content == i) {
            *headers = (sl_span){e.p, i};
            size_t bs = nl ? le + 1 : e.len;
            *body = (sl_span){e.p + bs, e.len - bs};
            return;
        }
        if (!nl)
            return;
        i = le + 1;
    }
}

/* A header value with folding and runs of blanks turned into single spaces (RFC 3261 §7.3.1:
 * folded lines are equivalent to one SP), copied into buf; cut at cap bytes. */
static sl_span unfold(sl_span v, char *buf, size_t cap)
{
    size_t o = 0;
    int blank = 0;
    v = sl_span_trim(v);
    for (size_t i = 0; i < v.len && o < cap; i++) {
        char ch = v.p[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            blank = 1;
            continue;
        }
        if (blank && o < cap - 1)
            buf[o++] = ' ';
        blank = 0;
        buf[o++] = ch;
    }
    return (sl_span){buf, o};
}

/* Decode base64 into out; returns the bytes written, or 0 if they may not all fit. */
static size_t b64_all(sl_span s, unsigned char *out, size_t cap)
{
    size_t n = b64_prefix(s, out, cap);
    return n < cap ? n : 0;
}

typedef enum { COVER_UNKNOWN = 0, COVER_NOT_SIP, COVER_NO_DATE, COVER_DATE } cover_kind;

typedef struct cover {
    cover_kind kind;
    sl_span what; /* COVER_NOT_SIP: the media type that is signed */
    sl_span date; /* COVER_DATE: the inner Date value */
} cover;

/* What the signed entity (ct, cte, body) says about Date: a tunnelled message/sip (RFC 3261
 * §23.4) or message/sipfrag (RFC 3420) with or without Date, or something else. Anything that
 * hides its content (encryption inside the signature, a nested signature, undecodable bytes) is
 * COVER_UNKNOWN: no proof either way. scratch receives decoded base64. */
static cover signed_cover(sl_span ctype, sl_span cte, sl_span body, unsigned char *scratch, size_t cap,
                          int depth)
{
    cover r = {COVER_UNKNOWN, {0}, {0}};
    sl_ctype ct;
    if (depth > 4 || sl_ctype_parse(ctype, &ct) != 0)
        return r;
    if (sl_ctype_is(&ct, "message", "sip") || sl_ctype_is(&ct, "message", "sipfrag")) {
        if (sl_span_ieq(cte, "base64")) {
            size_t n = b64_all(body, scratch, cap);
            if (!n)
                return r;
            body = (sl_span){(const char *)scratch, n};
        } else if (cte.len && !sl_span_ieq(cte, "binary") && !sl_span_ieq(cte, "7bit") &&
                   !sl_span_ieq(cte, "8bit")) {
            return r; /* quoted-printable or unknown: not read */
        }
        /* message/sip starts with a start line; a sipfrag may start with a header */
        const char *nl = memchr(body.p, '\n', body.len);
        if (nl && sl_looks_like_sip(body.p, body.len)) {
            size_t s = (size_t)(nl - body.p) + 1;
            body = (sl_span){body.p + s, body.len - s};
        }
        sl_span hdrs, rest;
        split_entity(body, &hdrs, &rest);
        r.kind = sl_mime_header(hdrs, "Date", &r.date) ? COVER_DATE : COVER_NO_DATE;
        return r;
    }
    if (sl_ctype_is(&ct, "application", "pkcs7-mime") ||
        sl_ctype_is(&ct, "application", "x-pkcs7-mime") || sl_ctype_is(&ct, "multipart", "signed") ||
        sl_ctype_is(&ct, "multipart", "encrypted"))
        return r; /* encrypted or signed again inside the signature: the Date cannot be seen */
    if (sl_span_ieq(ct.type, "multipart")) {
        /* e.g. multipart/mixed of message/sip and an attachment: the most telling part decides */
        sl_span bd;
        size_t pos = 0;
        sl_part part;
        if (!sl_ctype_param(&ct, "boundary", &bd))
            return r;
        while (sl_multipart_next(body, bd, &pos, &part) == 1) {
            sl_span pct = {"text/plain", 10}, pcte = {"", 0};
            sl_mime_header(part.headers, "Content-Type", &pct);
            sl_mime_header(part.headers, "Content-Transfer-Encoding", &pcte);
            cover pc = signed_cover(pct, pcte, part.body, scratch, cap, depth + 1);
            if (pc.kind == COVER_UNKNOWN)
                return pc;
            if (pc.kind > r.kind)
                r = pc;
        }
        if (r.kind == COVER_NOT_SIP)
            r.what = sl_span_trim(ctype);
        return r;
    }
    r.kind = COVER_NOT_SIP;
    r.what = sl_span_trim(ctype);
    return r;
}

/* RFC 3428 §11.4: the Date of a signed MESSAGE request or response MUST be "covered by the
 * message signature", which S/MIME does only by signing a tunnelled copy of the message
 * (message/sip, RFC 3261 §23.4); RFC 3261 §23.4.1.2: "If present, the Date header field MUST
 * always be the same in the 'inner' and 'outer' headers". Most S/MIME IM signs the payload only
 * (RFC 8591 §12), so the uncovered case is a warning; a differing inner Date is an error. */
static void rule_signed_date_uncovered(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *date = sl_msg_hdr(m, SL_H_DATE);
    if (!sl_concerns(c, "MESSAGE") || !date || m->body.len == 0)
        return; /* without Date, MSG-SIGNED-NO-DATE speaks */
    const sl_header *ct = sl_msg_hdr(m, SL_H_CONTENT_TYPE);
    if (!ct)
        return;
    const sl_header *cte = sl_msg_hdr(m, SL_H_CONTENT_TRANSFER_ENCODING);
    body_verdict v = classify(ct->value, cte ? cte->value : (sl_span){"", 0}, m->body, 0);
    if (v.kind != BODY_SIGNED)
        return; /* unsigned, or encrypted (catalogue D2: opaque) */
    enum { CAP = 16384 };
    unsigned char cms[CAP], scratch[CAP];
    cover cv = {COVER_UNKNOWN, {0}, {0}};
    if (v.has_part) {
        cv = signed_cover(v.part_ct, v.part_cte, v.part_body, scratch, CAP, 0);
    } else if (v.has_cms) {
        size_t n = 0;
        if (sl_span_ieq(v.cms_cte, "base64"))
            n = b64_all(v.cms, cms, CAP);
        else if (v.cms.len < CAP)
            memcpy(cms, v.cms.p, n = v.cms.len);
        sl_span content, hdrs, body;
        if (n && cms_econtent(cms, n, &content)) {
            split_entity(content, &hdrs, &body);
            sl_span ict = {"text/plain", 10}, icte = {"", 0};
            sl_mime_header(hdrs, "Content-Type", &ict);
            sl_mime_header(hdrs, "Content-Transfer-Encoding", &icte);
            cv = signed_cover(ict, icte, body, scratch, CAP, 0);
        }
    }
    const char *who = m->is_request ? "MESSAGE request" : "response to MESSAGE";
    switch (cv.kind) {
    case COVER_UNKNOWN:
        return; /* the signed content cannot be read: no proof */
    case COVER_NOT_SIP:
        sl_emit(c, SL_R_MSG_SIGNED_DATE_UNCOVERED, SL_SEV_WARNING, date->offset, date->row_len,
                "signed %s (%s): its Date \"%s\" is not covered by the signature, which covers "
                "only %s, not a tunnelled message/sip copy of the message; RFC 3428 §11.4 requires "
                "the Date to be covered by the message signature (RFC 3261 §23.4)",
                who, v.form, sl_show(c, date->value, 64), sl_show(c, cv.what, 64));
        return;
    case COVER_NO_DATE:
        sl_emit(c, SL_R_MSG_SIGNED_DATE_UNCOVERED, SL_SEV_WARNING, date->offset, date->row_len,
                "signed %s (%s): the tunnelled message/sip copy has no Date, so the outer Date "
                "\"%s\" is not covered by the signature; RFC 3428 §11.4 requires a signed Date "
                "(RFC 3261 §23.4.1: Date in both the inner and outer headers)", who, v.form,
                sl_show(c, date->value, 64));
        return;
    case COVER_DATE: {
        time_t ti, to;
        const char *what;
        char ib[128], ob[128];
        sl_span in = unfold(cv.date, ib, sizeof ib), out = unfold(date->value, ob, sizeof ob);
        int same;
        if (sl_date_parse(in, &ti, &what) == 0 && sl_date_parse(out, &to, &what) == 0)
            same = ti == to;
        else
            same = in.len == out.len && memcmp(in.p, out.p, in.len) == 0;
        if (!same)
            sl_emit(c, SL_R_MSG_SIGNED_DATE_UNCOVERED, SL_SEV_ERROR, date->offset, date->row_len,
                    "signed %s (%s): the outer Date \"%s\" differs from the signed inner Date "
                    "\"%s\"; RFC 3261 §23.4.1.2: the Date MUST be the same in the inner and outer "
                    "headers, so the outer Date is not the one the signature covers (RFC 3428 §11.4)",
                    who, v.form, sl_show(c, out, 64), sl_show(c, in, 64));
        return;
    }
    }
}

/* ---- headers and answers ------------------------------------------------------------------ */

/* Length of the start line, without its line end. */
static size_t start_line_len(const sl_msg *m)
{
    const char *eol = memchr(m->base, '\n', m->avail);
    size_t l = eol ? (size_t)(eol - m->base) : m->avail;
    if (l && m->base[l - 1] == '\r')
        l--;
    return l;
}

/* RFC 3428 §4: "User Agents MUST NOT insert Contact header fields into MESSAGE requests"; Table 1
 * marks Contact "-" for MESSAGE requests, so a proxy may not add one either. B2BUAs and SBCs are
 * user agents. */
static void rule_contact(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_CONTACT);
    char buf[256];
    if (!sl_is_method(m, "MESSAGE") || !h)
        return;
    sl_emit(c, SL_R_MSG_CONTACT, SL_SEV_ERROR, h->offset, h->row_len,
            "MESSAGE request carries Contact \"%s\"%s; RFC 3428 §4: user agents MUST NOT insert "
            "Contact header fields into MESSAGE requests (MESSAGE creates no dialog)",
            sl_show(c, unfold(h->value, buf, sizeof buf), 80),
            m->count[SL_H_CONTACT] > 1 ? " and further Contact rows" : "");
}

/* RFC 3428 §7: "A UAS MUST NOT insert a Contact header field into a 2xx response"; Table 1 also
 * marks Contact "-" for 1xx (a table entry: warning). 3xx and 485 may carry Contact ("o"). The
 * method comes from the response's CSeq. */
static void rule_resp_contact(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_CONTACT);
    char buf[256];
    if (m->is_request || !h || !sl_concerns(c, "MESSAGE"))
        return;
    sl_span v = unfold(h->value, buf, sizeof buf);
    if (m->status >= 200 && m->status < 300)
        sl_emit(c, SL_R_MSG_RESP_CONTACT, SL_SEV_ERROR, h->offset, h->row_len,
                "%u response to MESSAGE carries Contact \"%s\"; RFC 3428 §7: a UAS MUST NOT insert "
                "a Contact header field into a 2xx response", m->status, sl_show(c, v, 80));
    else if (m->status >= 100 && m->status < 200)
        sl_emit(c, SL_R_MSG_RESP_CONTACT, SL_SEV_WARNING, h->offset, h->row_len,
                "%u response to MESSAGE carries Contact \"%s\"; RFC 3428 §9 Table 1 marks Contact "
                "not applicable (\"-\") in 1xx responses to MESSAGE", m->status, sl_show(c, v, 80));
}

/* RFC 3428 §7: "A 2xx response to a MESSAGE request MUST NOT contain a body." The body is what
 * Content-Length delimits: a Content-Type with Content-Length 0 is no body, and UDP bytes after
 * the Content-Length body are discarded (RFC 3261 §18.3; SIP-CL-MISMATCH reports them). */
static void rule_2xx_body(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status < 200 || m->status >= 300 || m->body.len == 0 ||
        !sl_concerns(c, "MESSAGE"))
        return;
    const sl_header *ct = sl_msg_hdr(m, SL_H_CONTENT_TYPE);
    const sl_header *cl = sl_msg_hdr(m, SL_H_CONTENT_LENGTH);
    const sl_header *at = ct ? ct : cl;
    char buf[128];
    sl_emit(c, SL_R_MSG_2XX_BODY, SL_SEV_ERROR, at ? at->offset : m->hdr_end,
            at ? at->row_len : m->body.len,
            "%u response to MESSAGE carries a %s-byte body (%s%s%s); RFC 3428 §7: a 2xx response to "
            "a MESSAGE request MUST NOT contain a body", m->status, sl_thousands(c, m->body.len),
            ct ? "Content-Type " : "no Content-Type",
            ct ? sl_show(c, unfold(ct->value, buf, sizeof buf), 64) : "",
            cl ? "" : ", no Content-Length");
}

/* RFC 3428 §4: "If the UAC adds an Expires header field with a non-zero value, it SHOULD also add
 * a Date header field". Expires: 0 is exempt. A proxy may add Date (Table 1 "a"), which hides the
 * UAC's omission; a copy without Date shows it wherever it is captured. */
static void rule_expires_no_date(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_EXPIRES);
    if (!sl_is_method(m, "MESSAGE") || !h || m->count[SL_H_DATE])
        return;
    uint64_t v;
    if (sl_uint_parse(sl_span_trim(h->value), UINT32_MAX, &v) != 0 || v == 0)
        return; /* a malformed value is SIP-PARSE's */
    sl_emit(c, SL_R_MSG_EXPIRES_NO_DATE, SL_SEV_WARNING, h->offset, h->row_len,
            "MESSAGE request has Expires: %s but no Date header; RFC 3428 §4: a UAC that adds a "
            "non-zero Expires SHOULD also add a Date (the UAS counts the expiry from it, §7)",
            sl_thousands(c, v));
}

/* Does the URI of one Route/Record-Route element use the im: scheme (RFC 3860)? Schemes are
 * case-insensitive (RFC 3986 §3.1). */
static int elem_is_im(sl_span e, sl_span *uri)
{
    sl_addr a;
    const char *what;
    size_t at;
    if (sl_addr_parse(e, &a, &what, &at) == 0) {
        *uri = a.uri;
    } else { /* malformed (PATH/SIP-PARSE territory): still look at what is inside <> */
        const char *lt = memchr(e.p, '<', e.len);
        *uri = lt ? (sl_span){lt + 1, e.len - (size_t)(lt + 1 - e.p)} : e;
        const char *gt = memchr(uri->p, '>', uri->len);
        if (gt)
            uri->len = (size_t)(gt - uri->p);
    }
    *uri = sl_span_trim(*uri);
    return uri->len >= 3 && sl_span_ieq((sl_span){uri->p, 3}, "im:");
}

/* RFC 3428 §5: "Record-Route and Route header fields MUST NOT contain IM URIs." Checked in
 * MESSAGE requests and in responses to MESSAGE (which echo Record-Route); one finding per value. */
static void rule_im_uri_route(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if ((!m->count[SL_H_ROUTE] && !m->count[SL_H_RECORD_ROUTE]) || !sl_concerns(c, "MESSAGE"))
        return;
    static const sl_hdr_id ids[] = {SL_H_ROUTE, SL_H_RECORD_ROUTE};
    for (size_t k = 0; k < 2; k++) {
        for (const sl_header *h = sl_msg_hdr(m, ids[k]); h; h = sl_msg_hdr_next(m, h)) {
            size_t pos = 0;
            sl_span e, uri;
            while (sl_list_next(h->value, &pos, &e))
                if (e.len && elem_is_im(e, &uri))
                    sl_emit(c, SL_R_MSG_IM_URI_ROUTE, SL_SEV_ERROR, h->offset, h->row_len,
                            "%s value <%s> is an IM URI; RFC 3428 §5: Record-Route and Route "
                            "header fields MUST NOT contain IM URIs, only concrete SIP or SIPS URIs",
                            sl_hdr_name(ids[k]), sl_show(c, uri, 80));
        }
    }
}

/* RFC 3428 §9: MESSAGEm = %x4D.45.53.53.41.47.45 ("MESSAGE in caps"); methods are case-sensitive
 * (RFC 3261 §7.1), so "message" is an unknown extension method. No MESSAGE rule runs on it: they
 * all compare the method (or the CSeq method) case-sensitively. */
static void rule_method_case(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!m->is_request || sl_span_is(m->method, "MESSAGE") || !sl_span_ieq(m->method, "MESSAGE"))
        return;
    sl_emit(c, SL_R_MSG_METHOD_CASE, SL_SEV_WARNING, 0, m->method.len,
            "request method \"%s\" is not MESSAGE: methods are case-sensitive (RFC 3261 §7.1) and "
            "RFC 3428 §9 defines MESSAGE in capitals, so this is an unknown extension method (a UAS "
            "answers 405 or 501) and no MESSAGE rule applies to it", sl_show(c, m->method, 32));
}

/* RFC 3261 §21.4.13: a 415 "MUST return a list of acceptable formats using the Accept,
 * Accept-Encoding, or Accept-Language header field, depending on the specific problem"; RFC 3428
 * Table 1 marks all three "m*" in a 415 to MESSAGE. None of them: error. Accept missing while
 * another is there: warning (the problem may have been the encoding or language alone). An empty
 * Accept counts as present: it says that nothing is acceptable (RFC 3261 §20.1). */
static void rule_415_accept(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status != 415 || !sl_concerns(c, "MESSAGE"))
        return;
    unsigned a = m->count[SL_H_ACCEPT], ae = m->count[SL_H_ACCEPT_ENCODING],
             al = m->count[SL_H_ACCEPT_LANGUAGE];
    if (!a && !ae && !al)
        sl_emit(c, SL_R_MSG_415_ACCEPT, SL_SEV_ERROR, 0, start_line_len(m),
                "415 response to MESSAGE has none of Accept, Accept-Encoding and Accept-Language; "
                "RFC 3261 §21.4.13 (and §8.2.3): the server MUST list what it accepts");
    else if (!a)
        sl_emit(c, SL_R_MSG_415_ACCEPT, SL_SEV_WARNING, 0, start_line_len(m),
                "415 response to MESSAGE has %s but no Accept; RFC 3261 §8.2.3 and RFC 3428 Table 1 "
                "(Accept \"m*\" in a 415) expect the acceptable body types to be listed",
                ae && al ? "Accept-Encoding and Accept-Language"
                : ae     ? "Accept-Encoding"
                         : "Accept-Language");
}

/* RFC 3261 §21.4.6: a 405 "MUST include an Allow header field containing a list of valid
 * methods"; RFC 3428 Table 1: Allow "m" in a 405 to MESSAGE. */
static void rule_405_allow(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status != 405 || m->count[SL_H_ALLOW] || !sl_concerns(c, "MESSAGE"))
        return;
    sl_emit(c, SL_R_MSG_405_ALLOW, SL_SEV_ERROR, 0, start_line_len(m),
            "405 response to MESSAGE has no Allow header; RFC 3261 §21.4.6: a 405 MUST include "
            "Allow with the methods the target supports (RFC 3428 Table 1: Allow \"m\" in a 405)");
}

/* RFC 3261 §21.4.11: 413 concerns the request's entity-body, and "If the condition is temporary,
 * the server SHOULD include a Retry-After header field". One message cannot show whether the
 * condition is temporary (hence a note), nor whether the request had a body: a 413 to a MESSAGE
 * without a body needs the request, which only the transaction tracker sees. */
static void rule_413(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status != 413 || m->count[SL_H_RETRY_AFTER] || !sl_concerns(c, "MESSAGE"))
        return;
    sl_emit(c, SL_R_MSG_413, SL_SEV_NOTE, 0, start_line_len(m),
            "413 response to MESSAGE has no Retry-After; RFC 3261 §21.4.11: if the condition is "
            "temporary, the server SHOULD include Retry-After to say when to try again");
}

/* RFC 3428 §8: "Whenever possible, MESSAGE requests SHOULD be sent over transports that implement
 * end-to-end congestion control, such as TCP or SCTP." Small UDP MESSAGEs are lawful: a note. Only
 * a capture shows the transport; a raw message file's transport is an assumption made for
 * framing. The finding points at the top Via, which names this hop's transport. */
static void rule_cc_transport(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (!sl_is_method(m, "MESSAGE") || c->meta->transport != SL_TP_UDP ||
        (c->meta->flags & SL_META_RAW_FILE))
        return;
    const sl_header *via = sl_msg_hdr(m, SL_H_VIA);
    sl_emit(c, SL_R_MSG_CC_TRANSPORT, SL_SEV_NOTE, via ? via->offset : 0,
            via ? via->row_len : start_line_len(m),
            "MESSAGE request (%s bytes) is carried over UDP; RFC 3428 §8: MESSAGE requests SHOULD "
            "be sent over a congestion-controlled transport such as TCP or SCTP whenever possible",
            sl_thousands(c, m->len));
}

const sl_rule_def sl_rules_rfc3428[] = {
    {SL_R_MSG_SIZE, rule_msg_size, SL_ON_MESSAGE_REQUEST},
    {SL_R_MSG_SIGNED_NO_DATE, rule_signed_no_date, SL_ON_MESSAGE},
    {SL_R_MSG_SIGNED_DATE_UNCOVERED, rule_signed_date_uncovered, SL_ON_MESSAGE},
    {SL_R_MSG_CONTACT, rule_contact, SL_ON_MESSAGE_REQUEST},
    {SL_R_MSG_RESP_CONTACT, rule_resp_contact, SL_ON_MESSAGE_RESPONSE},
    {SL_R_MSG_2XX_BODY, rule_2xx_body, SL_ON_MESSAGE_RESPONSE},
    {SL_R_MSG_EXPIRES_NO_DATE, rule_expires_no_date, SL_ON_MESSAGE_REQUEST},
    {SL_R_MSG_IM_URI_ROUTE, rule_im_uri_route, SL_ON_MESSAGE},
    {SL_R_MSG_METHOD_CASE, rule_method_case, SL_ON_REQUEST},
    {SL_R_MSG_415_ACCEPT, rule_415_accept, SL_ON_MESSAGE_RESPONSE},
    {SL_R_MSG_405_ALLOW, rule_405_allow, SL_ON_MESSAGE_RESPONSE},
    {SL_R_MSG_413, rule_413, SL_ON_MESSAGE_RESPONSE},
    {SL_R_MSG_CC_TRANSPORT, rule_cc_transport, SL_ON_MESSAGE_REQUEST},
    {SL_RULE__COUNT, NULL, SL_ON_ANY},
};
