/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transaction/dialog tracker: bounded hash tables in capture time, and the keys they use. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "tracker.h"

/* Word-at-a-time: eight bytes per multiply (the byte-at-a-time FNV-1a these replaced was a tenth
 * of the engine's instructions, docs/performance.md). Only equality of keys matters (the tables
 * compare 64-bit keys, never the fields), so any well-mixed function will do; sl_trk_hash_lc(x)
 * is sl_trk_hash(lower(x)), as before. The length ends each field, so that ("ab","c") and
 * ("a","bc") differ. */
#define TRK_K1 0x9e3779b97f4a7c15ULL
#define TRK_K2 0xbf58476d1ce4e5b9ULL

static inline uint64_t trk_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * TRK_K1;
    return h ^ (h >> 31);
}

static inline uint64_t trk_load8(const unsigned char *b)
{
    uint64_t w;
    memcpy(&w, b, 8);
    return w;
}

/* The last 1..7 bytes in one word, every byte used (overlapping loads; the length that trk_end
 * mixes in tells the cases apart), without a call to memcpy. */
static inline uint64_t trk_tail(const unsigned char *b, size_t r)
{
    if (r >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, b, 4);
        memcpy(&hi, b + r - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << 32;
    }
    return (uint64_t)b[0] | (uint64_t)b[r / 2] << 8 | (uint64_t)b[r - 1] << 16;
}

/* ASCII 'A'..'Z' to lower case in each byte of w, others unchanged */
static inline uint64_t trk_lower(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t seven = w & ~high;
    uint64_t ge_a = seven + ones * (0x80 - 'A');
    uint64_t gt_z = seven + ones * (0x80 - 'Z' - 1);
    uint64_t upper = ge_a & ~gt_z & ~w & high;
    return w | (upper >> 2);
}

static inline uint64_t trk_end(uint64_t h, size_t n)
{
    h = (h ^ (uint64_t)n) * TRK_K2;
    return h ^ (h >> 29);
}

/* The bodies of sl_trk_hash and sl_trk_hash_lc, inlined where the tracker builds its keys: a
 * message hashes a dozen short fields, and the call overhead was a third of the cost. */
static inline uint64_t trk_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = trk_mix(h, trk_load8(b + i));
    if (i < n)
        h = trk_mix(h, trk_tail(b + i, n - i));
    return trk_end(h, n);
}

static inline uint64_t trk_hash_lc(uint64_t h, const char *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = trk_mix(h, trk_lower(trk_load8(b + i)));
    if (i < n)
        h = trk_mix(h, trk_lower(trk_tail(b + i, n - i)));
    return trk_end(h, n);
}

uint64_t sl_trk_hash(uint64_t h, const void *p, size_t n)
{
    return trk_hash(h, p, n);
}

uint64_t sl_trk_hash_lc(uint64_t h, const char *p, size_t n)
{
    return trk_hash_lc(h, p, n);
}

static int lc_eq(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch + 32);
        if (ch != (unsigned char)lit[i])
            return 0;
    }
    return 1;
}

uint64_t sl_trk_uri_hash(uint64_t h, sl_span uri)
{
    const char *p = uri.p;
    size_t n = uri.len;
    /* memchr and a short backward scan rather than byte loops over the whole URI */
    const char *colon = n ? memchr(p, ':', n) : NULL;
    if (!colon) /* not scheme:... - compare as written */
        return trk_hash(h, p, n);
    size_t i = (size_t)(colon - p);
    h = trk_hash_lc(h, p, i); /* scheme */
    i++;
    /* headers are not part of the comparison we need */
    size_t rest = i, end = n;
    const char *qm = rest < n ? memchr(p + rest, '?', n - rest) : NULL;
    if (qm)
        end = (size_t)(qm - p);
    /* userinfo: up to the last '@' */
    size_t at = end;
    while (at > rest && p[at - 1] != '@')
        at--;
    size_t host = rest;
    if (at > rest) {
        h = trk_hash(h, p + rest, at - 1 - rest); /* user (and password): case-sensitive */
        host = at;
    } else {
        h = trk_hash(h, "", 0);
    }
    const char *sc = host < end ? memchr(p + host, ';', end - host) : NULL;
    size_t semi = sc ? (size_t)(sc - p) : end;
    h = trk_hash_lc(h, p + host, semi - host);
    if (semi == end)
        return h; /* no parameters (the usual case) */
    /* §19.1.4: user, ttl, method and maddr must match if either URI has them; others only when
     * both have them, which we cannot know, so they are left out (fewer, not more, matches). */
    static const char *const keep[] = {"user", "ttl", "method", "maddr"};
    for (size_t k = 0; k < 4; k++) {
        size_t q = semi;
        while (q < end) {
            size_t s = q + 1, e2 = s;
            while (e2 < end && p[e2] != ';')
                e2++;
            size_t eq = s;
            while (eq < e2 && p[eq] != '=')
                eq++;
            if (lc_eq(p + s, eq - s, keep[k])) {
                h = trk_hash_lc(h, keep[k], strlen(keep[k]));
                if (eq < e2)
                    h = trk_hash_lc(h, p + eq + 1, e2 - eq - 1);
            }
            q = e2;
        }
    }
    return h;
}

/* ---- tables ---------------------------------------------------------------------------------- */

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

static int tab_init(sl_tab *tb, size_t cap, size_t rec)
{
    memset(tb, 0, sizeof *tb);
    tb->cap = pow2_at_least(cap);
    tb->mask = tb->cap - 1;
    tb->rec = rec;
    tb->limit = tb->cap / 4 * 3;
    /* calloc: pages are only backed once touched, so a short capture stays small */
    tb->slots = calloc(tb->cap, rec);
    return tb->slots ? 0 : -1;
}

static inline sl_trk_hdr *slot(const sl_tab *tb, size_t i)
{
    return (sl_trk_hdr *)(void *)(tb->slots + i * tb->rec);
}

static inline size_t home(const sl_tab *tb, uint64_t key)
{
    uint64_t x = key * 0x9e3779b97f4a7c15ULL;
    return (size_t)(x >> 32) & tb->mask;
}

/* Ask for the lines of key's home slot (every line of the record: the rules read its fields
 * after the lookup) before the lookup needs them. The tables are megabytes, so a lookup is
 * mostly a cache miss; the keys of a message are known before any of its lookups, and asking
 * for all of their slots first lets the misses overlap instead of following one another. */
#if defined(__GNUC__)
/* inlined for certain: GCC finds a function that only prefetches free of side effects, and
 * drops the calls */
__attribute__((always_inline))
#endif
static inline void tab_prefetch(const sl_tab *tb, uint64_t key)
{
#if defined(__GNUC__)
    /* a line per 64 bytes covers every line of the records here: 144 or 32 bytes long and
     * starting at multiples of 16, a record's last bytes never begin a line of their own */
    const unsigned char *p = tb->slots + home(tb, key) * tb->rec;
    for (size_t o = 0; o < tb->rec; o += 64)
        __builtin_prefetch(p + o, 1);
#else
    (void)tb;
    (void)key;
#endif
}

static inline void *tab_find(sl_tab *tb, uint64_t key, int64_t now)
{
    if (!key)
        return NULL;
    for (size_t i = home(tb, key);; i = (i + 1) & tb->mask) {
        sl_trk_hdr *s = slot(tb, i);
        if (s->key == 0)
            return NULL;
        if (s->key == key)
            return s->expire >= now ? s : NULL;
    }
}

void *sl_tab_find(sl_tab *tb, uint64_t key, int64_t now)
{
    return tab_find(tb, key, now);
}

/* Backward-shift deletion (linear probing without tombstones). */
static void tab_delete(sl_tab *tb, size_t i)
{
    size_t j = i;
    for (;;) {
        j = (j + 1) & tb->mask;
        sl_trk_hdr *s = slot(tb, j);
        if (s->key == 0)
            break;
        size_t k = home(tb, s->key);
        /* move s back to i unless its home lies cyclically in (i, j] */
        int stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            memcpy(slot(tb, i), s, tb->rec);
            i = j;
        }
    }
    memset(slot(tb, i), 0, tb->rec);
    tb->used--;
}

static void tab_sweep(sl_tab *tb, int64_t now, size_t n)
{
    if (!tb->used)
        return;
    /* Runs of slots up to the end of the array, walked with a pointer; the cursor in a local
     * (kept in tb, it was reloaded and stored at every slot). */
    size_t cur = tb->cursor;
    while (n) {
        size_t i = cur & tb->mask, run = tb->cap - i, k = 0;
        if (run > n)
            run = n;
        const unsigned char *p = tb->slots + i * tb->rec;
        for (; k < run; k++, p += tb->rec) {
            const sl_trk_hdr *s = (const sl_trk_hdr *)(const void *)p;
            if (s->key && s->expire < now)
                break;
        }
        cur += k;
        n -= k;
        if (k < run) {
            /* another entry may have moved into the slot: look at it again next time */
            tab_delete(tb, i + k);
            n--;
        }
    }
    tb->cursor = cur;
}


static void *upsert(sl_tracker *t, sl_tab *tb, uint64_t key, int64_t now, int *fresh, int hard)
{
    *fresh = 0;
    if (!key)
        key = 1;
    size_t reuse = (size_t)-1;
    size_t i = home(tb, key);
    for (;; i = (i + 1) & tb->mask) {
        sl_trk_hdr *s = slot(tb, i);
        if (s->key == 0)
            break;
        if (s->key == key) {
            if (s->expire >= now)
                return s;
            /* expired: start afresh in place */
            memset(s, 0, tb->rec);
            s->key = key;
            *fresh = 1;
            return s;
        }
        if (reuse == (size_t)-1 && s->expire < now)
            reuse = i;
    }
    if (reuse != (size_t)-1) {
        /* an expired entry in the probe chain: overwrite it (the key is not further on, since
         * the chain ended at an empty slot without finding it) */
        sl_trk_hdr *s = slot(tb, reuse);
        memset(s, 0, tb->rec);
        s->key = key;
        *fresh = 1;
        return s;
    }
    if (tb->used >= tb->limit && now >= tb->next_full) {
        /* full: expired entries elsewhere may free room (a full pass at most every T1/4 of
         * capture time, so an overloaded table does not cost a pass per message) */
        tb->next_full = now + t->t1_ns / 4;
        size_t before = tb->used;
        tb->cursor = 0;
        tab_sweep(tb, now, 2 * tb->cap + tb->used);
        if (tb->used < before)
            return upsert(t, tb, key, now, fresh, hard);
    }
    if (tb->used >= tb->limit) {
        t->dropped++;
        if (hard) {
            t->hard_dropped++;
            t->last_drop = now;
        }
        return NULL;
    }
    sl_trk_hdr *s = slot(tb, i);
    s->key = key;
    tb->used++;
    *fresh = 1;
    return s;
}

void *sl_trk_upsert(sl_tracker *t, sl_tab *tb, uint64_t key, int64_t now, int *fresh)
{
    return upsert(t, tb, key, now, fresh, 1);
}

void *sl_trk_upsert_soft(sl_tracker *t, sl_tab *tb, uint64_t key, int64_t now, int *fresh)
{
    return upsert(t, tb, key, now, fresh, 0);
}

int sl_trk_init(sl_tracker *t, const sl_config *cfg, size_t max_txn)
{
    memset(t, 0, sizeof *t);
    if (!max_txn)
        max_txn = 32768;
    unsigned t1 = cfg->t1_ms ? cfg->t1_ms : 500, t2 = cfg->t2_ms ? cfg->t2_ms : 4000,
             t4 = cfg->t4_ms ? cfg->t4_ms : 5000;
    t->t1_ns = (int64_t)t1 * 1000000;
    t->t2_ns = (int64_t)t2 * 1000000;
    t->t4_ns = (int64_t)t4 * 1000000;
    if (tab_init(&t->txn, max_txn, sizeof(sl_txn)) || tab_init(&t->req, max_txn, sizeof(sl_reqrec)) ||
        tab_init(&t->dlg, max_txn, sizeof(sl_dlgrec)) ||
        tab_init(&t->pend, max_txn / 2, sizeof(sl_pendrec))) {
        sl_trk_free(t);
        return -1;
    }
    return 0;
}

void sl_trk_free(sl_tracker *t)
{
    free(t->txn.slots);
    free(t->req.slots);
    free(t->dlg.slots);
    free(t->pend.slots);
    memset(t, 0, sizeof *t);
}

size_t sl_trk_bytes(const sl_tracker *t)
{
    return t->txn.cap * t->txn.rec + t->req.cap * t->req.rec + t->dlg.cap * t->dlg.rec +
           t->pend.cap * t->pend.rec;
}

size_t sl_trk_live(const sl_tracker *t)
{
    return t->txn.used + t->req.used + t->dlg.used + t->pend.used;
}

void sl_trk_tick(sl_tracker *t, int64_t now)
{
    /* 4 slots per message and table, in batches: the calls cost more than the slots */
    if (++t->ticks % SL_TRK_SWEEP_EVERY == 0)
        sl_trk_sweep(t, now, 4 * SL_TRK_SWEEP_EVERY);
}

void sl_trk_sweep(sl_tracker *t, int64_t now, size_t n)
{
    tab_sweep(&t->txn, now, n);
    tab_sweep(&t->req, now, n);
    tab_sweep(&t->dlg, now, n);
    tab_sweep(&t->pend, now, n);
}

void sl_trk_sweep_all(sl_tracker *t, int64_t now)
{
    sl_tab *tabs[] = {&t->txn, &t->req, &t->dlg, &t->pend};
    for (size_t k = 0; k < 4; k++) {
        sl_tab *tb = tabs[k];
        tb->cursor = 0;
        /* twice round: a deletion near the end can move a wrapped entry back across the end */
        tab_sweep(tb, now, 2 * tb->cap + tb->used);
        tb->cursor = 0;
    }
}

/* ---- observing messages ---------------------------------------------------------------------- */

/* How long a dialog is remembered after its last message. Real dialogs outlive transactions by
 * far; an INVITE dialog quiet for longer than this is looked at as if the capture had started
 * after it (the rules that need a dialog then stay quiet or drop to a warning). */
#define DIALOG_IDLE_NS (1800LL * 1000000000LL)

/* Methods are case-sensitive (RFC 3261 §7.1): by length, then the bytes. */
uint8_t sl_trk_method_of(sl_span m)
{
#define IS(lit) (memcmp(m.p, lit, sizeof lit - 1) == 0)
    switch (m.len) {
    case 3:
        return IS("ACK") ? SL_TM_ACK : IS("BYE") ? SL_TM_BYE : SL_TM_OTHER;
    case 5:
        return IS("REFER") ? SL_TM_REFER : SL_TM_OTHER;
    case 6:
        return IS("INVITE") ? SL_TM_INVITE : IS("CANCEL") ? SL_TM_CANCEL
             : IS("NOTIFY") ? SL_TM_NOTIFY : SL_TM_OTHER;
    case 7:
        return IS("MESSAGE") ? SL_TM_MESSAGE : SL_TM_OTHER;
    case 8:
        return IS("REGISTER") ? SL_TM_REGISTER : SL_TM_OTHER;
    case 9:
        return IS("SUBSCRIBE") ? SL_TM_SUBSCRIBE : SL_TM_OTHER;
    default:
        return SL_TM_OTHER;
    }
#undef IS
}

