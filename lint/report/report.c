/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding records, the reporter's dispatch, and the text and JSON Lines renderers (docs/cli.md). */
#define _GNU_SOURCE /* memrchr */
#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html_internal.h"
#include "report_internal.h"

#define SL_JSONL_SCHEMA 1
#define SHOW_MAX 200 /* bytes of a start line or header line kept for display */
#define FP_ROW_MAX 64 /* a deferred fingerprint's header name is copied up to this length */

static const char *const format_names[SL_FMT__COUNT] = {"text", "jsonl", "sarif", "junit",
                                                        "codequality", "html"};

int sl_format_parse(const char *s, sl_format *out)
{
    for (int i = 0; i < SL_FMT__COUNT; i++)
        if (strcmp(s, format_names[i]) == 0) {
            *out = (sl_format)i;
            return 0;
        }
    return -1;
}

const char *sl_format_name(sl_format f)
{
    return (unsigned)f < SL_FMT__COUNT ? format_names[f] : "?";
}

/* ---- records ---- */

static size_t span_cap(sl_span s, size_t max)
{
    return s.p == NULL ? 0 : s.len > max ? max : s.len;
}

/* the next string of a record's block: n bytes of p and a NUL */
static char *put_str(char **at, const char *p, size_t n)
{
    char *d = *at;
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    *at = d + n + 1;
    return d;
}

/* The next line of a record: where the line holding byte pos of base starts (after the last
 * '\n' before pos) and how many of its bytes are kept (up to '\r' or '\n', at most SHOW_MAX, within
 * avail). memrchr and memchr skip a line many bytes at a time where a byte loop went one by one;
 * the end is not looked for past the SHOW_MAX bytes that are kept. */
static const char *rec_line(const char *base, size_t avail, size_t pos, size_t *n_line)
{
    const char *nl = pos ? memrchr(base, '\n', pos) : NULL;
    size_t b = nl ? (size_t)(nl - base) + 1 : 0;
    if (pos - b >= SHOW_MAX) {
        *n_line = SHOW_MAX; /* the end lies at pos or later: more than is kept */
        return base + b;
    }
    size_t lim = b + SHOW_MAX < avail ? b + SHOW_MAX : avail;
    const char *e = memchr(base + pos, '\r', lim - pos);
    if (e == NULL)
        e = base + lim;
    const char *n = memchr(base + pos, '\n', (size_t)(e - (base + pos)));
    if (n != NULL)
        e = n;
    *n_line = (size_t)(e - (base + b));
    return base + b;
}

/* where the caller's room starts in a record's block: after the structure, aligned for any object */
#define REC_ROOM_AT ((sizeof(sl_rec) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) * \
                     _Alignof(max_align_t))

void *sl_rec_room(sl_rec *r)
{
    return (char *)r + REC_ROOM_AT;
}

/* ---- record blocks ----
 *
 * The engine's thread makes a record per finding and, in the pipeline (main.c), the writer thread
 * frees it once written: malloc on one thread of what free gave back on another was a tenth of a
 * finding's cost on the engine's thread. A pool keeps the blocks instead: a freed block is pushed
 * on the pool's list of returns (lock-free, any thread); the making thread takes the whole list
 * at once when its spares run out. Blocks leave the list only all together (an exchange), so a
 * push cannot be fooled by a block that left and came back (no ABA problem). */

#define POOL_BLOCK 1024 /* bytes of a pooled block: most records fit; larger ones are malloc'd */
#define POOL_MAX 2048   /* blocks a pool makes at most (2 MiB); the writer's queue holds 1024
                         * records, the parallel inputs' queues 4096 (the rest are malloc'd) */

#define POOL_PREFETCH 512 /* bytes of the next block asked for ahead (the record's structure and
                          * the start of its strings; more at once only queues up) */

typedef struct pool_blk {
    struct pool_blk *next;
} pool_blk;

struct sl_rec_pool {
    pool_blk *spare;          /* blocks taken back: the making thread's alone */
    unsigned made;            /* blocks allocated so far */
    /* back on a cache line of its own: each record the writer frees writes it, and the
     * making thread's every take read spare from the same line, a transfer between the cores
     * each time */
    char apart[64];
    _Atomic(pool_blk *) back; /* blocks freed, on any thread, since the maker last took them */
};

sl_rec_pool *sl_rec_pool_new(void)
{
    sl_rec_pool *p = g_try_new0(sl_rec_pool, 1);
    if (p)
        atomic_init(&p->back, NULL);
    return p;
}

static void blocks_free(pool_blk *b)
{
    while (b) {
        pool_blk *next = b->next;
        g_free(b);
        b = next;
    }
}

void sl_rec_pool_free(sl_rec_pool *p)
{
    if (!p)
        return;
    blocks_free(p->spare);
    blocks_free(atomic_load_explicit(&p->back, memory_order_acquire));
    g_free(p);
}

/* A block of POOL_BLOCK bytes, NULL when the pool has made its last one */
static void *pool_take(sl_rec_pool *p)
{
    if (!p->spare)
        p->spare = atomic_exchange_explicit(&p->back, NULL, memory_order_acquire);
    pool_blk *b = p->spare;
    if (b) {
        p->spare = b->next;
#if defined(__GNUC__)
        /* The next block was last written by the thread that freed it (the writer, on the
         * other core): ask for its lines now, so that the next record's writes and the read of
         * its link do not wait for them one after the other. */
        if (p->spare)
            for (size_t o = 0; o < POOL_PREFETCH; o += 64)
                __builtin_prefetch((char *)p->spare + o, 1);
#endif
        return b;
    }
    if (p->made == POOL_MAX || (b = g_try_malloc(POOL_BLOCK)) == NULL)
        return NULL;
    p->made++;
    return b;
}

/* Back to the list of returns: the release publishes the freeing thread's last use of the block
 * to the maker's acquire in pool_take. */
static void pool_give(sl_rec_pool *p, void *block)
{
    pool_blk *b = block;
    pool_blk *head = atomic_load_explicit(&p->back, memory_order_relaxed);
    do
        b->next = head;
    while (!atomic_compare_exchange_weak_explicit(&p->back, &head, b, memory_order_release,
                                                  memory_order_relaxed));
}

sl_rec *sl_rec_new(const char *file, const sl_finding *f, size_t avail, uint64_t file_offset)
{
    return sl_rec_new_room(NULL, file, f, avail, file_offset, 0);
}

/* One allocation per record: the strings follow the structure and the caller's room (a record is
 * made and freed per finding; six allocations each were a tenth of the report's cost). */
