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
