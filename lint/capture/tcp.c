/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP stream reassembly for SIP (RFC 3261 §18.3), SIP over WebSocket (RFC 7118), TLS detection. */
#include "tcp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "siplint/sip.h"

/*
 * Model. A connection (4-tuple, either direction) holds two directions; each direction is a byte
 * stream with its own state:
 *   NEW    no payload yet: the first bytes decide (TLS record, HTTP WebSocket upgrade, else SIP)
 *   SIP    at a message boundary (or inside one): sl_frame_stream frames messages
 *   HUNT   looking for a SIP start line at the start of a line (after a gap, a capture that
 *          starts mid-stream, a message without a usable Content-Length, garbage)
 *   WS     RFC 6455 frames after a successful "sip" WebSocket upgrade
 *   IGNORE TLS, plain HTTP, a WebSocket of another subprotocol: nothing is buffered
 *   CLOSED after FIN or RST (until a new SYN reuses the ports)
 *
 * Bytes in order are framed where they lie: a message wholly inside one segment is handed out
 * as a pointer into the frame (zero copy). Only the unfinished tail of a segment, out-of-order
 * segments and WebSocket payloads (unmasked in place) are copied into per-direction buffers.
 * A "mark" per buffered segment remembers which frame carried which bytes, so a message gets
 * the frame of its first byte as frame_first.
 *
 * Gaps. Bytes are declared missing (CAP-TCP-GAP, once per gap, only on a stream that carried
 * SIP) when the peer acknowledges data the capture never showed while later data is waiting,
 * when out-of-order data exceeds its bounds, when a sequence number jumps absurdly far ahead, at
 * the end of the capture and when an idle stream expires. Nothing in a gap is guessed: the
 * partial message before it is dropped and the stream resynchronises at the next start line.
 *
 * Ends. FIN or RST in order with an unfinished SIP message buffered: the sender really closed
 * the connection inside the message, so it is linted as it stands (a short body gives
 * SIP-CL-MISMATCH). End of capture or idle expiry with an unfinished message: the capture
 * stopped, not the sender, so it is reported as CAP-TRUNCATED and not linted. A truncated last
 * message is not a gap.
 *
 * Content-Length. A message without one on a stream (SIP-CL-STREAM, reported by the engine)
 * or with an unusable one ends at the end of its header section; what follows up to the next
 * SIP start line (probably its body) is skipped silently, the engine's finding explains it.
 * Bytes that are not SIP where a message should start, on a stream that carried SIP, are
 * reported once as SIP-PARSE (a wrong Content-Length upstream desynchronised the stream).
 */

enum {
    TCP_BUCKETS = 8192,                    /* hash buckets (power of two) */
    TCP_MAX_CONNS = 4096,                  /* connections tracked; the least recently used goes */
    TCP_MAX_STREAM = 256 * 1024,           /* bytes buffered per direction (partial + out-of-order) */
    TCP_MAX_TOTAL = 8 * 1024 * 1024,       /* bytes buffered by all directions */
    TCP_MAX_OOO = 64,                      /* out-of-order segments per direction */
    TCP_IDLE_SEC = 600,                    /* capture time after which a silent connection goes */
    TCP_MAX_LINE = 8192,                   /* unfinished line kept while hunting */
    TCP_MAX_HTTP = 16384,                  /* HTTP upgrade header section */
    TCP_MAX_MARKS = 8192,                  /* segments buffered for one direction */
    TCP_JUMP = 1 << 24                     /* a sequence jump beyond this is not reordering */
};

typedef enum st_kind { ST_NEW, ST_SIP, ST_HUNT, ST_WS, ST_IGNORE, ST_CLOSED } st_kind;

typedef struct seg {
    uint32_t seq;
    uint32_t len;
    uint64_t frame;
    struct seg *next;
    uint8_t data[];
} seg;

typedef struct mark {
    size_t off;     /* buffer offset of the segment's first byte */
    uint64_t frame; /* the frame that carried it */
} mark;

typedef struct dir {
    st_kind st;
    uint8_t seq_ok;       /* next_seq is known */
    uint8_t fin;          /* FIN seen at fin_seq */
    uint8_t sip_seen;     /* carried SIP: gaps and desyncs are worth reporting */
    uint8_t quiet;        /* the current hunt has been explained already */
    uint8_t midstream;    /* first payload came without a SYN */
    uint8_t ws_frag;      /* a fragmented WebSocket message is being collected */
    uint8_t mid;          /* hunting from a point that may be inside a line */
    uint32_t next_seq;
    uint32_t fin_seq;
    uint8_t *buf;
    size_t len, cap, off; /* buf[off..len) not yet consumed */
    mark *marks;
    size_t nmarks, capmarks;
    seg *ooo;             /* sorted by seq */
    size_t nooo, ooo_bytes;
    size_t ws_off, ws_len; /* the fragmented message's payload so far, in buf */
    uint64_t ws_frame;
    uint64_t last_frame;
    int64_t last_sec;
    uint32_t last_nsec;
} dir;

typedef struct conn {
    uint8_t af;
    uint8_t addr[2][16]; /* addr[0]:port[0] -> addr[1]:port[1] is direction 0 */
    uint16_t port[2];
    uint8_t opaque;      /* CAP-OPAQUE reported */
    uint32_t hash;
    int64_t last_sec;
    struct conn *hnext, *prev, *next; /* hash chain; LRU list (head = most recent) */
    dir d[2];
} conn;

struct sl_tcp {
    conn *bucket[TCP_BUCKETS];
    conn *lru_head, *lru_tail;
    size_t nconns;
    size_t mem; /* buffered bytes, all directions */
};

/* ---- small helpers -------------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t key_hash(uint8_t af, const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
    /* symmetric: both directions hash alike */
    size_t al = af == 4 ? 4 : 16;
    uint32_t ha = 2166136261u, hb = 2166136261u;
    for (size_t i = 0; i < al; i++) {
        ha = (ha ^ a[i]) * 16777619u;
        hb = (hb ^ b[i]) * 16777619u;
    }
    ha = (ha ^ pa) * 16777619u;
    hb = (hb ^ pb) * 16777619u;
    uint32_t h = ha ^ hb ^ af;
    h ^= h >> 15;
    h *= 0x2c1b3c6dU;
    h ^= h >> 12;
    return h;
}