sl_rec *sl_rec_new_room(sl_rec_pool *pool, const char *file, const sl_finding *f, size_t avail,
                        uint64_t file_offset, size_t room)
{
    /* the engine measured its sentence */
    const char *msg = f->message ? f->message : "";
    size_t n_msg = f->message ? f->message_len : 0;
    size_t n_cid = span_cap(f->call_id, 1024), n_cm = span_cap(f->cseq_method, 64),
           n_sl = span_cap(f->start_line, SHOW_MAX);
    /* The line that holds the offending bytes; for a finding about the whole message, its
     * start line. Bounded by what the caller says is readable. */
    const char *base = f->start_line.p, *line = "";
    size_t n_line = 0;
    if (base != NULL && f->start_line.len > 0 && avail > 0)
        line = rec_line(base, avail, f->offset < avail ? f->offset : avail - 1, &n_line);
    /* the offending line is often the start line (findings about the whole message): then the
     * record holds it once */
    int line_is_start = line == base && n_line == n_sl;
    /* A deferred fingerprint is computed from the record's copies when they hold every byte that
     * counts (the method is where the start line begins), otherwise here. */
    int fp_later = f->fp_deferred && n_cid == f->call_id.len && n_cm == f->cseq_method.len &&
                   f->fp.row.len <= FP_ROW_MAX &&
                   (!f->fp.request || (f->fp.method.p == base && f->fp.method.len <= n_sl));
    size_t need = REC_ROOM_AT + room + n_msg + n_cid + n_cm + n_sl + 4 +
                  (line_is_start ? 0 : n_line + 1) + (fp_later ? f->fp.row.len + 1 : 0);
    sl_rec *r = pool && need <= POOL_BLOCK ? pool_take(pool) : NULL;
    sl_rec_pool *from = r ? pool : NULL;
    if (r == NULL && (r = g_try_malloc(need)) == NULL)
        return NULL;
    /* Every field is set below, none twice (a memset of the structure first wrote its 384
     * bytes twice); every string is written in full by put_str. */
    r->pool = from;
    r->baselined = 0;
    char *at = (char *)r + REC_ROOM_AT + room;
    r->file = file;
    r->rule = f->rule;
    r->severity = f->severity;
    r->message = put_str(&at, msg, n_msg);
    r->message_len = n_msg;
    r->frame = f->frame;
    r->frame_first = f->meta ? f->meta->frame_first : f->frame;
    r->n_related = f->n_related > SL_MAX_RELATED ? SL_MAX_RELATED : f->n_related;
    for (unsigned i = 0; i < SL_MAX_RELATED; i++)
        r->related[i] = i < r->n_related ? f->related[i] : 0;
    r->offset = f->offset;
    r->length = f->length;
    r->msg_len = f->msg_len;
    r->call_id = put_str(&at, f->call_id.p, n_cid);
    r->cseq = f->cseq;
    r->cseq_method = put_str(&at, f->cseq_method.p, n_cm);
    r->start_line = put_str(&at, f->start_line.p, n_sl);
    r->has_meta = f->meta != NULL;
    if (f->meta)
        r->meta = *f->meta;
    else
        memset(&r->meta, 0, sizeof r->meta);
    r->fingerprint = f->fingerprint;
    r->file_offset = file_offset;
    r->file_length = 0;
    if (file_offset != SL_NO_OFFSET)
        r->file_length = f->msg_len && f->msg_len < avail ? f->msg_len : avail;
    r->line = line_is_start ? r->start_line : put_str(&at, line, n_line);
    r->fp_pending = fp_later;
    if (fp_later) {
        r->fp_call_id = (sl_span){r->call_id, n_cid};
        r->fp_cseq_method = (sl_span){r->cseq_method, n_cm};
        r->fp = f->fp;
        r->fp.method.p = r->start_line;
        r->fp.row.p = put_str(&at, f->fp.row.p, f->fp.row.len);
    } else {
        r->fp_call_id = r->fp_cseq_method = (sl_span){NULL, 0};
        memset(&r->fp, 0, sizeof r->fp);
        if (f->fp_deferred)
            r->fingerprint = sl_fingerprint(f->call_id, f->cseq, f->cseq_method, &f->fp);
    }
    return r;
}

void sl_rec_fingerprint(sl_rec *r)
{
    if (!r->fp_pending)
        return;
    r->fingerprint = sl_fingerprint(r->fp_call_id, r->cseq, r->fp_cseq_method, &r->fp);
    r->fp_pending = 0;
}

void sl_rec_free(sl_rec *r)
{
    /* the strings live in the same block */
    if (r && r->pool)
        pool_give(r->pool, r);
    else
        g_free(r);
}

/* ---- records as bytes ----
 *
 * A record's bytes, for a file of the same process (main.c spools the events of an input ahead
 * of its turn): numbers in the machine's order, the rule by its number, each string as its length
 * and its bytes. Everything a reader of the record sees comes back: a string as far as its NUL
 * (the message by message_len), a deferred fingerprint as its value. */

#define PACK_FLAG_META 1
#define PACK_FLAG_BASELINED 2
#define PACK_FLAG_LINE_IS_START 4 /* line is start_line (one string for both) */

/* the numbers before the strings: rule, severity, flags, n_related, then the uint64_t values */
#define PACK_HEAD (4 + 1 + 1 + 1 + 8 * (2 + SL_MAX_RELATED + 7))
/* sl_meta field by field (its padding is no part of it); the transport as a uint32_t */
#define META_FIELDS(X) X(frame_first) X(frame_last) X(ts_sec) X(ts_nsec) X(af) X(src) X(dst) \
    X(sport) X(dport) X(flags)
#define META_SIZE(f) sizeof(((sl_meta *)0)->f) +
#define PACK_META (META_FIELDS(META_SIZE) 4)
#define PACK_NSTR 5 /* message, call_id, cseq_method, start_line, line */

static unsigned char *pack_bytes(unsigned char *d, const void *p, size_t n)
{
    memcpy(d, p, n);
    return d + n;
}

static unsigned char *pack_u64(unsigned char *d, uint64_t v)
{
    return pack_bytes(d, &v, sizeof v);
}

static unsigned char *pack_str(unsigned char *d, const char *s, size_t n)
{
    uint32_t n32 = (uint32_t)n;
    d = pack_bytes(d, &n32, sizeof n32);
    return pack_bytes(d, s, n);
}

