/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers of the fuzz harnesses: the libFuzzer entry point and checks that abort. */
#ifndef SIPLINT_FUZZ_H
#define SIPLINT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "siplint/engine.h"

/* The libFuzzer entry point every harness defines; driver.c calls it without libFuzzer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the code under test promises: a broken one is a bug, reported as a crash. */
#define FZ_CHECK(cond)                                                                       \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* Touch every byte of a span so that AddressSanitizer sees a span that leaves its buffer. */
static inline unsigned fz_touch(const char *p, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31u + (unsigned char)p[i];
    return h;
}

/* A sink that reads everything a finding points at (the renderers do the same). */
static inline void fz_sink(const sl_finding *f, void *user)
{
    unsigned *acc = user;
    FZ_CHECK(f->rule != NULL && f->message != NULL);
    FZ_CHECK(f->severity >= SL_SEV_NOTE && f->severity <= SL_SEV_ERROR);
    FZ_CHECK(f->n_related <= SL_MAX_RELATED);
    unsigned h = fz_touch(f->message, __builtin_strlen(f->message));
    h += fz_touch(f->rule->id, __builtin_strlen(f->rule->id));
    h += fz_touch(f->call_id.p, f->call_id.len);
    h += fz_touch(f->cseq_method.p, f->cseq_method.len);
    h += fz_touch(f->start_line.p, f->start_line.len);
    if (acc)
        *acc += h;
}

/* An engine with the default configuration and a small transaction table: creating the
 * default 65536-slot tracker for every input would dominate the run (and under ASan costs
 * milliseconds), and a small table reaches the tracker's eviction paths. */
static inline sl_engine *fz_engine_new(unsigned *acc)
{
    sl_config cfg;
    sl_config_default(&cfg);
    cfg.max_transactions = 16;
    return sl_engine_new(&cfg, fz_sink, acc);
}

/* Deterministic splits: xorshift64 seeded from the input (FNV-1a), so that a crash replays. */
static inline uint64_t fz_seed(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++) {
        h ^= data[i];
        h *= 0x100000001b3ULL;
    }
    return h ? h : 1;
}

static inline uint64_t fz_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif
