/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siplint as a Wireshark epan plugin: a postdissector that lints every SIP message Wireshark dissects. */

/* How it works, and why this way (see docs/wireshark.md and design/wireshark-plugin.md):
 * - A postdissector that wants the `sip` protocol field sees every SIP message Wireshark's own
 *   dissectors found (UDP, IP-defragmented UDP, TCP-reassembled, several per segment, TLS with
 *   keys, WebSocket, SCTP), without competing with the SIP dissector for ports or reassembly.
 * - The `sip` field is primed only on the first pass, and the engine is stateful, so the engine
 *   runs on the first pass only. Its findings are kept in file scope, keyed by frame number, and
 *   every pass (first, tshark -2, GUI re-dissection) renders them from there: the outputs agree.
 * - One engine per capture file (init/cleanup routines), configured from the preferences. */

#define WS_BUILD_DLL /* must precede every Wireshark header: it selects the export macros */
#include <ws_symbol_export.h>
#include <ws_version.h>

#include <stdlib.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/to_str.h>
#include <epan/tap.h>
#include <wsutil/report_message.h>

#include "siplint_plugin.h"

/* lint/capture (library siplint_ip): the CLI's own IP decoder and fragment tracker. */
#include "decode.h"
#include "frag.h"
#include "outq.h"
/* lint/config (library siplint_config): the CLI's configuration file parser. */
#include "policy.h"

/* wsutil/plugins.h is not installed with 4.0; newer loaders call plugin_describe(). */
#ifndef WS_PLUGIN_DESC_DISSECTOR
#define WS_PLUGIN_DESC_DISSECTOR (1UL << 0)
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = SIPLINT_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
WS_DLL_PUBLIC guint32 plugin_describe(void);
void proto_register_siplint(void);
void proto_reg_handoff_siplint(void);

int siplint_tap = -1;

static int proto_siplint = -1;
static int proto_sip = -1;

static int hf_siplint_rule = -1;
static int hf_siplint_severity = -1;
static int hf_siplint_rfc = -1;
static int hf_siplint_message = -1;
static int hf_siplint_related_frame = -1;
static int hf_siplint_msg_len = -1;

static gint ett_siplint = -1;
static gint ett_siplint_finding = -1;

/* Expert items, filled from the rule table at registration: three per rule, indexed by
 * rule->sym * 3 + severity - 1, because a rule's findings may come at another severity than its
 * default (configuration, or rules whose severity depends on the case) and Wireshark fixes an
 * expert item's severity at registration. The default-severity item is named siplint.<rule>;
 * the other two siplint.<rule>.<severity>. Static storage sized by the table's own count:
 * Wireshark keeps pointers into the registration array for the life of the process. */
static expert_field ei_siplint[SL_RULE__COUNT * 3];
/* The engine's transaction tracker filled up (sl_stats.tracker_dropped): said once per capture, at
 * the frame where it happened, as the CLI says it once per input on standard error. */
static expert_field ei_siplint_tracker_full = EI_INIT;
static guint32 siplint_trk_full_frame;
static ei_register_info ei_siplint_reg[SL_RULE__COUNT * 3 + 1];
static char ei_siplint_names[SL_RULE__COUNT * 3][80];
static size_t siplint_n_rules;

/* Fields of other protocols read on the first pass; all are primed as wanted hfids. */
static int hf_udp_length = -1;
static const char *const siplint_frag_fields[] = {
    "ip.fragment", "ipv6.fragment", "tcp.segment", "sctp.fragment"
};
static int hf_frag[G_N_ELEMENTS(siplint_frag_fields)];
/* ICMP errors quote the datagram that caused them, and Wireshark dissects the quote down to
 * SIP: those messages were never delivered as such and are not linted. */
static const char *const siplint_icmp_protos[] = {"icmp", "icmpv6"};
static int proto_icmp[G_N_ELEMENTS(siplint_icmp_protos)];

/* Capture-level facts the CLI's capture layer reports as CAP-* findings: a TLS connection
 * (CAP-OPAQUE, once per connection) and bytes of a SIP-carrying TCP stream acknowledged but never
 * captured (CAP-TCP-GAP, where Wireshark proves the gap with "ACKed unseen segment"). */
static int proto_tls = -1;
static int proto_websocket = -1;
static int hf_tcp_stream = -1;
static int hf_tcp_ack_lost = -1;
/* tcp.stream + 1 -> SIPLINT_TCP_* bits; emptied with the file scope. */
static wmem_map_t *siplint_tcp_streams;
#define SIPLINT_TCP_SIP 1u    /* the connection carried SIP */
#define SIPLINT_TCP_TLS 2u    /* CAP-OPAQUE reported */

/* IP fragments: the CLI's tracker (lint/capture/frag.c) runs on the raw fragments of the first
 * pass, in frame order, so that CAP-FRAG-INCOMPLETE is reported where the CLI reports it and a
 * datagram the CLI gives up (conflicting overlap, timeout) is not linted even though Wireshark,
 * which keeps the first copy and has no timeout, reassembles it. */
static int proto_ip = -1;
static int proto_ipv6 = -1;
static sl_frag *siplint_frag;
static sl_outq siplint_fq;
static gboolean siplint_frag_flushed;

static dissector_handle_t siplint_handle;

/* Preferences (the engine's sl_config). */
static guint pref_max_message_size = 1300;
static gboolean pref_assume_congestion_safe = FALSE;
static const char *pref_disabled_rules = "";
static const char *pref_rule_severities = "";
static guint pref_path_mtu = 0;
static guint pref_t1_ms = 500;
static guint pref_t2_ms = 4000;
static guint pref_t4_ms = 5000;
static guint pref_date_stale_s = 300;
static const char *pref_config_file = "";
static gint pref_profile = 0; /* SIPLINT_PROFILE_FILE */

/* The policy in force for the open file: the engine configuration, and the configuration
 * file's [suppress] sections, applied in the sink. */
static sl_policy siplint_policy;
static gboolean siplint_policy_set;


/* ---- per-file state ------------------------------------------------------------------------ */

/* The findings of one SIP message, as rendered in one frame. */
typedef struct siplint_msg_rec {
    struct siplint_msg_rec *next;
    int ds_index;         /* index of the message's data source in pinfo->data_src; -1 = not known
                           * (a finding reported for a frame other than the one being analysed) */
    guint32 start;        /* message start in that data source */
    guint32 msg_len;
    unsigned n_findings;
    siplint_finding_rec *head, *tail;
} siplint_msg_rec;

typedef struct siplint_frame_rec {
    siplint_msg_rec *head, *tail;
} siplint_frame_rec;

/* frame number -> siplint_frame_rec; emptied with the file scope when a capture is closed. */
static wmem_map_t *siplint_frames;
static sl_engine *siplint_engine;

