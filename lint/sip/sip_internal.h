/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal helpers of the SIP parser: character classes and small inline utilities. */
#ifndef SIPLINT_SIP_INTERNAL_H
#define SIPLINT_SIP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "siplint/sip.h"

/* For a rarely taken path kept out of line, so that its registers do not weigh on the
 * prologue of the common one. */
#if defined(__GNUC__)
#define SL_NOINLINE __attribute__((noinline))
#else
#define SL_NOINLINE
#endif

/* SL_C_VALUE: a byte of an unquoted gen-value (see sl_param_next); SL_C_URISTOP: a byte that
 * ends the host of a sip/sips URI or separates its port (';' '?' ':'), for the URI fast path;
 * SL_C_QSTOP: '"' and '\\', the bytes a quoted string's scan stops at. */
enum {
    SL_C_TOKEN = 1, SL_C_WS = 2, SL_C_DIGIT = 4, SL_C_ALPHA = 8, SL_C_VALUE = 16, SL_C_URISTOP = 32,
    SL_C_QSTOP = 64
};
extern const unsigned char sl_ctype_tab[256];

/* Length of a leading "sip" or "sips" scheme name when it is followed by ':' (3 or 4), in any
 * letter case; 0 otherwise. p must have 5 readable bytes. Four bytes at once: setting bit 5 of a
 * byte turns only 'S' and 's' into 's' (likewise 'i', 'p'); the ':' byte is compared as it is. */
static inline size_t sl_sip_scheme_len(const char *p)
{
    uint32_t w, sip, sips, fold3, fold4;
    memcpy(&w, p, 4);
    memcpy(&sip, "sip:", 4);
    memcpy(&sips, "sips", 4);
    memcpy(&fold3, "\x20\x20\x20\x00", 4);
    memcpy(&fold4, "\x20\x20\x20\x20", 4);
    if ((w | fold3) == sip)
        return 3;
    if ((w | fold4) == sips && p[4] == ':')
        return 4;
    return 0;
}

static inline int sl_is_token(unsigned char c) { return sl_ctype_tab[c] & SL_C_TOKEN; }
/* SP, HTAB and the CR/LF of a folded line: LWS once the header row has been unfolded. */
static inline int sl_is_ws(unsigned char c) { return sl_ctype_tab[c] & SL_C_WS; }
static inline int sl_is_digit(unsigned char c) { return sl_ctype_tab[c] & SL_C_DIGIT; }
static inline int sl_is_alpha(unsigned char c) { return sl_ctype_tab[c] & SL_C_ALPHA; }
/* ASCII lower case of c (other bytes unchanged), by table: one load where the test and
 * conditional add took four instructions in the header-name and scheme comparisons. */
extern const unsigned char sl_lower_tab[256];
static inline unsigned char sl_lower(unsigned char c)
{
    return sl_lower_tab[c];
}
static inline sl_span sl_mkspan(const char *p, size_t n)
{
    sl_span s = {p, n};
    return s;
}

/* Word-at-a-time scanning (eight bytes per step; loads through memcpy, any alignment).
 * sl_swar_zero: a nonzero result iff some byte of w is zero (exact as to existence). */
#define SL_SWAR_ONES 0x0101010101010101ULL
#define SL_SWAR_HIGH 0x8080808080808080ULL
static inline uint64_t sl_swar_load(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}
static inline uint64_t sl_swar_zero(uint64_t w)
{
    return (w - SL_SWAR_ONES) & ~w & SL_SWAR_HIGH;
}
/* Index of the first byte equal to a or b at or after i, or n. */
static inline size_t sl_find2(const char *p, size_t i, size_t n, char a, char b)
{
    const uint64_t wa = SL_SWAR_ONES * (unsigned char)a, wb = SL_SWAR_ONES * (unsigned char)b;
    while (n - i >= 8) {
        uint64_t w = sl_swar_load(p + i);
        if (sl_swar_zero(w ^ wa) | sl_swar_zero(w ^ wb))
            break;
        i += 8;
    }
    while (i < n && p[i] != a && p[i] != b)
        i++;
    return i;
}

/* Index of the first byte at or after i (at most n) whose class (sl_ctype_tab) lacks the bit
 * cls: a token, a gen-value. Four bytes per bound test: the plain loop spent as many
 * instructions on the index and its bound as on the byte. */
static inline size_t sl_scan_class(const char *p, size_t i, size_t n, unsigned char cls)
{
    const unsigned char *u = (const unsigned char *)p;
    for (; n - i >= 4; i += 4) {
        if (!(sl_ctype_tab[u[i]] & cls))
            return i;
        if (!(sl_ctype_tab[u[i + 1]] & cls))
            return i + 1;
        if (!(sl_ctype_tab[u[i + 2]] & cls))
            return i + 2;
        if (!(sl_ctype_tab[u[i + 3]] & cls))
            return i + 3;
    }
    while (i < n && (sl_ctype_tab[u[i]] & cls))
        i++;
    return i;
}

