/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4/IPv6 fragment reassembly: 8-byte block bitmap per datagram, age list, hash lookup. */
#include "frag.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAYLOAD 65535u              /* no reassembled payload may be longer (no jumbograms) */
#define NBLOCKS ((MAX_PAYLOAD + 7) / 8) /* 8-byte fragment blocks (RFC 791, RFC 8200) */
#define ADDR_ROOM 32                    /* the datagram buffer starts with src[16] dst[16] */
#define NBUCKETS 1024                   /* hash buckets (a power of two) */
#define NS_PER_S 1000000000LL

typedef struct fent {
    struct fent *hnext;             /* hash chain */
    struct fent *older, *newer;     /* age list, by creation */
    uint8_t af, proto;
    uint8_t have_proto;             /* IPv6: proto known from the offset-0 fragment */
    uint8_t have_total;             /* the last fragment (MF clear) was seen */
    uint8_t dead;                   /* discarded after a conflict: absorb the rest silently */
    uint8_t src[16], dst[16];
    uint32_t id;
    uint32_t total;                 /* payload length, once have_total */
    uint32_t max_end;               /* highest end of any fragment */
    uint32_t covered;               /* blocks received */
    uint32_t received;              /* bytes received */
    uint32_t avail_end;             /* first byte the capture did not keep (MAX_PAYLOAD+1: none) */
    uint32_t nfrags;
    uint64_t frame_first, frame_last;
    int64_t t_first, t_last, deadline;
    uint8_t *mem;                   /* ADDR_ROOM + payload bytes, cap of them usable */
    size_t cap;
    uint8_t bits[NBLOCKS / 8 + 1];
} fent;

struct sl_frag {
    sl_frag_limits lim;
    fent *bucket[NBUCKETS];
    fent *oldest, *newest;
    size_t n, bytes;
    int64_t next_deadline;          /* earliest deadline of a pending entry (INT64_MAX: none) */
    sl_frag_stats st;
};

sl_frag *sl_frag_new(const sl_frag_limits *limits)
{
    sl_frag *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    if (limits != NULL)
        f->lim = *limits;
    if (f->lim.max_datagrams == 0)
        f->lim.max_datagrams = 1024;
    if (f->lim.max_bytes == 0)
        f->lim.max_bytes = 4u << 20;
    if (f->lim.timeout4_s == 0)
        f->lim.timeout4_s = 30;
    if (f->lim.timeout6_s == 0)
        f->lim.timeout6_s = 60;
    f->next_deadline = INT64_MAX;
    return f;
}

const sl_frag_stats *sl_frag_stats_get(const sl_frag *f)
{
    return &f->st;
}

static unsigned hash_key(uint8_t af, const uint8_t *src, const uint8_t *dst, uint32_t id,
                         uint8_t proto)
{
    size_t al = af == 4 ? 4 : 16;
    uint32_t h = 2166136261u ^ af ^ (af == 4 ? (uint32_t)proto << 8 : 0);
    for (size_t i = 0; i < al; i++)
        h = (h ^ src[i]) * 16777619u;
    for (size_t i = 0; i < al; i++)
        h = (h ^ dst[i]) * 16777619u;
    h = (h ^ id) * 16777619u;
    h ^= h >> 15;
    return h & (NBUCKETS - 1);
}

static unsigned hash_of(const fent *e)
{
    return hash_key(e->af, e->src, e->dst, e->id, e->proto);
}

static size_t ent_bytes(const fent *e)
{
    return sizeof *e + (e->mem ? ADDR_ROOM + e->cap : 0);
}

/* Unlink from the hash and the age list, free. mem is freed unless keep. */
static void ent_remove(sl_frag *f, fent *e, int keep_mem)
{
    fent **pp = &f->bucket[hash_of(e)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->older)
        e->older->newer = e->newer;
    else
        f->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        f->newest = e->older;
    f->n--;
    f->bytes -= ent_bytes(e);
    if (!keep_mem)
        free(e->mem);
    free(e);
}

static void fmt_addr(uint8_t af, const uint8_t *a, char *out, size_t n)
{
    if (inet_ntop(af == 4 ? AF_INET : AF_INET6, a, out, (socklen_t)n) == NULL)
        snprintf(out, n, "?");
}