size_t sl_rec_pack(const sl_rec *r, void *buf, size_t cap)
{
    int line_is_start = r->line == r->start_line;
    size_t n[PACK_NSTR] = {r->message_len, strlen(r->call_id), strlen(r->cseq_method),
                           strlen(r->start_line), line_is_start ? 0 : strlen(r->line)};
    const char *s[PACK_NSTR] = {r->message, r->call_id, r->cseq_method, r->start_line, r->line};
    size_t need = PACK_HEAD + (r->has_meta ? PACK_META : 0) + 4 * PACK_NSTR;
    for (int i = 0; i < PACK_NSTR; i++) {
        if (n[i] > UINT32_MAX)
            return SIZE_MAX; /* not in a record: bounded by the engine */
        need += n[i];
    }
    if (need > cap)
        return need;
    unsigned char *d = buf;
    uint32_t sym = (uint32_t)r->rule->sym;
    uint8_t small[3] = {(uint8_t)r->severity,
                        (uint8_t)((r->has_meta ? PACK_FLAG_META : 0) | (r->baselined ? PACK_FLAG_BASELINED : 0) |
                                  (line_is_start ? PACK_FLAG_LINE_IS_START : 0)),
                        (uint8_t)r->n_related};
    d = pack_bytes(d, &sym, sizeof sym);
    d = pack_bytes(d, small, sizeof small);
    /* the fingerprint the record's reader would compute (sl_rec_fingerprint) */
    uint64_t fp = r->fp_pending ? sl_fingerprint(r->fp_call_id, r->cseq, r->fp_cseq_method, &r->fp)
                                : r->fingerprint;
    uint64_t v[2 + SL_MAX_RELATED + 7] = {r->frame, r->frame_first};
    for (unsigned i = 0; i < r->n_related && i < SL_MAX_RELATED; i++)
        v[2 + i] = r->related[i];
    uint64_t *w = v + 2 + SL_MAX_RELATED;
    w[0] = r->offset;
    w[1] = r->length;
    w[2] = r->msg_len;
    w[3] = r->cseq;
    w[4] = fp;
    w[5] = r->file_offset;
    w[6] = r->file_length;
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
        d = pack_u64(d, v[i]);
    if (r->has_meta) {
        const sl_meta *m = &r->meta;
        uint32_t tp = (uint32_t)m->transport;
#define META_PACK(f) d = pack_bytes(d, &m->f, sizeof m->f);
        META_FIELDS(META_PACK)
#undef META_PACK
        d = pack_bytes(d, &tp, sizeof tp);
    }
    for (int i = 0; i < PACK_NSTR; i++)
        d = pack_str(d, s[i], n[i]);
    return need;
}

/* Reading packed bytes: each unpack_take fails (returns NULL) past the end. */
typedef struct unpack {
    const unsigned char *p, *end;
} unpack;

static const unsigned char *unpack_take(unpack *u, void *dst, size_t n)
{
    if (u->p == NULL || (size_t)(u->end - u->p) < n)
        return u->p = NULL;
    const unsigned char *at = u->p;
    if (dst)
        memcpy(dst, at, n);
    u->p += n;
    return at;
}

sl_rec *sl_rec_unpack(const void *buf, size_t len, const char *file, size_t room)
{
    unpack u = {buf, (const unsigned char *)buf + len};
    uint32_t sym = 0;
    uint8_t small[3] = {0};
    uint64_t v[2 + SL_MAX_RELATED + 7] = {0};
    sl_meta m;
    memset(&m, 0, sizeof m);
    unpack_take(&u, &sym, sizeof sym);
    unpack_take(&u, small, sizeof small);
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
        unpack_take(&u, &v[i], 8);
    if (small[1] & PACK_FLAG_META) {
        uint32_t tp = 0;
#define META_TAKE(f) unpack_take(&u, &m.f, sizeof m.f);
        META_FIELDS(META_TAKE)
#undef META_TAKE
        unpack_take(&u, &tp, sizeof tp);
        m.transport = (sl_transport)tp;
    }
    int line_is_start = (small[1] & PACK_FLAG_LINE_IS_START) != 0;
    const unsigned char *s[PACK_NSTR] = {NULL};
    uint32_t n[PACK_NSTR] = {0};
    size_t need = REC_ROOM_AT + room;
    for (int i = 0; i < PACK_NSTR; i++) {
        unpack_take(&u, &n[i], sizeof n[i]);
        s[i] = unpack_take(&u, NULL, n[i]);
        need += n[i] + 1;
    }
    const sl_rule *rule = sl_rule_at(sym);
    if (u.p != u.end || rule == NULL || small[0] > SL_SEV_ERROR || small[2] > SL_MAX_RELATED)
        return NULL; /* not the bytes of a record */
    sl_rec *r = g_try_malloc(need);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    char *at = (char *)r + REC_ROOM_AT + room;
    r->file = file;
    r->rule = rule;
    r->severity = (sl_severity)small[0];
    r->has_meta = (small[1] & PACK_FLAG_META) != 0;
    r->baselined = (small[1] & PACK_FLAG_BASELINED) != 0;
    r->n_related = small[2];
    r->frame = v[0];
    r->frame_first = v[1];
    for (unsigned i = 0; i < r->n_related; i++)
        r->related[i] = v[2 + i];
    const uint64_t *w = v + 2 + SL_MAX_RELATED;
    r->offset = (size_t)w[0];
    r->length = (size_t)w[1];
    r->msg_len = (size_t)w[2];
    r->cseq = w[3];
    r->fingerprint = w[4];
    r->file_offset = w[5];
    r->file_length = w[6];
    if (r->has_meta)
        r->meta = m;
    r->message = put_str(&at, (const char *)s[0], n[0]);
    r->message_len = n[0];
    r->call_id = put_str(&at, (const char *)s[1], n[1]);
    r->cseq_method = put_str(&at, (const char *)s[2], n[2]);
    r->start_line = put_str(&at, (const char *)s[3], n[3]);
    r->line = line_is_start ? r->start_line : put_str(&at, (const char *)s[4], n[4]);
    return r;
}

/* ---- numbers and addresses, written without printf ---- */

/* "00" to "99": numbers are written two digits per division by 100 (a constant division, which
 * the compiler turns into a multiplication) */
static const char dig2[201] = "00010203040506070809101112131415161718192021222324"
                              "25262728293031323334353637383940414243444546474849"
                              "50515253545556575859606162636465666768697071727374"
                              "75767778798081828384858687888990919293949596979899";

static const uint64_t p10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
    10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

/* the number of decimal digits of v */
static size_t dec_digits(uint64_t v)
{
#if defined(__GNUC__)
    /* 1233/4096 is just over log10(2): from the bit length an estimate that is exact or one too
     * low, which one comparison settles (t is at most 19). v | 1 has the same number of digits
     * as v, and 0 gets one. */
    uint64_t u = v | 1;
    size_t t = (size_t)(64 - __builtin_clzll(u)) * 1233 >> 12;
    return t + (u >= p10[t]);
#else
    size_t n = 1;
    while (n < 20 && v >= p10[n])
        n++;
    return n;
#endif
}

/* v in decimal at d ("%" PRIu64); returns the end. The digits are counted first so that they can
 * be written in place from the last pair back. */
static inline char *put_u64(char *d, uint64_t v)
{
    size_t n = dec_digits(v);
    char *e = d + n;
    while (v > UINT32_MAX) {
        unsigned q = (unsigned)(v % 100);
        v /= 100;
        e -= 2;
        memcpy(e, dig2 + 2 * q, 2);
    }
    /* the rest in 32 bits, where dividing by a constant is cheaper */
    uint32_t x = (uint32_t)v;
    while (x >= 100) {
        uint32_t q = x % 100;
        x /= 100;
        e -= 2;
        memcpy(e, dig2 + 2 * q, 2);
    }
    if (x >= 10) {
        e -= 2;
        memcpy(e, dig2 + 2 * x, 2);
    } else
        *--e = (char)('0' + x);
    return d + n;
}