static void fmt_ep(char *out, size_t n, uint8_t af, const uint8_t *a, uint16_t port)
{
    char s[INET6_ADDRSTRLEN] = "?";
    inet_ntop(af == 4 ? AF_INET : AF_INET6, a, s, sizeof s);
    snprintf(out, n, af == 4 ? "%s:%u" : "[%s]:%u", s, (unsigned)port);
}

/* "A:p -> B:q" for direction di of c. */
static void fmt_flow(char *out, size_t n, const conn *c, int di)
{
    char a[64], b[64];
    fmt_ep(a, sizeof a, c->af, c->addr[di], c->port[di]);
    fmt_ep(b, sizeof b, c->af, c->addr[!di], c->port[!di]);
    snprintf(out, n, "%s -> %s", a, b);
}

/* The meta of an item for direction di, at the frame and time this direction last saw. */
static void dir_meta(const conn *c, int di, sl_meta *m, sl_transport tp)
{
    memset(m, 0, sizeof *m);
    m->frame_first = m->frame_last = c->d[di].last_frame;
    m->ts_sec = c->d[di].last_sec;
    m->ts_nsec = c->d[di].last_nsec;
    m->transport = tp;
    m->af = c->af;
    memcpy(m->src, c->addr[di], 16);
    memcpy(m->dst, c->addr[!di], 16);
    m->sport = c->port[di];
    m->dport = c->port[!di];
}

/* ---- buffers -------------------------------------------------------------------------------- */

static size_t dir_pending(const dir *d)
{
    return d->len - d->off;
}

static void buf_release(sl_tcp *t, dir *d)
{
    t->mem -= d->cap + d->capmarks * sizeof(mark);
    free(d->buf);
    free(d->marks);
    d->buf = NULL;
    d->marks = NULL;
    d->len = d->cap = d->off = 0;
    d->nmarks = d->capmarks = 0;
    d->ws_frag = 0;
    d->ws_off = d->ws_len = 0;
}

static void ooo_release(sl_tcp *t, dir *d)
{
    for (seg *s = d->ooo, *n; s; s = n) {
        n = s->next;
        free(s);
    }
    t->mem -= d->ooo_bytes;
    d->ooo = NULL;
    d->nooo = d->ooo_bytes = 0;
}

/* Drop everything buffered before the consumed point (or before the open WebSocket message).
 * Called only before appending, never after items pointing into the buffer were pushed in the
 * same call. */
static void buf_compact(sl_tcp *t, dir *d)
{
    size_t keep = d->ws_frag && d->ws_off < d->off ? d->ws_off : d->off;
    if (keep == 0)
        return;
    if (keep >= d->len) {
        d->len = d->off = 0;
        d->ws_off = 0;
        d->nmarks = 0;
        if (d->cap > 65536) { /* one big message must not pin its memory */
            t->mem -= d->cap + d->capmarks * sizeof(mark);
            free(d->buf);
            free(d->marks);
            d->buf = NULL;
            d->marks = NULL;
            d->cap = d->capmarks = 0;
        }
        return;
    }
    memmove(d->buf, d->buf + keep, d->len - keep);
    d->len -= keep;
    d->off -= keep;
    if (d->ws_frag)
        d->ws_off -= keep;
    /* keep the last mark at or before keep (it covers the first kept byte) and those after */
    size_t first = 0;
    while (first + 1 < d->nmarks && d->marks[first + 1].off <= keep)
        first++;
    size_t k = 0;
    for (size_t i = first; i < d->nmarks; i++, k++) {
        d->marks[k] = d->marks[i];
        d->marks[k].off = d->marks[k].off > keep ? d->marks[k].off - keep : 0;
    }
    d->nmarks = k;
}

/* Append bytes carried by frame. Returns 0, or -1 when a bound is hit (nothing appended). */
static int buf_append(sl_tcp *t, dir *d, const uint8_t *p, size_t n, uint64_t frame)
{
    if (n == 0)
        return 0;
    buf_compact(t, d);
    if (d->len + n > TCP_MAX_STREAM || d->nmarks >= TCP_MAX_MARKS)
        return -1;
    if (d->len + n > d->cap) {
        size_t cap = d->cap ? d->cap : 2048;
        while (cap < d->len + n)
            cap *= 2;
        uint8_t *nb = realloc(d->buf, cap);
        if (nb == NULL)
            return -1;
        t->mem += cap - d->cap;
        d->buf = nb;
        d->cap = cap;
    }
    if (d->nmarks == 0 || d->marks[d->nmarks - 1].frame != frame) {
        if (d->nmarks == d->capmarks) {
            size_t cm = d->capmarks ? d->capmarks * 2 : 16;
            mark *nm = realloc(d->marks, cm * sizeof *nm);
            if (nm == NULL)
                return -1;
            t->mem += (cm - d->capmarks) * sizeof *nm;
            d->marks = nm;
            d->capmarks = cm;
        }
        d->marks[d->nmarks].off = d->len;
        d->marks[d->nmarks].frame = frame;
        d->nmarks++;
    }
    memcpy(d->buf + d->len, p, n);
    d->len += n;
    return 0;
}

