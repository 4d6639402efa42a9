/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of TCP/WebSocket/SCTP reassembly (lint/capture/tcp.c, sctp.c), fed segment by segment. */

/*
 * Each test builds TCP segments (or SCTP packets) by hand, as the IP step would hand them over,
 * feeds them one by one and copies every item out of the queue right after each call (the
 * items' data is valid only until the next call). The checks then say which SIP messages came
 * out, with which frames and flags, and which capture events.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_run.h"
#include "decode.h"
#include "outq.h"
#include "tcp.h"

/* ---- the rig -------------------------------------------------------------------------------- */


typedef struct out {
    sl_payload_kind kind;
    sl_rule_id rule;
    char *data; /* copy */
    size_t len;
    sl_meta meta;
    int zero_copy; /* the data pointed into the segment fed */
} out;

typedef struct rig {
    sl_tcp *t;
    sl_sctp *s;
    sl_outq q;
    uint64_t frame;
    int64_t sec;
    out *o;
    size_t n, cap;
} rig;

static const uint8_t IP_A[4] = {192, 0, 2, 1}, IP_B[4] = {192, 0, 2, 2};
enum { PORT_A = 40000, PORT_B = 5060 };
enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

static void rig_init(rig *r)
{
    memset(r, 0, sizeof *r);
    r->t = sl_tcp_new();
    r->s = sl_sctp_new();
    CU_ASSERT_FATAL(r->t != NULL && r->s != NULL);
    sl_outq_init(&r->q);
    r->sec = 1700000000;
}

static void collect(rig *r, const uint8_t *pkt, size_t pktlen)
{
    sl_payload p;
    while (sl_outq_pop(&r->q, &p)) {
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 64;
            r->o = realloc(r->o, r->cap * sizeof *r->o);
            CU_ASSERT_FATAL(r->o != NULL);
        }
        out *o = &r->o[r->n++];
        o->kind = p.kind;
        o->rule = p.rule;
        o->meta = p.meta;
        if (p.kind == SL_PAYLOAD_MESSAGE) {
            o->data = malloc(p.len + 1);
            memcpy(o->data, p.data, p.len);
            o->data[p.len] = 0;
            o->len = p.len;
            o->zero_copy = pkt && (const uint8_t *)p.data >= pkt &&
                           (const uint8_t *)p.data + p.len <= pkt + pktlen;
        } else {
            o->data = strdup(p.text);
            o->len = strlen(p.text);
        }
    }
}

static void rig_free(rig *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->o[i].data);
    free(r->o);
    sl_tcp_free(r->t);
    sl_sctp_free(r->s);
    sl_outq_free(&r->q);
}

static void rig_clear(rig *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->o[i].data);
    r->n = 0;
}

/* Feed one TCP segment from A to B (dir 0) or B to A (dir 1); cap: bytes of data captured
 * ((size_t)-1: all). Returns the frame number it got. */
