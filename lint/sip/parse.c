/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message parser: start line, header index, body by Content-Length; stream framing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "siplint/sip.h"
#include "hdrindex.h"
#include "sip_internal.h"

void sl_parser_init(sl_parser *ps)
{
    ps->rows = NULL;
    ps->cap = 0;
    ps->fixed = 0;
}

void sl_parser_init_fixed(sl_parser *ps, sl_header *rows, size_t cap)
{
    ps->rows = rows;
    ps->cap = cap;
    ps->fixed = 1;
}

void sl_parser_free(sl_parser *ps)
{
    if (!ps->fixed)
        free(ps->rows);
    ps->rows = NULL;
    ps->cap = 0;
    ps->fixed = 0;
}

static void add_issue(sl_msg *m, sl_issue_code code, sl_hdr_id hdr, size_t off, size_t len,
                      const char *what)
{
    m->n_issues_total++;
    if (m->n_issues >= SL_MAX_ISSUES)
        return;
    sl_issue *is = &m->issues[m->n_issues++];
    is->code = (uint16_t)code;
    is->hdr = (uint16_t)hdr;
    is->offset = (uint32_t)off;
    is->len = (uint32_t)len;
    is->what = what;
}

/* "SIP/" followed by a digit, case-insensitive (the version is compared case-insensitively on
 * receipt, RFC 3261 §7.1). */
static int is_version_at(const char *p, size_t n)
{
    return n >= 5 && sl_lower((unsigned char)p[0]) == 's' && sl_lower((unsigned char)p[1]) == 'i' &&
           sl_lower((unsigned char)p[2]) == 'p' && p[3] == '/' && sl_is_digit((unsigned char)p[4]);
}

/* Length of the first line (up to, not including, LF or CRLF); *eol = bytes of line end. */
static size_t line_len(const char *p, size_t n, size_t *eol)
{
    const char *lf = memchr(p, '\n', n);
    if (!lf) {
        *eol = 0;
        return n;
    }
    size_t l = (size_t)(lf - p);
    if (l > 0 && p[l - 1] == '\r') {
        *eol = 2;
        return l - 1;
    }
    *eol = 1;
    return l;
}

/* Offset of the first CR or LF at or after i in p[0..n), or n. Header rows are short, so
 * this is called once per row: sixteen bytes a step where SSE2 is there (every x86-64), eight
 * otherwise. Nothing at or after p[n] is read. */
static inline size_t find_crlf(const char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned hit = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (hit)
            return i + (size_t)__builtin_ctz(hit);
    }
    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    return i;
#else
    return sl_find2(p, i, n, '\r', '\n');
#endif
}

/* Offset of the first LF at or after i in p[0..n), or n: memchr inline, for short rows. */
static inline size_t find_lf(const char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n');
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned hit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        if (hit)
            return i + (size_t)__builtin_ctz(hit);
    }
    while (i < n && p[i] != '\n')
        i++;
    return i;
#else
    const char *q = memchr(p + i, '\n', n - i);
    return q ? (size_t)(q - p) : n;
#endif
}

static size_t next_line_slow(const char *p, size_t i, size_t n, size_t *eol, size_t *cr);

/* The line that starts at p[i] (i < n): its length without the line end, *eol = bytes of line
 * end (0 when the buffer ends first), *cr = offset in p of the first CR inside the line that is
 * not part of its line end (SIZE_MAX: none). One scan for the usual line, which holds no CR but
 * the one of its CRLF; a line with a bare CR takes the slow way, as line_len sees it. */
static inline size_t next_line(const char *p, size_t i, size_t n, size_t *eol, size_t *cr)
{
    size_t j = find_crlf(p, i, n);
    *cr = SIZE_MAX;
    if (j < n && p[j] == '\n') {
        *eol = 1;
        return j - i;
    }
    if (j + 1 < n && p[j] == '\r' && p[j + 1] == '\n') {
        *eol = 2;
        return j - i;
    }
    return next_line_slow(p, i, n, eol, cr);
}

/* Kept out of line, so that the usual case above stays small enough to be inlined. */
__attribute__((noinline)) static size_t next_line_slow(const char *p, size_t i, size_t n,
                                                       size_t *eol, size_t *cr)
{
    size_t l = line_len(p + i, n - i, eol);
    const char *c = memchr(p + i, '\r', l);
    if (c)
        *cr = (size_t)(c - p);
    return l;
}

#define NOT_START SIZE_MAX

