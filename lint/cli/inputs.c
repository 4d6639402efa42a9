/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inputs: finding them (files, directories), opening them (pcap, pcapng, raw SIP, gzip, stdin,
 * live interfaces) and linting each into events. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"
#include "reader.h"

#define RAW_MAX (64u << 20) /* a raw message file larger than this is not a SIP message */

void sl_event_free(sl_event *ev)
{
    if (!ev)
        return;
    if (ev->in_rec) {
        sl_rec_free(ev->rec); /* the event with it */
        return;
    }
    sl_rec_free(ev->rec);
    g_free(ev->sentence);
    g_free(ev);
}

static void job_event(sl_job *j, sl_event *ev)
{
    if (j->emit)
        j->emit(j, ev, j->emit_user);
    else
        g_ptr_array_add(j->events, ev);
}

static void input_error(sl_job *j, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void input_error(sl_job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_event *ev = g_new0(sl_event, 1);
    ev->kind = SL_EV_INPUT_ERROR;
    ev->sentence = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    j->totals.input_errors++;
    job_event(j, ev);
}

static void input_warning(sl_job *j, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void input_warning(sl_job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_event *ev = g_new0(sl_event, 1);
    ev->kind = SL_EV_WARNING;
    ev->sentence = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    job_event(j, ev);
}

/* The tracker's bound was hit (sl_stats.tracker_dropped): said once per input. */
static void tracker_warning(sl_job *j, const sl_engine *e)
{
    const sl_stats *s = sl_engine_stats(e);
    if (s->tracker_dropped)
        input_warning(j, "%s: the transaction tracker was full: %llu records not kept (--max-transactions, "
                      "default 32768); stateful rules that conclude from a missing message stayed "
                      "quiet while it was full", j->name, (unsigned long long)s->tracker_dropped);
}

static int inside(const char *p, const char *base, size_t len)
{
    return base && (uintptr_t)p >= (uintptr_t)base && (uintptr_t)p < (uintptr_t)base + len;
}

static void sink(const sl_finding *f, void *user)
{
    sl_job *j = user;
    size_t avail = 0;
    uint64_t off = SL_NO_OFFSET;
    const char *p = f->start_line.p;
    if (p && f->start_line.len && inside(p, j->feed, j->feed_len)) {
        avail = (size_t)((uintptr_t)j->feed + j->feed_len - (uintptr_t)p);
        uint64_t o;
        size_t at = (size_t)((uintptr_t)p - (uintptr_t)j->feed);
        if (j->raw_base)
            off = (uint64_t)((uintptr_t)p - (uintptr_t)j->raw_base);
        else if (j->cap && sl_capture_file_offset(j->cap, p, &o) == 0)
            off = o;
        else if (!j->cap && j->feed_off != SL_NO_OFFSET && at < j->feed_in_frame)
            off = j->feed_off + at; /* the reader thread told where the payload lay */
    }
    /* the finding's event is made in the record's block: one allocation and one free less; the
     * block comes from the job's pool (the writer thread frees records) */
    if (!j->pool)
        j->pool = sl_rec_pool_new(); /* NULL: records are malloc'd */
    sl_rec *rec = sl_rec_new_room(j->pool, j->name, f, avail, off, sizeof(sl_event));
    if (!rec) {
        input_error(j, "%s: frame %llu: out of memory", j->name, (unsigned long long)f->frame);
        return;
    }
    if (j->pol->suppressions->len > 0 && sl_policy_suppressed(j->pol, rec)) {
        j->totals.suppressed++;
        sl_rec_free(rec);
        return;
    }
    if (j->base)
        sl_rec_fingerprint(rec); /* wanted now; otherwise the writer computes it (main.c, emit) */
    rec->baselined = j->base && sl_baseline_has(j->base, rec);
    if (j->book && !rec->baselined)
        sl_msgbook_finding(j->book, rec);
    if (!rec->baselined)
        sl_progress_add(0, 0, 1);
    sl_event *ev = sl_rec_room(rec);
    ev->kind = SL_EV_FINDING;
    ev->rec = rec;
    ev->sentence = NULL;
    ev->in_rec = 1;
    job_event(j, ev);
}

/* sl_engine_feed (sl_engine_feed_parsed when the reader thread parsed the message: pm not
 * NULL), and the message to the HTML report's book when there is one. */
static sl_feed_rc feed(sl_job *j, sl_engine *e, const char *buf, size_t len, const sl_meta *meta,
                       const sl_msg *pm, sl_parse_rc prc)
{
    sl_feed_rc rc = pm ? sl_engine_feed_parsed(e, buf, len, meta, prc, pm, NULL)
                       : sl_engine_feed(e, buf, len, meta, NULL);
    if (j->book && rc == SL_FEED_LINTED)
        sl_msgbook_message(j->book, buf, len, meta);
    return rc;
}

/* ---- FILE adapter: gzip (a peeked prefix is replayed by sl_replay_stream, capture.h) ---- */

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
    int n = gzread((gzFile)cookie, buf, size > (1u << 30) ? (1u << 30) : (unsigned)size);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    return n;
}

static int gz_close(void *cookie)
{
    return gzclose((gzFile)cookie) == Z_OK ? 0 : EOF;
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

static void lint_raw(sl_job *j, FILE *fp, const unsigned char *head, size_t n, int file_offsets)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, head, (guint)n);
    unsigned char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b->len + got > RAW_MAX) {
            input_error(j, "%s: larger than %u MiB: not a SIP message file", j->name, RAW_MAX >> 20);
            g_byte_array_free(b, TRUE);
            return;
        }
        g_byte_array_append(b, chunk, (guint)got);
    }
    if (ferror(fp))
        input_error(j, "%s: read error: %s", j->name, strerror(errno));
    sl_engine *e = sl_engine_new(&j->pol->cfg, sink, j);
    if (!e) {
        input_error(j, "%s: out of memory", j->name);
        g_byte_array_free(b, TRUE);
        return;
    }
    sl_engine_defer_fingerprints(e); /* computed from the records where used (main.c, emit) */
    sl_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.transport = j->raw_transport;
    meta.flags = SL_META_RAW_FILE;
    const char *p = (const char *)b->data;
    size_t len = b->len;
    uint64_t msgno = 0;
    j->feed = p;
    j->feed_len = len;
    j->raw_base = file_offsets ? p : NULL;
    if (sl_transport_is_stream(j->raw_transport)) {
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
                feed(j, e, p + start, len - start, &meta, NULL, SL_PARSE_OK);
                break;
            }
            feed(j, e, p + start, mlen, &meta, NULL, SL_PARSE_OK);
            p += start + mlen;
            len -= start + mlen;
        }
    } else {
        meta.frame_first = meta.frame_last = 1;
        if (feed(j, e, p, len, &meta, NULL, SL_PARSE_OK) == SL_FEED_NOT_SIP)
            input_error(j, "%s: neither a pcap/pcapng capture nor a SIP message", j->name);
    }
    j->totals.packets += msgno ? msgno : 1;
    j->totals.bytes += b->len;
    j->totals.sip_messages += sl_engine_stats(e)->messages;
    tracker_warning(j, e);
    sl_progress_add(b->len, msgno ? msgno : 1, 0);
    j->feed = j->raw_base = NULL;
    sl_engine_free(e);
    g_byte_array_free(b, TRUE);
}

