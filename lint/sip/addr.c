/* SPDX-License-Identifier: GPL-2.0-or-later */
/* name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1). */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

static int check_params(sl_span params, sl_span *tag, int *has_tag, const char **what, size_t *at)
{
    size_t pos = 0;
    sl_param prm;
    int rc = 0;
    /* pos < len: spares the call that would only find the end (most addresses have no more
     * than a tag) */
    while (pos < params.len && (rc = sl_param_next(params, &pos, &prm, at)) > 0) {
        if (SL_IEQ_LIT(prm.name, "tag")) {
            *has_tag = 1;
            *tag = prm.value;
        }
    }
    if (rc < 0) {
        *what = "empty or malformed header parameter (RFC 4475 badinv01)";
        return -1;
    }
    return 0;
}

/* What sl_uri_scan makes of a URI byte: 0 for most, the byte itself for the few that decide
 * something, 1 for those that make it give up (controls, SP, DEL). */
static const unsigned char uri_byte[256] = {
    [0x00] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [' '] = 1, [0x7f] = 1,
    ['@'] = '@', [':'] = ':', [';'] = ';', ['?'] = '?', ['>'] = '>',
};

/* Index of the first byte at or after j (at most n) that uri_byte does not map to 0: four
 * bytes per bound test (see sl_scan_class). */
static inline size_t uri_next(const char *p, size_t j, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    for (; n - j >= 4; j += 4) {
        if (uri_byte[u[j]])
            return j;
        if (uri_byte[u[j + 1]])
            return j + 1;
        if (uri_byte[u[j + 2]])
            return j + 2;
        if (uri_byte[u[j + 3]])
            return j + 3;
    }
    while (j < n && !uri_byte[u[j]])
        j++;
    return j;
}

/* sl_uri_scan, inline here: with to_gt a constant, addr_fast gets a loop of its own. */
static inline int uri_scan(const char *p, size_t i, size_t n, int to_gt, size_t *end,
                           sl_span *params)
{
    size_t k;
    if (n - i < 5)
        return 0;
    if ((k = sl_sip_scheme_len(p + i)) == 0)
        return 0;
    /* hs: where the host starts (after the '@', if one comes); semi: the URI's first ';' */
    size_t j = i + k + 1, hs = j, semi = 0;
    unsigned colons = 0;
    for (;; j++) {
        if ((j = uri_next(p, j, n)) == n) {
            if (to_gt)
                return 0; /* no '>' */
            break;
        }
        unsigned char c = uri_byte[(unsigned char)p[j]];
        if (c == '>') {
            if (to_gt)
                break;
        } else if (c == '@') {
            /* the host follows the first '@' of the whole URI: give up if what came before
             * might have been host or parameters */
            if (hs != i + k + 1 || colons || semi)
                return 0;
            hs = j + 1;
        } else if (c == ':') {
            colons += !semi;
        } else if (c == ';') {
            if (!semi)
                semi = j;
        } else {
            return 0; /* '?' (headers), or a byte the URI check rejects */
        }
    }
    size_t he = semi ? semi : j;
    if (he == hs || p[hs] == '[' || colons > 1)
        return 0;
    *end = j;
    *params = sl_mkspan(p + he, j - he);
    return 1;
}

int sl_uri_scan(const char *p, size_t i, size_t n, int to_gt, size_t *end, sl_span *params)
{
    return uri_scan(p, i, n, to_gt, end, params);
}

/* The common name-addr from its '<' at p[lt] on: a URI that sl_uri_scan reads up to its '>',
 * then header parameters as sl_param_fast reads them. Returns 1 with *a filled (its display
 * already set) exactly as the general code below would fill it; 0 ("not sure") with *a
 * untouched but for the display, and the general code decides. */
static int addr_fast(const char *p, size_t lt, size_t n, sl_addr *a)
{
    size_t i = lt + 1, j;
    sl_span uri_params;
    if (!uri_scan(p, i, n, 1, &j, &uri_params))
        return 0;
    /* header parameters after the '>' */
    size_t g = j, q = g + 1;
    sl_span name, value, tag = {NULL, 0};
    int has_tag = 0;
    while (q < n) {
        if (!sl_param_fast(p, &q, n, &name, &value))
            return 0;
        if (SL_IEQ_LIT(name, "tag")) {
            has_tag = 1;
            tag = value;
        }
    }
    a->name_addr = 1;
    a->uri = sl_mkspan(p + i, g - i);
    a->uri_params = uri_params;
    a->params = sl_mkspan(p + g + 1, n - g - 1);
    a->tag = tag;
    a->has_tag = has_tag;
    return 1;
}