/* What the sink needs to know about the message being fed. */
typedef struct siplint_feed_ctx {
    guint32 frame;
    int ds_index;
    guint32 base;         /* offset in the data source of the first byte fed */
    guint32 fed_len;      /* bytes fed: the message's extent when the engine gives no length
                           * (a truncated message is reported, not framed) */
} siplint_feed_ctx;
static siplint_feed_ctx siplint_ctx;

static guint32
siplint_u32(size_t v)
{
    return v > G_MAXUINT32 ? G_MAXUINT32 : (guint32)v;
}

static int
siplint_default_severity(const sl_rule *r)
{
    return r->severity >= SL_SEV_NOTE && r->severity <= SL_SEV_ERROR ? (int)r->severity : SL_SEV_NOTE;
}

static siplint_msg_rec *
siplint_msg_get(guint32 frame, int ds_index, guint32 start, guint32 msg_len)
{
    siplint_frame_rec *fr = (siplint_frame_rec *)wmem_map_lookup(siplint_frames, GUINT_TO_POINTER(frame));
    siplint_msg_rec *m;

    if (!fr) {
        fr = wmem_new0(wmem_file_scope(), siplint_frame_rec);
        wmem_map_insert(siplint_frames, GUINT_TO_POINTER(frame), fr);
    }
    for (m = fr->head; m; m = m->next) {
        if (m->ds_index == ds_index && m->start == start)
            return m;
    }
    m = wmem_new0(wmem_file_scope(), siplint_msg_rec);
    m->ds_index = ds_index;
    m->start = start;
    m->msg_len = msg_len;
    if (fr->tail)
        fr->tail->next = m;
    else
        fr->head = m;
    fr->tail = m;
    return m;
}

/* The engine's sink: runs inside sl_engine_feed, so everything is copied to file scope. */
static void
siplint_sink(const sl_finding *f, void *user)
{
    const siplint_feed_ctx *ctx = (const siplint_feed_ctx *)user;
    guint32 frame = f->frame ? siplint_u32(f->frame) : ctx->frame;
    guint32 msg_len = f->msg_len ? siplint_u32(f->msg_len) : ctx->fed_len;
    siplint_finding_rec *r;
    siplint_msg_rec *m;
    unsigned i;

    if (!f->rule)
        return;
    /* The configuration file's [suppress] sections, as the CLI applies them. The capture file's
     * name is not known here: a suppression scoped to files never matches. */
    if (siplint_policy_set && siplint_policy.suppressions && siplint_policy.suppressions->len > 0) {
        gchar *cid = g_strndup(f->call_id.p ? f->call_id.p : "", f->call_id.p ? f->call_id.len : 0);
        int hit = sl_policy_suppresses(&siplint_policy, f->rule, frame, cid, f->meta, NULL);
        g_free(cid);
        if (hit)
            return;
    }
    if (frame == ctx->frame && ctx->ds_index >= 0)
        m = siplint_msg_get(frame, ctx->ds_index, siplint_u32(ctx->base + f->msg_offset), msg_len);
    else
        m = siplint_msg_get(frame, -1, 0, msg_len);

    r = wmem_new0(wmem_file_scope(), siplint_finding_rec);
    r->rule = f->rule;
    r->severity = f->severity;
    r->frame = frame;
    r->message = wmem_strdup(wmem_file_scope(), f->message ? f->message : f->rule->summary);
    r->n_related = MIN(f->n_related, (unsigned)SL_MAX_RELATED);
    for (i = 0; i < r->n_related; i++)
        r->related[i] = siplint_u32(f->related[i]);
    r->offset = siplint_u32(f->offset);
    r->length = siplint_u32(f->length);
    if (m->tail)
        m->tail->next = r;
    else
        m->head = r;
    m->tail = r;
    m->n_findings++;
}

/* ---- configuration ------------------------------------------------------------------------- */

/* Walk a list preference ("A, B; C"), calling fn on each non-empty, upper-cased token. Returns
 * the tokens fn rejected, comma-separated (caller frees), or NULL. */
static char *
siplint_each_token(const char *list, gboolean (*fn)(const char *tok, sl_config *cfg), sl_config *cfg)
{
    GString *bad = NULL;
    gchar **toks;
    gchar **t;

    if (!list || !*list)
        return NULL;
    toks = g_strsplit_set(list, ",; \t\r\n", -1);
    for (t = toks; *t; t++) {
        gchar *tok;
        if (!**t)
            continue;
        tok = g_ascii_strup(*t, -1);
        if (!fn(tok, cfg)) {
            if (!bad)
                bad = g_string_new(NULL);
            g_string_append_printf(bad, "%s%s", bad->len ? ", " : "", *t);
        }
        g_free(tok);
    }
    g_strfreev(toks);
    return bad ? g_string_free(bad, FALSE) : NULL;
}

static gboolean
siplint_disable_one(const char *id, sl_config *cfg)
{
    const sl_rule *r = sl_rule_by_id(id);
    if (!r || (size_t)r->sym >= siplint_n_rules)
        return FALSE;
    cfg->severity[r->sym] = SL_SEV_NONE;
    return TRUE;
}

/* "RULE=severity" (or "RULE:severity"); severity as the CLI takes it: error, warning, note, off. */
static gboolean
siplint_relevel_one(const char *tok, sl_config *cfg)
{
    const char *sep = strpbrk(tok, "=:");
    gchar *id;
    gchar *sev_name;
    const sl_rule *r;
    sl_severity sev;
    gboolean ok = FALSE;

    if (!sep)
        return FALSE;
    id = g_strndup(tok, (gsize)(sep - tok));
    sev_name = g_ascii_strdown(sep + 1, -1);
    r = sl_rule_by_id(id);
    if (r && (size_t)r->sym < siplint_n_rules && sl_severity_parse(sev_name, &sev) == 0) {
        cfg->severity[r->sym] = sev;
        ok = TRUE;
    }
    g_free(id);
    g_free(sev_name);
    return ok;
}

/* The profile preference: the CLI's --profile. "file" leaves it to the configuration file's
 * [siplint] profile key (strict when there is none); the others override the file, as --profile
 * overrides it in the CLI. */
enum { SIPLINT_PROFILE_FILE = 0, SIPLINT_PROFILE_STRICT = 1, SIPLINT_PROFILE_INTEROP = 2 };
static const enum_val_t siplint_profiles[] = {
    {"file", "As the configuration file says (strict without one)", SIPLINT_PROFILE_FILE},
    {"strict", "strict: every rule at its catalogue severity", SIPLINT_PROFILE_STRICT},
    {"interop", "interop: rules whose catalogue severity is warning report notes", SIPLINT_PROFILE_INTEROP},
    {NULL, NULL, 0}
};

static void
siplint_policy_start(sl_policy *pol)
{
    sl_policy_init(pol);
    if (pref_profile != SIPLINT_PROFILE_FILE) {
        pol->profile_interop = pref_profile == SIPLINT_PROFILE_INTEROP;
        pol->profile_locked = 1;
        sl_policy_apply_profile(pol);
    }
}

/* Build the policy: defaults, then the profile preference, then the configuration file named by
 * siplint.config_file (read by the CLI's own parser, lint/config), then every preference that
 * differs from its default (as the CLI's options override its file). With report set, problems
 * are reported (report_failure: a dialog in the GUI, a line on stderr in tshark): a file that
 * cannot be used ("FILE:LINE: [group] key: why", the CLI's words) is then ignored as a whole,
 * and list entries that name no rule are ignored, so that a typo never silently does nothing. */
static void
siplint_build_policy(sl_policy *pol, gboolean report)
{
    sl_config d;
    sl_config *cfg = &pol->cfg;
    char *bad;

    siplint_policy_start(pol);
    if (pref_config_file && *pref_config_file) {
        char *err = NULL;
        if (sl_policy_load(pol, pref_config_file, &err) != 0) {
            if (report)
                report_failure("siplint: preference siplint.config_file: %s\n"
                               "The file is ignored.", err ? err : pref_config_file);
            g_free(err);
            sl_policy_free(pol);
            siplint_policy_start(pol);
        }
    }

    sl_config_default(&d);
    if (pref_max_message_size != d.max_message_size)
        cfg->max_message_size = pref_max_message_size;
    if (pref_assume_congestion_safe)
        cfg->assume_congestion_safe = 1;
    if (pref_path_mtu != d.path_mtu)
        cfg->path_mtu = pref_path_mtu;
    /* A zero timer would make every transaction expire at once: 0 changes nothing. */
    if (pref_t1_ms && pref_t1_ms != d.t1_ms)
        cfg->t1_ms = pref_t1_ms;
    if (pref_t2_ms && pref_t2_ms != d.t2_ms)
        cfg->t2_ms = pref_t2_ms;
    if (pref_t4_ms && pref_t4_ms != d.t4_ms)
        cfg->t4_ms = pref_t4_ms;
    if (pref_date_stale_s && pref_date_stale_s != d.date_stale_s)
        cfg->date_stale_s = pref_date_stale_s;

    /* Severities first, so that a rule both re-levelled and disabled stays disabled. */
    bad = siplint_each_token(pref_rule_severities, siplint_relevel_one, cfg);
    if (bad && report)
        report_failure("siplint: ignoring invalid entries in preference siplint.rule_severities "
                       "(want RULE-ID=error|warning|note|off): %s", bad);
    g_free(bad);
    bad = siplint_each_token(pref_disabled_rules, siplint_disable_one, cfg);
    if (bad && report)
        report_failure("siplint: ignoring unknown rule ids in preference siplint.disabled_rules: %s", bad);
    g_free(bad);
}

/* Preferences changed (tshark -o, preferences file, GUI). The GUI then re-dissects with a new
 * file scope, so siplint_init builds the new engine; here we only check and report. */
static void
siplint_prefs_apply(void)
{
    sl_policy pol;
    siplint_build_policy(&pol, TRUE);
    sl_policy_free(&pol);
}

static void
siplint_init(void)
{
    if (siplint_policy_set)
        sl_policy_free(&siplint_policy);
    siplint_build_policy(&siplint_policy, FALSE);
    siplint_policy_set = TRUE;
    siplint_engine = sl_engine_new(&siplint_policy.cfg, siplint_sink, &siplint_ctx);
    /* Findings here carry no fingerprint (that is for the CLI's baselines): not computing
     * one saves the engine a hash over each finding's parts. */
    if (siplint_engine)
        sl_engine_defer_fingerprints(siplint_engine);
    siplint_frag = sl_frag_new(NULL);
    sl_outq_init(&siplint_fq);
    siplint_frag_flushed = FALSE;
    siplint_trk_full_frame = 0;
}

static void
siplint_cleanup(void)
{
    sl_engine_free(siplint_engine);
    siplint_engine = NULL;
    sl_frag_free(siplint_frag);
    siplint_frag = NULL;
    sl_outq_free(&siplint_fq);
    if (siplint_policy_set)
        sl_policy_free(&siplint_policy);
    siplint_policy_set = FALSE;
}

/* ---- first pass: feed the engine ----------------------------------------------------------- */

static int
siplint_ds_index(packet_info *pinfo, tvbuff_t *ds)
{
    GSList *l;
    int i = 0;

    for (l = pinfo->data_src; l; l = l->next, i++) {
        if (get_data_source_tvb((const struct data_source *)l->data) == ds)
            return i;
    }
    return -1;
}

/* Is the protocol among this frame's layers? proto_is_frame_protocol() would do the same by
 * name, looking the name up on every call; the ids are resolved once at hand-off. */
static gboolean
siplint_has_layer(packet_info *pinfo, int proto_id)
{
    wmem_list_frame_t *l;

    if (proto_id <= 0 || !pinfo->layers)
        return FALSE;
    for (l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l))
        if (GPOINTER_TO_INT(wmem_list_frame_data(l)) == proto_id)
            return TRUE;
    return FALSE;
}

static sl_transport
siplint_transport(packet_info *pinfo)
{
    gboolean tls = siplint_has_layer(pinfo, proto_tls);

    /* WebSocket first: it runs over TCP (or TLS), but carries one SIP message per WS message
     * (RFC 7118), so the engine must frame it as a datagram. */
    if (siplint_has_layer(pinfo, proto_websocket))
        return tls ? SL_TP_WSS : SL_TP_WS;
    switch (pinfo->ptype) {
    case PT_UDP:
        return SL_TP_UDP;
    case PT_TCP:
        return tls ? SL_TP_TLS : SL_TP_TCP;
    case PT_SCTP:
        return SL_TP_SCTP;
    default:
        return SL_TP_UNKNOWN;
    }
}

/* End of the UDP payload that holds the SIP message starting at sip_start, from the nearest
 * udp.length before it in the same data source. Needed because the data source may run past the
 * datagram (Ethernet padding), and the `sip` item's own length is SIP's framing only when the
 * tree is visible; the engine must see exactly the datagram to judge bytes after the body
 * (RFC 3261 sec. 18.3) the way the CLI does. */
static gboolean
siplint_udp_end(proto_tree *tree, tvbuff_t *ds, gint sip_start, guint *end)
{
    GPtrArray *a;
    field_info *best = NULL;
    guint32 ulen;
    guint i;

    if (hf_udp_length <= 0 || !(a = proto_get_finfo_ptr_array(tree, hf_udp_length)))
        return FALSE;
    for (i = 0; i < a->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(a, i);
        /* udp.length is bytes 4-5 of the 8-byte header, so the payload starts 4 bytes after it. */
        if (fi->ds_tvb == ds && fi->start >= 4 && fi->start + 4 <= sip_start &&
            (!best || fi->start > best->start))
            best = fi;
    }
    if (!best)
        return FALSE;
    ulen = fvalue_get_uinteger(&best->value);
    if (ulen < 8 || (guint)(best->start - 4) + ulen < (guint)sip_start)
        return FALSE;
    *end = (guint)(best->start - 4) + ulen;
    return TRUE;
}