/* a byte in decimal, the octet of an IPv4 address */
static char *put_u8(char *d, unsigned v)
{
    if (v >= 100) {
        *d++ = (char)('0' + v / 100);
        memcpy(d, dig2 + 2 * (v % 100), 2);
        return d + 2;
    }
    if (v >= 10) {
        memcpy(d, dig2 + 2 * v, 2);
        return d + 2;
    }
    *d = (char)('0' + v);
    return d + 1;
}

/* v in lower-case hexadecimal without leading zeros ("%x"); returns the end */
static char *put_hex16(char *d, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    int sh = 12;
    while (sh > 0 && (v >> sh) == 0)
        sh -= 4;
    for (; sh >= 0; sh -= 4)
        *d++ = hex[(v >> sh) & 15];
    return d;
}

#define ADDR_MAX 48 /* "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535" and a NUL */

/* sl_rec_addr's text at d, without a NUL; returns its length (0: no addresses) */
static size_t rec_addr(const sl_rec *r, int src, char *d)
{
    const sl_meta *m = &r->meta;
    const uint8_t *a = src ? m->src : m->dst;
    unsigned port = src ? m->sport : m->dport;
    char *o = d;
    if (!r->has_meta || (m->af != 4 && m->af != 6))
        return 0;
    if (m->af == 4) {
        for (int i = 0; i < 4; i++) {
            o = put_u8(o, a[i]);
            *o++ = i < 3 ? '.' : ':';
        }
    } else {
        /* every group written, none compressed to "::" (as the reports always did) */
        *o++ = '[';
        for (int i = 0; i < 16; i += 2) {
            if (i)
                *o++ = ':';
            o = put_hex16(o, (unsigned)(a[i] << 8 | a[i + 1]));
        }
        *o++ = ']';
        *o++ = ':';
    }
    o = put_u64(o, port);
    return (size_t)(o - d);
}

void sl_rec_addr(const sl_rec *r, int src, char *buf, size_t cap)
{
    char t[ADDR_MAX];
    size_t n = rec_addr(r, src, t);
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1; /* cut short as snprintf would */
    memcpy(buf, t, n);
    buf[n] = 0;
}

void sl_totals_add(sl_totals *into, const sl_totals *t)
{
    into->files += t->files;
    into->packets += t->packets;
    into->bytes += t->bytes;
    into->sip_messages += t->sip_messages;
    into->findings += t->findings;
    for (int i = 0; i < 4; i++)
        into->by_severity[i] += t->by_severity[i];
    for (int i = 0; i < SL_RULE__COUNT; i++) {
        into->by_rule[i] += t->by_rule[i];
        for (int k = 0; k < 4; k++)
            into->by_rule_sev[i][k] += t->by_rule_sev[i][k];
    }
    into->input_errors += t->input_errors;
    into->suppressed += t->suppressed;
    into->baselined += t->baselined;
}

char *sl_rec_line(const sl_rec *rec)
{
    return g_strdup_printf("%s:%" PRIu64 ": %s: %s [%s, %s]", rec->file, rec->frame,
                           sl_severity_name(rec->severity), rec->message, rec->rule->id,
                           rec->rule->rfc);
}

/* ---- JSON and XML helpers ---- */

/* The most bytes json_esc writes for n bytes of text: \u00XX for each, two quotes, and the 8 bytes
 * it may store past its end (it stores whole words before it has looked at them). */
#define JSON_ESC_MAX(n) (6 * (size_t)(n) + 2 + 8)

/* 1: a byte that stands for itself inside a JSON string (printable ASCII but " and \\) */
static const unsigned char jplain[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f, '"' = 0x22 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x30-0x3f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x40-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,           /* 0x50-0x5f, '\\' = 0x5c */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,           /* 0x70-0x7f, DEL = 0x7f */
};

/* The length (2 to 4) of the UTF-8 sequence at s if it is one g_utf8_get_char_validated accepts
 * (complete, shortest form, no surrogate, at most U+10FFFF), else 0. Inline because every
 * rule's RFC reference holds a "§": a library call per such character cost more than the rest
 * of the string. */
