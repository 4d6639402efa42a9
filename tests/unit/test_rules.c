/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rule fixtures: every rule's tests/rules/<ID>.md cases give exactly the findings they expect;
 * every rule has fixtures and a doc page listed in the docs index. */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "siplint/engine.h"
#include "cu_run.h"

typedef struct found {
    const sl_rule *rule;
    sl_severity sev;
    uint64_t frame;
    uint64_t related[SL_MAX_RELATED];
    unsigned n_related;
    char msg[256];
} found;

typedef struct collect {
    found items[64];
    size_t n;
} collect;

static void sink(const sl_finding *f, void *user)
{
    collect *c = user;
    if (c->n < 64) {
        c->items[c->n].rule = f->rule;
        c->items[c->n].sev = f->severity;
        c->items[c->n].frame = f->frame;
        c->items[c->n].n_related = f->n_related;
        memcpy(c->items[c->n].related, f->related, sizeof f->related);
        snprintf(c->items[c->n].msg, sizeof c->items[0].msg, "%s", f->message);
        c->n++;
    }
}


static int is_relevant(const fx_case *c, const char *file_rule, const char *id)
{
    if (strcmp(id, file_rule) == 0)
        return 1;
    for (size_t i = 0; i < c->n_expect; i++)
        if (strcmp(c->expect[i].rule, id) == 0)
            return 1;
    return 0;
}

/* @N: the finding's frame; rel=: exactly these related frames, in any order. */
static int frame_matches(const fx_expect *x, const found *f)
{
    if (x->frame && x->frame != f->frame)
        return 0;
    if (!x->check_related)
        return 1;
    if (x->n_related != f->n_related)
        return 0;
    for (unsigned i = 0; i < x->n_related; i++) {
        int hit = 0;
        for (unsigned j = 0; j < f->n_related; j++)
            hit |= x->related[i] == f->related[j];
        if (!hit)
            return 0;
    }
    return 1;
}

static void run_case(const char *path, const char *rule, const fx_case *c)
{
    collect got = {0};
    sl_config cfg;
    sl_config_default(&cfg);
    if (c->path_mtu)
        cfg.path_mtu = c->path_mtu;
    sl_engine *e = sl_engine_new(&cfg, sink, &got);
    /* the case's messages in order, as frames 1, 2, ... with their capture facts */
    for (size_t i = 0; i < c->n_msgs; i++) {
        const fx_msg *fm = &c->msgs[i];
        sl_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.frame_first = meta.frame_last = i + 1;
        meta.transport = fm->tp;
        meta.ts_sec = FX_EPOCH + fm->t_ns / 1000000000;
        meta.ts_nsec = (uint32_t)(fm->t_ns % 1000000000);
        meta.af = 4;
        memcpy(meta.src, fm->src, 4);
        memcpy(meta.dst, fm->dst, 4);
        meta.sport = fm->sport;
        meta.dport = fm->dport;
        sl_engine_feed(e, fm->msg, fm->len, &meta, NULL);
    }
    sl_engine_free(e);

    /* multiset comparison over the relevant rules */
    int used[64] = {0};
    char report[1536];
    size_t o = 0;
    int ok = 1;
    for (size_t i = 0; i < c->n_expect; i++) {
        int hit = 0;
        for (size_t k = 0; k < got.n; k++) {
            if (!used[k] && strcmp(got.items[k].rule->id, c->expect[i].rule) == 0 &&
                got.items[k].sev == c->expect[i].sev && frame_matches(&c->expect[i], &got.items[k])) {
                used[k] = hit = 1;
                break;
            }
        }
        if (!hit) {
            ok = 0;
            if (o > sizeof report - 300)
                continue;
            o += (size_t)snprintf(report + o, sizeof report - o, " missing: %s %s", c->expect[i].rule,
                                  sl_severity_name(c->expect[i].sev));
            if (c->expect[i].frame)
                o += (size_t)snprintf(report + o, sizeof report - o, " @%llu",
                                      (unsigned long long)c->expect[i].frame);
            o += (size_t)snprintf(report + o, sizeof report - o, ";");
        }
    }
    for (size_t k = 0; k < got.n && o < sizeof report - 300; k++) {
        if (used[k] || !is_relevant(c, rule, got.items[k].rule->id))
            continue;
        ok = 0;
        o += (size_t)snprintf(report + o, sizeof report - o, " unexpected: %s %s @%llu (%s);",
                              got.items[k].rule->id, sl_severity_name(got.items[k].sev),
                              (unsigned long long)got.items[k].frame, got.items[k].msg);
    }
    if (!ok)
        sl_cu_fail(path, c->line, "case '%s':%s", c->name, report);
    else
        CU_PASS("case matches");
}