/* Is the SIP item at start (in ds) inside an ICMP error message's quote? */
static gboolean
siplint_in_icmp(proto_tree *tree, tvbuff_t *ds, gint start)
{
    size_t k;
    guint i;

    for (k = 0; k < G_N_ELEMENTS(proto_icmp); k++) {
        GPtrArray *a;
        if (proto_icmp[k] <= 0 || !(a = proto_get_finfo_ptr_array(tree, proto_icmp[k])))
            continue;
        for (i = 0; i < a->len; i++) {
            field_info *fi = (field_info *)g_ptr_array_index(a, i);
            if (fi->ds_tvb == ds && start >= fi->start && (fi->length < 0 || start < fi->start + fi->length))
                return TRUE;
        }
    }
    return FALSE;
}

/* First frame that carried bytes [start, end) of a reassembled data source, from the
 * fragment/segment items that IP, TCP and SCTP reassembly put on it. */
static guint32
siplint_first_frame(proto_tree *tree, tvbuff_t *ds, gint start, gint end, guint32 current)
{
    guint32 first = current;
    size_t k;
    guint i;

    for (k = 0; k < G_N_ELEMENTS(hf_frag); k++) {
        GPtrArray *a;
        if (hf_frag[k] <= 0 || !(a = proto_get_finfo_ptr_array(tree, hf_frag[k])))
            continue;
        for (i = 0; i < a->len; i++) {
            field_info *fi = (field_info *)g_ptr_array_index(a, i);
            guint32 v;
            if (fi->ds_tvb != ds || fi->start >= end || fi->start + fi->length <= start)
                continue;
            v = fvalue_get_uinteger(&fi->value);
            if (v && v < first)
                first = v;
        }
    }
    return first;
}

static void
siplint_meta_init(sl_meta *meta, packet_info *pinfo)
{
    memset(meta, 0, sizeof *meta);
    meta->frame_first = meta->frame_last = pinfo->num;
    meta->ts_sec = (int64_t)pinfo->abs_ts.secs;
    meta->ts_nsec = pinfo->abs_ts.nsecs >= 0 ? (uint32_t)pinfo->abs_ts.nsecs : 0;
    meta->transport = siplint_transport(pinfo);
    if (pinfo->src.type == AT_IPv4 && pinfo->dst.type == AT_IPv4 && pinfo->src.len == 4 &&
        pinfo->dst.len == 4) {
        meta->af = 4;
        memcpy(meta->src, pinfo->src.data, 4);
        memcpy(meta->dst, pinfo->dst.data, 4);
    } else if (pinfo->src.type == AT_IPv6 && pinfo->dst.type == AT_IPv6 && pinfo->src.len == 16 &&
               pinfo->dst.len == 16) {
        meta->af = 6;
        memcpy(meta->src, pinfo->src.data, 16);
        memcpy(meta->dst, pinfo->dst.data, 16);
    }
    meta->sport = (uint16_t)pinfo->srcport;
    meta->dport = (uint16_t)pinfo->destport;
}

/* A message already fed in this frame; later `sip` items inside it are SIP dissecting a
 * message/sip body of that message again (gotcha 4), not messages on the wire. */
typedef struct siplint_span {
    tvbuff_t *ds;
    guint start, end;
} siplint_span;

/* The first value of a wanted uint field in this frame's tree; FALSE if absent. */
static gboolean
siplint_first_uint(proto_tree *tree, int hf, guint32 *v)
{
    GPtrArray *a;
    if (hf <= 0 || !(a = proto_get_finfo_ptr_array(tree, hf)) || a->len == 0)
        return FALSE;
    *v = fvalue_get_uinteger(&((field_info *)g_ptr_array_index(a, 0))->value);
    return TRUE;
}

static gboolean
siplint_has(proto_tree *tree, int id)
{
    GPtrArray *a;
    return id > 0 && (a = proto_get_finfo_ptr_array(tree, id)) != NULL && a->len > 0;
}

/* CAP-OPAQUE and CAP-TCP-GAP, from what Wireshark's TCP and TLS dissectors found. */
static void
siplint_tcp_events(packet_info *pinfo, proto_tree *tree, gboolean has_sip)
{
    guint32 stream, bits, old;
    sl_meta meta;

    if (pinfo->ptype != PT_TCP || !siplint_first_uint(tree, hf_tcp_stream, &stream))
        return;
    old = bits = GPOINTER_TO_UINT(wmem_map_lookup(siplint_tcp_streams, GUINT_TO_POINTER(stream + 1)));
    siplint_meta_init(&meta, pinfo);
    siplint_ctx.frame = pinfo->num;
    siplint_ctx.ds_index = -1;
    siplint_ctx.base = 0;
    siplint_ctx.fed_len = 0;
    if (!(bits & SIPLINT_TCP_TLS) && !has_sip && siplint_has(tree, proto_tls)) {
        bits |= SIPLINT_TCP_TLS;
        sl_engine_report(siplint_engine, SL_R_CAP_OPAQUE, &meta,
                         "TCP connection %s:%u - %s:%u carries TLS: any SIP in it cannot be "
                         "inspected without the keys", address_to_str(pinfo->pool, &pinfo->src),
                         pinfo->srcport, address_to_str(pinfo->pool, &pinfo->dst), pinfo->destport);
    }
    if ((bits & SIPLINT_TCP_SIP) && siplint_has(tree, hf_tcp_ack_lost))
        sl_engine_report(siplint_engine, SL_R_CAP_TCP_GAP, &meta,
                         "TCP stream %s:%u - %s:%u: the peer acknowledges bytes the capture does "
                         "not hold; SIP in them is not linted",
                         address_to_str(pinfo->pool, &pinfo->dst), pinfo->destport,
                         address_to_str(pinfo->pool, &pinfo->src), pinfo->srcport);
    if (has_sip)
        bits |= SIPLINT_TCP_SIP;
    if (bits != old)
        wmem_map_insert(siplint_tcp_streams, GUINT_TO_POINTER(stream + 1), GUINT_TO_POINTER(bits));
}

/* Hand the tracker's events (CAP-FRAG-INCOMPLETE) to the engine. Each is reported at the frame
 * of its datagram's last fragment, which is this frame for a conflict and an earlier one for a
 * timeout, an eviction or the end of the capture (the sink then stores it for that frame). */
static void
siplint_frag_events(guint32 frame)
{
    sl_payload pl;

    siplint_ctx.frame = frame;
    siplint_ctx.ds_index = -1;
    siplint_ctx.base = 0;
    siplint_ctx.fed_len = 0;
    while (sl_outq_pop(&siplint_fq, &pl)) {
        if (pl.kind == SL_PAYLOAD_EVENT && siplint_engine)
            sl_engine_report(siplint_engine, pl.rule, &pl.meta, "%s", pl.text);
    }
}

