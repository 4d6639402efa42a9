/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reader of rule fixture files (tests/rules/<ID>.md): SIP messages with their expected findings. */
#ifndef SIPLINT_TEST_FIXTURE_H
#define SIPLINT_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "siplint/engine.h"

/* One expected finding: "RULE-ID severity [@N] [rel=A,B]". @N names the message (its frame,
 * counted from 1 in the case) where the finding must be reported; rel= the related frames it
 * must name (in any order). Without @N the finding may come at any message of the case. */
typedef struct fx_expect {
    char rule[32];
    sl_severity sev;
    uint64_t frame;       /* 0 = any */
    uint64_t related[4];
    unsigned n_related;
    int check_related;    /* rel= was given */
} fx_expect;

/* One message of a case. A case holds one `sip` block or several, fed in order as frames 1, 2...
 * The block's info string gives its capture facts (all optional):
 *   transport=udp|tcp|...  (default udp)
 *   t=SECONDS              capture time after the fixture epoch 1700000000 (Tue, 14 Nov 2023
 *                          22:13:20 GMT); default: 0 for the first message, then 10 ms after the
 *                          previous one
 *   A>B                    direction: host letters A..W stand for 192.0.2.10, .20, ... .230,
 *                          port 5060 (default A>B)
 *   src=IP:PORT dst=IP:PORT  explicit IPv4 addresses
 *   lf, noeol              rendering, as before */
typedef struct fx_msg {
    char *msg;            /* rendered bytes (malloc) */
    size_t len;
    sl_transport tp;
    int64_t t_ns;         /* after the epoch */
    uint8_t src[4], dst[4];
    uint16_t sport, dport;
    int line;
} fx_msg;

#define FX_EPOCH 1700000000

typedef struct fx_case {
    char name[256];
    int line;             /* line of the case's heading */
    char *msg;            /* the first message's bytes (= msgs[0].msg) */
    size_t len;
    sl_transport tp;
    fx_msg *msgs;         /* every message, in order (malloc) */
    size_t n_msgs;
    fx_expect *expect;    /* malloc */
    size_t n_expect;
    int none;             /* "none": no finding of the file's rule */
    unsigned path_mtu;    /* "path_mtu=N" on the sip fence: sl_config.path_mtu (0 = default) */
} fx_case;

/* Load every case of a fixture file. Returns 0, or -1 with a sentence in err naming file and
 * line. The caller frees with fx_free. */
int fx_load(const char *path, fx_case **cases, size_t *n, char *err, size_t errlen);
void fx_free(fx_case *cases, size_t n);

/* Render a template block (placeholders: CL, PAD-TO(N), X(N), NUL, each between @ signs) into bytes.
 * Lines are joined with CRLF unless lf; a line end follows the last line unless noeol. */
int fx_render(const char *const *lines, size_t n_lines, int lf, int noeol, char **out, size_t *out_len,
              char *err, size_t errlen);

#endif
