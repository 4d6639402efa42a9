/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siplint command line: options, inputs (captures or raw SIP message files), exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "report.h"
#include "siplint/engine.h"

/* Exit status contract (docs/cli.md): stable, scripts depend on it. */
enum {
    EXIT_CLEAN = 0,       /* no finding at error level */
    EXIT_FINDINGS = 1,    /* at least one finding at error level */
    EXIT_INPUT = 2,       /* an input could not be read, whole or in part */
    EXIT_USAGE = 3        /* bad option or argument */
};

#define RAW_MAX (64u << 20) /* a raw message file larger than this is not a SIP message */

typedef struct run {
    sl_config cfg;
    sl_transport raw_transport;
    sl_reporter *rep;
    sl_totals totals;
    const char *file; /* the input being linted */
} run;

static void sink(const sl_finding *f, void *user)
{
    run *r = user;
    r->totals.findings++;
    r->totals.by_severity[f->severity]++;
    r->totals.by_rule[f->rule->sym]++;
    sl_reporter_finding(r->rep, r->file, f);
}

static void input_error(run *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void input_error(run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "siplint: %s\n", s);
    sl_reporter_input_error(r->rep, r->file, s);
    r->totals.input_errors++;
    g_free(s);
}

/* ---- a FILE that replays a peeked prefix, then reads the rest of the underlying stream ---- */

typedef struct prefixed {
    unsigned char head[8];
    size_t n, pos;
    FILE *under;
} prefixed;

static ssize_t prefixed_read(void *cookie, char *buf, size_t size)
{
    prefixed *p = cookie;
    size_t got = 0;
    while (got < size && p->pos < p->n)
        buf[got++] = (char)p->head[p->pos++];
    if (got < size)
        got += fread(buf + got, 1, size - got, p->under);
    if (got == 0 && ferror(p->under))
        return -1;
    return (ssize_t)got;
}

static int prefixed_close(void *cookie)
{
    prefixed *p = cookie;
    int rc = p->under == stdin ? 0 : fclose(p->under);
    free(p);
    return rc;
}

static int is_capture_magic(const unsigned char *h, size_t n)
{
    static const unsigned char magics[][4] = {
        {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, /* pcap, microseconds */
        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, /* pcap, nanoseconds */
        {0x0a, 0x0d, 0x0d, 0x0a}};                          /* pcapng section header */
    if (n < 4)
        return 0;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(h, magics[i], 4) == 0)
            return 1;
    return 0;
}

/* ---- raw SIP message files ---- */

static void lint_raw(run *r, FILE *fp, const unsigned char *head, size_t n)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, head, (guint)n);
    unsigned char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b->len + got > RAW_MAX) {
            input_error(r, "%s: larger than %u MiB: not a SIP message file", r->file, RAW_MAX >> 20);
            g_byte_array_free(b, TRUE);
            return;
        }
        g_byte_array_append(b, chunk, (guint)got);
    }
    if (ferror(fp))
        input_error(r, "%s: read error: %s", r->file, strerror(errno));
    sl_engine *e = sl_engine_new(&r->cfg, sink, r);
    if (!e) {
        input_error(r, "%s: out of memory", r->file);
        g_byte_array_free(b, TRUE);
        return;
    }
    sl_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.transport = r->raw_transport;
    meta.flags = SL_META_RAW_FILE;
    const char *p = (const char *)b->data;
    size_t len = b->len;
    uint64_t msgno = 0;
    if (sl_transport_is_stream(r->raw_transport)) {
        /* a stream may hold several messages: frame them one after another (RFC 3261 §18.3) */
        while (len > 0) {
            size_t start, mlen;
            const char *why;
            sl_frame_rc fr = sl_frame_stream(p, len, &start, &mlen, &why);
            if (fr == SL_FRAME_NEED_MORE && start == len)
                break; /* only CRLF keep-alives left */
            meta.frame_first = meta.frame_last = ++msgno;
            if (fr != SL_FRAME_COMPLETE) {
                /* lint what is there as one message; the rules say what is wrong with it */
                sl_engine_feed(e, p + start, len - start, &meta, NULL);
                break;
            }
            sl_engine_feed(e, p + start, mlen, &meta, NULL);
            p += start + mlen;
            len -= start + mlen;
        }
    } else {
        meta.frame_first = meta.frame_last = 1;
        if (sl_engine_feed(e, p, len, &meta, NULL) == SL_FEED_NOT_SIP)
            input_error(r, "%s: neither a pcap/pcapng capture nor a SIP message", r->file);
    }
    r->totals.packets += msgno ? msgno : 1;
    r->totals.sip_messages += sl_engine_stats(e)->messages;
    sl_engine_free(e);
    g_byte_array_free(b, TRUE);
}

