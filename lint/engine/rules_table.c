/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rule table, built from rules.def, and lookups over it. */
#include <string.h>

#include "engine_internal.h"
#include "siplint/engine.h"

static const sl_rule table[SL_RULE__COUNT] = {
#define SL_RULE(sym, id, sev, group, rfc, summary) {sym, id, sev, group, rfc, summary},
#include "siplint/rules.def"
#undef SL_RULE
};

size_t sl_rule_count(void)
{
    return SL_RULE__COUNT;
}

const sl_rule *sl_rule_at(size_t i)
{
    return i < SL_RULE__COUNT ? &table[i] : NULL;
}

const sl_rule *sl_rule_by_id(const char *id)
{
    for (size_t i = 0; i < SL_RULE__COUNT; i++)
        if (strcmp(table[i].id, id) == 0)
            return &table[i];
    return NULL;
}

const char *sl_severity_name(sl_severity s)
{
    switch (s) {
    case SL_SEV_ERROR: return "error";
    case SL_SEV_WARNING: return "warning";
    case SL_SEV_NOTE: return "note";
    default: return "none";
    }
}

int sl_severity_parse(const char *s, sl_severity *out)
{
    static const struct { const char *n; sl_severity v; } names[] = {
        {"error", SL_SEV_ERROR}, {"warning", SL_SEV_WARNING}, {"note", SL_SEV_NOTE},
        {"none", SL_SEV_NONE}, {"off", SL_SEV_NONE}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].n) == 0) {
            *out = names[i].v;
            return 0;
        }
    return -1;
}

static const char *const tp_names[] = {"unknown", "udp", "tcp", "tls", "sctp", "ws", "wss"};

const char *sl_transport_name(sl_transport t)
{
    return (unsigned)t < sizeof tp_names / sizeof tp_names[0] ? tp_names[t] : "unknown";
}

int sl_transport_parse(const char *s, sl_transport *out)
{
    for (unsigned i = 1; i < sizeof tp_names / sizeof tp_names[0]; i++)
        if (strcmp(s, tp_names[i]) == 0) {
            *out = (sl_transport)i;
            return 0;
        }
    return -1;
}

int sl_transport_is_stream(sl_transport t)
{
    return sl_tp_is_stream(t);
}

int sl_transport_is_congestion_controlled(sl_transport t)
{
    /* catalogue D4: TCP, TLS, SCTP and WebSocket (over TCP) are; UDP is not */
    return t == SL_TP_TCP || t == SL_TP_TLS || t == SL_TP_SCTP || t == SL_TP_WS || t == SL_TP_WSS;
}

void sl_config_default(sl_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < SL_RULE__COUNT; i++)
        c->severity[i] = table[i].severity;
    c->max_message_size = 1300;
    c->t1_ms = 500;
    c->t2_ms = 4000;
    c->t4_ms = 5000;
    c->date_stale_s = 300;
}
