/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siplint command line: options, policy, inputs in parallel, outputs, live capture, exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ---- options ---- */

static gchar **opt_format = NULL, *opt_output = NULL, *opt_color = NULL, *opt_fail_on = NULL;
static gchar *opt_transport = NULL, *opt_config = NULL, *opt_profile = NULL;
static gchar **opt_enable = NULL, **opt_disable = NULL, **opt_severity = NULL;
static gchar *opt_baseline = NULL, *opt_write_baseline = NULL;
static gchar *opt_iface = NULL, *opt_filter = NULL;
static gint opt_max_size = -1, opt_path_mtu = -1, opt_t1 = -1, opt_t2 = -1, opt_t4 = -1, opt_stale = -1;
static gint opt_max_txn = -1;
static gint opt_jobs = 0, opt_duration = -1;
static gint64 opt_count = -1;
static gboolean opt_version = FALSE, opt_list = FALSE, opt_cc_safe = FALSE, opt_no_config = FALSE;
static gboolean opt_quiet = FALSE;

static const GOptionEntry entries[] = {
    {"format", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &opt_format,
     "Output format: text (default), jsonl, sarif, junit, codequality, html; FMT:FILE writes that one to "
     "FILE (repeatable: several formats from one run)", "FMT[:FILE]"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "Write the formats that name no file of their own to FILE (default: standard output)", "FILE"},
    {"color", 0, 0, G_OPTION_ARG_STRING, &opt_color,
     "Colour the text format: auto (default: on a terminal, unless NO_COLOR is set), always, never", "WHEN"},
    {"fail-on", 0, 0, G_OPTION_ARG_STRING, &opt_fail_on,
     "Exit 1 when a finding is at or above LEVEL: error (default), warning, note", "LEVEL"},
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
     "Read this configuration file (default: .siplint.conf here or in a parent directory, else "
     "$XDG_CONFIG_HOME/siplint/siplint.conf)", "FILE"},
    {"no-config", 0, 0, G_OPTION_ARG_NONE, &opt_no_config, "Read no configuration file", NULL},
    {"profile", 0, 0, G_OPTION_ARG_STRING, &opt_profile,
     "strict (default: the rule table's severities) or interop (warning rules report notes)", "NAME"},
    {"enable", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &opt_enable,
     "Enable a rule (at its default severity) that the configuration disabled (repeatable)", "RULE"},
    {"disable", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &opt_disable, "Disable a rule (repeatable)", "RULE"},
    {"severity", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt_severity,
     "Set a rule's severity: RULE=error|warning|note|off (repeatable)", "RULE=LEVEL"},
    {"transport", 't', 0, G_OPTION_ARG_STRING, &opt_transport,
     "Transport of raw SIP message files: udp (default), tcp, tls, sctp, ws, wss", "TP"},
    {"max-size", 0, 0, G_OPTION_ARG_INT, &opt_max_size,
     "MSG-SIZE limit in bytes (default 1300, RFC 3428 section 8)", "BYTES"},
    {"assume-congestion-safe", 0, 0, G_OPTION_ARG_NONE, &opt_cc_safe,
     "Assert that every hop is congestion-controlled (suppresses MSG-SIZE)", NULL},
    {"path-mtu", 0, 0, G_OPTION_ARG_INT, &opt_path_mtu, "Known path MTU in bytes (default: unknown)", "BYTES"},
    {"max-transactions", 0, 0, G_OPTION_ARG_INT, &opt_max_txn,
     "Transactions the tracker holds at once (default 32768; memory grows with it)", "N"},
    {"t1-ms", 0, 0, G_OPTION_ARG_INT, &opt_t1, "RFC 3261 timer T1 in ms (default 500)", "MS"},
    {"t2-ms", 0, 0, G_OPTION_ARG_INT, &opt_t2, "RFC 3261 timer T2 in ms (default 4000)", "MS"},
    {"t4-ms", 0, 0, G_OPTION_ARG_INT, &opt_t4, "RFC 3261 timer T4 in ms (default 5000)", "MS"},
    {"date-stale-s", 0, 0, G_OPTION_ARG_INT, &opt_stale,
     "A Date older than this many seconds is stale (MSG-DATE-STALE, default 300)", "SECONDS"},
    {"baseline", 'b', 0, G_OPTION_ARG_FILENAME, &opt_baseline,
     "Report and fail only on findings that are not in this baseline", "FILE"},
    {"write-baseline", 0, 0, G_OPTION_ARG_FILENAME, &opt_write_baseline,
     "Record the current findings in FILE, for --baseline", "FILE"},
    {"jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs, "Lint N inputs in parallel (default: the number of cores)", "N"},
    {"interface", 'i', 0, G_OPTION_ARG_STRING, &opt_iface,
     "Live capture on this network interface instead of reading files", "IFACE"},
    {"filter", 0, 0, G_OPTION_ARG_STRING, &opt_filter, "Live capture: a BPF capture filter", "BPF"},
    {"duration", 0, 0, G_OPTION_ARG_INT, &opt_duration, "Live capture: stop after SECONDS", "SECONDS"},
    {"count", 0, 0, G_OPTION_ARG_INT64, &opt_count, "Live capture: stop after N SIP messages", "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "No progress line on standard error", NULL},
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

static int config_error(const char *what)
{
    fprintf(stderr, "siplint: %s\n", what);
    return EXIT_CONFIG;
}

/* ---- outputs ---- */

typedef struct output {
    sl_format fmt;
    char *path;       /* NULL: standard output */
    FILE *fp;
    sl_reporter *rep;
} output;

typedef struct ctx {
    sl_policy pol;
    sl_baseline *base;
    sl_baseline_writer *bw;
    output outs[8];
    int n_outs;
    int live;
    sl_totals totals;
} ctx;

static int parse_outputs(ctx *x)
{
    const char *def[] = {"text", NULL};
    const char *const *list = opt_format ? (const char *const *)opt_format : def;
    for (; *list; list++) {
        if (x->n_outs == (int)G_N_ELEMENTS(x->outs))
            return usage_error("--format: at most %d outputs", (int)G_N_ELEMENTS(x->outs));
        output *o = &x->outs[x->n_outs];
        const char *colon = strchr(*list, ':');
        char *name = colon ? g_strndup(*list, (size_t)(colon - *list)) : g_strdup(*list);
        if (sl_format_parse(name, &o->fmt) != 0) {
            int rc = usage_error("--format: unknown format '%s' (text, jsonl, sarif, junit, codequality, html)", name);
            g_free(name);
            return rc;
        }
        g_free(name);
        if (colon && !colon[1])
            return usage_error("--format: '%s' names no file after the colon", *list);
        o->path = colon ? g_strdup(colon + 1) : opt_output ? g_strdup(opt_output) : NULL;
        if (o->path && strcmp(o->path, "-") == 0) {
            g_free(o->path);
            o->path = NULL;
        }
        for (int k = 0; k < x->n_outs; k++)
            if ((x->outs[k].path == NULL && o->path == NULL) ||
                (x->outs[k].path && o->path && strcmp(x->outs[k].path, o->path) == 0))
                return usage_error("--format: %s and %s would both write to %s; give one a file (FMT:FILE)",
                                   sl_format_name(x->outs[k].fmt), sl_format_name(o->fmt),
                                   o->path ? o->path : "standard output");
        x->n_outs++;
    }
    return EXIT_CLEAN;
}

static int want_color(FILE *fp)
{
    if (opt_color && strcmp(opt_color, "always") == 0)
        return 1;
    if (opt_color && strcmp(opt_color, "never") == 0)
        return 0;
    const char *nc = getenv("NO_COLOR"); /* https://no-color.org: set and not empty */
    const char *term = getenv("TERM");
    if ((nc && nc[0]) || (term && strcmp(term, "dumb") == 0))
        return 0;
    return isatty(fileno(fp));
}

static int open_outputs(ctx *x)
{
    for (int k = 0; k < x->n_outs; k++) {
        output *o = &x->outs[k];
        o->fp = o->path ? fopen(o->path, "w") : stdout;
        if (!o->fp)
            return usage_error("--format %s: cannot write %s: %s", sl_format_name(o->fmt), o->path, strerror(errno));
        sl_report_opts ro = {.color = o->fmt == SL_FMT_TEXT && want_color(o->fp),
                             .fail_on = x->pol.fail_on,
                             .rule_severity = x->pol.cfg.severity};
        o->rep = sl_reporter_new(o->fmt, o->fp, &ro);
    }
    return EXIT_CLEAN;
}

/* ---- events, in command-line order ---- */

static void emit(sl_job *j, sl_event *ev, void *user)
{
    ctx *x = user;
    sl_progress_pause();
    if (ev->kind != SL_EV_FINDING)
        /* what came before on standard output reaches it as it would have, unheld */
        for (int k = 0; k < x->n_outs; k++)
            sl_reporter_flush(x->outs[k].rep);
    if (ev->kind == SL_EV_WARNING) {
        fprintf(stderr, "siplint: warning: %s\n", ev->sentence);
    } else if (ev->kind == SL_EV_INPUT_ERROR) {
        fprintf(stderr, "siplint: %s\n", ev->sentence);
        for (int k = 0; k < x->n_outs; k++)
            sl_reporter_input_error(x->outs[k].rep, j->name, ev->sentence);
    } else {
        sl_rec *r = ev->rec;
        sl_rec_fingerprint(r); /* left to this thread by the engine's (inputs.c, sink) */
        if (x->bw)
            sl_baseline_writer_add(x->bw, r);
        if (r->baselined)
            j->totals.baselined++;
        else {
            j->totals.findings++;
            j->totals.by_severity[r->severity]++;
            j->totals.by_rule[r->rule->sym]++;
            j->totals.by_rule_sev[r->rule->sym][r->severity]++;
            for (int k = 0; k < x->n_outs; k++)
                sl_reporter_finding(x->outs[k].rep, r);
        }
    }
    if (x->live) /* findings as they become certain */
        for (int k = 0; k < x->n_outs; k++) {
            sl_reporter_flush(x->outs[k].rep);
            fflush(x->outs[k].fp);
        }
    sl_progress_resume();
    sl_event_free(ev);
}

static void file_begin(ctx *x, sl_job *j)
{
    for (int k = 0; k < x->n_outs; k++)
        sl_reporter_file_begin(x->outs[k].rep, j->name);
}

/* An html output draws ladders from every message of the input: the job keeps a book of them. */
static sl_msgbook *book_for(ctx *x)
{
    for (int k = 0; k < x->n_outs; k++)
        if (x->outs[k].fmt == SL_FMT_HTML)
            return sl_msgbook_new(&x->pol.cfg);
    return NULL;
}

static void file_end(ctx *x, sl_job *j)
{
    /* every event of the job has been written and freed: the blocks of its records can go */
    sl_rec_pool_free(j->pool);
    j->pool = NULL;
    if (j->book) {
        for (int k = 0; k < x->n_outs; k++)
            sl_reporter_messages(x->outs[k].rep, j->book);
        sl_msgbook_free(j->book);
        j->book = NULL;
    }
    for (int k = 0; k < x->n_outs; k++)
        sl_reporter_file_end(x->outs[k].rep, j->name, &j->totals);
    sl_totals_add(&x->totals, &j->totals);
}

/* ---- the writer thread ----
 *
 * With one input at a time, findings are rendered (JSON, text, SARIF...) on a thread of their own
 * while the engine goes on linting: the engine's sink hands each event over through a bounded
 * FIFO (one producer, one consumer: the order is the engine's), and the input's end waits until
 * everything handed over has been written. */

#define WR_RING 1024
#define WR_BATCH 64 /* the writer is woken for this many events (or a drain): not for each one */

typedef struct writer {
    GMutex mu;
    GCond work;         /* the writer waits here for events */
    GCond room;         /* the producer waits here for room, or for the drain */
    GThread *th;
    ctx *x;
    struct { sl_job *j; sl_event *ev; } ring[WR_RING];
    size_t head, n;     /* n events from ring[head] on (those being written included) */
    int busy;           /* the writer is writing events it took out */
    int sleeping;       /* the writer waits on work */
    int producer_waits; /* the producer waits on room */
    int flush;          /* write everything, however few */
    int quit;
} writer;

static gpointer writer_main(gpointer data)
{
    writer *w = data;
    g_mutex_lock(&w->mu);
    for (;;) {
        /* a few events wait at most 100 ms (a slow input, standard input from a pipe) */
        gint64 until = g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND;
        while (w->n < WR_BATCH && !w->flush && !w->quit) {
            w->sleeping = 1;
            int woken = g_cond_wait_until(&w->work, &w->mu, until);
            w->sleeping = 0;
            if (!woken && w->n)
                break;
            if (!woken)
                until = g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND;
        }
        if (!w->n) {
            if (w->quit)
                break;
            if (w->producer_waits)
                g_cond_signal(&w->room);
            w->sleeping = 1; /* flushed: wait for more */
            g_cond_wait_until(&w->work, &w->mu, g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND);
            w->sleeping = 0;
            continue;
        }
        /* take what is there, write it unlocked */
        size_t k = w->n, h = w->head;
        w->busy = 1;
        g_mutex_unlock(&w->mu);
        for (size_t i = 0; i < k; i++) {
            size_t at = (h + i) % WR_RING;
            emit(w->ring[at].j, w->ring[at].ev, w->x);
        }
        g_mutex_lock(&w->mu);
        w->busy = 0;
        w->head = (w->head + k) % WR_RING;
        w->n -= k;
        if (w->producer_waits)
            g_cond_signal(&w->room);
    }
    g_mutex_unlock(&w->mu);
    return NULL;
}

static void writer_push(sl_job *j, sl_event *ev, void *user)
{
    writer *w = user;
    g_mutex_lock(&w->mu);
    while (w->n == WR_RING) {
        w->producer_waits = 1;
        g_cond_wait(&w->room, &w->mu);
        w->producer_waits = 0;
    }
    size_t at = (w->head + w->n) % WR_RING;
    w->ring[at].j = j;
    w->ring[at].ev = ev;
    w->n++;
    if (w->sleeping && w->n >= WR_BATCH)
        g_cond_signal(&w->work);
    g_mutex_unlock(&w->mu);
}

/* Wait until every event handed over is written. */
static void writer_drain(writer *w)
{
    g_mutex_lock(&w->mu);
    w->flush = 1;
    g_cond_signal(&w->work);
    while (w->n || w->busy) {
        w->producer_waits = 1;
        g_cond_wait(&w->room, &w->mu);
        w->producer_waits = 0;
    }
    w->flush = 0;
    g_mutex_unlock(&w->mu);
}

static writer *writer_start(ctx *x)
{
    writer *w = g_new0(writer, 1);
    g_mutex_init(&w->mu);
    g_cond_init(&w->work);
    g_cond_init(&w->room);
    w->x = x;
    w->th = g_thread_try_new("siplint-writer", writer_main, w, NULL);
    if (!w->th) {
        g_mutex_clear(&w->mu);
        g_cond_clear(&w->work);
        g_cond_clear(&w->room);
        g_free(w);
        return NULL;
    }
    return w;
}

static void writer_stop(writer *w)
{
    if (!w)
        return;
    g_mutex_lock(&w->mu);
    w->quit = 1;
    g_cond_signal(&w->work);
    g_mutex_unlock(&w->mu);
    g_thread_join(w->th);
    g_mutex_clear(&w->mu);
    g_cond_clear(&w->work);
    g_cond_clear(&w->room);
    g_free(w);
}

/* ---- parallel inputs ---- */

static GMutex done_lock;
static GCond done_cond;

/* Several inputs in parallel: each job hands its events to the main thread through a queue of
 * its own, JOB_BUFFER events at most: a job ahead of its turn stalls there rather than hold
 * all its findings in memory (two 100 MB captures with -j 2 used to peak at 93 MiB). */
#define JOB_BUFFER 4096
#define JOB_WAKE 64 /* the main thread is woken for this many events of its current job */

typedef struct jobq {
    GPtrArray *ev; /* handed over, not yet taken (under done_lock) */
    int head;      /* the main thread reports this job now */
} jobq;

static void queue_event(sl_job *j, sl_event *ev, void *user)
{
    jobq *q = user;
    (void)j;
    g_mutex_lock(&done_lock);
    while (q->ev->len >= JOB_BUFFER)
        g_cond_wait(&done_cond, &done_lock);
    g_ptr_array_add(q->ev, ev);
    if (q->head && q->ev->len == JOB_WAKE)
        g_cond_broadcast(&done_cond);
    g_mutex_unlock(&done_lock);
}

static void worker(gpointer data, gpointer unused)
{
    sl_job *j = data;
    (void)unused;
    sl_job_run(j);
    g_mutex_lock(&done_lock);
    j->done = 1;
    g_cond_broadcast(&done_cond);
    g_mutex_unlock(&done_lock);
}

static void run_files(ctx *x, GPtrArray *paths, int jobs)
{
    guint n = paths->len;
    sl_job *js = g_new0(sl_job, n ? n : 1);
    for (guint i = 0; i < n; i++) {
        sl_job *j = &js[i];
        j->path = g_ptr_array_index(paths, i);
        j->name = g_strdup(strcmp(j->path, "-") == 0 ? "<stdin>" : j->path);
        j->pol = &x->pol;
        j->base = x->base;
        j->raw_transport = SL_TP_UDP;
        j->book = book_for(x);
        if (opt_transport)
            sl_transport_parse(opt_transport, &j->raw_transport);
    }
    if (jobs <= 1 || n <= 1) {
        /* one at a time: findings stream out as they are made. When there is a second core, a
         * capture is read and decoded on a thread of its own (reader.c) and findings are
         * written on another (the writer above), while this thread lints: a pipeline whose
         * output is that of one thread (SIPLINT_PIPELINE=0 turns it off, to compare). */
        const char *pl = getenv("SIPLINT_PIPELINE");
        int pipeline = g_get_num_processors() > 1 && !(pl && strcmp(pl, "0") == 0);
        writer *w = pipeline ? writer_start(x) : NULL;
        for (guint i = 0; i < n; i++) {
            sl_job *j = &js[i];
            j->emit = w ? writer_push : emit;
            j->emit_user = w ? (void *)w : (void *)x;
            j->read_thread = pipeline;
            file_begin(x, j);
            sl_job_run(j);
            if (w)
                writer_drain(w);
            file_end(x, j);
        }
        writer_stop(w);
    } else {
        jobq *qs = g_new0(jobq, n);
        for (guint i = 0; i < n; i++) {
            qs[i].ev = g_ptr_array_new();
            js[i].emit = queue_event;
            js[i].emit_user = &qs[i];
        }
        GThreadPool *pool = g_thread_pool_new(worker, NULL, jobs, FALSE, NULL);
        for (guint i = 0; i < n; i++)
            g_thread_pool_push(pool, &js[i], NULL);
        /* Report in command-line order: the events of the first unfinished input as they come,
         * then the next one's (which may have waited, JOB_BUFFER events at most). */
        for (guint i = 0; i < n; i++) {
            sl_job *j = &js[i];
            jobq *q = &qs[i];
            file_begin(x, j);
            g_mutex_lock(&done_lock);
            q->head = 1;
            g_cond_broadcast(&done_cond);
            for (;;) {
                while (q->ev->len < JOB_WAKE && !j->done)
                    g_cond_wait(&done_cond, &done_lock);
                GPtrArray *take = q->ev;
                int fin = j->done; /* done is set after the job's last event */
                q->ev = g_ptr_array_new();
                g_cond_broadcast(&done_cond); /* room for a worker that waits */
                g_mutex_unlock(&done_lock);
                for (guint k = 0; k < take->len; k++)
                    emit(j, g_ptr_array_index(take, k), x);
                g_ptr_array_free(take, TRUE);
                g_mutex_lock(&done_lock);
                if (fin)
                    break;
            }
            g_mutex_unlock(&done_lock);
            g_ptr_array_free(q->ev, TRUE);
            q->ev = NULL;
            file_end(x, j);
        }
        g_thread_pool_free(pool, FALSE, TRUE);
        g_free(qs);
    }
    for (guint i = 0; i < n; i++)
        g_free(js[i].name);
    g_free(js);
}

/* ---- live capture ---- */

static void on_signal(int sig)
{
    (void)sig;
    sl_job_stop_all();
}

static void run_live(ctx *x)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sl_job j;
    memset(&j, 0, sizeof j);
    j.name = g_strdup_printf("interface %s", opt_iface);
    j.iface = opt_iface;
    j.filter = opt_filter;
    j.count_limit = opt_count > 0 ? (uint64_t)opt_count : 0;
    j.pol = &x->pol;
    j.base = x->base;
    j.emit = emit;
    j.emit_user = x;
    j.book = book_for(x);
    x->live = 1;
    if (opt_duration > 0)
        alarm((unsigned)opt_duration);
    file_begin(x, &j);
    sl_job_run(&j);
    alarm(0);
    file_end(x, &j);
    g_free(j.name);
}

/* ---- configuration: file, then options ---- */

static int configure(ctx *x)
{
    sl_policy_init(&x->pol);
    if (opt_profile) {
        /* the option wins over the file's profile key, and applies before the file's severities */
        if (strcmp(opt_profile, "interop") == 0)
            x->pol.profile_interop = 1;
        else if (strcmp(opt_profile, "strict") != 0)
            return usage_error("--profile: unknown profile '%s' (strict, interop)", opt_profile);
        x->pol.profile_locked = 1;
        sl_policy_apply_profile(&x->pol);
    }
    if (opt_config && opt_no_config)
        return usage_error("--config and --no-config contradict each other");
    char *path = opt_config ? g_strdup(opt_config) : opt_no_config ? NULL : sl_policy_find();
    if (path) {
        char *err = NULL;
        if (sl_policy_load(&x->pol, path, &err) != 0) {
            int rc = config_error(err);
            g_free(err);
            g_free(path);
            return rc;
        }
        g_free(path);
    }
    if (opt_fail_on) {
        sl_severity s;
        if (sl_severity_parse(opt_fail_on, &s) != 0 || s == SL_SEV_NONE)
            return usage_error("--fail-on: unknown level '%s' (error, warning, note)", opt_fail_on);
        x->pol.fail_on = s;
    }
    if (opt_color && strcmp(opt_color, "auto") != 0 && strcmp(opt_color, "always") != 0 &&
        strcmp(opt_color, "never") != 0)
        return usage_error("--color: expected auto, always or never, got '%s'", opt_color);
    sl_transport tp;
    if (opt_transport && sl_transport_parse(opt_transport, &tp) != 0)
        return usage_error("--transport: unknown transport '%s' (udp, tcp, tls, sctp, ws, wss)", opt_transport);
    sl_config *c = &x->pol.cfg;
    for (gchar **e = opt_enable; e && *e; e++) {
        const sl_rule *rule = sl_rule_by_id(*e);
        if (!rule)
            return usage_error("--enable: unknown rule '%s' (see --list-rules)", *e);
        if (c->severity[rule->sym] == SL_SEV_NONE)
            c->severity[rule->sym] = rule->severity ? rule->severity : SL_SEV_WARNING;
    }
    for (gchar **d = opt_disable; d && *d; d++) {
        const sl_rule *rule = sl_rule_by_id(*d);
        if (!rule)
            return usage_error("--disable: unknown rule '%s' (see --list-rules)", *d);
        c->severity[rule->sym] = SL_SEV_NONE;
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
        c->severity[rule->sym] = sev;
    }
    struct {
        const char *name;
        gint v;
        gint min, max;
        unsigned *dst;
    } nums[] = {{"--max-size", opt_max_size, 1, 1 << 30, &c->max_message_size},
                {"--path-mtu", opt_path_mtu, 0, 1 << 20, &c->path_mtu},
                {"--t1-ms", opt_t1, 1, 3600000, &c->t1_ms},
                {"--t2-ms", opt_t2, 1, 3600000, &c->t2_ms},
                {"--t4-ms", opt_t4, 1, 3600000, &c->t4_ms},
                {"--date-stale-s", opt_stale, 1, 86400 * 366, &c->date_stale_s},
                {"--max-transactions", opt_max_txn, 1024, 1 << 24, &c->max_transactions}};
    for (size_t i = 0; i < G_N_ELEMENTS(nums); i++) {
        if (nums[i].v == -1)
            continue;
        if (nums[i].v < nums[i].min || nums[i].v > nums[i].max)
            return usage_error("%s: expected a number from %d to %d", nums[i].name, nums[i].min, nums[i].max);
        *nums[i].dst = (unsigned)nums[i].v;
    }
    if (opt_cc_safe)
        c->assume_congestion_safe = 1;
    if (opt_jobs < 0)
        return usage_error("--jobs: expected a positive number");
    if (!opt_iface && (opt_filter || opt_duration != -1 || opt_count != -1))
        return usage_error("--filter, --duration and --count apply to live capture (-i IFACE)");
    if (opt_duration == 0 || opt_duration < -1)
        return usage_error("--duration: expected a positive number of seconds");
    if (opt_count == 0 || opt_count < -1)
        return usage_error("--count: expected a positive number");
    int rc = parse_outputs(x);
    if (rc != EXIT_CLEAN)
        return rc;
    if (opt_baseline) {
        char *err = NULL;
        x->base = sl_baseline_load(opt_baseline, &err);
        if (!x->base) {
            rc = config_error(err);
            g_free(err);
            return rc;
        }
    }
    if (opt_write_baseline)
        x->bw = sl_baseline_writer_new();
    return EXIT_CLEAN;
}

static const char summary[] =
    "FILE is a pcap or pcapng capture (also gzip-compressed), a raw SIP message, a directory\n"
    "(searched for *.pcap, *.pcapng, *.cap and their .gz), or - for standard input.\n"
    "Configuration: .siplint.conf (see siplint(1) and docs/cli.md).\n\n"
    "Exit status: 0 no finding at or above the --fail-on level; 1 findings at or above it;\n"
    "2 an input could not be read, whole or in part (or a report could not be written);\n"
    "3 usage error; 4 configuration or baseline error.";

int main(int argc, char **argv)
{
    GOptionContext *oc = g_option_context_new("FILE... - lint SIP MESSAGE traffic in captures");
    g_option_context_set_summary(oc, summary);
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
    ctx x;
    memset(&x, 0, sizeof x);
    int rc = configure(&x);
    if (rc != EXIT_CLEAN)
        return rc;
    if (argc < 2 && !opt_iface)
        return usage_error("no input file (use - for standard input, or -i IFACE for live capture)");
    if (argc >= 2 && opt_iface)
        return usage_error("-i IFACE takes no input files");
    int n_stdin = 0;
    for (int i = 1; i < argc; i++)
        n_stdin += strcmp(argv[i], "-") == 0;
    if (n_stdin > 1)
        return usage_error("standard input (-) can be read only once");

    /* inputs: directories expanded, in a stable order */
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *dir_errors = g_ptr_array_new_with_free_func(g_free);
    uint64_t total_bytes = 0;
    for (int i = 1; i < argc; i++)
        sl_inputs_expand(argv[i], paths, dir_errors);
    for (guint i = 0; i < paths->len; i++) {
        struct stat sb;
        if (stat(g_ptr_array_index(paths, i), &sb) == 0 && S_ISREG(sb.st_mode))
            total_bytes += (uint64_t)sb.st_size;
    }
    rc = open_outputs(&x);
    if (rc != EXIT_CLEAN)
        return rc;
    sl_progress_start(!opt_quiet, total_bytes);
    for (guint i = 0; i < dir_errors->len; i++) {
        sl_progress_pause();
        fprintf(stderr, "siplint: %s\n", (char *)g_ptr_array_index(dir_errors, i));
        sl_progress_resume();
        x.totals.input_errors++;
    }
    if (opt_iface)
        run_live(&x);
    else
        run_files(&x, paths, opt_jobs > 0 ? opt_jobs : (int)g_get_num_processors());
    sl_progress_stop();

    int write_failed = 0;
    for (int k = 0; k < x.n_outs; k++) {
        if (sl_reporter_finish(x.outs[k].rep, &x.totals) != 0) {
            fprintf(stderr, "siplint: %s: write error: %s\n", x.outs[k].path ? x.outs[k].path : "standard output",
                    strerror(errno));
            write_failed = 1;
        }
        if (x.outs[k].path && fclose(x.outs[k].fp) != 0 && !write_failed) {
            fprintf(stderr, "siplint: %s: write error: %s\n", x.outs[k].path, strerror(errno));
            write_failed = 1;
        }
        g_free(x.outs[k].path);
    }
    if (x.bw && sl_baseline_writer_save(x.bw, opt_write_baseline) != 0) {
        fprintf(stderr, "siplint: %s: cannot write the baseline: %s\n", opt_write_baseline, strerror(errno));
        write_failed = 1;
    }
    sl_baseline_free(x.base);
    sl_policy_free(&x.pol);
    g_ptr_array_free(paths, TRUE);
    g_ptr_array_free(dir_errors, TRUE);
    if (x.totals.input_errors || write_failed)
        return EXIT_INPUT;
    for (int s = x.pol.fail_on; s <= SL_SEV_ERROR; s++)
        if (x.totals.by_severity[s])
            return EXIT_FINDINGS;
    return EXIT_CLEAN;
}