/* ---- captures ---- */

static void lint_capture(run *r, FILE *fp)
{
    char err[SL_CAP_ERRBUF];
    sl_capture *c = sl_capture_open_fp(fp, r->file, err);
    if (!c) {
        input_error(r, "%s", err);
        return;
    }
    sl_engine *e = sl_engine_new(&r->cfg, sink, r);
    if (!e) {
        input_error(r, "%s: out of memory", r->file);
        sl_capture_close(c);
        return;
    }
    sl_payload pl;
    sl_cap_rc rc;
    while ((rc = sl_capture_next(c, &pl, err)) == SL_CAP_PAYLOAD) {
        if (pl.kind == SL_PAYLOAD_EVENT) {
            sl_engine_report(e, pl.rule, &pl.meta, "%s", pl.text);
            continue;
        }
        if (sl_engine_feed(e, pl.data, pl.len, &pl.meta, NULL) == SL_FEED_NOMEM) {
            input_error(r, "%s: frame %llu: out of memory", r->file,
                        (unsigned long long)pl.meta.frame_last);
            break;
        }
    }
    if (rc == SL_CAP_DAMAGED)
        input_error(r, "%s", err); /* findings made before the damage were already reported */
    r->totals.packets += sl_capture_stats(c)->packets;
    r->totals.sip_messages += sl_engine_stats(e)->messages;
    sl_engine_free(e);
    sl_capture_close(c);
}

static void lint_input(run *r, const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    r->file = strcmp(path, "-") == 0 ? "<stdin>" : path;
    r->totals.files++;
    if (!fp) {
        input_error(r, "%s: cannot open: %s", path, strerror(errno));
        return;
    }
    prefixed *pf = calloc(1, sizeof *pf);
    if (!pf) {
        input_error(r, "%s: out of memory", r->file);
        if (fp != stdin)
            fclose(fp);
        return;
    }
    pf->under = fp;
    pf->n = fread(pf->head, 1, 4, fp);
    if (pf->n == 0) {
        input_error(r, "%s: empty file", r->file);
        prefixed_close(pf);
        return;
    }
    if (is_capture_magic(pf->head, pf->n)) {
        cookie_io_functions_t io = {.read = prefixed_read, .close = prefixed_close};
        FILE *cf = fopencookie(pf, "rb", io);
        if (!cf) {
            input_error(r, "%s: %s", r->file, strerror(errno));
            prefixed_close(pf);
            return;
        }
        lint_capture(r, cf); /* the capture closes cf, which closes fp */
    } else {
        lint_raw(r, fp, pf->head, pf->n);
        prefixed_close(pf);
    }
}

/* ---- options ---- */

static gchar *opt_format = NULL, *opt_transport = NULL;
static gchar **opt_disable = NULL, **opt_severity = NULL;
static gint opt_max_size = 1300;
static gboolean opt_version = FALSE, opt_list = FALSE, opt_cc_safe = FALSE;