int64_t sl_trk_e_reset(const sl_tracker *t)
{
    int64_t at = 0, iv = t->t1_ns;
    while (iv < t->t2_ns && iv > 0) {
        at += iv;
        iv *= 2;
    }
    return at;
}

uint32_t sl_trk_path_hash(sl_span elem)
{
    uint64_t h = SL_TRK_SEED;
    for (size_t i = 0; i < elem.len; i++) {
        unsigned char ch = (unsigned char)elem.p[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch + 32);
        h ^= ch;
        h *= 0x100000001b3ULL;
    }
    return sl_trk_h32(h);
}

/* (src, dst) of the message, or (dst, src) with reverse: the link a message travelled. */
uint32_t sl_trk_addr_h(const sl_meta *meta, int reverse)
{
    size_t n = meta->af == 6 ? 16 : 4;
    const uint8_t *a = reverse ? meta->dst : meta->src, *b = reverse ? meta->src : meta->dst;
    uint16_t pa = reverse ? meta->dport : meta->sport, pb = reverse ? meta->sport : meta->dport;
    uint64_t h = trk_mix(SL_TRK_SEED, meta->af);
    h = trk_hash(h, a, n);
    h = trk_mix(h, pa);
    h = trk_hash(h, b, n);
    return sl_trk_h32(trk_mix(h, pb));
}

/* RFC 3261 §17.1.3 / §17.2.3: branch + sent-by + method (and Call-ID) when the branch has the
 * magic cookie; otherwise the RFC 2543 fallback (Call-ID, From tag, CSeq, top Via). Everything
 * but the method, which txn_key adds: an ACK looks up two methods with one prefix. */
static uint64_t txn_prefix(const sl_ctx *c, const sl_trk_view *v)
{
    const sl_via *via = v->via;
    uint64_t h;
    if (via->has_branch && via->branch.len > 7 && memcmp(via->branch.p, "z9hG4bK", 7) == 0) {
        /* Call-ID too: §17 needs only the branch, but scanners and broken stacks reuse one
         * branch for unrelated calls, and two calls are never one transaction */
        h = trk_mix(trk_mix(SL_TRK_SEED, 'T'), v->cid_h);
    } else {
        h = trk_mix(trk_mix(SL_TRK_SEED, '2'), v->cid_h);
        h = trk_mix(trk_mix(h, v->ftag_h), c->cseq.num);
    }
    h = trk_hash(h, via->branch.p, via->branch.len);
    h = trk_hash_lc(h, via->host.p, via->host.len);
    return trk_mix(h, (uint16_t)via->port);
}

static inline uint64_t txn_key(uint64_t prefix, const char *method, size_t mlen)
{
    uint64_t h = trk_hash(prefix, method, mlen);
    return h ? h : 1;
}

/* sl_trk_uri_hash(SL_TRK_SEED, uri), remembered by the URI's bytes: an out-of-dialog MESSAGE
 * hashes its From URI and Request-URI, which repeat from message to message, and a look-up (a
 * plain hash of the bytes and a compare) costs a fifth of the normalising hash. Direct-mapped;
 * longer URIs are hashed every time. */
static uint64_t uri_h(sl_tracker *t, sl_span uri)
{
    if (uri.len == 0 || uri.len > SL_TRK_URI_KEY)
        return sl_trk_uri_hash(SL_TRK_SEED, uri);
    const uint64_t k = 0xff51afd7ed558ccdULL;
    uint64_t tag = 0x9e3779b97f4a7c15ULL ^ uri.len, w;
    if (uri.len < 8) {
        w = 0;
        for (size_t i = 0; i < uri.len; i++)
            w = w << 8 | (unsigned char)uri.p[i];
        tag = (tag ^ w) * k;
    } else {
        /* eight bytes a round, the last round on the last eight (overlapping) */
        for (size_t i = 0; i + 8 < uri.len; i += 8) {
            memcpy(&w, uri.p + i, 8);
            tag = (tag ^ w) * k;
        }
        memcpy(&w, uri.p + uri.len - 8, 8);
        tag = (tag ^ w) * k;
    }
    tag ^= tag >> 29;
    sl_trk_urimemo *s = &t->uri_memo[(tag >> 58) % SL_TRK_URI_SLOTS];
    /* an empty slot has len 0, which no URI here has */
    if (s->tag == tag && s->len == uri.len && memcmp(s->key, uri.p, uri.len) == 0)
        return s->h;
    uint64_t h = sl_trk_uri_hash(SL_TRK_SEED, uri);
    s->tag = tag;
    s->h = h;
    s->len = uri.len;
    memcpy(s->key, uri.p, uri.len);
    return h;
}