/* Index of the mark covering buffer offset pos. */
static size_t mark_at(const dir *d, size_t pos)
{
    size_t lo = 0, hi = d->nmarks;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->marks[mid].off <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---- connections ---------------------------------------------------------------------------- */

sl_tcp *sl_tcp_new(void)
{
    return calloc(1, sizeof(sl_tcp));
}

static void lru_unlink(sl_tcp *t, conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        t->lru_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        t->lru_tail = c->prev;
    c->prev = c->next = NULL;
}

static void lru_front(sl_tcp *t, conn *c)
{
    c->prev = NULL;
    c->next = t->lru_head;
    if (t->lru_head)
        t->lru_head->prev = c;
    t->lru_head = c;
    if (!t->lru_tail)
        t->lru_tail = c;
}

static void conn_free(sl_tcp *t, conn *c)
{
    conn **pp = &t->bucket[c->hash & (TCP_BUCKETS - 1)];
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = c->hnext;
    lru_unlink(t, c);
    for (int i = 0; i < 2; i++) {
        buf_release(t, &c->d[i]);
        ooo_release(t, &c->d[i]);
    }
    t->nconns--;
    free(c);
}

void sl_tcp_free(sl_tcp *t)
{
    if (t == NULL)
        return;
    while (t->lru_head)
        conn_free(t, t->lru_head);
    free(t);
}

static int pending_is_sip(const dir *d)
{
    if (d->st == ST_WS)
        return d->ws_frag || dir_pending(d) > 0;
    if (d->st != ST_SIP)
        return 0;
    size_t i = d->off;
    while (i < d->len && (d->buf[i] == '\r' || d->buf[i] == '\n'))
        i++;
    return i < d->len;
}

/* The direction ends without its remaining bytes: at the end of the capture, on idle expiry
 * or when a bound drops its state. why says which. */
static void dir_abandon(sl_tcp *t, conn *c, int di, sl_outq *q, int as_gap, const char *why)
{
    dir *d = &c->d[di];
    if (d->st == ST_CLOSED || d->st == ST_IGNORE) {
        buf_release(t, d);
        ooo_release(t, d);
        return;
    }
    char flow[160];
    sl_meta m;
    dir_meta(c, di, &m, d->st == ST_WS ? SL_TP_WS : SL_TP_TCP);
    int partial = pending_is_sip(d);
    if (d->ooo && (int32_t)(d->ooo->seq - d->next_seq) > 0 && (d->sip_seen || partial)) {
        fmt_flow(flow, sizeof flow, c, di);
        sl_outq_event(q, SL_R_CAP_TCP_GAP, &m,
                      "TCP stream %s: %u bytes are missing from the capture before sequence %u "
                      "(%s); the SIP data around them was not linted",
                      flow, (unsigned)(d->ooo->seq - d->next_seq), (unsigned)d->ooo->seq, why);
    } else if (partial && as_gap) {
        fmt_flow(flow, sizeof flow, c, di);
        sl_outq_event(q, SL_R_CAP_TCP_GAP, &m,
                      "TCP stream %s: %s; %zu buffered bytes of an unfinished SIP message were "
                      "dropped and not linted", flow, why, dir_pending(d));
    } else if (partial) {
        fmt_flow(flow, sizeof flow, c, di);
        sl_outq_event(q, SL_R_CAP_TRUNCATED, &m,
                      "TCP stream %s: %s inside a SIP message; the %zu bytes captured of it "
                      "were not linted", flow, why, dir_pending(d));
    }
    buf_release(t, d);
    ooo_release(t, d);
    d->st = ST_HUNT;
    d->quiet = 1;
    d->mid = 1;
    d->seq_ok = 0;
}

static void conn_drop(sl_tcp *t, conn *c, sl_outq *q, int as_gap, const char *why)
{
    dir_abandon(t, c, 0, q, as_gap, why);
    dir_abandon(t, c, 1, q, as_gap, why);
    conn_free(t, c);
}

/* The first 4 (IPv4) or 16 bytes of a and b are equal. Each memcmp has a constant length, so
 * that it becomes a load and a compare rather than a call (every segment looks its
 * connection up). */
static int addr_eq(const uint8_t *a, const uint8_t *b, int v4)
{
    return v4 ? memcmp(a, b, 4) == 0 : memcmp(a, b, 16) == 0;
}

static conn *conn_find(sl_tcp *t, const sl_meta *m, uint16_t sp, uint16_t dp, int *di)
{
    int v4 = m->af == 4;
    uint32_t h = key_hash(m->af, m->src, sp, m->dst, dp);
    for (conn *c = t->bucket[h & (TCP_BUCKETS - 1)]; c; c = c->hnext) {
        if (c->hash != h || c->af != m->af)
            continue;
        if (c->port[0] == sp && c->port[1] == dp && addr_eq(c->addr[0], m->src, v4) &&
            addr_eq(c->addr[1], m->dst, v4)) {
            *di = 0;
            return c;
        }
        if (c->port[1] == sp && c->port[0] == dp && addr_eq(c->addr[1], m->src, v4) &&
            addr_eq(c->addr[0], m->dst, v4)) {
            *di = 1;
            return c;
        }
    }
    return NULL;
}

static conn *conn_new(sl_tcp *t, const sl_meta *m, uint16_t sp, uint16_t dp, sl_outq *q)
{
    while (t->nconns >= TCP_MAX_CONNS && t->lru_tail)
        conn_drop(t, t->lru_tail, q, 1, "too many TCP connections at once: the least recently "
                                        "used one was forgotten");
    conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->af = m->af;
    size_t al = m->af == 4 ? 4 : 16;
    memcpy(c->addr[0], m->src, al);
    memcpy(c->addr[1], m->dst, al);
    c->port[0] = sp;
    c->port[1] = dp;
    c->hash = key_hash(m->af, m->src, sp, m->dst, dp);
    conn **b = &t->bucket[c->hash & (TCP_BUCKETS - 1)];
    c->hnext = *b;
    *b = c;
    lru_front(t, c);
    t->nconns++;
    return c;
}

/* Expire connections silent for longer than TCP_IDLE_SEC of capture time. */
static void expire_idle(sl_tcp *t, int64_t now, const conn *keep, sl_outq *q)
{
    while (t->lru_tail && t->lru_tail != keep && t->lru_tail->last_sec + TCP_IDLE_SEC < now)
        conn_drop(t, t->lru_tail, q, 0, "the connection fell silent");
}

/* Total memory bound: forget the least recently used connections (never keep). */
static void enforce_total(sl_tcp *t, const conn *keep, sl_outq *q)
{
    while (t->mem > TCP_MAX_TOTAL && t->lru_tail && t->lru_tail != keep)
        conn_drop(t, t->lru_tail, q, 1, "the memory limit for TCP reassembly was reached: the "
                                        "least recently used connection was forgotten");
}

/* ---- framing -------------------------------------------------------------------------------- */

typedef struct feedctx {
    sl_tcp *t;
    conn *c;
    int di;
    const sl_meta *meta; /* the current packet */
    sl_outq *q;
} feedctx;

static void push_msg(feedctx *x, const uint8_t *p, size_t n, uint64_t frame_first, int reassembled,
                     sl_transport tp, unsigned extra_flags)
{
    sl_meta m = *x->meta;
    m.transport = tp;
    m.sport = x->c->port[x->di];
    m.dport = x->c->port[!x->di];
    m.frame_first = frame_first;
    m.flags = (m.flags & ~(unsigned)SL_META_TRUNCATED) | extra_flags;
    if (reassembled)
        m.flags |= SL_META_REASSEMBLED;
    sl_outq_message(x->q, p, n, &m);
}

/* A message at d->buf[s..s+len): its first frame and whether several segments carried it come
 * from the marks of the bytes it spans. */
static void push_buffered(feedctx *x, const dir *d, size_t s, size_t len, unsigned extra_flags)
{
    size_t a = mark_at(d, s), b = mark_at(d, s + len - 1);
    push_msg(x, d->buf + s, len, d->marks[a].frame, a != b, SL_TP_TCP, extra_flags);
}

static void cur_meta(feedctx *x, sl_meta *m, sl_transport tp)
{
    *m = *x->meta;
    m->transport = tp;
    m->sport = x->c->port[x->di];
    m->dport = x->c->port[!x->di];
}

/* End of the header section of a message at p (which starts with a start line), or 0. */
static size_t header_end(const uint8_t *p, size_t n)
{
    const uint8_t *lf = memchr(p, '\n', n);
    if (!lf)
        return 0;
    size_t i = (size_t)(lf - p) + 1;
    while (i < n) {
        if (p[i] == '\n')
            return i + 1;
        if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
            return i + 2;
        lf = memchr(p + i, '\n', n - i);
        if (!lf)
            return 0;
        i = (size_t)(lf - p) + 1;
    }
    return 0;
}

/* After a gap the first bytes may be the tail of a line that merely ends like a request line
 * ("...xyzMESSAGE sip:a SIP/2.0"): accept it only if it starts like a real one (a method in
 * capitals, as every registered method is, or "SIP/2.0 "). */
static int plausible_start(const uint8_t *p, size_t n)
{
    if (n >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0)
        return 1;
    size_t i = 0;
    while (i < n && i <= 20 && p[i] >= 'A' && p[i] <= 'Z')
        i++;
    return i >= 3 && i <= 20 && i < n && p[i] == ' ';
}

/* Frame SIP messages in r[0..n). inbuf: r is d->buf + d->off (frames come from the marks);
 * otherwise r is the current segment. Returns the number of bytes consumed. */
static size_t frame_sip(feedctx *x, const uint8_t *r, size_t n, int inbuf)
{
    dir *d = &x->c->d[x->di];
    size_t pos = 0;
    for (;;) {
        if (d->st == ST_HUNT) {
            /* a SIP start line at pos, or at the start of a later line */
            size_t k = pos;
            int found = 0;
            while (k < n) {
                const uint8_t *lf = memchr(r + k, '\n', n - k);
                if (!lf)
                    break;
                size_t ll = (size_t)(lf - r) + 1 - k;
                if (sl_looks_like_sip((const char *)r + k, ll) &&
                    (!d->mid || plausible_start(r + k, ll))) {
                    found = 1;
                    break;
                }
                k = (size_t)(lf - r) + 1;
                d->mid = 0;
            }
            pos = k;
            if (!found) {
                if (n - pos > TCP_MAX_LINE)
                    pos = n; /* no line that long starts a SIP message: drop it */
                return pos;
            }
            d->st = ST_SIP;
            d->quiet = 0;
        }
        size_t start, mlen;
        const char *why;
        sl_frame_rc fr = sl_frame_stream((const char *)r + pos, n - pos, &start, &mlen, &why);
        if (fr == SL_FRAME_COMPLETE) {
            size_t s = pos + start;
            if (inbuf)
                push_buffered(x, d, d->off + s, mlen, 0);
            else
                push_msg(x, r + s, mlen, x->meta->frame_first, 0, SL_TP_TCP, 0);
            d->sip_seen = 1;
            d->quiet = 0;
            pos = s + mlen;
            continue;
        }
        if (fr == SL_FRAME_NEED_MORE) {
            pos += start;
            /* a start line that never ends is not one */
            if (n - pos > TCP_MAX_LINE && !memchr(r + pos, '\n', TCP_MAX_LINE))
                goto desync;
            return pos;
        }
        if (strcmp(why, "no SIP start line") != 0) {
            /* no usable Content-Length: the message ends with its header section (see above) */
            size_t s = pos + start;
            size_t h = header_end(r + s, n - s);
            if (h == 0) { /* cannot happen: the framer found the header end */
                pos = s;
                goto desync;
            }
            if (inbuf)
                push_buffered(x, d, d->off + s, h, 0);
            else
                push_msg(x, r + s, h, x->meta->frame_first, 0, SL_TP_TCP, 0);
            d->sip_seen = 1;
            pos = s + h;
            d->st = ST_HUNT;
            d->quiet = 1;
            continue;
        }
        pos += start;
    desync:
        if (d->sip_seen && !d->quiet) {
            char flow[160];
            sl_meta m;
            cur_meta(x, &m, SL_TP_TCP);
            fmt_flow(flow, sizeof flow, x->c, x->di);
            sl_outq_event(x->q, SL_R_SIP_PARSE, &m,
                          "TCP stream %s: the bytes after the previous SIP message do not start "
                          "a SIP message (a wrong Content-Length desynchronises a stream, RFC 3261 "
                          "§18.3); skipped up to the next SIP start line", flow);
        }
        d->st = ST_HUNT;
        d->quiet = 1;
        /* skip the offending line so that the hunt moves on */
        const uint8_t *lf = memchr(r + pos, '\n', n - pos);
        if (!lf)
            return n - pos > TCP_MAX_LINE ? n : pos;
        pos = (size_t)(lf - r) + 1;
        d->mid = 0;
    }
}

/* ---- WebSocket (RFC 6455 §5, RFC 7118) ------------------------------------------------------ */

static int ieq(const uint8_t *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = a[i], cb = (unsigned char)b[i];
        if (ca >= 'A' && ca <= 'Z')
            ca += 32;
        if (cb >= 'A' && cb <= 'Z')
            cb += 32;
        if (ca != cb)
            return 0;
    }
    return 1;
}

