/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed values: CSeq (§20.16), media types (§20.15), Date (§20.17), option-tag lists (§20.32). */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

int sl_cseq_parse(sl_span v, sl_cseq *c, const char **what)
{
    memset(c, 0, sizeof *c);
    size_t i = 0, n = v.len;
    const char *p = v.p;
    /* the number as the digits are found: up to 19 digits cannot overflow (see sl_uint_parse,
     * which decides for longer ones) */
    uint64_t num = 0;
    unsigned d;
    while (i < n && (d = (unsigned char)p[i] - (unsigned)'0') <= 9) {
        num = num * 10 + d;
        i++;
    }
    if (i == 0) {
        *what = "CSeq does not start with a sequence number";
        return -1;
    }
    if (i > 19 && sl_uint_parse(sl_mkspan(p, i), UINT64_MAX, &num) != 0) {
        c->overflow = 1;
        num = UINT64_MAX;
    }
    c->num = num;
    size_t j = sl_skip_lws(p, i, n);
    if (j == i || j == n) {
        *what = "CSeq is not \"number SP method\"";
        return -1;
    }
    size_t s = j;
    j = sl_scan_class(p, j, n, SL_C_TOKEN);
    if (j != n) {
        *what = "CSeq method is not a token, or text follows it";
        return -1;
    }
    c->method = sl_mkspan(p + s, j - s);
    return 0;
}

int sl_ctype_parse(sl_span v, sl_ctype *ct)
{
    memset(ct, 0, sizeof *ct);
    size_t i = 0, n = v.len;
    const char *p = v.p;
    i = sl_scan_class(p, i, n, SL_C_TOKEN);
    if (i == 0)
        return -1;
    ct->type = sl_mkspan(p, i);
    i = sl_skip_lws(p, i, n);
    if (i >= n || p[i] != '/')
        return -1;
    i = sl_skip_lws(p, i + 1, n);
    size_t s = i;
    i = sl_scan_class(p, i, n, SL_C_TOKEN);
    if (i == s)
        return -1;
    ct->subtype = sl_mkspan(p + s, i - s);
    ct->params = sl_mkspan(p + i, n - i);
    size_t pos = 0, at;
    sl_param prm;
    int rc;
    while ((rc = sl_param_next(ct->params, &pos, &prm, &at)) > 0)
        ;
    return rc < 0 ? -1 : 0;
}

int sl_ctype_is(const sl_ctype *ct, const char *type, const char *subtype)
{
    return sl_span_ieq(ct->type, type) && sl_span_ieq(ct->subtype, subtype);
}

int sl_ctype_param(const sl_ctype *ct, const char *name, sl_span *value)
{
    sl_param prm;
    if (!sl_param_find(ct->params, name, &prm) || !prm.value.p)
        return 0;
    sl_span v = prm.value;
    if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
        v.p++;
        v.len -= 2;
    }
    *value = v;
    return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm,
 * re-derived: shift the year to start in March so that leap days fall at the end). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int two_digits(const char *p, unsigned *out)
{
    if (!sl_is_digit((unsigned char)p[0]) || !sl_is_digit((unsigned char)p[1]))
        return -1;
    *out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
    return 0;
}

int sl_date_parse(sl_span v, time_t *t, const char **what)
{
    /* rfc1123-date = wkday "," SP date1 SP time SP "GMT"; date1 = 2DIGIT SP month SP 4DIGIT;
     * "Sun, 06 Nov 1994 08:49:37 GMT" is exactly 29 bytes. Names are case-sensitive (§20.17). */
    static const char *const wkdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const char *p = v.p;
    if (v.len >= 4 && memcmp(p + v.len - 4, " GMT", 4) != 0) {
        *what = "the time zone is not GMT (RFC 3261 §20.17 allows only GMT; RFC 4475 baddate)";
        return -1;
    }
    if (v.len != 29) {
        *what = "not of the form \"Sun, 06 Nov 1994 08:49:37 GMT\" (RFC 3261 §25.1 rfc1123-date)";
        return -1;
    }
    int ok = 0;
    for (int k = 0; k < 7; k++)
        ok |= memcmp(p, wkdays[k], 3) == 0;
    if (!ok || p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' ||
        p[19] != ':' || p[22] != ':' || p[25] != ' ') {
        *what = "not of the form \"Sun, 06 Nov 1994 08:49:37 GMT\" (RFC 3261 §25.1 rfc1123-date)";
        return -1;
    }
    unsigned day, mon = 0, hh, mm, ss, y1, y2;
    for (unsigned k = 0; k < 12; k++)
        if (memcmp(p + 8, months[k], 3) == 0)
            mon = k + 1;
    if (two_digits(p + 5, &day) || !mon || two_digits(p + 12, &y1) || two_digits(p + 14, &y2) ||
        two_digits(p + 17, &hh) || two_digits(p + 20, &mm) || two_digits(p + 23, &ss)) {
        *what = "not of the form \"Sun, 06 Nov 1994 08:49:37 GMT\" (RFC 3261 §25.1 rfc1123-date)";
        return -1;
    }
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day < 1 || day > mdays[mon - 1] || hh > 23 || mm > 59 || ss > 60) {
        *what = "the date or time is out of range";
        return -1;
    }
    int64_t days = days_from_civil((int64_t)(y1 * 100 + y2), mon, day);
    *t = (time_t)(days * 86400 + hh * 3600 + mm * 60 + ss);
    return 0;
}

int sl_msg_has_option(const sl_msg *m, sl_hdr_id id, const char *tag)
{
    for (const sl_header *h = sl_msg_hdr(m, id); h; h = sl_msg_hdr_next(m, h)) {
        size_t pos = 0;
        sl_span e;
        while (sl_list_next(h->value, &pos, &e))
            if (sl_span_ieq(e, tag))
                return 1;
    }
    return 0;
}