/* ---- captures (files and live) ---- */

static sl_capture *volatile live_cap;
static volatile sig_atomic_t stop_requested;

void sl_job_stop_all(void)
{
    stop_requested = 1;
    sl_capture *c = live_cap;
    if (c)
        sl_capture_stop(c);
}

static void lint_capture(sl_job *j, sl_capture *c)
{
    char err[SL_CAP_ERRBUF];
    sl_engine *e = sl_engine_new(&j->pol->cfg, sink, j);
    if (!e) {
        input_error(j, "%s: out of memory", j->name);
        sl_capture_close(c);
        return;
    }
    /* the fingerprint is computed from the record, when it is used: on the writer thread */
    sl_engine_defer_fingerprints(e);
    /* A file is read and decoded on a second thread when the job may use one (reader.c); a live
     * capture is read here (its stop and count limits act on this loop). */
    sl_reader *rd = j->read_thread && !j->iface ? sl_reader_start(c) : NULL;
    j->cap = rd ? NULL : c;
    sl_payload pl;
    sl_reader_pos pos = {SL_NO_OFFSET, 0, 0, 0, NULL, SL_PARSE_OK};
    sl_cap_rc rc;
    uint64_t pub_bytes = 0, pub_packets = 0, n = 0;
    const sl_cap_stats *st = sl_capture_stats(c);
    for (;;) {
        rc = rd ? sl_reader_next(rd, &pl, &pos, err) : sl_capture_next(c, &pl, err);
        if (rc != SL_CAP_PAYLOAD)
            break;
        if (pl.kind == SL_PAYLOAD_EVENT) {
            j->feed = NULL;
            sl_engine_report(e, pl.rule, &pl.meta, "%s", pl.text);
        } else {
            j->feed = pl.data;
            j->feed_len = pl.len;
            j->feed_off = pos.off;
            j->feed_in_frame = pos.in_frame;
            if (feed(j, e, pl.data, pl.len, &pl.meta, pos.msg, pos.prc) == SL_FEED_NOMEM) {
                input_error(j, "%s: frame %llu: out of memory", j->name, (unsigned long long)pl.meta.frame_last);
                break;
            }
        }
        if ((++n & 63) == 0 || j->iface) {
            uint64_t nb = rd ? pos.bytes : st->bytes, np = rd ? pos.packets : st->packets;
            sl_progress_add(nb - pub_bytes, np - pub_packets, 0);
            pub_bytes = nb;
            pub_packets = np;
        }
        if (j->count_limit && sl_engine_stats(e)->messages >= j->count_limit)
            break;
        if (stop_requested && !j->iface)
            break;
    }
    sl_reader_stop(rd); /* the capture (and its counts) is this thread's again */
    j->feed = NULL;
    j->cap = NULL;
    if (rc == SL_CAP_DAMAGED)
        input_error(j, "%s", err); /* findings made before the damage were already reported */
    if (st->unsupported_link)
        /* part of the input was not read: as damage is, this is exit status 2 */
        input_error(j, "%s: %llu frame%s of link type %d (the first is frame %llu) not decoded: "
                    "siplint decodes Ethernet (VLAN, PPPoE), Linux cooked capture (SLL, SLL2), "
                    "raw IP and BSD loopback", j->name, (unsigned long long)st->unsupported_link,
                    st->unsupported_link == 1 ? "" : "s", st->unsupported_linktype,
                    (unsigned long long)st->unsupported_first);
    sl_progress_add(st->bytes - pub_bytes, st->packets - pub_packets, 0);
    j->totals.packets += st->packets;
    j->totals.bytes += st->bytes;
    j->totals.sip_messages += sl_engine_stats(e)->messages;
    tracker_warning(j, e);
    sl_engine_free(e); /* the engine's last findings (tracker timeouts) come out here */
    sl_capture_close(c);
}