/* The From URI as §19.1.4 compares it (SIP-RESP-ECHO, MSG-OVERLAP-OOD), hashed once. */
static uint64_t from_uri_h(sl_trk_view *v)
{
    if (!(v->lazy & SL_TV_FURI)) {
        v->furi_h = uri_h(v->trk, v->from_uri);
        v->lazy |= SL_TV_FURI;
    }
    return v->furi_h;
}

uint32_t sl_trk_totag_h(sl_trk_view *v)
{
    if (!(v->lazy & SL_TV_TOTAG)) {
        v->totag_h = sl_trk_h32(trk_hash(SL_TRK_SEED, v->to_tag.p, v->to_tag.len));
        v->lazy |= SL_TV_TOTAG;
    }
    return v->totag_h;
}

uint32_t sl_trk_from_h(sl_trk_view *v)
{
    return sl_trk_h32(trk_mix(from_uri_h(v), v->ftag_h));
}

void sl_trk_echo(sl_ctx *c, sl_trk_view *v)
{
    if (v->lazy & SL_TV_ECHO)
        return;
    v->lazy |= SL_TV_ECHO;

    /* the whole Via stack, as SIP-RESP-ECHO compares it: transport, sent-by, branch of each
     * element (received/rport are added by the next hop, RFC 3261 §18.2.1, §RFC 3581). The top
     * element was read by sl_trk_observe; of it only the transport counts here: its branch,
     * sent-by host and port are in the transaction key (txn_prefix), so a response that found
     * its request's transaction has the same ones. */
    const sl_msg *m = c->m;
    uint64_t vs = SL_TRK_SEED;
    unsigned nv = 0;
    int top = 1;
    for (const sl_header *h = v->via_hdr; h; h = m->count[SL_H_VIA] > 1 ? sl_msg_hdr_next(m, h) : NULL) {
        size_t pos = 0, at;
        sl_span el;
        const char *what;
        for (;;) {
            sl_via xv;
            const sl_via *x = NULL;
            if (top) {
                el = v->via_el;
                pos = v->via_pos;
                top = 0;
                if (el.len)
                    x = v->via;
            } else if (!sl_list_next(h->value, &pos, &el)) {
                break;
            } else if (el.len && sl_ctx_via(c, el, &xv, &what, &at) == 0) {
                x = &xv;
            }
            if (x == v->via) {
                vs = trk_hash_lc(vs, x->transport.p, x->transport.len);
            } else if (x) {
                vs = trk_hash_lc(vs, x->transport.p, x->transport.len);
                vs = trk_hash_lc(vs, x->host.p, x->host.len);
                vs = trk_mix(vs, (uint16_t)x->port);
                vs = trk_hash(vs, x->branch.p, x->branch.len);
            } else {
                vs = trk_hash_lc(vs, el.p, el.len);
            }
            nv++;
        }
    }
    v->via_h = sl_trk_h32(vs);
    v->n_via = (uint8_t)(nv > 255 ? 255 : nv);
}

static uint64_t dialog_key(const sl_trk_view *v)
{
    uint64_t a = v->ftag_h, b = trk_hash(SL_TRK_SEED, v->to_tag.p, v->to_tag.len);
    uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t h = trk_mix(trk_mix(SL_TRK_SEED, 'D'), v->cid_h);
    h = trk_mix(trk_mix(h, lo), hi);
    return h ? h : 1;
}

/* sl_span_trim without the call for a value that needs none: every byte it trims (SP, HTAB,
 * CR, LF) is at most ' ', and a value the parser hands over rarely starts or ends with one. */
static inline sl_span trim(sl_span v)
{
    if (v.len && (unsigned char)v.p[0] > ' ' && (unsigned char)v.p[v.len - 1] > ' ')
        return v;
    return sl_span_trim(v);
}

/* Parse the first row of From or To (NULL: no row, or it does not parse); *value is its trimmed
 * value (len 0 without the row). The result is left for sl_ctx_addr_row (slot k) when it is
 * what sl_ctx_addr_ref of the untrimmed row returns: the row needed no trim, and the result is
 * the memo's (valid for the message), not *spare. */
static const sl_addr *read_addr(sl_ctx *c, sl_hdr_id id, unsigned k, sl_addr *spare,
                                sl_span *value)
{
    const sl_header *h = sl_msg_hdr(c->m, id);
    if (!h) {
        *value = (sl_span){NULL, 0};
        return NULL;
    }
    *value = trim(h->value);
    const sl_addr *a = sl_ctx_addr_ref(c, *value, spare);
    if (a && a != spare && value->p == h->value.p && value->len == h->value.len) {
        c->addr_hdr[k] = h;
        c->addr_a[k] = a;
    }
    return a;
}

