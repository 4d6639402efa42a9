/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reader thread (docs/architecture.md, docs/performance.md): a capture file is read and
 * decoded (libpcap or the pcapng reader, link/IP/fragments/tunnels/TCP/SCTP) on a thread of its
 * own while the engine lints on the caller's thread. What sl_capture_next yields is copied into
 * batches (payload bytes into the batch's arena: libpcap reuses its frame buffer, reassembly
 * reuses its own), and the batches go through a bounded FIFO: a fixed number of them, so memory
 * is bounded, and one consumer taking them in order, so the engine sees exactly the sequence of
 * payloads the single-threaded loop sees and findings come out in the same order.
 * Each SIP payload is also parsed here (sl_parse: start line, indexed header rows; and its first
 * CSeq row, sl_msg_cseq), the parse being a quarter of the engine's work: the engine thread then
 * runs only the tracker and the rules (sl_engine_feed_parsed). The rows go into the batch's row
 * array, a fixed size so that memory stays bounded: a payload whose rows do not fit ships the
 * batch first, and one with more rows than a whole batch holds is left for the engine to parse.
 * UDP payloads that cannot be SIP (RTP: their first byte) are not even queued by the capture
 * (sl_capture_skip_non_sip). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

#define RD_BATCHES 4              /* in flight: being filled, queued, being linted */
/* Items carry their parsed message (~750 bytes, and ~500 in rows): batches of 256 rather than
 * 512 keep the reader's memory near what it was before it parsed (a batch still holds a few
 * milliseconds of work, so the hand-overs stay rare). */
#define RD_ITEMS 256              /* payloads per batch at most */
#define RD_ARENA (128u << 10)     /* payload bytes per batch (grown for one larger payload) */
#define RD_ROWS (16 * RD_ITEMS)   /* parsed header rows per batch (a SIP message has ~10) */
/* When the engine's thread is behind, the reader, once it has had to wait for a free batch,
 * sleeps until this many are free: it then wakes once per RD_WAKE batches rather than once per
 * batch (a context switch each way costs about as much as decoding a few dozen frames). It waits
 * only when it holds no batch, so the engine's thread has all of them and frees them without
 * the reader's help. (The engine's thread still takes each batch as soon as it is shipped: a
 * slow pipe's findings must not wait for a second batch.) */
#define RD_WAKE 2

typedef struct rd_item {
    sl_payload pl;                /* data and text point into the batch's arena */
    uint64_t off;                 /* file offset of pl.data, SL_NO_OFFSET if unknown */
    size_t in_frame;              /* bytes from pl.data to the end of the frame it lies in */
    int parsed;                   /* msg and prc hold sl_parse's result for pl (else the engine
                                   * parses: events, truncated, too many rows) */
    sl_parse_rc prc;
    sl_msg msg;                   /* spans into the arena, hdrs into the batch's rows */
} rd_item;

typedef struct rd_batch {
    rd_item items[RD_ITEMS];
    size_t n;
    char *arena;
    size_t used, cap;
    sl_header *rows;              /* RD_ROWS, never moved: items' msg.hdrs point here */
    size_t rows_used;
    int end;                      /* the last batch: rc and err tell how the capture ended */
    sl_cap_rc rc;
    char err[SL_CAP_ERRBUF];
    uint64_t packets, bytes;      /* the capture's counts when the batch was shipped */
    struct rd_batch *next;
} rd_batch;

struct sl_reader {
    sl_capture *cap;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;            /* any change: a batch queued, a batch freed, cancel */
    rd_batch *free_list;
    rd_batch *head, *tail;        /* full batches, oldest first */
    int n_free;                   /* batches in free_list */
    int cancel;
    sl_parser ps;                 /* the reader thread's, for a message that fills a batch's rows */
    rd_batch *cur;                /* consumer: the batch being handed out */
    size_t pos;
    rd_batch all[RD_BATCHES];
};