static uint64_t tcp_cap(rig *r, int dir, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                        unsigned flags, const void *data, size_t len, size_t cap)
{
    size_t pl = 20 + len;
    uint8_t *pkt = calloc(1, pl ? pl : 1);
    pkt[0] = (uint8_t)(sport >> 8);
    pkt[1] = (uint8_t)sport;
    pkt[2] = (uint8_t)(dport >> 8);
    pkt[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++) {
        pkt[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        pkt[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    pkt[12] = 5 << 4;
    pkt[13] = (uint8_t)flags;
    if (len)
        memcpy(pkt + 20, data, len);
    sl_ip_pkt ip;
    memset(&ip, 0, sizeof ip);
    ip.af = 4;
    ip.src = dir ? IP_B : IP_A;
    ip.dst = dir ? IP_A : IP_B;
    ip.proto = 6;
    ip.payload = pkt;
    ip.payload_len = pl;
    ip.payload_avail = cap == (size_t)-1 || cap > len ? pl : 20 + cap;
    sl_meta m;
    memset(&m, 0, sizeof m);
    m.frame_first = m.frame_last = ++r->frame;
    m.ts_sec = r->sec;
    m.af = 4;
    memcpy(m.src, ip.src, 4);
    memcpy(m.dst, ip.dst, 4);
    sl_tcp_feed(r->t, &ip, &m, ip.payload_avail < pl, &r->q);
    collect(r, pkt, pl);
    free(pkt);
    return r->frame;
}

static uint64_t tcp(rig *r, int dir, uint32_t seq, unsigned flags, const void *data, size_t len)
{
    return tcp_cap(r, dir, dir ? PORT_B : PORT_A, dir ? PORT_A : PORT_B, seq, 0,
                   flags | (flags & F_SYN ? 0 : F_ACK), data, len, (size_t)-1);
}

static uint64_t tcp_ack(rig *r, int dir, uint32_t seq, uint32_t ack)
{
    return tcp_cap(r, dir, dir ? PORT_B : PORT_A, dir ? PORT_A : PORT_B, seq, ack, F_ACK, NULL, 0,
                   (size_t)-1);
}

static void finish(rig *r)
{
    sl_tcp_finish(r->t, &r->q);
    sl_sctp_finish(r->s, &r->q);
    collect(r, NULL, 0);
}

/* A MESSAGE with Call-ID id and body text (NULL: no Content-Length at all). */
static char *sipmsg(const char *id, const char *body)
{
    char *m = malloc(4096);
    int n = snprintf(m, 4096,
                     "MESSAGE sip:bob@example.com SIP/2.0\r\n"
                     "Via: SIP/2.0/TCP 192.0.2.1:40000;branch=z9hG4bK.%s\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:alice@example.com>;tag=a\r\n"
                     "To: <sip:bob@example.com>\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: 1 MESSAGE\r\n"
                     "Content-Type: text/plain\r\n",
                     id, id);
    if (body)
        snprintf(m + n, 4096 - (size_t)n, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    else
        snprintf(m + n, 4096 - (size_t)n, "\r\n");
    return m;
}

static size_t count(const rig *r, sl_payload_kind k, sl_rule_id rule)
{
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->o[i].kind == k && (k == SL_PAYLOAD_MESSAGE || r->o[i].rule == rule))
            c++;
    return c;
}

static size_t nmsg(const rig *r)
{
    return count(r, SL_PAYLOAD_MESSAGE, 0);
}

static size_t nev(const rig *r)
{
    return r->n - nmsg(r);
}

/* The i-th message out. */
static const out *msg_at(const rig *r, size_t i)
{
    for (size_t k = 0; k < r->n; k++)
        if (r->o[k].kind == SL_PAYLOAD_MESSAGE && i-- == 0)
            return &r->o[k];
    return NULL;
}

#define EXPECT_MSG(r, i, text, ff, fl)                                                             \
    do {                                                                                           \
        const out *o_ = msg_at((r), (i));                                                          \
        if (o_ == NULL) {                                                                          \
            sl_cu_fail(__func__, __LINE__, "message %d missing", (int)(i));                        \
            break;                                                                                 \
        }                                                                                          \
        if (o_->len != strlen(text) || memcmp(o_->data, (text), o_->len) != 0)                     \
            sl_cu_fail(__func__, __LINE__, "message %d differs: got %zu bytes \"%.60s\"",          \
                       (int)(i), o_->len, o_->data);                                               \
        if (o_->meta.frame_first != (ff) || o_->meta.frame_last != (fl))                           \
            sl_cu_fail(__func__, __LINE__, "message %d: frames %llu-%llu, want %llu-%llu",         \
                       (int)(i), (unsigned long long)o_->meta.frame_first,                         \
                       (unsigned long long)o_->meta.frame_last, (unsigned long long)(ff),          \
                       (unsigned long long)(fl));                                                  \
    } while (0)

static void show(const rig *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->o[i].kind == SL_PAYLOAD_EVENT)
            fprintf(stderr, "    event %s frame %llu: %s\n", sl_rule_at(r->o[i].rule)->id,
                    (unsigned long long)r->o[i].meta.frame_last, r->o[i].data);
}

/* ---- TCP ------------------------------------------------------------------------------------ */

static void test_in_order_zero_copy(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "hello"), *m2 = sipmsg("c2", "world");
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    tcp(&r, 1, 5000, F_SYN | F_ACK, NULL, 0);
    tcp(&r, 0, 1001, 0, m1, strlen(m1));
    tcp(&r, 0, 1001 + (uint32_t)strlen(m1), F_PSH, m2, strlen(m2));
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    CU_ASSERT_EQUAL(nev(&r), 0);
    EXPECT_MSG(&r, 0, m1, 3, 3);
    EXPECT_MSG(&r, 1, m2, 4, 4);
    const out *o = msg_at(&r, 0);
    if (o) {
        CU_ASSERT(o->zero_copy);
        CU_ASSERT_EQUAL(o->meta.transport, SL_TP_TCP);
        CU_ASSERT_EQUAL(o->meta.sport, PORT_A);
        CU_ASSERT_EQUAL(o->meta.dport, PORT_B);
        CU_ASSERT_EQUAL(o->meta.flags & SL_META_REASSEMBLED, 0);
    }
    o = msg_at(&r, 1);
    CU_ASSERT(o && o->zero_copy);
    finish(&r);
    CU_ASSERT_EQUAL(nev(&r), 0);
    free(m1);
    free(m2);
    rig_free(&r);
}

static void test_many_in_one_segment_and_keepalives(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "one"), *m2 = sipmsg("c2", ""), *m3 = sipmsg("c3", "three");
    char all[8192];
    /* RFC 5626 §3.5.1: CRLF CRLF ping; CRLF pong */
    int n = snprintf(all, sizeof all, "\r\n\r\n%s\r\n\r\n%s%s\r\n", m1, m2, m3);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    uint64_t f = tcp(&r, 0, 1001, 0, all, (size_t)n);
    tcp(&r, 0, 1001 + (uint32_t)n, 0, "\r\n\r\n", 4);
    CU_ASSERT_EQUAL(nmsg(&r), 3);
    CU_ASSERT_EQUAL(nev(&r), 0);
    EXPECT_MSG(&r, 0, m1, f, f);
    EXPECT_MSG(&r, 1, m2, f, f);
    EXPECT_MSG(&r, 2, m3, f, f);
    finish(&r);
    CU_ASSERT_EQUAL(nev(&r), 0); /* keep-alives at the end are not a truncated message */
    free(m1);
    free(m2);
    free(m3);
    rig_free(&r);
}

