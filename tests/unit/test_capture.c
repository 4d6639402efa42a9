/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the capture layer: link types, IP, UDP, numbering, time, damage, stdin, corpus. */

/*
 * Most captures here are written at test time by tests/tools/mkpcap from a layout that the test
 * itself spells out, so each test shows the packets it reads. A few real captures written by
 * others are in data/ (see data/SOURCES.md). The test runs with tests/unit as its working
 * directory.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "frag.h"
#include "cu_run.h"

#ifndef SL_MKPCAP
#error "SL_MKPCAP must name the mkpcap tool (set by CMakeLists.capture.cmake)"
#endif

#define EPOCH 1700000000 /* mkpcap's default time of @0 */

static char g_dir[256];

/* A small MESSAGE as the test writes it (LF line ends) and as it must come out of the capture
 * (mkpcap turns LF into CRLF). */
static const char MSG_LF[] = "MESSAGE sip:bob@example.com SIP/2.0\n"
                             "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.t1\n"
                             "Max-Forwards: 70\n"
                             "From: <sip:alice@example.com>;tag=a1\n"
                             "To: <sip:bob@example.com>\n"
                             "Call-ID: t1@192.0.2.10\n"
                             "CSeq: 1 MESSAGE\n"
                             "Content-Type: text/plain\n"
                             "Content-Length: 4\n"
                             "\n"
                             "hi!\n";
static const char MSG[] = "MESSAGE sip:bob@example.com SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK.t1\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=a1\r\n"
                          "To: <sip:bob@example.com>\r\n"
                          "Call-ID: t1@192.0.2.10\r\n"
                          "CSeq: 1 MESSAGE\r\n"
                          "Content-Type: text/plain\r\n"
                          "Content-Length: 4\r\n"
                          "\r\n"
                          "hi!\r\n";
#define MSG_LEN (sizeof MSG - 1)

/* ---- helpers --------------------------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char p[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", g_dir, name);
    return p[i];
}

static void put_file(const char *name, const void *data, size_t len)
{
    FILE *f = fopen(tmp_path(name), "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_FATAL(fwrite(data, 1, len, f) == len);
    fclose(f);
}

static void put_text(const char *name, const char *text)
{
    put_file(name, text, strlen(text));
}

/* Write NAME.layout, run mkpcap, return the path of NAME.pcap. */
static const char *mkcap(const char *name, const char *layout)
{
    char lname[128], cname[128];
    snprintf(lname, sizeof lname, "%s.layout", name);
    snprintf(cname, sizeof cname, "%s.pcap", name);
    put_text(lname, layout);
    char lpath[512], cpath[512];
    snprintf(lpath, sizeof lpath, "%s", tmp_path(lname));
    snprintf(cpath, sizeof cpath, "%s", tmp_path(cname));
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        execl(SL_MKPCAP, SL_MKPCAP, lpath, cpath, (char *)NULL);
        _exit(127);
    }
    int st;
    CU_ASSERT_FATAL(waitpid(pid, &st, 0) == pid);
    CU_ASSERT_FATAL(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return tmp_path(cname);
}

/* Everything one capture handed out. Payload bytes are copied, since they are only valid
 * until the next call. */
#define MAXP 64
typedef struct got {
    int opened;
    unsigned n;
    sl_payload p[MAXP];
    char *data[MAXP];
    char text[MAXP][SL_CAP_EVENT_TEXT];
    sl_cap_rc last;
    char err[SL_CAP_ERRBUF];
    char err_again[SL_CAP_ERRBUF];
    sl_cap_stats st;
} got;

static void drain(sl_capture *c, got *g)
{
    sl_payload p;
    for (;;) {
        sl_cap_rc rc = sl_capture_next(c, &p, g->err);
        g->last = rc;
        if (rc != SL_CAP_PAYLOAD)
            break;
        if (g->n < MAXP) {
            g->p[g->n] = p;
            g->data[g->n] = malloc(p.len + 1);
            if (p.len) /* events carry no data: memcpy(NULL, 0) is undefined */
                memcpy(g->data[g->n], p.data, p.len);
            g->p[g->n].data = g->data[g->n];
            snprintf(g->text[g->n], sizeof g->text[g->n], "%s", p.text ? p.text : "");
            g->p[g->n].text = g->text[g->n];
        }
        g->n++;
    }
    if (g->last == SL_CAP_DAMAGED) /* a second call must repeat the damage, not go on */
        CU_ASSERT(sl_capture_next(c, &p, g->err_again) == SL_CAP_DAMAGED);
    g->st = *sl_capture_stats(c);
}

static void read_all(const char *path, got *g)
{
    memset(g, 0, sizeof *g);
    sl_capture *c = sl_capture_open(path, g->err);
    if (c == NULL)
        return;
    g->opened = 1;
    drain(c, g);
    sl_capture_close(c);
}

static void got_free(got *g)
{
    for (unsigned i = 0; i < g->n && i < MAXP; i++)
        free(g->data[i]);
}

static int payload_is(const got *g, unsigned i, const char *data, size_t len)
{
    return i < g->n && g->p[i].len == len && memcmp(g->p[i].data, data, len) == 0;
}

/* A CAP-FRAG-INCOMPLETE event for the datagram seen in frames first..last. */
static int event_is(const got *g, unsigned i, uint64_t first, uint64_t last)
{
    return i < g->n && g->p[i].kind == SL_PAYLOAD_EVENT &&
           g->p[i].rule == SL_R_CAP_FRAG_INCOMPLETE && g->p[i].meta.frame_first == first &&
           g->p[i].meta.frame_last == last;
}

