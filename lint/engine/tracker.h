/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transaction/dialog tracker: what earlier messages of the capture said, in bounded tables. */
#ifndef SIPLINT_TRACKER_H
#define SIPLINT_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "siplint/engine.h"
#include "siplint/sip.h"

/*
 * Four fixed-capacity open-addressing tables (linear probing, backward-shift deletion), allocated
 * once per engine and never grown, so memory is bounded however long the capture is:
 *
 *   transactions  one per transaction *per hop*: RFC 3261 §17.1.3/§17.2.3 key = top-Via branch +
 *                 sent-by + method (ACK folds into INVITE), plus Call-ID (a branch reused
 *                 across calls by a scanner is no transaction); without the z9hG4bK cookie the
 *                 RFC 2543 fallback key = Call-ID + From tag + CSeq + top Via.
 *   requests      Call-ID + From tag + CSeq *number*: which methods used that number (MSG-ACK:
 *                 a 2xx-ACK has a new branch, only the number ties it to its INVITE).
 *   dialogs       Call-ID + the two tags (unordered): a real dialog (INVITE/SUBSCRIBE/REFER,
 *                 NOTIFY) or only a MESSAGE 2xx (MSG-PSEUDO-DIALOG).
 *   pending       UAC (source address + From URI) + Request-URI: the newest out-of-dialog MESSAGE
 *                 (MSG-OVERLAP-OOD).
 *
 * Keys are 64-bit hashes (word-at-a-time) of the normalised fields (0 is "empty"). Every entry
 * carries an expiry in capture time (catalogue D5; see docs/architecture.md): a lookup never returns an
 * expired entry, and the fed messages sweep a few slots each (in batches) so that expired entries
 * are removed.
 * An insertion into a table that is 3/4 full fails: the message is not tracked, the stats counter
 * tracker_dropped counts it, and rules that conclude from the *absence* of an earlier message stay
 * quiet for 64*T1 after such a loss.
 *
 * Pointers returned by the lookups stay valid until the next sl_trk_sweep (the next message).
 */

typedef struct sl_tab {
    unsigned char *slots; /* cap * rec bytes; every record starts with sl_trk_hdr */
    size_t rec, mask, used, cap, limit;
    size_t cursor;        /* incremental sweep position */
    int64_t next_full;    /* capture time before which a full table is not swept again */
} sl_tab;

typedef struct sl_trk_hdr {
    uint64_t key;   /* 0 = empty slot */
    int64_t expire; /* capture time (ns) after which the entry is forgotten */
} sl_trk_hdr;

enum sl_trk_method { SL_TM_OTHER = 0, SL_TM_INVITE, SL_TM_ACK, SL_TM_CANCEL, SL_TM_MESSAGE,
                     SL_TM_REGISTER, SL_TM_SUBSCRIBE, SL_TM_REFER, SL_TM_NOTIFY, SL_TM_BYE };

enum {
    SL_TX_REQ_SEEN = 1u << 0,   /* the request was in the capture */
    SL_TX_REQ_TOTAG = 1u << 1,  /* the request had a To tag (in-dialog) */
    SL_TX_RELIABLE = 1u << 2,   /* the request came over a reliable transport at this hop */
    SL_TX_REQ_PATH = 1u << 3,   /* REGISTER carried Path */
    SL_TX_SUP_PATH = 1u << 4,   /* REGISTER carried Supported: path */
    SL_TX_STALE = 1u << 5,      /* signed MESSAGE whose Date was far from the capture time */
    SL_TX_FINAL = 1u << 6,      /* a final response was seen */
    SL_TX_RESP_TAG = 1u << 7,   /* resp_totag holds the tag of an earlier non-100 response */
    SL_TX_PATH_MORE = 1u << 8,  /* more Path values than path[] holds */
    SL_TX_OOD_MESSAGE = 1u << 9, /* out-of-dialog MESSAGE (the pending table refers to it) */
    SL_TX_REQ_BODY = 1u << 10    /* the request carried a body (Content-Length > 0) */
};

/* Once-per-transaction report bits. */
enum { SL_TXR_MULTI_FINAL = 1u << 0, SL_TXR_100_EARLY = 1u << 1, SL_TXR_TO_TAG = 1u << 2,
       SL_TXR_ECHO = 1u << 3, SL_TXR_OVERLAP = 1u << 4 };

#define SL_TX_TAGS 4
#define SL_TX_PATHS 4