static void test_one_message_many_segments(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "a body that spans segments"), *m2 = sipmsg("c2", "x");
    size_t l = strlen(m1);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    uint64_t f1 = tcp(&r, 0, 1001, 0, m1, 10);
    tcp(&r, 0, 1011, 0, m1 + 10, 100);
    CU_ASSERT_EQUAL(nmsg(&r), 0);
    /* the last piece of m1 and the whole of m2 in one segment */
    char tail[8192];
    int n = snprintf(tail, sizeof tail, "%s%s", m1 + 110, m2);
    uint64_t f3 = tcp(&r, 0, 1111, 0, tail, (size_t)n);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 0, m1, f1, f3);
    EXPECT_MSG(&r, 1, m2, f3, f3);
    const out *o = msg_at(&r, 0);
    CU_ASSERT(o && (o->meta.flags & SL_META_REASSEMBLED));
    o = msg_at(&r, 1);
    CU_ASSERT(o && !(o->meta.flags & SL_META_REASSEMBLED));
    CU_ASSERT_EQUAL(nev(&r), 0);
    (void)l;
    free(m1);
    free(m2);
    rig_free(&r);
}

static void test_out_of_order_and_retransmissions(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "first"), *m2 = sipmsg("c2", "second");
    size_t l1 = strlen(m1), l2 = strlen(m2);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    /* m2 arrives before m1; then m1's second half before its first half */
    uint64_t f2 = tcp(&r, 0, 1001 + (uint32_t)l1, 0, m2, l2);
    tcp(&r, 0, 1001 + 50, 0, m1 + 50, l1 - 50);
    CU_ASSERT_EQUAL(nmsg(&r), 0);
    uint64_t f4 = tcp(&r, 0, 1001, 0, m1, 50);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 0, m1, f4, f4);
    EXPECT_MSG(&r, 1, m2, f2, f4);
    /* exact retransmissions and an overlapping one: nothing new */
    tcp(&r, 0, 1001, 0, m1, l1);
    tcp(&r, 0, 1001 + 20, 0, m1 + 20, l1 - 20 + 30);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    /* an overlapping retransmission that also carries new data */
    char *m3 = sipmsg("c3", "third");
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "%s%s", m2 + l2 - 10, m3);
    uint64_t f7 = tcp(&r, 0, 1001 + (uint32_t)(l1 + l2 - 10), 0, buf, (size_t)n);
    CU_ASSERT_EQUAL(nmsg(&r), 3);
    EXPECT_MSG(&r, 2, m3, f7, f7);
    CU_ASSERT_EQUAL(nev(&r), 0);
    finish(&r);
    CU_ASSERT_EQUAL(nev(&r), 0);
    free(m1);
    free(m2);
    free(m3);
    rig_free(&r);
}

static void test_midstream_start(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "body\r\nline two\r\n"), *m2 = sipmsg("c2", "x");
    char buf[8192];
    /* the capture starts inside m1's header section */
    int n = snprintf(buf, sizeof buf, "%s%s", m1 + 30, m2);
    uint64_t f = tcp(&r, 0, 777777, 0, buf, (size_t)n);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    EXPECT_MSG(&r, 0, m2, f, f);
    /* and a second connection whose first captured byte is a message start */
    tcp_cap(&r, 0, 40001, 5060, 99, 0, F_ACK, m1, strlen(m1), (size_t)-1);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    CU_ASSERT_EQUAL(nev(&r), 0); /* resynchronising at the start is no finding */
    free(m1);
    free(m2);
    rig_free(&r);
}

