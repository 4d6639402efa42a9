/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Span helpers and character classes shared by the parser files (RFC 3261 §25.1). */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

/* token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const unsigned char sl_ctype_tab[256] = {
#define T SL_C_TOKEN
#define W SL_C_WS
#define D (SL_C_TOKEN | SL_C_DIGIT)
#define A (SL_C_TOKEN | SL_C_ALPHA)
    ['\t'] = W, ['\r'] = W, ['\n'] = W, [' '] = W,
    ['!'] = T, ['%'] = T, ['\''] = T, ['*'] = T, ['+'] = T, ['-'] = T, ['.'] = T, ['_'] = T,
    ['`'] = T, ['~'] = T,
    ['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D, ['6'] = D, ['7'] = D,
    ['8'] = D, ['9'] = D,
    ['A'] = A, ['B'] = A, ['C'] = A, ['D'] = A, ['E'] = A, ['F'] = A, ['G'] = A, ['H'] = A,
    ['I'] = A, ['J'] = A, ['K'] = A, ['L'] = A, ['M'] = A, ['N'] = A, ['O'] = A, ['P'] = A,
    ['Q'] = A, ['R'] = A, ['S'] = A, ['T'] = A, ['U'] = A, ['V'] = A, ['W'] = A, ['X'] = A,
    ['Y'] = A, ['Z'] = A,
    ['a'] = A, ['b'] = A, ['c'] = A, ['d'] = A, ['e'] = A, ['f'] = A, ['g'] = A, ['h'] = A,
    ['i'] = A, ['j'] = A, ['k'] = A, ['l'] = A, ['m'] = A, ['n'] = A, ['o'] = A, ['p'] = A,
    ['q'] = A, ['r'] = A, ['s'] = A, ['t'] = A, ['u'] = A, ['v'] = A, ['w'] = A, ['x'] = A,
    ['y'] = A, ['z'] = A,
#undef T
#undef W
#undef D
#undef A
};

int sl_span_eq(sl_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

int sl_span_ieq(sl_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (sl_lower((unsigned char)s.p[i]) != sl_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

sl_span sl_span_trim(sl_span s)
{
    while (s.len && sl_is_ws((unsigned char)s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && sl_is_ws((unsigned char)s.p[s.len - 1]))
        s.len--;
    return s;
}

int sl_uint_parse(sl_span s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    int big = 0;
    if (s.len == 0)
        return -1;
    for (size_t i = 0; i < s.len; i++) {
        unsigned c = (unsigned char)s.p[i];
        if (c < '0' || c > '9')
            return -1;
        if (!big) {
            if (v > (UINT64_MAX - (c - '0')) / 10)
                big = 1;
            else
                v = v * 10 + (c - '0');
        }
    }
    if (big || v > max) {
        *out = big ? UINT64_MAX : v;
        return -2;
    }
    *out = v;
    return 0;
}

size_t sl_skip_lws(const char *p, size_t i, size_t n)
{
    while (i < n && sl_is_ws((unsigned char)p[i]))
        i++;
    return i;
}
