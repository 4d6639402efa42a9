/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside lint/report: the HTML report's message book (what the ladders are drawn from), the
 * embedded rule pages and the Markdown converter (docs/html-report.md). */
#ifndef SIPLINT_HTML_INTERNAL_H
#define SIPLINT_HTML_INTERNAL_H

#include "report_internal.h"

/* Bounds of the book (docs/html-report.md states them). */
#define HB_DIAGRAMS_PER_RULE 25     /* Call-IDs drawn per rule and input */
#define HB_DIAGRAMS_MAX 400         /* Call-IDs drawn per input, all rules */
#define HB_DIAGRAM_MSGS 300         /* messages kept per drawn Call-ID */
#define HB_DIAGRAM_FINDINGS 200     /* findings kept per drawn Call-ID */
#define HB_TEXT_CAP 16384           /* bytes of a message's text kept */
#define HB_KEPT_BYTES (64u << 20)   /* text of drawn Call-IDs, per input; then summaries only */
#define HB_WIN_PER_CID 32           /* recent messages kept per Call-ID without a finding */
#define HB_WIN_MSGS 20000           /* recent messages kept, all Call-IDs */
#define HB_WIN_BYTES (32u << 20)    /* their text */
#define HB_ENDPOINTS_MAX 10000      /* distinct endpoints counted */
#define HB_EP_SLOTS 16384          /* open addressing, above HB_ENDPOINTS_MAX */
#define HB_UA_CAP 96

typedef struct hb_msg {
    uint64_t frame, frame_first;
    int64_t ns;                /* capture time, ns since the epoch */
    uint8_t af;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    sl_transport transport;
    char *text;                /* the first HB_TEXT_CAP bytes, NUL-terminated; NULL if not kept */
    uint32_t text_len, full_len;
    char *summary;             /* start line, at most 200 bytes */
    char *ua;                  /* User-Agent (requests) or Server (responses), or NULL */
    uint64_t rkey;             /* retransmission key: direction, start line, CSeq, top Via */
    int retrans;               /* a copy of an earlier message of this Call-ID */
    int is_request;
} hb_msg;

typedef struct hb_find {
    uint64_t frame;
    const sl_rule *rule;
    sl_severity severity;
    size_t offset, length;
    uint64_t related[SL_MAX_RELATED];
    unsigned n_related;
    char *message;
} hb_find;

typedef struct hb_cid {
    char *call_id;
    int drawn;                 /* has a diagram */
    GPtrArray *msgs;           /* hb_msg *, in capture order */
    GArray *finds;             /* hb_find (drawn only) */
    unsigned char *rules;      /* [SL_RULE__COUNT] rules seen (drawn only) */
    uint64_t msgs_dropped;     /* messages past HB_DIAGRAM_MSGS */
    uint64_t finds_dropped;
    uint64_t win_dropped;      /* messages that left the recent window before the first finding */
    GList *lru;                /* link in the window's LRU (not drawn) */
    int64_t last_ns;
    size_t bytes;
} hb_cid;

struct sl_msgbook {
    GHashTable *cids;          /* call_id -> hb_cid */
    GQueue lru;                /* Call-IDs without a diagram, least recently seen first */
    GPtrArray *drawn;          /* hb_cid *, in order of their first finding */
    unsigned per_rule[SL_RULE__COUNT];
    uint64_t undrawn_findings; /* findings with a Call-ID not drawn */
    size_t win_msgs, win_bytes, kept_bytes;
    int64_t span_ns;           /* how long a Call-ID without a finding is remembered */
    int64_t now_ns;
    /* capture facts */
    uint64_t messages;
    int64_t first_ns, last_ns;
    uint64_t *endpoints;       /* [HB_EP_SLOTS] hashes of the endpoints seen, 0 = empty */
    unsigned n_endpoints;      /* at most HB_ENDPOINTS_MAX */
    int endpoints_capped;
};

/* "1.2.3.4:5060" or "[v6]:port" for one side of a message; "" without addresses. */
void hb_addr(const hb_msg *m, int src, char *buf, size_t cap);

/* Rule pages (generated from docs/rules/<ID>.md at build time): Markdown or NULL. */
const char *sl_html_rule_doc(const char *id);
/* Write Markdown as simple HTML (headings, paragraphs, lists, tables, code). Links to other rule
 * pages become links inside the report; other links become text. */
void sl_html_markdown(FILE *o, const char *md);
/* HTML text or attribute escaping; invalid UTF-8 and control bytes become \xNN. */
void sl_html_text(FILE *o, const char *s, size_t len);
/* A JSON string literal safe inside <script type="application/json">: '<', '>', '&' escaped. */
void sl_html_json(FILE *o, const char *s, size_t len);
void sl_html_json_gs(GString *o, const char *s, size_t len); /* the same, appended to o */

/* The renderer (html.c). */
void sl_html_begin(sl_reporter *r);
void sl_html_file_begin(sl_reporter *r, const char *file);
void sl_html_finding(sl_reporter *r, const sl_rec *rec);
void sl_html_input_error(sl_reporter *r, const char *file, const char *sentence);
void sl_html_messages(sl_reporter *r, const sl_msgbook *b);
void sl_html_file_end(sl_reporter *r, const char *file, const sl_totals *ft);
void sl_html_finish(sl_reporter *r, const sl_totals *t);

#endif