/* How buf[0..len) starts, before the first line's end is searched for (a binary payload, RTP,
 * may hold no LF at all): 0 for "SIP/" digit (a status line), the length of the method token
 * when a token and SP open it (a request line), NOT_START otherwise. It refuses only starts
 * that first_line_is_sip would refuse too. The method token holds no CR or LF, so it lies
 * inside the first line, and the callers need not scan it again. */
static inline size_t start_kind(const char *buf, size_t len)
{
    if (len == 0 || !sl_is_token((unsigned char)buf[0]))
        return NOT_START;
    if (is_version_at(buf, len))
        return 0;
    size_t t = 0;
    while (t < len && sl_is_token((unsigned char)buf[t]))
        t++;
    if (t == len || buf[t] != ' ')
        return NOT_START;
    return t;
}

/* The full test on the first line, buf[0..l), given kind = start_kind() != NOT_START. A status
 * line: "SIP/" digit and at least 8 bytes. A request line: method token, SP, ..., SP "SIP/"
 * digit at the end (trailing blanks allowed, so that a malformed line is still recognised and
 * reported); *v receives where that last word starts. */
static int first_line_is_sip(const char *buf, size_t l, size_t kind, size_t *v)
{
    if (l < 8)
        return 0;
    if (kind == 0)
        return 1; /* status line */
    /* The usual request line ends in SP "SIP/2.0": that is the last word, found without
     * walking back over the Request-URI. */
    if (l >= kind + 10 && buf[l - 8] == ' ' && memcmp(buf + l - 7, "SIP/2.0", 7) == 0) {
        *v = l - 7;
        return 1;
    }
    size_t e = l;
    while (e > kind && (buf[e - 1] == ' ' || buf[e - 1] == '\t'))
        e--;
    while (e > kind && buf[e - 1] != ' ' && buf[e - 1] != '\t')
        e--;
    *v = e;
    return e > kind + 1 && is_version_at(buf + e, l - e);
}

int sl_looks_like_sip(const char *buf, size_t len)
{
    size_t kind = start_kind(buf, len), eol, v;
    return kind != NOT_START && first_line_is_sip(buf, line_len(buf, len, &eol), kind, &v);
}

int sl_may_be_sip(const char *buf, size_t len)
{
    /* start_kind refuses such a start, and a header name is made of token characters */
    return len > 0 && sl_is_token((unsigned char)buf[0]);
}

/* p[0..l) is a request line whose method token is i bytes long and whose last word starts at
 * v (start_kind, first_line_is_sip). */
