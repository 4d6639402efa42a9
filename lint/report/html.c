/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTML report (docs/html-report.md): one self-contained page with a summary, a sortable and
 * filterable findings table, a ladder diagram (SVG drawn here) per Call-ID with a finding, and the
 * rule pages. Findings and diagrams are spooled to temporary files as they come, so memory does
 * not grow with the number of findings; the page is assembled by sl_html_finish. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"

typedef struct hfile {
    char *name;
    sl_totals t;
    int has_facts;
    uint64_t messages;
    int64_t first_ns, last_ns;
    unsigned endpoints;
    int endpoints_capped;
    unsigned diagrams, undrawn_cids;
    uint64_t undrawn_findings;
    GPtrArray *errors;
} hfile;

typedef struct html {
    FILE *rows;          /* findings as JSON array elements */
    FILE *diag;          /* the diagrams' HTML */
    GString *buf;        /* one finding's JSON */
    char *mem[2];        /* open_memstream buffers when tmpfile() failed */
    size_t mem_len[2];
    GPtrArray *files;    /* hfile * */
    hfile *cur;
    uint64_t n_rows;
    unsigned n_diagrams;
} html;

static const char *const sev_class[4] = {"none", "note", "warning", "error"};

/* A temporary file; without a writable temporary directory, memory (freed by sl_html_finish). */
static FILE *spool(html *h, int k)
{
    FILE *f = tmpfile();
    if (!f)
        f = open_memstream(&h->mem[k], &h->mem_len[k]);
    return f;
}

static void esc(FILE *o, const char *s)
{
    sl_html_text(o, s, strlen(s));
}

static void json(FILE *o, const char *s)
{
    sl_html_json(o, s, strlen(s));
}

void sl_html_begin(sl_reporter *r)
{
    html *h = g_new0(html, 1);
    h->rows = spool(h, 0);
    h->diag = spool(h, 1);
    h->buf = g_string_sized_new(1024);
    h->files = g_ptr_array_new();
    r->state = h;
}

void sl_html_file_begin(sl_reporter *r, const char *file)
{
    html *h = r->state;
    hfile *f = g_new0(hfile, 1);
    f->name = g_strdup(file);
    f->errors = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(h->files, f);
    h->cur = f;
}

static void gs_u64(GString *o, uint64_t v)
{
    char d[24];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        g_string_append_c(o, d[--n]);
}

static void gs_json(GString *o, const char *s)
{
    sl_html_json_gs(o, s, strlen(s));
}

/* A finding is one JSON array in the page's data, written to the spool in one piece:
 * [file, frame, rule, severity, message, call-id, cseq, src, dst, time, related, line, transport,
 *  frame_first]. */
void sl_html_finding(sl_reporter *r, const sl_rec *rec)
{
    html *h = r->state;
    if (!h->rows)
        return;
    GString *o = h->buf;
    char a[80];
    g_string_truncate(o, 0);
    g_string_append(o, h->n_rows ? ",\n[" : "[");
    gs_u64(o, h->files->len ? h->files->len - 1 : 0);
    g_string_append_c(o, ',');
    gs_u64(o, rec->frame);
    g_string_append_c(o, ',');
    gs_u64(o, (uint64_t)rec->rule->sym);
    g_string_append_c(o, ',');
    gs_u64(o, (uint64_t)rec->severity);
    g_string_append_c(o, ',');
    gs_json(o, rec->message);
    g_string_append_c(o, ',');
    gs_json(o, rec->call_id);
    g_string_append(o, ",\"");
    if (rec->cseq) {
        gs_u64(o, rec->cseq);
        g_string_append_c(o, ' ');
        gsize mark = o->len;
        sl_html_json_gs(o, rec->cseq_method, strlen(rec->cseq_method));
        g_string_erase(o, (gssize)mark, 1);       /* the method inside the same string: */
        g_string_truncate(o, o->len - 1);         /* without its own quotes */
    }
    g_string_append(o, "\",");
    sl_rec_addr(rec, 1, a, sizeof a);
    gs_json(o, a);
    g_string_append_c(o, ',');
    sl_rec_addr(rec, 0, a, sizeof a);
    gs_json(o, a);
    if (rec->has_meta && !(rec->meta.flags & SL_META_RAW_FILE)) {
        char ts[16];
        unsigned ms = (unsigned)(rec->meta.ts_nsec / 1000000);
        g_string_append_c(o, ',');
        if (rec->meta.ts_sec < 0) {
            g_string_append_c(o, '-');
            gs_u64(o, (uint64_t)0 - (uint64_t)rec->meta.ts_sec); /* no overflow at INT64_MIN */
        } else
            gs_u64(o, (uint64_t)rec->meta.ts_sec);
        ts[0] = '.', ts[1] = (char)('0' + ms / 100), ts[2] = (char)('0' + ms / 10 % 10), ts[3] = (char)('0' + ms % 10);
        g_string_append_len(o, ts, 4);
        g_string_append(o, ",[");
    } else
        g_string_append(o, ",null,[");
    for (unsigned i = 0; i < rec->n_related; i++) {
        if (i)
            g_string_append_c(o, ',');
        gs_u64(o, rec->related[i]);
    }
    g_string_append(o, "],");
    gs_json(o, rec->line);
    g_string_append_c(o, ',');
    gs_json(o, rec->has_meta ? sl_transport_name(rec->meta.transport) : "");
    g_string_append_c(o, ',');
    gs_u64(o, rec->frame_first);
    g_string_append_c(o, ']');
    fwrite(o->str, 1, o->len, h->rows);
    h->n_rows++;
}

void sl_html_input_error(sl_reporter *r, const char *file, const char *sentence)
{
    html *h = r->state;
    (void)file;
    if (h->cur && h->cur->errors->len < 100)
        g_ptr_array_add(h->cur->errors, g_strdup(sentence));
}

void sl_html_file_end(sl_reporter *r, const char *file, const sl_totals *ft)
{
    html *h = r->state;
    (void)file;
    if (h->cur)
        h->cur->t = *ft;
}

/* ---- ladders ---- */

#define LEFT 150     /* time and frame columns */
#define LANE_W 230
#define TOP 58       /* lane headers */
#define ROW 34

typedef struct lane {
    char addr[80];
    char *ua;
} lane;

