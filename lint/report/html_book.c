/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTML report's message book: every linted message of an input passes by; those of the
 * Call-IDs that get a diagram are kept, with a bounded window of recent messages so that the
 * messages before a Call-ID's first finding can be drawn too (docs/html-report.md). */
#include <string.h>

#include "html_internal.h"

static void msg_free(gpointer p)
{
    hb_msg *m = p;
    if (!m)
        return;
    g_free(m); /* text, summary and ua live in the same block */
}

static void cid_free(gpointer p)
{
    hb_cid *c = p;
    g_ptr_array_free(c->msgs, TRUE);
    if (c->finds) {
        for (guint i = 0; i < c->finds->len; i++)
            g_free(g_array_index(c->finds, hb_find, i).message);
        g_array_free(c->finds, TRUE);
    }
    g_free(c->rules);
    g_free(c->call_id);
    g_free(c);
}

sl_msgbook *sl_msgbook_new(const sl_config *cfg)
{
    sl_msgbook *b = g_new0(sl_msgbook, 1);
    b->cids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, cid_free);
    g_queue_init(&b->lru);
    b->drawn = g_ptr_array_new();
    b->endpoints = g_new0(uint64_t, HB_EP_SLOTS);
    /* The tracker forgets transactions, requests and pending MESSAGEs 64*T1 after their last
     * message: a related frame (the MESSAGE an ACK refers to, the pending MESSAGE an overlap
     * collides with) is never older than that. */
    unsigned t1 = cfg && cfg->t1_ms ? cfg->t1_ms : 500;
    b->span_ns = (int64_t)t1 * 64 * 1000000;
    b->first_ns = INT64_MAX;
    b->last_ns = INT64_MIN;
    b->now_ns = INT64_MIN;
    return b;
}

void sl_msgbook_free(sl_msgbook *b)
{
    if (!b)
        return;
    g_queue_clear(&b->lru);
    g_ptr_array_free(b->drawn, TRUE);
    g_hash_table_destroy(b->cids);
    g_free(b->endpoints);
    g_free(b);
}

void hb_addr(const hb_msg *m, int src, char *buf, size_t cap)
{
    const uint8_t *a = src ? m->src : m->dst;
    unsigned port = src ? m->sport : m->dport;
    if (m->af == 4)
        snprintf(buf, cap, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], port);
    else if (m->af == 6) {
        char h[64];
        size_t o = 0;
        for (int i = 0; i < 16; i += 2)
            o += (size_t)snprintf(h + o, sizeof h - o, "%s%x", i ? ":" : "", (a[i] << 8) | a[i + 1]);
        snprintf(buf, cap, "[%s]:%u", h, port);
    } else if (cap)
        buf[0] = 0;
}

/* ---- a light header scan: Call-ID, CSeq, top Via, User-Agent, Server ---- */

typedef struct hdrs {
    const char *start;
    size_t start_len;
    const char *call_id, *cseq, *via, *ua, *server;
    size_t call_id_len, cseq_len, via_len, ua_len, server_len;
} hdrs;

static int name_is(const char *p, size_t n, const char *want)
{
    return strlen(want) == n && g_ascii_strncasecmp(p, want, n) == 0;
}