static const uint8_t V4_A[4] = {192, 0, 2, 10}, V4_B[4] = {192, 0, 2, 20};
static const uint8_t V6_A[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t V6_B[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t ZERO12[12] = {0};

/* ---- suite setup ----------------------------------------------------------------------------- */

static int suite_init(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/test_capture.XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(g_dir) == NULL)
        return -1;
    FILE *f = fopen(tmp_path("msg.sip"), "wb");
    if (f == NULL)
        return -1;
    fputs(MSG_LF, f);
    fclose(f);
    return 0;
}

static int suite_clean(void)
{
    /* The directory is flat: remove its files, then it. */
    DIR *d = opendir(g_dir);
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove(tmp_path(e->d_name));
    closedir(d);
    return rmdir(g_dir);
}

/* ---- link types ------------------------------------------------------------------------------ */

static void test_ethernet_ipv4(void)
{
    got g;
    read_all(mkcap("eth4", "udp 192.0.2.10:5060 > 192.0.2.20:5070 @0.250 msg.sip\n"), &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT(g.last == SL_CAP_EOF);
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT(payload_is(&g, 0, MSG, MSG_LEN));
    const sl_meta *m = &g.p[0].meta;
    CU_ASSERT_EQUAL(m->frame_first, 1);
    CU_ASSERT_EQUAL(m->frame_last, 1);
    CU_ASSERT_EQUAL(m->transport, SL_TP_UDP);
    CU_ASSERT_EQUAL(m->af, 4);
    CU_ASSERT(memcmp(m->src, V4_A, 4) == 0 && memcmp(m->src + 4, ZERO12, 12) == 0);
    CU_ASSERT(memcmp(m->dst, V4_B, 4) == 0 && memcmp(m->dst + 4, ZERO12, 12) == 0);
    CU_ASSERT_EQUAL(m->sport, 5060);
    CU_ASSERT_EQUAL(m->dport, 5070);
    CU_ASSERT_EQUAL(m->flags, 0);
    CU_ASSERT_EQUAL(m->ts_sec, EPOCH);
    CU_ASSERT_EQUAL(m->ts_nsec, 250000000);
    CU_ASSERT_EQUAL(g.st.packets, 1);
    CU_ASSERT_EQUAL(g.st.payloads, 1);
    CU_ASSERT_EQUAL(g.st.skipped, 0);
    CU_ASSERT_EQUAL(g.st.unsupported_link, 0);
    got_free(&g);
}

/* Every link type, with IPv4 and IPv6 where the link type allows both. */
static void test_link_types(void)
{
    static const struct {
        const char *linktype;
        const char *opts;
        int v4, v6;
    } cases[] = {
        {"ethernet", "", 1, 1},    {"sll", "", 1, 1},      {"sll", "out", 1, 1},
        {"sll2", "", 1, 1},        {"raw", "", 1, 1},      {"ipv4", "", 1, 0},
        {"ipv6", "", 0, 1},        {"null", "", 1, 1},     {"null", "af6=24", 0, 1},
        {"null", "af6=28", 0, 1},  {"loop", "", 1, 1},     {"loop", "af6=24", 0, 1},
        {"loop", "af6=28", 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char layout[512], name[32];
        int k = snprintf(layout, sizeof layout, "linktype %s\n", cases[i].linktype);
        if (cases[i].v4)
            k += snprintf(layout + k, sizeof layout - (size_t)k,
                          "udp 192.0.2.10:5060 > 192.0.2.20:5062 @0 msg.sip %s\n", cases[i].opts);
        if (cases[i].v6)
            snprintf(layout + k, sizeof layout - (size_t)k,
                     "udp [2001:db8::1]:5061 > [2001:db8::2]:5060 @1 msg.sip %s\n",
                     cases[i].opts);
        snprintf(name, sizeof name, "link%zu", i);
        got g;
        read_all(mkcap(name, layout), &g);
        unsigned want = (unsigned)(cases[i].v4 + cases[i].v6);
        CU_ASSERT_FATAL(g.opened);
        CU_ASSERT_EQUAL(g.n, want);
        CU_ASSERT_EQUAL(g.st.payloads, want);
        CU_ASSERT_EQUAL(g.st.skipped, 0);
        CU_ASSERT_EQUAL(g.st.unsupported_link, 0);
        for (unsigned j = 0; j < g.n && j < want; j++) {
            const sl_meta *m = &g.p[j].meta;
            CU_ASSERT(payload_is(&g, j, MSG, MSG_LEN));
            CU_ASSERT_EQUAL(m->frame_last, j + 1);
            if (cases[i].v4 && j == 0) {
                CU_ASSERT_EQUAL(m->af, 4);
                CU_ASSERT(memcmp(m->src, V4_A, 4) == 0 && memcmp(m->dst, V4_B, 4) == 0);
                CU_ASSERT(m->sport == 5060 && m->dport == 5062);
            } else {
                CU_ASSERT_EQUAL(m->af, 6);
                CU_ASSERT(memcmp(m->src, V6_A, 16) == 0 && memcmp(m->dst, V6_B, 16) == 0);
                CU_ASSERT(m->sport == 5061 && m->dport == 5060);
            }
        }
        if (g.n != want)
            fprintf(stderr, "\n  link type case %zu (%s %s) failed\n", i, cases[i].linktype,
                    cases[i].opts);
        got_free(&g);
    }
}

static void test_unsupported_link(void)
{
    /* 147 = LINKTYPE_USER0: frames are counted, not decoded, and that is not an error. */
    put_text("junk.hex", "00 11 22 33 44 55 66 77\n");
    got g;
    read_all(mkcap("user0", "linktype 147\nraw-bytes @0 junk.hex\nraw-bytes @1 junk.hex\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT(g.last == SL_CAP_EOF);
    CU_ASSERT_EQUAL(g.n, 0);
    CU_ASSERT_EQUAL(g.st.packets, 2);
    CU_ASSERT_EQUAL(g.st.unsupported_link, 2);
    CU_ASSERT_EQUAL(g.st.skipped, 0);
    got_free(&g);
}

/* libpcap 1.10 cannot read pcapng files whose interfaces differ in link type; our own pcapng
 * reader can. mergecap interleaved the two captures by time (tshark 4.0.17 -T fields -e
 * frame.interface_id -e udp.length: 1/377, 0/359, 1/267, 0/263). */
static void test_mixed_pcapng(void)
{
    got g;
    read_all("data/mixed-linktypes.pcapng", &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT(g.last == SL_CAP_EOF);
    CU_ASSERT_EQUAL_FATAL(g.n, 4);
    static const unsigned udp_len[] = {377, 359, 267, 263};
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(g.p[i].meta.frame_last, i + 1);
        CU_ASSERT_EQUAL(g.p[i].len, udp_len[i] - 8);
        CU_ASSERT(memcmp(g.p[i].meta.src, i < 2 ? V4_A : V4_B, 4) == 0);
    }
    CU_ASSERT(g.p[2].meta.ts_sec == EPOCH && g.p[2].meta.ts_nsec == 10000000);
    CU_ASSERT_EQUAL(g.st.packets, 4);
    got_free(&g);
}

/* ---- VLAN, IP options, IPv6 extension headers, fragments ------------------------------------- */

static void test_vlan(void)
{
    /* A tagged ARP request: the tags are followed, then the frame is skipped. */
    put_text("arp-vlan.hex", "ff ff ff ff ff ff 02 00 5e 00 00 0a  81 00 00 64  08 06\n"
                             "00 01 08 00 06 04 00 01 02 00 5e 00 00 0a c0 00 02 0a\n"
                             "00 00 00 00 00 00 c0 00 02 14\n");
    /* A tag that the capture cut in half (the frame is whole: its bytes just end there). */
    put_text("half-tag.hex", "ff ff ff ff ff ff 02 00 5e 00 00 0a  81 00 00\n");
    got g;
    read_all(mkcap("vlan", "vlan 100 udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"
                           "svlan 200 vlan 100 udp 192.0.2.10:5060 > 192.0.2.20:5060 @1 msg.sip\n"
                           "svlan 1 vlan 2 vlan 3 vlan 4 udp [2001:db8::1]:5060 > "
                           "[2001:db8::2]:5060 @2 msg.sip\n"
                           "raw-bytes @3 arp-vlan.hex\n"
                           "raw-bytes @4 half-tag.hex\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL_FATAL(g.n, 3);
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT(payload_is(&g, i, MSG, MSG_LEN));
        CU_ASSERT_EQUAL(g.p[i].meta.frame_last, i + 1);
    }
    CU_ASSERT_EQUAL(g.p[2].meta.af, 6);
    CU_ASSERT_EQUAL(g.st.packets, 5);
    CU_ASSERT_EQUAL(g.st.skipped, 2);
    CU_ASSERT_EQUAL(g.st.malformed, 1);
    got_free(&g);
}

static void test_ipv4_options_padding_fragments(void)
{
    /* A 4-byte CRLF CRLF keep-alive (RFC 5626 §3.5.1) is padded to the 60-byte Ethernet
     * minimum: the IP and UDP lengths, not the frame, bound the payload. */
    put_text("ka.bin", "\r\n\r\n");
    got g;
    read_all(mkcap("v4opt", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip ipopts=3\n"
                            "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1 ka.bin lf\n"
                            "udp 192.0.2.10:5060 > 192.0.2.20:5060 @2 msg.sip mf\n"
                            "udp 192.0.2.10:5060 > 192.0.2.20:5060 @3 msg.sip fragoff=1480\n"
                            "udp 192.0.2.10:5060 > 192.0.2.20:5060 @4 msg.sip\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    /* Frames 3 and 4 are fragments of two different datagrams (mkpcap numbers the ids).
     * Frame 3 claims more fragments but holds 8 + MSG_LEN bytes, not a multiple of 8: no
     * datagram can be made of it (malformed). Frame 4 never completes: reported at the end. */
    CU_ASSERT((8 + MSG_LEN) % 8 != 0);
    CU_ASSERT_EQUAL_FATAL(g.n, 4);
    CU_ASSERT(payload_is(&g, 0, MSG, MSG_LEN));
    CU_ASSERT_EQUAL(g.p[0].meta.sport, 5060);
    CU_ASSERT(payload_is(&g, 1, "\r\n\r\n", 4));
    CU_ASSERT(payload_is(&g, 2, MSG, MSG_LEN));
    CU_ASSERT_EQUAL(g.p[2].meta.frame_last, 5);
    CU_ASSERT(event_is(&g, 3, 4, 4));
    CU_ASSERT_EQUAL(g.p[3].meta.sport, 0); /* its first fragment, with the ports, never came */
    CU_ASSERT_EQUAL(g.st.skipped, 1);
    CU_ASSERT_EQUAL(g.st.fragments, 2);
    CU_ASSERT_EQUAL(g.st.frag_incomplete, 1);
    CU_ASSERT_EQUAL(g.st.malformed, 1);
    got_free(&g);
}

static void test_ipv6_extension_headers(void)
{
    got g;
    read_all(mkcap("v6ext",
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0 msg.sip v6ext=hbh,rt,dst\n"
                   /* an atomic fragment (offset 0, M clear) is a whole packet: RFC 6946 */
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @1 msg.sip v6ext=hbh,frag\n"
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @2 msg.sip mf\n"
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @3 msg.sip v6ext=dst,frag "
                   "fragoff=64\n"
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @4 msg.sip v6ext=dst\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    /* 3 messages; frame 3 is refused (8 + MSG_LEN is not a multiple of 8), frame 4 never
     * completes. */
    CU_ASSERT_EQUAL_FATAL(g.n, 4);
    CU_ASSERT(payload_is(&g, 0, MSG, MSG_LEN));
    CU_ASSERT(payload_is(&g, 1, MSG, MSG_LEN));
    CU_ASSERT(payload_is(&g, 2, MSG, MSG_LEN));
    CU_ASSERT_EQUAL(g.p[0].meta.frame_last, 1);
    CU_ASSERT_EQUAL(g.p[1].meta.frame_last, 2);
    CU_ASSERT_EQUAL(g.p[2].meta.frame_last, 5);
    CU_ASSERT(memcmp(g.p[0].meta.dst, V6_B, 16) == 0);
    CU_ASSERT(g.p[3].kind == SL_PAYLOAD_EVENT && g.p[3].meta.frame_last == 4);
    CU_ASSERT_EQUAL(g.st.fragments, 2);
    CU_ASSERT_EQUAL(g.st.skipped, 1);
    got_free(&g);
}

/* ---- IP fragment reassembly ----------------------------------------------------------------- */

/* A 2000-byte message, so that its datagram (2008 bytes) takes three fragments of 800 bytes. */
static char g_big[2001];

static void put_big(void)
{
    /* LF line ends, converted by mkpcap; the body is 'x' lines. */
    static const char head[] = "MESSAGE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP "
                               "192.0.2.10;branch=z9hG4bK.big\nCall-ID: big\nContent-Length: ";
    size_t hl = strlen(head);
    char body[2000];
    size_t bl = 2000 - hl - 7; /* "NNNN\n\n" is 6 bytes... adjusted below */
    memset(body, 'x', sizeof body);
    snprintf(g_big, sizeof g_big, "%s%zu\n\n", head, bl);
    size_t n = strlen(g_big);
    bl = 2000 - n;
    snprintf(g_big, sizeof g_big, "%s%zu\n\n", head, bl);
    n = strlen(g_big);
    memcpy(g_big + n, body, 2000 - n);
    g_big[2000] = 0;
    put_file("big.sip", g_big, 2000);
}

static void test_frag_ipv4(void)
{
    put_big();
    got g;
    /* `lf` keeps the bytes as written, so the payload is g_big exactly. */
    read_all(mkcap("frag4",
                   /* 1-3: in order */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 big.sip lf id=1 frag=0:800\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0.1 big.sip lf id=1 frag=800:800\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0.2 big.sip lf id=1 frag=1600\n"
                   /* 4-7: reversed, with a duplicate of the last (frame 6), and another
                    * datagram's fragment in between (frame 5, same addresses, id 3) */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1 big.sip lf id=2 frag=1600\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1.1 big.sip lf id=3 frag=0:800\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1.2 big.sip lf id=2 frag=1600\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1.3 big.sip lf id=2 frag=800:800\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1.4 big.sip lf id=2 frag=0:800\n"
                   /* 9-10: overlapping with the same bytes */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @2 big.sip lf id=4 frag=0:1200\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @2.1 big.sip lf id=4 frag=800\n"
                   /* 11-12: overlapping with different bytes: discarded, reported at 12 */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @3 big.sip lf id=5 frag=0:1200\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @3.1 big.sip lf id=5 frag=800 "
                   "corrupt=100\n"
                   /* 13: a late fragment of the discarded datagram: absorbed silently */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @3.2 big.sip lf id=5 frag=0:800\n"
                   /* 14: a whole datagram between them all */
                   "udp 192.0.2.20:5060 > 192.0.2.10:5060 @4 msg.sip\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT(g.last == SL_CAP_EOF);
    /* datagram 1 (3), datagram 2 (8), datagram 4 (10), the conflict (12), frame 14, then at
     * the end: id 3 (frame 5) never completed */
    CU_ASSERT_EQUAL_FATAL(g.n, 6);
    static const uint64_t first[] = {1, 4, 9}, last[] = {3, 8, 10};
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT(g.p[i].kind == SL_PAYLOAD_MESSAGE);
        CU_ASSERT(payload_is(&g, i, g_big, 2000));
        CU_ASSERT_EQUAL(g.p[i].meta.frame_first, first[i]);
        CU_ASSERT_EQUAL(g.p[i].meta.frame_last, last[i]);
        CU_ASSERT(g.p[i].meta.flags & SL_META_REASSEMBLED);
        CU_ASSERT_EQUAL(g.p[i].meta.sport, 5060);
        CU_ASSERT(memcmp(g.p[i].meta.src, V4_A, 4) == 0 && memcmp(g.p[i].meta.dst, V4_B, 4) == 0);
    }
    /* the completing frame's time */
    CU_ASSERT(g.p[0].meta.ts_sec == EPOCH && g.p[0].meta.ts_nsec == 200000000);
    CU_ASSERT(event_is(&g, 3, 11, 12));
    CU_ASSERT(strstr(g.p[3].text, "different data") != NULL);
    CU_ASSERT(payload_is(&g, 4, MSG, MSG_LEN));
    CU_ASSERT(!(g.p[4].meta.flags & SL_META_REASSEMBLED));
    CU_ASSERT_EQUAL(g.p[4].meta.frame_first, 14);
    CU_ASSERT(event_is(&g, 5, 5, 5));
    CU_ASSERT(strstr(g.p[5].text, "capture ended") != NULL);
    CU_ASSERT_EQUAL(g.st.fragments, 13);
    CU_ASSERT_EQUAL(g.st.reassembled, 3);
    CU_ASSERT_EQUAL(g.st.frag_duplicates, 2); /* frame 6, frame 10 */
    CU_ASSERT_EQUAL(g.st.frag_conflicts, 1);
    CU_ASSERT_EQUAL(g.st.frag_incomplete, 2);
    CU_ASSERT_EQUAL(g.st.skipped, 0);
    CU_ASSERT_EQUAL(g.st.malformed, 0);
    got_free(&g);
}

static void test_frag_ipv6_timeout_cut(void)
{
    put_big();
    got g;
    read_all(mkcap("frag6",
                   /* 1-2: IPv6, with a destination options header before the fragment
                    * header (unfragmentable part), out of order */
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0 big.sip lf id=7 frag=1000 "
                   "v6ext=dst,frag\n"
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0.5 big.sip lf id=7 "
                   "frag=0:1000 v6ext=dst,frag\n"
                   /* 3-4: IPv4, 31 s apart: given up at frame 4 (30 s), which starts anew */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @10 big.sip lf id=8 frag=0:1000\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @41 big.sip lf id=8 frag=1000\n"
                   /* 5-6: IPv6, 59 s apart: still within IPv6's 60 s */
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @50 big.sip lf id=9 "
                   "frag=0:1000\n"
                   "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @109 big.sip lf id=9 "
                   "frag=1000\n"
                   /* 7-8: the snap length cut the last fragment: reassembled, truncated */
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @120 big.sip lf id=10 frag=0:1000\n"
                   "udp 192.0.2.10:5060 > 192.0.2.20:5060 @120.1 big.sip lf id=10 frag=1000 "
                   "snap=500\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL_FATAL(g.n, 5);
    CU_ASSERT(payload_is(&g, 0, g_big, 2000));
    CU_ASSERT(g.p[0].meta.af == 6 && g.p[0].meta.frame_first == 1 && g.p[0].meta.frame_last == 2);
    CU_ASSERT(memcmp(g.p[0].meta.dst, V6_B, 16) == 0);
    CU_ASSERT(event_is(&g, 1, 3, 3));
    CU_ASSERT(strstr(g.p[1].text, "timed out after 30 s") != NULL);
    /* frame 4, the second half alone, is given up when frame 7 shows 79 s have passed */
    CU_ASSERT(event_is(&g, 2, 4, 4));
    CU_ASSERT(payload_is(&g, 3, g_big, 2000));
    CU_ASSERT(g.p[3].meta.frame_first == 5 && g.p[3].meta.frame_last == 6);
    /* 14 (eth) + 20 (ip) of frame 8's 500 bytes are headers: 466 payload bytes after the
     * first 992 (1000 - 8 for the UDP header) */
    CU_ASSERT_EQUAL(g.p[4].meta.frame_last, 8);
    CU_ASSERT(g.p[4].meta.flags & SL_META_TRUNCATED);
    CU_ASSERT(g.p[4].meta.flags & SL_META_REASSEMBLED);
    CU_ASSERT_EQUAL(g.p[4].len, 992 + 466);
    CU_ASSERT(g.p[4].len <= 2000 && memcmp(g.p[4].data, g_big, g.p[4].len) == 0);
    CU_ASSERT_EQUAL(g.st.truncated, 1);
    got_free(&g);
}

/* The limits, on the reassembly module itself: the oldest datagram gives way, reported. */
static void test_frag_limits(void)
{
    sl_frag_limits lim = {.max_datagrams = 2, .max_bytes = 1u << 20};
    sl_frag *f = sl_frag_new(&lim);
    CU_ASSERT_FATAL(f != NULL);
    sl_outq q;
    sl_outq_init(&q);
    uint8_t data[16] = {0};
    sl_ip_pkt ip = {.af = 4, .src = V4_A, .dst = V4_B, .proto = 17, .payload = data,
                    .payload_len = 16, .payload_avail = 16, .frag_more = 1};
    sl_frag_done d;
    for (uint32_t id = 1; id <= 3; id++) {
        ip.frag_id = id;
        CU_ASSERT(sl_frag_feed(f, &ip, 0, id, (int64_t)id * 1000, &q, &d) == SL_FRAG_HELD);
    }
    sl_payload p;
    CU_ASSERT_FATAL(sl_outq_pop(&q, &p));
    CU_ASSERT(p.kind == SL_PAYLOAD_EVENT && p.meta.frame_last == 1); /* id 1, the oldest */
    CU_ASSERT(strstr(p.text, "evicted") != NULL);
    CU_ASSERT(!sl_outq_pop(&q, &p));
    CU_ASSERT_EQUAL(sl_frag_stats_get(f)->evicted, 1);
    /* A non-final fragment that is not a multiple of 8 bytes, one past 65535: refused. */
    ip.payload_len = ip.payload_avail = 12;
    CU_ASSERT(sl_frag_feed(f, &ip, 0, 4, 4000, &q, &d) == SL_FRAG_BAD);
    ip.payload_len = ip.payload_avail = 16;
    ip.frag_offset = 65528;
    CU_ASSERT(sl_frag_feed(f, &ip, 0, 5, 5000, &q, &d) == SL_FRAG_BAD);
    /* Completing id 3 (frame 3) with its last fragment. */
    ip.frag_id = 3;
    ip.frag_offset = 16;
    ip.frag_more = 0;
    ip.payload_len = ip.payload_avail = 5;
    CU_ASSERT_FATAL(sl_frag_feed(f, &ip, 0, 6, 6000, &q, &d) == SL_FRAG_DONE);
    CU_ASSERT(d.frame_first == 3 && d.ip.payload_len == 21 && d.ip.proto == 17);
    free(d.mem);
    /* The end: id 2 is left. */
    sl_frag_finish(f, &q);
    CU_ASSERT_FATAL(sl_outq_pop(&q, &p));
    CU_ASSERT(p.meta.frame_last == 2);
    CU_ASSERT(!sl_outq_pop(&q, &p));
    /* A byte budget that holds one datagram buffer only. */
    sl_frag_free(f);
    lim.max_datagrams = 100;
    lim.max_bytes = 3000 + 2 * 1200; /* two entries, one 2 KB buffer */
    f = sl_frag_new(&lim);
    for (uint32_t id = 1; id <= 3; id++) {
        ip.frag_id = id;
        ip.frag_offset = 0;
        ip.frag_more = 1;
        ip.payload_len = ip.payload_avail = 16;
        sl_frag_feed(f, &ip, 0, id, 0, &q, &d);
    }
    CU_ASSERT(sl_frag_stats_get(f)->evicted >= 1);
    CU_ASSERT(sl_frag_stats_get(f)->peak_bytes <= lim.max_bytes);
    sl_frag_free(f);
    sl_outq_free(&q);
}

/* ---- tunnels ---------------------------------------------------------------------------------- */

static void test_tunnels(void)
{
    static const char *const tun[] = {
        "ipip:198.51.100.1>198.51.100.2",    "ipip:[2001:db8:ff::1]>[2001:db8:ff::2]",
        "gre:198.51.100.1>198.51.100.2",     "grekey:[2001:db8:ff::1]>[2001:db8:ff::2]",
        "gre-teb:198.51.100.1>198.51.100.2", "erspan2:198.51.100.1>198.51.100.2",
        "erspan3:198.51.100.1>198.51.100.2", "gtpu:198.51.100.1>198.51.100.2",
        "vxlan:198.51.100.1>198.51.100.2"};
    size_t nt = sizeof tun / sizeof tun[0];
    char layout[8192];
    size_t o = 0;
    for (size_t i = 0; i < nt; i++) {
        o += (size_t)snprintf(layout + o, sizeof layout - o,
                              "udp 192.0.2.10:5060 > 192.0.2.20:5060 @%zu msg.sip tunnel=%s\n"
                              "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @%zu.5 msg.sip "
                              "tunnel=%s\n",
                              i, tun[i], i, tun[i]);
    }
    /* nested: GTP-U inside VXLAN inside IPv6-in-IPv4, and a fragmented inner datagram in GRE */
    o += (size_t)snprintf(layout + o, sizeof layout - o,
                          "udp 192.0.2.10:5060 > 192.0.2.20:5060 @20 msg.sip "
                          "tunnel=ipip:198.51.100.1>198.51.100.2 "
                          "tunnel=vxlan:[2001:db8:ff::1]>[2001:db8:ff::2] "
                          "tunnel=gtpu:198.51.100.3>198.51.100.4\n"
                          "udp 192.0.2.10:5060 > 192.0.2.20:5060 @21 big.sip lf id=77 "
                          "frag=0:1000 tunnel=gre:198.51.100.1>198.51.100.2\n"
                          "udp 192.0.2.10:5060 > 192.0.2.20:5060 @21.1 big.sip lf id=77 "
                          "frag=1000 tunnel=gre:198.51.100.1>198.51.100.2\n");
    put_big();
    got g;
    read_all(mkcap("tunnels", layout), &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL_FATAL(g.n, 2 * nt + 2);
    for (unsigned i = 0; i < 2 * nt + 1; i++) {
        CU_ASSERT(payload_is(&g, i, MSG, MSG_LEN));
        CU_ASSERT_EQUAL(g.p[i].meta.frame_last, i + 1);
        CU_ASSERT_EQUAL(g.p[i].meta.af, i % 2 && i < 2 * nt ? 6 : 4); /* inner addresses */
        CU_ASSERT(memcmp(g.p[i].meta.src, i % 2 && i < 2 * nt ? V6_A : V4_A,
                         i % 2 && i < 2 * nt ? 16 : 4) == 0);
        CU_ASSERT_EQUAL(g.p[i].meta.dport, 5060);
    }
    CU_ASSERT(payload_is(&g, 2 * nt + 1, g_big, 2000));
    CU_ASSERT(g.p[2 * nt + 1].meta.frame_first == 2 * nt + 2);
    CU_ASSERT_EQUAL(g.st.skipped, 0);
    CU_ASSERT_EQUAL(g.st.malformed, 0);
    got_free(&g);

    /* Not tunnels: SIP on the GTP-U and VXLAN ports is SIP (found by content); GTP-U echo is
     * skipped. */
    put_file("gtp-echo.bin", "\x32\x01\x00\x04\x00\x00\x00\x00\x00\x01\x00\x00", 12);
    read_all(mkcap("nottun", "udp 192.0.2.10:2152 > 192.0.2.20:2152 @0 msg.sip\n"
                             "udp 192.0.2.10:4789 > 192.0.2.20:4789 @1 msg.sip\n"
                             "udp 192.0.2.10:2152 > 192.0.2.20:2152 @2 gtp-echo.bin lf\n"),
             &g);
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    CU_ASSERT(payload_is(&g, 0, MSG, MSG_LEN));
    CU_ASSERT(payload_is(&g, 1, MSG, MSG_LEN));
    CU_ASSERT_EQUAL(g.st.skipped, 1);
    got_free(&g);
}

/* The nesting bound: 9 IP-in-IP layers are more than we follow. */
static void test_tunnel_depth(void)
{
    char layout[2048] = "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip";
    for (int i = 0; i < 8; i++)
        strcat(layout, " tunnel=ipip:198.51.100.1>198.51.100.2");
    strcat(layout, "\nudp 192.0.2.10:5060 > 192.0.2.20:5060 @1 msg.sip");
    for (int i = 0; i < 7; i++)
        strcat(layout, " tunnel=ipip:198.51.100.1>198.51.100.2");
    strcat(layout, "\n");
    got g;
    read_all(mkcap("deep", layout), &g);
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT_EQUAL(g.p[0].meta.frame_last, 2);
    CU_ASSERT_EQUAL(g.st.too_deep, 1);
    got_free(&g);
}

/* ---- pcapng ----------------------------------------------------------------------------------- */

static void test_pcapng(void)
{
    static const char layout[] = "interface raw\n"
                                 "interface ethernet tsresol=9\n"
                                 "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip if=0\n"
                                 "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1.000000001 msg.sip "
                                 "if=1\n"
                                 "interface sll2\n"
                                 "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @2 msg.sip if=2\n"
                                 "udp 192.0.2.10:5060 > 192.0.2.20:5060 @3 msg.sip if=0 "
                                 "snap=60\n";
    for (int be = 0; be < 2; be++) {
        char l[1024];
        snprintf(l, sizeof l, "format %s\n%s", be ? "pcapng-be" : "pcapng", layout);
        got g;
        read_all(mkcap(be ? "ngbe" : "ngle", l), &g);
        CU_ASSERT_FATAL(g.opened);
        CU_ASSERT(g.last == SL_CAP_EOF);
        CU_ASSERT_EQUAL_FATAL(g.n, 4);
        for (unsigned i = 0; i < 3; i++) {
            CU_ASSERT(payload_is(&g, i, MSG, MSG_LEN));
            CU_ASSERT_EQUAL(g.p[i].meta.frame_last, i + 1);
        }
        CU_ASSERT(g.p[1].meta.ts_sec == EPOCH + 1 && g.p[1].meta.ts_nsec == 1);
        CU_ASSERT(g.p[2].meta.af == 6 && g.p[2].meta.ts_sec == EPOCH + 2);
        CU_ASSERT(g.p[3].meta.flags & SL_META_TRUNCATED);
        CU_ASSERT_EQUAL(g.p[3].len, 60 - 28);
        got_free(&g);
    }

    /* Through a pipe-like stream (fmemopen cannot be rewound by us either way: the reader
     * never seeks). */
    const char *path = tmp_path("ngle.pcap");
    FILE *f = fopen(path, "rb");
    CU_ASSERT_FATAL(f != NULL);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char err[SL_CAP_ERRBUF];
    sl_capture *c = sl_capture_open_fp(fmemopen(buf, n, "rb"), "memory", err);
    CU_ASSERT_FATAL(c != NULL);
    got g;
    memset(&g, 0, sizeof g);
    drain(c, &g);
    sl_capture_close(c);
    CU_ASSERT_EQUAL(g.n, 4);
    got_free(&g);

    /* Damage: cut inside the third packet block; a trailing length that differs; a packet
     * block naming an interface that does not exist. Frames before stay valid. */
    /* Layout of ngle: SHB 28, IDB 20, IDB 32, EPB, EPB, IDB 20, EPB, EPB. */
#define PAD4(x) (((x) + 3) & ~(size_t)3)
    size_t epb1 = 32 + PAD4(28 + MSG_LEN);      /* raw IP: IPv4 20 + UDP 8 */
    size_t epb2 = 32 + PAD4(14 + 28 + MSG_LEN); /* Ethernet */
    size_t epb = 32 + PAD4(20 + 48 + MSG_LEN);  /* frame 3: SLL2, IPv6 40 + UDP 8 */
    size_t off3 = 28 + 20 + 32 + epb1 + epb2 + 20;
    put_file("ng-cut.pcapng", buf, off3 + 30);
    read_all(tmp_path("ng-cut.pcapng"), &g);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(g.last == SL_CAP_DAMAGED);
    char want[700];
    snprintf(want, sizeof want, "%s: frame 3: truncated record (file ends inside the block at "
             "byte %zu)", tmp_path("ng-cut.pcapng"), off3);
    CU_ASSERT_STRING_EQUAL(g.err, want);
    CU_ASSERT_STRING_EQUAL(g.err_again, g.err);
    got_free(&g);

    buf[off3 + epb - 1] ^= 0x40; /* the trailing length of frame 3's block */
    put_file("ng-trail.pcapng", buf, n);
    read_all(tmp_path("ng-trail.pcapng"), &g);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(g.last == SL_CAP_DAMAGED && strstr(g.err, "frame 3: damaged record") != NULL);
    got_free(&g);
    buf[off3 + epb - 1] ^= 0x40;

    buf[off3 + 8] = 9; /* interface 9 */
    put_file("ng-if.pcapng", buf, n);
    read_all(tmp_path("ng-if.pcapng"), &g);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(g.last == SL_CAP_DAMAGED && strstr(g.err, "names interface 9") != NULL);
    got_free(&g);

    /* Every prefix of the file: never a crash, never more than the whole file's frames. */
    for (size_t k = 0; k <= n; k += 7) {
        put_file("ng-prefix.pcapng", buf, k);
        read_all(tmp_path("ng-prefix.pcapng"), &g);
        CU_ASSERT(g.n <= 4);
        got_free(&g);
    }
}

/* Keep-alives on UDP (RFC 5626 §3.5.1 CRLF CRLF, §4.4.2 STUN binding requests) and zero bytes
 * come out as payloads; the engine recognises them as not SIP: no finding. */
static int g_findings;
static void count_finding(const sl_finding *f, void *user)
{
    (void)f;
    (void)user;
    g_findings++;
}

static void test_keepalives(void)
{
    sl_config cfg;
    sl_config_default(&cfg);
    sl_engine *e = sl_engine_new(&cfg, count_finding, NULL);
    CU_ASSERT_FATAL(e != NULL);
    sl_meta m;
    memset(&m, 0, sizeof m);
    m.transport = SL_TP_UDP;
    m.frame_first = m.frame_last = 1;
    static const char stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, (char)0xa4, 0x42, 1, 2,
                                  3,    4,    5,    6,    7,    8,    9,           10,   11, 12};
    static const char zeros[4] = {0};
    g_findings = 0;
    CU_ASSERT(sl_engine_feed(e, "\r\n\r\n", 4, &m, NULL) == SL_FEED_NOT_SIP);
    CU_ASSERT(sl_engine_feed(e, "\r\n", 2, &m, NULL) == SL_FEED_NOT_SIP);
    CU_ASSERT(sl_engine_feed(e, stun, sizeof stun, &m, NULL) == SL_FEED_NOT_SIP);
    CU_ASSERT(sl_engine_feed(e, zeros, sizeof zeros, &m, NULL) == SL_FEED_NOT_SIP);
    CU_ASSERT(sl_engine_feed(e, zeros, 0, &m, NULL) == SL_FEED_NOT_SIP);
    CU_ASSERT_EQUAL(g_findings, 0);
    sl_engine_free(e);
}

/* ---- numbering, time ------------------------------------------------------------------------- */

static void test_frame_numbering(void)
{
    /* Frames 2 (ARP) and 5 (ICMP echo) are skipped, 3 (a TCP SYN) goes to the TCP module and
     * yields nothing; all are counted: frame numbers are record numbers, as in Wireshark. */
    put_text("arp.hex", "ff ff ff ff ff ff 02 00 5e 00 00 0a 08 06\n"
                        "00 01 08 00 06 04 00 01 02 00 5e 00 00 0a c0 00 02 0a\n"
                        "00 00 00 00 00 00 c0 00 02 14\n");
    put_text("tcp.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                        "45 00 00 28 00 01 00 00 40 06 00 00 c0 00 02 0a c0 00 02 14\n"
                        "13 c4 13 c4 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00\n");
    put_text("icmp.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                         "45 00 00 1c 00 02 00 00 40 01 00 00 c0 00 02 0a c0 00 02 14\n"
                         "08 00 f7 ff 00 00 00 00\n");
    got g;
    read_all(mkcap("numbers", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"
                              "raw-bytes @1 arp.hex\n"
                              "raw-bytes @2 tcp.hex\n"
                              "udp 192.0.2.20:5060 > 192.0.2.10:5060 @3 msg.sip\n"
                              "raw-bytes @4 icmp.hex\n"
                              "udp 192.0.2.10:5060 > 192.0.2.20:5060 @5 msg.sip\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL_FATAL(g.n, 3);
    CU_ASSERT_EQUAL(g.p[0].meta.frame_first, 1);
    CU_ASSERT_EQUAL(g.p[1].meta.frame_first, 4);
    CU_ASSERT_EQUAL(g.p[1].meta.frame_last, 4);
    CU_ASSERT_EQUAL(g.p[2].meta.frame_last, 6);
    CU_ASSERT(memcmp(g.p[1].meta.src, V4_B, 4) == 0);
    CU_ASSERT_EQUAL(g.st.packets, 6);
    CU_ASSERT_EQUAL(g.st.payloads, 3);
    CU_ASSERT_EQUAL(g.st.skipped, 2);
    CU_ASSERT_EQUAL(g.st.malformed, 0);
    got_free(&g);
}

static void test_timestamps(void)
{
    got g;
    read_all(mkcap("usec", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"
                           "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1.234567 msg.sip\n"),
             &g);
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    CU_ASSERT(g.p[0].meta.ts_sec == EPOCH && g.p[0].meta.ts_nsec == 0);
    CU_ASSERT(g.p[1].meta.ts_sec == EPOCH + 1 && g.p[1].meta.ts_nsec == 234567000);
    got_free(&g);

    read_all(mkcap("nsec", "precision nsec\n"
                           "udp 192.0.2.10:5060 > 192.0.2.20:5060 @2.000000123 msg.sip\n"),
             &g);
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT(g.p[0].meta.ts_sec == EPOCH + 2 && g.p[0].meta.ts_nsec == 123);
    got_free(&g);

    /* pcap seconds are unsigned 32 bits: 3000000000 is in 2065, not before 1970. */
    read_all(mkcap("y2065", "epoch 3000000000\n"
                            "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0.5 msg.sip\n"),
             &g);
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT(g.p[0].meta.ts_sec == 3000000000LL && g.p[0].meta.ts_nsec == 500000000);
    got_free(&g);
}

/* ---- truncation and damage ------------------------------------------------------------------- */

static void test_snaplen_cut(void)
{
    /* Ethernet + IPv4 + UDP headers are 42 bytes: snap=60 leaves 18 bytes of SIP. snap=40 ends
     * inside the UDP header, which leaves nothing to hand out. */
    got g;
    read_all(mkcap("snap", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip snap=60\n"
                           "udp 192.0.2.10:5060 > 192.0.2.20:5060 @1 msg.sip snap=40\n"
                           "udp 192.0.2.10:5060 > 192.0.2.20:5060 @2 msg.sip\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    CU_ASSERT(payload_is(&g, 0, MSG, 18));
    CU_ASSERT_EQUAL(g.p[0].meta.flags & SL_META_TRUNCATED, SL_META_TRUNCATED);
    CU_ASSERT(payload_is(&g, 1, MSG, MSG_LEN));
    CU_ASSERT_EQUAL(g.p[1].meta.flags & SL_META_TRUNCATED, 0);
    CU_ASSERT_EQUAL(g.p[1].meta.frame_last, 3);
    CU_ASSERT_EQUAL(g.st.truncated, 1);
    CU_ASSERT_EQUAL(g.st.skipped, 1);
    CU_ASSERT_EQUAL(g.st.malformed, 0);
    got_free(&g);

    /* The file's snap length cuts every longer record the same way (IPv6: 14 + 40 + 8). */
    read_all(mkcap("snaplen", "snaplen 100\n"
                              "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0 msg.sip\n"),
             &g);
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT(payload_is(&g, 0, MSG, 100 - 62));
    CU_ASSERT(g.p[0].meta.flags & SL_META_TRUNCATED);
    got_free(&g);
}

static void test_lying_lengths(void)
{
    /* Whole frames (not cut by the capture) whose IP or UDP length claims more than is there:
     * malformed, skipped, never read past the frame. */
    put_text("ip-long.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                            "45 00 01 00 00 01 00 00 40 11 00 00 c0 00 02 0a c0 00 02 14\n"
                            "13 c4 13 c4 00 0c 00 00 41 42 43 44\n");
    put_text("udp-long.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                             "45 00 00 20 00 01 00 00 40 11 00 00 c0 00 02 0a c0 00 02 14\n"
                             "13 c4 13 c4 00 40 00 00 41 42 43 44\n");
    put_text("udp-short.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                              "45 00 00 20 00 01 00 00 40 11 00 00 c0 00 02 0a c0 00 02 14\n"
                              "13 c4 13 c4 00 07 00 00 41 42 43 44\n");
    put_text("ihl-short.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                              "44 00 00 20 00 01 00 00 40 11 00 00 c0 00 02 0a c0 00 02 14\n"
                              "13 c4 13 c4 00 0c 00 00 41 42 43 44\n");
    /* UDP length 10 inside an IP payload of 12: the datagram is 2 bytes, the rest is not. */
    put_text("udp-inner.hex", "02 00 5e 00 00 14 02 00 5e 00 00 0a 08 00\n"
                              "45 00 00 20 00 01 00 00 40 11 00 00 c0 00 02 0a c0 00 02 14\n"
                              "13 c4 13 c4 00 0a 00 00 41 42 43 44\n");
    got g;
    read_all(mkcap("lying", "raw-bytes @0 ip-long.hex\n"
                            "raw-bytes @1 udp-long.hex\n"
                            "raw-bytes @2 udp-short.hex\n"
                            "raw-bytes @3 ihl-short.hex\n"
                            "raw-bytes @4 udp-inner.hex\n"),
             &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT(payload_is(&g, 0, "AB", 2));
    CU_ASSERT_EQUAL(g.p[0].meta.frame_last, 5);
    CU_ASSERT_EQUAL(g.p[0].meta.flags, 0);
    CU_ASSERT_EQUAL(g.st.skipped, 4);
    CU_ASSERT_EQUAL(g.st.malformed, 4);
    got_free(&g);
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Copy the first n bytes of src to dst, then overwrite patch_len bytes at patch_at. */
static void copy_patched(const char *src, const char *dst, long n, long patch_at,
                         const void *patch, size_t patch_len)
{
    FILE *in = fopen(src, "rb");
    CU_ASSERT_FATAL(in != NULL);
    char *b = malloc((size_t)n);
    CU_ASSERT_FATAL(fread(b, 1, (size_t)n, in) == (size_t)n);
    fclose(in);
    if (patch != NULL)
        memcpy(b + patch_at, patch, patch_len);
    FILE *out = fopen(dst, "wb");
    CU_ASSERT_FATAL(out != NULL);
    fwrite(b, 1, (size_t)n, out);
    fclose(out);
    free(b);
}

static void test_damaged_files(void)
{
    const char *whole = mkcap("dmg", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"
                                     "udp 192.0.2.20:5060 > 192.0.2.10:5060 @1 msg.sip\n"
                                     "udp 192.0.2.10:5060 > 192.0.2.20:5060 @2 msg.sip\n");
    char wpath[512];
    snprintf(wpath, sizeof wpath, "%s", whole);
    long size = file_size(wpath);
    long rec = 16 + 42 + (long)MSG_LEN; /* record header + frame */
    CU_ASSERT_FATAL(size == 24 + 3 * rec);

    /* The last record's data ends 10 bytes early: frames 1 and 2 come out, then the damage,
     * naming the file and frame 3. */
    const char *cut = tmp_path("cut-data.pcap");
    copy_patched(wpath, cut, size - 10, 0, NULL, 0);
    got g;
    read_all(cut, &g);
    CU_ASSERT_FATAL(g.opened);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(payload_is(&g, 1, MSG, MSG_LEN));
    CU_ASSERT(g.last == SL_CAP_DAMAGED);
    char want[600];
    snprintf(want, sizeof want, "%s: frame 3: truncated record (", cut);
    CU_ASSERT(strncmp(g.err, want, strlen(want)) == 0);
    CU_ASSERT_STRING_EQUAL(g.err_again, g.err);
    CU_ASSERT_EQUAL(g.st.packets, 2);
    got_free(&g);

    /* The file ends inside the third record header. */
    const char *cut2 = tmp_path("cut-hdr.pcap");
    copy_patched(wpath, cut2, 24 + 2 * rec + 5, 0, NULL, 0);
    read_all(cut2, &g);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(g.last == SL_CAP_DAMAGED);
    snprintf(want, sizeof want, "%s: frame 3: truncated record (", cut2);
    CU_ASSERT(strncmp(g.err, want, strlen(want)) == 0);
    got_free(&g);

    /* The second record header lies about its captured length. */
    const uint8_t huge[4] = {0xf0, 0xff, 0xff, 0x7f}; /* 0x7ffffff0, little-endian */
    const char *lie = tmp_path("lie.pcap");
    copy_patched(wpath, lie, size, 24 + rec + 8, huge, 4);
    read_all(lie, &g);
    CU_ASSERT_EQUAL(g.n, 1);
    CU_ASSERT(g.last == SL_CAP_DAMAGED);
    snprintf(want, sizeof want, "%s: frame 2: ", lie);
    CU_ASSERT(strncmp(g.err, want, strlen(want)) == 0);
    got_free(&g);
}

static void test_not_a_capture(void)
{
    char err[SL_CAP_ERRBUF];
    char want[600];

    put_text("notcap.txt", MSG);
    const char *p = tmp_path("notcap.txt");
    CU_ASSERT(sl_capture_open(p, err) == NULL);
    snprintf(want, sizeof want, "%s: ", p);
    CU_ASSERT(strncmp(err, want, strlen(want)) == 0);
    CU_ASSERT(strstr(err, "unknown file format") != NULL); /* libpcap's reason */

    put_text("empty.pcap", "");
    p = tmp_path("empty.pcap");
    CU_ASSERT(sl_capture_open(p, err) == NULL);
    snprintf(want, sizeof want, "%s: ", p);
    CU_ASSERT(strncmp(err, want, strlen(want)) == 0);

    p = tmp_path("no-such-file.pcap");
    CU_ASSERT(sl_capture_open(p, err) == NULL);
    snprintf(want, sizeof want, "%s: %s", p, strerror(ENOENT));
    CU_ASSERT_STRING_EQUAL(err, want);
}

/* ---- streams ------------------------------------------------------------------------------- */

static void test_stdin(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s",
             mkcap("stdin", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"
                            "udp 192.0.2.20:5060 > 192.0.2.10:5060 @1 msg.sip\n"));
    /* Feed the capture through a pipe, so the reader cannot seek. */
    int pfd[2];
    CU_ASSERT_FATAL(pipe(pfd) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        FILE *f = fopen(path, "rb");
        char b[4096];
        size_t n;
        while (f && (n = fread(b, 1, sizeof b, f)) > 0)
            if (write(pfd[1], b, n) != (ssize_t)n)
                _exit(1);
        _exit(0);
    }
    close(pfd[1]);
    int saved = dup(STDIN_FILENO); /* -1 if the test runs with stdin closed */
    if (pfd[0] != STDIN_FILENO) { /* with stdin closed, pipe() may already have used 0 */
        CU_ASSERT_FATAL(dup2(pfd[0], STDIN_FILENO) == STDIN_FILENO);
        close(pfd[0]);
    }

    got g;
    read_all("-", &g);
    CU_ASSERT(g.opened);
    CU_ASSERT(g.last == SL_CAP_EOF);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT(payload_is(&g, 1, MSG, MSG_LEN));
    CU_ASSERT_EQUAL(g.p[1].meta.frame_last, 2);
    /* Closing the capture closed its own descriptor, not the process's stdin. */
    CU_ASSERT(fcntl(STDIN_FILENO, F_GETFD) != -1);
    got_free(&g);

    if (saved >= 0) {
        CU_ASSERT(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
        close(saved);
    } else {
        close(STDIN_FILENO);
    }
    int st;
    waitpid(pid, &st, 0);

    /* The same through sl_capture_open_fp, and its message name for a bad stream. */
    char err[SL_CAP_ERRBUF];
    sl_capture *c = sl_capture_open_fp(fopen(path, "rb"), "memory", err);
    CU_ASSERT_FATAL(c != NULL);
    memset(&g, 0, sizeof g);
    drain(c, &g);
    sl_capture_close(c);
    CU_ASSERT_EQUAL(g.n, 2);
    got_free(&g);
    static char text[] = "this is not a capture";
    CU_ASSERT(sl_capture_open_fp(fmemopen(text, sizeof text - 1, "rb"), "memory", err) == NULL);
    CU_ASSERT(strncmp(err, "memory: ", 8) == 0);
}

/* ---- mkpcap's message handling --------------------------------------------------------------- */

static void test_mkpcap_message_files(void)
{
    /* @CL@ becomes the body length after LF -> CRLF; `lf` keeps the bytes as written. */
    put_text("cl.sip", "MESSAGE sip:b@example.com SIP/2.0\nContent-Length: @CL@\n\nab\ncd\n");
    got g;
    read_all(mkcap("cl", "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 cl.sip\n"
                         "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 cl.sip lf\n"),
             &g);
    static const char crlf[] =
        "MESSAGE sip:b@example.com SIP/2.0\r\nContent-Length: 8\r\n\r\nab\r\ncd\r\n";
    static const char lf[] = "MESSAGE sip:b@example.com SIP/2.0\nContent-Length: 6\n\nab\ncd\n";
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    CU_ASSERT(payload_is(&g, 0, crlf, sizeof crlf - 1));
    CU_ASSERT(payload_is(&g, 1, lf, sizeof lf - 1));
    got_free(&g);
}

/* ---- real captures --------------------------------------------------------------------------- */

/* Expected values were taken once with tshark 4.0.17 (tshark reassembles IP fragments too):
 *   tshark -r FILE -Y 'udp && !icmp && !icmpv6 && !ipv6.fraghdr' -T fields -e frame.number \
 *          -e frame.time_epoch -e udp.srcport -e udp.dstport -e udp.length
 * (payload length = udp.length - 8; frame count from `tshark -r FILE | wc -l`). */
typedef struct corpus_case {
    const char *file;
    uint64_t packets, skipped, fragments;
    unsigned n;
    const unsigned *frames; /* frame of each payload; NULL: 1..n */
    const unsigned *udp_len;
    uint8_t af;
    uint16_t sport0, dport0;  /* of the first payload */
    int64_t ts_sec0;
    uint32_t ts_nsec0;
} corpus_case;

static const unsigned hep6_len[] = {718, 456, 633, 503, 503, 449};
static const unsigned reqs_len[] = {706, 369, 632, 541};
static const unsigned resp_frames[] = {1, 2, 3, 4, 6, 7};
static const unsigned resp_len[] = {469, 470, 796, 419, 304, 328};
static const unsigned ipip_len[] = {1472, 328, 628, 569, 818, 570, 818, 570};
static const unsigned zeek_len[] = {9571, 9556};
static const unsigned frag_frames[] = {2,  3,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18,
                                       19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34};
static const unsigned frag_len[] = {1699, 430, 1879, 1215, 1101, 677, 758, 542, 451, 1094, 1171, 999,
                                    885,  1313, 1199, 740, 823, 542, 451, 1118, 1195, 1031,
                                    886,  854,  854,  718, 719, 802, 719, 802,  634,  524};
static const unsigned hello_len[] = {13, 13, 13,  13,  13,  13,  13,  13,  448, 521,
                                     627, 449, 13, 13,  13,  13,  13,  13,  13,  13,
                                     13, 13, 13,  13,  447, 520, 627, 449, 13,  13};

static const corpus_case corpus[] = {
    /* Ethernet, IPv6, 6 UDP frames. */
    {"data/heplify__sip_ipv6_udp.pcap", 6, 0, 0, 6, NULL, hep6_len, 6, 5060, 5060, 1328589362,
     251758000},
    /* Ethernet; frames 2 and 3 are IPv4 in PPPoE sessions. */
    {"data/pcapplusplus__sip_reqs.pcap", 4, 0, 0, 4, NULL, reqs_len, 4, 5060, 5061, 1105725482,
     965944000},
    /* Frame 5 is SIP over TCP: the TCP module's (tshark -Y udp: 6). */
    {"data/pcapplusplus__sip_resp.pcap", 7, 0, 0, 6, resp_frames, resp_len, 4, 5061, 5060,
     1105725482, 973833000},
    /* LINKTYPE_RAW. */
    {"data/heplify__ipip0.pcap", 8, 0, 0, 8, NULL, ipip_len, 4, 33489, 5060, 1774015992,
     783378000},
    /* LINKTYPE_IPV4, 9.5 KB datagrams. */
    {"data/zeek__sip-long-request-response-paths.pcap", 2, 0, 0, 2, NULL, zeek_len, 4, 50600,
     5060, 1786134717, 96083000},
    /* Linux SLL, IPv6; frames 1+2 and 4+5 are fragmented datagrams, reassembled at 2 and 5
     * (tshark: "Reassembled IPv6 in frame: 2", udp.length 2621 and 2612). */
    {"data/sngrep__ipv6frag.pcap", 34, 0, 4, 32, frag_frames, frag_len, 6, 15060, 5062,
     1647926426, 47912000},
    /* pcapng. */
    {"data/ndpi__sip_hello.pcapng", 30, 0, 0, 30, NULL, hello_len, 4, 5060, 5060, 1645515834,
     707950000},
};

static void test_corpus(void)
{
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        const corpus_case *k = &corpus[i];
        got g;
        read_all(k->file, &g);
        /* The UDP payloads (what TCP gives is the TCP module's and tested there). */
        const sl_payload *u[MAXP];
        unsigned nu = 0;
        for (unsigned j = 0; j < g.n && j < MAXP; j++)
            if (g.p[j].kind == SL_PAYLOAD_MESSAGE && g.p[j].meta.transport == SL_TP_UDP)
                u[nu++] = &g.p[j];
        int ok = g.opened && g.last == SL_CAP_EOF && nu == k->n &&
                 g.st.packets == k->packets && g.st.skipped == k->skipped &&
                 g.st.fragments == k->fragments && g.st.malformed == 0 && g.st.payloads == k->n;
        for (unsigned j = 0; ok && j < k->n; j++) {
            unsigned frame = k->frames ? k->frames[j] : j + 1;
            ok = u[j]->meta.frame_last == frame && u[j]->len == k->udp_len[j] - 8 &&
                 u[j]->meta.af == k->af && !(u[j]->meta.flags & SL_META_TRUNCATED);
        }
        ok = ok && u[0]->meta.sport == k->sport0 && u[0]->meta.dport == k->dport0 &&
             u[0]->meta.ts_sec == k->ts_sec0 && u[0]->meta.ts_nsec == k->ts_nsec0;
        if (!ok)
            fprintf(stderr, "\n  %s: %u payloads, %llu packets, %llu skipped (%s)\n", k->file,
                    g.n, (unsigned long long)g.st.packets, (unsigned long long)g.st.skipped,
                    g.err);
        CU_ASSERT(ok);
        got_free(&g);
    }

    /* Spot checks: the payloads are the SIP messages Wireshark shows. */
    got g;
    read_all("data/heplify__sip_ipv6_udp.pcap", &g);
    CU_ASSERT_FATAL(g.n == 6);
    CU_ASSERT(strncmp(g.p[0].data, "INVITE sip:", 11) == 0);
    /* Frame 5's time, 3215500952, is past 2038: unsigned in the file. */
    CU_ASSERT_EQUAL(g.p[4].meta.ts_sec, 3215500952LL);
    static const uint8_t fe80[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1a, 0xa0, 0xff,
                                     0xfe, 0x07, 0x32, 0xe0};
    CU_ASSERT(memcmp(g.p[0].meta.src, fe80, 16) == 0);
    got_free(&g);
    read_all("data/pcapplusplus__sip_reqs.pcap", &g); /* frame 2, through PPPoE */
    CU_ASSERT_FATAL(g.n == 4);
    static const uint8_t src2[4] = {178, 45, 73, 241};
    CU_ASSERT(memcmp(g.p[1].meta.src, src2, 4) == 0);
    CU_ASSERT_EQUAL(g.p[1].meta.sport, 1032);
    got_free(&g);
}

/* ---- hostile bytes --------------------------------------------------------------------------- */

/* Put every frame of a capture, cut to every length, and bit-flipped, right before a page that
 * may not be read: any read past the captured bytes faults at once (the picohttpparser trick).
 * Payloads handed out must lie inside the bytes given. */
static uint8_t *g_area; /* g_area + g_span is the first byte that may not be read */
static size_t g_span;

static void check_frame(sl_link link, const uint8_t *frame, size_t len, unsigned *n_ok)
{
    uint8_t *b = g_area + g_span - len;
    memcpy(b, frame, len);
    const uint8_t *ip;
    size_t ipl;
    sl_ip_pkt pkt;
    sl_udp_dgram u;
    if (sl_dec_link(link, b, len, &ip, &ipl) != SL_DEC_OK)
        return;
    CU_ASSERT(ip >= b && ip + ipl == b + len);
    sl_dec_rc rc = sl_dec_ip(ip, ipl, &pkt);
    if (rc != SL_DEC_OK && rc != SL_DEC_FRAGMENT)
        return;
    CU_ASSERT(pkt.payload >= ip && pkt.payload + pkt.payload_avail <= b + len);
    CU_ASSERT(pkt.payload_avail <= pkt.payload_len);
    if (rc != SL_DEC_OK || pkt.proto != 17 || sl_dec_udp(&pkt, &u) != SL_DEC_OK)
        return;
    CU_ASSERT(u.payload >= pkt.payload && u.payload + u.len <= b + len);
    CU_ASSERT(u.len <= u.wire_len);
    (*n_ok)++;
}

static void guard_capture(const char *path, sl_link link)
{
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, perr);
    CU_ASSERT_FATAL(p != NULL);
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned whole = 0, frames = 0;
    uint32_t rnd = 12345;
    uint8_t *m = malloc(65536);
    while (pcap_next_ex(p, &h, &d) == 1) {
        frames++;
        unsigned before = whole;
        check_frame(link, d, h->caplen, &whole);
        CU_ASSERT(whole == before + 1); /* every frame of these captures is a UDP datagram */
        unsigned dummy = 0;
        for (size_t l = 0; l < h->caplen; l++)
            check_frame(link, d, l, &dummy);
        for (int k = 0; k < 200; k++) {
            memcpy(m, d, h->caplen);
            for (int f = 0; f < 3; f++) {
                rnd = rnd * 1103515245u + 12345u;
                size_t at = (rnd >> 8) % (h->caplen < 120 ? h->caplen : 120);
                m[at] ^= (uint8_t)(1u << ((rnd >> 4) & 7));
            }
            rnd = rnd * 1103515245u + 12345u;
            check_frame(link, m, h->caplen - (rnd >> 16) % 64 % (h->caplen + 1), &dummy);
        }
    }
    free(m);
    pcap_close(p);
    CU_ASSERT(frames > 0);
}

static void test_guard_pages(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    g_span = ((65536 + 256) / page + 1) * page; /* room for any frame */
    uint8_t *area = mmap(NULL, g_span + page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(area != MAP_FAILED);
    CU_ASSERT_FATAL(mprotect(area + g_span, page, PROT_NONE) == 0);
    g_area = area;

    guard_capture(mkcap("g-eth", "vlan 7 udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"
                                 "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0 msg.sip "
                                 "v6ext=hbh,rt,dst,frag\n"
                                 "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip ipopts=2\n"),
                  SL_LINK_ETHERNET);
    guard_capture(mkcap("g-sll", "linktype sll\n"
                                 "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0 msg.sip\n"),
                  SL_LINK_SLL);
    guard_capture(mkcap("g-sll2", "linktype sll2\n"
                                  "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"),
                  SL_LINK_SLL2);
    guard_capture(mkcap("g-null", "linktype null\n"
                                  "udp [2001:db8::1]:5060 > [2001:db8::2]:5060 @0 msg.sip\n"),
                  SL_LINK_NULL);
    guard_capture(mkcap("g-raw", "linktype raw\n"
                                 "udp 192.0.2.10:5060 > 192.0.2.20:5060 @0 msg.sip\n"),
                  SL_LINK_RAW);
    guard_capture("data/pcapplusplus__sip_reqs.pcap", SL_LINK_ETHERNET); /* PPPoE */
    munmap(area, g_span + page);
}

/* Direct checks of decoder corner cases that are awkward to put in a capture. */
static void test_decoder_corners(void)
{
    const uint8_t *ip;
    size_t ipl;
    sl_ip_pkt pkt;
    sl_udp_dgram u;

    /* BSD loopback: either byte order; unknown families are skipped, not malformed. */
    static const uint8_t null_be[] = {0, 0, 0, 2, 0x45};
    static const uint8_t null_le[] = {30, 0, 0, 0, 0x60};
    static const uint8_t null_x[] = {7, 0, 0, 0, 0x45};
    CU_ASSERT(sl_dec_link(SL_LINK_NULL, null_be, 5, &ip, &ipl) == SL_DEC_OK && ipl == 1);
    CU_ASSERT(sl_dec_link(SL_LINK_NULL, null_le, 5, &ip, &ipl) == SL_DEC_OK && ip == null_le + 4);
    CU_ASSERT(sl_dec_link(SL_LINK_NULL, null_x, 5, &ip, &ipl) == SL_DEC_SKIP);
    CU_ASSERT(sl_dec_link(SL_LINK_NULL, null_be, 3, &ip, &ipl) == SL_DEC_SHORT);
    /* LINKTYPE_IPV4 must carry IPv4. */
    CU_ASSERT(sl_dec_link(SL_LINK_IPV4, null_le + 4, 1, &ip, &ipl) == SL_DEC_MALFORMED);
    CU_ASSERT(sl_dec_link(SL_LINK_IPV6, null_le + 4, 1, &ip, &ipl) == SL_DEC_OK);
    /* SLL netlink frames (ARPHRD 824) are not IP whatever their protocol field says. */
    static const uint8_t sll_nl[16] = {0, 0, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0};
    CU_ASSERT(sl_dec_link(SL_LINK_SLL, sll_nl, 16, &ip, &ipl) == SL_DEC_SKIP);

    /* IPv6 whose extension header claims more than the payload length: malformed; one that the
     * capture cut: short. */
    uint8_t v6[48] = {0x60, 0, 0, 0, 0, 8, 0 /* hop-by-hop */, 64};
    v6[40] = 17;
    v6[41] = 1; /* 16 bytes, but the payload is 8 */
    CU_ASSERT(sl_dec_ip(v6, sizeof v6, &pkt) == SL_DEC_MALFORMED);
    v6[41] = 0;
    CU_ASSERT(sl_dec_ip(v6, 44, &pkt) == SL_DEC_SHORT);
    CU_ASSERT(sl_dec_ip(v6, sizeof v6, &pkt) == SL_DEC_OK && pkt.proto == 17 &&
              pkt.payload_len == 0);
    CU_ASSERT(sl_dec_udp(&pkt, &u) == SL_DEC_MALFORMED); /* no room for a UDP header */
    /* An unknown IP version. */
    static const uint8_t v5[20] = {0x55};
    CU_ASSERT(sl_dec_ip(v5, sizeof v5, &pkt) == SL_DEC_MALFORMED);

    /* IPv4: a header length below 20 bytes is malformed; options the capture cut are short. */
    uint8_t v4[28] = {0x44, 0, 0, 28, 0, 0, 0, 0, 64, 17};
    CU_ASSERT(sl_dec_ip(v4, sizeof v4, &pkt) == SL_DEC_MALFORMED);
    v4[0] = 0x47; /* 28-byte header */
    CU_ASSERT(sl_dec_ip(v4, 24, &pkt) == SL_DEC_SHORT);
    CU_ASSERT(sl_dec_ip(v4, sizeof v4, &pkt) == SL_DEC_OK && pkt.payload == v4 + 28 &&
              pkt.payload_len == 0);

    /* IPv6 Authentication Header: its length is in 32-bit words, minus 2 (RFC 4302 §2.2). */
    uint8_t ah[40 + 16 + 8] = {0x60, 0, 0, 0, 0, 24, 51, 64};
    ah[40] = 17;
    ah[41] = 2; /* (2 + 2) * 4 = 16 bytes */
    ah[56 + 4] = 0;
    ah[56 + 5] = 8; /* UDP length 8 */
    CU_ASSERT(sl_dec_ip(ah, sizeof ah, &pkt) == SL_DEC_OK && pkt.proto == 17 &&
              pkt.payload == ah + 56 && pkt.payload_len == 8);
    CU_ASSERT(sl_dec_udp(&pkt, &u) == SL_DEC_OK && u.wire_len == 0);

    /* The pre-standard 0x9100 double tag is followed like 802.1Q/802.1ad; SLL2 netlink is
     * skipped. */
    static const uint8_t q9100[] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 0x91, 0x00,
                                    0,  5, 0x86, 0xdd, 0x60};
    CU_ASSERT(sl_dec_link(SL_LINK_ETHERNET, q9100, sizeof q9100, &ip, &ipl) == SL_DEC_OK &&
              ip == q9100 + 18 && ipl == 1);
    static const uint8_t sll2_nl[20] = {0x08, 0, 0, 0, 0, 0, 0, 1, 0x03, 0x38};
    CU_ASSERT(sl_dec_link(SL_LINK_SLL2, sll2_nl, 20, &ip, &ipl) == SL_DEC_SKIP);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("capture", suite_init, suite_clean);
    if (s == NULL)
        return 2;
    CU_add_test(s, "Ethernet, IPv4: payload and meta", test_ethernet_ipv4);
    CU_add_test(s, "every link type, IPv4 and IPv6", test_link_types);
    CU_add_test(s, "unsupported link type is counted", test_unsupported_link);
    CU_add_test(s, "pcapng with mixed link types", test_mixed_pcapng);
    CU_add_test(s, "VLAN tags", test_vlan);
    CU_add_test(s, "IPv4 options, padding, fragments", test_ipv4_options_padding_fragments);
    CU_add_test(s, "IPv6 extension headers and fragments", test_ipv6_extension_headers);
    CU_add_test(s, "IPv4 fragments: order, duplicates, overlaps", test_frag_ipv4);
    CU_add_test(s, "IPv6 fragments, timeouts, snap length", test_frag_ipv6_timeout_cut);
    CU_add_test(s, "fragment limits and refusals", test_frag_limits);
    CU_add_test(s, "tunnels: IP-in-IP, GRE, ERSPAN, GTP-U, VXLAN", test_tunnels);
    CU_add_test(s, "tunnel nesting bound", test_tunnel_depth);
    CU_add_test(s, "pcapng: interfaces, byte orders, damage", test_pcapng);
    CU_add_test(s, "UDP keep-alives give no finding", test_keepalives);
    CU_add_test(s, "frame numbering counts every record", test_frame_numbering);
    CU_add_test(s, "time stamps: usec, nsec, after 2038", test_timestamps);
    CU_add_test(s, "snap length cut flags the payload", test_snaplen_cut);
    CU_add_test(s, "lying IP/UDP lengths are malformed", test_lying_lengths);
    CU_add_test(s, "damaged files name the frame", test_damaged_files);
    CU_add_test(s, "non-capture files are rejected", test_not_a_capture);
    CU_add_test(s, "standard input and streams", test_stdin);
    CU_add_test(s, "mkpcap: @CL@ and line ends", test_mkpcap_message_files);
    CU_add_test(s, "real captures match tshark", test_corpus);
    CU_add_test(s, "guard pages: no read past the frame", test_guard_pages);
    CU_add_test(s, "decoder corner cases", test_decoder_corners);
    return sl_cu_run();
}