static void run_rule_file(const char *rule)
{
    char path[256], err[512];
    snprintf(path, sizeof path, "tests/rules/%s.md", rule);
    fx_case *cases;
    size_t n;
    if (fx_load(path, &cases, &n, err, sizeof err) != 0) {
        sl_cu_fail(path, 0, "%s", err);
        return;
    }
    size_t triggers = 0, misses = 0;
    for (size_t i = 0; i < n; i++) {
        run_case(path, rule, &cases[i]);
        int fires = 0;
        for (size_t k = 0; k < cases[i].n_expect; k++)
            fires |= strcmp(cases[i].expect[k].rule, rule) == 0;
        fires ? triggers++ : misses++;
    }
    /* every rule: at least one message that triggers it and one near-miss that must not */
    if (triggers < 1 || misses < 1)
        sl_cu_fail(path, 0, "%zu triggering and %zu near-miss cases; at least one of each is required",
             triggers, misses);
    fx_free(cases, n);
}

/* One CUnit test per message rule, generated from the rule table. */
#define SL_RULE(sym, id, sev, group, rfc, summary) \
    static void __attribute__((unused)) test_##sym(void) { run_rule_file(id); }
#include "siplint/rules.def"
#undef SL_RULE

static int file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

/* Every rule has a doc page, and the docs index lists every rule with its table severity. */
static void test_docs(void)
{
    for (size_t i = 0; i < sl_rule_count(); i++) {
        const sl_rule *r = sl_rule_at(i);
        char path[256], needle[128];
        snprintf(path, sizeof path, "docs/rules/%s.md", r->id);
        snprintf(needle, sizeof needle, "# %s", r->id);
        if (file_contains(path, needle) != 1)
            sl_cu_fail(path, 0, "doc page missing or without its '# %s' title", r->id);
        snprintf(needle, sizeof needle, "[%s](%s.md)", r->id, r->id);
        if (file_contains("docs/rules/README.md", needle) != 1)
            sl_cu_fail("docs/rules/README.md", 0, "the index does not link %s", r->id);
        else
            CU_PASS("documented");
    }
}

/* The fixture reader itself: placeholders render as documented. */
static void test_render(void)
{
    const char *lines[] = {"MESSAGE sip:a@b SIP/2.0", "Content-Length: @CL@", "", "hi @PAD-TO(100)@"};
    char *out, err[128];
    size_t len;
    CU_ASSERT_EQUAL_FATAL(fx_render(lines, 4, 0, 0, &out, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(len, 100);
    const char *body = strstr(out, "\r\n\r\n") + 4;
    char cl[32];
    snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", len - (size_t)(body - out));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, cl));
    CU_ASSERT_EQUAL(out[len - 1], '\n');
    free(out);
    const char *l2[] = {"A", "B@NUL@@X(3)@"};
    CU_ASSERT_EQUAL_FATAL(fx_render(l2, 2, 1, 1, &out, &len, err, sizeof err), 0);
    CU_ASSERT_EQUAL(len, 7);
    CU_ASSERT_EQUAL(memcmp(out, "A\nB\0xxx", 7), 0);
    free(out);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("rule fixtures", NULL, NULL);
#define SL_RULE(sym, id, sev, group, rfc, summary) \
    if (strncmp(id, "CAP-", 4) != 0) /* capture rules are proven with captures */ \
        CU_add_test(s, id, test_##sym);
#include "siplint/rules.def"
#undef SL_RULE
    CU_pSuite d = CU_add_suite("docs and harness", NULL, NULL);
    CU_add_test(d, "every rule documented", test_docs);
    CU_add_test(d, "fixture placeholders", test_render);
    return sl_cu_run();
}