/* Does the header section h[0..n) have a header name whose comma-separated value list holds
 * token tok (ASCII case-insensitive)? */
static int http_has_token(const uint8_t *h, size_t n, const char *name, const char *tok)
{
    size_t nl = strlen(name), tl = strlen(tok);
    size_t i = 0;
    while (i < n) {
        const uint8_t *lf = memchr(h + i, '\n', n - i);
        size_t e = lf ? (size_t)(lf - h) : n;
        if (e - i > nl && ieq(h + i, name, nl) && h[i + nl] == ':') {
            size_t v = i + nl + 1;
            while (v < e) {
                while (v < e && (h[v] == ' ' || h[v] == '\t' || h[v] == ','))
                    v++;
                size_t w = v;
                while (w < e && h[w] != ',' && h[w] != ' ' && h[w] != '\t' && h[w] != '\r')
                    w++;
                if (w - v == tl && ieq(h + v, tok, tl))
                    return 1;
                while (w < e && h[w] != ',')
                    w++;
                v = w;
            }
        }
        i = e + 1;
    }
    return 0;
}

/* NEW: the first bytes of a direction decide what it carries. Returns 1 when decided. */
static int classify(feedctx *x, const uint8_t *r, size_t n)
{
    dir *d = &x->c->d[x->di];
    if (n < 3)
        return 0;
    /* TLS record header: content type, version 3.x (RFC 8446 §5.1). A capture that starts
     * mid-connection sees application data (23) rather than a handshake (22). */
    if (r[1] == 3 && r[2] <= 4 && (r[0] == 22 || (d->midstream && r[0] >= 20 && r[0] <= 23))) {
        d->st = ST_IGNORE;
        if (!x->c->opaque) {
            x->c->opaque = 1;
            char flow[160];
            sl_meta m;
            cur_meta(x, &m, SL_TP_TLS);
            fmt_flow(flow, sizeof flow, x->c, x->di);
            sl_outq_event(x->q, SL_R_CAP_OPAQUE, &m,
                          "TCP connection %s carries TLS: any SIP in it cannot be inspected "
                          "without the keys", flow);
        }
        return 1;
    }
    int req = n >= 4 && memcmp(r, "GET ", 4) == 0;
    int resp = n >= 8 && memcmp(r, "HTTP/1.", 7) == 0;
    if (!req && !resp) {
        d->st = d->midstream ? ST_HUNT : ST_SIP;
        d->quiet = 1;
        d->mid = d->midstream;
        return 1;
    }
    size_t h = 0;
    for (size_t i = 0; i + 3 < n && i < TCP_MAX_HTTP; i++)
        if (r[i] == '\r' && memcmp(r + i, "\r\n\r\n", 4) == 0) {
            h = i + 4;
            break;
        }
    if (h == 0) {
        if (n >= TCP_MAX_HTTP)
            d->st = ST_IGNORE;
        return n >= TCP_MAX_HTTP;
    }
    /* RFC 6455 §4: Upgrade: websocket; RFC 7118 §4.1: Sec-WebSocket-Protocol: sip, in the
     * client's offer and in the server's 101 answer. */
    int ok = http_has_token(r, h, "Upgrade", "websocket") &&
             http_has_token(r, h, "Sec-WebSocket-Protocol", "sip");
    if (resp)
        ok = ok && n >= 12 && memcmp(r + 8, " 101", 4) == 0;
    d->st = ok ? ST_WS : ST_IGNORE;
    return 1;
}

