/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistics over the "siplint" tap: `-z siplint,stat[,filter]` (a table) and `-z siplint,tree`. */

#define WS_BUILD_DLL /* must precede every Wireshark header */
#include <ws_symbol_export.h>

#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "siplint_plugin.h"

/* ---- -z siplint,stat[,filter] ------------------------------------------------------------- */

#define SIPLINT_STAT_PREFIX "siplint,stat"

/* Counts per rule and severity, in rule-table order, with the first frame of each. */
typedef struct siplint_stat {
    char *filter;
    size_t n_rules;
    guint64 *count;        /* [sym * 4 + severity] */
    guint32 *first;        /* [sym * 4 + severity], 0 = none yet */
    guint64 total;
} siplint_stat;

static void
siplint_stat_reset(void *arg)
{
    siplint_stat *s = (siplint_stat *)arg;

    memset(s->count, 0, s->n_rules * 4 * sizeof *s->count);
    memset(s->first, 0, s->n_rules * 4 * sizeof *s->first);
    s->total = 0;
}

static tap_packet_status
siplint_stat_packet(void *arg, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                    tap_flags_t flags _U_)
{
    siplint_stat *s = (siplint_stat *)arg;
    const siplint_finding_rec *f = (const siplint_finding_rec *)data;
    size_t k;

    if (!f || !f->rule || (size_t)f->rule->sym >= s->n_rules || (unsigned)f->severity > 3)
        return TAP_PACKET_DONT_REDRAW;
    k = (size_t)f->rule->sym * 4 + (size_t)f->severity;
    s->count[k]++;
    if (!s->first[k] || pinfo->num < s->first[k])
        s->first[k] = pinfo->num;
    s->total++;
    return TAP_PACKET_REDRAW;
}

static void
siplint_stat_draw(void *arg)
{
    const siplint_stat *s = (const siplint_stat *)arg;
    static const char rule_line[] =
        "================================================================================\n";
    size_t i;
    int sev;

    printf("\n%s", rule_line);
    printf("SIP Lint findings\n");
    printf("Filter: %s\n", s->filter ? s->filter : "none");
    printf("%-28s %-9s %12s %12s\n", "Rule", "Severity", "Count", "First frame");
    for (i = 0; i < s->n_rules; i++) {
        const sl_rule *r = sl_rule_at(i);
        /* Most severe first within a rule, as a reader scans for errors. */
        for (sev = SL_SEV_ERROR; sev >= SL_SEV_NONE; sev--) {
            size_t k = (size_t)r->sym * 4 + (size_t)sev;
            if ((size_t)r->sym >= s->n_rules || !s->count[k])
                continue;
            printf("%-28s %-9s %12" G_GUINT64_FORMAT " %12u\n", r->id,
                   sl_severity_name((sl_severity)sev), s->count[k], s->first[k]);
        }
    }
    printf("%-28s %-9s %12" G_GUINT64_FORMAT "\n", "TOTAL", "", s->total);
    if (siplint_tracker_full_frame())
        printf("The transaction tracker was full from frame %u: rules that conclude from a missing\n"
               "message were quiet while it was (max-transactions in siplint.config_file).\n",
               siplint_tracker_full_frame());
    printf("%s", rule_line);
}

static void
siplint_stat_finish(void *arg)
{
    siplint_stat *s = (siplint_stat *)arg;

    g_free(s->filter);
    g_free(s->count);
    g_free(s->first);
    g_free(s);
}

static void
siplint_stat_init(const char *opt_arg, void *userdata _U_)
{
    siplint_stat *s = g_new0(siplint_stat, 1);
    GString *err;

    if (opt_arg && strncmp(opt_arg, SIPLINT_STAT_PREFIX ",", sizeof SIPLINT_STAT_PREFIX) == 0 &&
        opt_arg[sizeof SIPLINT_STAT_PREFIX] != '\0')
        s->filter = g_strdup(opt_arg + sizeof SIPLINT_STAT_PREFIX);
    s->n_rules = sl_rule_count();
    s->count = g_new0(guint64, s->n_rules * 4);
    s->first = g_new0(guint32, s->n_rules * 4);

    err = register_tap_listener("siplint", s, s->filter, 0, siplint_stat_reset, siplint_stat_packet,
                                siplint_stat_draw, siplint_stat_finish);
    if (err) {
        /* tshark reports a bad filter this way too; the statistic is then simply absent. */
        fprintf(stderr, "tshark: Couldn't register siplint,stat tap: %s\n", err->str);
        g_string_free(err, TRUE);
        siplint_stat_finish(s);
    }
}

static stat_tap_ui siplint_stat_ui = {
    REGISTER_STAT_GROUP_TELEPHONY,
    "SIP Lint findings",
    SIPLINT_STAT_PREFIX,
    siplint_stat_init,
    0,
    NULL
};

/* ---- -z siplint,tree (and Telephony > SIP Lint in the GUI) --------------------------------- */

static void
siplint_tree_init(stats_tree *st)
{
    stats_tree_create_node(st, "Findings by rule", 0, STAT_DT_INT, TRUE);
    stats_tree_create_node(st, "Findings by severity", 0, STAT_DT_INT, TRUE);
}

static tap_packet_status
siplint_tree_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data,
                    tap_flags_t flags _U_)
{
    const siplint_finding_rec *f = (const siplint_finding_rec *)data;
    int node;

    if (!f || !f->rule)
        return TAP_PACKET_DONT_REDRAW;
    node = tick_stat_node(st, "Findings by rule", 0, TRUE);
    tick_stat_node(st, f->rule->id, node, FALSE);
    node = tick_stat_node(st, "Findings by severity", 0, TRUE);
    tick_stat_node(st, sl_severity_name(f->severity), node, FALSE);
    return TAP_PACKET_REDRAW;
}

void
siplint_register_stats(void)
{
    register_stat_tap_ui(&siplint_stat_ui, NULL);
    stats_tree_register_with_group("siplint", "siplint", "SIP Lint findings", 0, siplint_tree_packet,
                                   siplint_tree_init, NULL, REGISTER_STAT_GROUP_TELEPHONY);
}