/* Capture time in nanoseconds, saturated as the CLI's capture layer does. */
static gint64
siplint_now_ns(const packet_info *pinfo)
{
    gint64 sec = (gint64)pinfo->abs_ts.secs;
    if (sec > G_MAXINT64 / 1000000000 - 1)
        return G_MAXINT64;
    if (sec < G_MININT64 / 1000000000 + 1)
        return G_MININT64;
    return sec * 1000000000 + (pinfo->abs_ts.nsecs >= 0 ? pinfo->abs_ts.nsecs : 0);
}

/* The IP layers of this frame (IPv4 and IPv6 items, tunnels included), in the order the CLI
 * decodes them: the frame's own bytes first, outer before inner. */
typedef struct siplint_ip_layer {
    tvbuff_t *ds;
    gint start;
} siplint_ip_layer;

static gint
siplint_ip_layer_cmp(gconstpointer a, gconstpointer b, gpointer frame_tvb)
{
    const siplint_ip_layer *x = (const siplint_ip_layer *)a, *y = (const siplint_ip_layer *)b;
    int xf = x->ds != frame_tvb, yf = y->ds != frame_tvb;
    if (xf != yf)
        return xf - yf;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* First pass, every frame, before its SIP: let capture time pass (timeouts), then feed the raw
 * IP fragments of this frame to the tracker. Returns TRUE when a datagram completed in it. */
static gboolean
siplint_frag_step(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const int protos[2] = {proto_ip, proto_ipv6};
    siplint_ip_layer layers[16];
    guint n = 0, i;
    gint64 now = siplint_now_ns(pinfo);
    gboolean cut = tvb_reported_length(tvb) > tvb_captured_length(tvb);
    gboolean done = FALSE;
    size_t k;

    if (!siplint_frag)
        return FALSE;
    sl_frag_tick(siplint_frag, now, &siplint_fq);
    for (k = 0; k < G_N_ELEMENTS(protos); k++) {
        GPtrArray *a;
        if (protos[k] <= 0 || !(a = proto_get_finfo_ptr_array(tree, protos[k])))
            continue;
        for (i = 0; i < a->len && n < G_N_ELEMENTS(layers); i++) {
            field_info *fi = (field_info *)g_ptr_array_index(a, i);
            /* An IP header quoted by an ICMP error was never delivered as such. */
            if (!fi->ds_tvb || fi->start < 0 || siplint_in_icmp(tree, fi->ds_tvb, fi->start))
                continue;
            layers[n].ds = fi->ds_tvb;
            layers[n].start = fi->start;
            n++;
        }
    }
    if (n > 1)
        g_qsort_with_data(layers, (gint)n, sizeof layers[0], siplint_ip_layer_cmp, tvb);
    for (i = 0; i < n; i++) {
        guint captured = tvb_captured_length(layers[i].ds);
        const guint8 *p;
        sl_ip_pkt ip;
        sl_frag_done d;

        if ((guint)layers[i].start >= captured)
            continue;
        p = tvb_get_ptr(layers[i].ds, layers[i].start, (gint)(captured - (guint)layers[i].start));
        if (sl_dec_ip(p, captured - (guint)layers[i].start, &ip) != SL_DEC_FRAGMENT)
            continue;
        if (ip.payload_avail < ip.payload_len && !cut)
            continue; /* the IP length lies: malformed, as the CLI decides */
        if (sl_frag_feed(siplint_frag, &ip, cut, pinfo->num, now, &siplint_fq, &d) == SL_FRAG_DONE) {
            free(d.mem); /* Wireshark has reassembled it too; only the verdict is needed */
            done = TRUE;
        }
    }
    siplint_frag_events(pinfo->num);
    return done;
}

/* End of the first pass (tshark -2 and the GUI call the post-sequential-read routines): the
 * datagrams still pending never completed, as the CLI reports at the end of the capture. Their
 * findings are dated to their last fragment's frame, so the second pass shows them there. */
static void
siplint_frag_flush(void)
{
    if (!siplint_frag || siplint_frag_flushed)
        return;
    siplint_frag_flushed = TRUE;
    sl_frag_finish(siplint_frag, &siplint_fq);
    siplint_frag_events(0);
}

/* Is ds a data source that Wireshark reassembled from IP fragments? */
static gboolean
siplint_ip_reassembled(proto_tree *tree, tvbuff_t *ds, tvbuff_t *frame_tvb)
{
    size_t k;
    guint i;

    if (ds == frame_tvb)
        return FALSE;
    for (k = 0; k < 2; k++) { /* ip.fragment, ipv6.fragment */
        GPtrArray *a;
        if (hf_frag[k] <= 0 || !(a = proto_get_finfo_ptr_array(tree, hf_frag[k])))
            continue;
        for (i = 0; i < a->len; i++) {
            if (((field_info *)g_ptr_array_index(a, i))->ds_tvb == ds)
                return TRUE;
        }
    }
    return FALSE;
}

/* Length of the header section at buf (through its empty line), 0 if it does not end. */
static size_t
siplint_header_len(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static void
siplint_analyse(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    GPtrArray *sips;
    siplint_span *done;
    guint n_done = 0;
    sl_meta base;
    gboolean frag_done;
    guint i;

    if (!siplint_engine || !tree || proto_sip <= 0)
        return;
    frag_done = siplint_frag_step(tvb, pinfo, tree);
    sips = proto_get_finfo_ptr_array(tree, proto_sip);
    siplint_tcp_events(pinfo, tree, sips && sips->len > 0);
    if (!sips || sips->len == 0)
        return;

    siplint_meta_init(&base, pinfo);
    done = wmem_alloc_array(pinfo->pool, siplint_span, sips->len);

    for (i = 0; i < sips->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(sips, i);
        tvbuff_t *ds = fi->ds_tvb;
        guint start, end, captured, j;
        gboolean nested = FALSE;
        const char *buf;
        size_t used = 0;
        sl_meta meta = base;
        sl_feed_rc rc;

        if (!ds || fi->start < 0)
            continue;
        start = (guint)fi->start;
        for (j = 0; j < n_done; j++) {
            if (done[j].ds == ds && start >= done[j].start && start < done[j].end)
                nested = TRUE;
        }
        captured = tvb_captured_length(ds);
        if (nested || start >= captured || siplint_in_icmp(tree, ds, fi->start))
            continue;
        /* Wireshark reassembled a datagram the CLI's tracker gave up (overlap with different
         * bytes, timeout) or never completed: no receiver got it whole, so it is not linted. */
        if (!frag_done && siplint_ip_reassembled(tree, ds, tvb))
            continue;

        if (meta.transport == SL_TP_TCP || meta.transport == SL_TP_TLS) {
            /* One message per feed on streams; the `sip` item's length is not to be trusted
             * (it runs to the end of the segment unless the tree is visible: gotcha 2). */
            size_t skip = 0, msg_len = 0;
            const char *why = NULL;
            end = captured;
            buf = (const char *)tvb_get_ptr(ds, (gint)start, (gint)(end - start));
            sl_frame_rc fr = sl_frame_stream(buf, end - start, &skip, &msg_len, &why);
            if (fr == SL_FRAME_BROKEN && strcmp(why, "no SIP start line") != 0 &&
                (msg_len = siplint_header_len(buf + skip, end - start - skip)) > 0) {
                /* No usable Content-Length (SIP-CL-STREAM): the message ends with its header
                 * section, as the CLI's stream framing decides. */
                fr = SL_FRAME_COMPLETE;
            }
            if (fr == SL_FRAME_COMPLETE) {
                start += (guint)skip;
                end = start + (guint)msg_len;
                buf += skip;
            } else if (tvb_reported_length(ds) > captured) {
                /* Cut by the snap length: the engine reports that (CAP-TRUNCATED), as the
                 * CLI's does for the same bytes. */
                meta.flags |= SL_META_TRUNCATED;
            } else {
                /* Incomplete for another reason (TCP desegmentation off, a gap): not linted,
                 * since judging part of a message would report what is merely missing. */
                continue;
            }
        } else {
            /* Datagram transports: the engine gets the whole payload and frames it by
             * Content-Length itself. */
            guint reported_end;
            if (!(meta.transport == SL_TP_UDP && siplint_udp_end(tree, ds, fi->start, &reported_end)))
                reported_end = fi->length > 0 ? start + (guint)fi->length : tvb_reported_length(ds);
            end = reported_end;
            if (end > captured) {
                end = captured;
                meta.flags |= SL_META_TRUNCATED;
            }
            buf = (const char *)tvb_get_ptr(ds, (gint)start, (gint)(end - start));
        }

        meta.frame_first = siplint_first_frame(tree, ds, (gint)start, (gint)end, pinfo->num);
        if (meta.frame_first < meta.frame_last)
            meta.flags |= SL_META_REASSEMBLED;

        siplint_ctx.frame = pinfo->num;
        siplint_ctx.ds_index = siplint_ds_index(pinfo, ds);
        siplint_ctx.base = start;
        siplint_ctx.fed_len = end - start;
        rc = sl_engine_feed(siplint_engine, buf, end - start, &meta, &used);
        if (!siplint_trk_full_frame && sl_engine_stats(siplint_engine)->tracker_dropped)
            siplint_trk_full_frame = pinfo->num;
        if (rc == SL_FEED_LINTED) {
            done[n_done].ds = ds;
            done[n_done].start = start;
            done[n_done].end = end;
            n_done++;
        }
    }
}

/* ---- every pass: render what the first pass found ------------------------------------------ */

static expert_field *
siplint_ei(const siplint_finding_rec *f)
{
    int sev = f->severity >= SL_SEV_NOTE && f->severity <= SL_SEV_ERROR
                  ? (int)f->severity : siplint_default_severity(f->rule);
    if ((size_t)f->rule->sym >= siplint_n_rules)
        return NULL;
    return &ei_siplint[(size_t)f->rule->sym * 3 + (size_t)(sev - 1)];
}

/* Append at most what fits of src to buf[*n..cap-1]; TRUE if all of it fitted. */
static gboolean
siplint_put(char *buf, size_t cap, size_t *n, const char *src)
{
    size_t len = strlen(src), room = cap - 1 - *n;
    gboolean all = len <= room;
    if (!all)
        len = room;
    memcpy(buf + *n, src, len);
    *n += len;
    return all;
}

/* "RULE (severity): message", cut to fit a tree item label (ITEM_LABEL_LENGTH): Wireshark would
 * otherwise prefix "[truncated]" and cut anywhere, even inside a UTF-8 sequence such as the
 * section sign. The full text stays in the siplint.message field. Built by copying rather than
 * with g_snprintf, which cost more than the rest of the rendering together (this runs for every
 * finding on every pass, for the expert item's text). */
static const char *
siplint_label(char *buf, size_t cap, const char *rule, const char *sev, const char *msg)
{
    size_t n = 0;
    gboolean all = siplint_put(buf, cap, &n, rule);
    if (sev)
        all = all && siplint_put(buf, cap, &n, " (") && siplint_put(buf, cap, &n, sev) &&
              siplint_put(buf, cap, &n, ")");
    all = all && siplint_put(buf, cap, &n, ": ") && siplint_put(buf, cap, &n, msg);
    buf[n] = '\0';
    if (all)
        return buf;
    size_t end = cap - 4; /* room for "..." and the NUL */
    while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80)
        end--; /* do not split a UTF-8 sequence */
    memcpy(buf + end, "...", 4);
    return buf;
}

/* Is this tree rendered as text (GUI, -V, PDML)? Otherwise item labels are never shown, and
 * formatting them is wasted: filters and -T fields read the items' values. */
static gboolean
siplint_tree_visible(proto_tree *tree)
{
    return tree && PTREE_DATA(tree)->visible;
}

static void
siplint_render(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    siplint_frame_rec *fr = (siplint_frame_rec *)wmem_map_lookup(siplint_frames, GUINT_TO_POINTER(pinfo->num));
    const sl_rule *in_info[8];
    unsigned n_info = 0;
    siplint_msg_rec *m;

    if (!fr)
        return;
    for (m = fr->head; m; m = m->next) {
        tvbuff_t *ds = NULL;
        gint start = 0, len = 0;
        proto_item *ti;
        proto_tree *st;
        siplint_finding_rec *f;

        /* Point at the message in its data source so that byte highlighting is the same on
         * every pass; data sources are added in the same order on each dissection. */
        if (m->ds_index >= 0) {
            GSList *l = g_slist_nth(pinfo->data_src, (guint)m->ds_index);
            if (l)
                ds = get_data_source_tvb((const struct data_source *)l->data);
        }
        if (ds && m->start < tvb_captured_length(ds)) {
            start = (gint)m->start;
            len = (gint)MIN(m->msg_len, tvb_captured_length(ds) - m->start);
        } else {
            ds = tvb;
        }

        ti = proto_tree_add_item(tree, proto_siplint, ds, start, len, ENC_NA);
        if (siplint_tree_visible(tree))
            proto_item_set_text(ti, "SIP Lint, %u-byte message: %u finding%s", m->msg_len,
                                m->n_findings, m->n_findings == 1 ? "" : "s");
        st = proto_item_add_subtree(ti, ett_siplint);
        /* Derived values get no bytes of their own (the protocol item and each rule item carry
         * the highlighting), which also keeps PDML from dumping the message once per field. */
        proto_item_set_generated(proto_tree_add_uint(st, hf_siplint_msg_len, ds, start, 0, m->msg_len));

        for (f = m->head; f; f = f->next) {
            const char *sev = sl_severity_name(f->severity);
            expert_field *ei = siplint_ei(f);
            char label[ITEM_LABEL_LENGTH - 16];
            gint fo = start, fl = len;
            proto_item *fti;
            proto_tree *ft;
            unsigned k;

            if (f->length > 0 && (gint)f->offset < len) {
                fo = start + (gint)f->offset;
                fl = (gint)MIN(f->length, (guint32)(len - (gint)f->offset));
            }
            fti = proto_tree_add_string(st, hf_siplint_rule, ds, fo, fl, f->rule->id);
            if (siplint_tree_visible(st))
                proto_item_set_text(fti, "%s", siplint_label(label, sizeof label, f->rule->id, sev,
                                                             f->message));
            ft = proto_item_add_subtree(fti, ett_siplint_finding);
            proto_item_set_generated(proto_tree_add_string(ft, hf_siplint_severity, ds, fo, 0, sev));
            proto_item_set_generated(proto_tree_add_string(ft, hf_siplint_message, ds, fo, 0, f->message));
            proto_item_set_generated(proto_tree_add_string(ft, hf_siplint_rfc, ds, fo, 0, f->rule->rfc));
            for (k = 0; k < f->n_related; k++)
                proto_item_set_generated(proto_tree_add_uint(ft, hf_siplint_related_frame, ds, fo, 0,
                                                             f->related[k]));
            /* On the finding's own item, so that the GUI marks it; with no tree (fti NULL) this
             * still feeds the expert tap (-z expert, Expert Information). */
            if (ei)
                /* the expert item's label adds "Expert Info (Error/Protocol): " */
                expert_add_info_format(pinfo, fti, ei, "%s",
                                       siplint_label(label, sizeof label - 40, f->rule->id, NULL, f->message));

            for (k = 0; k < n_info && in_info[k] != f->rule; k++)
                ;
            if (k == n_info) {
                col_append_fstr(pinfo->cinfo, COL_INFO, " [siplint:%s]", f->rule->id);
                if (n_info < G_N_ELEMENTS(in_info))
                    in_info[n_info++] = f->rule;
            }
            tap_queue_packet(siplint_tap, pinfo, f);
        }
    }
}

static int
dissect_siplint(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!PINFO_FD_VISITED(pinfo))
        siplint_analyse(tvb, pinfo, tree);
    else
        siplint_frag_flush(); /* in case no post-sequential-read call came (GUI rescans) */
    siplint_render(tvb, pinfo, tree);
    if (siplint_trk_full_frame && pinfo->num == siplint_trk_full_frame)
        proto_tree_add_expert(tree, pinfo, &ei_siplint_tracker_full, tvb, 0, 0);
    return 0;
}