/* Index of the first byte at or after i (at most n) whose class has the bit cls: the converse
 * of sl_scan_class, four bytes per bound test as well. */
static inline size_t sl_scan_to_class(const char *p, size_t i, size_t n, unsigned char cls)
{
    const unsigned char *u = (const unsigned char *)p;
    for (; n - i >= 4; i += 4) {
        if (sl_ctype_tab[u[i]] & cls)
            return i;
        if (sl_ctype_tab[u[i + 1]] & cls)
            return i + 1;
        if (sl_ctype_tab[u[i + 2]] & cls)
            return i + 2;
        if (sl_ctype_tab[u[i + 3]] & cls)
            return i + 3;
    }
    while (i < n && !(sl_ctype_tab[u[i]] & cls))
        i++;
    return i;
}

/* Index of the first non-LWS byte at or after i (at most n). Inline: most calls skip nothing. */
static inline size_t sl_skip_lws(const char *p, size_t i, size_t n)
{
    while (i < n && sl_is_ws((unsigned char)p[i]))
        i++;
    return i;
}

/* sl_span_trim, inline for the parsers' own use (the values they see are rarely padded). */
static inline sl_span sl_trim(sl_span s)
{
    while (s.len && sl_is_ws((unsigned char)s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && sl_is_ws((unsigned char)s.p[s.len - 1]))
        s.len--;
    return s;
}

/* One ";name" or ";name=value" item at p[*k] in the shape nearly every element writes: no LWS
 * anywhere, an unquoted value. Returns 1 with the spans (value {NULL, 0} without '=') and *k
 * past the item; 0 ("not sure": LWS, a quoted value, or an error) leaves *k alone (the spans
 * are then meaningless), and the caller takes sl_param_next, which finds the same items where
 * this one succeeds and reports errors with their offsets. */
static inline int sl_param_fast(const char *p, size_t *k, size_t n, sl_span *name, sl_span *value)
{
    size_t i = *k;
    if (i >= n || p[i] != ';')
        return 0;
    size_t ns = ++i;
    i = sl_scan_class(p, i, n, SL_C_TOKEN);
    if (i == ns)
        return 0;
    *name = sl_mkspan(p + ns, i - ns);
    *value = sl_mkspan(NULL, 0);
    if (i < n && p[i] == '=') {
        size_t vs = ++i;
        i = sl_scan_class(p, i, n, SL_C_VALUE);
        if (i == vs)
            return 0; /* "name=", or a quoted or LWS-led value */
        *value = sl_mkspan(p + vs, i - vs);
    }
    *k = i;
    return 1;
}

/* Case-insensitive comparison with a lower-case literal whose length is known at compile time:
 * the length decides most mismatches before any byte is read. */
static inline int sl_ieq_n(sl_span s, const char *lower_lit, size_t n)
{
    if (s.len != n)
        return 0;
    /* against a lower-case letter, setting bit 5 folds exactly the two letter cases together
     * (the literal is constant: the choice is made at compile time, no table load remains) */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i], l = (unsigned char)lower_lit[i];
        if (l >= 'a' && l <= 'z' ? (c | 0x20) != l : c != l)
            return 0;
    }
    return 1;
}
#define SL_IEQ_LIT(s, lit) sl_ieq_n((s), "" lit, sizeof(lit) - 1)

/* Offset of a quoted string's closing quote, starting at the opening quote p[i] == '"';
 * returns n when the string is unterminated. Handles quoted-pair escapes. */
static inline size_t sl_skip_quoted(const char *p, size_t i, size_t n)
{
    for (i++; i < n; i += 2) { /* past a backslash and the byte it escapes */
        i = sl_scan_to_class(p, i, n, SL_C_QSTOP);
        if (i < n && p[i] == '"')
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
/* sl_uri_check and sl_uri_params in one pass, for a URI that passes the check: returns 0 and
 * sets *params; on failure returns -1 with *what and *err_at as sl_uri_check sets them. */
int sl_uri_check_params(sl_span uri, int in_request_line, const char **what, size_t *err_at,
                        sl_span *params);
/* The common sip/sips URI at p[i] in one pass (addr.c): "sip:" or "sips:" in any letter case, no
 * '?', control or whitespace byte, a user part (before the URI's only '@') without ':' or ';',
 * and a host that is not an IPv6 reference, with at most one ':' (the port) before the first
 * ';'. The URI ends at the first '>' if to_gt, else at n. Returns 1, with *end the index where
 * it ends and *params its ";params", only when sl_uri_check_params would accept it and find
 * those params; 0 ("not sure") leaves the decision to the precise code. */
int sl_uri_scan(const char *p, size_t i, size_t n, int to_gt, size_t *end, sl_span *params);

#endif