static void ship(sl_reader *r, rd_batch *b)
{
    const sl_cap_stats *st = sl_capture_stats(r->cap);
    b->packets = st->packets;
    b->bytes = st->bytes;
    pthread_mutex_lock(&r->mu);
    b->next = NULL;
    if (r->tail)
        r->tail->next = b;
    else
        r->head = b;
    r->tail = b;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* An empty batch, or NULL when the consumer has gone. */
static rd_batch *take_free(sl_reader *r)
{
    pthread_mutex_lock(&r->mu);
    if (!r->free_list)
        while (r->n_free < RD_WAKE && !r->cancel)
            pthread_cond_wait(&r->cv, &r->mu);
    rd_batch *b = r->cancel ? NULL : r->free_list;
    if (b) {
        r->free_list = b->next;
        r->n_free--;
    }
    pthread_mutex_unlock(&r->mu);
    if (b) {
        b->n = 0;
        b->used = 0;
        b->rows_used = 0;
        b->end = 0;
    }
    return b;
}

static int arena_fit(rd_batch *b, size_t need)
{
    if (b->used + need <= b->cap)
        return 1;
    if (b->n > 0)
        return 0; /* ship this one first: pointers into a filled arena must not move */
    size_t cap = b->cap > RD_ARENA ? b->cap : RD_ARENA;
    while (cap < need)
        cap *= 2;
    char *a = realloc(b->arena, cap);
    if (!a)
        return 0;
    b->arena = a;
    b->cap = cap;
    return 1;
}

/* Parse the payload placed in b's arena as it->pl, its rows after those of b's earlier items.
 * Returns 0 when the rows do not fit in what is left of b's rows (nothing is kept then: the
 * caller ships b and tries again in an empty one, where the item is kept unparsed if its rows
 * are still too many). The rows are written where they stay, after b's earlier items' rows (a
 * parser over b's free rows, sl_parser_init_fixed); only a message that fills them all is
 * parsed again, by r->ps, which grows, to tell whether it has more rows than fit. */
static int parse_item(sl_reader *r, rd_batch *b, rd_item *it)
{
    it->parsed = 0;
    if (it->pl.meta.flags & SL_META_TRUNCATED)
        return 1; /* reported by the engine without a parse */
    sl_frame_mode mode = sl_transport_is_stream(it->pl.meta.transport) ? SL_FRAME_STREAM
                                                                       : SL_FRAME_DATAGRAM;
    size_t room = RD_ROWS - b->rows_used;
    sl_parser view;
    sl_parser_init_fixed(&view, b->rows + b->rows_used, room);
    sl_parse_rc rc = sl_parse(&view, it->pl.data, it->pl.len, mode, &it->msg);
    if (rc != SL_PARSE_NOMEM && it->msg.n_hdrs < room) {
        if (rc != SL_PARSE_NOT_SIP)
            sl_msg_cseq(&it->msg); /* the engine's first step, taken here */
        b->rows_used += it->msg.n_hdrs;
        it->prc = rc;
        it->parsed = 1;
        return 1;
    }
    if (b->n > 0)
        return 0; /* perhaps more rows than are left: ship b first */
    rc = sl_parse(&r->ps, it->pl.data, it->pl.len, mode, &it->msg);
    if (rc == SL_PARSE_NOMEM)
        return 1; /* the engine tries again, and says so if it fails too */
    size_t n = it->msg.n_hdrs;
    if (n > room)
        return 1; /* alone in its batch: left to the engine (its rows are too many) */
    if (n)
        memcpy(b->rows, it->msg.hdrs, n * sizeof *b->rows);
    it->msg.hdrs = b->rows; /* r->ps's rows are overwritten by the next parse */
    if (rc != SL_PARSE_NOT_SIP)
        sl_msg_cseq(&it->msg);
    b->rows_used = n;
    it->prc = rc;
    it->parsed = 1;
    return 1;
}

/* Put pl into b as its next item: bytes into the arena, the parse into the rows. Returns 0
 * when b has no room for it (nothing is kept then); never 0 for an empty b unless memory is
 * exhausted. */
static int add_item(sl_reader *r, rd_batch *b, const sl_payload *pl)
{
    /* A payload the engine would only answer SL_FEED_NOT_SIP for (RTP and the like: about half
     * of the payloads of a capture with media) is not handed over at all: copying it to the
     * engine's thread cost more than the test. Most are refused by their first byte here; the
     * rest are parsed (in the arena, as a SIP message would be) and the parse's answer saves
     * the start-line test sl_engine_is_sip would make again: only a payload without a SIP start
     * line gets the full test, and is dropped without being kept when it fails. A payload cut
     * by the snap length is not parsed here: the full test decides. */
    if (pl->kind == SL_PAYLOAD_MESSAGE &&
        ((pl->meta.flags & SL_META_TRUNCATED) ? !sl_engine_is_sip(pl->data, pl->len)
                                              : !sl_may_be_sip(pl->data, pl->len)))
        return 1;
    size_t tlen = pl->kind == SL_PAYLOAD_EVENT && pl->text ? strlen(pl->text) + 1 : 0;
    size_t need = (pl->kind == SL_PAYLOAD_MESSAGE ? pl->len : 0) + tlen;
    if (b->n == RD_ITEMS || !arena_fit(b, need))
        return 0;
    rd_item *it = &b->items[b->n];
    it->pl = *pl;
    it->off = SL_NO_OFFSET;
    it->in_frame = 0;
    it->parsed = 0;
    it->prc = SL_PARSE_OK;
    if (pl->kind == SL_PAYLOAD_MESSAGE) {
        uint64_t o;
        size_t in_frame;
        if (pl->len && sl_capture_payload_offset(r->cap, pl->data, pl->len, &o, &in_frame) == 0) {
            it->off = o;
            it->in_frame = in_frame; /* the payload should not run past the frame, but may */
        }
        if (pl->len)
            memcpy(b->arena + b->used, pl->data, pl->len);
        it->pl.data = b->arena + b->used;
        if (!parse_item(r, b, it))
            return 0;
        if (it->parsed && it->prc == SL_PARSE_NOT_SIP && !sl_engine_is_sip(it->pl.data, pl->len))
            return 1; /* not SIP after all: not kept (no rows were used) */
        b->used += pl->len;
    } else if (tlen) {
        memcpy(b->arena + b->used, pl->text, tlen);
        it->pl.text = b->arena + b->used;
        b->used += tlen;
    }
    b->n++;
    return 1;
}

static void *reader_main(void *arg)
{
    sl_reader *r = arg;
    rd_batch *b = take_free(r);
    while (b) {
        sl_payload pl;
        sl_cap_rc rc = sl_capture_next(r->cap, &pl, b->err);
        if (rc != SL_CAP_PAYLOAD) {
            b->end = 1;
            b->rc = rc;
            ship(r, b);
            return NULL;
        }
        if (!add_item(r, b, &pl)) {
            ship(r, b);
            if (!(b = take_free(r)))
                return NULL;
            if (!add_item(r, b, &pl)) {
                /* out of memory for one payload: end here, as the engine would (SL_FEED_NOMEM) */
                b->end = 1;
                b->rc = SL_CAP_DAMAGED;
                snprintf(b->err, sizeof b->err, "out of memory reading the capture");
                ship(r, b);
                return NULL;
            }
        }
    }
    return NULL;
}

sl_reader *sl_reader_start(sl_capture *c)
{
    sl_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cap = c;
    for (int i = 0; i < RD_BATCHES; i++) {
        r->all[i].arena = malloc(RD_ARENA);
        r->all[i].rows = malloc(RD_ROWS * sizeof *r->all[i].rows);
        if (!r->all[i].arena || !r->all[i].rows) {
            for (int k = 0; k <= i; k++) {
                free(r->all[k].arena);
                free(r->all[k].rows);
            }
            free(r);
            return NULL;
        }
        r->all[i].cap = RD_ARENA;
        r->all[i].next = r->free_list;
        r->free_list = &r->all[i];
        r->n_free++;
    }
    sl_parser_init(&r->ps);
    /* what add_item would drop at its first test is not even queued by the capture */
    sl_capture_skip_non_sip(c, 1);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->th, NULL, reader_main, r) != 0) {
        sl_capture_skip_non_sip(c, 0);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        for (int i = 0; i < RD_BATCHES; i++) {
            free(r->all[i].arena);
            free(r->all[i].rows);
        }
        free(r);
        return NULL;
    }
    return r;
}