static inline size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    if (c >= 0xc2 && c <= 0xdf)
        return avail >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (avail < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        unsigned u = (c & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
        return u >= 0x800 && (u < 0xd800 || u > 0xdfff) ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (avail < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        uint32_t u = (uint32_t)(c & 0x07u) << 18 | (uint32_t)(s[1] & 0x3fu) << 12 |
                     (uint32_t)(s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
        return u >= 0x10000 && u <= 0x10ffff ? 4 : 0;
    }
    return 0; /* a continuation byte, C0/C1 (overlong) or F5 and up */
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORD_LE 1 /* a word's first byte in memory is its lowest, and __builtin_ctzll exists */
#else
#define WORD_LE 0
#endif

/* The high bit of each byte of w that needs a look of its own. ascii_flags: the bytes outside
 * printable ASCII, below 0x20 (b - 0x20 wraps), 0x7f to 0xfe (b + 1 reaches the high bit) and 0xff
 * (b - 0x20 is 0xdf); json_flags adds '"' (0x22) and backslash (0x5c) (b ^ c - 1 wraps). A plain
 * byte neither borrows nor carries, so the first byte that needs a look is always flagged; its
 * borrows and carries, which run towards later bytes only, can add false alarms after it but
 * never before it. */
static inline uint64_t ascii_flags(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    return ((w - ones * 0x20) | (w + ones)) & high;
}

static inline uint64_t json_flags(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    return ascii_flags(w) | ((((w ^ (ones * 0x22)) - ones) | ((w ^ (ones * 0x5c)) - ones)) & high);
}

/* s as a JSON string literal (quotes included) at d, which has room for JSON_ESC_MAX(len) bytes;
 * returns the end. Invalid UTF-8 bytes and control characters become \u00XX. */
static char *json_esc(char *d, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    *d++ = '"';
    while (s < end) {
        /* Whole words while no byte needs a look of its own: two per test while the text is
         * plain (most of it), so that the loop's own cost is shared; a flagged pair is looked at
         * again one word at a time. A single word is stored before it is tested (JSON_ESC_MAX
         * has room): the bytes before a flagged one are right, the rest is overwritten. */
        while (end - s >= 16) {
            uint64_t w0, w1;
            memcpy(&w0, s, 8);
            memcpy(&w1, s + 8, 8);
            if (json_flags(w0) | json_flags(w1))
                break;
            memcpy(d, &w0, 8);
            memcpy(d + 8, &w1, 8);
            s += 16;
            d += 16;
        }
        while (end - s >= 8) {
            uint64_t w;
            memcpy(&w, s, 8);
            memcpy(d, &w, 8);
            uint64_t bad = json_flags(w);
            if (bad) {
#if WORD_LE
                /* the first byte in memory is the lowest: the lowest flagged byte is the first */
                size_t k = (size_t)__builtin_ctzll(bad) >> 3;
                s += k;
                d += k;
#endif
                goto look;
            }
            s += 8;
            d += 8;
        }
#if WORD_LE
        if (s < end && len >= 8) {
            /* the last 1 to 7 bytes: the string's last word shifted down over the bytes already
             * done; the zero bytes shifted in are left out of the test */
            size_t left = (size_t)(end - s);
            uint64_t w;
            memcpy(&w, end - 8, 8);
            w >>= 8 * (8 - left);
            memcpy(d, &w, 8);
            uint64_t bad = json_flags(w) & ((UINT64_C(1) << (8 * left)) - 1);
            if (!bad) {
                d += left;
                break;
            }
            size_t k = (size_t)__builtin_ctzll(bad) >> 3;
            s += k;
            d += k;
        }
#endif
    look:
        /* a short string, or past a flagged word where there is no ctz: byte by byte */
        while (s < end && jplain[*s])
            *d++ = (char)*s++;
        if (s >= end)
            break;
        unsigned c = *s;
        if (c >= 0x80) {
            /* a valid UTF-8 sequence is copied as is */
            size_t n = utf8_seq(s, (size_t)(end - s));
            if (n) {
                d[0] = (char)s[0];
                d[1] = (char)s[1];
                if (n > 2)
                    d[2] = (char)s[2];
                if (n > 3)
                    d[3] = (char)s[3];
                d += n;
                s += n;
                continue;
            }
        }
        *d++ = '\\';
        switch (c) {
        case '"': *d++ = '"'; break;
        case '\\': *d++ = '\\'; break;
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        default:
            /* a control character, DEL, or a byte of invalid UTF-8 */
            d[0] = 'u', d[1] = '0', d[2] = '0', d[3] = hex[c >> 4], d[4] = hex[c & 15];
            d += 5;
        }
        s++;
    }
    *d++ = '"';
    return d;
}

void sl_json_string(FILE *out, const char *s, size_t len)
{
    /* escaped into a buffer and written at once: a stdio call per character took the
     * stream's lock each time */
    char stackbuf[1024];
    size_t cap = JSON_ESC_MAX(len);
    char *buf = cap <= sizeof stackbuf ? stackbuf : g_malloc(cap);
    char *e = json_esc(buf, s, len);
    fwrite(buf, 1, (size_t)(e - buf), out);
    if (buf != stackbuf)
        g_free(buf);
}

void sl_json_key_str(FILE *out, const char *key, const char *s)
{
    fprintf(out, ",\"%s\":", key);
    sl_json_string(out, s, strlen(s));
}

/* XML 1.0 allows neither most control characters nor invalid UTF-8: write those as U+FFFD's
 * neighbour, a visible \xNN, so that every parser accepts the report. */
void sl_xml_text(FILE *out, const char *s)
{
    const char *end = s + strlen(s);
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2 && u != 0xfffe && u != 0xffff) {
                const char *nx = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(nx - s), out);
                s = nx;
                continue;
            }
            fprintf(out, "\\x%02x", c);
            s++;
            continue;
        }
        switch (c) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        case '\n': fputs("&#10;", out); break;
        case '\t': fputs("&#9;", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
        s++;
    }
}

/* ---- text ---- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *sev_color(sl_severity s)
{
    switch (s) {
    case SL_SEV_ERROR: return "\033[1;31m";
    case SL_SEV_WARNING: return "\033[1;33m";
    case SL_SEV_NOTE: return "\033[1;36m";
    default: return "";
    }
}

/* A finding's text is built in a buffer and written with one fwrite: a stdio call per character
 * (each taking the stream's lock) and five printf calls made the text format three times the
 * cost of the linting. */
typedef struct {
    char *p;
    size_t len, cap;
} tbuf;

/* room for n more bytes; returns where they go */
static char *tb_room(tbuf *b, size_t n)
{
    if (b->cap - b->len < n) {
        b->cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n + 256;
        b->p = g_realloc(b->p, b->cap);
    }
    return b->p + b->len;
}

static void tb_put(tbuf *b, const char *s, size_t n)
{
    memcpy(tb_room(b, n), s, n);
    b->len += n;
}

static void tb_str(tbuf *b, const char *s)
{
    tb_put(b, s, strlen(s));
}

/* A label in the dim colour when colour is on (c), then a space: "Call-ID: ", "CSeq: ", "| ". */
static void tb_dim_label(tbuf *b, int c, const char *label)
{
    if (c)
        tb_str(b, C_DIM);
    tb_str(b, label);
    if (c)
        tb_str(b, C_RESET);
    tb_put(b, " ", 1);
}

static void tb_u64(tbuf *b, uint64_t v)
{
    b->len = (size_t)(put_u64(tb_room(b, 20), v) - b->p);
}

/* Capture bytes are hostile: a Call-ID must not move the cursor or recolour the terminal.
 * Printable ASCII and valid UTF-8 pass, everything else becomes \xNN. */
static void text_safe(tbuf *b, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(str);
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    /* at most \xNN for each byte, and the 8 bytes a word store may reach past the end */
    char *d = tb_room(b, 4 * len + 8);
    while (s < end) {
        /* eight printable ASCII bytes at a time (ascii_flags), stored before the test */
        while (end - s >= 8) {
            uint64_t w;
            memcpy(&w, s, 8);
            memcpy(d, &w, 8);
            uint64_t bad = ascii_flags(w);
            if (bad) {
#if WORD_LE
                size_t k = (size_t)__builtin_ctzll(bad) >> 3;
                s += k;
                d += k;
#endif
                break;
            }
            s += 8;
            d += 8;
        }
        while (s < end && *s >= 0x20 && *s < 0x7f)
            *d++ = (char)*s++;
        if (s >= end)
            break;
        unsigned c = *s;
        if (c >= 0x80) {
            /* the sequences g_utf8_get_char_validated accepts (utf8_seq), if printable */
            size_t n = utf8_seq(s, (size_t)(end - s));
            if (n && g_unichar_isprint(g_utf8_get_char((const char *)s))) {
                memcpy(d, s, n);
                d += n;
                s += n;
                continue;
            }
        } else if (c == '\t') {
            *d++ = ' ';
            s++;
            continue;
        }
        d[0] = '\\', d[1] = 'x', d[2] = hex[c >> 4], d[3] = hex[c & 15];
        d += 4;
        s++;
    }
    b->len = (size_t)(d - b->p);
}

