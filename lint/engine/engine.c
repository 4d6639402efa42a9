/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine: parse each fed message, run the rule modules, hand findings to the sink. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "tracker.h"

/* A rule's format string split once into its literal runs and conversions (see plan_of). */
#define PLAN_CONVS 8
#define PLAN_SLOTS 128
#define PLAN_NONE 0xff /* not planned (another conversion, too long): fast_format formats it */
typedef struct fmt_plan {
    const char *fmt;                 /* NULL: an empty slot */
    unsigned char n;                 /* conversions, or PLAN_NONE */
    unsigned char conv[PLAN_CONVS];  /* CV_* */
    uint16_t at[PLAN_CONVS + 1];     /* literal run i, before conversion i (run n: the tail), */
    uint16_t len[PLAN_CONVS + 1];    /* is fmt[at[i] .. at[i]+len[i]) */
} fmt_plan;

/* The parse cache: successful sl_addr_parse / sl_via_parse results of earlier messages, by the
 * element's bytes. A dialog's messages repeat their From and To, and a response its request's
 * Via, byte for byte: on cap-10 seven in ten elements had been parsed before, and a hash and a
 * compare cost a third of a parse. The result depends on the bytes alone (the parsers read
 * nothing else), so a copy whose spans are moved onto the new element is what the parse would
 * return. Direct-mapped, fixed size; elements longer than PC_KEY are parsed every time. */
#define PC_SLOTS 256
#define PC_KEY 112
typedef struct pc_head {
    uint64_t h;                      /* 0: an empty slot */
    size_t len;
    char key[PC_KEY];                /* the element's bytes; the result's spans point in here */
} pc_head;
typedef struct pc_addr {
    pc_head k;
    sl_addr a;
} pc_addr;
typedef struct pc_via {
    pc_head k;
    sl_via v;
} pc_via;

/* Run list classes (msg_class): the method a message concerns, for responses and requests. */
enum { RUN_MESSAGE = 1, RUN_REGISTER = 2, RUN_REQ = 3, RUN_CLASSES = 6 };

struct sl_engine {
    sl_config cfg;
    sl_sink sink;
    void *user;
    sl_parser ps;
    sl_stats stats;
    int trk_on;              /* some stateful rule is enabled */
    int fp_defer;            /* sl_engine_defer_fingerprints */
    sl_tracker trk;
    /* The enabled rules in module order for each class of message (msg_class), chosen once:
     * the per-message loop over every rule and its severity was a few percent of the engine,
     * and the calls of rules that return at once on most messages another few. */
    sl_rule_fn run[RUN_CLASSES][2 * SL_RULE__COUNT]; /* a rule may have a part in two modules
                                                      * (MSG-413) */
    size_t n_run[RUN_CLASSES];
    size_t n_pre[RUN_CLASSES];       /* the first n_pre of them, the modules before the stateful
                                      * one, do not read the tracker's view */
    uint64_t fp_rule[SL_RULE__COUNT]; /* fingerprint state after the rule id (see emit_v) */
    const sl_rule *rule[SL_RULE__COUNT]; /* sl_rule_at, looked up once */
    fmt_plan plan[PLAN_SLOTS];        /* the formats of findings met so far, by address */
    pc_addr pc_a[PC_SLOTS];           /* From/To/... elements parsed in earlier messages */
    pc_via pc_v[PC_SLOTS];            /* Via elements parsed in earlier messages */
};

/* The rule modules in the order their findings come. */
static const sl_rule_def *const modules[] = {sl_rules_rfc3261, sl_rules_rfc3428, sl_rules_rfc3327,
                                             sl_rules_rfc4320, sl_rules_rfc8224, sl_rules_stateful};

/* Whether a rule marked on (SL_ON_*) runs for messages of class k (msg_class). */
static int runs_on(unsigned on, unsigned k)
{
    int req = k >= RUN_REQ, method = (int)(k % RUN_REQ);
    switch (on) {
    case SL_ON_REQUEST: return req;
    case SL_ON_RESPONSE: return !req;
    case SL_ON_MESSAGE: return method == RUN_MESSAGE;
    case SL_ON_MESSAGE_REQUEST: return req && method == RUN_MESSAGE;
    case SL_ON_MESSAGE_RESPONSE: return !req && method == RUN_MESSAGE;
    case SL_ON_REGISTER_REQUEST: return req && method == RUN_REGISTER;
    case SL_ON_REGISTER_RESPONSE: return !req && method == RUN_REGISTER;
    default: return 1;
    }
}