/* The event for a datagram that never completed; why says how it ended. */
static void report(sl_frag *f, fent *e, sl_outq *q, const char *why)
{
    sl_meta m;
    memset(&m, 0, sizeof m);
    m.frame_first = e->frame_first;
    m.frame_last = e->frame_last;
    m.ts_sec = e->t_last / NS_PER_S;
    m.ts_nsec = (uint32_t)(e->t_last % NS_PER_S);
    if (e->t_last < 0 && m.ts_nsec) { /* floor division for times before 1970 */
        m.ts_sec--;
        m.ts_nsec = (uint32_t)(e->t_last % NS_PER_S + NS_PER_S);
    }
    m.af = e->af;
    memcpy(m.src, e->src, 16);
    memcpy(m.dst, e->dst, 16);
    m.transport = e->proto == 17 ? SL_TP_UDP : e->proto == 6 ? SL_TP_TCP
                : e->proto == 132 ? SL_TP_SCTP : SL_TP_UNKNOWN;
    /* The ports, when the first fragment (offset 0) is there: UDP, TCP and SCTP all start with
     * source and destination port. */
    if (!e->dead && m.transport != SL_TP_UNKNOWN && e->mem && (e->bits[0] & 1) &&
        e->avail_end >= 4 && (!e->have_total || e->total >= 4)) {
        const uint8_t *p = e->mem + ADDR_ROOM;
        m.sport = (uint16_t)(p[0] << 8 | p[1]);
        m.dport = (uint16_t)(p[2] << 8 | p[3]);
    }
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], tot[32];
    fmt_addr(e->af, e->src, s, sizeof s);
    fmt_addr(e->af, e->dst, d, sizeof d);
    if (e->have_total)
        snprintf(tot, sizeof tot, "%u", (unsigned)e->total);
    else
        snprintf(tot, sizeof tot, "unknown");
    sl_outq_event(q, SL_R_CAP_FRAG_INCOMPLETE, &m,
                  "IPv%u datagram %s -> %s id 0x%x: %u fragment%s (frames %llu-%llu), %u of %s "
                  "bytes, never completed: %s",
                  (unsigned)e->af, s, d, (unsigned)e->id, (unsigned)e->nfrags,
                  e->nfrags == 1 ? "" : "s", (unsigned long long)e->frame_first,
                  (unsigned long long)e->frame_last,
                  (unsigned)e->received, tot, why);
    f->st.incomplete++;
}

static void recompute_deadline(sl_frag *f)
{
    f->next_deadline = INT64_MAX;
    for (fent *e = f->oldest; e; e = e->newer)
        if (e->deadline < f->next_deadline)
            f->next_deadline = e->deadline;
}

int sl_frag_tick(sl_frag *f, int64_t now_ns, sl_outq *q)
{
    if (now_ns < f->next_deadline)
        return 0;
    char why[64];
    for (fent *e = f->oldest, *nx; e; e = nx) {
        nx = e->newer;
        if (e->deadline > now_ns)
            continue;
        if (!e->dead) {
            snprintf(why, sizeof why, "timed out after %u s",
                     e->af == 4 ? f->lim.timeout4_s : f->lim.timeout6_s);
            report(f, e, q, why);
            f->st.timed_out++;
        }
        ent_remove(f, e, 0);
    }
    recompute_deadline(f);
    return 1;
}

void sl_frag_finish(sl_frag *f, sl_outq *q)
{
    while (f->oldest) {
        fent *e = f->oldest;
        if (!e->dead)
            report(f, e, q, "the capture ended");
        ent_remove(f, e, 0);
    }
    f->next_deadline = INT64_MAX;
}

void sl_frag_free(sl_frag *f)
{
    if (f == NULL)
        return;
    while (f->oldest)
        ent_remove(f, f->oldest, 0);
    free(f);
}

/* Evict the oldest datagrams until one more entry of extra bytes fits. keep: never evicted. */
static void make_room(sl_frag *f, size_t extra, int new_entry, const fent *keep, sl_outq *q)
{
    while (f->oldest && (f->bytes + extra > f->lim.max_bytes ||
                         (new_entry && f->n + 1 > f->lim.max_datagrams))) {
        fent *e = f->oldest;
        if (e == keep) {
            e = e->newer;
            if (e == NULL)
                break;
        }
        if (!e->dead) {
            char why[96];
            snprintf(why, sizeof why, "evicted (limit of %zu pending datagrams or %zu bytes)",
                     f->lim.max_datagrams, f->lim.max_bytes);
            report(f, e, q, why);
            f->st.evicted++;
        }
        ent_remove(f, e, 0);
    }
}