static int lane_of(GArray *lanes, const char *addr)
{
    for (guint i = 0; i < lanes->len; i++)
        if (strcmp(g_array_index(lanes, lane, i).addr, addr) == 0)
            return (int)i;
    lane l;
    memset(&l, 0, sizeof l);
    g_strlcpy(l.addr, addr, sizeof l.addr);
    g_array_append_val(lanes, l);
    return (int)lanes->len - 1;
}

/* A byte prefix of s no longer than max that does not cut a UTF-8 sequence. */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static void esc_trunc(FILE *o, const char *s, size_t max)
{
    size_t n = utf8_prefix(s, max);
    sl_html_text(o, s, n);
    if (n < strlen(s))
        fputs("\xe2\x80\xa6", o);
}

/* The arrow's label: a request's method and Request-URI, a response's status and reason. */
static void label(FILE *o, const hb_msg *m)
{
    const char *s = m->summary;
    if (!m->is_request && strncmp(s, "SIP/2.0 ", 8) == 0)
        s += 8;
    else if (m->is_request) {
        const char *v = strstr(s, " SIP/2.0");
        if (v && v[8] == 0) {
            char *t = g_strndup(s, (size_t)(v - s));
            esc_trunc(o, t, 44);
            g_free(t);
            return;
        }
    }
    esc_trunc(o, s, 44);
}

static int msg_index(const hb_cid *c, uint64_t frame)
{
    for (guint i = 0; i < c->msgs->len; i++)
        if (((hb_msg *)g_ptr_array_index(c->msgs, i))->frame == frame)
            return (int)i;
    return -1;
}

typedef struct range {
    size_t b, e;
    int sev;
    const char *rule;
} range;

static gint cmp_range(gconstpointer a, gconstpointer b)
{
    const range *x = a, *y = b;
    return x->b < y->b ? -1 : x->b > y->b ? 1 : 0;
}

/* The message's text cut into segments [text, severity, rules]: the lines that hold the offending
 * bytes of each finding at this message are marked (the start line for a finding about the whole
 * message). */
static void segments(FILE *o, const hb_cid *c, const hb_msg *m)
{
    const char *t = m->text;
    size_t n = m->text_len;
    GArray *rs = g_array_new(FALSE, FALSE, sizeof(range));
    for (guint i = 0; i < c->finds->len; i++) {
        const hb_find *f = &g_array_index(c->finds, hb_find, i);
        if (f->frame != m->frame)
            continue;
        size_t off = f->offset < n ? f->offset : 0;
        size_t end = f->length ? off + f->length : off;
        if (end > n)
            end = n;
        size_t b = off, e = end > off ? end - 1 : off;
        while (b > 0 && t[b - 1] != '\n')
            b--;
        while (e < n && t[e] != '\n')
            e++;
        if (e < n)
            e++;
        range r = {b, e, f->severity, f->rule->id};
        g_array_append_val(rs, r);
    }
    g_array_sort(rs, cmp_range);
    fputc('[', o);
    size_t pos = 0;
    int first = 1;
    for (guint i = 0; i < rs->len; i++) {
        range r = g_array_index(rs, range, i);
        if (r.e <= pos)
            continue; /* inside a range written already */
        if (r.b < pos)
            r.b = pos;
        if (r.b > pos) {
            fputs(first ? "[" : ",[", o);
            sl_html_json(o, t + pos, r.b - pos);
            fputs(",0,\"\"]", o);
            first = 0;
        }
        /* findings on the same lines share the mark, at the highest severity */
        GString *rules = g_string_new(r.rule);
        for (guint k = i + 1; k < rs->len; k++) {
            range *q = &g_array_index(rs, range, k);
            if (q->b < r.e) {
                if (q->e > r.e)
                    q->b = r.e; /* the rest of it comes later */
                else {
                    q->e = 0;
                }
                if (q->sev > r.sev)
                    r.sev = q->sev;
                if (!strstr(rules->str, q->rule))
                    g_string_append_printf(rules, " %s", q->rule);
            }
        }
        fputs(first ? "[" : ",[", o);
        sl_html_json(o, t + r.b, r.e - r.b);
        fprintf(o, ",%d,", r.sev);
        sl_html_json(o, rules->str, rules->len);
        fputc(']', o);
        g_string_free(rules, TRUE);
        first = 0;
        pos = r.e;
    }
    if (pos < n) {
        fputs(first ? "[" : ",[", o);
        sl_html_json(o, t + pos, n - pos);
        fputs(",0,\"\"]", o);
    }
    fputc(']', o);
    g_array_free(rs, TRUE);
}