/* Add fn to the run lists of the messages it concerns. */
static void add_rule(sl_engine *e, sl_rule_id rule, sl_rule_fn fn, unsigned on)
{
    if (e->cfg.severity[rule] == SL_SEV_NONE)
        return;
    for (unsigned k = 0; k < RUN_CLASSES; k++) {
        if (!runs_on(on, k))
            continue;
        if (e->n_run[k] < sizeof e->run[k] / sizeof e->run[k][0])
            e->run[k][e->n_run[k]++] = fn;
    }
}

/* The class of a message for the run lists: responses first, then requests, each by the method
 * it concerns (sl_concerns): another, MESSAGE, REGISTER. */
static inline unsigned msg_class(const sl_ctx *c)
{
    const sl_msg *m = c->m;
    sl_span method = m->is_request ? m->method : c->cseq_ok ? c->cseq.method : (sl_span){"", 0};
    unsigned k = sl_span_is(method, "MESSAGE") ? RUN_MESSAGE
               : sl_span_is(method, "REGISTER") ? RUN_REGISTER : 0;
    return m->is_request ? RUN_REQ + k : k;
}

/* FNV-1a, 64 bits (four bytes per round: the loop's own instructions were half the cost). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint64_t prime = 0x100000001b3ULL;
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        h = (h ^ b[i]) * prime;
        h = (h ^ b[i + 1]) * prime;
        h = (h ^ b[i + 2]) * prime;
        h = (h ^ b[i + 3]) * prime;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * prime;
    return h;
}

#define FP_SEED 0xcbf29ce484222325ULL

sl_engine *sl_engine_new(const sl_config *cfg, sl_sink sink, void *user)
{
    sl_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (cfg)
        e->cfg = *cfg;
    else
        sl_config_default(&e->cfg);
    e->sink = sink;
    e->user = user;
    sl_parser_init(&e->ps);
    for (size_t k = 0; k < sizeof modules / sizeof modules[0]; k++) {
        if (modules[k] == sl_rules_stateful)
            memcpy(e->n_pre, e->n_run, sizeof e->n_pre);
        for (const sl_rule_def *r = modules[k]; r->fn; r++)
            add_rule(e, r->rule, r->fn, r->on);
    }
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        e->rule[i] = sl_rule_at(i);
        const char *id = e->rule[i]->id;
        e->fp_rule[i] = fnv(FP_SEED, id, strlen(id) + 1);
    }
    /* The tracker runs only when a rule needs it: disabling every stateful rule costs nothing. */
    for (const sl_rule_def *r = sl_rules_stateful; r->fn; r++)
        if (e->cfg.severity[r->rule] != SL_SEV_NONE)
            e->trk_on = 1;
    if (e->trk_on) {
        if (sl_trk_init(&e->trk, &e->cfg, e->cfg.max_transactions) != 0) {
            sl_parser_free(&e->ps);
            free(e);
            return NULL;
        }
        e->stats.tracker_bytes = sl_trk_bytes(&e->trk);
    }
    return e;
}

void sl_engine_free(sl_engine *e)
{
    if (!e)
        return;
    sl_parser_free(&e->ps);
    if (e->trk_on)
        sl_trk_free(&e->trk);
    free(e);
}

const sl_stats *sl_engine_stats(const sl_engine *e)
{
    return &e->stats;
}

void sl_engine_defer_fingerprints(sl_engine *e)
{
    e->fp_defer = 1;
}

/* The fingerprint names the violation, not where the capture happened to hold it: rule,
 * Call-ID, CSeq, the method or status, and the header concerned. */