typedef struct sl_txn {
    sl_trk_hdr h;
    int64_t t_first;          /* capture time of the first request seen (ns) */
    int64_t t_stale_date;     /* SL_TX_STALE: the Date (seconds) */
    uint64_t req_frame;       /* frame of the first request seen (0 = not seen) */
    uint64_t final_frame;     /* frame of the first final response */
    uint64_t overlap_frame;   /* a newer out-of-dialog MESSAGE to the same URI sent while this
                               * one was pending (0 = none) */
    int64_t overlap_t;
    uint64_t cseq;
    uint32_t from_h, callid_h, via_h; /* SIP-RESP-ECHO: the request's From, Call-ID, Via stack */
    uint32_t from_raw;        /* ...and its From as written (sl_trk_view.from_raw) */
    uint32_t resp_totag;      /* To tag of the first non-100 response */
    uint32_t final_totag;     /* To tag of the first final response */
    uint32_t req_addr;        /* hash of (src, dst) of the request */
    uint32_t tags[SL_TX_TAGS];   /* Require / Proxy-Require option tags of the request */
    uint32_t path[SL_TX_PATHS];  /* the request's last Path values (suffix) */
    uint16_t flags;
    uint16_t final_status;
    uint8_t method;           /* sl_trk_method */
    uint8_t n_tags, n_path, n_via;
    uint8_t reported;         /* SL_TXR_* */
} sl_txn;

enum { SL_RQ_INVITE = 1u << 0, SL_RQ_MESSAGE = 1u << 1, SL_RQ_MESSAGE_OOD = 1u << 2,
       SL_RQ_ACK_REPORTED = 1u << 3 };

typedef struct sl_reqrec {
    sl_trk_hdr h;
    uint64_t message_frame;   /* the MESSAGE that used this number */
    uint32_t flags;           /* SL_RQ_* */
} sl_reqrec;

enum { SL_DG_REAL = 1u << 0, SL_DG_MESSAGE = 1u << 1, SL_DG_REPORTED = 1u << 2 };

typedef struct sl_dlgrec {
    sl_trk_hdr h;
    uint64_t frame;           /* the response that created it */
    uint32_t flags;           /* SL_DG_* */
} sl_dlgrec;

typedef struct sl_pendrec {
    sl_trk_hdr h;
    uint64_t txn_key;         /* the newest out-of-dialog MESSAGE from this UAC to this URI */
    uint64_t frame;
} sl_pendrec;

/* sl_trk_uri_hash results remembered by the URI's bytes (tracker.c, uri_h): slots, and the
 * longest URI remembered */
#define SL_TRK_URI_SLOTS 64
#define SL_TRK_URI_KEY 64
typedef struct sl_trk_urimemo {
    uint64_t tag;             /* a quick hash of the bytes (the slot's index is its top bits) */
    uint64_t h;               /* sl_trk_uri_hash(SL_TRK_SEED, the URI) */
    size_t len;               /* 0: an empty slot */
    char key[SL_TRK_URI_KEY];
} sl_trk_urimemo;

typedef struct sl_tracker {
    sl_tab txn, req, dlg, pend;
    sl_trk_urimemo uri_memo[SL_TRK_URI_SLOTS];
    int64_t t1_ns, t2_ns, t4_ns;
    int64_t last_drop;        /* capture time of the last failed insertion that matters */
    uint64_t dropped;         /* insertions refused because a table was full */
    uint64_t hard_dropped;    /* ...of which the loss could make absence look like proof */
    unsigned ticks;           /* messages fed (sl_trk_tick) */
} sl_tracker;

/* max_txn: transaction slots (rounded up to a power of two; 0 = 32768); the other tables are
 * sized from it. Returns 0, or -1 when memory is exhausted. */
int sl_trk_init(sl_tracker *t, const sl_config *cfg, size_t max_txn);
void sl_trk_free(sl_tracker *t);
/* Bytes the tables occupy (the bound the tracker never exceeds). */
size_t sl_trk_bytes(const sl_tracker *t);
/* Entries currently held (expired ones not yet swept included). */
size_t sl_trk_live(const sl_tracker *t);

/* Remove up to n expired entries' worth of slots from each table (incremental). */
void sl_trk_sweep(sl_tracker *t, int64_t now, size_t n);
/* Once per message: sweeps 4 slots of each table per message, SL_TRK_SWEEP_EVERY messages' worth
 * at a time. */
#define SL_TRK_SWEEP_EVERY 8
void sl_trk_tick(sl_tracker *t, int64_t now);
/* Full sweep (tests). */
void sl_trk_sweep_all(sl_tracker *t, int64_t now);

/* Lookups: NULL if absent or expired at now. */
void *sl_tab_find(sl_tab *tb, uint64_t key, int64_t now);
/* Find or insert (zeroed record with key set). NULL when the table is full: counted. *fresh is
 * set to 1 when the record was created. */
void *sl_trk_upsert(sl_tracker *t, sl_tab *tb, uint64_t key, int64_t now, int *fresh);
/* The same for records whose loss only hides findings (never causes one): not "lossy". */
void *sl_trk_upsert_soft(sl_tracker *t, sl_tab *tb, uint64_t key, int64_t now, int *fresh);

/* Did the tracker lose a record recently (absence proves nothing then)? */
static inline int sl_trk_lossy(const sl_tracker *t, int64_t now)
{
    return t->hard_dropped && now - t->last_drop < 64 * t->t1_ns;
}

/* ---- keys ------------------------------------------------------------------------------------ */