static void ladder(html *h, const hb_cid *c, unsigned file_idx)
{
    FILE *o = h->diag;
    unsigned id = h->n_diagrams++;
    GArray *lanes = g_array_new(FALSE, TRUE, sizeof(lane));
    guint nm = c->msgs->len;
    int *from = g_new(int, nm ? nm : 1), *to = g_new(int, nm ? nm : 1), *sev = g_new0(int, nm ? nm : 1);
    char a[80];
    for (guint i = 0; i < nm; i++) {
        const hb_msg *m = g_ptr_array_index(c->msgs, i);
        hb_addr(m, 1, a, sizeof a);
        from[i] = lane_of(lanes, a[0] ? a : "sender");
        hb_addr(m, 0, a, sizeof a);
        to[i] = lane_of(lanes, a[0] ? a : "receiver");
        lane *l = &g_array_index(lanes, lane, from[i]);
        if (m->ua && !l->ua)
            l->ua = m->ua;
    }
    for (guint k = 0; k < c->finds->len; k++) {
        const hb_find *f = &g_array_index(c->finds, hb_find, k);
        int i = msg_index(c, f->frame);
        if (i >= 0 && (int)f->severity > sev[i])
            sev[i] = (int)f->severity;
    }
    /* brackets: findings with related frames that are in the diagram */
    unsigned nb = 0;
    for (guint k = 0; k < c->finds->len; k++) {
        const hb_find *f = &g_array_index(c->finds, hb_find, k);
        for (unsigned q = 0; q < f->n_related; q++)
            if (msg_index(c, f->frame) >= 0 && msg_index(c, f->related[q]) >= 0) {
                nb++;
                break;
            }
    }
    unsigned lanes_w = lanes->len * LANE_W;
    unsigned br_x0 = LEFT + lanes_w + 10;
    unsigned width = br_x0 + nb * 16 + 220;
    unsigned height = TOP + 24 + (nm ? nm : 1) * ROW;
    const hb_msg *m0 = nm ? g_ptr_array_index(c->msgs, 0) : NULL;

    fprintf(o, "<section class=\"ladder\" id=\"d%u\" data-f=\"%u\" data-cid=\"", id, file_idx);
    esc(o, c->call_id);
    fprintf(o, "\">\n<h3>Call-ID <code>");
    esc(o, c->call_id);
    fprintf(o, "</code> <span class=\"in\">");
    esc(o, ((hfile *)g_ptr_array_index(h->files, file_idx))->name);
    fprintf(o, "</span></h3>\n<ul class=\"dfind\">");
    for (guint k = 0; k < c->finds->len; k++) {
        const hb_find *f = &g_array_index(c->finds, hb_find, k);
        fprintf(o, "<li class=\"s%d\"><span class=\"sev\">%s</span> <a href=\"#rule-%s\">%s</a> frame "
                   "<a href=\"#d%u-f%" PRIu64 "\" class=\"fl\">%" PRIu64 "</a>",
                (int)f->severity, sl_severity_name(f->severity), f->rule->id, f->rule->id, id, f->frame,
                f->frame);
        if (f->n_related) {
            fputs(" (related:", o);
            for (unsigned q = 0; q < f->n_related; q++) {
                if (msg_index(c, f->related[q]) >= 0)
                    fprintf(o, " <a href=\"#d%u-f%" PRIu64 "\" class=\"fl\">%" PRIu64 "</a>", id, f->related[q],
                            f->related[q]);
                else
                    fprintf(o, " %" PRIu64 " (not kept)", f->related[q]);
            }
            fputc(')', o);
        }
        fputs(": ", o);
        esc(o, f->message);
        fputs("</li>", o);
    }
    fputs("</ul>\n", o);
    if (c->win_dropped || c->msgs_dropped || c->finds_dropped) {
        fputs("<p class=\"note\">", o);
        if (c->win_dropped)
            fprintf(o, "%" PRIu64 " earlier message%s of this Call-ID had left the recent window. ", c->win_dropped,
                    c->win_dropped == 1 ? "" : "s");
        if (c->msgs_dropped)
            fprintf(o, "%" PRIu64 " later message%s not drawn (%d at most). ", c->msgs_dropped,
                    c->msgs_dropped == 1 ? "" : "s", HB_DIAGRAM_MSGS);
        if (c->finds_dropped)
            fprintf(o, "%" PRIu64 " more finding%s in the table. ", c->finds_dropped, c->finds_dropped == 1 ? "" : "s");
        fputs("</p>\n", o);
    }
    fprintf(o, "<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lad\" width=\"%u\" "
               "height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\" aria-label=\"ladder diagram\">\n",
            width, height, width, height);
    fprintf(o, "<text x=\"8\" y=\"%d\" class=\"hd\">time</text><text x=\"96\" y=\"%d\" class=\"hd\">frame</text>\n",
            TOP - 8, TOP - 8);
    for (guint l = 0; l < lanes->len; l++) {
        const lane *ln = &g_array_index(lanes, lane, l);
        unsigned x = LEFT + l * LANE_W + LANE_W / 2;
        fprintf(o, "<g class=\"lane\"><title>");
        esc(o, ln->addr);
        if (ln->ua) {
            fputc(' ', o);
            esc(o, ln->ua);
        }
        fprintf(o, "</title><rect x=\"%u\" y=\"4\" width=\"%u\" height=\"40\" rx=\"4\"/>"
                   "<text x=\"%u\" y=\"20\" class=\"addr\">",
                x - LANE_W / 2 + 8, LANE_W - 16, x);
        esc(o, ln->addr);
        fprintf(o, "</text><text x=\"%u\" y=\"36\" class=\"ua\">", x);
        if (ln->ua)
            esc_trunc(o, ln->ua, 34);
        fprintf(o, "</text><line x1=\"%u\" y1=\"44\" x2=\"%u\" y2=\"%u\" class=\"life\"/></g>\n", x, x, height - 4);
    }
    for (guint i = 0; i < nm; i++) {
        const hb_msg *m = g_ptr_array_index(c->msgs, i);
        unsigned y = TOP + 24 + i * ROW;
        unsigned x1 = LEFT + (unsigned)from[i] * LANE_W + LANE_W / 2;
        unsigned x2 = LEFT + (unsigned)to[i] * LANE_W + LANE_W / 2;
        fprintf(o, "<g class=\"m%s%s\" id=\"d%u-f%" PRIu64 "\" data-i=\"%u\" data-frame=\"%" PRIu64 "\" data-sev=\"%d\" tabindex=\"0\">",
                sev[i] ? " off" : "", m->retrans ? " rt" : "", id, m->frame, i, m->frame, sev[i]);
        fputs("<title>", o);
        esc(o, m->summary);
        if (m->retrans)
            fputs(" (retransmission)", o);
        fputs("</title>", o);
        fprintf(o, "<rect class=\"hit%s\" x=\"0\" y=\"%u\" width=\"%u\" height=\"%u\"/>", sev[i] ? " band" : "",
                y - ROW + 8, br_x0 - 4, ROW);
        if (sev[i])
            fprintf(o, "<rect class=\"bar s%d\" x=\"0\" y=\"%u\" width=\"4\" height=\"%u\"/>", sev[i], y - ROW + 8, ROW);
        double dt = m0 ? (double)(m->ns - m0->ns) / 1e9 : 0;
        fprintf(o, "<text x=\"8\" y=\"%u\" class=\"t\">+%.3f s</text><text x=\"96\" y=\"%u\" class=\"t\">%" PRIu64
                   "</text>",
                y + 4, dt, y + 4, m->frame);
        const char *cls = sev[i] ? sev_class[sev[i]] : "n";
        if (x1 == x2) {
            fprintf(o, "<path class=\"arr a-%s%s\" d=\"M%u %u h40 v12 h-34\" marker-end=\"url(#ah-%s)\"/>", cls,
                    m->retrans ? " dash" : "", x1, y - 6, cls);
            fprintf(o, "<text x=\"%u\" y=\"%u\" class=\"lbl l-%s\" text-anchor=\"start\">", x1 + 46, y, cls);
        } else {
            int dir = x2 > x1 ? 1 : -1;
            fprintf(o, "<line class=\"arr a-%s%s\" x1=\"%u\" y1=\"%u\" x2=\"%d\" y2=\"%u\" marker-end=\"url(#ah-%s)\"/>",
                    cls, m->retrans ? " dash" : "", x1, y, (int)x2 - dir * 2, y, cls);
            fprintf(o, "<text x=\"%u\" y=\"%u\" class=\"lbl l-%s\">", (x1 + x2) / 2, y - 6, cls);
        }
        if (m->retrans)
            fputs("\xe2\x86\xbb ", o); /* ↻ */
        label(o, m);
        fputs("</text>", o);
        /* the rules found at this message, at the right */
        GString *rl = g_string_new(NULL);
        for (guint k = 0; k < c->finds->len; k++) {
            const hb_find *f = &g_array_index(c->finds, hb_find, k);
            if (f->frame == m->frame && !strstr(rl->str, f->rule->id))
                g_string_append_printf(rl, "%s%s", rl->len ? " " : "", f->rule->id);
        }
        if (rl->len) {
            fprintf(o, "<text x=\"%u\" y=\"%u\" class=\"rl l-%s\">", br_x0 + nb * 16 + 6, y + 4, cls);
            esc_trunc(o, rl->str, 60);
            fputs("</text>", o);
        }
        g_string_free(rl, TRUE);
        fputs("</g>\n", o);
    }
    /* related frames: a bracket from the offending message to each message it names */
    unsigned bi = 0;
    for (guint k = 0; k < c->finds->len; k++) {
        const hb_find *f = &g_array_index(c->finds, hb_find, k);
        int i = msg_index(c, f->frame);
        if (i < 0)
            continue;
        int any = 0;
        unsigned x = br_x0 + bi * 16 + 10;
        for (unsigned q = 0; q < f->n_related; q++) {
            int j = msg_index(c, f->related[q]);
            if (j < 0)
                continue;
            unsigned y1 = TOP + 24 + (unsigned)i * ROW - 2, y2 = TOP + 24 + (unsigned)j * ROW - 2;
            fprintf(o, "<path class=\"bracket b-%s\" data-rule=\"%s\" data-from=\"%" PRIu64 "\" data-to=\"%" PRIu64
                       "\" d=\"M%u %u h8 V%u h-8\"><title>%s: frame %" PRIu64 " relates to frame %" PRIu64
                       "</title></path>\n",
                    sev_class[f->severity], f->rule->id, f->frame, f->related[q], x - 8, y1, y2, f->rule->id,
                    f->frame, f->related[q]);
            any = 1;
        }
        if (any)
            bi++;
    }
    fputs("</svg></div>\n<div class=\"msgview\" hidden><div class=\"mvh\"></div><pre></pre></div>\n", o);
    /* the messages' text for the viewer */
    fputs("<script type=\"application/json\" class=\"msgs\">[", o);
    for (guint i = 0; i < nm; i++) {
        const hb_msg *m = g_ptr_array_index(c->msgs, i);
        char s[80], d[80];
        hb_addr(m, 1, s, sizeof s);
        hb_addr(m, 0, d, sizeof d);
        fprintf(o, "%s{\"f\":%" PRIu64 ",\"ff\":%" PRIu64 ",\"t\":%.6f,\"rt\":%d,\"tp\":\"%s\",\"len\":%u,\"src\":",
                i ? ",\n" : "\n", m->frame, m->frame_first, m0 ? (double)(m->ns - m0->ns) / 1e9 : 0.0, m->retrans,
                sl_transport_name(m->transport), m->full_len);
        json(o, s);
        fputs(",\"dst\":", o);
        json(o, d);
        fputs(",\"seg\":", o);
        if (m->text)
            segments(o, c, m);
        else
            fputs("null", o);
        fputc('}', o);
    }
    fputs("]</script>\n</section>\n", o);
    g_array_free(lanes, TRUE);
    g_free(from);
    g_free(to);
    g_free(sev);
}

