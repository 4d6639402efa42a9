/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Via (RFC 3261 §20.42, §25.1): sent-protocol, sent-by and parameters. */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

static size_t token_at(const char *p, size_t i, size_t n)
{
    while (i < n && sl_is_token((unsigned char)p[i]))
        i++;
    return i;
}

/* sent-protocol = protocol-name SLASH protocol-version SLASH transport; LWS around '/'.
 * Returns 0 and sets *end to the index after the transport, or -1 with *what and *err_at. */
static int sent_protocol(const char *p, size_t n, sl_via *v, const char **what, size_t *err_at,
                         size_t *end)
{
    size_t i = 0, s = 0;
    if (n > 8 && memcmp(p, "SIP/2.0/", 8) == 0 && sl_is_token((unsigned char)p[8])) {
        /* as nearly every element writes it, without LWS: the loop below finds the same spans */
        v->protocol = sl_mkspan(p, 7);
        i = sl_scan_class(p, 8, n, SL_C_TOKEN);
        v->transport = sl_mkspan(p + 8, i - 8);
        *end = i;
        return 0;
    }
    i = token_at(p, i, n);
    if (i == s) {
        *what = "Via without a protocol name";
        *err_at = s;
        return -1;
    }
    size_t ps = s;
    for (int part = 0; part < 2; part++) {
        i = sl_skip_lws(p, i, n);
        if (i >= n || p[i] != '/') {
            *what = "Via sent-protocol is not name/version/transport";
            *err_at = i;
            return -1;
        }
        i = sl_skip_lws(p, i + 1, n);
        s = i;
        i = token_at(p, i, n);
        if (i == s) {
            *what = "Via sent-protocol is not name/version/transport";
            *err_at = s;
            return -1;
        }
        if (part == 0)
            v->protocol = sl_mkspan(p + ps, i - ps);
        else
            v->transport = sl_mkspan(p + s, i - s);
    }
    *end = i;
    return 0;
}

/* The parameters from p[i] on when every item has the shape sl_param_fast reads: returns 1
 * with branch, rport and received set as the sl_param_next loop below sets them; 0 with none
 * of them touched, and that loop decides. */
static int via_params_fast(const char *p, size_t i, size_t n, sl_via *v)
{
    sl_span name, value, branch = {NULL, 0}, received = {NULL, 0};
    int has_branch = 0, has_rport = 0;
    while (i < n) {
        if (!sl_param_fast(p, &i, n, &name, &value))
            return 0;
        if (SL_IEQ_LIT(name, "branch")) {
            has_branch = 1;
            branch = value;
        } else if (SL_IEQ_LIT(name, "rport")) {
            has_rport = 1;
        } else if (SL_IEQ_LIT(name, "received")) {
            received = value;
        }
    }
    v->has_branch = has_branch;
    v->branch = branch;
    v->has_rport = has_rport;
    v->received = received;
    return 1;
}

int sl_via_parse(sl_span e, sl_via *v, const char **what, size_t *err_at)
{
    memset(v, 0, sizeof *v);
    const char *p = e.p;
    size_t n = e.len, i, s;
    if (sent_protocol(p, n, v, what, err_at, &i) != 0)
        return -1;
    size_t j = sl_skip_lws(p, i, n);
    if (j == i || j >= n) {
        *what = "Via without a sent-by host";
        *err_at = j;
        return -1;
    }
    i = j;
    s = i;
    if (p[i] == '[') {
        const char *rb = memchr(p + i, ']', n - i);
        if (!rb) {
            *what = "unterminated IPv6 reference in Via sent-by";
            *err_at = i;
            return -1;
        }
        i = (size_t)(rb - p) + 1;
    } else {
        i = sl_scan_class(p, i, n, SL_C_TOKEN);
    }
    if (i == s) {
        *what = "Via without a sent-by host";
        *err_at = s;
        return -1;
    }
    v->host = sl_mkspan(p + s, i - s);
    j = sl_skip_lws(p, i, n);
    if (j < n && p[j] == ':') {
        j = sl_skip_lws(p, j + 1, n);
        size_t ds = j;
        unsigned port = 0, d;
        /* four digits stay below 65535, so the bound needs no test before the fifth */
        while (j < n && j - ds < 5 && (d = (unsigned char)p[j] - (unsigned)'0') <= 9) {
            port = port * 10 + d;
            j++;
        }
        while (j < n && (d = (unsigned char)p[j] - (unsigned)'0') <= 9 && port <= 65535) {
            port = port * 10 + d;
            j++;
        }
        if (j == ds || port > 65535 || port == 0) {
            *what = "Via sent-by port is not a number from 1 to 65535";
            *err_at = ds;
            return -1;
        }
        v->port = port;
        i = j;
    }
    v->params = sl_mkspan(p + i, n - i);
    if (via_params_fast(p, i, n, v))
        return 0;
    size_t pos = 0, at;
    sl_param prm;
    int rc = 0;
    while (pos < v->params.len && (rc = sl_param_next(v->params, &pos, &prm, &at)) > 0) {
        if (SL_IEQ_LIT(prm.name, "branch")) {
            v->has_branch = 1;
            v->branch = prm.value;
        } else if (SL_IEQ_LIT(prm.name, "rport")) {
            v->has_rport = 1;
        } else if (SL_IEQ_LIT(prm.name, "received")) {
            v->received = prm.value;
        }
    }
    if (rc < 0) {
        *what = "empty or malformed Via parameter (RFC 4475 badinv01)";
        *err_at = i + at;
        return -1;
    }
    return 0;
}