void sl_trk_observe(sl_tracker *t, sl_ctx *c, sl_trk_view *v)
{
    const sl_msg *m = c->m;
    const sl_meta *meta = c->meta;
    /* Only what the rules read before testing ok, and what the lazy parts test: the view is
     * filled field by field below rather than cleared as a whole. */
    v->ok = 0;
    v->trk = t;
    v->lazy = 0;
    v->now = sl_meta_ns(meta);
    if (!c->cseq_ok || c->cseq.overflow || c->call_id.len == 0 || (!m->is_request && !m->status))
        return;
    const sl_header *vh = sl_msg_hdr(m, SL_H_VIA);
    if (!vh)
        return;
    size_t pos = 0;
    sl_span el;
    if (vh->value.len == 0)
        return; /* no element (sl_list_next says the same) */
    int only = !memchr(vh->value.p, ',', vh->value.len);
    if (only) {
        /* one element: what sl_list_next returns for a row without a comma (its scan for
         * quotes and brackets only matters when there is a comma to hide), for a tenth of
         * the cost */
        el = trim(vh->value);
        pos = vh->value.len + 1;
        if (el.len == 0)
            return;
    } else if (!sl_list_next(vh->value, &pos, &el)) {
        return;
    }
    if (!(v->via = sl_ctx_via_ref(c, el, &v->via_spare)))
        return;
    c->via1_hdr = vh;
    c->via1 = v->via;
    c->via1_only = only;
    v->via_off = vh->offset;
    v->via_hdr = vh;
    v->via_el = el;
    v->via_pos = pos;

    sl_addr spare;
    const sl_addr *a;
    sl_span raw;
    v->from_uri = v->from_tag = v->to_tag = (sl_span){NULL, 0};
    v->has_from_tag = v->has_to_tag = 0;
    if ((a = read_addr(c, SL_H_FROM, 0, &spare, &raw)) != NULL) {
        v->from_uri = a->uri;
        v->from_tag = a->tag;
        v->has_from_tag = a->has_tag && a->tag.len;
    }
    /* what From says depends on these bytes alone (0 without a From row) */
    v->from_raw = raw.p ? sl_trk_h32(trk_hash(SL_TRK_SEED, raw.p, raw.len)) : 0;
    if ((a = read_addr(c, SL_H_TO, 1, &spare, &raw)) != NULL) {
        v->to_tag = a->tag;
        v->has_to_tag = a->has_tag && a->tag.len;
    }
    /* each field hashed once, the keys built from the hashes */
    v->cid_h = trk_hash(SL_TRK_SEED, c->call_id.p, c->call_id.len);
    v->ftag_h = trk_hash(SL_TRK_SEED, v->from_tag.p, v->from_tag.len);
    v->callid_h = sl_trk_h32(v->cid_h);

    sl_span method = m->is_request ? m->method : c->cseq.method;
    v->method = sl_trk_method_of(method);
    /* Every key, and their slots asked for; the lookups are sl_trk_lookup's, after the rules
     * that do not read the tracker: the misses overlap one another and that work. */
    uint64_t pre = txn_prefix(c, v);
    if (v->method == SL_TM_ACK)
        v->txn_key = txn_key(pre, "INVITE", 6); /* §17.2.3: the ACK matches its INVITE */
    else
        v->txn_key = txn_key(pre, method.p, method.len);
    tab_prefetch(&t->txn, v->txn_key);

    uint64_t rk = trk_mix(trk_mix(SL_TRK_SEED, 'R'), v->cid_h);
    rk = trk_mix(trk_mix(rk, v->ftag_h), c->cseq.num);
    v->req_key = rk ? rk : 1;
    tab_prefetch(&t->req, v->req_key);

    v->dlg_key = 0;
    if (v->has_from_tag && v->has_to_tag) {
        v->dlg_key = dialog_key(v);
        tab_prefetch(&t->dlg, v->dlg_key);
    }

    v->pend_key = 0;
    if (m->is_request && v->method == SL_TM_MESSAGE && !v->has_to_tag) {
        uint64_t pk = trk_mix(trk_mix(SL_TRK_SEED, 'P'), meta->af);
        pk = trk_hash(pk, meta->src, meta->af == 6 ? 16 : 4);
        pk = trk_mix(pk, from_uri_h(v));
        pk = trk_mix(pk, uri_h(t, m->ruri));
        v->pend_key = pk ? pk : 1;
        tab_prefetch(&t->pend, v->pend_key);
    }
    v->ack_key = 0;
    if (m->is_request && v->method == SL_TM_ACK) {
        v->ack_key = txn_key(pre, "MESSAGE", 7);
        tab_prefetch(&t->txn, v->ack_key);
    }
    v->ok = 1;
}

void sl_trk_lookup(sl_tracker *t, sl_trk_view *v)
{
    if (!v->ok)
        return;
    v->txn = tab_find(&t->txn, v->txn_key, v->now);
    v->req = tab_find(&t->req, v->req_key, v->now);
    v->dlg = v->dlg_key ? tab_find(&t->dlg, v->dlg_key, v->now) : NULL;

    v->pending = NULL;
    v->pending_frame = 0;
    if (v->pend_key) {
        sl_pendrec *p = tab_find(&t->pend, v->pend_key, v->now);
        if (p && p->txn_key != v->txn_key) {
            sl_txn *x = tab_find(&t->txn, p->txn_key, v->now);
            /* pending = no final response yet and Timer F (64*T1 from the first send) running */
            if (x && !(x->flags & SL_TX_FINAL) && v->now >= x->t_first &&
                v->now - x->t_first < 64 * t->t1_ns) {
                v->pending = x;
                v->pending_frame = p->frame;
            }
        }
    }
    v->ack_message = NULL;
    if (v->ack_key) {
        sl_txn *x = tab_find(&t->txn, v->ack_key, v->now);
        if (x && x->method == SL_TM_MESSAGE && (x->flags & SL_TX_REQ_SEEN))
            v->ack_message = x;
    }
}