uint64_t sl_fingerprint(sl_span call_id, uint64_t cseq, sl_span cseq_method, const sl_fp_parts *fp)
{
    uint64_t h = fp->rule_hash;
    h = fnv(h, call_id.p, call_id.len);
    h = fnv(h, &cseq, sizeof cseq);
    h = fnv(h, cseq_method.p, cseq_method.len);
    if (fp->request)
        h = fnv(h, fp->method.p, fp->method.len);
    else
        h = fnv(h, &fp->status, sizeof fp->status);
    for (size_t i = 0; i < fp->row.len; i++) {
        unsigned char ch = (unsigned char)fp->row.p[i];
        ch = (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch;
        h = fnv(h, &ch, 1);
    }
    return h;
}

/* Effective severity: a configured severity that differs from the table's replaces the rule's
 * natural one; otherwise the rule decides (some rules report a milder case as a warning). */
static sl_severity effective(const sl_engine *e, sl_rule_id r, sl_severity natural)
{
    sl_severity conf = e->cfg.severity[r];
    if (conf == SL_SEV_NONE)
        return SL_SEV_NONE;
    return conf != e->rule[r]->severity ? conf : natural;
}

static void deliver(sl_engine *e, sl_finding *f)
{
    e->stats.findings[f->severity]++;
    e->stats.by_rule[f->rule->sym]++;
    if (e->sink)
        e->sink(f, e->user);
}

/* The header row that contains offset off, for the fingerprint. */
static sl_span row_name_at(const sl_msg *m, size_t off)
{
    sl_span none = {"", 0};
    if (m->n_hdrs == 0 || off < m->hdrs[0].offset)
        return none; /* the start line (offset 0: the message as a whole); rows are in order */
    for (size_t i = 0; i < m->n_hdrs; i++)
        if (off >= m->hdrs[i].offset && off < (size_t)m->hdrs[i].offset + m->hdrs[i].row_len + 2)
            return m->hdrs[i].name;
    return none;
}

/* vsnprintf(out, cap, fmt, ap), byte for byte, for the conversions the rule texts use (%s %u %d
 * %x %llu %lld %zu %%, no flags, width or precision): vsnprintf's parsing and its stdio machinery
 * were a tenth of the time on captures rich in findings (docs/performance.md). Returns -1 at any
 * other conversion, having consumed part of ap: the caller then formats a copy with vsnprintf. */
static int fast_format(char *out, size_t cap, const char *fmt, va_list ap)
{
    size_t o = 0;
#define PUT(ch) do { if (o + 1 < cap) out[o] = (ch); o++; } while (0)
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            const char *pc = strchr(f, '%');
            size_t n = pc ? (size_t)(pc - f) : strlen(f);
            if (o + 1 < cap) {
                size_t room = cap - 1 - o;
                memcpy(out + o, f, n < room ? n : room);
            }
            o += n;
            if (!pc)
                break;
            f = pc;
        }
        f++;
        int lng = 0, sz = 0;
        if (f[0] == 'l' && f[1] == 'l') {
            lng = 1;
            f += 2;
        } else if (f[0] == 'z') {
            sz = 1;
            f++;
        }
        unsigned long long u;
        int neg = 0, hex = 0;
        switch (*f) {
        case '%':
            if (lng || sz)
                return -1;
            PUT('%');
            continue;
        case 's': {
            if (lng || sz)
                return -1;
            const char *a = va_arg(ap, const char *);
            if (!a)
                return -1; /* "(null)": leave it to vsnprintf */
            size_t n = strlen(a);
            if (o + 1 < cap) {
                size_t room = cap - 1 - o;
                memcpy(out + o, a, n < room ? n : room);
            }
            o += n;
            continue;
        }
        case 'u':
            u = lng ? va_arg(ap, unsigned long long) : sz ? (unsigned long long)va_arg(ap, size_t)
                                                             : va_arg(ap, unsigned);
            break;
        case 'x':
            if (sz)
                return -1;
            u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            hex = 1;
            break;
        case 'd': {
            if (sz)
                return -1;
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            neg = v < 0;
            u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            break;
        }
        default:
            return -1;
        }
        char t[24];
        size_t n = 0;
        do {
            t[n++] = "0123456789abcdef"[hex ? u & 15 : u % 10];
            u = hex ? u >> 4 : u / 10;
        } while (u);
        if (neg)
            PUT('-');
        while (n)
            PUT(t[--n]);
    }
    if (cap)
        out[o < cap ? o : cap - 1] = 0;
#undef PUT
    return (int)o;
}

/* Conversions of a plan: those fast_format knows. */
enum { CV_PCT = 1, CV_S, CV_U, CV_LLU, CV_ZU, CV_X, CV_LLX, CV_D, CV_LLD };

/* Split fmt into a plan: PLAN_NONE when a conversion is not one of the CV_* or the format is too
 * long or has more than PLAN_CONVS conversions. */
static void plan_make(fmt_plan *p, const char *fmt)
{
    static const struct { const char *spec; unsigned char cv; } specs[] = {
        {"%", CV_PCT}, {"s", CV_S}, {"u", CV_U}, {"llu", CV_LLU}, {"zu", CV_ZU}, {"x", CV_X},
        {"llx", CV_LLX}, {"d", CV_D}, {"lld", CV_LLD}};
    p->fmt = fmt;
    p->n = PLAN_NONE;
    size_t run = 0, i = 0;
    unsigned n = 0;
    for (;; i++) {
        if (fmt[i] && fmt[i] != '%')
            continue;
        if (i > UINT16_MAX)
            return;
        p->at[n] = (uint16_t)run;
        p->len[n] = (uint16_t)(i - run);
        if (!fmt[i])
            break;
        if (n == PLAN_CONVS)
            return;
        size_t k = 0, sl = 0;
        while (k < sizeof specs / sizeof specs[0]) {
            sl = strlen(specs[k].spec);
            if (strncmp(fmt + i + 1, specs[k].spec, sl) == 0)
                break;
            k++;
        }
        if (k == sizeof specs / sizeof specs[0])
            return;
        p->conv[n++] = specs[k].cv;
        i += sl;
        run = i + 1;
    }
    p->n = (unsigned char)n;
}

