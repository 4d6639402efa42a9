/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MIME multipart bodies (RFC 2046 §5.1) and MIME header blocks; CRLF or bare LF line ends. */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

/* Is there a delimiter line "--boundary" at b[i]? On success *next is the first byte after the
 * delimiter line and *close says whether it was the close delimiter "--boundary--". */
static int delimiter_at(sl_span b, size_t i, sl_span bd, size_t *next, int *close)
{
    if (i + 2 + bd.len > b.len || b.p[i] != '-' || b.p[i + 1] != '-' ||
        memcmp(b.p + i + 2, bd.p, bd.len) != 0)
        return 0;
    size_t j = i + 2 + bd.len;
    *close = 0;
    if (j + 1 < b.len && b.p[j] == '-' && b.p[j + 1] == '-') {
        *close = 1;
        j += 2;
    }
    while (j < b.len && (b.p[j] == ' ' || b.p[j] == '\t')) /* transport padding */
        j++;
    if (j < b.len && b.p[j] == '\r')
        j++;
    if (j < b.len && b.p[j] == '\n')
        j++;
    else if (j < b.len && !*close)
        return 0; /* "--boundary" followed by other text is not a delimiter */
    *next = j;
    return 1;
}

/* Find the next delimiter that starts a line, from i. Returns its offset, or b.len. */
static size_t find_delimiter(sl_span b, size_t i, sl_span bd, size_t *next, int *close)
{
    while (i < b.len) {
        if ((i == 0 || b.p[i - 1] == '\n') && delimiter_at(b, i, bd, next, close))
            return i;
        const char *nl = memchr(b.p + i, '\n', b.len - i);
        if (!nl)
            break;
        i = (size_t)(nl - b.p) + 1;
    }
    return b.len;
}

int sl_multipart_next(sl_span body, sl_span bd, size_t *pos, sl_part *part)
{
    size_t next;
    int close;
    if (bd.len == 0 || bd.len > 70) /* RFC 2046 §5.1.1: 1 to 70 characters */
        return -1;
    if (*pos == 0) {
        /* skip the preamble up to the first delimiter */
        size_t d = find_delimiter(body, 0, bd, &next, &close);
        if (d == body.len || close)
            return -1;
        *pos = next;
    }
    if (*pos >= body.len)
        return 0;
    size_t s = *pos;
    size_t d = find_delimiter(body, s, bd, &next, &close);
    if (d == body.len)
        return -1; /* no closing delimiter */
    size_t e = d; /* the CRLF before the delimiter belongs to the delimiter */
    if (e > s && body.p[e - 1] == '\n')
        e--;
    if (e > s && body.p[e - 1] == '\r')
        e--;
    sl_span p = sl_mkspan(body.p + s, e - s);
    /* part headers end at the first empty line; a part starting with an empty line has none */
    size_t h = 0;
    part->headers = sl_mkspan(p.p, 0);
    part->body = p;
    while (h < p.len) {
        const char *nl = memchr(p.p + h, '\n', p.len - h);
        size_t le = nl ? (size_t)(nl - p.p) : p.len;
        size_t content = le;
        if (content > h && p.p[content - 1] == '\r')
            content--;
        if (content == h) { /* empty line */
            part->headers = sl_mkspan(p.p, h);
            size_t bs = nl ? le + 1 : p.len;
            part->body = sl_mkspan(p.p + bs, p.len - bs);
            break;
        }
        if (!nl) {
            part->headers = p;
            part->body = sl_mkspan(p.p + p.len, 0);
            break;
        }
        h = le + 1;
    }
    *pos = close ? body.len : next;
    return 1;
}

int sl_mime_header(sl_span headers, const char *name, sl_span *value)
{
    size_t n = strlen(name), i = 0;
    while (i < headers.len) {
        const char *nl = memchr(headers.p + i, '\n', headers.len - i);
        size_t le = nl ? (size_t)(nl - headers.p) : headers.len;
        /* include folded continuation lines */
        size_t end = le;
        while (end + 1 < headers.len && (headers.p[end + 1] == ' ' || headers.p[end + 1] == '\t')) {
            const char *nl2 = memchr(headers.p + end + 1, '\n', headers.len - end - 1);
            end = nl2 ? (size_t)(nl2 - headers.p) : headers.len;
        }
        sl_span row = sl_mkspan(headers.p + i, end - i);
        size_t k = 0;
        while (k < row.len && sl_is_token((unsigned char)row.p[k]))
            k++;
        size_t c = k;
        while (c < row.len && (row.p[c] == ' ' || row.p[c] == '\t'))
            c++;
        if (k == n && c < row.len && row.p[c] == ':' && sl_span_ieq(sl_mkspan(row.p, k), name)) {
            *value = sl_span_trim(sl_mkspan(row.p + c + 1, row.len - c - 1));
            return 1;
        }
        i = end + 1;
    }
    return 0;
}
