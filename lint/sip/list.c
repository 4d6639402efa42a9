/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comma lists, ;parameters and URI checks (RFC 3261 §7.3.1, §19.1, §25.1; RFC 5118). */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

/* The element from i on when the row holds a ',' after i: the first ',' outside a quoted string
 * and outside <> ends it. Returns the index of that ',' (or v.len). */
SL_NOINLINE static size_t list_elem_end(sl_span v, size_t i)
{
    int angle = 0;
    const uint64_t ones = SL_SWAR_ONES;
    for (; i < v.len; i++) {
        /* skip eight bytes at a time while none is '"', '<', '>' or ','. Setting bit 1 of every
         * byte maps '<' (0x3c) onto '>' (0x3e) and nothing else onto it, so three zero-byte
         * tests cover the four characters (each exact as to existence). */
        while (v.len - i >= 8) {
            uint64_t w = sl_swar_load(v.p + i);
            if (sl_swar_zero(w ^ (ones * '"')) | sl_swar_zero(w ^ (ones * ',')) |
                sl_swar_zero((w | (ones * 0x02)) ^ (ones * '>')))
                break;
            i += 8;
        }
        if (i >= v.len)
            break;
        char c = v.p[i];
        if (c == '"') {
            i = sl_skip_quoted(v.p, i, v.len);
            if (i == v.len)
                break;
        } else if (c == '<') {
            angle = 1;
        } else if (c == '>') {
            angle = 0;
        } else if (c == ',' && !angle) {
            break;
        }
    }
    return i < v.len ? i : v.len;
}

int sl_list_next(sl_span v, size_t *pos, sl_span *elem)
{
    size_t i = *pos;
    if (i > v.len)
        return 0;
    /* Most rows hold one element: with no ',' after i, the element runs to the end whatever
     * quotes and angle brackets it holds, and one memchr settles it. */
    if (i == v.len || !memchr(v.p + i, ',', v.len - i)) {
        sl_span r = sl_trim(sl_mkspan(v.p + i, v.len - i));
        if (i == 0 && r.len == 0)
            return 0; /* a value of LWS only is an empty list */
        *elem = r;
        *pos = v.len + 1;
        return 1;
    }
    /* (a value with a ',' is not LWS only) */
    size_t e = list_elem_end(v, i);
    *elem = sl_trim(sl_mkspan(v.p + i, e - i));
    *pos = e + 1;
    return 1;
}

int sl_param_next(sl_span s, size_t *pos, sl_param *out, size_t *err_at)
{
    size_t i = sl_skip_lws(s.p, *pos, s.len);
    if (i >= s.len) {
        *pos = s.len;
        return 0;
    }
    if (s.p[i] != ';') {
        *err_at = i;
        return -1;
    }
    i = sl_skip_lws(s.p, i + 1, s.len);
    size_t ns = i;
    while (i < s.len && sl_is_token((unsigned char)s.p[i]))
        i++;
    if (i == ns) {
        *err_at = ns < s.len ? ns : s.len;
        *pos = i;
        return -1; /* empty parameter (";;", RFC 4475 badinv01) or a non-token name */
    }
    out->name = sl_mkspan(s.p + ns, i - ns);
    out->value = sl_mkspan(NULL, 0);
    size_t j = sl_skip_lws(s.p, i, s.len);
    if (j < s.len && s.p[j] == '=') {
        j = sl_skip_lws(s.p, j + 1, s.len);
        size_t vs = j;
        if (j < s.len && s.p[j] == '"') {
            size_t q = sl_skip_quoted(s.p, j, s.len);
            if (q == s.len) {
                *err_at = j;
                *pos = s.len;
                return -1;
            }
            j = q + 1;
        } else {
            /* gen-value = token / host / quoted-string (SL_C_VALUE, span.c) */
            j = sl_scan_class(s.p, j, s.len, SL_C_VALUE);
        }
        if (j == vs) {
            *err_at = vs;
            *pos = j;
            return -1; /* "name=" with no value */
        }
        out->value = sl_mkspan(s.p + vs, j - vs);
        i = j;
    }
    *pos = i;
    return 1;
}