static void test_gap_acknowledged(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "1"), *m2 = sipmsg("c2", "22"), *m3 = sipmsg("c3", "333");
    uint32_t l1 = (uint32_t)strlen(m1), l2 = (uint32_t)strlen(m2), l3 = (uint32_t)strlen(m3);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    tcp(&r, 0, 1001, 0, m1, l1);
    tcp(&r, 0, 1001 + l1, 0, m2, 40); /* m2's start */
    /* the rest of m2 is never captured; m3 arrives */
    tcp(&r, 0, 1001 + l1 + l2, 0, m3, l3);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    CU_ASSERT_EQUAL(nev(&r), 0);
    /* B acknowledges everything: the hole is certain */
    uint64_t fa = tcp_ack(&r, 1, 5001, 1001 + l1 + l2 + l3);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 1);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 1, m3, fa - 1, fa);
    for (size_t i = 0; i < r.n; i++)
        if (r.o[i].kind == SL_PAYLOAD_EVENT) {
            CU_ASSERT_EQUAL(r.o[i].meta.frame_last, fa);
            CU_ASSERT_EQUAL(r.o[i].meta.sport, PORT_A); /* the stream with the hole */
            CU_ASSERT(strstr(r.o[i].data, "missing") != NULL);
        }
    tcp_ack(&r, 1, 5001, 1001 + l1 + l2 + l3);
    finish(&r);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 1); /* once per gap */
    CU_ASSERT_EQUAL(nev(&r), 1);
    free(m1);
    free(m2);
    free(m3);
    rig_free(&r);
}

static void test_gap_by_bounds_and_at_end(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "1"), *m2 = sipmsg("c2", "2");
    uint32_t l1 = (uint32_t)strlen(m1), l2 = (uint32_t)strlen(m2);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    tcp(&r, 0, 1001, 0, m1, l1);
    /* 100 bytes lost, then 80 messages out of order: the bound declares the gap */
    uint32_t s = 1001 + l1 + 100;
    for (int i = 0; i < 80; i++, s += l2)
        tcp(&r, 0, s, 0, m2, l2);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 1);
    CU_ASSERT_EQUAL(nmsg(&r), 81);
    /* a second connection: a hole, data after it, then the capture ends */
    tcp_cap(&r, 0, 40002, 5060, 50, 0, F_ACK, m1, l1, (size_t)-1);
    tcp_cap(&r, 0, 40002, 5060, 50 + l1 + 7, 0, F_ACK, m2, l2, (size_t)-1);
    size_t before = r.n;
    finish(&r);
    CU_ASSERT_EQUAL(r.n - before, 1);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 2);
    show(&r);
    free(m1);
    free(m2);
    rig_free(&r);
}

static void test_end_inside_message(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "some body");
    uint32_t l1 = (uint32_t)strlen(m1);
    /* FIN inside a message: the sender closed it, it is linted as it stands */
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    uint64_t f = tcp(&r, 0, 1001, 0, m1, l1 - 4);
    uint64_t ff = tcp(&r, 0, 1001 + l1 - 4, F_FIN, NULL, 0);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    const out *o = msg_at(&r, 0);
    CU_ASSERT(o && o->len == l1 - 4 && o->meta.frame_first == f && o->meta.frame_last == ff);
    CU_ASSERT(o && !(o->meta.flags & SL_META_TRUNCATED));
    /* end of capture inside a message: CAP-TRUNCATED, not a gap */
    tcp_cap(&r, 0, 40003, 5060, 10, 0, F_ACK, m1, l1 - 4, (size_t)-1);
    finish(&r);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TRUNCATED), 1);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 0);
    free(m1);
    rig_free(&r);
}

static void test_port_reuse_rst_and_wrap(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "wrapping body"), *m2 = sipmsg("c2", "after reuse");
    uint32_t l1 = (uint32_t)strlen(m1), l2 = (uint32_t)strlen(m2);
    /* sequence numbers wrap inside m1 */
    uint32_t isn = 0xFFFFFFFFu - 30;
    tcp(&r, 0, isn, F_SYN, NULL, 0);
    uint64_t f1 = tcp(&r, 0, isn + 1, 0, m1, 20);
    uint64_t f2 = tcp(&r, 0, isn + 21, 0, m1 + 20, l1 - 20);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    EXPECT_MSG(&r, 0, m1, f1, f2);
    /* RST, then a new connection on the same ports with a new ISN */
    tcp(&r, 0, isn + 1 + l1, F_RST, NULL, 0);
    tcp(&r, 0, 123456, F_SYN, NULL, 0);
    uint64_t f3 = tcp(&r, 0, 123457, 0, m2, l2);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 1, m2, f3, f3);
    /* port reuse by SYN while a message is half way: the old stream's rest is reported */
    tcp(&r, 0, 123457 + l2, 0, m1, 30);
    tcp(&r, 0, 900000, F_SYN, NULL, 0);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 1);
    tcp(&r, 0, 900001, 0, m1, l1);
    CU_ASSERT_EQUAL(nmsg(&r), 3);
    free(m1);
    free(m2);
    rig_free(&r);
}