static void parse_request_line(sl_msg *m, const char *p, size_t l, size_t i, size_t v)
{
    m->method = sl_mkspan(p, i);
    /* The version is the last blank-separated word; what lies between is the Request-URI. */
    size_t e = l;
    if (e > 0 && (p[e - 1] == ' ' || p[e - 1] == '\t')) {
        add_issue(m, SL_PI_START_LINE, SL_H_OTHER, e - 1, 1,
                  "whitespace at the end of the request line (RFC 3261 §7.1, RFC 4475 trws)");
        while (e > i && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
    }
    m->version = sl_mkspan(p + v, e - v);
    size_t us = i, ue = v;
    /* exactly one SP between the elements (RFC 4475 lwsstart) */
    if (us < l && p[us] == ' ')
        us++;
    if (ue > us && p[ue - 1] == ' ')
        ue--;
    if ((us < ue && (p[us] == ' ' || p[us] == '\t')) || (ue > us && (p[ue - 1] == ' ' || p[ue - 1] == '\t')) ||
        (i < l && p[i] == '\t')) {
        add_issue(m, SL_PI_START_LINE, SL_H_OTHER, i, v - i,
                  "the request line elements are not separated by exactly one SP (RFC 3261 §7.1, "
                  "RFC 4475 lwsstart)");
        while (us < ue && (p[us] == ' ' || p[us] == '\t'))
            us++;
        while (ue > us && (p[ue - 1] == ' ' || p[ue - 1] == '\t'))
            ue--;
    }
    m->ruri = sl_mkspan(p + us, ue - us);
    if (m->ruri.len == 0) {
        add_issue(m, SL_PI_START_LINE, SL_H_OTHER, 0, l, "request line without a Request-URI");
        return;
    }
    const char *what = NULL;
    size_t at = 0;
    if (sl_uri_check(m->ruri, 1, &what, &at) != 0)
        add_issue(m, SL_PI_REQUEST_URI, SL_H_OTHER, us + at, 1, what);
}

static void parse_status_line(sl_msg *m, const char *p, size_t l)
{
    size_t i = 0;
    while (i < l && p[i] != ' ')
        i++;
    m->version = sl_mkspan(p, i);
    if (i == l) {
        add_issue(m, SL_PI_STATUS_CODE, SL_H_OTHER, 0, l, "status line without a status code");
        return;
    }
    size_t cs = i + 1, ce = cs;
    while (ce < l && sl_is_digit((unsigned char)p[ce]))
        ce++;
    if (ce - cs != 3 || (ce < l && p[ce] != ' ') || p[cs] < '1' || p[cs] > '6') {
        size_t e = ce;
        while (e < l && p[e] != ' ')
            e++;
        add_issue(m, SL_PI_STATUS_CODE, SL_H_OTHER, cs, e - cs,
                  "the status code is not three digits from 100 to 699 (RFC 3261 §7.2, RFC 4475 "
                  "bigcode)");
        return;
    }
    m->status = (unsigned)((p[cs] - '0') * 100 + (p[cs + 1] - '0') * 10 + (p[cs + 2] - '0'));
    if (ce == l) {
        /* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase: the second SP is mandatory
         * even when the reason phrase is empty (RFC 4475 §3.1.1.13). */
        add_issue(m, SL_PI_START_LINE, SL_H_OTHER, ce, 0,
                  "no SP after the status code (it is required even before an empty reason phrase)");
        m->reason = sl_mkspan(p + l, 0);
        return;
    }
    m->reason = sl_mkspan(p + ce + 1, l - ce - 1);
}

static int grow(sl_parser *ps)
{
    if (ps->fixed)
        return -1;
    /* first[] stores row index + 1 in 16 bits: at most 65535 rows */
    size_t ncap = ps->cap ? ps->cap * 2 : 64;
    if (ncap > UINT16_MAX)
        ncap = UINT16_MAX;
    if (ncap <= ps->cap)
        return -1;
    sl_header *n = realloc(ps->rows, ncap * sizeof *n);
    if (!n)
        return -1;
    ps->rows = n;
    ps->cap = ncap;
    return 0;
}

/* memset(m, 0, offsetof(sl_msg, issues)), for every parse: GCC makes a memset of this length
 * a rep stos, which costs a step per eight bytes; sixteen-byte stores halve that. */
static inline void msg_clear(sl_msg *m)
{
#if defined(__SSE2__)
    unsigned char *d = (unsigned char *)m;
    const size_t n = offsetof(sl_msg, issues);
    const __m128i z = _mm_setzero_si128();
    _Static_assert(offsetof(sl_msg, issues) >= 16, "sl_msg is cleared 16 bytes at a time");
    for (size_t k = 0; k + 16 <= n; k += 16)
        _mm_storeu_si128((__m128i *)(void *)(d + k), z);
    _mm_storeu_si128((__m128i *)(void *)(d + n - 16), z); /* the rest, overlapping */
#else
    memset(m, 0, offsetof(sl_msg, issues));
#endif
}

sl_parse_rc sl_parse(sl_parser *ps, const char *buf, size_t len, sl_frame_mode mode, sl_msg *m)
{
    msg_clear(m);
    m->n_issues = 0;
    m->n_issues_total = 0;
    m->base = buf;
    m->avail = len;
    m->content_length = -1;
    m->hdrs = ps->rows;
    /* sl_looks_like_sip, with the start line found once for both the test and the parse */
    size_t kind = start_kind(buf, len);
    if (kind == NOT_START)
        return SL_PARSE_NOT_SIP;
    size_t eol, cr, ver = 0;
    size_t l = next_line(buf, 0, len, &eol, &cr);
    if (!first_line_is_sip(buf, l, kind, &ver))
        return SL_PARSE_NOT_SIP;
    if (len > UINT32_MAX) {
        add_issue(m, SL_PI_START_LINE, SL_H_OTHER, 0, 0, "message larger than 4 GiB");
        return SL_PARSE_ERROR;
    }

    m->is_request = kind != 0; /* i.e. !is_version_at(buf, l): the same five bytes */
    if (eol == 1)
        m->lf_only = 1;
    if (cr != SIZE_MAX)
        add_issue(m, SL_PI_BARE_CR, SL_H_OTHER, cr, 1, "CR not followed by LF in the start line");
    if (m->is_request)
        parse_request_line(m, buf, l, kind, ver);
    else
        parse_status_line(m, buf, l);

    size_t i = l + eol;
    int ended = 0, full = 0;
    sl_header *cur = NULL;
    while (i < len && eol) {
        const char *row = buf + i;
        size_t rl;
        unsigned colon = 0; /* the ':'s among the row's first 16 bytes, a bit each */
#if defined(__SSE2__)
        /* next_line, with the row's first 16 bytes loaded once for both its end and its ':'
         * (the usual header name is shorter than 16 bytes). */
        __m128i v = _mm_setzero_si128();
        if (len - i >= 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)row);
            unsigned crlf = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
            colon = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
            colon &= (crlf & (0u - crlf)) - 1u; /* before the first CR or LF: the row's own */
            size_t j = crlf ? i + (size_t)__builtin_ctz(crlf) : find_crlf(buf, i + 16, len);
            cr = SIZE_MAX;
            if (j < len && buf[j] == '\n') {
                eol = 1;
                rl = j - i;
            } else if (j + 1 < len && buf[j] == '\r' && buf[j + 1] == '\n') {
                eol = 2;
                rl = j - i;
            } else {
                rl = next_line_slow(buf, i, len, &eol, &cr);
            }
        } else
#endif
            rl = next_line(buf, i, len, &eol, &cr);
        if (eol == 1)
            m->lf_only = 1;
        if (rl == 0 && eol) { /* the empty line */
            i += eol;
            ended = 1;
            break;
        }
        if (cr != SIZE_MAX)
            add_issue(m, SL_PI_BARE_CR, SL_H_OTHER, cr, 1,
                      "CR not followed by LF in the header section");
        if (row[0] == ' ' || row[0] == '\t') {
            /* folded continuation of the previous row (RFC 3261 §7.3.1) */
            if (!cur) {
                add_issue(m, SL_PI_HEADER_NO_COLON, SL_H_OTHER, i, rl,
                          "continuation line before the first header");
            } else {
                size_t e = rl;
                while (e > 0 && (row[e - 1] == ' ' || row[e - 1] == '\t'))
                    e--;
                if (e > 0) {
                    size_t vstart = (size_t)(cur->value.p - buf);
                    if (cur->value.len == 0) /* value begins on the continuation line */
                        vstart = sl_skip_lws(buf, i, i + e); /* not past e: a CR is not trimmed */
                    cur->value = sl_mkspan(buf + vstart, i + e - vstart);
                }
                cur->row_len = (uint32_t)(i + rl - cur->offset);
            }
            i += rl + eol;
            continue;
        }
        /* A row with a line end has a CR or LF at row[rl], which ends the scans below: they need
         * not check the bound byte by byte (the last row of a datagram may have no line end). */
        size_t n = 0, c = 0;
        sl_hdr_id id = SL_H__COUNT; /* not looked up yet */
#if defined(__SSE2__)
        /* The usual row: a known name, its ':' among the first 16 bytes. The name is taken as
         * what precedes the first ':' (less trailing blanks) and looked up; a known name is
         * made of token characters only (letters and '-'), so the scan below would have found
         * the same name and the same ':'. Anything else takes the scan. */
        if (colon) {
            size_t cp = (size_t)__builtin_ctz(colon), e = cp;
            while (e > 0 && (row[e - 1] == ' ' || row[e - 1] == '\t'))
                e--;
            if (e > 0 && (id = sl_hdr_find_v(row, e, v)) != SL_H_OTHER) {
                n = e;
                c = cp;
            } else {
                id = SL_H__COUNT;
            }
        }
#else
        (void)colon;
#endif
        if (id == SL_H__COUNT) {
            if (eol) {
                while (sl_is_token((unsigned char)row[n]))
                    n++;
                for (c = n; row[c] == ' ' || row[c] == '\t'; c++)
                    ;
            } else {
                while (n < rl && sl_is_token((unsigned char)row[n]))
                    n++;
                for (c = n; c < rl && (row[c] == ' ' || row[c] == '\t'); c++)
                    ;
            }
        }
        if (n == 0 || c == rl || row[c] != ':') {
            add_issue(m, n == 0 ? SL_PI_HEADER_NO_COLON : SL_PI_HEADER_NAME, SL_H_OTHER, i, rl,
                      n == 0 ? "header line without a header name"
                             : (c == rl ? "header line without a colon"
                                        : "header name contains a character that is not a token character"));
            cur = NULL;
            i += rl + eol;
            continue;
        }
        if (m->n_hdrs == ps->cap && grow(ps) != 0) {
            /* keep finding the end of the header section, so that size and body stay right */
            if (!full)
                add_issue(m, SL_PI_HEADER_NAME, SL_H_OTHER, i, rl,
                          ps->cap ? "too many header rows (more than 65535); the rest are not indexed"
                                  : "out of memory for the header index");
            full = 1;
            cur = NULL;
            i += rl + eol;
            continue;
        }
        m->hdrs = ps->rows;
        cur = &ps->rows[m->n_hdrs++];
        cur->name = sl_mkspan(row, n);
        cur->id = (uint16_t)(id != SL_H__COUNT ? id : sl_hdr_find(row, n));
        cur->offset = (uint32_t)i;
        cur->row_len = (uint32_t)rl;
        size_t vs = c + 1;
        if (eol) {
            while (row[vs] == ' ' || row[vs] == '\t')
                vs++;
        } else {
            while (vs < rl && (row[vs] == ' ' || row[vs] == '\t'))
                vs++;
        }
        size_t ve = rl;
        while (ve > vs && (row[ve - 1] == ' ' || row[ve - 1] == '\t'))
            ve--;
        cur->value = sl_mkspan(row + vs, ve - vs);
        if (m->count[cur->id] < UINT16_MAX) {
            if (m->count[cur->id]++ == 0)
                m->first[cur->id] = (uint16_t)m->n_hdrs;
        }
        i += rl + eol;
    }
    if (m->lf_only)
        add_issue(m, SL_PI_LF_ONLY, SL_H_OTHER, 0, 0,
                  "lines end in LF instead of CRLF (tolerated; RFC 3261 §7 requires CRLF)");
    if (!ended) {
        /* On a datagram the end of the datagram delimits the message, so this is tolerated
         * (a warning, see rule_sip_parse); in a stream the framer never gets here. */
        add_issue(m, SL_PI_NO_END_OF_HEADERS, SL_H_OTHER, len, 0,
                  "the header section is not terminated by an empty line (tolerated: the "
                  "datagram ends there)");
        i = len;
    }
    m->hdr_end = i;

    /* Content-Length (RFC 3261 §20.14); the first row counts, repeats are SIP-SINGLETON's. */
    const sl_header *cl = sl_msg_hdr(m, SL_H_CONTENT_LENGTH);
    if (cl) {
        uint64_t v;
        int rc = sl_uint_parse(cl->value, UINT32_MAX, &v);
        if (rc == 0) {
            m->content_length = (int64_t)v;
        } else {
            m->content_length = -2;
            add_issue(m, SL_PI_CONTENT_LENGTH, SL_H_CONTENT_LENGTH, cl->offset, cl->row_len,
                      rc == -2 ? "Content-Length is larger than 2^32-1"
                               : "Content-Length is not a non-negative decimal number (RFC 4475 ncl)");
        }
    }
    size_t rest = len - m->hdr_end;
    if (m->content_length >= 0) {
        if ((uint64_t)m->content_length > rest) {
            m->cl_short = 1;
            m->body = sl_mkspan(buf + m->hdr_end, rest);
        } else {
            m->body = sl_mkspan(buf + m->hdr_end, (size_t)m->content_length);
            if (mode == SL_FRAME_DATAGRAM)
                m->trailing = rest - (size_t)m->content_length;
        }
    } else if (mode == SL_FRAME_DATAGRAM) {
        /* no usable Content-Length on a datagram: the body runs to its end (RFC 3261 §18.3) */
        m->body = sl_mkspan(buf + m->hdr_end, rest);
    } else {
        m->body = sl_mkspan(buf + m->hdr_end, 0);
    }
    m->len = m->hdr_end + m->body.len;
    return SL_PARSE_OK;
}