/* Option tags of Require and Proxy-Require, for SIP-420-UNSUPPORTED. */
static void record_tags(sl_txn *x, const sl_msg *m)
{
    static const sl_hdr_id ids[] = {SL_H_REQUIRE, SL_H_PROXY_REQUIRE};
    for (size_t k = 0; k < 2; k++)
        for (const sl_header *h = sl_msg_hdr(m, ids[k]); h; h = sl_msg_hdr_next(m, h)) {
            size_t pos = 0;
            sl_span el;
            while (sl_list_next(h->value, &pos, &el)) {
                if (!el.len)
                    continue;
                if (x->n_tags >= SL_TX_TAGS) {
                    x->n_tags = 255; /* too many to remember: SIP-420-UNSUPPORTED won't judge */
                    return;
                }
                x->tags[x->n_tags++] = sl_trk_h32(sl_trk_hash_lc(SL_TRK_SEED, el.p, el.len));
            }
        }
}

static void record_path(sl_txn *x, const sl_msg *m)
{
    unsigned n = 0;
    for (const sl_header *h = sl_msg_hdr(m, SL_H_PATH); h; h = sl_msg_hdr_next(m, h)) {
        size_t pos = 0;
        sl_span el;
        while (sl_list_next(h->value, &pos, &el)) {
            if (n >= SL_TX_PATHS) {
                memmove(x->path, x->path + 1, (SL_TX_PATHS - 1) * sizeof x->path[0]);
                x->path[SL_TX_PATHS - 1] = sl_trk_path_hash(el);
                x->flags |= SL_TX_PATH_MORE;
            } else {
                x->path[n] = sl_trk_path_hash(el);
            }
            n++;
        }
    }
    x->n_path = (uint8_t)(n > 255 ? 255 : n);
    if (n)
        x->flags |= SL_TX_REQ_PATH;
}

/* MSG-DATE-STALE: a signed MESSAGE dated more than date_stale_s from the capture time. */
static void mark_stale(sl_txn *x, const sl_ctx *c, int64_t now)
{
    const sl_header *d = sl_msg_hdr(c->m, SL_H_DATE);
    time_t when;
    const char *what;
    if (!d || sl_date_parse(d->value, &when, &what) != 0 || !sl_msg_signed(c->m))
        return;
    int64_t skew = now / 1000000000LL - (int64_t)when;
    int64_t limit = c->cfg->date_stale_s ? c->cfg->date_stale_s : 300;
    if (skew > limit || skew < -limit) {
        x->flags |= SL_TX_STALE;
        x->t_stale_date = (int64_t)when;
    }
}