static void ws_broken(feedctx *x, const char *why)
{
    dir *d = &x->c->d[x->di];
    char flow[160];
    sl_meta m;
    cur_meta(x, &m, SL_TP_WS);
    fmt_flow(flow, sizeof flow, x->c, x->di);
    sl_outq_event(x->q, SL_R_SIP_PARSE, &m,
                  "WebSocket connection %s: %s (RFC 6455 §5); the rest of it is not linted", flow,
                  why);
    d->st = ST_IGNORE;
    d->ws_frag = 0;
}

/* WebSocket frames in d->buf[d->off..). Payloads are unmasked in place; the fragments of a
 * message are moved together behind its first fragment. Returns bytes consumed. */
static size_t frame_ws(feedctx *x)
{
    dir *d = &x->c->d[x->di];
    uint8_t *b = d->buf;
    size_t pos = d->off;
    while (d->st == ST_WS) {
        size_t a = d->len - pos;
        if (a < 2)
            break;
        uint8_t b0 = b[pos], b1 = b[pos + 1];
        int fin = b0 >> 7, op = b0 & 15, masked = b1 >> 7;
        uint64_t plen = b1 & 127;
        size_t hl = 2;
        if (plen == 126) {
            if (a < 4)
                break;
            plen = be16(b + pos + 2);
            hl = 4;
        } else if (plen == 127) {
            if (a < 10)
                break;
            plen = (uint64_t)be32(b + pos + 2) << 32 | be32(b + pos + 6);
            hl = 10;
        }
        if (masked)
            hl += 4;
        if (b0 & 0x70) {
            ws_broken(x, "reserved bits set without a negotiated extension");
            break;
        }
        if ((op > 2 && op < 8) || op > 10) {
            ws_broken(x, "unknown opcode");
            break;
        }
        if (op >= 8 && (plen > 125 || !fin)) {
            ws_broken(x, "a control frame longer than 125 bytes or fragmented");
            break;
        }
        if (plen > TCP_MAX_STREAM || (d->ws_frag && d->ws_len + plen > TCP_MAX_STREAM)) {
            ws_broken(x, "a message larger than the reassembly limit");
            break;
        }
        if (a < hl || a - hl < plen)
            break;
        uint8_t *pl = b + pos + hl;
        if (masked) {
            const uint8_t *key = pl - 4;
            for (size_t i = 0; i < plen; i++)
                pl[i] ^= key[i & 3];
        }
        size_t fend = pos + hl + (size_t)plen;
        if (op == 8) {
            d->st = ST_CLOSED;
            pos = fend;
            break;
        }
        if (op >= 9) { /* ping, pong */
            pos = fend;
            continue;
        }
        if (op == 0 && !d->ws_frag) {
            ws_broken(x, "a continuation frame outside a fragmented message");
            break;
        }
        if (op != 0 && d->ws_frag) {
            ws_broken(x, "a new message inside a fragmented one");
            break;
        }
        if (op != 0) {
            d->ws_frame = d->marks[mark_at(d, pos)].frame;
            d->ws_off = pos + hl;
            d->ws_len = (size_t)plen;
        } else {
            memmove(b + d->ws_off + d->ws_len, pl, (size_t)plen);
            d->ws_len += (size_t)plen;
        }
        uint64_t last = d->marks[mark_at(d, fend - 1)].frame;
        if (fin) {
            d->ws_frag = 0;
            d->sip_seen = 1;
            push_msg(x, b + d->ws_off, d->ws_len, d->ws_frame, d->ws_frame != last, SL_TP_WS, 0);
        } else {
            d->ws_frag = 1;
        }
        pos = fend;
    }
    return pos - d->off;
}