int sl_addr_parse(sl_span e, sl_addr *a, const char **what, size_t *err_at)
{
    memset(a, 0, sizeof *a);
    const char *p = e.p;
    size_t n = e.len, i = 0;
    if (n == 0) {
        *what = "empty address";
        *err_at = 0;
        return -1;
    }
    if (n == 1 && p[0] == '*') {
        a->star = 1;
        return 0;
    }
    size_t lt = n;
    if (p[0] == '"') {
        size_t q = sl_skip_quoted(p, 0, n);
        if (q == n) {
            *what = "unterminated quoted string in the display name (RFC 4475 quotbal)";
            *err_at = 0;
            return -1;
        }
        a->display = sl_mkspan(p + 1, q - 1);
        i = sl_skip_lws(p, q + 1, n);
        if (i >= n || p[i] != '<') {
            *what = "quoted display name not followed by <URI>";
            *err_at = i;
            return -1;
        }
        lt = i;
    } else if (p[0] == '<') {
        lt = 0; /* no display name (what the search below finds, without it) */
        a->display = sl_mkspan(p, 0);
    } else {
        /* name-addr with a token display name, or addr-spec? A '<' before any quote decides. */
        const char *l = memchr(p, '<', n);
        if (l) {
            lt = (size_t)(l - p);
            for (size_t k = 0; k < lt; k++) {
                unsigned char c = (unsigned char)p[k];
                if (!sl_is_token(c) && !sl_is_ws(c)) {
                    *what = "display name contains characters that must be quoted (RFC 3261 §25.1, "
                            "RFC 4475 baddn)";
                    *err_at = k;
                    return -1;
                }
            }
            a->display = sl_span_trim(sl_mkspan(p, lt));
        }
    }
    if (lt < n) {
        if (addr_fast(p, lt, n, a))
            return 0;
        const char *gt = memchr(p + lt, '>', n - lt);
        if (!gt) {
            *what = "'<' without a closing '>'";
            *err_at = lt;
            return -1;
        }
        size_t g = (size_t)(gt - p);
        a->name_addr = 1;
        a->uri = sl_mkspan(p + lt + 1, g - lt - 1);
        if (a->uri.len && (sl_is_ws((unsigned char)a->uri.p[0]) ||
                           sl_is_ws((unsigned char)a->uri.p[a->uri.len - 1]))) {
            *what = "whitespace inside <> around the URI (RFC 4475 badaspec)";
            *err_at = lt + 1;
            return -1;
        }
        size_t at = 0;
        if (sl_uri_check_params(a->uri, 0, what, &at, &a->uri_params) != 0) {
            *err_at = lt + 1 + at;
            return -1;
        }
        a->params = sl_mkspan(p + g + 1, n - g - 1);
        if (check_params(a->params, &a->tag, &a->has_tag, what, &at) != 0) {
            *err_at = g + 1 + at;
            return -1;
        }
        return 0;
    }
    /* addr-spec: the URI ends at ';' (header parameters follow) or LWS; a URI holding ',' '?' or
     * ';' must be a name-addr (RFC 3261 §20.10, RFC 4475 regbadct). */
    size_t u = 0;
    while (u < n && p[u] != ';' && !sl_is_ws((unsigned char)p[u]))
        u++;
    a->uri = sl_mkspan(p, u);
    for (size_t k = 0; k < u; k++) {
        if (p[k] == '?' || p[k] == ',') {
            *what = "a URI containing '?' or ',' must be enclosed in <> (RFC 3261 §20.10, RFC 4475 "
                    "regbadct)";
            *err_at = k;
            return -1;
        }
    }
    size_t at = 0;
    if (sl_uri_check(a->uri, 0, what, &at) != 0) {
        *err_at = at;
        return -1;
    }
    a->params = sl_mkspan(p + u, n - u);
    if (check_params(a->params, &a->tag, &a->has_tag, what, &at) != 0) {
        *err_at = u + at;
        return -1;
    }
    return 0;
}