void sl_html_messages(sl_reporter *r, const sl_msgbook *b)
{
    html *h = r->state;
    hfile *f = h->cur;
    if (!f || !b)
        return;
    unsigned fi = h->files->len - 1;
    f->has_facts = 1;
    f->messages = b->messages;
    f->first_ns = b->first_ns;
    f->last_ns = b->last_ns;
    f->endpoints = b->n_endpoints;
    f->endpoints_capped = b->endpoints_capped;
    f->undrawn_findings = b->undrawn_findings;
    if (!h->diag)
        return;
    for (guint i = 0; i < b->drawn->len; i++) {
        const hb_cid *c = g_ptr_array_index(b->drawn, i);
        ladder(h, c, fi);
        f->diagrams++;
    }
}

/* ---- the page ---- */

static const char css[] =
    ":root{--err:#c62828;--warn:#e07b00;--note:#1565c0;--fg:#1d232a;--mut:#5f6b76;--bg:#fff;--line:#d5dbe1}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);margin:0;background:#f5f7f9}"
    "header{background:#1d2b36;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}"
    "header p{margin:4px 0 0;color:#b8c4ce}nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);"
    "padding:8px 24px;z-index:2}nav a{margin-right:18px;color:#1d4f7a;text-decoration:none;font-weight:600}"
    "main{padding:0 24px 40px}section.top{background:#fff;border:1px solid var(--line);border-radius:6px;"
    "padding:12px 18px;margin:18px 0}h2{margin:4px 0 12px;font-size:18px}h3{font-size:15px;margin:6px 0}"
    "code,pre{font:12.5px/1.4 ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}"
    ".verdict{display:inline-block;padding:6px 12px;border-radius:4px;font-weight:700;color:#fff}"
    ".v0{background:#2e7d32}.v1{background:var(--err)}.v2{background:#6a1b9a}"
    "table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #e6eaee;text-align:left;vertical-align:top}"
    "th{background:#eef2f5}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".charts{display:flex;flex-wrap:wrap;gap:28px;margin-top:12px}.charts svg text{font-size:12px;fill:var(--fg)}"
    ".s3,.b-error{fill:var(--err);stroke:var(--err)}.s2,.b-warning{fill:var(--warn);stroke:var(--warn)}"
    ".s1,.b-note{fill:var(--note);stroke:var(--note)}rect.s1,rect.s2,rect.s3{stroke:none}"
    ".sev{font-weight:700;text-transform:uppercase;font-size:11px}li.s3 .sev,td .s3{color:var(--err)}"
    "li.s2 .sev,td .s2{color:var(--warn)}li.s1 .sev,td .s1{color:var(--note)}"
    "#ft{width:100%;font-size:13px}#ft th{cursor:pointer;user-select:none;white-space:nowrap}"
    "#ft th.asc:after{content:' \\25B2'}#ft th.desc:after{content:' \\25BC'}#ft td.msg{max-width:520px}"
    "#ft td.cid{max-width:220px;word-break:break-all}.filters{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:10px}"
    ".filters label{font-size:12px;color:var(--mut);display:flex;flex-direction:column}"
    ".filters input,.filters select{font:inherit;padding:3px 6px}#pager{margin-top:8px}#pager button{margin:0 6px}"
    "section[id]{scroll-margin-top:44px}section.ladder{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 16px;margin:16px 0}"
    "section.ladder:target{box-shadow:0 0 0 3px #90caf9}.in{color:var(--mut);font-weight:400;font-size:12px}"
    "ul.dfind{margin:4px 0 8px;padding-left:18px}ul.dfind li{margin:2px 0}.note{color:var(--mut);font-size:12px}"
    ".scroll{overflow-x:auto}svg.lad{font:12px system-ui,sans-serif;display:block}"
    "svg.lad .lane rect{fill:#eef3f8;stroke:#9fb3c8}svg.lad .addr{font:600 12px ui-monospace,monospace;text-anchor:middle}"
    "svg.lad .ua{fill:var(--mut);text-anchor:middle;font-size:11px}svg.lad .life{stroke:#b0bcc8;stroke-dasharray:4 3}"
    "svg.lad .hd{fill:var(--mut);font-size:11px}svg.lad .t{fill:var(--mut);font:11px ui-monospace,monospace}"
    "svg.lad .hit{fill:transparent}svg.lad .band{fill-opacity:.09}svg.lad g.off.s3 .band,svg.lad g[data-sev='3'] .band{fill:var(--err)}"
    "svg.lad g[data-sev='2'] .band{fill:var(--warn)}svg.lad g[data-sev='1'] .band{fill:var(--note)}"
    "svg.lad g.m{cursor:pointer}svg.lad g.m:hover .hit{fill:#000;fill-opacity:.04}svg.lad g.m.sel .hit{fill:#1565c0;fill-opacity:.12}"
    "svg.lad .arr{stroke:#37474f;stroke-width:1.6;fill:none}svg.lad .arr.dash{stroke-dasharray:6 4}"
    "svg.lad .a-error{stroke:var(--err);stroke-width:2.6}svg.lad .a-warning{stroke:var(--warn);stroke-width:2.6}"
    "svg.lad .a-note{stroke:var(--note);stroke-width:2.2}svg.lad .lbl{text-anchor:middle;fill:#263238}"
    "svg.lad .l-error{fill:var(--err);font-weight:600}svg.lad .l-warning{fill:#b35f00;font-weight:600}"
    "svg.lad .l-note{fill:var(--note)}svg.lad .rl{font-size:11px;font-weight:600}"
    "svg.lad .bracket{fill:none;stroke-width:2}"
    ".msgview{border:1px solid var(--line);border-radius:4px;margin-top:8px;background:#fbfcfd}"
    ".mvh{padding:4px 10px;background:#eef2f5;font-size:12px}.msgview pre{margin:0;padding:8px 10px;"
    "white-space:pre-wrap;word-break:break-all;max-height:480px;overflow:auto}"
    "mark{padding:1px 0}mark.s3{background:#ffcdd2;outline:1px solid var(--err)}mark.s2{background:#ffe0b2;"
    "outline:1px solid var(--warn)}mark.s1{background:#bbdefb;outline:1px solid var(--note)}"
    "mark i{font-style:normal;font-size:11px;font-weight:700;float:right;padding:0 4px}"
    "section.rule{border-top:1px solid var(--line);padding-top:6px;margin-top:14px}section.rule:target{background:#fffde7}"
    "table.md{margin:6px 0}pre code{display:block;background:#f3f5f7;padding:8px;overflow-x:auto}"
    "#undrawn li{display:inline-block;margin:2px 12px 2px 0}";