int sl_param_find(sl_span params, const char *name, sl_param *out)
{
    size_t pos = 0, err;
    sl_param p;
    int rc;
    while ((rc = sl_param_next(params, &pos, &p, &err)) != 0) {
        if (rc < 0) {
            /* skip to the next ';' and go on: a lookup is not a validation */
            while (pos < params.len && params.p[pos] != ';')
                pos++;
            if (pos >= params.len)
                return 0;
            continue;
        }
        if (sl_span_ieq(p.name, name)) {
            if (out)
                *out = p;
            return 1;
        }
    }
    return 0;
}

/* hostport part of a sip/sips URI: after "user@" (the user part may hold ';', '?' and ',',
 * RFC 4475 intmeth and semiuri) up to ';' or '?'. */
static sl_span sip_hostport(sl_span uri, size_t scheme_len, size_t *at)
{
    size_t s = scheme_len + 1;
    const char *amp = memchr(uri.p + s, '@', uri.len - s);
    if (amp)
        s = (size_t)(amp - uri.p) + 1;
    size_t e = s;
    if (e < uri.len && uri.p[e] == '[') {
        const char *rb = memchr(uri.p + e, ']', uri.len - e);
        e = rb ? (size_t)(rb - uri.p) + 1 : uri.len;
    }
    if (e < uri.len)
        e = sl_find2(uri.p, e, uri.len, ';', '?');
    *at = s;
    return sl_mkspan(uri.p + s, e - s);
}

sl_span sl_uri_params(sl_span uri)
{
    const char *colon = memchr(uri.p, ':', uri.len);
    if (!colon)
        return sl_mkspan(uri.p + uri.len, 0);
    size_t at;
    sl_span hp = sip_hostport(uri, (size_t)(colon - uri.p), &at);
    size_t s = (size_t)(hp.p + hp.len - uri.p);
    size_t e = s;
    while (e < uri.len && uri.p[e] != '?')
        e++;
    return sl_mkspan(uri.p + s, e - s);
}

/* Nonzero iff some byte of w is at most ' ' or is 0x7f (exact as to existence). */
static inline uint64_t ctl_in_word(uint64_t w)
{
    return ((w - SL_SWAR_ONES * 0x21) & ~w & SL_SWAR_HIGH) | sl_swar_zero(w ^ (SL_SWAR_ONES * 0x7f));
}

/* Nonzero iff some byte of w is ';', '?' or ':' (exact as to existence). */
static inline uint64_t host_stop_in_word(uint64_t w)
{
    return sl_swar_zero(w ^ (SL_SWAR_ONES * ';')) | sl_swar_zero(w ^ (SL_SWAR_ONES * '?')) |
           sl_swar_zero(w ^ (SL_SWAR_ONES * ':'));
}

/* Index of the first ';', '?' or ':' at or after i, or n: eight bytes at a time, then byte by
 * byte through the word that holds one. A last, partial word without any is tested as the
 * eight bytes ending the span (n >= 8): most URIs end with their host. */
static size_t find_host_stop(const char *p, size_t i, size_t n)
{
    while (n - i >= 8 && !host_stop_in_word(sl_swar_load(p + i)))
        i += 8;
    if (n - i < 8 && i < n && n >= 8 && !host_stop_in_word(sl_swar_load(p + n - 8)))
        return n;
    while (i < n && !(sl_ctype_tab[(unsigned char)p[i]] & SL_C_URISTOP))
        i++;
    return i;
}

/* The common case in one pass: a sip: or sips: URI with no whitespace or control byte and a
 * host that is not an IPv6 reference. Returns 1, with the URI's ";params" in *params, only when
 * uri_check_slow would accept the URI and sl_uri_params would find the same params; 0 leaves
 * the decision (errors, other schemes, "[" hosts) to the precise code. */
static int uri_fast(sl_span uri, int in_request_line, sl_span *params)
{
    const char *p = uri.p;
    size_t n = uri.len, k;
    if (n < 5)
        return 0;
    if ((k = sl_sip_scheme_len(p)) == 0)
        return 0;
    /* no byte at most ' ' and no 0x7f after the scheme (the word test of uri_check_slow); the
     * last, partial word is tested as the eight bytes ending the URI, overlapping bytes already
     * passed or the scheme, which passes too (byte by byte if the URI is shorter than that) */
    size_t i = k + 1;
    while (n - i >= 8) {
        if (ctl_in_word(sl_swar_load(p + i)))
            return 0;
        i += 8;
    }
    if (i < n && n >= 8) {
        if (ctl_in_word(sl_swar_load(p + n - 8)))
            return 0;
    } else {
        for (; i < n; i++)
            if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
                return 0;
    }
    /* hostport as sip_hostport finds it: after the first '@', up to ';' or '?'; count the
     * ':'s on the way (more than one: an IPv6 address without []) */
    size_t s = k + 1;
    const char *amp = memchr(p + s, '@', n - s);
    if (amp)
        s = (size_t)(amp - p) + 1;
    if (s >= n || p[s] == '[')
        return 0;
    size_t e = s;
    unsigned colons = 0;
    while ((e = find_host_stop(p, e, n)) < n && p[e] == ':') {
        if (++colons > 1)
            return 0;
        e++;
    }
    if (e == s)
        return 0; /* no host */
    size_t q = e;
    while (q < n && p[q] != '?')
        q++;
    if (in_request_line && q < n)
        return 0;
    *params = sl_mkspan(p + e, q - e);
    return 1;
}

