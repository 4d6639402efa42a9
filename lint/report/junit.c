/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JUnit XML renderer (as GitLab and Jenkins read it): a testsuite per input, a testcase per
 * enabled rule; a rule with findings at or above --fail-on fails, milder ones go to system-out. */
#include <inttypes.h>
#include <string.h>

#include "report_internal.h"

typedef struct junit {
    GPtrArray *recs[SL_RULE__COUNT]; /* the current input's findings by rule (borrowed copies) */
    GPtrArray *errors;               /* the current input's error sentences */
} junit;

void sl_junit_begin(sl_reporter *r)
{
    junit *j = g_new0(junit, 1);
    j->errors = g_ptr_array_new_with_free_func(g_free);
    r->state = j;
    fprintf(r->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"siplint\">\n");
}

void sl_junit_file_begin(sl_reporter *r, const char *file)
{
    (void)r;
    (void)file;
}

static char *rec_text(const sl_rec *rec)
{
    char *head = sl_rec_line(rec);
    GString *s = g_string_new(head);
    g_free(head);
    if (rec->call_id[0])
        g_string_append_printf(s, "\n    Call-ID: %s", rec->call_id);
    if (rec->line[0])
        g_string_append_printf(s, "\n    | %s", rec->line);
    g_string_append_c(s, '\n');
    return g_string_free(s, FALSE);
}

void sl_junit_finding(sl_reporter *r, const sl_rec *rec)
{
    junit *j = r->state;
    GPtrArray **a = &j->recs[rec->rule->sym];
    if (*a == NULL)
        *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(*a, rec_text(rec));
    /* keep the severity with the text: the first byte tells whether it fails */
    char *t = g_ptr_array_index(*a, (*a)->len - 1);
    char *tagged = g_strdup_printf("%c%s", rec->severity >= r->o.fail_on ? 'F' : 'P', t);
    g_free(t);
    (*a)->pdata[(*a)->len - 1] = tagged;
}

void sl_junit_input_error(sl_reporter *r, const char *file, const char *sentence)
{
    junit *j = r->state;
    (void)file;
    g_ptr_array_add(j->errors, g_strdup(sentence));
}

void sl_junit_file_end(sl_reporter *r, const char *file, const sl_totals *ft)
{
    junit *j = r->state;
    FILE *o = r->out;
    unsigned tests = 0, failures = 0;
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        sl_severity sv = r->o.rule_severity ? r->o.rule_severity[i] : sl_rule_at(i)->severity;
        if (sv == SL_SEV_NONE && j->recs[i] == NULL)
            continue;
        tests++;
        if (j->recs[i])
            for (guint k = 0; k < j->recs[i]->len; k++)
                if (((char *)g_ptr_array_index(j->recs[i], k))[0] == 'F') {
                    failures++;
                    break;
                }
    }
    unsigned errors = j->errors->len ? 1 : 0;
    fprintf(o, "  <testsuite name=\"");
    sl_xml_text(o, file);
    fprintf(o, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"0\">\n", tests + errors,
            failures, errors);
    fprintf(o, "    <properties><property name=\"packets\" value=\"%" PRIu64
               "\"/><property name=\"sip_messages\" value=\"%" PRIu64 "\"/></properties>\n",
            ft ? ft->packets : 0, ft ? ft->sip_messages : 0);
    if (errors) {
        fprintf(o, "    <testcase classname=\"");
        sl_xml_text(o, file);
        fprintf(o, "\" name=\"input\">\n      <error type=\"input_error\" message=\"");
        sl_xml_text(o, g_ptr_array_index(j->errors, 0));
        fprintf(o, "\">");
        for (guint k = 0; k < j->errors->len; k++) {
            sl_xml_text(o, g_ptr_array_index(j->errors, k));
            fputs("&#10;", o);
        }
        fprintf(o, "</error>\n    </testcase>\n");
    }
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        const sl_rule *ru = sl_rule_at(i);
        sl_severity sv = r->o.rule_severity ? r->o.rule_severity[i] : ru->severity;
        GPtrArray *a = j->recs[i];
        if (sv == SL_SEV_NONE && a == NULL)
            continue;
        fprintf(o, "    <testcase classname=\"");
        sl_xml_text(o, file);
        fprintf(o, "\" name=\"%s\" file=\"", ru->id);
        sl_xml_text(o, file);
        fprintf(o, "\"");
        if (a == NULL) {
            fprintf(o, "/>\n");
            continue;
        }
        fprintf(o, ">\n");
        unsigned nf = 0, np = 0;
        for (guint k = 0; k < a->len; k++)
            (((char *)g_ptr_array_index(a, k))[0] == 'F') ? nf++ : np++;
        if (nf) {
            fprintf(o, "      <failure type=\"%s\" message=\"%u finding%s: ", ru->id, nf, nf == 1 ? "" : "s");
            sl_xml_text(o, ru->summary);
            fprintf(o, " (");
            sl_xml_text(o, ru->rfc);
            fprintf(o, ")\">");
            for (guint k = 0; k < a->len; k++) {
                const char *t = g_ptr_array_index(a, k);
                if (t[0] == 'F')
                    sl_xml_text(o, t + 1);
            }
            fprintf(o, "</failure>\n");
        }
        if (np) {
            fprintf(o, "      <system-out>");
            for (guint k = 0; k < a->len; k++) {
                const char *t = g_ptr_array_index(a, k);
                if (t[0] == 'P')
                    sl_xml_text(o, t + 1);
            }
            fprintf(o, "</system-out>\n");
        }
        fprintf(o, "    </testcase>\n");
    }
    fprintf(o, "  </testsuite>\n");
    for (size_t i = 0; i < SL_RULE__COUNT; i++)
        if (j->recs[i]) {
            g_ptr_array_free(j->recs[i], TRUE);
            j->recs[i] = NULL;
        }
    g_ptr_array_set_size(j->errors, 0);
}

void sl_junit_finish(sl_reporter *r, const sl_totals *t)
{
    junit *j = r->state;
    (void)t;
    fprintf(r->out, "</testsuites>\n");
    for (size_t i = 0; i < SL_RULE__COUNT; i++)
        if (j->recs[i])
            g_ptr_array_free(j->recs[i], TRUE);
    g_ptr_array_free(j->errors, TRUE);
    g_free(j);
}