void sl_trk_commit(sl_tracker *t, sl_ctx *c, sl_trk_view *v)
{
    if (!v->ok)
        return;
    const sl_msg *m = c->m;
    const sl_meta *meta = c->meta;
    int64_t now = v->now, life = 64 * t->t1_ns;
    if (life < t->t4_ns)
        life = t->t4_ns;
    int fresh;

    if (m->is_request) {
        if (v->method == SL_TM_ACK) {
            /* an ACK is no transaction of its own (§17.1.1.3, §17.2.3) */
            if (v->txn && v->txn->h.expire < now + life)
                v->txn->h.expire = now + life;
            if (v->dlg && (v->dlg->flags & SL_DG_REAL))
                v->dlg->h.expire = now + DIALOG_IDLE_NS;
            return;
        }
        sl_txn *x = sl_trk_upsert(t, &t->txn, v->txn_key, now, &fresh);
        int new_txn = fresh || (x && !(x->flags & SL_TX_REQ_SEEN));
        if (x) {
            if (!(x->flags & SL_TX_REQ_SEEN)) {
                x->flags |= SL_TX_REQ_SEEN;
                x->t_first = now;
                x->req_frame = meta->frame_last;
                x->cseq = c->cseq.num;
                x->method = v->method;
                sl_trk_echo(c, v);
                x->from_h = sl_trk_from_h(v);
                x->from_raw = v->from_raw;
                x->callid_h = v->callid_h;
                x->via_h = v->via_h;
                x->n_via = v->n_via;
                x->req_addr = sl_trk_addr_h(meta, 0);
                if (v->has_to_tag)
                    x->flags |= SL_TX_REQ_TOTAG;
                if (meta->transport != SL_TP_UDP)
                    x->flags |= SL_TX_RELIABLE;
                record_tags(x, m);
                if (v->method == SL_TM_REGISTER) {
                    record_path(x, m);
                    if (sl_msg_has_option(m, SL_H_SUPPORTED, "path"))
                        x->flags |= SL_TX_SUP_PATH;
                }
                if (v->method == SL_TM_MESSAGE && !v->has_to_tag)
                    x->flags |= SL_TX_OOD_MESSAGE;
                if (v->method == SL_TM_MESSAGE)
                    mark_stale(x, c, now);
                if (m->body.len > 0)
                    x->flags |= SL_TX_REQ_BODY;
            }
            if (x->h.expire < now + life)
                x->h.expire = now + life;
        }
        sl_reqrec *r = sl_trk_upsert(t, &t->req, v->req_key, now, &fresh);
        if (r) {
            if (v->method == SL_TM_INVITE)
                r->flags |= SL_RQ_INVITE;
            if (v->method == SL_TM_MESSAGE) {
                if (!(r->flags & SL_RQ_MESSAGE))
                    r->message_frame = meta->frame_last;
                r->flags |= SL_RQ_MESSAGE;
                if (!v->has_to_tag)
                    r->flags |= SL_RQ_MESSAGE_OOD;
            }
            if (r->h.expire < now + life)
                r->h.expire = now + life;
        }
        if (v->pend_key && new_txn) {
            /* a new out-of-dialog MESSAGE (not a retransmission): if an earlier one to the same
             * URI is still pending, remember the collision on the earlier transaction; it is
             * proven once that transaction's final response shows it really was pending */
            if (v->pending && !v->pending->overlap_frame) {
                v->pending->overlap_frame = meta->frame_last;
                v->pending->overlap_t = now;
            }
            sl_pendrec *p = sl_trk_upsert(t, &t->pend, v->pend_key, now, &fresh);
            if (p) {
                p->txn_key = v->txn_key;
                p->frame = meta->frame_last;
                p->h.expire = now + 64 * t->t1_ns; /* Timer F */
            }
        }
        if (v->dlg_key) {
            if (v->method == SL_TM_NOTIFY) {
                /* a NOTIFY creates the subscriber's dialog (RFC 6665 §4.1.2.4) */
                sl_dlgrec *d = sl_trk_upsert(t, &t->dlg, v->dlg_key, now, &fresh);
                if (d) {
                    if (fresh)
                        d->frame = meta->frame_last;
                    d->flags |= SL_DG_REAL;
                }
            }
            sl_dlgrec *d = sl_tab_find(&t->dlg, v->dlg_key, now);
            if (d && (d->flags & SL_DG_REAL))
                d->h.expire = now + DIALOG_IDLE_NS;
        }
        return;
    }

    /* responses */
    sl_txn *x = v->txn ? v->txn : sl_trk_upsert(t, &t->txn, v->txn_key, now, &fresh);
    if (x) {
        if (!(x->flags & SL_TX_REQ_SEEN)) {
            x->method = v->method;
            x->cseq = c->cseq.num;
        }
        unsigned st = m->status;
        if (st > 100 && !(x->flags & SL_TX_RESP_TAG) && v->has_to_tag) {
            x->resp_totag = sl_trk_totag_h(v);
            x->flags |= SL_TX_RESP_TAG;
        }
        if (st >= 200 && !(x->flags & SL_TX_FINAL)) {
            x->flags |= SL_TX_FINAL;
            x->final_status = (uint16_t)st;
            x->final_frame = meta->frame_last;
            x->final_totag = sl_trk_totag_h(v);
        }
        if (x->h.expire < now + life)
            x->h.expire = now + life;
    }
    if (v->req && v->req->h.expire < now + life)
        v->req->h.expire = now + life;
    if (v->dlg_key) {
        unsigned st = m->status;
        int real = (v->method == SL_TM_INVITE && st > 100 && st < 300) ||
                   ((v->method == SL_TM_SUBSCRIBE || v->method == SL_TM_REFER) && st >= 200 && st < 300);
        int pseudo = v->method == SL_TM_MESSAGE && st >= 200 && st < 300 && x &&
                     (x->flags & SL_TX_REQ_SEEN) && !(x->flags & SL_TX_REQ_TOTAG);
        if (real) {
            sl_dlgrec *d = sl_trk_upsert(t, &t->dlg, v->dlg_key, now, &fresh);
            if (d) {
                if (fresh)
                    d->frame = meta->frame_last;
                d->flags |= SL_DG_REAL;
                d->h.expire = now + DIALOG_IDLE_NS;
            }
        } else if (pseudo) {
            /* remembered for Timer F's span: a client that takes the MESSAGE's tags for a
             * dialog uses them in its next request, which follows within seconds */
            sl_dlgrec *d = sl_trk_upsert_soft(t, &t->dlg, v->dlg_key, now, &fresh);
            if (d) {
                if (fresh)
                    d->frame = meta->frame_last;
                d->flags |= SL_DG_MESSAGE;
                if (d->h.expire < now + 64 * t->t1_ns)
                    d->h.expire = now + 64 * t->t1_ns;
            }
        } else if (v->dlg && (v->dlg->flags & SL_DG_REAL)) {
            v->dlg->h.expire = now + DIALOG_IDLE_NS;
        }
    }
}