static void text_finding(sl_reporter *r, const sl_rec *rec)
{
    tbuf *b = r->state;
    int c = r->o.color;
    b->len = 0;
    if (c)
        tb_str(b, C_BOLD);
    text_safe(b, rec->file);
    tb_put(b, ":", 1);
    tb_u64(b, rec->frame);
    tb_put(b, ":", 1);
    if (c)
        tb_str(b, C_RESET);
    tb_put(b, " ", 1);
    if (c)
        tb_str(b, sev_color(rec->severity));
    tb_str(b, sl_severity_name(rec->severity));
    tb_put(b, ":", 1);
    if (c)
        tb_str(b, C_RESET);
    tb_put(b, " ", 1);
    text_safe(b, rec->message);
    tb_put(b, " ", 1);
    if (c)
        tb_str(b, C_DIM);
    tb_put(b, "[", 1);
    tb_str(b, rec->rule->id);
    tb_put(b, ", ", 2);
    tb_str(b, rec->rule->rfc);
    tb_put(b, "]", 1);
    if (c)
        tb_str(b, C_RESET);
    tb_put(b, "\n", 1);
    if (rec->call_id[0] || rec->cseq) {
        tb_put(b, "    ", 4);
        tb_dim_label(b, c, "Call-ID:");
        text_safe(b, rec->call_id[0] ? rec->call_id : "(none)");
        if (rec->cseq) {
            tb_put(b, "  ", 2);
            tb_dim_label(b, c, "CSeq:");
            tb_u64(b, rec->cseq);
            tb_put(b, " ", 1);
            text_safe(b, rec->cseq_method);
        }
        tb_put(b, "\n", 1);
    }
    if (rec->line[0]) {
        tb_put(b, "    ", 4);
        tb_dim_label(b, c, "|");
        text_safe(b, rec->line);
        tb_put(b, "\n", 1);
    }
    fwrite(b->p, 1, b->len, r->out);
}

static void text_summary(sl_reporter *r, const sl_totals *t)
{
    FILE *o = r->out;
    tbuf *b = r->state;
    g_free(b->p);
    g_free(b);
    r->state = NULL;
    if (t->findings && !r->o.no_table) {
        fprintf(o, "\n%-28s %-8s %8s\n", "rule", "severity", "findings");
        /* One row per rule and the severity its findings really had: a rule may report a
         * milder case at a lower severity than its default (SIP-VIA-BRANCH, MSG-RESP-CONTACT). */
        for (size_t i = 0; i < SL_RULE__COUNT; i++) {
            for (int s = SL_SEV_ERROR; s >= SL_SEV_NOTE; s--) {
                if (!t->by_rule_sev[i][s])
                    continue;
                fprintf(o, "%-28s %s%-8s%s %8" PRIu64 "\n", sl_rule_at(i)->id,
                        r->o.color ? sev_color((sl_severity)s) : "", sl_severity_name((sl_severity)s),
                        r->o.color ? C_RESET : "", t->by_rule_sev[i][s]);
            }
        }
    }
    fprintf(o,
            "%" PRIu64 " finding%s (%" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64
            " note%s) in %" PRIu64 " file%s: %" PRIu64 " packets, %" PRIu64 " SIP messages",
            t->findings, t->findings == 1 ? "" : "s", t->by_severity[SL_SEV_ERROR],
            t->by_severity[SL_SEV_ERROR] == 1 ? "" : "s", t->by_severity[SL_SEV_WARNING],
            t->by_severity[SL_SEV_WARNING] == 1 ? "" : "s", t->by_severity[SL_SEV_NOTE],
            t->by_severity[SL_SEV_NOTE] == 1 ? "" : "s", t->files, t->files == 1 ? "" : "s",
            t->packets, t->sip_messages);
    if (t->suppressed)
        fprintf(o, "; %" PRIu64 " suppressed", t->suppressed);
    if (t->baselined)
        fprintf(o, "; %" PRIu64 " in the baseline", t->baselined);
    if (t->input_errors)
        fprintf(o, "; %" PRIu64 " input error%s", t->input_errors, t->input_errors == 1 ? "" : "s");
    fputc('\n', o);
}

/* ---- JSON Lines ---- */

/* A finding's line is built in one buffer and the lines are written many at a time: per-character
 * stdio calls (each taking the stream's lock) were a quarter of the run time on a capture with
 * many findings (docs/performance.md), and a write per line was still a tenth of the rest.
 * Room for the whole line is made once, from the lengths of its strings, so that every piece is
 * then stored without a check. What is the same for every finding of an input, a rule, a
 * severity or a transport is escaped once into a fragment. The bytes are those of
 * sl_json_string and of the printf formats the lines were first written with. */

#define JL_FLUSH (64u << 10) /* lines are written once this many bytes wait */
/* Room for what a line holds besides its fragments and escaped strings: about 180 bytes of keys,
 * 13 numbers of at most 20 digits, two addresses of at most ADDR_MAX, the fraction of a second
 * and the fingerprint. */
#define JL_SLACK 1024

/* A piece of a line made from one string: pre, the string as a JSON literal, post. */
typedef struct {
    const char *key; /* the string it was made from: the same pointer, the same text */
    char *p;
    size_t n;
} jfrag;

typedef struct {
    char *buf;                          /* lines not yet written */
    size_t len, cap;
    int batch;                          /* 0: each line is written at once (a terminal) */
    jfrag head;                         /* {"type":"finding","schema":1,"file":"NAME","frame": */
    jfrag rule[SL_RULE__COUNT];         /* ,"rule":"ID","severity": */
    jfrag rfc[SL_RULE__COUNT];          /* ,"rfc":"RFC 3428 §8","related":[ */
    jfrag sev[4];                       /* "error","message": */
    jfrag tp[8];                        /* ,"transport":"udp","src":" */
    /* The addresses and the second of the last line: the findings of one message, and the
     * messages of one flow, come in runs. */
    struct {
        int valid;
        uint8_t af, src[16], dst[16];
        uint16_t sport, dport;
        size_t n;
        char txt[2 * ADDR_MAX + 16];    /* SRC","dst":"DST */
    } addr;
    struct {
        int valid;
        int64_t sec;
        size_t n;
        char txt[24];                   /* -?[0-9]+ */
    } time;
} jsonl;

static const jfrag *frag_make(jfrag *f, const char *pre, const char *s, const char *post)
{
    size_t np = strlen(pre), ns = strlen(s), nq = strlen(post);
    g_free(f->p);
    f->p = g_malloc(np + JSON_ESC_MAX(ns) + nq);
    memcpy(f->p, pre, np);
    char *e = json_esc(f->p + np, s, ns);
    memcpy(e, post, nq);
    f->n = (size_t)(e - f->p) + nq;
    f->key = s;
    return f;
}

/* f, remade unless it was made from the string at s. The slot a fragment goes to is chosen by a
 * rule's or a value's number, and a number out of range only costs a remake. */
static inline const jfrag *frag(jfrag *f, const char *pre, const char *s, const char *post)
{
    return f->key == s && f->p != NULL ? f : frag_make(f, pre, s, post);
}

static void jsonl_begin(sl_reporter *r)
{
    jsonl *st = g_new0(jsonl, 1);
    int fd = fileno(r->out);
    st->batch = !(fd >= 0 && isatty(fd)); /* someone reads a terminal as the lines come */
    r->state = st;
}

static void jsonl_write(sl_reporter *r)
{
    jsonl *st = r->state;
    if (st->len) {
        fwrite(st->buf, 1, st->len, r->out);
        st->len = 0;
    }
}

