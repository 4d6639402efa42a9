/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stream that gives back the bytes already read to recognise a format, then the rest. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "capture.h"

typedef struct replay {
    FILE *under;
    int keep_under;
    size_t n, pos;
    unsigned char head[SL_REPLAY_MAX];
} replay;

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    replay *p = cookie;
    size_t got = 0;
    while (got < size && p->pos < p->n)
        buf[got++] = (char)p->head[p->pos++];
    if (got < size)
        got += fread(buf + got, 1, size - got, p->under);
    if (got == 0 && ferror(p->under))
        return -1;
    return (ssize_t)got;
}

static int replay_close(void *cookie)
{
    replay *p = cookie;
    int rc = p->keep_under ? 0 : fclose(p->under);
    free(p);
    return rc;
}

FILE *sl_replay_stream(FILE *under, const void *head, size_t n, int keep_under)
{
    if (n > SL_REPLAY_MAX)
        return NULL;
    replay *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->under = under;
    p->keep_under = keep_under;
    memcpy(p->head, head, n);
    p->n = n;
    cookie_io_functions_t io = {.read = replay_read, .close = replay_close};
    FILE *f = fopencookie(p, "rb", io);
    if (f == NULL)
        free(p);
    return f;
}