static int bit(const fent *e, uint32_t b)
{
    return e->bits[b >> 3] >> (b & 7) & 1;
}

/* Blocks of [b0, b1) already received. A fragment covers up to 185 blocks (1480 bytes) and
 * usually none of them were seen: whole bitmap bytes are tested, not single bits. */
static uint32_t count_range(const fent *e, uint32_t b0, uint32_t b1)
{
    uint32_t n = 0;
    for (; b0 < b1 && (b0 & 7); b0++)
        n += (uint32_t)bit(e, b0);
    for (; b0 < b1 && b1 - b0 >= 8; b0 += 8) {
        unsigned v = e->bits[b0 >> 3];
        for (; v; v &= v - 1)
            n++;
    }
    for (; b0 < b1; b0++)
        n += (uint32_t)bit(e, b0);
    return n;
}

/* Mark the blocks [b0, b1) received. */
static void set_range(fent *e, uint32_t b0, uint32_t b1)
{
    for (; b0 < b1 && (b0 & 7); b0++)
        e->bits[b0 >> 3] |= (uint8_t)(1u << (b0 & 7));
    if (b0 < b1 && b1 - b0 >= 8) {
        uint32_t whole = (b1 - b0) / 8;
        memset(&e->bits[b0 >> 3], 0xff, whole);
        b0 += whole * 8;
    }
    for (; b0 < b1; b0++)
        e->bits[b0 >> 3] |= (uint8_t)(1u << (b0 & 7));
}