/* The file name is a fragment's key only from one file_begin to the next file_end: a name may
 * be freed, and another allocated at its address, once its input is done. */
static void jsonl_forget_file(sl_reporter *r)
{
    jsonl *st = r->state;
    st->head.key = NULL;
}

static void jsonl_finish(sl_reporter *r)
{
    jsonl *st = r->state;
    g_free(st->buf);
    g_free(st->head.p);
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        g_free(st->rule[i].p);
        g_free(st->rfc[i].p);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(st->sev); i++)
        g_free(st->sev[i].p);
    for (size_t i = 0; i < G_N_ELEMENTS(st->tp); i++)
        g_free(st->tp[i].p);
    g_free(st);
    r->state = NULL;
}

/* a string literal at d, d moved past it (a constant size: the copy is a few stores) */
#define PUT_LIT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) += sizeof(lit) - 1)

static char *put_frag(char *d, const jfrag *f)
{
    memcpy(d, f->p, f->n);
    return d + f->n;
}

static void jsonl_finding(sl_reporter *r, const sl_rec *f)
{
    /* "00" to "ff", for the fingerprint a byte at a time */
    static const char hex2[513] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                                  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                                  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                                  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                                  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                                  "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    jsonl *st = r->state;
    const sl_rule *ru = f->rule;
    size_t slot = (size_t)ru->sym % SL_RULE__COUNT;
    const jfrag *head = frag(&st->head, "{\"type\":\"finding\",\"schema\":" G_STRINGIFY(SL_JSONL_SCHEMA)
                             ",\"file\":", f->file, ",\"frame\":");
    const jfrag *rule = frag(&st->rule[slot], ",\"rule\":", ru->id, ",\"severity\":");
    const jfrag *sev = frag(&st->sev[(unsigned)f->severity & 3u], "", sl_severity_name(f->severity),
                            ",\"message\":");
    const jfrag *rfc = frag(&st->rfc[slot], ",\"rfc\":", ru->rfc, ",\"related\":[");
    const jfrag *tp = NULL;
    if (f->has_meta)
        tp = frag(&st->tp[(unsigned)f->meta.transport & 7u], ",\"transport\":",
                  sl_transport_name(f->meta.transport), ",\"src\":\"");
    size_t n_msg = f->message_len, n_cid = strlen(f->call_id), n_cm = strlen(f->cseq_method),
           n_sl = strlen(f->start_line), n_line = strlen(f->line);
    size_t need = head->n + rule->n + sev->n + rfc->n + (tp ? tp->n : 0) + JSON_ESC_MAX(n_msg) +
                  JSON_ESC_MAX(n_cid) + JSON_ESC_MAX(n_cm) + JSON_ESC_MAX(n_sl) +
                  JSON_ESC_MAX(n_line) + JL_SLACK;
    if (st->cap - st->len < need) {
        st->cap = st->cap * 2 > st->len + need ? st->cap * 2 : st->len + need;
        st->buf = g_realloc(st->buf, st->cap);
    }
    char *d = st->buf + st->len;
    d = put_frag(d, head);
    /* A number that is written twice (frame and frame_first, msg_len and file_length, mostly
     * equal) is copied from the first: a fixed 20 bytes, the most a number has, with room for
     * them reserved and the two places much further apart. */
    char *frame_at = d;
    d = put_u64(d, f->frame);
    size_t frame_n = (size_t)(d - frame_at);
    d = put_frag(d, rule);
    d = put_frag(d, sev);
    d = json_esc(d, f->message, n_msg);
    d = put_frag(d, rfc);
    for (unsigned i = 0; i < f->n_related; i++) {
        if (i)
            *d++ = ',';
        d = put_u64(d, f->related[i]);
    }
    PUT_LIT(d, "],\"frame_first\":");
    if (f->frame_first == f->frame) {
        memcpy(d, frame_at, 20);
        d += frame_n;
    } else
        d = put_u64(d, f->frame_first);
    PUT_LIT(d, ",\"offset\":");
    d = put_u64(d, f->offset);
    PUT_LIT(d, ",\"length\":");
    d = put_u64(d, f->length);
    PUT_LIT(d, ",\"msg_len\":");
    char *msg_len_at = d;
    d = put_u64(d, f->msg_len);
    size_t msg_len_n = (size_t)(d - msg_len_at);
    PUT_LIT(d, ",\"call_id\":");
    d = json_esc(d, f->call_id, n_cid);
    PUT_LIT(d, ",\"cseq\":");
    d = put_u64(d, f->cseq);
    PUT_LIT(d, ",\"cseq_method\":");
    d = json_esc(d, f->cseq_method, n_cm);
    PUT_LIT(d, ",\"start_line\":");
    char *start_line_at = d;
    d = json_esc(d, f->start_line, n_sl);
    size_t start_line_n = (size_t)(d - start_line_at);
    if (tp) {
        /* an address needs no escaping: digits, hex digits, '.', ':', '[' and ']' */
        const sl_meta *m = &f->meta;
        d = put_frag(d, tp);
        if (!(st->addr.valid && st->addr.af == m->af && st->addr.sport == m->sport &&
              st->addr.dport == m->dport && memcmp(st->addr.src, m->src, 16) == 0 &&
              memcmp(st->addr.dst, m->dst, 16) == 0)) {
            char *a = st->addr.txt;
            a += rec_addr(f, 1, a);
            PUT_LIT(a, "\",\"dst\":\"");
            a += rec_addr(f, 0, a);
            st->addr.n = (size_t)(a - st->addr.txt);
            st->addr.valid = 1;
            st->addr.af = m->af;
            st->addr.sport = m->sport;
            st->addr.dport = m->dport;
            memcpy(st->addr.src, m->src, 16);
            memcpy(st->addr.dst, m->dst, 16);
        }
        memcpy(d, st->addr.txt, st->addr.n);
        d += st->addr.n;
        PUT_LIT(d, "\",\"time\":");
        if (!st->time.valid || st->time.sec != m->ts_sec) {
            char *t = st->time.txt;
            if (m->ts_sec < 0) {
                *t++ = '-';
                t = put_u64(t, (uint64_t)0 - (uint64_t)m->ts_sec);
            } else
                t = put_u64(t, (uint64_t)m->ts_sec);
            st->time.n = (size_t)(t - st->time.txt);
            st->time.sec = m->ts_sec;
            st->time.valid = 1;
        }
        memcpy(d, st->time.txt, st->time.n);
        d += st->time.n;
        uint32_t ns = m->ts_nsec;
        *d++ = '.';
        if (ns < 1000000000u) {
            /* "%09u": nine digits, leading zeros kept */
            d[8] = (char)('0' + ns % 10);
            ns /= 10;
            for (int i = 6; i >= 0; i -= 2, ns /= 100)
                memcpy(d + i, dig2 + 2 * (ns % 100), 2);
            d += 9;
        } else
            d = put_u64(d, ns); /* not a valid nanosecond count: ten digits, as printf wrote it */
    }
    PUT_LIT(d, ",\"fingerprint\":\"");
    uint64_t fp = f->fingerprint;
    for (int i = 14; i >= 0; i -= 2, fp >>= 8)
        memcpy(d + i, hex2 + 2 * (fp & 0xff), 2);
    d += 16;
    *d++ = '"';
    /* added in schema 1: where the message lies in the input file, when known */
    if (f->file_offset != SL_NO_OFFSET) {
        PUT_LIT(d, ",\"file_offset\":");
        d = put_u64(d, f->file_offset);
        PUT_LIT(d, ",\"file_length\":");
        if (f->file_length == f->msg_len) {
            memcpy(d, msg_len_at, 20);
            d += msg_len_n;
        } else
            d = put_u64(d, f->file_length);
    }
    PUT_LIT(d, ",\"line\":");
    if (n_line == n_sl && memcmp(f->line, f->start_line, n_sl) == 0) {
        /* the offending line is the start line (a finding about the whole message, most of
         * them): its literal is copied rather than escaped again */
        memcpy(d, start_line_at, start_line_n);
        d += start_line_n;
    } else
        d = json_esc(d, f->line, n_line);
    PUT_LIT(d, "}\n");
    st->len = (size_t)(d - st->buf);
    if (st->len >= JL_FLUSH || !st->batch)
        jsonl_write(r);
}