static void scan(const char *p, size_t n, hdrs *h)
{
    memset(h, 0, sizeof *h);
    if (n > 65536)
        n = 65536;
    size_t i = 0;
    int first = 1;
    while (i < n) {
        size_t b = i;
        const char *lf = memchr(p + i, '\n', n - i);
        i = lf ? (size_t)(lf - p) : n;
        size_t e = i;
        if (e > b && p[e - 1] == '\r')
            e--;
        if (i < n)
            i++;
        if (first) {
            h->start = p + b;
            h->start_len = e - b;
            first = 0;
            continue;
        }
        if (e == b)
            break; /* end of the header section */
        if (!strchr("cCiIvVuUsS", p[b]) || p[b] == 0)
            continue; /* not a header looked for (nor a continuation line of one) */
        const char *colon = memchr(p + b, ':', e - b);
        if (!colon)
            continue;
        size_t ne = (size_t)(colon - p);
        while (ne > b && (p[ne - 1] == ' ' || p[ne - 1] == '\t'))
            ne--;
        size_t vb = (size_t)(colon - p) + 1, ve = e;
        while (vb < ve && (p[vb] == ' ' || p[vb] == '\t'))
            vb++;
        while (ve > vb && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
            ve--;
        const char *nm = p + b;
        size_t nl = ne - b;
        const char **slot = NULL;
        size_t *slot_len = NULL;
        if (name_is(nm, nl, "call-id") || name_is(nm, nl, "i"))
            slot = &h->call_id, slot_len = &h->call_id_len;
        else if (name_is(nm, nl, "cseq"))
            slot = &h->cseq, slot_len = &h->cseq_len;
        else if (name_is(nm, nl, "via") || name_is(nm, nl, "v"))
            slot = &h->via, slot_len = &h->via_len;
        else if (name_is(nm, nl, "user-agent"))
            slot = &h->ua, slot_len = &h->ua_len;
        else if (name_is(nm, nl, "server"))
            slot = &h->server, slot_len = &h->server_len;
        if (slot && !*slot) {
            *slot = p + vb;
            *slot_len = ve - vb;
        }
    }
}

/* A 64-bit hash, eight bytes at a time (the keys here are only compared with each other). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    while (n--)
        h = (h ^ *s++) * 0x100000001b3ULL;
    return h;
}

/* ---- the window and the drawn Call-IDs ---- */

static hb_cid *cid_get(sl_msgbook *b, const char *id, size_t len)
{
    char key[1025];
    if (len > 1024)
        len = 1024;
    memcpy(key, id, len);
    key[len] = 0;
    hb_cid *c = g_hash_table_lookup(b->cids, key);
    if (c)
        return c;
    c = g_new0(hb_cid, 1);
    c->call_id = g_strdup(key);
    c->msgs = g_ptr_array_new_with_free_func(msg_free);
    g_hash_table_insert(b->cids, c->call_id, c);
    g_queue_push_tail(&b->lru, c);
    c->lru = b->lru.tail;
    return c;
}

static void forget(sl_msgbook *b, hb_cid *c)
{
    b->win_msgs -= c->msgs->len;
    b->win_bytes -= c->bytes;
    g_queue_delete_link(&b->lru, c->lru);
    g_hash_table_remove(b->cids, c->call_id);
}

static void evict(sl_msgbook *b)
{
    while (b->lru.head) {
        hb_cid *c = b->lru.head->data;
        if (b->win_msgs <= HB_WIN_MSGS && b->win_bytes <= HB_WIN_BYTES && c->last_ns >= b->now_ns - b->span_ns)
            break;
        forget(b, c);
    }
}

static size_t msg_bytes(const hb_msg *m)
{
    return sizeof *m + m->text_len + 256;
}

void sl_msgbook_message(sl_msgbook *b, const char *buf, size_t len, const sl_meta *meta)
{
    hdrs h;
    scan(buf, len, &h);
    /* clamped to +-2^62 ns as the engine does (engine_internal.h, sl_meta_ns): a hostile
     * capture's seconds times 10^9 can overflow 64 bits */
    const int64_t lim = INT64_MAX / 2;
    int64_t ns = meta->ts_sec > lim / 1000000000 ? lim
                 : meta->ts_sec < -(lim / 1000000000) ? -lim
                 : meta->ts_sec * 1000000000LL + (int64_t)meta->ts_nsec;
    b->messages++;
    if (ns < b->first_ns)
        b->first_ns = ns;
    if (ns > b->last_ns)
        b->last_ns = ns;
    if (ns > b->now_ns)
        b->now_ns = ns;
    hb_msg tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.af = meta->af;
    memcpy(tmp.src, meta->src, 16);
    memcpy(tmp.dst, meta->dst, 16);
    tmp.sport = meta->sport;
    tmp.dport = meta->dport;
    if (meta->af && !b->endpoints_capped) {
        /* count distinct endpoints: a set of 64-bit hashes of (family, address, port) */
        for (int sd = 0; sd < 2; sd++) {
            uint64_t k = fnv(0xcbf29ce484222325ULL, &meta->af, 1);
            k = fnv(k, sd ? meta->src : meta->dst, 16);
            k = fnv(k, sd ? &meta->sport : &meta->dport, 2);
            k |= 1; /* 0 marks an empty slot */
            size_t i = (size_t)(k >> 17) & (HB_EP_SLOTS - 1);
            while (b->endpoints[i] && b->endpoints[i] != k)
                i = (i + 1) & (HB_EP_SLOTS - 1);
            if (b->endpoints[i])
                continue;
            if (b->n_endpoints >= HB_ENDPOINTS_MAX) {
                b->endpoints_capped = 1;
                break;
            }
            b->endpoints[i] = k;
            b->n_endpoints++;
        }
    }
    if (!h.call_id || h.call_id_len == 0) {
        evict(b);
        return;
    }
    hb_cid *c = cid_get(b, h.call_id, h.call_id_len);
    c->last_ns = ns;
    if (!c->drawn) {
        g_queue_unlink(&b->lru, c->lru);
        g_queue_push_tail_link(&b->lru, c->lru);
    } else if (c->msgs->len >= HB_DIAGRAM_MSGS) {
        c->msgs_dropped++;
        return;
    }

    size_t keep = len > HB_TEXT_CAP ? HB_TEXT_CAP : len;
    if (c->drawn && b->kept_bytes + keep > HB_KEPT_BYTES)
        keep = 0, tmp.text = NULL; /* past the bound: the arrow without its text */
    else
        tmp.text = (char *)1;
    int is_request = !(h.start_len >= 8 && memcmp(h.start, "SIP/2.0 ", 8) == 0);
    const char *ua = is_request ? h.ua : h.server;
    size_t ua_len = is_request ? h.ua_len : h.server_len;
    if (!ua) { /* either header names the software */
        ua = h.ua ? h.ua : h.server;
        ua_len = h.ua ? h.ua_len : h.server_len;
    }
    if (ua_len > HB_UA_CAP)
        ua_len = HB_UA_CAP;
    size_t sum_len = h.start_len > 200 ? 200 : h.start_len;
    /* one block: the record, the text, the start line, the User-Agent */
    hb_msg *m = g_malloc(sizeof *m + (tmp.text ? keep + 1 : 0) + sum_len + 1 + (ua ? ua_len + 1 : 0));
    *m = tmp;
    char *p = (char *)(m + 1);
    if (m->text) {
        m->text = p;
        memcpy(p, buf, keep); /* may hold NUL bytes: text_len says how many */
        p[keep] = 0;
        p += keep + 1;
        m->text_len = (uint32_t)keep;
        if (c->drawn)
            b->kept_bytes += keep;
    }
    m->summary = p;
    if (sum_len)
        memcpy(p, h.start, sum_len);
    p[sum_len] = 0;
    p += sum_len + 1;
    if (ua) {
        m->ua = p;
        memcpy(p, ua, ua_len);
        p[ua_len] = 0;
    }
    m->frame = meta->frame_last;
    m->frame_first = meta->frame_first;
    m->ns = ns;
    m->transport = meta->transport;
    m->full_len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    m->is_request = is_request;
    uint64_t k = 0xcbf29ce484222325ULL;
    k = fnv(k, m->src, 16);
    k = fnv(k, m->dst, 16);
    k = fnv(k, &m->sport, 2);
    k = fnv(k, &m->dport, 2);
    k = fnv(k, h.start, h.start_len);
    k = fnv(k, "\n", 1);
    k = fnv(k, h.cseq, h.cseq_len);
    k = fnv(k, "\n", 1);
    k = fnv(k, h.via, h.via_len);
    m->rkey = k;
    for (guint i = 0; i < c->msgs->len; i++)
        if (((hb_msg *)g_ptr_array_index(c->msgs, i))->rkey == k) {
            m->retrans = 1;
            break;
        }
    g_ptr_array_add(c->msgs, m);
    if (!c->drawn) {
        size_t mb = msg_bytes(m);
        c->bytes += mb;
        b->win_bytes += mb;
        b->win_msgs++;
        if (c->msgs->len > HB_WIN_PER_CID) {
            hb_msg *old = g_ptr_array_index(c->msgs, 0);
            size_t ob = msg_bytes(old);
            c->bytes -= ob;
            b->win_bytes -= ob;
            b->win_msgs--;
            c->win_dropped++;
            g_ptr_array_remove_index(c->msgs, 0);
        }
        evict(b);
    }
}

void sl_msgbook_finding(sl_msgbook *b, const sl_rec *rec)
{
    if (!rec->call_id || !rec->call_id[0])
        return;
    hb_cid *c = cid_get(b, rec->call_id, strlen(rec->call_id));
    int r = rec->rule->sym;
    if (!c->drawn) {
        if (b->per_rule[r] >= HB_DIAGRAMS_PER_RULE || b->drawn->len >= HB_DIAGRAMS_MAX) {
            b->undrawn_findings++;
            return;
        }
        /* promote: out of the window, kept whole from now on */
        c->drawn = 1;
        b->win_msgs -= c->msgs->len;
        b->win_bytes -= c->bytes;
        c->bytes = 0;
        g_queue_delete_link(&b->lru, c->lru);
        c->lru = NULL;
        for (guint i = 0; i < c->msgs->len; i++)
            b->kept_bytes += ((hb_msg *)g_ptr_array_index(c->msgs, i))->text_len;
        c->finds = g_array_new(FALSE, TRUE, sizeof(hb_find));
        c->rules = g_new0(unsigned char, SL_RULE__COUNT);
        g_ptr_array_add(b->drawn, c);
    }
    if (!c->rules[r]) {
        c->rules[r] = 1;
        b->per_rule[r]++;
    }
    if (c->finds->len >= HB_DIAGRAM_FINDINGS) {
        c->finds_dropped++;
        return;
    }
    hb_find f;
    memset(&f, 0, sizeof f);
    f.frame = rec->frame;
    f.rule = rec->rule;
    f.severity = rec->severity;
    f.offset = rec->offset;
    f.length = rec->length;
    f.n_related = rec->n_related;
    memcpy(f.related, rec->related, sizeof f.related);
    f.message = g_strdup(rec->message);
    g_array_append_val(c->finds, f);
}
