/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SIP over SCTP (RFC 4168): DATA chunks (RFC 9260 §3.3.1), one user message = one SIP message. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

/*
 * Every DATA chunk of a packet is looked at. A chunk with both B and E set is a whole user
 * message and is handed out where it lies (zero copy). Fragments are kept per association
 * direction (addresses, ports and verification tag: a new association has a new tag) and put
 * together when a run of consecutive TSNs from a B fragment to an E fragment on one stream is
 * complete (RFC 9260 §6.9: the fragments of a message take consecutive TSNs). Retransmitted
 * chunks are recognised by their TSN and dropped. Fragments that never complete are reported
 * as CAP-FRAG-INCOMPLETE when a bound forces them out or at the end of the capture. Every user
 * message is handed to the engine, whatever its PPID (RFC 4168 assigns none); the engine
 * recognises SIP by its start line. I-DATA (RFC 8260) is not decoded.
 */

enum {
    SCTP_MAX_ASSOC = 256,        /* association directions tracked (least recently used goes) */
    SCTP_MAX_FRAGS = 256,        /* fragments held per direction */
    SCTP_MAX_BYTES = 256 * 1024, /* fragment bytes held per direction */
    SCTP_WINDOW = 1024,          /* TSNs remembered for duplicate detection */
    SCTP_IDLE_SEC = 600
};

typedef struct frag {
    uint32_t tsn;
    uint16_t sid;
    uint8_t flags;
    uint32_t len;
    uint64_t frame;
    struct frag *next;
    uint8_t data[];
} frag;

typedef struct assoc {
    uint8_t af;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t vtag;
    int tsn_ok;
    uint32_t hi;                        /* highest TSN seen */
    uint64_t seen[SCTP_WINDOW / 64];    /* bit i: TSN hi - i seen */
    frag *frags;                        /* sorted by TSN */
    size_t nfrags, bytes;
    uint64_t last_frame;
    int64_t last_sec;
    uint32_t last_nsec;
    struct assoc *next;
} assoc;

typedef struct obuf {
    struct obuf *next;
    uint8_t data[];
} obuf;

struct sl_sctp {
    assoc *list; /* most recently used first */
    size_t n;
    obuf *out;   /* reassembled messages handed out in the last call */
};

sl_sctp *sl_sctp_new(void)
{
    return calloc(1, sizeof(sl_sctp));
}

static void free_out(sl_sctp *s)
{
    for (obuf *o = s->out, *n; o; o = n) {
        n = o->next;
        free(o);
    }
    s->out = NULL;
}

static void frags_free(assoc *a)
{
    for (frag *f = a->frags, *n; f; f = n) {
        n = f->next;
        free(f);
    }
    a->frags = NULL;
    a->nfrags = a->bytes = 0;
}