/* ---- delivery ------------------------------------------------------------------------------- */

/* Length of an HTTP header section (through CRLF CRLF) at r, or 0. */
static size_t http_header_len(const uint8_t *r, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (r[i] == '\r' && memcmp(r + i, "\r\n\r\n", 4) == 0)
            return i + 4;
    return 0;
}

/* Frame what is buffered in d. */
static void frame_buffered(feedctx *x)
{
    dir *d = &x->c->d[x->di];
    if (d->buf == NULL)
        return; /* nothing buffered yet (and NULL + 0 below would be undefined) */
    if (d->st == ST_NEW) {
        if (!classify(x, d->buf + d->off, dir_pending(d)))
            return;
        if (d->st == ST_WS) /* the upgrade's header section precedes the first frame */
            d->off += http_header_len(d->buf + d->off, dir_pending(d));
    }
    if (d->st == ST_WS)
        d->off += frame_ws(x);
    else if (d->st == ST_SIP || d->st == ST_HUNT)
        d->off += frame_sip(x, d->buf + d->off, dir_pending(d), 1);
    else
        d->off = d->len;
}

static void limit_hit(feedctx *x)
{
    dir *d = &x->c->d[x->di];
    if (d->sip_seen || pending_is_sip(d)) {
        char flow[160];
        sl_meta m;
        cur_meta(x, &m, d->st == ST_WS ? SL_TP_WS : SL_TP_TCP);
        fmt_flow(flow, sizeof flow, x->c, x->di);
        sl_outq_event(x->q, SL_R_CAP_TCP_GAP, &m,
                      "TCP stream %s: more than %d bytes would have to be buffered (one SIP "
                      "message that large, or that much data out of order); the buffered data was "
                      "dropped and not linted", flow, TCP_MAX_STREAM);
    }
    d->off = d->len;
    d->ws_frag = 0;
    if (d->st == ST_WS)
        d->st = ST_IGNORE; /* WebSocket framing cannot be found again */
    else if (d->st != ST_IGNORE && d->st != ST_CLOSED)
        d->st = ST_HUNT;
    d->quiet = 1;
    d->mid = 1;
}

/* The bytes [next_seq, upto) will never be seen. */
static void declare_gap(feedctx *x, int di, uint32_t upto, const char *why)
{
    dir *d = &x->c->d[di];
    uint32_t n = upto - d->next_seq;
    if (d->st != ST_IGNORE && d->st != ST_CLOSED && (d->sip_seen || pending_is_sip(d))) {
        char flow[160];
        sl_meta m;
        cur_meta(x, &m, d->st == ST_WS ? SL_TP_WS : SL_TP_TCP);
        if (di != x->di) {
            m.sport = x->c->port[di];
            m.dport = x->c->port[!di];
            memcpy(m.src, x->c->addr[di], 16);
            memcpy(m.dst, x->c->addr[!di], 16);
        }
        fmt_flow(flow, sizeof flow, x->c, di);
        sl_outq_event(x->q, SL_R_CAP_TCP_GAP, &m,
                      "TCP stream %s: %u bytes are missing from the capture (sequence %u to %u, "
                      "%s); resynchronising at the next SIP start line",
                      flow, (unsigned)n, (unsigned)d->next_seq, (unsigned)(upto - 1u), why);
    }
    d->off = d->len; /* the partial message before the gap is dropped */
    d->ws_frag = 0;
    if (d->st == ST_WS)
        d->st = ST_IGNORE;
    else if (d->st == ST_SIP || d->st == ST_NEW)
        d->st = ST_HUNT;
    d->quiet = 1;
    d->mid = 1;
    d->next_seq = upto;
}

/* Move out-of-order segments that are now in order into the buffer. */
static int drain_ooo(feedctx *x, int di)
{
    dir *d = &x->c->d[di];
    int moved = 0;
    while (d->ooo && (int32_t)(d->ooo->seq - d->next_seq) <= 0) {
        seg *s = d->ooo;
        d->ooo = s->next;
        d->nooo--;
        d->ooo_bytes -= s->len;
        x->t->mem -= s->len;
        uint32_t skip = d->next_seq - s->seq;
        if (skip < s->len) {
            if (d->st != ST_IGNORE && d->st != ST_CLOSED &&
                buf_append(x->t, d, s->data + skip, s->len - skip, s->frame) != 0) {
                struct feedctx y = *x;
                y.di = di;
                limit_hit(&y);
            }
            d->next_seq = s->seq + s->len;
            moved = 1;
        }
        free(s);
    }
    return moved;
}

