/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transaction/dialog tracker: its tables (lookup, expiry, the bound), transaction matching
 * through the engine, timers in capture time, and memory that stays bounded. */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "siplint/engine.h"
#include "tracker.h"
#include "cu_run.h"

#define SEC 1000000000LL

/* ---- the tables ------------------------------------------------------------------------------ */

static void test_table_basics(void)
{
    sl_config cfg;
    sl_config_default(&cfg);
    sl_tracker t;
    CU_ASSERT_EQUAL_FATAL(sl_trk_init(&t, &cfg, 64), 0);
    int fresh;
    /* insert 40 keys living until 10 s, then 8 until 100 s */
    for (uint64_t k = 1; k <= 48; k++) {
        sl_txn *x = sl_trk_upsert(&t, &t.txn, k * 7919, 0, &fresh);
        CU_ASSERT_PTR_NOT_NULL_FATAL(x);
        CU_ASSERT_EQUAL(fresh, 1);
        x->h.expire = k <= 40 ? 10 * SEC : 100 * SEC;
        x->cseq = k;
    }
    /* the same key again: found, not fresh */
    sl_txn *x = sl_trk_upsert(&t, &t.txn, 5 * 7919, 1, &fresh);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_EQUAL(fresh, 0);
    CU_ASSERT_EQUAL(x->cseq, 5);
    for (uint64_t k = 1; k <= 48; k++) {
        sl_txn *y = sl_tab_find(&t.txn, k * 7919, 5 * SEC);
        CU_ASSERT_PTR_NOT_NULL(y);
        if (y)
            CU_ASSERT_EQUAL(y->cseq, k);
    }
    CU_ASSERT_PTR_NULL(sl_tab_find(&t.txn, 4242, 5 * SEC));
    /* expiry: after 10 s the first 40 are gone for lookups, before any sweep */
    for (uint64_t k = 1; k <= 48; k++) {
        sl_txn *y = sl_tab_find(&t.txn, k * 7919, 11 * SEC);
        CU_ASSERT((y != NULL) == (k > 40));
    }
    /* the sweep removes them, and every survivor can still be found (backward-shift deletion
     * keeps probe chains intact) */
    sl_trk_sweep_all(&t, 11 * SEC);
    CU_ASSERT_EQUAL(t.txn.used, 8);
    for (uint64_t k = 41; k <= 48; k++)
        CU_ASSERT_PTR_NOT_NULL(sl_tab_find(&t.txn, k * 7919, 11 * SEC));
    sl_trk_sweep_all(&t, 101 * SEC);
    CU_ASSERT_EQUAL(sl_trk_live(&t), 0);
    sl_trk_free(&t);
}

static void test_table_bound(void)
{
    sl_config cfg;
    sl_config_default(&cfg);
    sl_tracker t;
    CU_ASSERT_EQUAL_FATAL(sl_trk_init(&t, &cfg, 64), 0);
    size_t bytes = sl_trk_bytes(&t);
    int fresh;
    size_t kept = 0;
    for (uint64_t k = 1; k <= 200; k++) {
        sl_txn *x = sl_trk_upsert(&t, &t.txn, k * 104729, 0, &fresh);
        if (x) {
            x->h.expire = 32 * SEC;
            kept++;
        }
    }
    CU_ASSERT_EQUAL(kept, t.txn.limit);       /* 3/4 of the slots */
    CU_ASSERT_EQUAL(t.dropped, 200 - kept);
    CU_ASSERT(sl_trk_lossy(&t, 1 * SEC));      /* absence proves nothing for a while... */
    CU_ASSERT(!sl_trk_lossy(&t, 40 * SEC));    /* ...then 64*T1 later it does again */
    /* once capture time passes their timers, the slots are reused without a sweep */
    for (uint64_t k = 1000; k < 1000 + kept; k++) {
        sl_txn *x = sl_trk_upsert(&t, &t.txn, k * 104729, 33 * SEC, &fresh);
        CU_ASSERT_PTR_NOT_NULL(x);
        if (x)
            x->h.expire = 60 * SEC;
    }
    CU_ASSERT_EQUAL(t.dropped, 200 - kept);
    CU_ASSERT_EQUAL(sl_trk_bytes(&t), bytes); /* never grows */
    sl_trk_free(&t);
}