static void test_content_length_framing(void)
{
    rig r;
    rig_init(&r);
    char *nocl = sipmsg("c1", NULL), *m2 = sipmsg("c2", "ok");
    char buf[8192];
    /* no Content-Length: the message ends with its headers; its body is skipped silently */
    int n1 = snprintf(buf, sizeof buf, "%sthe body\r\nof it\r\n%s", nocl, m2);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    tcp(&r, 0, 1001, 0, buf, (size_t)n1);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 0, nocl, 2, 2);
    EXPECT_MSG(&r, 1, m2, 2, 2);
    CU_ASSERT_EQUAL(nev(&r), 0);
    /* a Content-Length too small desynchronises the stream: reported once, then resync */
    char *bad = sipmsg("c3", "0123\r\nabcdef\r\n");
    char *p = strstr(bad, "Content-Length: 14");
    CU_ASSERT_FATAL(p != NULL);
    p[16] = ' ';
    p[17] = '4'; /* the message ends after "0123"; the line "abcdef" is where one should start */
    int n = snprintf(buf, sizeof buf, "%s%s", bad, m2);
    tcp(&r, 0, 1001 + (uint32_t)n1, 0, buf, (size_t)n);
    CU_ASSERT_EQUAL(nmsg(&r), 4);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_SIP_PARSE), 1);
    CU_ASSERT_EQUAL(nev(&r), 1);
    free(nocl);
    free(m2);
    free(bad);
    rig_free(&r);
}

static void test_snap_cut(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("c1", "cut"), *m2 = sipmsg("c2", "next");
    uint32_t l1 = (uint32_t)strlen(m1), l2 = (uint32_t)strlen(m2);
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    uint64_t f = tcp_cap(&r, 0, PORT_A, PORT_B, 1001, 0, F_ACK, m1, l1, 60);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    const out *o = msg_at(&r, 0);
    CU_ASSERT(o && o->len == 60 && (o->meta.flags & SL_META_TRUNCATED) && o->meta.frame_last == f);
    uint64_t f2 = tcp(&r, 0, 1001 + l1, 0, m2, l2);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 1, m2, f2, f2);
    CU_ASSERT_EQUAL(nev(&r), 0);
    free(m1);
    free(m2);
    rig_free(&r);
}

static void test_tls_opaque(void)
{
    rig r;
    rig_init(&r);
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
    static const uint8_t shello[] = {0x16, 0x03, 0x03, 0x00, 0x02, 0x02, 0x00};
    tcp_cap(&r, 0, 40010, 5061, 1, 0, F_SYN, NULL, 0, (size_t)-1);
    tcp_cap(&r, 0, 40010, 5061, 2, 0, F_ACK, hello, sizeof hello, (size_t)-1);
    tcp_cap(&r, 1, 5061, 40010, 9, 0, F_ACK, shello, sizeof shello, (size_t)-1);
    char *m1 = sipmsg("c1", "x"); /* nothing inside TLS is taken for SIP */
    tcp_cap(&r, 0, 40010, 5061, 2 + sizeof hello, 0, F_ACK, m1, strlen(m1), (size_t)-1);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_OPAQUE), 1);
    CU_ASSERT_EQUAL(nmsg(&r), 0);
    /* another connection: another note */
    tcp_cap(&r, 0, 40011, 5061, 2, 0, F_ACK, hello, sizeof hello, (size_t)-1);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_OPAQUE), 2);
    finish(&r);
    CU_ASSERT_EQUAL(nev(&r), 2);
    free(m1);
    rig_free(&r);
}