/* Keep a segment that is ahead of the stream. Returns -1 when a bound says no (force: keep it
 * all the same; the caller then declares the gap, which brings the bounds back). */
static int ooo_insert(sl_tcp *t, dir *d, uint32_t seq, const uint8_t *p, size_t n, uint64_t frame,
                      int force)
{
    if (!force && (d->nooo >= TCP_MAX_OOO || d->ooo_bytes + dir_pending(d) + n > TCP_MAX_STREAM))
        return -1;
    seg **pp = &d->ooo;
    while (*pp && (int32_t)((*pp)->seq - seq) < 0)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= n)
        return 0; /* a retransmission of what we hold */
    seg *s = malloc(sizeof *s + n);
    if (s == NULL)
        return -1;
    s->seq = seq;
    s->len = (uint32_t)n;
    s->frame = frame;
    memcpy(s->data, p, n);
    s->next = *pp;
    *pp = s;
    d->nooo++;
    d->ooo_bytes += n;
    t->mem += n;
    return 0;
}

/* The direction's sender closed it (FIN in order, or RST). */
static void dir_close(feedctx *x, int di)
{
    dir *d = &x->c->d[di];
    if (d->st == ST_SIP && pending_is_sip(d)) {
        /* lint the unfinished message as the sender left it (see the model above) */
        size_t s = d->off;
        while (s < d->len && (d->buf[s] == '\r' || d->buf[s] == '\n'))
            s++;
        if (sl_looks_like_sip((const char *)d->buf + s, d->len - s)) {
            struct feedctx y = *x;
            y.di = di;
            push_buffered(&y, d, s, d->len - s, 0);
        }
    }
    d->off = d->len;
    ooo_release(x->t, d);
    d->st = ST_CLOSED;
    d->ws_frag = 0;
}

/* ---- the segment ---------------------------------------------------------------------------- */

