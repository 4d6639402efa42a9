/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderers of findings for the command-line tool: text, JSON Lines, SARIF, JUnit, Code Quality. */
#ifndef SIPLINT_REPORT_H
#define SIPLINT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "siplint/engine.h"

typedef enum sl_format {
    SL_FMT_TEXT = 0,     /* for people: one line per finding, context beneath, summary table */
    SL_FMT_JSONL,        /* JSON Lines, schema 1 (docs/cli.md) */
    SL_FMT_SARIF,        /* SARIF 2.1.0 */
    SL_FMT_JUNIT,        /* JUnit XML: a testsuite per input, a testcase per rule */
    SL_FMT_CODEQUALITY,  /* GitLab Code Quality JSON */
    SL_FMT_HTML,         /* one self-contained HTML page with ladder diagrams (docs/html-report.md) */
    SL_FMT__COUNT
} sl_format;

/* 0 and *out set for "text", "jsonl", "sarif", "junit", "codequality", "html"; -1 otherwise. */
int sl_format_parse(const char *s, sl_format *out);
const char *sl_format_name(sl_format f);

#define SL_NO_OFFSET UINT64_MAX

typedef struct sl_rec_pool sl_rec_pool;

/* A finding copied out of the engine's callback, so that it can wait (parallel inputs are
 * reported in command-line order). Everything is owned by the record except file and rule. */
/* sl_rec_new_room sets every field without clearing the structure first (pooled blocks are
 * reused): a new field must be set there too. */
typedef struct sl_rec {
    const char *file;          /* the input's name; must outlive the record */
    const sl_rule *rule;
    sl_severity severity;      /* effective */
    char *message;
    size_t message_len;        /* strlen(message) */
    uint64_t frame, frame_first;
    uint64_t related[SL_MAX_RELATED];
    unsigned n_related;
    size_t offset, length, msg_len;
    char *call_id;             /* "" if none */
    uint64_t cseq;
    char *cseq_method;
    char *start_line;          /* at most 200 bytes */
    char *line;                /* the line holding the offending bytes (at most 200), "" if unknown */
    int has_meta;
    sl_meta meta;
    uint64_t fingerprint;
    uint64_t file_offset;      /* offset of the message's first byte in the input file, or
                                * SL_NO_OFFSET (live capture, pipe, reassembled message) */
    uint64_t file_length;      /* bytes of the message in the file from there (0 if unknown) */
    int baselined;             /* cli: matched the baseline (counted, not rendered) */
    sl_rec_pool *pool;         /* the pool the record's block goes back to; NULL: malloc'd */
    /* The engine may leave the fingerprint to the record's reader (sl_finding.fp_deferred): then
     * fp_pending is set and these spans point into the record's block. */
    int fp_pending;
    sl_span fp_call_id, fp_cseq_method;
    sl_fp_parts fp;
} sl_rec;

/* Copy a finding. avail is how many bytes are readable from f->start_line.p on (0: unknown; no
 * offending line is then extracted). Returns NULL only when memory is exhausted. */
sl_rec *sl_rec_new(const char *file, const sl_finding *f, size_t avail, uint64_t file_offset);
/* The same with room bytes in the record's block for the caller (sl_rec_room: aligned for any
 * object, freed with the record): whatever goes along with the record needs no allocation. The
 * block comes from pool when there is one and the record fits in its blocks. */
sl_rec *sl_rec_new_room(sl_rec_pool *pool, const char *file, const sl_finding *f, size_t avail,
                        uint64_t file_offset, size_t room);
void *sl_rec_room(sl_rec *r);
/* Fill r->fingerprint if the engine left it (fp_pending): before the first use of the
 * fingerprint, on whichever thread reads the record. */
void sl_rec_fingerprint(sl_rec *r);
/* On any thread; a pooled record's block goes back to its pool. */
void sl_rec_free(sl_rec *r);
/* The record as bytes, for a file that the same process reads back (main.c spools the findings of
 * an input ahead of its turn). Returns how many bytes it takes, and writes them to buf only when
 * that is at most cap (SIZE_MAX: a string too long to pack, none is). */
size_t sl_rec_pack(const sl_rec *r, void *buf, size_t cap);
/* The record back from sl_rec_pack's len bytes, one allocation (pool NULL) with room bytes for the
 * caller as sl_rec_new_room gives; what its readers see is what they saw in the packed one, the
 * fingerprint computed. NULL when the bytes are not a record or memory is exhausted. */