/* A WebSocket frame: opcode op, fin, masked with key (NULL: unmasked). */
static size_t wsframe(uint8_t *fr, int fin, int op, const uint8_t *key, const void *data,
                      size_t len)
{
    size_t k = 0;
    fr[k++] = (uint8_t)((fin ? 0x80 : 0) | op);
    uint8_t mb = key ? 0x80 : 0;
    if (len < 126) {
        fr[k++] = (uint8_t)(mb | len);
    } else if (len < 65536) {
        fr[k++] = mb | 126;
        fr[k++] = (uint8_t)(len >> 8);
        fr[k++] = (uint8_t)len;
    } else {
        fr[k++] = mb | 127;
        for (int i = 7; i >= 0; i--)
            fr[k++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    if (key) {
        memcpy(fr + k, key, 4);
        k += 4;
    }
    for (size_t i = 0; i < len; i++)
        fr[k + i] = (uint8_t)(((const uint8_t *)data)[i] ^ (key ? key[i & 3] : 0));
    return k + len;
}

static void test_websocket(void)
{
    rig r;
    rig_init(&r);
    static const char req[] = "GET / HTTP/1.1\r\nHost: ws.example.com\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n";
    static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                               "Sec-WebSocket-Protocol: sip\r\n\r\n";
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    char *m1 = sipmsg("w1", "text frame"), *m2 = sipmsg("w2", "fragmented"), *m3 = sipmsg("w3", "");
    /* RFC 7118 §5: no Content-Length is needed; a message without one is still one message */
    char *m4 = sipmsg("w4", NULL);
    uint8_t *b = malloc(65536);
    uint32_t cs = 101, ss = 501;
    tcp(&r, 0, cs - 1, F_SYN, NULL, 0);
    tcp(&r, 1, ss - 1, F_SYN | F_ACK, NULL, 0);
    tcp(&r, 0, cs, 0, req, strlen(req));
    cs += (uint32_t)strlen(req);
    /* the 101 and the server's first (unmasked) frame in one segment */
    memcpy(b, resp, strlen(resp));
    size_t n = strlen(resp) + wsframe(b + strlen(resp), 1, 1, NULL, m1, strlen(m1));
    uint64_t f1 = tcp(&r, 1, ss, 0, b, n);
    ss += (uint32_t)n;
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    EXPECT_MSG(&r, 0, m1, f1, f1);
    /* a masked message in three fragments, with a ping between, over two segments */
    size_t l2 = strlen(m2), k = 0;
    k += wsframe(b + k, 0, 2, key, m2, 50);
    k += wsframe(b + k, 1, 9, key, "ping", 4);
    k += wsframe(b + k, 0, 0, key, m2 + 50, 100);
    size_t cut = k - 30;
    uint64_t f2 = tcp(&r, 0, cs, 0, b, cut);
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    size_t k2 = k + wsframe(b + k, 1, 0, key, m2 + 150, l2 - 150);
    k2 += wsframe(b + k2, 1, 1, key, m3, strlen(m3));
    k2 += wsframe(b + k2, 1, 1, key, m4, strlen(m4));
    uint64_t f3 = tcp(&r, 0, cs + (uint32_t)cut, 0, b + cut, k2 - cut);
    cs += (uint32_t)k2;
    CU_ASSERT_EQUAL(nmsg(&r), 4);
    EXPECT_MSG(&r, 1, m2, f2, f3);
    EXPECT_MSG(&r, 2, m3, f3, f3);
    EXPECT_MSG(&r, 3, m4, f3, f3);
    for (size_t i = 0; i < 4; i++) {
        const out *o = msg_at(&r, i);
        CU_ASSERT(o && o->meta.transport == SL_TP_WS);
    }
    const out *o = msg_at(&r, 1);
    CU_ASSERT(o && (o->meta.flags & SL_META_REASSEMBLED));
    /* a large binary frame (16-bit length) split over many segments */
    char big[3000];
    char *m5 = sipmsg("w5", (memset(big, 'b', 2000), big[2000] = 0, big));
    size_t l5 = wsframe(b, 1, 2, key, m5, strlen(m5));
    for (size_t off = 0; off < l5; off += 500) {
        size_t piece = l5 - off < 500 ? l5 - off : 500;
        tcp(&r, 0, cs + (uint32_t)off, 0, b + off, piece);
    }
    cs += (uint32_t)l5;
    CU_ASSERT_EQUAL(nmsg(&r), 5);
    o = msg_at(&r, 4);
    CU_ASSERT(o && o->len == strlen(m5) && memcmp(o->data, m5, o->len) == 0);
    /* close frame: the rest is not SIP */
    k = wsframe(b, 1, 8, key, "\x03\xe8", 2);
    tcp(&r, 0, cs, 0, b, k);
    CU_ASSERT_EQUAL(nev(&r), 0);
    finish(&r);
    CU_ASSERT_EQUAL(nev(&r), 0);
    /* a WebSocket of another subprotocol is not looked into */
    rig_clear(&r);
    char other[512];
    snprintf(other, sizeof other, "%s", req);
    char *sp = strstr(other, "Protocol: sip");
    memcpy(sp + 10, "xmp", 3);
    tcp_cap(&r, 0, 40020, 80, 1, 0, F_ACK, other, strlen(other), (size_t)-1);
    k = wsframe(b, 1, 1, key, m1, strlen(m1));
    tcp_cap(&r, 0, 40020, 80, 1 + (uint32_t)strlen(other), 0, F_ACK, b, k, (size_t)-1);
    CU_ASSERT_EQUAL(nmsg(&r), 0);
    free(b);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    free(m5);
    rig_free(&r);
}

static void test_bounds(void)
{
    rig r;
    rig_init(&r);
    /* a Content-Length of 1 MB: the per-stream bound drops it, reported once */
    char *m1 = sipmsg("c1", "x");
    char *p = strstr(m1, "Content-Length: 1");
    memcpy(p, "Content-Length: 1000000\r\n\r\n", 28);
    char chunk[1400];
    memset(chunk, 'z', sizeof chunk);
    for (size_t i = 98; i + 1 < sizeof chunk; i += 100) { /* body lines of 100 bytes */
        chunk[i] = '\r';
        chunk[i + 1] = '\n';
    }
    tcp(&r, 0, 1000, F_SYN, NULL, 0);
    tcp(&r, 0, 1001, 0, m1, strlen(m1));
    uint32_t s = 1001 + (uint32_t)strlen(m1);
    for (int i = 0; i < 300; i++, s += sizeof chunk)
        tcp(&r, 0, s, 0, chunk, sizeof chunk);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 1);
    char *m2 = sipmsg("c2", "after");
    uint64_t f = tcp(&r, 0, s, 0, m2, strlen(m2));
    CU_ASSERT_EQUAL(nmsg(&r), 1);
    EXPECT_MSG(&r, 0, m2, f, f);
    /* more connections than the table holds: the oldest go; those holding a partial SIP
     * message say so (CAP-TCP-GAP), the others silently */
    rig_clear(&r);
    for (unsigned i = 0; i < 5000; i++)
        tcp_cap(&r, 0, (uint16_t)(1024 + i), 5060, 1, 0, F_ACK, m2, i < 3 ? 40 : strlen(m2),
                (size_t)-1);
    CU_ASSERT_EQUAL(nmsg(&r), 5000 - 3);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TCP_GAP), 3);
    /* idle expiry by capture time */
    rig_clear(&r);
    tcp_cap(&r, 0, 999, 5060, 1, 0, F_ACK, m2, 40, (size_t)-1);
    r.sec += 3600;
    tcp_cap(&r, 0, 998, 5060, 1, 0, F_ACK, m2, strlen(m2), (size_t)-1);
    CU_ASSERT(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_TRUNCATED) >= 1);
    free(m1);
    free(m2);
    rig_free(&r);
}

