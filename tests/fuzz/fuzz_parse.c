/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz harness: one message through sl_parse (both framing modes), every typed accessor on
 * every header row, and the whole engine as a UDP datagram and as a TCP message. */
#include <string.h>

#include "fuzz.h"
#include "siplint/sip.h"

static unsigned acc; /* keeps the reads from being optimised away */

static void check_span(const sl_msg *m, sl_span s)
{
    if (s.len == 0)
        return;
    FZ_CHECK(s.p >= m->base && s.p + s.len <= m->base + m->avail);
    acc += fz_touch(s.p, s.len);
}

/* Run every accessor on one value, whatever header it came from: the accessors are called
 * by rules on values the parser did not vet. */
static void accessors(const sl_msg *m, sl_span v)
{
    const char *what;
    size_t at;
    size_t pos = 0;
    sl_span el;
    unsigned guard = 0;
    while (sl_list_next(v, &pos, &el) && guard++ < 100000) {
        check_span(m, el);
        FZ_CHECK(pos <= v.len + 1); /* one past the end after the last element */
        sl_via via;
        if (sl_via_parse(el, &via, &what, &at) == 0) {
            check_span(m, via.host);
            check_span(m, via.transport);
            check_span(m, via.branch);
            check_span(m, via.params);
            check_span(m, via.received);
        } else {
            FZ_CHECK(what != NULL);
        }
        sl_addr a;
        if (sl_addr_parse(el, &a, &what, &at) == 0) {
            check_span(m, a.display);
            check_span(m, a.uri);
            check_span(m, a.uri_params);
            check_span(m, a.params);
            check_span(m, a.tag);
            size_t pp = 0, err;
            sl_param prm;
            unsigned g2 = 0;
            while (sl_param_next(a.params, &pp, &prm, &err) == 1 && g2++ < 100000) {
                check_span(m, prm.name);
                check_span(m, prm.value);
            }
            sl_param lr;
            if (sl_param_find(a.uri_params, "lr", &lr))
                check_span(m, lr.value);
        }
    }
    sl_cseq cs;
    if (sl_cseq_parse(v, &cs, &what) == 0)
        check_span(m, cs.method);
    sl_ctype ct;
    if (sl_ctype_parse(v, &ct) == 0) {
        check_span(m, ct.type);
        check_span(m, ct.subtype);
        check_span(m, ct.params);
        sl_span b;
        if (sl_ctype_param(&ct, "boundary", &b)) {
            check_span(m, b);
            /* the body as multipart with this boundary */
            size_t mp = 0;
            sl_part part;
            unsigned g3 = 0;
            while (sl_multipart_next(m->body, b, &mp, &part) == 1 && g3++ < 100000) {
                check_span(m, part.headers);
                check_span(m, part.body);
                sl_span hv;
                if (sl_mime_header(part.headers, "Content-Type", &hv))
                    check_span(m, hv);
            }
        }
        (void)sl_ctype_is(&ct, "multipart", "signed");
    }
    time_t t;
    (void)sl_date_parse(v, &t, &what);
    uint64_t u;
    (void)sl_uint_parse(v, UINT32_MAX, &u);
    check_span(m, sl_span_trim(v));
}

static void parse_one(sl_parser *ps, const char *buf, size_t len, sl_frame_mode mode)
{
    sl_msg m;
    sl_parse_rc rc = sl_parse(ps, buf, len, mode, &m);
    if (rc == SL_PARSE_NOT_SIP || rc == SL_PARSE_NOMEM)
        return;
    FZ_CHECK(m.n_issues <= SL_MAX_ISSUES && m.n_issues <= m.n_issues_total);
    for (unsigned i = 0; i < m.n_issues; i++) {
        FZ_CHECK(m.issues[i].what != NULL);
        FZ_CHECK((size_t)m.issues[i].offset + m.issues[i].len <= len);
    }
    if (rc != SL_PARSE_OK)
        return;
    FZ_CHECK(m.hdr_end <= len && m.len <= len && m.len >= m.hdr_end);
    FZ_CHECK(m.len + m.trailing <= len);
    check_span(&m, m.method);
    check_span(&m, m.ruri);
    check_span(&m, m.version);
    check_span(&m, m.reason);
    check_span(&m, m.body);
    FZ_CHECK(m.body.len == 0 || m.body.p == buf + m.hdr_end);
    for (size_t i = 0; i < m.n_hdrs; i++) {
        const sl_header *h = &m.hdrs[i];
        FZ_CHECK(h->id < SL_H__COUNT);
        FZ_CHECK((size_t)h->offset + h->row_len <= m.hdr_end);
        check_span(&m, h->name);
        check_span(&m, h->value);
        accessors(&m, h->value);
    }
    for (int id = 1; id < SL_H__COUNT; id++) {
        unsigned n = 0;
        for (const sl_header *h = sl_msg_hdr(&m, (sl_hdr_id)id); h && n < 70000;
             h = sl_msg_hdr_next(&m, h))
            n++;
        FZ_CHECK(n == m.count[id] || m.count[id] == UINT16_MAX || m.n_hdrs >= UINT16_MAX);
    }
    (void)sl_msg_has_option(&m, SL_H_SUPPORTED, "path");
    (void)sl_msg_has_option(&m, SL_H_REQUIRE, "100rel");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    static sl_parser ps; /* reused across inputs, as the engine reuses its own */
    parse_one(&ps, buf, size, SL_FRAME_DATAGRAM);
    parse_one(&ps, buf, size, SL_FRAME_STREAM);

    static const sl_transport tps[] = {SL_TP_UDP, SL_TP_TCP};
    for (size_t k = 0; k < 2; k++) {
        sl_engine *e = fz_engine_new(&acc);
        FZ_CHECK(e != NULL);
        sl_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.frame_first = meta.frame_last = 1;
        meta.ts_sec = 1700000000;
        meta.transport = tps[k];
        meta.af = 4;
        meta.sport = meta.dport = 5060;
        size_t out_len = 0;
        sl_feed_rc rc = sl_engine_feed(e, buf, size, &meta, &out_len);
        FZ_CHECK(rc == SL_FEED_LINTED || rc == SL_FEED_NOT_SIP);
        FZ_CHECK(out_len <= size);
        sl_engine_free(e);
    }
    return 0;
}
