/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the command-line tool: policy (configuration file and options), baselines, inputs, progress. */
#ifndef SIPLINT_CLI_H
#define SIPLINT_CLI_H

#include <glib.h>

#include "capture.h"
#include "policy.h"
#include "report.h"
#include "siplint/engine.h"

/* Exit status contract (docs/cli.md, docs/siplint.1): stable, scripts depend on it. */
enum {
    EXIT_CLEAN = 0,    /* no finding at or above the --fail-on threshold */
    EXIT_FINDINGS = 1, /* at least one finding at or above it */
    EXIT_INPUT = 2,    /* an input could not be read, whole or in part */
    EXIT_USAGE = 3,    /* bad option or argument */
    EXIT_CONFIG = 4    /* bad configuration file or baseline */
};

/* ---- policy: what the configuration file and the options decide ---- */

/* The configuration file's types and parser (sl_policy_*) live in lint/config/policy.h. */

/* Does a suppression cover this finding? */
int sl_policy_suppressed(const sl_policy *p, const sl_rec *rec);

/* ---- baselines ---- */

typedef struct sl_baseline sl_baseline;
sl_baseline *sl_baseline_load(const char *path, char **err);
int sl_baseline_has(const sl_baseline *b, const sl_rec *rec);
void sl_baseline_free(sl_baseline *b);
/* Collects findings for --write-baseline. */
typedef struct sl_baseline_writer sl_baseline_writer;
sl_baseline_writer *sl_baseline_writer_new(void);
void sl_baseline_writer_add(sl_baseline_writer *w, const sl_rec *rec);
/* Writes and frees. Returns 0, or -1 with errno set. */
int sl_baseline_writer_save(sl_baseline_writer *w, const char *path);

/* ---- one input ---- */

/* SL_EV_WARNING: something the user should know about an input that is neither a finding nor
 * an input error (standard error only; no effect on the exit status). */
typedef enum sl_event_kind { SL_EV_FINDING, SL_EV_INPUT_ERROR, SL_EV_WARNING } sl_event_kind;
typedef struct sl_event {
    sl_event_kind kind;
    sl_rec *rec;       /* FINDING */
    char *sentence;    /* INPUT_ERROR */
    int in_rec;        /* the event lives in rec's block (sl_rec_room) and goes with it */
} sl_event;
void sl_event_free(sl_event *ev);

typedef struct sl_job sl_job;
typedef void (*sl_emit_fn)(sl_job *j, sl_event *ev, void *user); /* takes ownership of ev */

struct sl_job {
    char *name;                 /* as reported: the path as found, "<stdin>", "interface lo" */
    char *path;                 /* what to open: a path, "-" */
    const char *iface;          /* live capture: the interface (then path is NULL) */
    const char *filter;         /* live capture: BPF */
    uint64_t count_limit;       /* live capture: stop after this many SIP messages (0: no limit) */
    const sl_policy *pol;
    const sl_baseline *base;
    sl_transport raw_transport;
    sl_emit_fn emit;            /* non-NULL: events go straight there (streaming) */
    void *emit_user;
    GPtrArray *events;          /* otherwise collected here (sl_event *) */
    sl_totals totals;           /* packets, bytes, messages, input errors, suppressed */
    int done;
    /* while linting */
    sl_capture *cap;
    const char *feed;           /* the buffer being fed to the engine */
    size_t feed_len;
    const char *raw_base;       /* raw message file: its bytes (offsets are file offsets) */
    int read_thread;            /* a capture file may be read on a second thread (reader.c) */
    uint64_t feed_off;          /* reader thread: file offset of feed, SL_NO_OFFSET if unknown */
    size_t feed_in_frame;       /* ... and how many of its bytes lie in that frame */
    sl_msgbook *book;           /* non-NULL (an html output): every linted message and reported
                                 * finding goes there too (lint/report/html_book.c) */
    sl_rec_pool *pool;          /* the blocks of the job's records (made by the sink on first
                                 * use); freed by whoever runs the job once every record of it is
                                 * freed (main.c: file_end) */
};

/* Lint one input. Thread-safe across jobs. */
void sl_job_run(sl_job *j);
/* Live capture on j->iface: stops at SIGINT/SIGTERM, --duration (through sl_job_stop) or
 * j->count_limit. Returns 0, or -1 when the interface cannot be opened (reported as an input
 * error). */
void sl_job_stop_all(void); /* async-signal-safe */

/* Expand the command line's inputs: files as given, directories recursively (*.pcap, *.pcapng,
 * *.cap, and those with .gz), sorted. Returns NULL with *err set when a directory cannot be read
 * (the caller reports it as an input error). */
void sl_inputs_expand(const char *arg, GPtrArray *out_paths, GPtrArray *out_errors);

/* ---- progress on standard error ---- */

void sl_progress_start(int enabled, uint64_t total_bytes);
void sl_progress_add(uint64_t bytes, uint64_t packets, uint64_t findings);
/* Around writing to the terminal: clear the progress line, keep it from being redrawn. */
void sl_progress_pause(void);
void sl_progress_resume(void);
void sl_progress_stop(void);

#endif
