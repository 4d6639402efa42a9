/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reader of rule fixture files (tests/rules/<ID>.md): SIP messages with their expected findings. */
#ifndef SIPLINT_TEST_FIXTURE_H
#define SIPLINT_TEST_FIXTURE_H

#include <stddef.h>

#include "siplint/engine.h"

typedef struct fx_expect {
    char rule[32];
    sl_severity sev;
} fx_expect;

typedef struct fx_case {
    char name[256];
    int line;             /* line of the case's heading */
    char *msg;            /* rendered message bytes (malloc) */
    size_t len;
    sl_transport tp;
    fx_expect *expect;    /* malloc */
    size_t n_expect;
    int none;             /* "none": no finding of the file's rule */
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