void sl_msg_cseq(sl_msg *m)
{
    const char *what;
    m->cseq_ok = m->first[SL_H_CSEQ] &&
                 sl_cseq_parse(m->hdrs[m->first[SL_H_CSEQ] - 1].value, &m->cseq, &what) == 0;
    m->cseq_done = 1;
}

/* The external definition of the inline sl_msg_hdr (sip.h), for calls that are not inlined. */
extern inline const sl_header *sl_msg_hdr(const sl_msg *m, sl_hdr_id id);

static int span_ieq_span(sl_span a, sl_span b)
{
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++)
        if (sl_lower((unsigned char)a.p[i]) != sl_lower((unsigned char)b.p[i]))
            return 0;
    return 1;
}

const sl_header *sl_msg_hdr_next(const sl_msg *m, const sl_header *h)
{
    /* The usual case: a known header that occurs once has no next row. */
    if (h->id != SL_H_OTHER && h->id < SL_H__COUNT && m->count[h->id] == 1)
        return NULL;
    for (size_t k = (size_t)(h - m->hdrs) + 1; k < m->n_hdrs; k++) {
        if (m->hdrs[k].id != h->id)
            continue;
        if (h->id == SL_H_OTHER && !span_ieq_span(m->hdrs[k].name, h->name))
            continue;
        return &m->hdrs[k];
    }
    return NULL;
}