void sl_sctp_free(sl_sctp *s)
{
    if (s == NULL)
        return;
    for (assoc *a = s->list, *n; a; a = n) {
        n = a->next;
        frags_free(a);
        free(a);
    }
    free_out(s);
    free(s);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void assoc_meta(const assoc *a, sl_meta *m)
{
    memset(m, 0, sizeof *m);
    m->frame_first = m->frame_last = a->last_frame;
    m->ts_sec = a->last_sec;
    m->ts_nsec = a->last_nsec;
    m->transport = SL_TP_SCTP;
    m->af = a->af;
    memcpy(m->src, a->src, 16);
    memcpy(m->dst, a->dst, 16);
    m->sport = a->sport;
    m->dport = a->dport;
}

/* Report and drop what is held (a bound, expiry, the end). */
static void incomplete(assoc *a, sl_outq *q, const char *why)
{
    if (a->nfrags) {
        sl_meta m;
        assoc_meta(a, &m);
        sl_outq_event(q, SL_R_CAP_FRAG_INCOMPLETE, &m,
                      "SCTP port %u -> %u: %zu fragments of a user message (TSN %u and on) never "
                      "completed (%s); not linted", (unsigned)a->sport, (unsigned)a->dport,
                      a->nfrags, (unsigned)a->frags->tsn, why);
    }
    frags_free(a);
}

/* 1 if tsn was seen already; otherwise remember it and return 0. */
static int dup_tsn(assoc *a, uint32_t tsn)
{
    if (!a->tsn_ok) {
        a->tsn_ok = 1;
        a->hi = tsn;
        memset(a->seen, 0, sizeof a->seen);
        a->seen[0] = 1;
        return 0;
    }
    int32_t d = (int32_t)(tsn - a->hi);
    if (d > 0) {
        /* shift the window up by d */
        if ((uint32_t)d >= SCTP_WINDOW) {
            memset(a->seen, 0, sizeof a->seen);
        } else {
            size_t words = (size_t)d / 64, bits = (size_t)d % 64;
            for (size_t i = SCTP_WINDOW / 64; i-- > 0;) {
                uint64_t v = i >= words ? a->seen[i - words] << bits : 0;
                if (bits && i >= words + 1)
                    v |= a->seen[i - words - 1] >> (64 - bits);
                a->seen[i] = v;
            }
        }
        a->hi = tsn;
        a->seen[0] |= 1;
        return 0;
    }
    uint32_t back = (uint32_t)-d;
    if (back >= SCTP_WINDOW)
        return 1; /* too old to tell: take it for a retransmission */
    uint64_t bit = 1ULL << (back % 64);
    if (a->seen[back / 64] & bit)
        return 1;
    a->seen[back / 64] |= bit;
    return 0;
}

static assoc *assoc_get(sl_sctp *s, const sl_meta *m, uint16_t sp, uint16_t dp, uint32_t vtag,
                        sl_outq *q)
{
    size_t al = m->af == 4 ? 4 : 16;
    assoc **pp = &s->list;
    for (assoc *a = s->list; a; pp = &a->next, a = a->next) {
        if (a->vtag == vtag && a->sport == sp && a->dport == dp && a->af == m->af &&
            memcmp(a->src, m->src, al) == 0 && memcmp(a->dst, m->dst, al) == 0) {
            *pp = a->next; /* move to the front */
            a->next = s->list;
            s->list = a;
            return a;
        }
    }
    /* expire idle ones and keep the count bounded */
    pp = &s->list;
    size_t i = 0;
    for (assoc *a = s->list; a;) {
        i++;
        if (i >= SCTP_MAX_ASSOC || a->last_sec + SCTP_IDLE_SEC < m->ts_sec) {
            incomplete(a, q, i >= SCTP_MAX_ASSOC ? "too many associations" : "the association "
                                                                             "fell silent");
            *pp = a->next;
            free(a);
            s->n--;
            a = *pp;
            continue;
        }
        pp = &a->next;
        a = a->next;
    }
    assoc *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->af = m->af;
    memcpy(a->src, m->src, al);
    memcpy(a->dst, m->dst, al);
    a->sport = sp;
    a->dport = dp;
    a->vtag = vtag;
    a->next = s->list;
    s->list = a;
    s->n++;
    return a;
}

static void push(sl_outq *q, const sl_meta *base, const assoc *a, const void *p, size_t n,
                 uint64_t frame_first, unsigned flags)
{
    sl_meta m = *base;
    m.transport = SL_TP_SCTP;
    m.sport = a->sport;
    m.dport = a->dport;
    m.frame_first = frame_first;
    m.flags = (m.flags & ~(unsigned)SL_META_TRUNCATED) | flags;
    sl_outq_message(q, p, n, &m);
}

/* Hand out every complete B..E run among the held fragments. */
static void assemble(sl_sctp *s, assoc *a, const sl_meta *meta, sl_outq *q)
{
    frag **pp = &a->frags;
    while (*pp) {
        frag *b = *pp;
        if (!(b->flags & 2)) {
            pp = &b->next;
            continue;
        }
        size_t total = b->len, nf = 1;
        frag *e = b;
        int ok = 0;
        uint64_t frames_differ = 0;
        while (!(e->flags & 1)) {
            frag *n = e->next;
            if (n == NULL || n->tsn != e->tsn + 1 || n->sid != b->sid || (n->flags & 2))
                break;
            e = n;
            total += e->len;
            nf++;
            frames_differ |= e->frame != b->frame;
        }
        ok = (e->flags & 1) != 0;
        if (!ok) {
            pp = &b->next;
            continue;
        }
        obuf *o = malloc(sizeof *o + (total ? total : 1));
        if (o == NULL)
            return;
        o->next = s->out;
        s->out = o;
        size_t k = 0;
        uint64_t first = b->frame;
        int re = frames_differ || b->frame != meta->frame_first;
        frag *f = b;
        for (size_t i = 0; i < nf; i++) {
            frag *n = f->next;
            memcpy(o->data + k, f->data, f->len);
            k += f->len;
            a->bytes -= f->len;
            a->nfrags--;
            free(f);
            f = n;
        }
        *pp = f;
        push(q, meta, a, o->data, total, first, re ? SL_META_REASSEMBLED : 0);
    }
}

static void hold(sl_sctp *s, assoc *a, uint32_t tsn, uint16_t sid, uint8_t flags, const uint8_t *p,
                 size_t n, const sl_meta *meta, sl_outq *q)
{
    if (a->nfrags >= SCTP_MAX_FRAGS || a->bytes + n > SCTP_MAX_BYTES)
        incomplete(a, q, "too many fragments held");
    if (n > SCTP_MAX_BYTES)
        return;
    frag *f = malloc(sizeof *f + (n ? n : 1));
    if (f == NULL)
        return;
    f->tsn = tsn;
    f->sid = sid;
    f->flags = flags;
    f->len = (uint32_t)n;
    f->frame = meta->frame_first;
    memcpy(f->data, p, n);
    frag **pp = &a->frags;
    while (*pp && (int32_t)((*pp)->tsn - tsn) < 0)
        pp = &(*pp)->next;
    f->next = *pp;
    *pp = f;
    a->nfrags++;
    a->bytes += n;
    assemble(s, a, meta, q);
}

void sl_sctp_feed(sl_sctp *s, const sl_ip_pkt *ip, const sl_meta *meta, int cut, sl_outq *q)
{
    free_out(s); /* what the last call handed out is no longer needed */
    const uint8_t *p = ip->payload;
    size_t avail = ip->payload_avail < ip->payload_len ? ip->payload_avail : ip->payload_len;
    size_t wire = ip->payload_len;
    (void)cut;
    if (avail < 12 || (ip->af != 4 && ip->af != 6))
        return;
    uint16_t sp = rd16(p), dp = rd16(p + 2);
    uint32_t vtag = rd32(p + 4);
    assoc *a = NULL;
    size_t off = 12;
    while (off + 4 <= wire) {
        if (off + 4 > avail)
            break; /* the capture cut the chunk header */
        uint8_t type = p[off], flags = p[off + 1];
        size_t cl = rd16(p + off + 2);
        if (cl < 4 || off + cl > wire)
            break; /* malformed: stop here */
        size_t have = off + cl <= avail ? cl : avail - off;
        if (type == 0 && cl >= 16 && have >= 16) {
            if (a == NULL) {
                a = assoc_get(s, meta, sp, dp, vtag, q);
                if (a == NULL)
                    return;
                a->last_frame = meta->frame_last;
                a->last_sec = meta->ts_sec;
                a->last_nsec = meta->ts_nsec;
            }
            uint32_t tsn = rd32(p + off + 4);
            uint16_t sid = rd16(p + off + 8);
            const uint8_t *d = p + off + 16;
            size_t dl = have - 16;
            int truncated = have < cl;
            if (!dup_tsn(a, tsn)) {
                if (truncated) {
                    /* the snap length cut the user message: the engine reports it */
                    if (flags & 2)
                        push(q, meta, a, d, dl, meta->frame_first, SL_META_TRUNCATED);
                } else if ((flags & 3) == 3) {
                    push(q, meta, a, d, dl, meta->frame_first, 0);
                } else {
                    hold(s, a, tsn, sid, flags & 3, d, dl, meta, q);
                }
            }
        }
        off += (cl + 3) & ~(size_t)3;
    }
}

void sl_sctp_finish(sl_sctp *s, sl_outq *q)
{
    if (s == NULL)
        return;
    free_out(s);
    for (assoc *a = s->list; a; a = a->next)
        incomplete(a, q, "the capture ends");
}
