/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal helpers of the SIP parser: character classes and small inline utilities. */
#ifndef SIPLINT_SIP_INTERNAL_H
#define SIPLINT_SIP_INTERNAL_H

#include <stddef.h>

#include "siplint/sip.h"

enum { SL_C_TOKEN = 1, SL_C_WS = 2, SL_C_DIGIT = 4, SL_C_ALPHA = 8 };
extern const unsigned char sl_ctype_tab[256];

static inline int sl_is_token(unsigned char c) { return sl_ctype_tab[c] & SL_C_TOKEN; }
/* SP, HTAB and the CR/LF of a folded line: LWS once the header row has been unfolded. */
static inline int sl_is_ws(unsigned char c) { return sl_ctype_tab[c] & SL_C_WS; }
static inline int sl_is_digit(unsigned char c) { return sl_ctype_tab[c] & SL_C_DIGIT; }
static inline int sl_is_alpha(unsigned char c) { return sl_ctype_tab[c] & SL_C_ALPHA; }
static inline unsigned char sl_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}
static inline sl_span sl_mkspan(const char *p, size_t n)
{
    sl_span s = {p, n};
    return s;
}

/* Index of the first non-LWS byte at or after i (at most n). */
size_t sl_skip_lws(const char *p, size_t i, size_t n);

/* Offset of a quoted string's closing quote, starting at the opening quote p[i] == '"';
 * returns n when the string is unterminated. Handles quoted-pair escapes. */
static inline size_t sl_skip_quoted(const char *p, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (p[i] == '\\') {
            i++;
            continue;
        }
        if (p[i] == '"')
            return i;
    }
    return n;
}

/* Check a URI as found in a header or the Request-URI: scheme ":" rest, no whitespace; for
 * sip/sips, an IPv6 host must be bracketed (RFC 5118 §4.2) and, if in_request_line,
 * no ?headers (RFC 3261 §19.1.1 table: headers not allowed in a Request-URI). */
int sl_uri_check(sl_span uri, int in_request_line, const char **what, size_t *err_at);
/* For sip/sips URIs: the ";params" part of the URI (after the host), len 0 if none. */
sl_span sl_uri_params(sl_span uri);

#endif
