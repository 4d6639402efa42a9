/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parser benchmark: parse-and-index throughput (and full engine throughput) on a realistic mix. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "siplint/engine.h"
#include "siplint/sip.h"

/* The mix: pager-mode MESSAGEs small and large, compact forms, a signed multipart body, an INVITE
 * with SDP, a REGISTER through a Path-adding proxy and responses. Weights are per 16 messages. */
static const char *const HDR_MSG =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds%d;rport\r\n"
    "Via: SIP/2.0/TCP proxy.example.net;branch=z9hG4bKpx%d\r\n"
    "Max-Forwards: 69\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=49583%d\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: a84b4c76e66710%d@pc33.example.com\r\n"
    "CSeq: %d MESSAGE\r\n"
    "Date: Sat, 15 Oct 2005 04:44:56 GMT\r\n"
    "Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>\r\n"
    "User-Agent: bench/1.0\r\n"
    "Content-Type: text/plain;charset=UTF-8\r\n"
    "Content-Length: %zu\r\n\r\n";

static const char *const COMPACT =
    "MESSAGE sip:+15551234567@ims.example.com SIP/2.0\r\n"
    "v: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bKc%d\r\n"
    "Max-Forwards: 70\r\n"
    "f: <sip:+15557654321@ims.example.com>;tag=c%d\r\n"
    "t: <sip:+15551234567@ims.example.com>\r\n"
    "i: cpt%d@2001:db8::1\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "k: path, gruu\r\n"
    "c: application/vnd.3gpp.sms\r\n"
    "l: %zu\r\n\r\n";

static const char *const SIGNED =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TLS client.example.com:5061;branch=z9hG4bKs%d\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sips:alice@example.com>;tag=s%d\r\n"
    "To: <sips:bob@example.com>\r\n"
    "Call-ID: sig%d@client.example.com\r\n"
    "CSeq: 7 MESSAGE\r\n"
    "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=bnd\r\n"
    "Content-Length: %zu\r\n\r\n";

static const char *const INVITE =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKi%d\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=i%d\r\n"
    "Call-ID: inv%d@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, MESSAGE\r\n"
    "Supported: timer, 100rel\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: %zu\r\n\r\n";

static const char *const REGISTER =
    "REGISTER sip:registrar.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP edge.example.net;branch=z9hG4bKe%d\r\n"
    "Via: SIP/2.0/UDP 192.0.2.55:5060;branch=z9hG4bKr%d;received=192.0.2.55\r\n"
    "Max-Forwards: 69\r\n"
    "From: <sip:carol@example.com>;tag=r%d\r\n"
    "To: <sip:carol@example.com>\r\n"
    "Call-ID: reg%d@192.0.2.55\r\n"
    "CSeq: 2 REGISTER\r\n"
    "Supported: path\r\n"
    "Path: <sip:edge.example.net;lr>\r\n"
    "Contact: <sip:carol@192.0.2.55:5060>;expires=3600\r\n"
    "Content-Length: %zu\r\n\r\n";

static const char *const OK =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds%d;rport=5060;received=192.0.2.10\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=49583%d\r\n"
    "To: <sip:bob@example.com>;tag=ab%d\r\n"
    "Call-ID: a84b4c76e66710%d@pc33.example.com\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Length: %zu\r\n\r\n";

static char *arena;
static size_t used, cap;
static size_t *offs;
static size_t n_msgs, cap_msgs;

static void add(const char *fmt, int k, const char *body)
{
    size_t bl = strlen(body);
    char head[2048];
    int hl = snprintf(head, sizeof head, fmt, k, k, k, k, k, bl);
    if (used + (size_t)hl + bl > cap) {
        cap = (used + (size_t)hl + bl) * 2;
        arena = realloc(arena, cap);
    }
    if (n_msgs == cap_msgs) {
        cap_msgs = cap_msgs ? cap_msgs * 2 : 1024;
        offs = realloc(offs, (cap_msgs + 1) * sizeof *offs);
    }
    offs[n_msgs++] = used;
    memcpy(arena + used, head, (size_t)hl);
    memcpy(arena + used + hl, body, bl);
    used += (size_t)hl + bl;
    offs[n_msgs] = used;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long sink_count;
static void sink(const sl_finding *f, void *u)
{
    (void)f;
    (void)u;
    sink_count++;
}

int main(int argc, char **argv)
{
    size_t target = (argc > 1 ? (size_t)atol(argv[1]) : 256) << 20; /* MiB of messages */
    char big[1500], small[] = "Hello Bob, lunch at noon?", sms[180];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    memset(sms, 'A', sizeof sms - 1);
    sms[sizeof sms - 1] = 0;
    const char *sig_body =
        "--bnd\r\nContent-Type: text/plain\r\n\r\nHello\r\n--bnd\r\n"
        "Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "MIIBUAYJKoZIhvcNAQcCoIIBQTCCAT0CAQExDzANBglghkgBZQMEAgEFADALBgkqhkiG9w0BBwExggEYMIIB\r\n"
        "--bnd--\r\n";
    const char *sdp = "v=0\r\no=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\ns=-\r\n"
                      "c=IN IP4 pc33.atlanta.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    for (int k = 0; used < target; k++) {
        add(HDR_MSG, k, small);
        add(OK, k, "");
        add(HDR_MSG, k, big);
        add(OK, k, "");
        add(COMPACT, k, sms);
        add(OK, k, "");
        add(SIGNED, k, sig_body);
        add(INVITE, k, sdp);
        add(REGISTER, k, "");
        add(OK, k, "");
    }
    printf("corpus: %zu messages, %.1f MiB, mean %.0f bytes\n", n_msgs, used / 1048576.0,
           (double)used / (double)n_msgs);

    sl_parser ps;
    sl_parser_init(&ps);
    sl_msg m;
    size_t hdrs = 0;
    double best = 1e9;
    for (int run = 0; run < 5; run++) {
        double t0 = now();
        hdrs = 0;
        for (size_t i = 0; i < n_msgs; i++) {
            sl_parse(&ps, arena + offs[i], offs[i + 1] - offs[i], SL_FRAME_DATAGRAM, &m);
            hdrs += m.n_hdrs;
        }
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("parse+index:  best of 5 %.3f s  %.0f msg/s  %.0f MB/s  (%zu header rows)\n", best,
           n_msgs / best, used / best / 1e6, hdrs);

    sl_engine *e = sl_engine_new(NULL, sink, NULL);
    sl_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.transport = SL_TP_UDP;
    best = 1e9;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        for (size_t i = 0; i < n_msgs; i++) {
            meta.frame_first = meta.frame_last = i + 1;
            sl_engine_feed(e, arena + offs[i], offs[i + 1] - offs[i], &meta, NULL);
        }
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("engine (parse + all rules): best of 3 %.3f s  %.0f msg/s  %.0f MB/s  (%llu findings)\n",
           best, n_msgs / best, used / best / 1e6, sink_count / 3);
    sl_engine_free(e);
    sl_parser_free(&ps);
    free(arena);
    free(offs);
    return 0;
}