sl_cap_rc sl_reader_next(sl_reader *r, sl_payload *out, sl_reader_pos *pos, char *errbuf)
{
    for (;;) {
        rd_batch *b = r->cur;
        if (b && r->pos < b->n) {
            const rd_item *it = &b->items[r->pos++];
            *out = it->pl;
            pos->off = it->off;
            pos->in_frame = it->in_frame;
            pos->msg = it->parsed ? &it->msg : NULL;
            pos->prc = it->prc;
            pos->packets = b->packets;
            pos->bytes = b->bytes;
            return SL_CAP_PAYLOAD;
        }
        if (b && b->end) {
            if (b->rc == SL_CAP_DAMAGED)
                snprintf(errbuf, SL_CAP_ERRBUF, "%s", b->err);
            pos->packets = b->packets;
            pos->bytes = b->bytes;
            return b->rc; /* stays the current batch: later calls repeat the end */
        }
        pthread_mutex_lock(&r->mu);
        if (b) {
            b->next = r->free_list;
            r->free_list = b;
            if (++r->n_free >= RD_WAKE)
                pthread_cond_broadcast(&r->cv);
        }
        while (!r->head)
            pthread_cond_wait(&r->cv, &r->mu);
        b = r->head;
        r->head = b->next;
        if (!r->head)
            r->tail = NULL;
        pthread_mutex_unlock(&r->mu);
        r->cur = b;
        r->pos = 0;
    }
}

void sl_reader_stop(sl_reader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->cancel = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->th, NULL);
    sl_capture_skip_non_sip(r->cap, 0);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    sl_parser_free(&r->ps);
    for (int i = 0; i < RD_BATCHES; i++) {
        free(r->all[i].arena);
        free(r->all[i].rows);
    }
    free(r);
}
