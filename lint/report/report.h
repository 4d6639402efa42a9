/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderers of findings for the command-line tool: text and JSON Lines. */
#ifndef SIPLINT_REPORT_H
#define SIPLINT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "siplint/engine.h"

typedef enum sl_format { SL_FMT_TEXT = 0, SL_FMT_JSONL } sl_format;

/* Totals for the closing summary. */
typedef struct sl_totals {
    uint64_t files;
    uint64_t packets;
    uint64_t sip_messages;
    uint64_t findings;
    uint64_t by_severity[4];
    uint64_t by_rule[SL_RULE__COUNT];
    uint64_t input_errors;
} sl_totals;

typedef struct sl_reporter sl_reporter;

/* out is not closed by the reporter. */
sl_reporter *sl_reporter_new(sl_format fmt, FILE *out);
/* One finding of the named input. */
void sl_reporter_finding(sl_reporter *r, const char *file, const sl_finding *f);
/* An input that could not be read, whole or in part (the sentence names file and frame). */
void sl_reporter_input_error(sl_reporter *r, const char *file, const char *sentence);
/* The closing summary; frees r. */
void sl_reporter_finish(sl_reporter *r, const sl_totals *t);

/* Write s as a JSON string literal (quotes included); invalid UTF-8 bytes become \u00XX. */
void sl_json_string(FILE *out, const char *s, size_t len);

#endif