/* Is row[0..rl) a Content-Length row ("Content-Length" or "l", any case, then optional blanks
 * and ':')? Returns the offset of the ':' or 0. The first letter is tested before anything else:
 * most rows are something else, and this runs for every row of every framed message. */
static size_t cl_colon(const char *row, size_t rl)
{
    size_t nn;
    unsigned char c0 = (unsigned char)row[0] | 0x20; /* only 'L'/'l' (or 'C'/'c') map here */
    if (c0 == 'l')
        nn = 1;
    else if (c0 == 'c' && rl >= 14 && row[7] == '-' && sl_hdr_find(row, 14) == SL_H_CONTENT_LENGTH)
        nn = 14;
    else
        return 0;
    if (nn < rl && sl_is_token((unsigned char)row[nn]))
        return 0; /* a longer name */
    size_t c = nn;
    while (c < rl && (row[c] == ' ' || row[c] == '\t'))
        c++;
    return c < rl && row[c] == ':' ? c : 0;
}

/* Stream framing (RFC 3261 §18.3): leading CRLFs are keep-alives (§7.5, RFC 5626); the header
 * section ends at the first empty line; Content-Length is mandatory and gives the body.
 * One pass over the header rows finds both the empty line and the Content-Length rows. */
sl_frame_rc sl_frame_stream(const char *buf, size_t len, size_t *start, size_t *msg_len,
                            const char **reason)
{
    size_t s = 0;
    while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
        s++;
    *start = s;
    *msg_len = 0;
    *reason = NULL;
    if (s == len)
        return SL_FRAME_NEED_MORE;
    const char *p = buf + s;
    size_t n = len - s;
    size_t lf = find_lf(p, 0, n);
    if (lf == n)
        return SL_FRAME_NEED_MORE;
    /* sl_looks_like_sip, on the start line already found */
    size_t kind = start_kind(p, n), ver;
    if (kind == NOT_START ||
        !first_line_is_sip(p, lf > 0 && p[lf - 1] == '\r' ? lf - 1 : lf, kind, &ver)) {
        *reason = "no SIP start line";
        return SL_FRAME_BROKEN;
    }
    /* Rows after the start line up to the empty line ("\n\r\n" or "\n\n"). A bad
     * Content-Length is only reported once the header section is complete (until then more
     * bytes are needed first); the first bad row is the one reported. */
    size_t i = lf + 1;
    size_t hdr_end = 0;
    int64_t cl = -1;
    const char *bad = NULL;
    while (i < n) {
        if (p[i] == '\n') {
            hdr_end = i + 1;
            break;
        }
        if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
            hdr_end = i + 2;
            break;
        }
        if (p[i] == '\r' && i + 1 == n)
            return SL_FRAME_NEED_MORE;
        size_t nl = find_lf(p, i, n);
        if (nl == n)
            return SL_FRAME_NEED_MORE;
        const char *row = p + i;
        size_t rl = nl - i;
        size_t c = bad ? 0 : cl_colon(row, rl);
        if (c) {
            sl_span v = sl_span_trim(sl_mkspan(row + c + 1, rl - c - 1));
            uint64_t x;
            if (sl_uint_parse(v, UINT32_MAX, &x) != 0)
                bad = "Content-Length is not a valid number";
            else if (cl >= 0 && (uint64_t)cl != x)
                bad = "several Content-Length values disagree";
            else
                cl = (int64_t)x;
        }
        i = nl + 1;
    }
    if (!hdr_end)
        return SL_FRAME_NEED_MORE;
    if (bad) {
        *reason = bad;
        return SL_FRAME_BROKEN;
    }
    if (cl < 0) {
        *reason = "no Content-Length on a stream transport";
        return SL_FRAME_BROKEN;
    }
    if ((uint64_t)cl > n - hdr_end)
        return SL_FRAME_NEED_MORE;
    *msg_len = hdr_end + (size_t)cl;
    return SL_FRAME_COMPLETE;
}