/* The plan of fmt. Rules pass string literals, so the address names the format: formatting from
 * the plan copies each literal run at its known length, where fast_format looked for every '%'
 * again and measured the tail (a third of the cost of a finding's sentence). Formats that share
 * a slot are planned again in turn. */
static const fmt_plan *plan_of(sl_engine *e, const char *fmt)
{
    fmt_plan *p = &e->plan[(uint64_t)(uintptr_t)fmt * 0x9e3779b97f4a7c15ULL >> 57];
    if (p->fmt != fmt)
        plan_make(p, fmt);
    return p;
}

/* n bytes of s at out[*o], as much of them as fits in cap with the final NUL */
static inline void put_run(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (*o + 1 < cap) {
        size_t room = cap - 1 - *o;
        memcpy(out + *o, s, n < room ? n : room);
    }
    *o += n;
}

/* fast_format from a plan: the same bytes, the same return value (-1 at a NULL string: the
 * caller then formats a copy of ap with vsnprintf). */
static int plan_format(char *out, size_t cap, const fmt_plan *p, va_list ap)
{
    size_t o = 0;
    for (unsigned i = 0;; i++) {
        put_run(out, cap, &o, p->fmt + p->at[i], p->len[i]);
        if (i == p->n)
            break;
        unsigned long long u;
        int neg = 0, hex = 0;
        switch (p->conv[i]) {
        case CV_PCT:
            put_run(out, cap, &o, "%", 1);
            continue;
        case CV_S: {
            const char *a = va_arg(ap, const char *);
            if (!a)
                return -1;
            put_run(out, cap, &o, a, strlen(a));
            continue;
        }
        case CV_U: u = va_arg(ap, unsigned); break;
        case CV_LLU: u = va_arg(ap, unsigned long long); break;
        case CV_ZU: u = va_arg(ap, size_t); break;
        case CV_X: u = va_arg(ap, unsigned); hex = 1; break;
        case CV_LLX: u = va_arg(ap, unsigned long long); hex = 1; break;
        default: { /* CV_D, CV_LLD */
            long long v = p->conv[i] == CV_D ? va_arg(ap, int) : va_arg(ap, long long);
            neg = v < 0;
            u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            break;
        }
        }
        char t[24];
        size_t n = sizeof t;
        do {
            t[--n] = "0123456789abcdef"[hex ? u & 15 : u % 10];
            u = hex ? u >> 4 : u / 10;
        } while (u);
        if (neg)
            t[--n] = '-';
        put_run(out, cap, &o, t + n, sizeof t - n);
    }
    if (cap)
        out[o < cap ? o : cap - 1] = 0;
    return (int)o;
}

/* Start a finding: effective severity, message text, the fields every finding has. Returns 0
 * when the configuration turns the finding off. text must hold 1024 bytes. fmt is planned (by
 * address) only when fixed is set: a rule's literal, not a front-end's format. */
static int begin_finding(sl_engine *e, sl_finding *f, sl_rule_id rule, sl_severity natural,
                         const sl_meta *meta, char *text, int fixed, const char *fmt, va_list ap)
{
    enum { TEXT_CAP = 1024 };
    sl_severity s = effective(e, rule, natural);
    if (s == SL_SEV_NONE)
        return 0;
    const fmt_plan *p = fixed ? plan_of(e, fmt) : NULL;
    va_list aq;
    va_copy(aq, ap);
    int n = p && p->n != PLAN_NONE ? plan_format(text, TEXT_CAP, p, aq)
                                   : fast_format(text, TEXT_CAP, fmt, aq);
    va_end(aq);
    size_t tl;
    if (n < 0) {
        vsnprintf(text, TEXT_CAP, fmt, ap);
        tl = strlen(text); /* a %c may have written a NUL */
    } else {
        tl = (size_t)n < TEXT_CAP ? (size_t)n : TEXT_CAP - 1;
    }
    /* every field is set here or by the caller: a memset of the whole finding cost more */
    f->rule = e->rule[rule];
    f->severity = s;
    f->message = text;
    f->message_len = tl;
    f->frame = meta->frame_last;
    memset(f->related, 0, sizeof f->related);
    f->n_related = 0;
    f->msg_offset = f->offset = f->length = f->msg_len = 0;
    f->call_id = f->cseq_method = f->start_line = (sl_span){"", 0};
    f->cseq = 0;
    f->meta = meta;
    f->fingerprint = 0;
    f->fp_deferred = 0;
    f->fp = (sl_fp_parts){e->fp_rule[rule], 0, {"", 0}, 0, {"", 0}};
    return 1;
}

