/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Span helpers and character classes shared by the parser files (RFC 3261 §25.1). */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

/* Character classes, one bit each (sip_internal.h):
 *   token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
 *   LWS bytes SP HTAB CR LF; DIGIT; ALPHA;
 *   gen-value bytes: 0x21-0x7e but for '"' ',' ';' '<' '=' '>', and every byte from 0x80 up
 *     (hosts bring ':' and '[' ']'; other printable bytes are left to the rule that reads them);
 *   URI host stops ';' '?' ':'; quoted-string stops '"' and backslash. */
const unsigned char sl_ctype_tab[256] = {
#define C_TAV (SL_C_TOKEN | SL_C_ALPHA | SL_C_VALUE)
#define C_TDV (SL_C_TOKEN | SL_C_DIGIT | SL_C_VALUE)
#define C_TV (SL_C_TOKEN | SL_C_VALUE)
#define C_U (SL_C_URISTOP)
#define C_V (SL_C_VALUE)
#define C_VU (SL_C_VALUE | SL_C_URISTOP)
#define C_W (SL_C_WS)
#define C_Q (SL_C_QSTOP)
#define C_VQ (SL_C_VALUE | SL_C_QSTOP)
    ['\t'] = C_W, ['\n'] = C_W, ['\r'] = C_W, [' '] = C_W, ['!'] = C_TV, ['"'] = C_Q, ['#'] = C_V,
    ['$'] = C_V,
    ['%'] = C_TV, ['&'] = C_V, ['\''] = C_TV, ['('] = C_V, [')'] = C_V, ['*'] = C_TV, ['+'] = C_TV,
    ['-'] = C_TV, ['.'] = C_TV, ['/'] = C_V, ['0'] = C_TDV, ['1'] = C_TDV, ['2'] = C_TDV,
    ['3'] = C_TDV, ['4'] = C_TDV, ['5'] = C_TDV, ['6'] = C_TDV, ['7'] = C_TDV, ['8'] = C_TDV,
    ['9'] = C_TDV, [':'] = C_VU, [';'] = C_U, ['?'] = C_VU, ['@'] = C_V, ['A'] = C_TAV,
    ['B'] = C_TAV, ['C'] = C_TAV, ['D'] = C_TAV, ['E'] = C_TAV, ['F'] = C_TAV, ['G'] = C_TAV,
    ['H'] = C_TAV, ['I'] = C_TAV, ['J'] = C_TAV, ['K'] = C_TAV, ['L'] = C_TAV, ['M'] = C_TAV,
    ['N'] = C_TAV, ['O'] = C_TAV, ['P'] = C_TAV, ['Q'] = C_TAV, ['R'] = C_TAV, ['S'] = C_TAV,
    ['T'] = C_TAV, ['U'] = C_TAV, ['V'] = C_TAV, ['W'] = C_TAV, ['X'] = C_TAV, ['Y'] = C_TAV,
    ['Z'] = C_TAV, ['['] = C_V, ['\\'] = C_VQ, [']'] = C_V, ['^'] = C_V, ['_'] = C_TV,
    ['`'] = C_TV, ['a'] = C_TAV, ['b'] = C_TAV, ['c'] = C_TAV, ['d'] = C_TAV, ['e'] = C_TAV,
    ['f'] = C_TAV, ['g'] = C_TAV, ['h'] = C_TAV, ['i'] = C_TAV, ['j'] = C_TAV, ['k'] = C_TAV,
    ['l'] = C_TAV, ['m'] = C_TAV, ['n'] = C_TAV, ['o'] = C_TAV, ['p'] = C_TAV, ['q'] = C_TAV,
    ['r'] = C_TAV, ['s'] = C_TAV, ['t'] = C_TAV, ['u'] = C_TAV, ['v'] = C_TAV, ['w'] = C_TAV,
    ['x'] = C_TAV, ['y'] = C_TAV, ['z'] = C_TAV, ['{'] = C_V, ['|'] = C_V, ['}'] = C_V,
    ['~'] = C_TV,
    /* 0x80-0xff: gen-value bytes (UTF-8 and other octets, judged elsewhere) */
    [0x80] = C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
    C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V, C_V,
#undef C_TAV
#undef C_TDV
#undef C_TV
#undef C_U
#undef C_V
#undef C_VU
#undef C_W
#undef C_Q
#undef C_VQ
};

/* sl_lower: every byte maps to itself but 'A'-'Z' (0x41-0x5a), which map to 'a'-'z'. */
const unsigned char sl_lower_tab[256] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
};

/* Equality of n bytes for the short spans compared here: two overlapping words from 8 bytes
 * on, two overlapping 4-byte loads from 4, bytes below that; no library call. */
static int mem_eq_small(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (sl_swar_load(a + i) != sl_swar_load(b + i))
                return 0;
        return sl_swar_load(a + n - 8) == sl_swar_load(b + n - 8);
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return x0 == y0 && x1 == y1;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Most calls test a method or a version: the first byte settles most mismatches before the
 * literal's length is taken. */
int sl_span_eq(sl_span s, const char *lit)
{
    if (s.len == 0)
        return lit[0] == '\0';
    if (s.p[0] != lit[0])
        return 0;
    return strlen(lit) == s.len && mem_eq_small(s.p, lit, s.len);
}

/* Walks the literal alongside the span instead of taking strlen first: a mismatch mostly shows
 * in the first byte or two. lit is read only up to its NUL. */
int sl_span_ieq(sl_span s, const char *lit)
{
    for (size_t i = 0; i < s.len; i++)
        if (lit[i] == '\0' || sl_lower((unsigned char)s.p[i]) != sl_lower((unsigned char)lit[i]))
            return 0;
    return lit[s.len] == '\0';
}

sl_span sl_span_trim(sl_span s)
{
    return sl_trim(s);
}

int sl_uint_parse(sl_span s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    int big = 0;
    if (s.len == 0)
        return -1;
    if (s.len <= 19) {
        /* up to 19 digits cannot overflow (10^19 - 1 < 2^64): no per-digit overflow test */
        for (size_t i = 0; i < s.len; i++) {
            unsigned c = (unsigned char)s.p[i] - (unsigned)'0';
            if (c > 9)
                return -1;
            v = v * 10 + c;
        }
    } else {
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
    }
    if (big || v > max) {
        *out = big ? UINT64_MAX : v;
        return -2;
    }
    *out = v;
    return 0;
}