static const GOptionEntry entries[] = {
    {"format", 'f', 0, G_OPTION_ARG_STRING, &opt_format, "Output format: text (default) or jsonl", "FMT"},
    {"transport", 't', 0, G_OPTION_ARG_STRING, &opt_transport,
     "Transport of raw SIP message files: udp (default), tcp, tls, sctp, ws, wss", "TP"},
    {"disable", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &opt_disable, "Disable a rule (repeatable)", "RULE"},
    {"severity", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt_severity,
     "Set a rule's severity: RULE=error|warning|note|off (repeatable)", "RULE=LEVEL"},
    {"max-size", 0, 0, G_OPTION_ARG_INT, &opt_max_size,
     "MSG-SIZE limit in bytes (default 1300, RFC 3428 section 8)", "BYTES"},
    {"assume-congestion-safe", 0, 0, G_OPTION_ARG_NONE, &opt_cc_safe,
     "Assert that every hop is congestion-controlled (suppresses MSG-SIZE)", NULL},
    {"list-rules", 0, 0, G_OPTION_ARG_NONE, &opt_list, "List the rules and exit", NULL},
    {"version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "siplint: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'siplint --help'.\n");
    va_end(ap);
    return EXIT_USAGE;
}

static int configure(run *r, sl_format *fmt)
{
    sl_config_default(&r->cfg);
    *fmt = SL_FMT_TEXT;
    if (opt_format) {
        if (strcmp(opt_format, "text") == 0)
            *fmt = SL_FMT_TEXT;
        else if (strcmp(opt_format, "jsonl") == 0)
            *fmt = SL_FMT_JSONL;
        else
            return usage_error("--format: unknown format '%s' (text, jsonl)", opt_format);
    }
    r->raw_transport = SL_TP_UDP;
    if (opt_transport && sl_transport_parse(opt_transport, &r->raw_transport) != 0)
        return usage_error("--transport: unknown transport '%s' (udp, tcp, tls, sctp, ws, wss)",
                           opt_transport);
    for (gchar **d = opt_disable; d && *d; d++) {
        const sl_rule *rule = sl_rule_by_id(*d);
        if (!rule)
            return usage_error("--disable: unknown rule '%s' (see --list-rules)", *d);
        r->cfg.severity[rule->sym] = SL_SEV_NONE;
    }
    for (gchar **s = opt_severity; s && *s; s++) {
        char *eq = strchr(*s, '=');
        if (!eq)
            return usage_error("--severity: expected RULE=LEVEL, got '%s'", *s);
        *eq = 0;
        const sl_rule *rule = sl_rule_by_id(*s);
        sl_severity sev;
        if (!rule)
            return usage_error("--severity: unknown rule '%s' (see --list-rules)", *s);
        if (sl_severity_parse(eq + 1, &sev) != 0)
            return usage_error("--severity: unknown level '%s' (error, warning, note, off)", eq + 1);
        r->cfg.severity[rule->sym] = sev;
    }
    if (opt_max_size <= 0)
        return usage_error("--max-size: must be a positive number of bytes");
    r->cfg.max_message_size = (unsigned)opt_max_size;
    r->cfg.assume_congestion_safe = opt_cc_safe;
    return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
    GOptionContext *oc = g_option_context_new("FILE... - lint SIP MESSAGE traffic in captures");
    g_option_context_set_summary(
        oc, "FILE is a pcap or pcapng capture, a raw SIP message, or - for standard input.\n\n"
            "Exit status: 0 no finding at error level; 1 findings at error level; 2 an input\n"
            "could not be read, whole or in part; 3 usage error.");
    g_option_context_add_main_entries(oc, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &err)) {
        int rc = usage_error("%s", err->message);
        g_error_free(err);
        g_option_context_free(oc);
        return rc;
    }
    g_option_context_free(oc);
    if (opt_version) {
        printf("siplint %s\n", SIPLINT_VERSION);
        return EXIT_CLEAN;
    }
    if (opt_list) {
        for (size_t i = 0; i < sl_rule_count(); i++) {
            const sl_rule *ru = sl_rule_at(i);
            printf("%-20s %-8s %-24s %s\n", ru->id, sl_severity_name(ru->severity), ru->rfc, ru->summary);
        }
        return EXIT_CLEAN;
    }
    run r;
    memset(&r, 0, sizeof r);
    sl_format fmt;
    int rc = configure(&r, &fmt);
    if (rc != EXIT_CLEAN)
        return rc;
    if (argc < 2)
        return usage_error("no input file (use - for standard input)");
    r.rep = sl_reporter_new(fmt, stdout);
    for (int i = 1; i < argc; i++)
        lint_input(&r, argv[i]);
    sl_reporter_finish(r.rep, &r.totals);
    if (r.totals.input_errors)
        return EXIT_INPUT;
    return r.totals.by_severity[SL_SEV_ERROR] ? EXIT_FINDINGS : EXIT_CLEAN;
}
