/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared CUnit plumbing for the unit suites: run the registry, report a formatted failure. */
#ifndef SIPLINT_CU_RUN_H
#define SIPLINT_CU_RUN_H

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Failure texts handed to CUnit, which keeps but never frees them: freed after the run, so that
 * LeakSanitizer stays quiet when a test fails (each suite is one translation unit). */
static char **sl_cu_texts;
static size_t sl_cu_ntexts;

/* Run every registered suite verbosely; the process's exit status: 0 all passed, 1 otherwise. */
static inline int sl_cu_run(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
                      CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    for (size_t i = 0; i < sl_cu_ntexts; i++)
        free(sl_cu_texts[i]);
    free(sl_cu_texts);
    sl_cu_texts = NULL;
    sl_cu_ntexts = 0;
    return failed ? 1 : 0;
}

/* Record a failed assertion with a formatted sentence (also printed at once, so that a long run
 * shows where it failed). */
static inline void sl_cu_fail(const char *where, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void sl_cu_fail(const char *where, int line, const char *fmt, ...)
{
    char *msg = malloc(2048); /* CUnit keeps the text until the run ends */
    char **texts = realloc(sl_cu_texts, (sl_cu_ntexts + 1) * sizeof *texts);
    if (!msg || !texts)
        abort();
    sl_cu_texts = texts;
    sl_cu_texts[sl_cu_ntexts++] = msg;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, 2048, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  FAIL %s:%d: %s\n", where, line, msg);
    CU_assertImplementation(CU_FALSE, (unsigned)line, msg, where, "", CU_FALSE);
}

#endif