static void lint_live(sl_job *j)
{
    char err[SL_CAP_ERRBUF];
    sl_capture *c = sl_capture_open_live(j->iface, j->filter, err);
    if (!c) {
        input_error(j, "%s", err);
        return;
    }
    live_cap = c;
    if (stop_requested)
        sl_capture_stop(c);
    lint_capture(j, c);
    live_cap = NULL;
}

static void lint_stream(sl_job *j, FILE *fp, int seekable, int gz)
{
    unsigned char head[4];
    size_t n = fread(head, 1, sizeof head, fp);
    if (n == 0) {
        input_error(j, "%s: %s", j->name, ferror(fp) ? strerror(errno) : "empty file");
        if (fp != stdin)
            fclose(fp);
        return;
    }
    if (!gz && n >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        /* gzip: decompress on the fly (zlib reads from the start of the descriptor) */
        int fd = dup(fileno(fp));
        gzFile z = NULL;
        if (fd >= 0 && (seekable ? lseek(fd, 0, SEEK_SET) == 0 : 1))
            z = gzdopen(fd, "rb");
        if (fp != stdin)
            fclose(fp);
        if (!z || !seekable) {
            /* a pipe cannot be rewound past the peeked bytes */
            if (z)
                gzclose(z);
            else if (fd >= 0)
                close(fd);
            input_error(j, "%s: gzip-compressed input must be a file, not a pipe", j->name);
            return;
        }
        cookie_io_functions_t io = {.read = gz_read, .close = gz_close};
        FILE *zf = fopencookie(z, "rb", io);
        if (!zf) {
            gzclose(z);
            input_error(j, "%s: %s", j->name, strerror(errno));
            return;
        }
        lint_stream(j, zf, 0, 1);
        return;
    }
    if (is_capture_magic(head, n)) {
        char err[SL_CAP_ERRBUF];
        FILE *cf;
        if (seekable && fseek(fp, 0, SEEK_SET) == 0) {
            /* libpcap reads the file itself: byte offsets of frames can be told (SARIF) */
            cf = fp;
        } else {
            cf = sl_replay_stream(fp, head, n, fp == stdin);
            if (!cf) {
                input_error(j, "%s: %s", j->name, strerror(errno));
                if (fp != stdin)
                    fclose(fp);
                return;
            }
        }
        sl_capture *c = sl_capture_open_fp(cf, j->name, err); /* closes cf, also on failure */
        if (!c) {
            input_error(j, "%s", err);
            return;
        }
        lint_capture(j, c);
    } else {
        lint_raw(j, fp, head, n, seekable && !gz);
        if (fp != stdin)
            fclose(fp);
    }
}