guint32
siplint_tracker_full_frame(void)
{
    return siplint_trk_full_frame;
}

/* ---- registration -------------------------------------------------------------------------- */

static int
siplint_pi_group(sl_rule_group g)
{
    switch (g) {
    case SL_GROUP_SEQUENCE:
        return PI_SEQUENCE;
    case SL_GROUP_MALFORMED:
        return PI_MALFORMED;
    case SL_GROUP_PROTOCOL:
    default:
        return PI_PROTOCOL;
    }
}

static int
siplint_pi_severity(int sev)
{
    return sev == SL_SEV_ERROR ? PI_ERROR : sev == SL_SEV_WARNING ? PI_WARN : PI_NOTE;
}

/* One expert item per rule and severity, generated from the rule table so that the list can
 * never drift from the engine. */
static void
siplint_register_expert(void)
{
    static const expert_field_info blank = {NULL, 0, 0, NULL, EXPFILL};
    const expert_field init = EI_INIT;
    ei_register_info *ei = ei_siplint_reg;
    expert_module_t *mod;
    size_t i, n = 0;

    siplint_n_rules = MIN(sl_rule_count(), (size_t)SL_RULE__COUNT);
    for (i = 0; i < G_N_ELEMENTS(ei_siplint); i++)
        ei_siplint[i] = init;

    for (i = 0; i < siplint_n_rules; i++) {
        const sl_rule *r = sl_rule_at(i);
        char base[48];
        char *p;
        int sev;

        if ((size_t)r->sym >= siplint_n_rules)
            continue;
        /* "MSG-SIZE" -> "msg_size": filter names are lower case, and '_' reads as one word. */
        g_strlcpy(base, r->id, sizeof base);
        for (p = base; *p; p++)
            *p = *p == '-' ? '_' : g_ascii_tolower(*p);
        for (sev = SL_SEV_NOTE; sev <= SL_SEV_ERROR; sev++) {
            char *name = ei_siplint_names[n];
            if (sev == siplint_default_severity(r))
                g_snprintf(name, sizeof ei_siplint_names[n], "siplint.%s", base);
            else
                g_snprintf(name, sizeof ei_siplint_names[n], "siplint.%s.%s", base,
                           sl_severity_name((sl_severity)sev));
            ei[n].ids = &ei_siplint[(size_t)r->sym * 3 + (size_t)(sev - 1)];
            ei[n].eiinfo = blank;
            ei[n].eiinfo.name = name;
            ei[n].eiinfo.group = siplint_pi_group(r->group);
            ei[n].eiinfo.severity = siplint_pi_severity(sev);
            ei[n].eiinfo.summary = r->summary;   /* the rule table's strings are static */
            n++;
        }
    }
    ei[n].ids = &ei_siplint_tracker_full;
    ei[n].eiinfo = blank;
    ei[n].eiinfo.name = "siplint.tracker_full";
    ei[n].eiinfo.group = PI_UNDECODED;
    ei[n].eiinfo.severity = PI_WARN;
    ei[n].eiinfo.summary = "siplint's transaction tracker is full: from here, rules that conclude from "
                           "a missing message stay quiet until entries expire (raise max-transactions "
                           "in the configuration file, siplint.config_file)";
    n++;
    mod = expert_register_protocol(proto_siplint);
    expert_register_field_array(mod, ei, (int)n);
}

