/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Comma lists, ;parameters and URI checks (RFC 3261 §7.3.1, §19.1, §25.1; RFC 5118). */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

int sl_list_next(sl_span v, size_t *pos, sl_span *elem)
{
    size_t i = *pos;
    if (i > v.len || (i == 0 && sl_span_trim(v).len == 0))
        return 0;
    int angle = 0;
    size_t s = i;
    for (; i < v.len; i++) {
        /* skip eight bytes at a time while none is '"', '<', '>' or ',' (an exact test for a
         * zero byte in each of the four XORs: borrows only run from a zero byte upwards) */
        while (v.len - i >= 8) {
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t w, a, b, d, e;
            memcpy(&w, v.p + i, 8);
            a = w ^ (ones * '"');
            b = w ^ (ones * '<');
            d = w ^ (ones * '>');
            e = w ^ (ones * ',');
            if ((((a - ones) & ~a) | ((b - ones) & ~b) | ((d - ones) & ~d) | ((e - ones) & ~e)) & high)
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
    if (i > v.len)
        i = v.len;
    *elem = sl_span_trim(sl_mkspan(v.p + s, i - s));
    *pos = i + 1;
    return 1;
}

/* gen-value = token / host / quoted-string. Hosts bring ':' and '[' ']'; be lenient about
 * other printable bytes and leave their judgement to the rule that reads the value. */
static const unsigned char value_chars[128] = {
    /* 0x21-0x7e but for '"' ',' ';' '<' '=' '>' (and every byte from 0x80 up) */
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1, [')'] = 1,
    ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,
    ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, [':'] = 1,
    ['?'] = 1, ['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 1, ['\\'] = 1, [']'] = 1, ['^'] = 1,
    ['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

static int is_value_char(unsigned char c)
{
    return c >= 0x80 || value_chars[c];
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
            while (j < s.len && is_value_char((unsigned char)s.p[j]))
                j++;
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

int sl_uri_check(sl_span uri, int in_request_line, const char **what, size_t *err_at)
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
        uint64_t w = sl_swar_load(uri.p + i0);
        if (((w - SL_SWAR_ONES * 0x21) & ~w & SL_SWAR_HIGH) | sl_swar_zero(w ^ (SL_SWAR_ONES * 0x7f)))
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
