/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 4475 / RFC 5118 torture messages: each gives the findings tests/torture/expected.tsv
 * demands (and none it forbids). */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "siplint/engine.h"
#include "cu_run.h"

typedef struct seen {
    char items[64][48]; /* "RULE:severity" */
    size_t n;
} seen;

static void sink(const sl_finding *f, void *user)
{
    seen *s = user;
    if (s->n < 64)
        snprintf(s->items[s->n++], sizeof s->items[0], "%s:%s", f->rule->id, sl_severity_name(f->severity));
}


static int has(const seen *s, const char *item)
{
    /* "RULE:severity" matches exactly; "RULE" alone matches any severity */
    size_t n = strlen(item);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i], item) == 0 || (strchr(item, ':') == NULL && strncmp(s->items[i], item, n) == 0 &&
                                               s->items[i][n] == ':'))
            return 1;
    return 0;
}

static char *field(char **cursor)
{
    char *s = *cursor;
    if (!s)
        return NULL;
    char *t = strchr(s, '\t');
    if (t) {
        *t = 0;
        *cursor = t + 1;
    } else {
        *cursor = NULL;
    }
    return s;
}

static void test_expected(void)
{
    FILE *fp = fopen("tests/torture/expected.tsv", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    char line[4096];
    size_t cases = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        char *cur = line;
        char *file = field(&cur), *cls = field(&cur), *present = field(&cur), *absent = field(&cur);
        if (!file || !cls || !present || !absent || strcmp(file, "file") == 0)
            continue;
        char path[4200];
        snprintf(path, sizeof path, "tests/torture/%s", file);
        FILE *mf = fopen(path, "rb");
        if (!mf) {
            sl_cu_fail(path, 0, "cannot open");
            continue;
        }
        static char data[1 << 16];
        size_t n = fread(data, 1, sizeof data, mf);
        fclose(mf);
        seen s = {0};
        sl_engine *e = sl_engine_new(NULL, sink, &s);
        sl_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.frame_first = meta.frame_last = 1;
        meta.transport = SL_TP_UDP;
        sl_engine_feed(e, data, n, &meta, NULL);
        sl_engine_free(e);
        cases++;
        char *tok, *save;
        for (tok = strtok_r(present, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
            if (strcmp(tok, "-") != 0 && !has(&s, tok))
                sl_cu_fail(path, 0, "expected %s, not reported", tok);
        for (tok = strtok_r(absent, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
            if (strcmp(tok, "-") != 0 && has(&s, tok))
                sl_cu_fail(path, 0, "%s reported, but the message must not get it", tok);
        CU_PASS(path);
    }
    fclose(fp);
    CU_ASSERT(cases >= 49 + 12 + 12);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("torture", NULL, NULL);
    CU_add_test(s, "RFC 4475 and RFC 5118 verdicts", test_expected);
    return sl_cu_run();
}
