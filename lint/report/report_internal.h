/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside lint/report: the reporter object and the per-format renderers report.c dispatches to. */
#ifndef SIPLINT_REPORT_INTERNAL_H
#define SIPLINT_REPORT_INTERNAL_H

#include <glib.h>

#include "report.h"

struct sl_reporter {
    sl_format fmt;
    FILE *out;
    sl_report_opts o;
    void *state;   /* the format's own state, owned by its renderer */
};

/* Each renderer: begin is called once from sl_reporter_new; finish frees the state. */
void sl_sarif_begin(sl_reporter *r);
void sl_sarif_file_begin(sl_reporter *r, const char *file);
void sl_sarif_finding(sl_reporter *r, const sl_rec *rec);
void sl_sarif_input_error(sl_reporter *r, const char *file, const char *sentence);
void sl_sarif_finish(sl_reporter *r, const sl_totals *t);

void sl_junit_begin(sl_reporter *r);
void sl_junit_file_begin(sl_reporter *r, const char *file);
void sl_junit_finding(sl_reporter *r, const sl_rec *rec);
void sl_junit_input_error(sl_reporter *r, const char *file, const char *sentence);
void sl_junit_file_end(sl_reporter *r, const char *file, const sl_totals *ft);
void sl_junit_finish(sl_reporter *r, const sl_totals *t);

void sl_cq_begin(sl_reporter *r);
void sl_cq_file_begin(sl_reporter *r, const char *file);
void sl_cq_finding(sl_reporter *r, const sl_rec *rec);
void sl_cq_finish(sl_reporter *r, const sl_totals *t);

/* Helpers shared by the renderers. */
void sl_json_key_str(FILE *out, const char *key, const char *s); /* ,"key":"s" */
void sl_xml_text(FILE *out, const char *s);                      /* escaped for XML */
/* "file:frame: severity: message [RULE, RFC]" without a newline, into a new string. */
char *sl_rec_line(const sl_rec *rec);

#endif
