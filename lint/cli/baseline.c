/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Baselines: the findings a team accepts, by fingerprint, so that only new ones fail a run.
 *
 * File format (text, one finding a line, sorted, '#' comments):
 *   # siplint baseline 1
 *   FINGERPRINT RULE FILE FRAME      e.g. 3f2a9c0d11e4b6a7 MSG-SIZE captures/x.pcap 3
 * Only FINGERPRINT and RULE are matched (the engine's fingerprint does not depend on frame
 * numbers or file names); FILE and FRAME say where it was seen, for people. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BASELINE_MAGIC "# siplint baseline 1"

struct sl_baseline {
    GHashTable *keys; /* "fingerprint RULE" */
};

static char *key_of(uint64_t fp, const char *rule)
{
    return g_strdup_printf("%016" PRIx64 " %s", fp, rule);
}

sl_baseline *sl_baseline_load(const char *path, char **err)
{
    gchar *text = NULL;
    GError *ge = NULL;
    if (!g_file_get_contents(path, &text, NULL, &ge)) {
        *err = g_strdup_printf("%s: cannot read the baseline: %s", path, ge->message);
        g_error_free(ge);
        return NULL;
    }
    sl_baseline *b = g_new0(sl_baseline, 1);
    b->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    int ok = lines[0] && g_str_has_prefix(lines[0], BASELINE_MAGIC);
    if (!ok)
        *err = g_strdup_printf("%s:1: not a siplint baseline (the first line must be '%s')", path, BASELINE_MAGIC);
    for (int i = 1; ok && lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (!l[0] || l[0] == '#')
            continue;
        char fp[17], rule[64];
        int n = 0;
        if (sscanf(l, "%16[0-9a-f] %63s%n", fp, rule, &n) != 2 || strlen(fp) != 16) {
            *err = g_strdup_printf("%s:%d: expected FINGERPRINT RULE [FILE FRAME], got '%s'", path, i + 1, l);
            ok = 0;
            break;
        }
        if (!sl_rule_by_id(rule)) {
            /* a rule renamed or removed since: it cannot match, but is not an error either */
            continue;
        }
        g_hash_table_add(b->keys, g_strdup_printf("%s %s", fp, rule));
    }
    g_strfreev(lines);
    if (!ok) {
        sl_baseline_free(b);
        return NULL;
    }
    return b;
}

int sl_baseline_has(const sl_baseline *b, const sl_rec *rec)
{
    char *k = key_of(rec->fingerprint, rec->rule->id);
    int hit = g_hash_table_contains(b->keys, k);
    g_free(k);
    return hit;
}

void sl_baseline_free(sl_baseline *b)
{
    if (!b)
        return;
    g_hash_table_destroy(b->keys);
    g_free(b);
}

struct sl_baseline_writer {
    GHashTable *lines; /* key -> "key FILE FRAME" (first seen) */
};

sl_baseline_writer *sl_baseline_writer_new(void)
{
    sl_baseline_writer *w = g_new0(sl_baseline_writer, 1);
    w->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return w;
}

void sl_baseline_writer_add(sl_baseline_writer *w, const sl_rec *rec)
{
    char *k = key_of(rec->fingerprint, rec->rule->id);
    if (g_hash_table_contains(w->lines, k)) {
        g_free(k);
        return;
    }
    /* the file name may hold spaces: it is for people, and last but the frame */
    char *v = g_strdup_printf("%s %s %" PRIu64, k, rec->file, rec->frame);
    g_hash_table_insert(w->lines, k, v);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sl_baseline_writer_save(sl_baseline_writer *w, const char *path)
{
    GPtrArray *v = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, val;
    g_hash_table_iter_init(&it, w->lines);
    while (g_hash_table_iter_next(&it, &k, &val))
        g_ptr_array_add(v, val);
    g_ptr_array_sort(v, cmp_str);
    GString *s = g_string_new(BASELINE_MAGIC "\n# FINGERPRINT RULE FILE FRAME (written by siplint "
                                             SIPLINT_VERSION "; only FINGERPRINT and RULE are matched)\n");
    for (guint i = 0; i < v->len; i++) {
        g_string_append(s, g_ptr_array_index(v, i));
        g_string_append_c(s, '\n');
    }
    g_ptr_array_free(v, TRUE);
    GError *ge = NULL;
    int rc = g_file_set_contents(path, s->str, (gssize)s->len, &ge) ? 0 : -1;
    if (ge) {
        errno = ge->code == G_FILE_ERROR_NOENT ? ENOENT : ge->code == G_FILE_ERROR_ACCES ? EACCES : EIO;
        g_error_free(ge);
    }
    g_string_free(s, TRUE);
    g_hash_table_destroy(w->lines);
    g_free(w);
    return rc;
}