sl_frag_rc sl_frag_feed(sl_frag *f, const sl_ip_pkt *ip, int cut, uint64_t frame, int64_t now_ns,
                        sl_outq *q, sl_frag_done *out)
{
    uint32_t s = ip->frag_offset;
    size_t len = ip->payload_len;
    size_t avail = cut ? ip->payload_avail : len;
    if (avail > len)
        avail = len;
    /* Non-final fragments are whole 8-byte blocks (RFC 791 §3.2, RFC 8200 §4.5); nothing may
     * end past 65535 bytes (the "ping of death" shape). */
    if ((ip->frag_more && (len == 0 || len % 8 != 0)) || s + len > MAX_PAYLOAD) {
        f->st.malformed++;
        return SL_FRAG_BAD;
    }
    uint32_t e_end = (uint32_t)(s + len);
    uint8_t proto = ip->proto;
    size_t al = ip->af == 4 ? 4 : 16;

    unsigned h = hash_key(ip->af, ip->src, ip->dst, ip->frag_id, ip->af == 4 ? proto : 0);
    fent *e = f->bucket[h];
    for (; e; e = e->hnext)
        if (e->af == ip->af && e->id == ip->frag_id && memcmp(e->src, ip->src, al) == 0 &&
            memcmp(e->dst, ip->dst, al) == 0 && (ip->af == 6 || e->proto == proto))
            break;
    if (e == NULL) {
        make_room(f, sizeof *e, 1, NULL, q);
        e = calloc(1, sizeof *e);
        if (e == NULL)
            return SL_FRAG_HELD; /* out of memory: the fragment is lost, as on a host */
        e->af = ip->af;
        memcpy(e->src, ip->src, al);
        memcpy(e->dst, ip->dst, al);
        e->id = ip->frag_id;
        e->proto = ip->af == 4 ? proto : 0; /* IPv6: keyed without it; set from offset 0 */
        e->have_proto = ip->af == 4;
        e->avail_end = MAX_PAYLOAD + 1;
        e->frame_first = frame;
        e->t_first = now_ns;
        int64_t to = (int64_t)(ip->af == 4 ? f->lim.timeout4_s : f->lim.timeout6_s) * NS_PER_S;
        e->deadline = now_ns > INT64_MAX - to ? INT64_MAX : now_ns + to;
        if (e->deadline < f->next_deadline)
            f->next_deadline = e->deadline;
        unsigned hh = hash_of(e);
        e->hnext = f->bucket[hh];
        f->bucket[hh] = e;
        e->older = f->newest;
        if (f->newest)
            f->newest->newer = e;
        else
            f->oldest = e;
        f->newest = e;
        f->n++;
        f->bytes += sizeof *e;
    }
    e->nfrags++;
    e->frame_last = frame;
    e->t_last = now_ns;
    if (e->dead)
        return SL_FRAG_HELD;
    if (ip->af == 6 && (s == 0 || !e->have_proto)) {
        e->proto = proto;
        e->have_proto = 1;
    }

    /* Conflicts of length: two different ends, or bytes beyond the end. */
    const char *conflict = NULL;
    if (!ip->frag_more) {
        if ((e->have_total && e->total != e_end) || e->max_end > e_end)
            conflict = "fragments disagree on the datagram's length";
    } else if (e->have_total && e_end > e->total) {
        conflict = "a fragment lies past the datagram's end";
    }

    /* Conflicts of content: compare with the bytes already received (both captured). */
    uint32_t b0 = s / 8, b1 = (e_end + 7) / 8; /* blocks [b0, b1) */
    uint32_t seen = conflict == NULL ? count_range(e, b0, b1) : 0;
    for (uint32_t b = b0; seen && conflict == NULL && b < b1; b++) {
        if (!bit(e, b))
            continue;
        uint32_t lo = b * 8 > s ? b * 8 : s;
        uint32_t hi = b * 8 + 8 < e_end ? b * 8 + 8 : e_end;
        if (hi > s + avail)
            hi = (uint32_t)(s + avail);
        if (hi > e->avail_end)
            hi = e->avail_end;
        if (lo < hi && memcmp(e->mem + ADDR_ROOM + lo, ip->payload + (lo - s), hi - lo) != 0)
            conflict = "fragments overlap with different data (RFC 5722: discarded)";
    }
    if (conflict) {
        f->st.conflicts++;
        report(f, e, q, conflict);
        e->dead = 1;
        f->bytes -= ent_bytes(e);
        free(e->mem);
        e->mem = NULL;
        e->cap = 0;
        f->bytes += ent_bytes(e);
        return SL_FRAG_HELD;
    }
    if (seen)
        f->st.duplicates++;
    if (seen == b1 - b0 && b1 > b0)
        return SL_FRAG_HELD; /* nothing new */

    /* Store the bytes. */
    if (e_end > e->cap) {
        size_t ncap = e->cap * 2;
        if (ncap < e_end)
            ncap = e_end;
        if (ncap < 2048)
            ncap = 2048;
        if (ncap > MAX_PAYLOAD)
            ncap = MAX_PAYLOAD;
        make_room(f, ncap - e->cap, 0, e, q);
        uint8_t *nm = realloc(e->mem, ADDR_ROOM + ncap);
        if (nm == NULL)
            return SL_FRAG_HELD;
        f->bytes += ncap - e->cap;
        if (e->mem == NULL)
            memset(nm, 0, ADDR_ROOM);
        e->mem = nm;
        e->cap = ncap;
        if (f->bytes > f->st.peak_bytes)
            f->st.peak_bytes = f->bytes;
    }
    uint8_t *d = e->mem + ADDR_ROOM;
    memcpy(d + s, ip->payload, avail);
    if (avail < len) {
        memset(d + s + avail, 0, len - avail);
        if (s + avail < e->avail_end)
            e->avail_end = (uint32_t)(s + avail);
    }
    if (b1 > b0) {
        /* Every new block adds 8 bytes, except the last one of the fragment when the fragment
         * ends inside it (only the final fragment may). */
        uint32_t fresh = (b1 - b0) - seen;
        uint32_t bytes = fresh * 8;
        if (!bit(e, b1 - 1) && e_end % 8)
            bytes -= 8 - e_end % 8;
        set_range(e, b0, b1);
        e->covered += fresh;
        e->received += bytes;
    }
    if (e_end > e->max_end)
        e->max_end = e_end;
    if (!ip->frag_more) {
        e->have_total = 1;
        e->total = e_end;
    }
    if (!e->have_total || e->covered != (e->total + 7) / 8)
        return SL_FRAG_HELD;

    /* Complete: hand the buffer over. */
    memcpy(e->mem, e->src, 16);
    memcpy(e->mem + 16, e->dst, 16);
    memset(out, 0, sizeof *out);
    out->mem = e->mem;
    out->frame_first = e->frame_first;
    out->ip.af = e->af;
    out->ip.src = e->mem;
    out->ip.dst = e->mem + 16;
    out->ip.proto = e->proto;
    out->ip.payload = e->mem + ADDR_ROOM;
    out->ip.payload_len = e->total;
    out->ip.payload_avail = e->avail_end < e->total ? e->avail_end : e->total;
    f->st.reassembled++;
    int64_t dl = e->deadline;
    ent_remove(f, e, 1);
    if (dl == f->next_deadline)
        recompute_deadline(f);
    return SL_FRAG_DONE;
}