static void test_timers(void)
{
    sl_config cfg;
    sl_config_default(&cfg);
    sl_tracker t;
    CU_ASSERT_EQUAL_FATAL(sl_trk_init(&t, &cfg, 0), 0);
    CU_ASSERT_EQUAL(sl_trk_e_reset(&t), 3500LL * 1000000); /* D5: 0.5 + 1 + 2 s */
    sl_trk_free(&t);
    cfg.t1_ms = 250;
    cfg.t2_ms = 4000;
    CU_ASSERT_EQUAL_FATAL(sl_trk_init(&t, &cfg, 0), 0);
    CU_ASSERT_EQUAL(sl_trk_e_reset(&t), 3750LL * 1000000); /* 0.25 + 0.5 + 1 + 2 */
    sl_trk_free(&t);
}

static void test_uri_equality(void)
{
    struct { const char *a, *b; int eq; } c[] = {
        {"sip:bob@example.com", "SIP:bob@EXAMPLE.COM", 1},
        {"sip:bob@example.com", "sip:Bob@example.com", 0},           /* user is case-sensitive */
        {"sip:bob@example.com;transport=udp", "sip:bob@example.com", 1},
        {"sip:bob@example.com;maddr=192.0.2.1", "sip:bob@example.com", 0},
        {"sip:bob@example.com:5070", "sip:bob@example.com", 0},
        {"sip:bob@example.com?subject=x", "sip:bob@example.com", 1},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        sl_span a = {c[i].a, strlen(c[i].a)}, b = {c[i].b, strlen(c[i].b)};
        int eq = sl_trk_uri_hash(SL_TRK_SEED, a) == sl_trk_uri_hash(SL_TRK_SEED, b);
        if (eq != c[i].eq)
            sl_cu_fail(__FILE__, __LINE__, "%s vs %s: %s expected", c[i].a, c[i].b,
                       c[i].eq ? "equal" : "different");
        else
            CU_PASS("uri");
    }
}

/* ---- through the engine ---------------------------------------------------------------------- */

typedef struct seen {
    unsigned n[SL_RULE__COUNT];
    uint64_t last_frame, last_related;
} seen;

static void sink(const sl_finding *f, void *user)
{
    seen *s = user;
    s->n[f->rule->sym]++;
    s->last_frame = f->frame;
    s->last_related = f->n_related ? f->related[0] : 0;
}