static const char js[] =
    "(function(){'use strict';\n"
    "var D=JSON.parse(document.getElementById('sl-data').textContent);\n"
    "var R=D.rules,F=D.findings,SEV=['none','note','warning','error'];\n"
    "function el(t,c,x){var e=document.createElement(t);if(c)e.className=c;if(x!=null)e.textContent=x;return e;}\n"
    "var dmap={};document.querySelectorAll('section.ladder').forEach(function(s){dmap[s.dataset.f+'\\n'+s.dataset.cid]=s.id;});\n"
    "/* the message viewer */\n"
    "function show(g){var s=g.closest('section.ladder');if(!s)return;var ms=s._m;if(!ms){ms=s._m=JSON.parse(s.querySelector('script.msgs').textContent);}\n"
    " var m=ms[+g.dataset.i];s.querySelectorAll('g.m.sel').forEach(function(x){x.classList.remove('sel');});g.classList.add('sel');\n"
    " var v=s.querySelector('.msgview'),h=v.querySelector('.mvh'),p=v.querySelector('pre');v.hidden=false;\n"
    " h.textContent='frame '+m.f+(m.ff!==m.f?' (from frame '+m.ff+')':'')+'  '+m.src+' \\u2192 '+m.dst+'  '+m.tp+'  +'+m.t.toFixed(3)+' s  '+m.len+' bytes'+(m.rt?'  retransmission':'');\n"
    " p.textContent='';if(!m.seg){p.textContent='(text not kept: the report\\'s memory bound was reached)';return;}\n"
    " m.seg.forEach(function(x){if(x[1]){var k=el('mark','s'+x[1]);k.appendChild(el('i',null,x[2]));k.appendChild(document.createTextNode(x[0]));p.appendChild(k);}else p.appendChild(document.createTextNode(x[0]));});\n"
    " if(m.len>16384)p.appendChild(el('em',null,'\\n(\\u2026 '+(m.len-16384)+' more bytes not kept)'));\n"
    " var mk=p.querySelector('mark');if(mk)p.scrollTop=Math.max(0,mk.offsetTop-p.offsetTop-40);}\n"
    "document.querySelectorAll('svg.lad g.m').forEach(function(g){g.addEventListener('click',function(){show(g);});\n"
    " g.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();show(g);}});});\n"
    "function go(id){var g=document.getElementById(id);if(g&&g.classList.contains('m')){show(g);}}\n"
    "document.addEventListener('click',function(e){var a=e.target.closest('a.fl');if(a){go(a.getAttribute('href').slice(1));}});\n"
    "if(location.hash)go(location.hash.slice(1));\n"
    "/* the findings table */\n"
    "var tb=document.querySelector('#ft tbody'),pg=document.getElementById('pager'),PAGE=250,page=0,sortk=-1,sortd=1,rows=F.map(function(f,i){return i;});\n"
    "var fr=document.getElementById('f-rule'),fs=document.getElementById('f-sev'),fc=document.getElementById('f-cid'),fe=document.getElementById('f-ep'),fq=document.getElementById('f-q');\n"
    "var used={};F.forEach(function(f){used[f[2]]=(used[f[2]]||0)+1;});Object.keys(used).sort(function(a,b){return R[a].id<R[b].id?-1:1;}).forEach(function(k){var o=el('option',null,R[k].id+' ('+used[k]+')');o.value=k;fr.appendChild(o);});\n"
    "function key(f,k){switch(k){case 0:return f[14];case 1:return -f[3];case 2:return R[f[2]].id;case 3:return D.files[f[0]]+'\\u0000'+('0000000000'+f[1]).slice(-12);case 4:return f[5];case 5:return f[7]+' '+f[8];case 6:return f[4];}return 0;}\n"
    "function apply(){var r=fr.value,s=fs.value,c=fc.value.toLowerCase(),e=fe.value.toLowerCase(),q=fq.value.toLowerCase();\n"
    " rows=[];for(var i=0;i<F.length;i++){var f=F[i];if(r!==''&&f[2]!=+r)continue;if(s!==''&&f[3]<+s)continue;\n"
    "  if(c&&f[5].toLowerCase().indexOf(c)<0)continue;if(e&&(f[7]+' '+f[8]).toLowerCase().indexOf(e)<0)continue;\n"
    "  if(q&&(f[4]+' '+f[11]+' '+R[f[2]].id).toLowerCase().indexOf(q)<0)continue;rows.push(i);}\n"
    " if(sortk>=0)rows.sort(function(a,b){var x=key(F[a],sortk),y=key(F[b],sortk);return (x<y?-1:x>y?1:a-b)*sortd;});page=0;draw();}\n"
    "function draw(){tb.textContent='';var n=rows.length,from=page*PAGE,to=Math.min(n,from+PAGE);\n"
    " for(var k=from;k<to;k++){var i=rows[k],f=F[i],tr=el('tr');tr.id='f'+i;\n"
    "  tr.appendChild(el('td','n',String(i+1)));var sv=el('td');sv.appendChild(el('span','sev s'+f[3],SEV[f[3]]));tr.appendChild(sv);\n"
    "  var rt=el('td'),ra=el('a',null,R[f[2]].id);ra.href='#rule-'+R[f[2]].id;ra.title=R[f[2]].summary+' ('+R[f[2]].rfc+')';rt.appendChild(ra);tr.appendChild(rt);\n"
    "  tr.appendChild(el('td',null,D.files[f[0]]+':'+f[1]));tr.appendChild(el('td','cid',f[5]+(f[6]?'  ['+f[6]+']':'')));\n"
    "  tr.appendChild(el('td',null,f[7]?f[7]+' \\u2192 '+f[8]:''));var mt=el('td','msg',f[4]);if(f[10].length)mt.appendChild(el('div','note','related frames: '+f[10].join(', ')));tr.appendChild(mt);\n"
    "  var dt=el('td'),id=dmap[f[0]+'\\n'+f[5]];if(id){var a=el('a','fl','ladder');a.href='#'+id+'-f'+f[1];dt.appendChild(a);}else if(f[5])dt.appendChild(el('span','note','listed'));tr.appendChild(dt);\n"
    "  tb.appendChild(tr);}\n"
    " pg.textContent='';pg.appendChild(document.createTextNode(n?('findings '+(from+1)+'\\u2013'+to+' of '+n+(n!==F.length?' (filtered from '+F.length+')':'')):'no finding matches'));\n"
    " if(page>0){var b=el('button',null,'previous');b.onclick=function(){page--;draw();};pg.appendChild(b);}\n"
    " if(to<n){var c2=el('button',null,'next');c2.onclick=function(){page++;draw();};pg.appendChild(c2);}}\n"
    "document.querySelectorAll('#ft th').forEach(function(th,k){th.addEventListener('click',function(){if(sortk===k)sortd=-sortd;else{sortk=k;sortd=1;}\n"
    " document.querySelectorAll('#ft th').forEach(function(x){x.classList.remove('asc','desc');});th.classList.add(sortd>0?'asc':'desc');apply();});});\n"
    "[fr,fs].forEach(function(x){x.addEventListener('change',apply);});[fc,fe,fq].forEach(function(x){x.addEventListener('input',apply);});\n"
    "F.forEach(function(f,i){f[14]=i;});apply();\n"
    "/* Call-IDs with findings but no diagram */\n"
    "var und={},nu=0;F.forEach(function(f){if(f[5]&&!dmap[f[0]+'\\n'+f[5]]){var k=f[0]+'\\n'+f[5];if(!und[k]){und[k]=0;nu++;}und[k]++;}});\n"
    "var ul=document.getElementById('undrawn');if(nu){var ks=Object.keys(und);document.getElementById('undrawn-n').textContent=nu+' Call-ID'+(nu>1?'s':'')+' with findings have no diagram (the first '+D.perRule+' Call-IDs per rule and input are drawn); click one to filter the table:';\n"
    " ks.slice(0,1000).forEach(function(k){var c=k.slice(k.indexOf('\\n')+1),li=el('li'),a=el('a',null,c+' ('+und[k]+')');a.href='#findings';a.onclick=function(){fc.value=c;apply();};li.appendChild(a);ul.appendChild(li);});\n"
    " if(ks.length>1000)ul.appendChild(el('li','note','and '+(ks.length-1000)+' more'));}\n"
    "})();\n";