/* Hostile input: random segments on a few connections; no crash, no hang, bounded output. */
static void test_random_segments(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("r1", "random");
    size_t l1 = strlen(m1);
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        uint8_t data[400];
        size_t len = (x >> 8) % sizeof data;
        for (size_t k = 0; k < len; k++) {
            x = x * 1103515245u + 12345u;
            data[k] = (x >> 20) & 1 ? (uint8_t)(x >> 8) : (uint8_t)m1[(x >> 9) % l1];
        }
        if (x & 0x10000)
            memcpy(data, m1, len < l1 ? len : l1);
        unsigned fl = (x >> 3) & 0x1f;
        tcp_cap(&r, (int)(x >> 30) & 1, (uint16_t)(5060 + ((x >> 4) & 3)), 5060,
                (x >> 12) % 5000, (x >> 7) % 6000, fl, data, len, (x & 7) == 0 ? len / 2 : (size_t)-1);
        if (r.n > 32)
            rig_clear(&r);
        if ((i & 1023) == 0)
            r.sec += 100;
    }
    finish(&r);
    CU_PASS("survived");
    free(m1);
    rig_free(&r);
}

/* ---- SCTP ----------------------------------------------------------------------------------- */

static uint64_t sctp(rig *r, const uint8_t *chunks, size_t len)
{
    uint8_t *pkt = malloc(12 + len);
    static const uint8_t hdr[12] = {0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 1, 0, 0, 0, 0};
    memcpy(pkt, hdr, 12);
    memcpy(pkt + 12, chunks, len);
    sl_ip_pkt ip;
    memset(&ip, 0, sizeof ip);
    ip.af = 4;
    ip.src = IP_A;
    ip.dst = IP_B;
    ip.proto = 132;
    ip.payload = pkt;
    ip.payload_len = ip.payload_avail = 12 + len;
    sl_meta m;
    memset(&m, 0, sizeof m);
    m.frame_first = m.frame_last = ++r->frame;
    m.ts_sec = r->sec;
    m.af = 4;
    memcpy(m.src, IP_A, 4);
    memcpy(m.dst, IP_B, 4);
    sl_sctp_feed(r->s, &ip, &m, 0, &r->q);
    collect(r, pkt, 12 + len);
    free(pkt);
    return r->frame;
}