/* The precise check, which finds and describes the first problem. */
static int uri_check_slow(sl_span uri, int in_request_line, const char **what, size_t *err_at)
{
    if (uri.len == 0) {
        *what = "empty URI";
        *err_at = 0;
        return -1;
    }
    if (uri.p[0] == '<') {
        *what = "the Request-URI is enclosed in <> (RFC 3261 §25.1, RFC 4475 ltgtruri)";
        *err_at = 0;
        return -1;
    }
    size_t i0 = 0;
    /* eight bytes at a time while none is at most ' ' or 0x7f (exact as to existence) */
    while (uri.len - i0 >= 8) {
        if (ctl_in_word(sl_swar_load(uri.p + i0)))
            break;
        i0 += 8;
    }
    for (size_t i = i0; i < uri.len; i++) {
        unsigned char c = (unsigned char)uri.p[i];
        if (c <= ' ' || c == 0x7f) {
            *what = in_request_line ? "whitespace or a control character inside the Request-URI "
                                      "(RFC 3261 §25.1, RFC 4475 lwsruri)"
                                    : "whitespace or a control character inside a URI";
            *err_at = i;
            return -1;
        }
    }
    size_t k = 0;
    while (k < uri.len && (sl_is_alpha((unsigned char)uri.p[k]) ||
                           (k > 0 && (sl_is_digit((unsigned char)uri.p[k]) || uri.p[k] == '+' ||
                                      uri.p[k] == '-' || uri.p[k] == '.'))))
        k++;
    if (k == 0 || k == uri.len || uri.p[k] != ':') {
        *what = "URI without a scheme (RFC 3261 §19.1)";
        *err_at = 0;
        return -1;
    }
    sl_span scheme = sl_mkspan(uri.p, k);
    if (!sl_span_ieq(scheme, "sip") && !sl_span_ieq(scheme, "sips"))
        return 0; /* other schemes are syntactically valid here (RFC 4475 unkscm, novelsc) */
    size_t at;
    sl_span hp = sip_hostport(uri, k, &at);
    if (hp.len == 0) {
        *what = "SIP URI without a host";
        *err_at = at;
        return -1;
    }
    if (hp.p[0] != '[') {
        size_t colons = 0;
        for (size_t i = 0; i < hp.len; i++)
            colons += hp.p[i] == ':';
        if (colons > 1) {
            *what = "IPv6 address in a SIP URI without [] (RFC 5118 §4.2)";
            *err_at = at;
            return -1;
        }
    }
    if (in_request_line) {
        size_t e = (size_t)(hp.p + hp.len - uri.p);
        if (memchr(uri.p + e, '?', uri.len - e)) {
            *what = "the Request-URI carries ?headers (RFC 3261 §19.1.1, RFC 4475 escruri)";
            *err_at = (size_t)((const char *)memchr(uri.p + e, '?', uri.len - e) - uri.p);
            return -1;
        }
    }
    return 0;
}

int sl_uri_check_params(sl_span uri, int in_request_line, const char **what, size_t *err_at,
                        sl_span *params)
{
    size_t end;
    if (sl_uri_scan(uri.p, 0, uri.len, 0, &end, params) || uri_fast(uri, in_request_line, params))
        return 0;
    if (uri_check_slow(uri, in_request_line, what, err_at) != 0)
        return -1;
    *params = sl_uri_params(uri);
    return 0;
}

int sl_uri_check(sl_span uri, int in_request_line, const char **what, size_t *err_at)
{
    sl_span params;
    return sl_uri_check_params(uri, in_request_line, what, err_at, &params);
}