static void jsonl_summary(sl_reporter *r, const sl_totals *t)
{
    FILE *o = r->out;
    jsonl_write(r);
    jsonl_finish(r);
    fprintf(o,
            "{\"type\":\"summary\",\"schema\":%d,\"version\":\"%s\",\"files\":%" PRIu64
            ",\"packets\":%" PRIu64 ",\"sip_messages\":%" PRIu64 ",\"findings\":%" PRIu64
            ",\"errors\":%" PRIu64 ",\"warnings\":%" PRIu64 ",\"notes\":%" PRIu64
            ",\"input_errors\":%" PRIu64 ",\"by_rule\":{",
            SL_JSONL_SCHEMA, SIPLINT_VERSION, t->files, t->packets, t->sip_messages, t->findings,
            t->by_severity[SL_SEV_ERROR], t->by_severity[SL_SEV_WARNING], t->by_severity[SL_SEV_NOTE],
            t->input_errors);
    int first = 1;
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        if (!t->by_rule[i])
            continue;
        fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", sl_rule_at(i)->id, t->by_rule[i]);
        first = 0;
    }
    fprintf(o, "},\"suppressed\":%" PRIu64 ",\"baselined\":%" PRIu64 ",\"fail_on\":\"%s\"}\n",
            t->suppressed, t->baselined, sl_severity_name(r->o.fail_on));
}

/* ---- dispatch ---- */

sl_reporter *sl_reporter_new(sl_format fmt, FILE *out, const sl_report_opts *o)
{
    sl_reporter *r = g_new0(sl_reporter, 1);
    r->fmt = fmt;
    r->out = out;
    if (o)
        r->o = *o;
    if (r->o.fail_on == SL_SEV_NONE)
        r->o.fail_on = SL_SEV_ERROR;
    switch (fmt) {
    case SL_FMT_SARIF: sl_sarif_begin(r); break;
    case SL_FMT_JUNIT: sl_junit_begin(r); break;
    case SL_FMT_CODEQUALITY: sl_cq_begin(r); break;
    case SL_FMT_HTML: sl_html_begin(r); break;
    case SL_FMT_JSONL: jsonl_begin(r); break;
    case SL_FMT_TEXT: r->state = g_new0(tbuf, 1); break;
    default: break;
    }
    return r;
}

void sl_reporter_file_begin(sl_reporter *r, const char *file)
{
    switch (r->fmt) {
    case SL_FMT_JSONL: jsonl_forget_file(r); break;
    case SL_FMT_SARIF: sl_sarif_file_begin(r, file); break;
    case SL_FMT_JUNIT: sl_junit_file_begin(r, file); break;
    case SL_FMT_CODEQUALITY: sl_cq_file_begin(r, file); break;
    case SL_FMT_HTML: sl_html_file_begin(r, file); break;
    default: break;
    }
}

void sl_reporter_finding(sl_reporter *r, const sl_rec *rec)
{
    switch (r->fmt) {
    case SL_FMT_TEXT: text_finding(r, rec); break;
    case SL_FMT_JSONL: jsonl_finding(r, rec); break;
    case SL_FMT_SARIF: sl_sarif_finding(r, rec); break;
    case SL_FMT_JUNIT: sl_junit_finding(r, rec); break;
    case SL_FMT_CODEQUALITY: sl_cq_finding(r, rec); break;
    case SL_FMT_HTML: sl_html_finding(r, rec); break;
    default: break;
    }
}

void sl_reporter_input_error(sl_reporter *r, const char *file, const char *sentence)
{
    switch (r->fmt) {
    case SL_FMT_JSONL:
        jsonl_write(r); /* the lines before it come first */
        fprintf(r->out, "{\"type\":\"input_error\",\"schema\":%d", SL_JSONL_SCHEMA);
        sl_json_key_str(r->out, "file", file);
        sl_json_key_str(r->out, "message", sentence);
        fprintf(r->out, "}\n");
        break;
    case SL_FMT_SARIF: sl_sarif_input_error(r, file, sentence); break;
    case SL_FMT_JUNIT: sl_junit_input_error(r, file, sentence); break;
    case SL_FMT_HTML: sl_html_input_error(r, file, sentence); break;
    default: break; /* text: the sentence went to standard error */
    }
}

void sl_reporter_file_end(sl_reporter *r, const char *file, const sl_totals *ft)
{
    if (r->fmt == SL_FMT_JSONL)
        jsonl_forget_file(r);
    else if (r->fmt == SL_FMT_JUNIT)
        sl_junit_file_end(r, file, ft);
    else if (r->fmt == SL_FMT_HTML)
        sl_html_file_end(r, file, ft);
}

void sl_reporter_flush(sl_reporter *r)
{
    if (r->fmt == SL_FMT_JSONL)
        jsonl_write(r);
}

void sl_reporter_messages(sl_reporter *r, const sl_msgbook *b)
{
    if (r->fmt == SL_FMT_HTML)
        sl_html_messages(r, b);
}

int sl_reporter_finish(sl_reporter *r, const sl_totals *t)
{
    switch (r->fmt) {
    case SL_FMT_TEXT: text_summary(r, t); break;
    case SL_FMT_JSONL: jsonl_summary(r, t); break;
    case SL_FMT_SARIF: sl_sarif_finish(r, t); break;
    case SL_FMT_JUNIT: sl_junit_finish(r, t); break;
    case SL_FMT_CODEQUALITY: sl_cq_finish(r, t); break;
    case SL_FMT_HTML: sl_html_finish(r, t); break;
    default: break;
    }
    int rc = fflush(r->out) == 0 && !ferror(r->out) ? 0 : -1;
    g_free(r);
    return rc;
}
