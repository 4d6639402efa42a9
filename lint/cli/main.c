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

/* Render one event; its counts go to *t (the job's totals, or the writer's own: see writer). */
static void emit_counted(sl_job *j, sl_event *ev, ctx *x, sl_totals *t)
{
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
            t->baselined++;
        else {
            t->findings++;
            t->by_severity[r->severity]++;
            t->by_rule[r->rule->sym]++;
            t->by_rule_sev[r->rule->sym][r->severity]++;
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

static void emit(sl_job *j, sl_event *ev, void *user)
{
    emit_counted(j, ev, user, &j->totals);
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
#define WR_BATCH 256 /* the writer is woken for this many events (or a drain): not for each one */

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
    /* The counts of the events written since the last drain, added to the job's totals there:
     * counted in the job itself, they shared cache lines with the fields the engine's thread
     * reads for each finding (sl_job: emit, emit_user, pol, base), and each finding moved
     * those lines from one core to the other and back. */
    sl_totals tot;
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
            emit_counted(w->ring[at].j, w->ring[at].ev, w->x, &w->tot);
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
    if (w->sleeping && w->n >= WR_BATCH) {
        /* once: until the writer runs (and sets sleeping again before it waits), every further
         * push would see it still asleep, and each signal is a system call (a wake-up had
         * about 40 of them) */
        w->sleeping = 0;
        g_cond_signal(&w->work);
    }
    g_mutex_unlock(&w->mu);
}

/* Wait until every event handed over is written (they are all j's), and count them in j's
 * totals. */
static void writer_drain(writer *w, sl_job *j)
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
    sl_totals_add(&j->totals, &w->tot);
    memset(&w->tot, 0, sizeof w->tot);
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
 * its own, JOB_BUFFER events at most. A job ahead of its turn whose queue is full goes on into a
 * spool (below): its further events, as bytes, in a buffer of SPOOL_CHUNK bytes and, past that,
 * in an unlinked temporary file; the main thread reads them back when the job's turn comes. Memory
 * stays bounded (two 100 MB captures with -j 2 used to peak at 93 MiB when jobs kept every
 * event), and a job no longer stalls until its turn, as it did with the queue alone (-j 2 took
 * 2.3 times as long as one input). Should the spool fail (no temporary file, a full disk), the job
 * stalls there as it did. */
#define JOB_BUFFER 4096
#define JOB_WAKE 64 /* the main thread is woken for this many events of its current job */
#define SPOOL_CHUNK (64 * 1024) /* bytes of events a spool holds before it writes them */

/* A job's spool: events as bytes, each "u32 n, u8 kind, n - 1 bytes" (a finding's record by
 * sl_rec_pack, an input error's or warning's sentence); the first `size` bytes in the file, the
 * `len` that follow in buf. */
typedef struct spool {
    int fd;             /* the temporary file, -1 before the first write */
    uint64_t size;      /* bytes in the file */
    unsigned char *buf; /* bytes not written yet */
    size_t len, cap;
    int err;            /* the spool failed (errno): it takes no more events */
} spool;

typedef enum spool_state {
    SPOOL_NONE,     /* no event spooled (yet) */
    SPOOL_ON,       /* events go to the spool, which is the worker's alone */
    SPOOL_HANDED,   /* the worker is done with it: the main thread replays it next */
    SPOOL_REPLAYED  /* a job spools at most once: before its turn */
} spool_state;

typedef struct jobq {
    GPtrArray *ev;     /* handed over, not yet taken (under done_lock) */
    int head;          /* the main thread reports this job now (set under done_lock, atomically:
                        * a spooling worker reads it without the lock) */
    spool_state state; /* under done_lock */
    int spooling;      /* the worker's own copy of state == SPOOL_ON */
    spool sp;
} jobq;

/* Write what buf holds to the file, which is made first. 0, or -1 with s->err set (the bytes
 * that did not reach the file stay in buf). */
static int spool_write(spool *s)
{
    if (s->fd < 0) {
        GError *e = NULL;
        char *name = NULL;
        s->fd = g_file_open_tmp("siplint-spool-XXXXXX", &name, &e);
        if (s->fd < 0) {
            s->err = EIO; /* no temporary directory, or none writable: the job will wait */
            g_clear_error(&e);
            return -1;
        }
        unlink(name); /* gone with the descriptor, whatever happens */
        g_free(name);
    }
    size_t done = 0;
    while (done < s->len) {
        ssize_t k = write(s->fd, s->buf + done, s->len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            s->err = k < 0 ? errno : EIO;
            break;
        }
        done += (size_t)k;
        s->size += (uint64_t)k;
    }
    memmove(s->buf, s->buf + done, s->len - done);
    s->len -= done;
    return s->err ? -1 : 0;
}

/* Append ev to the spool and free it. 0, or -1 when the spool takes no more (ev is the caller's
 * still). */
static int spool_put(spool *s, sl_event *ev)
{
    if (s->err)
        return -1;
    size_t n = ev->kind == SL_EV_FINDING ? sl_rec_pack(ev->rec, NULL, 0) : strlen(ev->sentence);
    if (n >= UINT32_MAX - 1) {
        s->err = EFBIG;
        return -1;
    }
    size_t need = 4 + 1 + n;
    if (s->len + need > s->cap) {
        if (s->len && spool_write(s) != 0)
            return -1;
        if (need > s->cap) {
            size_t cap = need > SPOOL_CHUNK ? need : SPOOL_CHUNK;
            unsigned char *b = g_try_realloc(s->buf, cap);
            if (b == NULL) {
                s->err = ENOMEM;
                return -1;
            }
            s->buf = b;
            s->cap = cap;
        }
    }
    unsigned char *d = s->buf + s->len;
    uint32_t n32 = (uint32_t)(n + 1);
    uint8_t kind = (uint8_t)ev->kind;
    memcpy(d, &n32, 4);
    d[4] = kind;
    if (ev->kind == SL_EV_FINDING)
        sl_rec_pack(ev->rec, d + 5, n);
    else
        memcpy(d + 5, ev->sentence, n);
    s->len += need;
    sl_event_free(ev); /* a record's block goes back to the job's pool */
    return 0;
}

static void spool_free(spool *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    g_free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

/* The spool's bytes from off on, into dst: from the file, then from buf. Returns how many (0 at
 * the end), or -1 with errno set. */
static ssize_t spool_read(const spool *s, uint64_t off, unsigned char *dst, size_t n)
{
    if (off < s->size) {
        size_t k = s->size - off < n ? (size_t)(s->size - off) : n;
        for (;;) {
            ssize_t r = pread(s->fd, dst, k, (off_t)off);
            if (r < 0 && errno == EINTR)
                continue;
            if (r == 0) /* shorter than written */
                errno = EIO;
            return r > 0 ? r : -1;
        }
    }
    size_t at = (size_t)(off - s->size);
    size_t k = s->len - at < n ? s->len - at : n;
    memcpy(dst, s->buf + at, k);
    return (ssize_t)k;
}

/* One event back from its bytes (kind and what follows), NULL if they are not one */
static sl_event *spool_event(sl_job *j, const unsigned char *p, size_t n)
{
    if (n == 0)
        return NULL;
    if (p[0] == SL_EV_FINDING) {
        sl_rec *rec = sl_rec_unpack(p + 1, n - 1, j->name, sizeof(sl_event));
        if (rec == NULL)
            return NULL;
        sl_event *ev = sl_rec_room(rec); /* as the job's sink makes it (inputs.c) */
        ev->kind = SL_EV_FINDING;
        ev->rec = rec;
        ev->sentence = NULL;
        ev->in_rec = 1;
        return ev;
    }
    if (p[0] != SL_EV_INPUT_ERROR && p[0] != SL_EV_WARNING)
        return NULL;
    sl_event *ev = g_new0(sl_event, 1);
    ev->kind = (sl_event_kind)p[0];
    ev->sentence = g_strndup((const char *)p + 1, n - 1);
    return ev;
}

/* Report the spooled events of j, in order, and free the spool. Should they not all come back
 * (the temporary file could not be read), that is said on standard error and in the reports as
 * an input error of j: the findings are lost, never silently. */
static void spool_replay(ctx *x, sl_job *j, spool *s)
{
    uint64_t total = s->size + s->len, off = 0;
    size_t cap = SPOOL_CHUNK, have = 0, at = 0;
    unsigned char *b = g_malloc(cap);
    int err = 0;
    while (off < total || have > at) {
        uint32_t n = 0;
        if (have - at >= 4)
            memcpy(&n, b + at, 4);
        if (have - at >= 4 && have - at - 4 >= n) {
            sl_event *ev = spool_event(j, b + at + 4, n);
            if (ev == NULL) {
                err = EIO; /* bytes that are no event, or no memory */
                break;
            }
            emit(j, ev, x);
            at += 4 + (size_t)n;
            continue;
        }
        /* an event's bytes are not all here: move what is to the front, read the rest */
        if (off == total || (have - at >= 4 && 4 + (uint64_t)n > have - at + (total - off))) {
            err = EIO; /* the spool ends within an event */
            break;
        }
        memmove(b, b + at, have - at);
        have -= at;
        at = 0;
        if (have >= 4 && 4 + (size_t)n > cap) {
            unsigned char *nb = g_try_realloc(b, 4 + (size_t)n);
            if (nb == NULL) {
                err = ENOMEM;
                break;
            }
            b = nb;
            cap = 4 + (size_t)n;
        }
        ssize_t k = spool_read(s, off, b + have, cap - have);
        if (k <= 0) {
            err = k < 0 ? errno : EIO;
            break;
        }
        have += (size_t)k;
        off += (uint64_t)k;
    }
    g_free(b);
    spool_free(s);
    if (err) {
        sl_event *ev = g_new0(sl_event, 1);
        ev->kind = SL_EV_INPUT_ERROR;
        ev->sentence = g_strdup_printf("%s: findings lost: the temporary file that held them could not be "
                                       "read back (%s)", j->name, g_strerror(err));
        x->totals.input_errors++;
        emit(j, ev, x);
    }
}

static void queue_event(sl_job *j, sl_event *ev, void *user)
{
    jobq *q = user;
    (void)j;
    /* spooling, ahead of the job's turn: no lock (a turn that has just come is seen at the next
     * event, one more spooled meanwhile does no harm) */
    if (q->spooling && !g_atomic_int_get(&q->head) && spool_put(&q->sp, ev) == 0)
        return;
    g_mutex_lock(&done_lock);
    if (!q->spooling && q->state == SPOOL_NONE && !q->head && q->ev->len >= JOB_BUFFER) {
        /* the queue is full ahead of the job's turn: on into the spool */
        q->state = SPOOL_ON;
        q->spooling = 1;
        g_mutex_unlock(&done_lock);
        if (spool_put(&q->sp, ev) == 0)
            return;
        g_mutex_lock(&done_lock);
    }
    if (q->spooling) {
        /* the job's turn has come, or the spool takes no more: then wait for the turn, as
         * without a spool. The spool is replayed before what follows. */
        while (!q->head)
            g_cond_wait(&done_cond, &done_lock);
        q->state = SPOOL_HANDED;
        q->spooling = 0;
        g_cond_broadcast(&done_cond);
    }
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
    jobq *q = j->emit_user;
    (void)unused;
    sl_job_run(j);
    g_mutex_lock(&done_lock);
    if (q->spooling)
        q->state = SPOOL_HANDED;
    q->spooling = 0;
    j->done = 1;
    g_cond_broadcast(&done_cond);
    g_mutex_unlock(&done_lock);
}

/* Report events in order and free them */
static void emit_all(ctx *x, sl_job *j, GPtrArray *evs)
{
    for (guint k = 0; k < evs->len; k++)
        emit(j, g_ptr_array_index(evs, k), x);
    g_ptr_array_free(evs, TRUE);
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
                writer_drain(w, j);
            file_end(x, j);
        }
        writer_stop(w);
    } else {
        jobq *qs = g_new0(jobq, n);
        for (guint i = 0; i < n; i++) {
            qs[i].ev = g_ptr_array_new();
            qs[i].sp.fd = -1;
            js[i].emit = queue_event;
            js[i].emit_user = &qs[i];
        }
        GThreadPool *pool = g_thread_pool_new(worker, NULL, jobs, FALSE, NULL);
        for (guint i = 0; i < n; i++)
            g_thread_pool_push(pool, &js[i], NULL);
        /* Report in command-line order: the events of the first unfinished input as they come,
         * then the next one's (which may have waited: JOB_BUFFER events in its queue, then those
         * in its spool, then the queue again). */
        for (guint i = 0; i < n; i++) {
            sl_job *j = &js[i];
            jobq *q = &qs[i];
            file_begin(x, j);
            g_mutex_lock(&done_lock);
            g_atomic_int_set(&q->head, 1);
            /* what the queue holds now came before anything spooled: once the job spools, it
             * queues again only after handing the spool over, which takes head */
            GPtrArray *take = q->ev;
            q->ev = g_ptr_array_new();
            g_cond_broadcast(&done_cond);
            g_mutex_unlock(&done_lock);
            emit_all(x, j, take);
            g_mutex_lock(&done_lock);
            for (;;) {
                while (q->ev->len < JOB_WAKE && !j->done && q->state != SPOOL_HANDED)
                    g_cond_wait(&done_cond, &done_lock);
                int replay = q->state == SPOOL_HANDED;
                if (replay)
                    q->state = SPOOL_REPLAYED;
                take = q->ev;
                int fin = j->done; /* done is set after the job's last event */
                q->ev = g_ptr_array_new();
                g_cond_broadcast(&done_cond); /* room for a worker that waits */
                g_mutex_unlock(&done_lock);
                if (replay) /* the spooled events came before those queued since */
                    spool_replay(x, j, &q->sp);
                emit_all(x, j, take);
                g_mutex_lock(&done_lock);
                if (fin)
                    break;
            }
            g_mutex_unlock(&done_lock);
            g_ptr_array_free(q->ev, TRUE);
            q->ev = NULL;
            spool_free(&q->sp);
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