static void feed(sl_engine *e, uint64_t frame, int64_t t_ns, int a_to_b, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void feed(sl_engine *e, uint64_t frame, int64_t t_ns, int a_to_b, const char *fmt, ...)
{
    static char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sl_meta m;
    memset(&m, 0, sizeof m);
    m.frame_first = m.frame_last = frame;
    m.ts_sec = 1700000000 + t_ns / SEC;
    m.ts_nsec = (uint32_t)(t_ns % SEC);
    m.transport = SL_TP_UDP;
    m.af = 4;
    uint8_t a[4] = {192, 0, 2, 10}, b[4] = {192, 0, 2, 20};
    memcpy(m.src, a_to_b ? a : b, 4);
    memcpy(m.dst, a_to_b ? b : a, 4);
    m.sport = m.dport = 5060;
    CU_ASSERT_EQUAL(sl_engine_feed(e, buf, (size_t)n, &m, NULL), SL_FEED_LINTED);
}

#define MSG_FMT                                                                                    \
    "MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK%s\r\n"       \
    "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=%s\r\nTo: <sip:bob@example.com>\r\n"   \
    "Call-ID: %s\r\nCSeq: %u MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
#define OK_FMT                                                                                     \
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK%s\r\n"                           \
    "From: <sip:alice@example.com>;tag=%s\r\nTo: <sip:bob@example.com>;tag=b\r\n"                 \
    "Call-ID: %s\r\nCSeq: %u MESSAGE\r\nContent-Length: 0\r\n\r\n"
#define ACK_FMT                                                                                    \
    "ACK sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK%s\r\n"           \
    "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=%s\r\nTo: <sip:bob@example.com>;tag=b\r\n" \
    "Call-ID: %s\r\nCSeq: %u ACK\r\nContent-Length: 0\r\n\r\n"

/* An ACK matches the MESSAGE while its records live, and no longer once capture time has passed
 * the timers (64*T1 after the last message of the transaction). */
static void test_expiry_in_capture_time(void)
{
    seen s;
    memset(&s, 0, sizeof s);
    sl_engine *e = sl_engine_new(NULL, sink, &s);
    feed(e, 1, 0, 1, MSG_FMT, "m1", "a", "c1", 1u);
    feed(e, 2, SEC / 10, 0, OK_FMT, "m1", "a", "c1", 1u);
    feed(e, 3, SEC / 5, 1, ACK_FMT, "k1", "a", "c1", 1u);
    CU_ASSERT_EQUAL(s.n[SL_R_MSG_ACK], 1);
    CU_ASSERT_EQUAL(s.last_frame, 3);
    CU_ASSERT_EQUAL(s.last_related, 1);
    feed(e, 4, 0, 1, MSG_FMT, "m2", "a", "c2", 1u);
    feed(e, 5, SEC / 10, 0, OK_FMT, "m2", "a", "c2", 1u);
    feed(e, 6, 40 * SEC, 1, ACK_FMT, "k2", "a", "c2", 1u); /* 40 s later: forgotten */
    CU_ASSERT_EQUAL(s.n[SL_R_MSG_ACK], 1);
    sl_engine_free(e);

    /* with T1 = 1 s, 64*T1 = 64 s: the same 40 s gap still matches */
    sl_config cfg;
    sl_config_default(&cfg);
    cfg.t1_ms = 1000;
    memset(&s, 0, sizeof s);
    e = sl_engine_new(&cfg, sink, &s);
    feed(e, 1, 0, 1, MSG_FMT, "m2", "a", "c2", 1u);
    feed(e, 2, SEC / 10, 0, OK_FMT, "m2", "a", "c2", 1u);
    feed(e, 3, 40 * SEC, 1, ACK_FMT, "k2", "a", "c2", 1u);
    CU_ASSERT_EQUAL(s.n[SL_R_MSG_ACK], 1);
    sl_engine_free(e);
}

/* Retransmissions match their transaction: the second copy of a MESSAGE is no new transaction
 * (no overlap), and a request retransmitted after its final keeps the same record. */
static void test_matching(void)
{
    seen s;
    memset(&s, 0, sizeof s);
    sl_engine *e = sl_engine_new(NULL, sink, &s);
    feed(e, 1, 0, 1, MSG_FMT, "r1", "a", "c3", 1u);
    feed(e, 2, SEC / 2, 1, MSG_FMT, "r1", "a", "c3", 1u);
    feed(e, 3, SEC, 0, OK_FMT, "r1", "a", "c3", 1u);
    CU_ASSERT_EQUAL(s.n[SL_R_MSG_OVERLAP_OOD], 0);
    /* a new branch to the same URI while r2 is pending, then r2's final: overlap at frame 6 */
    feed(e, 4, 2 * SEC, 1, MSG_FMT, "r2", "a", "c4", 1u);
    feed(e, 5, 2 * SEC + SEC / 10, 1, MSG_FMT, "r3", "a", "c5", 1u);
    feed(e, 6, 2 * SEC + SEC / 5, 0, OK_FMT, "r2", "a", "c4", 1u);
    CU_ASSERT_EQUAL(s.n[SL_R_MSG_OVERLAP_OOD], 1);
    CU_ASSERT_EQUAL(s.last_frame, 6);
    /* RFC 2543 fallback (no magic cookie): the response matches by Call-ID, From tag, CSeq, Via */
    feed(e, 7, 3 * SEC, 1,
         "MESSAGE sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=old1\r\n"
         "From: <sip:alice@example.com>;tag=q\r\nTo: <sip:x@example.com>\r\nCall-ID: c6\r\n"
         "CSeq: 9 MESSAGE\r\nContent-Length: 0\r\n\r\n");
    feed(e, 8, 3 * SEC + 1, 0,
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=old1\r\n"
         "From: <sip:alice@example.com>;tag=q\r\nTo: <sip:x@example.com>;tag=t\r\nCall-ID: c6\r\n"
         "CSeq: 9 MESSAGE\r\nContent-Length: 0\r\n\r\n");
    feed(e, 9, 3 * SEC + 2, 0,
         "SIP/2.0 404 Not Found\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=old1\r\n"
         "From: <sip:alice@example.com>;tag=q\r\nTo: <sip:x@example.com>;tag=t\r\nCall-ID: c6\r\n"
         "CSeq: 9 MESSAGE\r\nContent-Length: 0\r\n\r\n");
    CU_ASSERT_EQUAL(s.n[SL_R_SIP_MULTI_FINAL], 1);
    CU_ASSERT_EQUAL(s.last_related, 8);
    sl_engine_free(e);
}

/* A long capture through a small tracker (4,096 transaction slots): 30,000 transactions at 50 per
 * second, each remembered for 64*T1 = 32 s (1,600 at a time). Memory never grows and nothing is
 * dropped; then a burst beyond the bound is dropped and counted, and memory stays the same. */
static void test_memory_bound(void)
{
    sl_config cfg;
    sl_config_default(&cfg);
    cfg.max_transactions = 4096;
    seen s;
    memset(&s, 0, sizeof s);
    sl_engine *e = sl_engine_new(&cfg, sink, &s);
    const sl_stats *st = sl_engine_stats(e);
    uint64_t bytes = st->tracker_bytes;
    CU_ASSERT(bytes > 0 && bytes < 2u << 20);
    uint64_t frame = 1;
    char cid[32], br[32];
    for (unsigned i = 0; i < 30000; i++) {
        int64_t t = (int64_t)i * SEC / 50; /* 50 transactions per second, 600 s */
        snprintf(cid, sizeof cid, "long-%u", i);
        snprintf(br, sizeof br, "L%u", i);
        feed(e, frame++, t, 1, MSG_FMT, br, "a", cid, 1u);
        feed(e, frame++, t + SEC / 1000, 0, OK_FMT, br, "a", cid, 1u);
    }
    CU_ASSERT_EQUAL(st->tracker_dropped, 0);
    CU_ASSERT_EQUAL(st->tracker_bytes, bytes);
    CU_ASSERT_EQUAL(st->by_rule[SL_R_MSG_OVERLAP_OOD], 0);
    /* a burst: 10,000 transactions within one second cannot all be held */
    for (unsigned i = 0; i < 10000; i++) {
        snprintf(cid, sizeof cid, "burst-%u", i);
        snprintf(br, sizeof br, "B%u", i);
        feed(e, frame++, 400 * SEC + i * 100000LL, 1, MSG_FMT, br, "a", cid, 1u);
    }
    CU_ASSERT(st->tracker_dropped > 0);
    CU_ASSERT_EQUAL(st->tracker_bytes, bytes);
    /* while records are being lost, an ACK that matches a MESSAGE proves nothing about INVITEs */
    feed(e, frame++, 401 * SEC, 1, ACK_FMT, "x", "a", "burst-1", 1u);
    CU_ASSERT_EQUAL(s.n[SL_R_MSG_ACK], 0);
    sl_engine_free(e);
}

/* Disabling every stateful rule switches the tracker off. */
static void test_off(void)
{
    sl_config cfg;
    sl_config_default(&cfg);
    static const sl_rule_id st[] = {SL_R_MSG_ACK, SL_R_MSG_OVERLAP_OOD, SL_R_MSG_DATE_STALE,
                                    SL_R_MSG_PSEUDO_DIALOG, SL_R_SIP_TO_TAG_RESP, SL_R_SIP_RESP_ECHO,
                                    SL_R_SIP_MULTI_FINAL, SL_R_SIP_420_UNSUPPORTED, SL_R_SIP_481_OOD,
                                    SL_R_NIT_100_EARLY, SL_R_PATH_420, SL_R_PATH_2XX_ECHO,
                                    SL_R_PATH_2XX_UNSOLICITED, SL_R_MSG_413};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        cfg.severity[st[i]] = SL_SEV_NONE;
    sl_engine *e = sl_engine_new(&cfg, NULL, NULL);
    CU_ASSERT_EQUAL(sl_engine_stats(e)->tracker_bytes, 0);
    sl_engine_free(e);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("tracker", NULL, NULL);
    CU_add_test(s, "table lookup, expiry, sweep", test_table_basics);
    CU_add_test(s, "table bound and reuse", test_table_bound);
    CU_add_test(s, "Timer E reset (D5)", test_timers);
    CU_add_test(s, "Request-URI equality", test_uri_equality);
    CU_add_test(s, "expiry in capture time", test_expiry_in_capture_time);
    CU_add_test(s, "transaction matching", test_matching);
    CU_add_test(s, "memory bound", test_memory_bound);
    CU_add_test(s, "off when no stateful rule is on", test_off);
    return sl_cu_run();
}