void
proto_register_siplint(void)
{
    static hf_register_info hf[] = {
        {&hf_siplint_rule,
         {"Rule", "siplint.rule", FT_STRING, BASE_NONE, NULL, 0x0,
          "siplint rule id (stable; one page per rule in docs/rules/)", HFILL}},
        {&hf_siplint_severity,
         {"Severity", "siplint.severity", FT_STRING, BASE_NONE, NULL, 0x0,
          "Effective severity of the finding: error, warning or note", HFILL}},
        {&hf_siplint_rfc,
         {"RFC", "siplint.rfc", FT_STRING, BASE_NONE, NULL, 0x0,
          "The RFC section the rule rests on", HFILL}},
        {&hf_siplint_message,
         {"Message", "siplint.message", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the rule found, with the values involved", HFILL}},
        {&hf_siplint_related_frame,
         {"Related frame", "siplint.related_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "Another frame the finding refers to (the request, an earlier message...)", HFILL}},
        {&hf_siplint_msg_len,
         {"Message length", "siplint.msg_len", FT_UINT32, BASE_DEC, NULL, 0x0,
          "SIP message size in bytes, start line to last body byte (RFC 3428 sec. 8)", HFILL}},
    };
    static gint *ett[] = {&ett_siplint, &ett_siplint_finding};
    module_t *prefs;

    proto_siplint = proto_register_protocol("SIP Lint", "SIPLINT", "siplint");
    proto_register_field_array(proto_siplint, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    siplint_register_expert();

    prefs = prefs_register_protocol(proto_siplint, siplint_prefs_apply);
    prefs_register_uint_preference(prefs, "max_message_size", "MESSAGE size limit (bytes)",
        "MSG-SIZE: largest MESSAGE request allowed outside a congestion-controlled path "
        "(RFC 3428 sec. 8 says 1300; raise it only if the path MTU is known to be at least "
        "the size plus 200)", 10, &pref_max_message_size);
    prefs_register_bool_preference(prefs, "assume_congestion_safe", "Assume a congestion-safe path",
        "MSG-SIZE: the operator asserts that every hop is congestion-controlled "
        "(single-domain TCP/TLS/SCTP networks), so large MESSAGE requests are allowed",
        &pref_assume_congestion_safe);
    prefs_register_string_preference(prefs, "disabled_rules", "Disabled rules",
        "Rule ids to switch off, separated by commas (e.g. MSG-SIZE, SIP-PARSE); unknown ids "
        "are reported and ignored", &pref_disabled_rules);
    prefs_register_string_preference(prefs, "rule_severities", "Rule severities",
        "Severity overrides, separated by commas: RULE-ID=error|warning|note|off "
        "(e.g. SIP-VERSION=warning)", &pref_rule_severities);
    prefs_register_uint_preference(prefs, "path_mtu", "Path MTU (bytes, 0 = unknown)",
        "SIP-UDP-SIZE: a request over UDP may be at most the path MTU minus 200 bytes (RFC 3261 "
        "sec. 18.1.1); MSG-SIZE: quiet when the path MTU is at least the size plus 200 "
        "(RFC 3428 sec. 8). 0: the MTU is unknown and 1300 bytes is the limit",
        10, &pref_path_mtu);
    prefs_register_uint_preference(prefs, "t1_ms", "Timer T1 (ms)",
        "RFC 3261 sec. 17.1.1.1 round-trip estimate; Timer E starts at T1 and F = J = 64*T1 "
        "(default 500)", 10, &pref_t1_ms);
    prefs_register_uint_preference(prefs, "t2_ms", "Timer T2 (ms)",
        "RFC 3261 sec. 17.1.2.2 cap of the non-INVITE retransmit interval (default 4000)",
        10, &pref_t2_ms);
    prefs_register_uint_preference(prefs, "t4_ms", "Timer T4 (ms)",
        "RFC 3261 sec. 17.1.2.2 time a message may stay in the network; Timer K (default 5000)",
        10, &pref_t4_ms);
    prefs_register_uint_preference(prefs, "date_stale_s", "Date tolerance (s)",
        "MSG-DATE-STALE: how far a signed request's Date may be from the capture time "
        "(RFC 3428 sec. 11.4 says \"several minutes\"; default 300)", 10, &pref_date_stale_s);
    prefs_register_filename_preference(prefs, "config_file", "siplint configuration file",
        "A siplint configuration file (the CLI's format, docs/cli.md: [siplint] profile, enable, "
        "disable; [severity]; [engine]; [suppress NAME]). Read with the CLI's own parser; "
        "preferences set here to other than their defaults override it. Empty: none",
        &pref_config_file, FALSE);
    prefs_register_enum_preference(prefs, "profile", "Profile",
        "The CLI's --profile: strict (catalogue severities) or interop (rules whose catalogue "
        "severity is warning report notes); \"file\" leaves it to the configuration file",
        &pref_profile, siplint_profiles, FALSE);

    siplint_frames = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash,
                                            g_direct_equal);
    siplint_tcp_streams = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash,
                                                 g_direct_equal);
    register_init_routine(siplint_init);
    register_cleanup_routine(siplint_cleanup);
    register_postseq_cleanup_routine(siplint_frag_flush);

    siplint_handle = register_dissector("siplint", dissect_siplint, proto_siplint);
    register_postdissector(siplint_handle);

    siplint_tap = register_tap("siplint");
    siplint_register_stats();
}

void
proto_reg_handoff_siplint(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    size_t k;

    /* Without these in the wanted list the first-pass tree would not keep them (the tree is
     * "fake" unless something asks for fields), and we could not find the SIP messages. */
    proto_sip = proto_get_id_by_filter_name("sip");
    if (proto_sip > 0)
        g_array_append_val(wanted, proto_sip);
    hf_udp_length = proto_registrar_get_id_byname("udp.length");
    if (hf_udp_length > 0)
        g_array_append_val(wanted, hf_udp_length);
    for (k = 0; k < G_N_ELEMENTS(siplint_frag_fields); k++) {
        hf_frag[k] = proto_registrar_get_id_byname(siplint_frag_fields[k]);
        if (hf_frag[k] > 0)
            g_array_append_val(wanted, hf_frag[k]);
    }
    for (k = 0; k < G_N_ELEMENTS(siplint_icmp_protos); k++) {
        proto_icmp[k] = proto_get_id_by_filter_name(siplint_icmp_protos[k]);
        if (proto_icmp[k] > 0)
            g_array_append_val(wanted, proto_icmp[k]);
    }
    proto_ip = proto_get_id_by_filter_name("ip");
    if (proto_ip > 0)
        g_array_append_val(wanted, proto_ip);
    proto_ipv6 = proto_get_id_by_filter_name("ipv6");
    if (proto_ipv6 > 0)
        g_array_append_val(wanted, proto_ipv6);
    proto_tls = proto_get_id_by_filter_name("tls");
    proto_websocket = proto_get_id_by_filter_name("websocket");
    if (proto_tls > 0)
        g_array_append_val(wanted, proto_tls);
    hf_tcp_stream = proto_registrar_get_id_byname("tcp.stream");
    if (hf_tcp_stream > 0)
        g_array_append_val(wanted, hf_tcp_stream);
    hf_tcp_ack_lost = proto_registrar_get_id_byname("tcp.analysis.ack_lost_segment");
    if (hf_tcp_ack_lost > 0)
        g_array_append_val(wanted, hf_tcp_ack_lost);
    set_postdissector_wanted_hfids(siplint_handle, wanted);
}

void
plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_siplint;
    plug.register_handoff = proto_reg_handoff_siplint;
    proto_register_plugin(&plug);
}

guint32
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