static void emit_v(sl_ctx *c, sl_rule_id rule, sl_severity sev, size_t off, size_t len,
                   const uint64_t *related, unsigned n_related, const char *fmt, va_list ap)
{
    char text[1024];
    sl_finding f;
    if (!begin_finding(c->e, &f, rule, sev, c->meta, text, 1, fmt, ap))
        return;
    for (unsigned i = 0; i < n_related && f.n_related < SL_MAX_RELATED; i++)
        if (related[i] && related[i] != f.frame)
            f.related[f.n_related++] = related[i];
    const sl_msg *m = c->m;
    f.offset = off;
    f.length = len;
    f.msg_len = m->len;
    f.call_id = c->call_id;
    f.cseq = c->cseq_ok ? c->cseq.num : 0;
    if (c->cseq_ok)
        f.cseq_method = c->cseq.method;
    if (!c->start_known) {
        /* once per message: its rules may report several findings */
        const char *eol = memchr(m->base, '\n', m->avail);
        size_t sl = eol ? (size_t)(eol - m->base) : m->avail;
        if (sl && m->base[sl - 1] == '\r')
            sl--;
        c->start_len = sl;
        c->start_known = 1;
    }
    f.start_line = (sl_span){m->base, c->start_len};

    f.fp.request = m->is_request != 0;
    if (f.fp.request)
        f.fp.method = m->method;
    else
        f.fp.status = m->status;
    f.fp.row = row_name_at(m, off);
    /* the hash is a quarter of a finding's cost: a sink that copies the parts may defer it to
     * another thread (the CLI's writer) */
    if (c->e->fp_defer)
        f.fp_deferred = 1;
    else
        f.fingerprint = sl_fingerprint(f.call_id, f.cseq, f.cseq_method, &f.fp);
    deliver(c->e, &f);
}

void sl_emit(sl_ctx *c, sl_rule_id rule, sl_severity sev, size_t off, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_v(c, rule, sev, off, len, NULL, 0, fmt, ap);
    va_end(ap);
}

void sl_emit_related(sl_ctx *c, sl_rule_id rule, sl_severity sev, size_t off, size_t len,
                     const uint64_t *related, unsigned n_related, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_v(c, rule, sev, off, len, related, n_related, fmt, ap);
    va_end(ap);
}

void sl_engine_report(sl_engine *e, sl_rule_id rule, const sl_meta *meta, const char *fmt, ...)
{
    char text[1024];
    sl_finding f;
    va_list ap;
    va_start(ap, fmt);
    int on = begin_finding(e, &f, rule, e->rule[rule]->severity, meta, text, 0, fmt, ap);
    va_end(ap);
    if (!on)
        return;
    uint64_t h = e->fp_rule[rule];
    h = fnv(h, text, f.message_len);
    f.fingerprint = h;
    deliver(e, &f);
}

/* The element's hash for the parse cache (never 0): eight bytes per round, the last round on
 * the element's last eight bytes (overlapping the one before: no byte loop, no memcpy call).
 * Only the slot index needs mixing; the cache compares the bytes. */