void sl_tcp_feed(sl_tcp *t, const sl_ip_pkt *ip, const sl_meta *meta, int cut, sl_outq *q)
{
    const uint8_t *p = ip->payload;
    size_t avail = ip->payload_avail < ip->payload_len ? ip->payload_avail : ip->payload_len;
    if (avail < 20 || (ip->af != 4 && ip->af != 6))
        return;
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < 20 || hl > avail)
        return; /* a header cut short or lying: no reliable sequence number */
    uint16_t sp = be16(p), dp = be16(p + 2);
    uint32_t seq = be32(p + 4), ack = be32(p + 8);
    uint8_t fl = p[13];
    if (ip->payload_len < hl)
        return;
    int fin = fl & 0x01, syn = fl & 0x02, rst = fl & 0x04, has_ack = fl & 0x10;
    const uint8_t *data = p + hl;
    size_t dlen = avail - hl;                /* captured */
    size_t wlen = ip->payload_len - hl;      /* on the wire */
    size_t missing = wlen - dlen;
    (void)cut; /* captured < wire length: cut by the snap length or a lying IP length, alike */
    if (wlen > 0xFFFFFFF0u)
        return;

    expire_idle(t, meta->ts_sec, NULL, q);
    int di = 0;
    conn *c = conn_find(t, meta, sp, dp, &di);
    if (c == NULL) {
        if (!syn && wlen == 0)
            return; /* a bare ACK of a connection we do not follow */
        if (rst)
            return;
        c = conn_new(t, meta, sp, dp, q);
        if (c == NULL)
            return;
        di = 0;
    } else {
        lru_unlink(t, c);
        lru_front(t, c);
    }
    c->last_sec = meta->ts_sec;
    feedctx x = {t, c, di, meta, q};
    dir *d = &c->d[di];
    d->last_frame = meta->frame_last;
    d->last_sec = meta->ts_sec;
    d->last_nsec = meta->ts_nsec;

    /* The peer acknowledges data the capture does not hold, while later data waits: the
     * bytes in between were on the wire and are missing from the capture. */
    dir *o = &c->d[!di];
    if (has_ack && o->seq_ok && o->ooo && o->st != ST_CLOSED &&
        (int32_t)(ack - o->next_seq) > 0 && (int32_t)(ack - o->next_seq) < TCP_JUMP) {
        feedctx y = x;
        y.di = !di;
        if ((int32_t)(o->ooo->seq - o->next_seq) > 0)
            declare_gap(&y, !di, o->ooo->seq, "acknowledged by the receiver");
        drain_ooo(&y, !di);
        buf_compact(t, o); /* nothing of o was pushed in this call yet */
        frame_buffered(&y);
        if (o->fin && o->next_seq == o->fin_seq)
            dir_close(&y, !di);
    }

    if (rst) {
        if (d->seq_ok && (int32_t)(seq - d->next_seq) >= 0 && !d->ooo)
            dir_close(&x, di);
        if (o->seq_ok && !o->ooo && o->st != ST_CLOSED) {
            feedctx y = x;
            y.di = !di;
            dir_close(&y, !di);
        }
        return;
    }
    if (syn) {
        int32_t r = (int32_t)(seq + 1u - d->next_seq);
        if (d->seq_ok && d->st != ST_CLOSED && r <= 0 && r > -TCP_JUMP) {
            if (wlen == 0)
                return; /* a retransmitted or late SYN */
        } else {
            if (d->seq_ok || d->st != ST_NEW)
                dir_abandon(t, c, di, q, 1, "a new connection (SYN) reused the ports");
            d->st = ST_NEW;
            d->midstream = 0;
            d->sip_seen = 0;
            d->fin = 0;
            d->seq_ok = 1;
            d->next_seq = seq + 1u;
        }
        seq += 1u; /* data on a SYN (TCP Fast Open) follows the SYN's sequence number */
    }
    if (!d->seq_ok) {
        if (wlen == 0)
            return;
        d->seq_ok = 1;
        d->next_seq = seq;
        d->st = ST_NEW;
        d->midstream = 1;
    }
    if (d->st == ST_CLOSED && !syn) {
        if ((int32_t)(seq - d->next_seq) > 0 && wlen > 0) {
            /* data after FIN: the ports were reused without a SYN in the capture */
            d->st = ST_NEW;
            d->midstream = 1;
            d->fin = 0;
            d->next_seq = seq;
        } else {
            return;
        }
    }
    if (fin && !d->fin) {
        d->fin = 1;
        d->fin_seq = seq + (uint32_t)wlen;
    }

    int32_t rel = (int32_t)(seq - d->next_seq);
    if (rel > TCP_JUMP || rel < -TCP_JUMP) {
        /* not reordering: bytes were lost or the ports were reused unseen */
        if (rel > 0) {
            declare_gap(&x, di, seq, "the sequence number jumped ahead");
        } else {
            dir_abandon(t, c, di, q, 1, "the sequence number jumped back (ports reused?)");
            d->st = ST_NEW;
            d->midstream = 1;
            d->seq_ok = 1;
            d->next_seq = seq;
        }
        ooo_release(t, d);
        rel = 0;
    }
    if (rel > 0) {
        /* ahead of the stream: keep it (its captured part) until the hole is filled */
        if (d->st == ST_IGNORE) {
            d->next_seq = seq + (uint32_t)wlen; /* nothing to reassemble: follow along */
            return;
        }
        if (dlen > 0 && ooo_insert(t, d, seq, data, dlen, meta->frame_first, 0) != 0) {
            /* bounds: the hole is not going to be filled in time */
            ooo_insert(t, d, seq, data, dlen, meta->frame_first, 1);
            if (d->ooo && (int32_t)(d->ooo->seq - d->next_seq) > 0)
                declare_gap(&x, di, d->ooo->seq, "too much data out of order");
        }
        if (d->ooo && (int32_t)(d->ooo->seq - d->next_seq) <= 0) {
            drain_ooo(&x, di);
            frame_buffered(&x);
        }
        if (d->fin && !d->ooo && (int32_t)(d->next_seq - d->fin_seq) >= 0)
            dir_close(&x, di);
        enforce_total(t, c, q);
        return;
    }
    /* in order, possibly overlapping what we have: trim the old part */
    size_t skip = (size_t)(uint32_t)-rel;
    if (skip >= wlen) {
        if (d->fin && d->next_seq == d->fin_seq && !d->ooo && d->st != ST_CLOSED)
            dir_close(&x, di);
        return; /* a retransmission or a bare ACK */
    }
    data += skip < dlen ? skip : dlen;
    dlen = skip < dlen ? dlen - skip : 0;
    wlen -= skip;

    if (d->st == ST_IGNORE) {
        d->next_seq += (uint32_t)wlen;
        drain_ooo(&x, di);
        ooo_release(t, d);
        if (d->fin && (int32_t)(d->next_seq - d->fin_seq) >= 0)
            d->st = ST_CLOSED;
        return;
    }

    int will_drain = d->ooo && (int32_t)(d->ooo->seq - (d->next_seq + (uint32_t)wlen)) <= 0;
    if (d->st == ST_NEW && dir_pending(d) == 0 && !will_drain && !missing && dlen >= 8 &&
        memcmp(data, "GET ", 4) != 0 && memcmp(data, "HTTP/1.", 7) != 0)
        classify(&x, data, dlen); /* not HTTP: decided on the segment, so it can stay zero copy */
    if (d->st == ST_IGNORE) {
        d->next_seq += (uint32_t)wlen;
        return;
    }
    if (dir_pending(d) == 0 && !d->ws_frag && !will_drain && !missing &&
        (d->st == ST_SIP || d->st == ST_HUNT)) {
        /* the common case: frame in the segment itself, keep only an unfinished tail */
        d->len = d->off = 0;
        d->nmarks = 0;
        size_t used = frame_sip(&x, data, dlen, 0);
        d->next_seq += (uint32_t)wlen;
        if (used < dlen && buf_append(t, d, data + used, dlen - used, meta->frame_first) != 0)
            limit_hit(&x);
    } else {
        if (buf_append(t, d, data, dlen, meta->frame_first) != 0)
            limit_hit(&x);
        d->next_seq += (uint32_t)wlen;
        if (!missing)
            drain_ooo(&x, di);
        frame_buffered(&x);
    }
    if (missing) {
        /* the snap length cut this segment: the message it ends in is incomplete */
        if (d->st == ST_SIP && pending_is_sip(d)) {
            size_t s = d->off;
            while (s < d->len && (d->buf[s] == '\r' || d->buf[s] == '\n'))
                s++;
            push_buffered(&x, d, s, d->len - s, SL_META_TRUNCATED);
        } else if (d->sip_seen && d->st != ST_IGNORE && d->st != ST_CLOSED) {
            sl_meta m;
            char flow[160];
            cur_meta(&x, &m, d->st == ST_WS ? SL_TP_WS : SL_TP_TCP);
            fmt_flow(flow, sizeof flow, c, di);
            sl_outq_event(q, SL_R_CAP_TRUNCATED, &m,
                          "TCP stream %s: the snap length cut %zu bytes of this segment; the SIP "
                          "data in them was not linted", flow, missing);
        }
        d->off = d->len;
        d->ws_frag = 0;
        if (d->st == ST_WS)
            d->st = ST_IGNORE;
        else if (d->st == ST_SIP || d->st == ST_NEW)
            d->st = ST_HUNT;
        d->quiet = 1;
        d->mid = 1;
    }
    if (d->fin && !d->ooo && (int32_t)(d->next_seq - d->fin_seq) >= 0)
        dir_close(&x, di);
    enforce_total(t, c, q);
}

void sl_tcp_finish(sl_tcp *t, sl_outq *q)
{
    if (t == NULL)
        return;
    /* oldest first, so that the events come in the order the streams went quiet */
    while (t->lru_tail)
        conn_drop(t, t->lru_tail, q, 0, "the capture ends");
}