/* A DATA chunk (RFC 9260 §3.3.1), padded to 4 bytes. */
static size_t datachunk(uint8_t *o, unsigned flags, uint32_t tsn, uint16_t sid, const void *d,
                        size_t len)
{
    size_t cl = 16 + len;
    o[0] = 0;
    o[1] = (uint8_t)flags;
    o[2] = (uint8_t)(cl >> 8);
    o[3] = (uint8_t)cl;
    for (int i = 0; i < 4; i++)
        o[4 + i] = (uint8_t)(tsn >> (24 - 8 * i));
    o[8] = (uint8_t)(sid >> 8);
    o[9] = (uint8_t)sid;
    o[10] = o[11] = 0;
    memset(o + 12, 0, 4); /* PPID 0 */
    memcpy(o + 16, d, len);
    size_t k = cl;
    while (k % 4)
        o[k++] = 0;
    return k;
}

static void test_sctp(void)
{
    rig r;
    rig_init(&r);
    char *m1 = sipmsg("s1", "one"), *m2 = sipmsg("s2", "two"), *m3 = sipmsg("s3", "fragmented body");
    uint8_t *b = malloc(65536);
    /* two whole messages in one packet (B|E = 3) */
    size_t k = datachunk(b, 3, 10, 0, m1, strlen(m1));
    k += datachunk(b + k, 3, 11, 1, m2, strlen(m2));
    uint64_t f = sctp(&r, b, k);
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    EXPECT_MSG(&r, 0, m1, f, f);
    EXPECT_MSG(&r, 1, m2, f, f);
    const out *o = msg_at(&r, 0);
    CU_ASSERT(o && o->meta.transport == SL_TP_SCTP && o->zero_copy && o->meta.sport == 5060);
    /* a retransmission of TSN 11: no second copy */
    sctp(&r, b + datachunk(b, 3, 10, 0, m1, strlen(m1)), datachunk(b, 3, 11, 1, m2, strlen(m2)));
    CU_ASSERT_EQUAL(nmsg(&r), 2);
    /* a message in three fragments (B, middle, E) */
    size_t l3 = strlen(m3);
    uint64_t f1 = sctp(&r, b, datachunk(b, 2, 12, 0, m3, 40));
    sctp(&r, b, datachunk(b, 0, 13, 0, m3 + 40, 40));
    uint64_t f3 = sctp(&r, b, datachunk(b, 1, 14, 0, m3 + 80, l3 - 80));
    CU_ASSERT_EQUAL(nmsg(&r), 3);
    EXPECT_MSG(&r, 2, m3, f1, f3);
    o = msg_at(&r, 2);
    CU_ASSERT(o && (o->meta.flags & SL_META_REASSEMBLED));
    /* a fragment that never completes */
    sctp(&r, b, datachunk(b, 2, 15, 0, m3, 40));
    finish(&r);
    CU_ASSERT_EQUAL(nmsg(&r), 3);
    CU_ASSERT_EQUAL(count(&r, SL_PAYLOAD_EVENT, SL_R_CAP_FRAG_INCOMPLETE), 1);
    /* hostile chunk lengths */
    uint8_t bad[8] = {0, 3, 0xff, 0xff, 0, 0, 0, 1};
    sctp(&r, bad, sizeof bad);
    uint8_t bad2[4] = {0, 3, 0, 2};
    sctp(&r, bad2, sizeof bad2);
    CU_ASSERT_EQUAL(nmsg(&r), 3);
    free(b);
    free(m1);
    free(m2);
    free(m3);
    rig_free(&r);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("tcp", NULL, NULL);
    CU_add_test(s, "in order, one message per segment, zero copy", test_in_order_zero_copy);
    CU_add_test(s, "several messages in a segment, CRLF keep-alives",
                test_many_in_one_segment_and_keepalives);
    CU_add_test(s, "one message over many segments", test_one_message_many_segments);
    CU_add_test(s, "out of order, retransmissions, overlaps", test_out_of_order_and_retransmissions);
    CU_add_test(s, "capture starts mid-stream", test_midstream_start);
    CU_add_test(s, "gap proven by the peer's ACK", test_gap_acknowledged);
    CU_add_test(s, "gap by out-of-order bounds and at the end", test_gap_by_bounds_and_at_end);
    CU_add_test(s, "FIN and end of capture inside a message", test_end_inside_message);
    CU_add_test(s, "RST, port reuse, sequence wrap", test_port_reuse_rst_and_wrap);
    CU_add_test(s, "Content-Length framing and desync", test_content_length_framing);
    CU_add_test(s, "snap length cut", test_snap_cut);
    CU_add_test(s, "TLS is opaque, once per connection", test_tls_opaque);
    CU_add_test(s, "WebSocket (RFC 7118)", test_websocket);
    CU_add_test(s, "bounds: message size, connections, idle", test_bounds);
    CU_add_test(s, "random segments", test_random_segments);
    CU_add_test(s, "SCTP DATA chunks", test_sctp);
    return sl_cu_run();
}