static void bar_chart(FILE *o, const char *title, unsigned n, const char *const *labels, const uint64_t *v,
                      const int *sev)
{
    uint64_t max = 1;
    for (unsigned i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    unsigned h = 26 + n * 20;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"470\" height=\"%u\" role=\"img\" aria-label=\"", h);
    esc(o, title);
    fprintf(o, "\"><text x=\"0\" y=\"14\" font-weight=\"600\">");
    esc(o, title);
    fputs("</text>", o);
    for (unsigned i = 0; i < n; i++) {
        unsigned y = 24 + i * 20;
        unsigned w = v[i] ? (unsigned)(1 + 250.0 * (double)v[i] / (double)max) : 0;
        fprintf(o, "<text x=\"0\" y=\"%u\">", y + 12);
        esc(o, labels[i]);
        fprintf(o, "</text><rect class=\"s%d\" x=\"170\" y=\"%u\" width=\"%u\" height=\"14\" rx=\"2\"/>"
                   "<text x=\"%u\" y=\"%u\">%" PRIu64 "</text>",
                sev[i], y + 2, w, 176 + w, y + 12, v[i]);
    }
    fputs("</svg>", o);
}

static int copy_spool(html *h, int k, FILE *from, FILE *to)
{
    if (!from)
        return 0;
    if (fflush(from) != 0)
        return -1;
    if (h->mem[k]) { /* an open_memstream: the bytes are in memory */
        fwrite(h->mem[k], 1, h->mem_len[k], to);
        return 0;
    }
    if (fseek(from, 0, SEEK_SET) != 0)
        return -1;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        fwrite(buf, 1, n, to);
    return ferror(from) ? -1 : 0;
}