sl_rec *sl_rec_unpack(const void *buf, size_t len, const char *file, size_t room);

/* Record blocks for one thread that makes records which other threads may free (the engine's
 * sink, the writer thread): a freed block goes back to the pool, where the making thread takes it
 * again, instead of through malloc and free on two threads. Its memory is bounded (a pool makes
 * POOL_MAX blocks at most, report.c). NULL when memory is exhausted. */
sl_rec_pool *sl_rec_pool_new(void);
/* Frees the pool and its blocks: every record made from it must have been freed, and no thread
 * may free one concurrently. */
void sl_rec_pool_free(sl_rec_pool *p);
/* "1.2.3.4:5060", "[2001:db8::1]:5060", or "" when the record has no addresses. */
void sl_rec_addr(const sl_rec *r, int src, char *buf, size_t cap);

/* Totals, for one input or for the whole run. */
typedef struct sl_totals {
    uint64_t files;
    uint64_t packets;
    uint64_t bytes;
    uint64_t sip_messages;
    uint64_t findings;         /* reported (not suppressed, not in the baseline) */
    uint64_t by_severity[4];
    uint64_t by_rule[SL_RULE__COUNT];
    uint64_t by_rule_sev[SL_RULE__COUNT][4]; /* by rule and effective severity */
    uint64_t input_errors;
    uint64_t suppressed;       /* matched a suppression of the configuration */
    uint64_t baselined;        /* matched the baseline */
} sl_totals;

void sl_totals_add(sl_totals *into, const sl_totals *t);

typedef struct sl_report_opts {
    int color;                          /* text: ANSI colours */
    int no_table;                       /* text: no per-rule summary table */
    sl_severity fail_on;                /* findings at or above fail the run (JUnit failures) */
    const sl_severity *rule_severity;   /* [SL_RULE__COUNT], effective configuration */
} sl_report_opts;

typedef struct sl_reporter sl_reporter;

/* out is not closed by the reporter; o is copied (rule_severity must outlive the reporter). */
sl_reporter *sl_reporter_new(sl_format fmt, FILE *out, const sl_report_opts *o);
/* The calls for one input come between its begin and end, inputs one after another. */
void sl_reporter_file_begin(sl_reporter *r, const char *file);
void sl_reporter_finding(sl_reporter *r, const sl_rec *rec);
/* An input that could not be read, whole or in part (the sentence names file and frame). */
void sl_reporter_input_error(sl_reporter *r, const char *file, const char *sentence);
void sl_reporter_file_end(sl_reporter *r, const char *file, const sl_totals *ft);
/* Hand what the reporter holds back (jsonl collects lines) to its stream, as if it had been
 * written at once: before anything else is written to standard error (the stream's own buffer
 * then decides, as ever, what of it has reached the file), and before a flush. */
void sl_reporter_flush(sl_reporter *r);
/* The closing summary; frees r. Returns 0, or -1 when writing failed. */
int sl_reporter_finish(sl_reporter *r, const sl_totals *t);

/* The HTML report's message book (lint/report/html_book.c, docs/html-report.md): every linted
 * message of one input passes by (sl_msgbook_message, after sl_engine_feed) and every reported
 * finding (sl_msgbook_finding, from the engine's sink); it keeps, within fixed bounds, the messages
 * of the Call-IDs that get a ladder diagram. One book per input, used by one thread at a time; it
 * is handed to the reporters with sl_reporter_messages before sl_reporter_file_end (formats other
 * than html ignore it). */
typedef struct sl_msgbook sl_msgbook;
sl_msgbook *sl_msgbook_new(const sl_config *cfg);
void sl_msgbook_free(sl_msgbook *b);
void sl_msgbook_message(sl_msgbook *b, const char *buf, size_t len, const sl_meta *meta);
void sl_msgbook_finding(sl_msgbook *b, const sl_rec *rec);
void sl_reporter_messages(sl_reporter *r, const sl_msgbook *b);

/* Write s as a JSON string literal (quotes included); invalid UTF-8 bytes become \u00XX. */
void sl_json_string(FILE *out, const char *s, size_t len);

#endif
