/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GitLab Code Quality renderer: a JSON array of issues (a subset of the Code Climate spec). The
 * capture is the path; the frame number stands in for the line, so a merge request widget
 * shows "capture.pcap:9". */
#include <inttypes.h>
#include <string.h>

#include "report_internal.h"

typedef struct cq {
    int n;
    GHashTable *seen; /* the current input's fingerprints -> occurrences, for unique fingerprints */
} cq;

void sl_cq_begin(sl_reporter *r)
{
    cq *c = g_new0(cq, 1);
    c->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r->state = c;
    fputc('[', r->out);
}

void sl_cq_file_begin(sl_reporter *r, const char *file)
{
    cq *c = r->state;
    (void)file;
    g_hash_table_remove_all(c->seen);
}

static const char *cq_severity(sl_severity s)
{
    return s == SL_SEV_ERROR ? "critical" : s == SL_SEV_WARNING ? "major" : "info";
}

void sl_cq_finding(sl_reporter *r, const sl_rec *rec)
{
    cq *c = r->state;
    FILE *o = r->out;
    /* GitLab compares reports by fingerprint and wants each unique within one: the engine's
     * stable fingerprint, the path, and the occurrence count for repeats (retransmissions). */
    char *key = g_strdup_printf("%s\n%016" PRIx64, rec->file, rec->fingerprint);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(c->seen, key)) + 1;
    char *full = g_strdup_printf("%s\n%u", key, n);
    g_hash_table_insert(c->seen, key, GUINT_TO_POINTER(n));
    char *md5 = g_compute_checksum_for_string(G_CHECKSUM_MD5, full, -1);
    g_free(full);
    char *desc = g_strdup_printf("%s: %s (%s)", rec->rule->id, rec->message, rec->rule->rfc);
    fprintf(o, "%s\n{\"type\":\"issue\",\"check_name\":\"%s\"", c->n++ ? "," : "", rec->rule->id);
    sl_json_key_str(o, "description", desc);
    fprintf(o, ",\"categories\":[\"%s\"],\"severity\":\"%s\",\"fingerprint\":\"%s\",\"location\":{\"path\":",
            rec->rule->group == SL_GROUP_MALFORMED ? "Bug Risk" : "Compatibility",
            cq_severity(rec->severity), md5);
    sl_json_string(o, rec->file, strlen(rec->file));
    fprintf(o, ",\"lines\":{\"begin\":%" PRIu64 "}}}", rec->frame ? rec->frame : 1);
    g_free(desc);
    g_free(md5);
}

void sl_cq_finish(sl_reporter *r, const sl_totals *t)
{
    cq *c = r->state;
    (void)t;
    fputs(c->n ? "\n]\n" : "]\n", r->out);
    g_hash_table_destroy(c->seen);
    g_free(c);
}