void sl_job_run(sl_job *j)
{
    j->totals.files = 1;
    if (j->iface) {
        lint_live(j);
        return;
    }
    int is_stdin = strcmp(j->path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(j->path, "rb");
    if (!fp) {
        input_error(j, "%s: cannot open: %s", j->name, strerror(errno));
        return;
    }
    struct stat sb;
    int seekable = !is_stdin && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode);
    if (!is_stdin && fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        input_error(j, "%s: is a directory", j->name);
        fclose(fp);
        return;
    }
    lint_stream(j, fp, seekable, 0);
}

/* ---- finding inputs ---- */

static int wanted(const char *name)
{
    static const char *const ext[] = {".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz"};
    for (size_t i = 0; i < G_N_ELEMENTS(ext); i++)
        if (g_str_has_suffix(name, ext[i]))
            return 1;
    return 0;
}

static void walk(const char *dir, GPtrArray *paths, GPtrArray *errors)
{
    GError *ge = NULL;
    GDir *d = g_dir_open(dir, 0, &ge);
    if (!d) {
        g_ptr_array_add(errors, g_strdup_printf("%s: cannot read the directory: %s", dir, ge->message));
        g_error_free(ge);
        return;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (n[0] != '.')
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    for (guint i = 0; i < names->len; i++) {
        const char *nm = g_ptr_array_index(names, i);
        char *full = g_str_has_suffix(dir, "/") ? g_strconcat(dir, nm, NULL) : g_strconcat(dir, "/", nm, NULL);
        struct stat sb;
        /* lstat: a symbolic link to a directory is not followed (no loops); to a file it is */
        if (lstat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
            walk(full, paths, errors);
        else if (wanted(nm) && stat(full, &sb) == 0 && S_ISREG(sb.st_mode)) {
            g_ptr_array_add(paths, full);
            full = NULL;
        }
        g_free(full);
    }
    g_ptr_array_free(names, TRUE);
}

static gint cmp_path(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void sl_inputs_expand(const char *arg, GPtrArray *out_paths, GPtrArray *out_errors)
{
    struct stat sb;
    if (strcmp(arg, "-") != 0 && stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        GPtrArray *found = g_ptr_array_new();
        walk(arg, found, out_errors);
        g_ptr_array_sort(found, cmp_path); /* a stable order whatever the file system says */
        for (guint i = 0; i < found->len; i++)
            g_ptr_array_add(out_paths, g_ptr_array_index(found, i));
        g_ptr_array_free(found, TRUE);
        return;
    }
    g_ptr_array_add(out_paths, g_strdup(arg));
}
