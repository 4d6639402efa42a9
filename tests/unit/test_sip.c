/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parser unit tests: start line, header index, compact forms, folding, lists, typed values,
 * framing, and a guard-page run that makes any over-read fault. */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "siplint/engine.h"
#include "siplint/sip.h"
#include "cu_run.h"

static sl_parser ps;

static sl_span S(const char *s)
{
    sl_span x = {s, strlen(s)};
    return x;
}

static int parse(const char *s, sl_msg *m)
{
    return sl_parse(&ps, s, strlen(s), SL_FRAME_DATAGRAM, m);
}

static const char *INV =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "v: SIP/2.0/UDP pc33.example.com:5070;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "t: Bob <sip:bob@example.com>\r\n"
    "f: \"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=1928301774\r\n"
    "i: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 0314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.example.com>\r\n"
    "Subject: folded\r\n"
    "  over two lines\r\n"
    "Route: <sip:p1.example.com;lr>,\r\n <sip:p2.example.com;lr>\r\n"
    "Route: <sip:p3.example.com;lr>\r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\r\n";

static void test_request(void)
{
    sl_msg m;
    CU_ASSERT_EQUAL_FATAL(parse(INV, &m), SL_PARSE_OK);
    CU_ASSERT(m.is_request);
    CU_ASSERT(sl_span_eq(m.method, "INVITE"));
    CU_ASSERT(sl_span_eq(m.ruri, "sip:bob@example.com"));
    CU_ASSERT(sl_span_eq(m.version, "SIP/2.0"));
    CU_ASSERT_EQUAL(m.n_issues, 0);
    /* compact forms fold into their long form */
    CU_ASSERT_EQUAL(m.count[SL_H_VIA], 1);
    CU_ASSERT_EQUAL(m.count[SL_H_TO], 1);
    CU_ASSERT_EQUAL(m.count[SL_H_FROM], 1);
    CU_ASSERT_EQUAL(m.count[SL_H_CALL_ID], 1);
    CU_ASSERT_EQUAL(m.count[SL_H_CONTENT_TYPE], 1);
    CU_ASSERT_EQUAL(m.count[SL_H_ROUTE], 2);
    CU_ASSERT(sl_span_eq(sl_msg_hdr(&m, SL_H_CALL_ID)->value, "a84b4c76e66710@pc33.example.com"));
    /* body by Content-Length, and the message ends there */
    CU_ASSERT_EQUAL(m.content_length, 4);
    CU_ASSERT(sl_span_eq(m.body, "v=0\r"));
    CU_ASSERT_EQUAL(m.trailing, 1);
    CU_ASSERT_EQUAL(m.len, strlen(INV) - 1);
    /* folded value spans the continuation line */
    const sl_header *subj = sl_msg_hdr(&m, SL_H_SUBJECT);
    CU_ASSERT(sl_span_eq(subj->value, "folded\r\n  over two lines"));
    /* repeated rows and comma lists */
    const sl_header *r1 = sl_msg_hdr(&m, SL_H_ROUTE);
    const sl_header *r2 = sl_msg_hdr_next(&m, r1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
    CU_ASSERT_PTR_NULL(sl_msg_hdr_next(&m, r2));
    size_t pos = 0;
    sl_span e;
    int n = 0;
    while (sl_list_next(r1->value, &pos, &e))
        n++;
    CU_ASSERT_EQUAL(n, 2);
}

/* Every long name round-trips through the lookup in any case; compact letters fold. */
static void test_header_names(void)
{
    for (unsigned id = 1; id < SL_H__COUNT; id++) {
        const char *n = sl_hdr_name((sl_hdr_id)id);
        char up[64], low[64];
        size_t len = strlen(n);
        for (size_t i = 0; i <= len; i++) {
            up[i] = (char)((n[i] >= 'a' && n[i] <= 'z') ? n[i] - 32 : n[i]);
            low[i] = (char)((n[i] >= 'A' && n[i] <= 'Z') ? n[i] + 32 : n[i]);
        }
        CU_ASSERT_EQUAL(sl_hdr_lookup(n, len), (sl_hdr_id)id);
        CU_ASSERT_EQUAL(sl_hdr_lookup(up, len), (sl_hdr_id)id);
        CU_ASSERT_EQUAL(sl_hdr_lookup(low, len), (sl_hdr_id)id);
    }
    CU_ASSERT_EQUAL(sl_hdr_lookup("I", 1), SL_H_CALL_ID);
    CU_ASSERT_EQUAL(sl_hdr_lookup("l", 1), SL_H_CONTENT_LENGTH);
    CU_ASSERT_EQUAL(sl_hdr_lookup("y", 1), SL_H_IDENTITY);
    CU_ASSERT_EQUAL(sl_hdr_lookup("z", 1), SL_H_OTHER);
    CU_ASSERT_EQUAL(sl_hdr_lookup("Paths", 5), SL_H_OTHER);
    CU_ASSERT_EQUAL(sl_hdr_lookup("X-Via", 5), SL_H_OTHER);
}

static void test_response_and_reason(void)
{
    sl_msg m;
    CU_ASSERT_EQUAL_FATAL(parse("SIP/2.0 202 Accepted\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", &m),
                          SL_PARSE_OK);
    CU_ASSERT(!m.is_request);
    CU_ASSERT_EQUAL(m.status, 202);
    CU_ASSERT(sl_span_eq(m.reason, "Accepted"));
    /* an empty reason phrase is legal, the SP before it is not optional (RFC 4475 noreason) */
    CU_ASSERT_EQUAL_FATAL(parse("SIP/2.0 100 \r\n\r\n", &m), SL_PARSE_OK);
    CU_ASSERT_EQUAL(m.n_issues, 0);
    CU_ASSERT_EQUAL_FATAL(parse("SIP/2.0 100\r\n\r\n", &m), SL_PARSE_OK);
    CU_ASSERT_EQUAL(m.n_issues, 1);
    CU_ASSERT_EQUAL(m.issues[0].code, SL_PI_START_LINE);
    CU_ASSERT_EQUAL_FATAL(parse("SIP/2.0 4294967301 big\r\n\r\n", &m), SL_PARSE_OK);
    CU_ASSERT_EQUAL(m.issues[0].code, SL_PI_STATUS_CODE);
}

static void test_not_sip_and_tolerances(void)
{
    sl_msg m;
    CU_ASSERT_EQUAL(parse("\x00\x01\x00\x08\x21\x12\xa4\x42stunstun", &m), SL_PARSE_NOT_SIP);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\n\r\n", &m), SL_PARSE_NOT_SIP);
    CU_ASSERT_EQUAL(parse("\r\n\r\n", &m), SL_PARSE_NOT_SIP);
    CU_ASSERT_FALSE(sl_looks_like_sip("MESSAGE sip:a@b", 15));
    /* LF-only lines: parsed, and the tolerance is reported, never silent */
    CU_ASSERT_EQUAL_FATAL(parse("MESSAGE sip:a@b SIP/2.0\nCall-ID: x\n\nhi", &m), SL_PARSE_OK);
    CU_ASSERT(m.lf_only);
    CU_ASSERT_EQUAL(m.issues[0].code, SL_PI_LF_ONLY);
    CU_ASSERT(sl_span_eq(m.body, "hi"));
    CU_ASSERT(sl_span_eq(sl_msg_hdr(&m, SL_H_CALL_ID)->value, "x"));
    /* whitespace before the colon is legal (HCOLON, RFC 4475 wsinv) */
    CU_ASSERT_EQUAL_FATAL(parse("OPTIONS sip:a@b SIP/2.0\r\nTO :\r\n sip:a@b\r\n\r\n", &m), SL_PARSE_OK);
    CU_ASSERT_EQUAL(m.n_issues, 0);
    CU_ASSERT(sl_span_eq(sl_msg_hdr(&m, SL_H_TO)->value, "sip:a@b"));
    /* header row without a colon */
    CU_ASSERT_EQUAL_FATAL(parse("OPTIONS sip:a@b SIP/2.0\r\nBroken line\r\n\r\n", &m), SL_PARSE_OK);
    CU_ASSERT_EQUAL(m.issues[0].code, SL_PI_HEADER_NAME);
    /* Content-Length larger than the data, and negative */
    CU_ASSERT_EQUAL_FATAL(parse("OPTIONS sip:a@b SIP/2.0\r\nl: 10\r\n\r\nabc", &m), SL_PARSE_OK);
    CU_ASSERT(m.cl_short);
    CU_ASSERT_EQUAL(m.len, m.avail);
    CU_ASSERT_EQUAL_FATAL(parse("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -9\r\n\r\nabc", &m), SL_PARSE_OK);
    CU_ASSERT_EQUAL(m.content_length, -2);
    CU_ASSERT(sl_span_eq(m.body, "abc")); /* datagram: the body runs to the end */
}

static void test_via(void)
{
    sl_via v;
    const char *what;
    size_t at;
    CU_ASSERT_EQUAL_FATAL(sl_via_parse(S("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2 : 5062 ;branch = z9hG4bKx;rport;received=[2001:db8::9:255]"),
                                       &v, &what, &at), 0);
    CU_ASSERT(sl_span_eq(v.transport, "UDP"));
    CU_ASSERT(sl_span_eq(v.host, "192.0.2.2"));
    CU_ASSERT_EQUAL(v.port, 5062);
    CU_ASSERT(sl_span_eq(v.branch, "z9hG4bKx"));
    CU_ASSERT(v.has_rport);
    CU_ASSERT(sl_span_eq(v.received, "[2001:db8::9:255]"));
    CU_ASSERT_EQUAL_FATAL(sl_via_parse(S("SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK1"), &v, &what, &at), 0);
    CU_ASSERT(sl_span_eq(v.host, "[2001:db8::1]"));
    CU_ASSERT_EQUAL(sl_via_parse(S("SIP/2.0/UDP 192.0.2.15;;"), &v, &what, &at), -1);
    CU_ASSERT_EQUAL(sl_via_parse(S("SIP/2.0 192.0.2.15"), &v, &what, &at), -1);
}

static void test_addr(void)
{
    sl_addr a;
    const char *what;
    size_t at;
    CU_ASSERT_EQUAL_FATAL(sl_addr_parse(S("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8"),
                                        &a, &what, &at), 0);
    CU_ASSERT(a.name_addr);
    CU_ASSERT(sl_span_eq(a.uri, "sip:jdrosen@example.com"));
    CU_ASSERT(a.has_tag);
    CU_ASSERT(sl_span_eq(a.tag, "98asjd8"));
    /* addr-spec: ;params after the URI are header parameters (RFC 4475 cparam01) */
    CU_ASSERT_EQUAL_FATAL(sl_addr_parse(S("sip:+1650@ss1.example.net;user=phone"), &a, &what, &at), 0);
    CU_ASSERT(!a.name_addr);
    CU_ASSERT(sl_span_eq(a.uri, "sip:+1650@ss1.example.net"));
    CU_ASSERT(sl_span_eq(a.params, ";user=phone"));
    /* URI parameters inside <> */
    CU_ASSERT_EQUAL_FATAL(sl_addr_parse(S("<sip:p1.example.net;lr>;ob"), &a, &what, &at), 0);
    CU_ASSERT(sl_span_eq(a.uri_params, ";lr"));
    CU_ASSERT(sl_param_find(a.uri_params, "lr", NULL));
    CU_ASSERT(!sl_param_find(a.params, "lr", NULL));
    CU_ASSERT(sl_param_find(a.params, "ob", NULL));
    CU_ASSERT_EQUAL(sl_addr_parse(S("\"unterminated <sip:a@b>"), &a, &what, &at), -1);
    CU_ASSERT_EQUAL(sl_addr_parse(S("< sip:a@b >"), &a, &what, &at), -1);
    CU_ASSERT_EQUAL(sl_addr_parse(S("Bell, Alexander <sip:a@b>"), &a, &what, &at), -1);
    CU_ASSERT_EQUAL(sl_addr_parse(S("sip:user@example.com?Route=x"), &a, &what, &at), -1);
    CU_ASSERT_EQUAL(sl_addr_parse(S("<sip:2001:db8::10>"), &a, &what, &at), -1);
    CU_ASSERT_EQUAL(sl_addr_parse(S("<sip:[2001:db8::10]:5070>"), &a, &what, &at), 0);
}

static void test_values(void)
{
    sl_cseq c;
    const char *what;
    CU_ASSERT_EQUAL_FATAL(sl_cseq_parse(S("0009\r\n  INVITE"), &c, &what), 0);
    CU_ASSERT_EQUAL(c.num, 9);
    CU_ASSERT(sl_span_eq(c.method, "INVITE"));
    CU_ASSERT_EQUAL_FATAL(sl_cseq_parse(S("36893488147419103232 REGISTER"), &c, &what), 0);
    CU_ASSERT(c.overflow);
    CU_ASSERT_EQUAL(sl_cseq_parse(S("INVITE"), &c, &what), -1);

    time_t t;
    CU_ASSERT_EQUAL_FATAL(sl_date_parse(S("Sat, 15 Oct 2005 04:44:56 GMT"), &t, &what), 0);
    CU_ASSERT_EQUAL((long long)t, 1129351496LL);
    CU_ASSERT_EQUAL(sl_date_parse(S("Fri, 01 Jan 2010 16:00:00 EST"), &t, &what), -1);
    CU_ASSERT_EQUAL(sl_date_parse(S("Sat, 5 Oct 2005 04:44:56 GMT"), &t, &what), -1);
    CU_ASSERT_EQUAL(sl_date_parse(S("sat, 15 Oct 2005 04:44:56 GMT"), &t, &what), -1);
    CU_ASSERT_EQUAL(sl_date_parse(S("Sat, 15 Oct 2005 04:44:56 UTC"), &t, &what), -1);

    sl_ctype ct;
    sl_span v;
    CU_ASSERT_EQUAL_FATAL(sl_ctype_parse(S("multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256"), &ct), 0);
    CU_ASSERT(sl_ctype_is(&ct, "Multipart", "SIGNED"));
    CU_ASSERT(sl_ctype_param(&ct, "protocol", &v));
    CU_ASSERT(sl_span_eq(v, "application/pkcs7-signature"));
    CU_ASSERT(sl_ctype_param(&ct, "MICALG", &v));
    CU_ASSERT(sl_span_eq(v, "sha-256"));

    uint64_t n;
    CU_ASSERT_EQUAL(sl_uint_parse(S("0068"), 255, &n), 0);
    CU_ASSERT_EQUAL(n, 68);
    CU_ASSERT_EQUAL(sl_uint_parse(S("300"), 255, &n), -2);
    CU_ASSERT_EQUAL(sl_uint_parse(S("-1"), 255, &n), -1);
    CU_ASSERT_EQUAL(sl_uint_parse(S("99999999999999999999999"), UINT64_MAX, &n), -2);

    sl_span e;
    size_t pos = 0;
    sl_span list = S("\"a,b\" <sip:x@y;p=1,2>, sip:z@w ,,");
    CU_ASSERT(sl_list_next(list, &pos, &e) && sl_span_eq(e, "\"a,b\" <sip:x@y;p=1,2>"));
    CU_ASSERT(sl_list_next(list, &pos, &e) && sl_span_eq(e, "sip:z@w"));
    CU_ASSERT(sl_list_next(list, &pos, &e) && e.len == 0);
    CU_ASSERT(sl_list_next(list, &pos, &e) && e.len == 0);
    CU_ASSERT_FALSE(sl_list_next(list, &pos, &e));

    sl_msg m;
    CU_ASSERT_EQUAL_FATAL(parse("REGISTER sip:a SIP/2.0\r\nk: timer, PATH\r\nSupported: 100rel\r\n\r\n", &m),
                          SL_PARSE_OK);
    CU_ASSERT(sl_msg_has_option(&m, SL_H_SUPPORTED, "path"));
    CU_ASSERT(sl_msg_has_option(&m, SL_H_SUPPORTED, "100rel"));
    CU_ASSERT_FALSE(sl_msg_has_option(&m, SL_H_REQUIRE, "path"));
}

static void test_multipart(void)
{
    static const char mp[] = "preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b1\r\n"
                             "Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--b1--\r\nepilogue";
    sl_span body = {mp, sizeof mp - 1};
    size_t pos = 0;
    sl_part p;
    sl_span v;
    CU_ASSERT_EQUAL_FATAL(sl_multipart_next(body, S("b1"), &pos, &p), 1);
    CU_ASSERT(sl_span_eq(p.body, "Hello"));
    CU_ASSERT(sl_mime_header(p.headers, "content-type", &v) && sl_span_eq(v, "text/plain"));
    CU_ASSERT_EQUAL_FATAL(sl_multipart_next(body, S("b1"), &pos, &p), 1);
    CU_ASSERT_EQUAL(p.body.len, 2);
    CU_ASSERT_EQUAL(p.body.p[0], 0);
    CU_ASSERT_EQUAL(sl_multipart_next(body, S("b1"), &pos, &p), 0);
    pos = 0;
    CU_ASSERT_EQUAL(sl_multipart_next(S("no delimiter at all"), S("b1"), &pos, &p), -1);
}

static void test_frame_stream(void)
{
    const char *two = "\r\n\r\nMESSAGE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhiOPTIONS sip:a@b SIP/2.0\r\n"
                      "Content-Length: 0\r\n\r\n";
    size_t start, len;
    const char *why;
    CU_ASSERT_EQUAL_FATAL(sl_frame_stream(two, strlen(two), &start, &len, &why), SL_FRAME_COMPLETE);
    CU_ASSERT_EQUAL(start, 4);
    CU_ASSERT_EQUAL(len, strlen("MESSAGE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi"));
    const char *rest = two + start + len;
    CU_ASSERT_EQUAL(sl_frame_stream(rest, strlen(rest), &start, &len, &why), SL_FRAME_COMPLETE);
    CU_ASSERT_EQUAL(start + len, strlen(rest));
    /* every proper prefix needs more */
    for (size_t k = 0; k < strlen(rest); k++)
        CU_ASSERT_EQUAL(sl_frame_stream(rest, k, &start, &len, &why), SL_FRAME_NEED_MORE);
    const char *nocl = "MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";
    CU_ASSERT_EQUAL(sl_frame_stream(nocl, strlen(nocl), &start, &len, &why), SL_FRAME_BROKEN);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_EQUAL(sl_frame_stream("HTTP/1.1 200 OK\r\n\r\n", 19, &start, &len, &why), SL_FRAME_BROKEN);
}

static void nop_sink(const sl_finding *f, void *user)
{
    (void)f;
    (*(unsigned *)user)++;
}

/* Place every prefix of every torture message right before a PROT_NONE page and lint it: any
 * read past the end of the buffer faults at once (the picohttpparser test's idea). */
static void test_guard_page(void)
{
    const char *dirs[] = {"tests/torture/rfc4475", "tests/torture/rfc5118", "tests/torture/rfc5118-crlf"};
    long pg = sysconf(_SC_PAGESIZE);
    size_t files = 0, runs = 0;
    unsigned findings = 0;
    sl_engine *e = sl_engine_new(NULL, nop_sink, &findings);
    for (size_t d = 0; d < 3; d++) {
        DIR *dir = opendir(dirs[d]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.' || strstr(de->d_name, ".tsv") || strstr(de->d_name, ".md"))
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            FILE *fp = fopen(path, "rb");
            if (!fp)
                continue;
            static char data[1 << 16];
            size_t n = fread(data, 1, sizeof data, fp);
            fclose(fp);
            files++;
            size_t pages = (n + (size_t)pg - 1) / (size_t)pg + 1;
            char *map = mmap(NULL, pages * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            CU_ASSERT_FATAL(map != MAP_FAILED);
            CU_ASSERT_EQUAL_FATAL(mprotect(map + (pages - 1) * (size_t)pg, (size_t)pg, PROT_NONE), 0);
            char *end = map + (pages - 1) * (size_t)pg;
            for (size_t k = 0; k <= n; k++) {
                memcpy(end - k, data, k);
                for (int tp = 0; tp < 2; tp++) {
                    sl_meta meta;
                    memset(&meta, 0, sizeof meta);
                    meta.frame_first = meta.frame_last = 1;
                    meta.transport = tp ? SL_TP_TCP : SL_TP_UDP;
                    sl_engine_feed(e, end - k, k, &meta, NULL);
                    size_t s, l;
                    const char *why;
                    sl_frame_stream(end - k, k, &s, &l, &why);
                    runs++;
                }
            }
            munmap(map, pages * (size_t)pg);
        }
        closedir(dir);
    }
    sl_engine_free(e);
    CU_ASSERT(files >= 70);
    CU_ASSERT(runs > 10000);
    CU_ASSERT(findings > 0);
}

int main(void)
{
    sl_parser_init(&ps);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("parser", NULL, NULL);
    CU_add_test(s, "request line, compact forms, folding, lists, body", test_request);
    CU_add_test(s, "header names and compact forms", test_header_names);
    CU_add_test(s, "status line and reason phrase", test_response_and_reason);
    CU_add_test(s, "not SIP, tolerances, Content-Length", test_not_sip_and_tolerances);
    CU_add_test(s, "Via", test_via);
    CU_add_test(s, "name-addr and addr-spec", test_addr);
    CU_add_test(s, "CSeq, Date, Content-Type, numbers, lists, option tags", test_values);
    CU_add_test(s, "multipart", test_multipart);
    CU_add_test(s, "stream framing", test_frame_stream);
    CU_add_test(s, "guard page: no over-read on any prefix of the torture corpus", test_guard_page);
    int rc = sl_cu_run();
    sl_parser_free(&ps);
    return rc;
}