static inline uint64_t pc_hash(const char *p, size_t n)
{
    const uint64_t k = 0xff51afd7ed558ccdULL;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
    if (n < 8) {
        w = 0;
        for (size_t i = 0; i < n; i++)
            w = w << 8 | (unsigned char)p[i];
        h = (h ^ w) * k;
    } else {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            memcpy(&w, p + i, 8);
            h = (h ^ w) * k;
        }
        memcpy(&w, p + n - 8, 8);
        h = (h ^ w) * k;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

/* The slot of e in a table of PC_SLOTS (*h: its hash, 0 when e is too long to be cached) */
static inline size_t pc_slot(sl_span e, uint64_t *h)
{
    *h = e.len && e.len <= PC_KEY ? pc_hash(e.p, e.len) : 0;
    return (size_t)(*h >> 56) % PC_SLOTS;
}

static inline int pc_hit(const pc_head *k, uint64_t h, sl_span e)
{
    return h && k->h == h && k->len == e.len && memcmp(k->key, e.p, e.len) == 0;
}

/* A span of a cached result moved onto the element at to; NULL stays NULL. */
static inline void pc_move(sl_span *s, const char *from, const char *to)
{
    if (s->p)
        s->p = to + (s->p - from);
}

/* A span of a fresh result moved from the element [from, from+n] into the cache's key at to.
 * Returns 0 when the span lies elsewhere (the parsers' never do; such a result could not be
 * moved, and is not cached). Integers, not pointers, compared: s->p may be any pointer. */
static inline int pc_store(sl_span *s, const char *from, size_t n, const char *to)
{
    if (!s->p)
        return 1;
    uintptr_t off = (uintptr_t)s->p - (uintptr_t)from;
    if (off > n || s->len > n - off)
        return 0;
    s->p = to + off;
    return 1;
}

static void addr_move(sl_addr *a, const char *from, const char *to)
{
    pc_move(&a->display, from, to);
    pc_move(&a->uri, from, to);
    pc_move(&a->uri_params, from, to);
    pc_move(&a->params, from, to);
    pc_move(&a->tag, from, to);
}

static void via_move(sl_via *v, const char *from, const char *to)
{
    pc_move(&v->protocol, from, to);
    pc_move(&v->transport, from, to);
    pc_move(&v->host, from, to);
    pc_move(&v->params, from, to);
    pc_move(&v->branch, from, to);
    pc_move(&v->received, from, to);
}

/* sl_addr_parse through the parse cache */
static inline int addr_parse(sl_engine *eng, sl_span e, sl_addr *a, const char **what,
                             size_t *err_at)
{
    uint64_t h;
    pc_addr *s = &eng->pc_a[pc_slot(e, &h)];
    if (pc_hit(&s->k, h, e)) {
        *a = s->a;
        addr_move(a, s->k.key, e.p);
        return 0;
    }
    int rc = sl_addr_parse(e, a, what, err_at);
    if (rc == 0 && h) {
        sl_addr *c = &s->a;
        *c = *a;
        s->k.h = 0; /* empty unless every span moves */
        if (pc_store(&c->display, e.p, e.len, s->k.key) &&
            pc_store(&c->uri, e.p, e.len, s->k.key) &&
            pc_store(&c->uri_params, e.p, e.len, s->k.key) &&
            pc_store(&c->params, e.p, e.len, s->k.key) && pc_store(&c->tag, e.p, e.len, s->k.key)) {
            s->k.h = h;
            s->k.len = e.len;
            memcpy(s->k.key, e.p, e.len);
        }
    }
    return rc;
}

/* sl_via_parse through the parse cache */
static inline int via_parse(sl_engine *eng, sl_span e, sl_via *v, const char **what,
                            size_t *err_at)
{
    uint64_t h;
    pc_via *s = &eng->pc_v[pc_slot(e, &h)];
    if (pc_hit(&s->k, h, e)) {
        *v = s->v;
        via_move(v, s->k.key, e.p);
        return 0;
    }
    int rc = sl_via_parse(e, v, what, err_at);
    if (rc == 0 && h) {
        sl_via *c = &s->v;
        *c = *v;
        s->k.h = 0; /* empty unless every span moves */
        if (pc_store(&c->protocol, e.p, e.len, s->k.key) &&
            pc_store(&c->transport, e.p, e.len, s->k.key) &&
            pc_store(&c->host, e.p, e.len, s->k.key) &&
            pc_store(&c->params, e.p, e.len, s->k.key) &&
            pc_store(&c->branch, e.p, e.len, s->k.key) &&
            pc_store(&c->received, e.p, e.len, s->k.key)) {
            s->k.h = h;
            s->k.len = e.len;
            memcpy(s->k.key, e.p, e.len);
        }
    }
    return rc;
}

/* Only successful parses are remembered: on success the parsers touch neither *what nor
 * *err_at, and the result depends on the element's bytes alone. */
static struct sl_ctx_memo *memo_find(sl_ctx *c, int kind, sl_span e)
{
    for (unsigned i = 0; i < c->n_memo; i++)
        if (c->memo[i].p == e.p && c->memo[i].len == e.len && c->memo[i].kind == kind)
            return &c->memo[i];
    return NULL;
}

static struct sl_ctx_memo *memo_new(sl_ctx *c, int kind, sl_span e)
{
    if (c->n_memo >= sizeof c->memo / sizeof c->memo[0])
        return NULL;
    struct sl_ctx_memo *mm = &c->memo[c->n_memo++];
    mm->p = e.p;
    mm->len = e.len;
    mm->kind = kind;
    return mm;
}

int sl_ctx_addr(sl_ctx *c, sl_span e, sl_addr *a, const char **what, size_t *err_at)
{
    struct sl_ctx_memo *mm = memo_find(c, 1, e);
    if (mm) {
        *a = mm->u.a;
        return 0;
    }
    int rc = addr_parse(c->e, e, a, what, err_at);
    if (rc == 0 && (mm = memo_new(c, 1, e)) != NULL)
        mm->u.a = *a;
    return rc;
}

int sl_ctx_via(sl_ctx *c, sl_span e, sl_via *v, const char **what, size_t *err_at)
{
    struct sl_ctx_memo *mm = memo_find(c, 2, e);
    if (mm) {
        *v = mm->u.v;
        return 0;
    }
    int rc = via_parse(c->e, e, v, what, err_at);
    if (rc == 0 && (mm = memo_new(c, 2, e)) != NULL)
        mm->u.v = *v;
    return rc;
}

/* Parse into the next memo entry (no copy); into *spare when the memo is full. */
const sl_addr *sl_ctx_addr_ref(sl_ctx *c, sl_span e, sl_addr *spare)
{
    struct sl_ctx_memo *mm = memo_find(c, 1, e);
    if (mm)
        return &mm->u.a;
    const char *what;
    size_t at;
    int room = c->n_memo < sizeof c->memo / sizeof c->memo[0];
    sl_addr *a = room ? &c->memo[c->n_memo].u.a : spare;
    if (addr_parse(c->e, e, a, &what, &at) != 0)
        return NULL;
    if (room)
        memo_new(c, 1, e); /* the entry a was parsed into */
    return a;
}

const sl_via *sl_ctx_via_ref(sl_ctx *c, sl_span e, sl_via *spare)
{
    struct sl_ctx_memo *mm = memo_find(c, 2, e);
    if (mm)
        return &mm->u.v;
    const char *what;
    size_t at;
    int room = c->n_memo < sizeof c->memo / sizeof c->memo[0];
    sl_via *v = room ? &c->memo[c->n_memo].u.v : spare;
    if (via_parse(c->e, e, v, &what, &at) != 0)
        return NULL;
    if (room)
        memo_new(c, 2, e);
    return v;
}

const char *sl_show(sl_ctx *c, sl_span s, size_t max)
{
    char *out = c->show[c->show_next++ % 4];
    size_t cap = sizeof c->show[0] - 8, o = 0;
    if (max > cap)
        max = cap;
    if (s.len + 3 <= max) {
        /* short and printable (the usual case: a method, a tag): a plain copy */
        size_t i = 0;
        for (unsigned char ch; i < s.len && (ch = (unsigned char)s.p[i]) >= 0x20 && ch < 0x7f &&
                               ch != '\\';)
            i++;
        if (i == s.len) {
            if (s.len)
                memcpy(out, s.p, s.len);
            out[s.len] = 0;
            return out;
        }
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (o + 4 > max) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
            out[o++] = (char)ch;
        } else if (ch == '\r' || ch == '\n' || ch == '\t') {
            out[o++] = ' '; /* a folded line reads as the one SP it stands for */
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    out[o] = 0;
    return out;
}

const char *sl_thousands(sl_ctx *c, uint64_t v)
{
    /* backwards from the 27th byte of a scratch buffer (20 digits and 6 commas at most), three
     * digits and a comma at a time; the text starts where the digits end */
    char *out = c->show[c->show_next++ % 4], *d = out + 26;
    *d = 0;
    for (; v >= 1000; v /= 1000) {
        unsigned g = (unsigned)(v % 1000);
        d -= 4;
        d[0] = ',';
        d[1] = (char)('0' + g / 100);
        d[2] = (char)('0' + g / 10 % 10);
        d[3] = (char)('0' + g % 10);
    }
    do {
        *--d = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return d;
}

/* A datagram that is not a SIP start line but whose first line is a well-known SIP header is
 * SIP with its start line missing (e.g. a stack that lost it), not another protocol. */
static int headers_without_start_line(const char *buf, size_t len)
{
    size_t n = 0;
    while (n < len && n < 64 && buf[n] != ':' && buf[n] != '\n' && buf[n] != ' ' && buf[n] != '\t') {
        /* every known header name is letters and '-': anything else cannot match (binary
         * payloads such as RTP end here, at their first bytes) */
        unsigned char ch = (unsigned char)buf[n] | 0x20;
        if (!((ch >= 'a' && ch <= 'z') || buf[n] == '-'))
            return 0;
        n++;
    }
    size_t c = n;
    while (c < len && (buf[c] == ' ' || buf[c] == '\t'))
        c++;
    if (c >= len || buf[c] != ':')
        return 0;
    switch (sl_hdr_lookup(buf, n)) {
    case SL_H_VIA: case SL_H_FROM: case SL_H_TO: case SL_H_CALL_ID: case SL_H_CSEQ:
    case SL_H_CONTACT: case SL_H_MAX_FORWARDS:
        return n > 1; /* compact letters alone are too weak a signal */
    default:
        return 0;
    }
}

int sl_engine_is_sip(const char *buf, size_t len)
{
    return sl_looks_like_sip(buf, len) || headers_without_start_line(buf, len);
}

sl_feed_rc sl_engine_feed(sl_engine *e, const char *buf, size_t len, const sl_meta *meta,
                          size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (meta->flags & SL_META_TRUNCATED) {
        if (!sl_looks_like_sip(buf, len) && !headers_without_start_line(buf, len))
            return SL_FEED_NOT_SIP;
        e->stats.messages++;
        sl_engine_report(e, SL_R_CAP_TRUNCATED, meta,
                         "the capture holds only %zu bytes of this SIP message (snap length); it "
                         "was not linted", len);
        return SL_FEED_LINTED;
    }
    sl_frame_mode mode = sl_tp_is_stream(meta->transport) ? SL_FRAME_STREAM : SL_FRAME_DATAGRAM;
    sl_msg m;
    sl_parse_rc rc = sl_parse(&e->ps, buf, len, mode, &m);
    return sl_engine_feed_parsed(e, buf, len, meta, rc, &m, out_len);
}

sl_feed_rc sl_engine_feed_parsed(sl_engine *e, const char *buf, size_t len, const sl_meta *meta,
                                 sl_parse_rc rc, const sl_msg *m, size_t *out_len)
{
    /* A message cut by the snap length is reported, not linted: sl_engine_feed does that
     * before it would parse. */
    if (meta->flags & SL_META_TRUNCATED)
        return sl_engine_feed(e, buf, len, meta, out_len);
    if (out_len)
        *out_len = 0;
    if (rc == SL_PARSE_NOMEM)
        return SL_FEED_NOMEM;
    if (rc == SL_PARSE_NOT_SIP) {
        if (!headers_without_start_line(buf, len))
            return SL_FEED_NOT_SIP;
        e->stats.messages++;
        sl_msg whole = *m; /* *m is the caller's: the finding is about the whole datagram */
        sl_ctx c;
        memset(&c, 0, sizeof c);
        c.e = e;
        c.m = &whole;
        c.meta = meta;
        c.cfg = &e->cfg;
        whole.len = len;
        sl_emit(&c, SL_R_SIP_PARSE, SL_SEV_ERROR, 0, 0,
                "SIP headers without a start line (no request line or status line)");
        if (out_len)
            *out_len = len;
        return SL_FEED_LINTED;
    }
    e->stats.messages++;
    if (m->is_request)
        e->stats.requests++;
    else
        e->stats.responses++;
    if (out_len)
        *out_len = m->len;

    sl_ctx c;
    c.e = e;
    c.m = m;
    c.meta = meta;
    c.cfg = &e->cfg;
    c.show_next = 0;
    c.start_known = 0;
    c.n_memo = 0;
    c.trk = NULL;
    c.tv = NULL;
    c.via1_hdr = NULL;
    c.addr_hdr[0] = c.addr_hdr[1] = NULL;
    /* sl_msg_hdr's answer read from the index itself (first[]: row index + 1, 0 when absent):
     * two calls per message saved */
    const char *what;
    if (m->cseq_done) { /* parsed by the caller (the CLI's reader thread): sl_msg_cseq */
        c.cseq_ok = m->cseq_ok;
        c.cseq = m->cseq;
    } else {
        c.cseq_ok = m->first[SL_H_CSEQ] &&
                    sl_cseq_parse(m->hdrs[m->first[SL_H_CSEQ] - 1].value, &c.cseq, &what) == 0;
    }
    c.call_id = m->first[SL_H_CALL_ID] ? m->hdrs[m->first[SL_H_CALL_ID] - 1].value : (sl_span){"", 0};

    /* Stateful rules see the tracker's records as they were before this message; the message is
     * recorded after every rule has run. Messages that failed to index are not tracked. */
    sl_trk_view tv;
    if (e->trk_on && rc == SL_PARSE_OK) {
        sl_trk_tick(&e->trk, sl_meta_ns(meta));
        sl_trk_observe(&e->trk, &c, &tv);
        c.trk = &e->trk;
        c.tv = &tv;
    }

    /* the list and its length in locals: a rule could change *e as far as the compiler knows,
     * which made it reload both around every call. The rules of the modules before the
     * stateful one run before the tracker's lookups, in the same order as ever (the lookups
     * change nothing): the table slots sl_trk_observe asked for arrive meanwhile. */
    unsigned cls = msg_class(&c);
    const sl_rule_fn *run = e->run[cls];
    size_t k = 0, n = e->n_run[cls];
    for (size_t pre = e->n_pre[cls]; k < pre; k++)
        run[k](&c);
    if (c.tv)
        sl_trk_lookup(&e->trk, &tv);
    for (; k < n; k++)
        run[k](&c);

    if (c.tv) {
        sl_trk_commit(&e->trk, &c, &tv);
        e->stats.tracker_dropped = e->trk.dropped;
    }
    return SL_FEED_LINTED;
}