uint64_t sl_trk_hash(uint64_t h, const void *p, size_t n);
uint64_t sl_trk_hash_lc(uint64_t h, const char *p, size_t n);  /* ASCII case-folded */
#define SL_TRK_SEED 0xcbf29ce484222325ULL
/* A SIP/SIPS/TEL URI normalised for RFC 3261 §19.1.4 equality: scheme and host case-folded,
 * user exact, the user/ttl/method/maddr parameters kept, other parameters and headers dropped. */
uint64_t sl_trk_uri_hash(uint64_t h, sl_span uri);
static inline uint32_t sl_trk_h32(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}

/* ---- one message as the tracker sees it -------------------------------------------------------- */

struct sl_ctx;

/* What the tracker knows about the message being linted, filled by sl_trk_observe and
 * sl_trk_lookup before the stateful rules run (lookups only: the records are as they were before
 * this message) and recorded by sl_trk_commit after them. */
/* Parts of the view computed only when a rule or sl_trk_commit asks for them (sl_trk_view.lazy). */
enum { SL_TV_FURI = 1u << 0, SL_TV_ECHO = 1u << 1, SL_TV_TOTAG = 1u << 2 };

typedef struct sl_trk_view {
    int ok;                   /* Call-ID, CSeq and a top Via were readable: the message is tracked */
    struct sl_tracker *trk;   /* the tracker that filled the view (its URI memo) */
    unsigned lazy;            /* SL_TV_*: which lazy parts are filled */
    int64_t now;              /* capture time, ns */
    uint8_t method;           /* sl_trk_method of the request, or of a response's CSeq */
    const sl_via *via;        /* top Via (the ctx's memo entry, or via_spare) */
    sl_via via_spare;
    size_t via_off;           /* offset of the top Via row */
    const sl_header *via_hdr; /* its row, the element and where the row's list goes on after it */
    sl_span via_el;
    size_t via_pos;
    sl_span from_tag, to_tag, from_uri;
    int has_from_tag, has_to_tag;
    uint64_t cid_h, ftag_h;   /* Call-ID and From tag, hashed once for every key that holds them */
    uint64_t furi_h;          /* SL_TV_FURI: the From URI (sl_trk_uri_hash) */
    uint32_t callid_h;
    uint32_t totag_h;         /* SL_TV_TOTAG (sl_trk_totag_h) */
    uint32_t from_raw;        /* the From value as written: equal bytes, equal From (SIP-RESP-ECHO
                               * then need not normalise the URI) */
    uint32_t via_h;           /* SL_TV_ECHO (sl_trk_echo) */
    uint8_t n_via;            /* SL_TV_ECHO */
    uint64_t txn_key;
    sl_txn *txn;              /* this message's transaction before this message (NULL: first sight) */
    uint64_t req_key;
    sl_reqrec *req;           /* Call-ID + From tag + CSeq number */
    uint64_t dlg_key;         /* 0 unless both tags are present */
    sl_dlgrec *dlg;
    uint64_t pend_key;        /* out-of-dialog MESSAGE: UAC + Request-URI */
    sl_txn *pending;          /* an earlier out-of-dialog MESSAGE to the same URI still pending */
    uint64_t pending_frame;
    uint64_t ack_key;         /* ACK: the key of a MESSAGE transaction with its branch, sent-by */
    sl_txn *ack_message;      /* ACK: a MESSAGE transaction with this ACK's branch and sent-by */
} sl_trk_view;

/* The view in two steps: sl_trk_observe reads the message (parses, keys) and asks for the
 * slots the keys lead to; sl_trk_lookup fills txn, req, dlg, pending and ack_message from the
 * tables. Work between the two (the rules that do not read the tracker) hides the tables' cache
 * misses; nothing may change the tables in between. */
void sl_trk_observe(sl_tracker *t, struct sl_ctx *c, sl_trk_view *v);
void sl_trk_lookup(sl_tracker *t, sl_trk_view *v);
void sl_trk_commit(sl_tracker *t, struct sl_ctx *c, sl_trk_view *v);
/* What SIP-RESP-ECHO compares, computed only for a new request's transaction and a response to
 * a request that was seen: the From (URI as §19.1.4 compares it, and tag), and the Via stack
 * (via_h and n_via: a parse per element). */
uint32_t sl_trk_from_h(sl_trk_view *v);
/* The To tag as the transaction records keep it (resp_totag, final_totag), hashed once. */
uint32_t sl_trk_totag_h(sl_trk_view *v);
void sl_trk_echo(struct sl_ctx *c, sl_trk_view *v);
/* Hash of (src, dst) of a message, or of (dst, src) with reverse: what a response on the same
 * link as the request has. */
uint32_t sl_trk_addr_h(const sl_meta *meta, int reverse);
/* RFC 3261 §17.1.2.2 / RFC 4320 §4.1: time from the first send until Timer E's interval
 * reaches T2 (3.5 s with the defaults, catalogue D5). */
int64_t sl_trk_e_reset(const sl_tracker *t);
/* The request's (or response's CSeq) method as sl_trk_method. */
uint8_t sl_trk_method_of(sl_span method);
/* A Path value as compared by PATH-2XX-ECHO: case-folded, white space removed. */
uint32_t sl_trk_path_hash(sl_span elem);

#endif