static void fmt_duration(char *buf, size_t cap, const hfile *f)
{
    if (!f->has_facts || f->messages == 0 || f->last_ns < f->first_ns) {
        g_strlcpy(buf, "", cap);
        return;
    }
    snprintf(buf, cap, "%.3f s", (double)(f->last_ns - f->first_ns) / 1e9);
}

void sl_html_finish(sl_reporter *r, const sl_totals *t)
{
    html *h = r->state;
    FILE *o = r->out;
    int verdict = 0;
    if (t->input_errors)
        verdict = 2;
    else
        for (int s = r->o.fail_on; s <= SL_SEV_ERROR; s++)
            if (t->by_severity[s])
                verdict = 1;

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"siplint " SIPLINT_VERSION "\">\n<title>siplint report",
          o);
    if (h->files->len == 1) {
        fputs(": ", o);
        esc(o, ((hfile *)g_ptr_array_index(h->files, 0))->name);
    }
    fprintf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    /* arrowheads, shared by every diagram */
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\" style=\"position:absolute\" "
          "aria-hidden=\"true\"><defs>",
          o);
    static const char *const heads[][2] = {
        {"n", "#37474f"}, {"note", "#1565c0"}, {"warning", "#e07b00"}, {"error", "#c62828"}};
    for (size_t i = 0; i < G_N_ELEMENTS(heads); i++)
        fprintf(o, "<marker id=\"ah-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
                   "markerHeight=\"7\" orient=\"auto-start-reverse\" markerUnits=\"userSpaceOnUse\" "
                   "style=\"overflow:visible\"><path d=\"M0 0L10 5L0 10z\" fill=\"%s\" transform=\"scale(1.2)\" "
                   "transform-origin=\"9 5\"/></marker>",
                heads[i][0], heads[i][1]);
    fputs("</defs></svg>\n", o);

    fprintf(o, "<header><h1>siplint report</h1><p>siplint %s \xc2\xb7 %" PRIu64 " input%s \xc2\xb7 fail-on %s</p>"
               "</header>\n",
            SIPLINT_VERSION, t->files, t->files == 1 ? "" : "s", sl_severity_name(r->o.fail_on));
    fputs("<nav><a href=\"#summary\">Summary</a><a href=\"#findings\">Findings</a><a href=\"#diagrams\">Ladder "
          "diagrams</a><a href=\"#rules\">Rules</a></nav>\n<main>\n",
          o);

    /* summary */
    static const char *const vtext[] = {"no finding at or above the fail-on level",
                                        "findings at or above the fail-on level",
                                        "an input could not be read, whole or in part"};
    fprintf(o, "<section class=\"top\" id=\"summary\"><h2>Summary</h2>\n<p><span class=\"verdict v%d\" "
               "id=\"verdict\" data-exit=\"%d\">exit status %d</span> %s (fail-on: %s)</p>\n",
            verdict, verdict, verdict, vtext[verdict], sl_severity_name(r->o.fail_on));
    fprintf(o, "<p>%" PRIu64 " finding%s: %" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64 " note%s; %" PRIu64
               " packets, %" PRIu64 " SIP messages",
            t->findings, t->findings == 1 ? "" : "s", t->by_severity[SL_SEV_ERROR],
            t->by_severity[SL_SEV_ERROR] == 1 ? "" : "s", t->by_severity[SL_SEV_WARNING],
            t->by_severity[SL_SEV_WARNING] == 1 ? "" : "s", t->by_severity[SL_SEV_NOTE],
            t->by_severity[SL_SEV_NOTE] == 1 ? "" : "s", t->packets, t->sip_messages);
    if (t->suppressed)
        fprintf(o, "; %" PRIu64 " suppressed", t->suppressed);
    if (t->baselined)
        fprintf(o, "; %" PRIu64 " in the baseline", t->baselined);
    if (t->input_errors)
        fprintf(o, "; %" PRIu64 " input error%s", t->input_errors, t->input_errors == 1 ? "" : "s");
    fputs(".</p>\n", o);
    fputs("<table class=\"facts\"><thead><tr><th>input</th><th>packets</th><th>SIP messages</th><th>duration</th>"
          "<th>endpoints</th><th>findings</th><th>diagrams</th></tr></thead><tbody>\n",
          o);
    for (guint i = 0; i < h->files->len; i++) {
        hfile *f = g_ptr_array_index(h->files, i);
        char dur[64];
        fmt_duration(dur, sizeof dur, f);
        fputs("<tr><td>", o);
        esc(o, f->name);
        fprintf(o, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s</td>"
                   "<td class=\"n\">%u%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%u</td></tr>\n",
                f->t.packets, f->t.sip_messages, dur, f->endpoints, f->endpoints_capped ? "+" : "", f->t.findings,
                f->diagrams);
        for (guint k = 0; k < f->errors->len; k++) {
            fputs("<tr><td colspan=\"7\" class=\"s3\">input error: ", o);
            esc(o, g_ptr_array_index(f->errors, k));
            fputs("</td></tr>\n", o);
        }
    }
    fputs("</tbody></table>\n<div class=\"charts\">", o);
    {
        const char *labels[3] = {"error", "warning", "note"};
        uint64_t v[3] = {t->by_severity[SL_SEV_ERROR], t->by_severity[SL_SEV_WARNING], t->by_severity[SL_SEV_NOTE]};
        int sv[3] = {3, 2, 1};
        bar_chart(o, "Findings by severity", 3, labels, v, sv);
    }
    {
        const char *labels[SL_RULE__COUNT];
        uint64_t v[SL_RULE__COUNT];
        int sv[SL_RULE__COUNT];
        unsigned n = 0;
        for (int s = SL_SEV_ERROR; s >= SL_SEV_NOTE; s--)
            for (size_t i = 0; i < SL_RULE__COUNT; i++) {
                int rs = r->o.rule_severity ? (int)r->o.rule_severity[i] : (int)sl_rule_at(i)->severity;
                if (rs == SL_SEV_NONE)
                    rs = SL_SEV_NOTE;
                if (!t->by_rule[i] || rs != s)
                    continue;
                labels[n] = sl_rule_at(i)->id;
                v[n] = t->by_rule[i];
                sv[n] = s;
                n++;
            }
        if (n)
            bar_chart(o, "Findings by rule", n, labels, v, sv);
    }
    fputs("</div></section>\n", o);

    /* findings */
    fputs("<section class=\"top\" id=\"findings\"><h2>Findings</h2>\n<div class=\"filters\">"
          "<label>rule<select id=\"f-rule\"><option value=\"\">all</option></select></label>"
          "<label>severity at least<select id=\"f-sev\"><option value=\"\">all</option><option value=\"3\">error"
          "</option><option value=\"2\">warning</option><option value=\"1\">note</option></select></label>"
          "<label>Call-ID<input id=\"f-cid\" type=\"search\" placeholder=\"contains\"></label>"
          "<label>endpoint<input id=\"f-ep\" type=\"search\" placeholder=\"address:port\"></label>"
          "<label>text<input id=\"f-q\" type=\"search\" placeholder=\"message, line\"></label></div>\n"
          "<noscript><p>The findings table needs JavaScript; the ladder diagrams and rule pages below do "
          "not.</p></noscript>\n"
          "<table id=\"ft\"><thead><tr><th>#</th><th>severity</th><th>rule</th><th>input:frame</th><th>Call-ID "
          "[CSeq]</th><th>endpoints</th><th>message</th><th>diagram</th></tr></thead><tbody></tbody></table>\n"
          "<div id=\"pager\"></div></section>\n",
          o);

    /* diagrams */
    fprintf(o, "<section class=\"top\" id=\"diagrams\"><h2>Ladder diagrams</h2>\n<p class=\"note\">%u diagram%s: one "
               "per Call-ID with a finding (the first %d Call-IDs per rule and input, %d per input at most). Click "
               "a message to see its text, the offending lines marked. Dashed arrows with \xe2\x86\xbb are "
               "retransmissions; brackets on the right join a finding's message to its related frames.</p>\n",
            h->n_diagrams, h->n_diagrams == 1 ? "" : "s", HB_DIAGRAMS_PER_RULE, HB_DIAGRAMS_MAX);
    int rc = copy_spool(h, 1, h->diag, o);
    fputs("<p id=\"undrawn-n\" class=\"note\"></p><ul id=\"undrawn\"></ul></section>\n", o);

    /* rule pages of the rules that reported */
    fputs("<section class=\"top\" id=\"rules\"><h2>Rules</h2>\n", o);
    int any = 0;
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        if (!t->by_rule[i])
            continue;
        const sl_rule *ru = sl_rule_at(i);
        any = 1;
        fprintf(o, "<section class=\"rule\" id=\"rule-%s\">\n", ru->id);
        const char *md = sl_html_rule_doc(ru->id);
        if (md)
            sl_html_markdown(o, md);
        else {
            fprintf(o, "<h3>%s</h3><p>", ru->id);
            esc(o, ru->summary);
            fputs(" (", o);
            esc(o, ru->rfc);
            fputs(")</p>", o);
        }
        fputs("</section>\n", o);
    }
    if (!any)
        fputs("<p>No rule reported.</p>\n", o);
    fputs("</section>\n</main>\n", o);

    /* data */
    fputs("<script type=\"application/json\" id=\"sl-data\">{\"files\":[", o);
    for (guint i = 0; i < h->files->len; i++) {
        if (i)
            fputc(',', o);
        json(o, ((hfile *)g_ptr_array_index(h->files, i))->name);
    }
    fprintf(o, "],\"perRule\":%d,\"rules\":[", HB_DIAGRAMS_PER_RULE);
    for (size_t i = 0; i < sl_rule_count(); i++) {
        const sl_rule *ru = sl_rule_at(i);
        fprintf(o, "%s{\"id\":\"%s\",\"rfc\":", i ? ",\n" : "\n", ru->id);
        json(o, ru->rfc);
        fputs(",\"summary\":", o);
        json(o, ru->summary);
        fputc('}', o);
    }
    fputs("],\n\"findings\":[\n", o);
    if (copy_spool(h, 0, h->rows, o) != 0)
        rc = -1;
    fprintf(o, "]}</script>\n<script>%s</script>\n</body>\n</html>\n", js);
    if (rc != 0)
        fputs("<!-- siplint: a temporary file could not be read back -->\n", o);

    if (h->rows)
        fclose(h->rows);
    if (h->diag)
        fclose(h->diag);
    for (guint i = 0; i < h->files->len; i++) {
        hfile *f = g_ptr_array_index(h->files, i);
        g_free(f->name);
        g_ptr_array_free(f->errors, TRUE);
        g_free(f);
    }
    g_ptr_array_free(h->files, TRUE);
    g_string_free(h->buf, TRUE);
    free(h->mem[0]);
    free(h->mem[1]);
    g_free(h);
}
