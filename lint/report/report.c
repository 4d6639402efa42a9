/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding records, the reporter's dispatch, and the text and JSON Lines renderers (docs/cli.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"
#include "report_internal.h"

#define SL_JSONL_SCHEMA 1
#define SHOW_MAX 200 /* bytes of a start line or header line kept for display */

static const char *const format_names[SL_FMT__COUNT] = {"text", "jsonl", "sarif", "junit",
                                                        "codequality", "html"};

int sl_format_parse(const char *s, sl_format *out)
{
    for (int i = 0; i < SL_FMT__COUNT; i++)
        if (strcmp(s, format_names[i]) == 0) {
            *out = (sl_format)i;
            return 0;
        }
    return -1;
}

const char *sl_format_name(sl_format f)
{
    return (unsigned)f < SL_FMT__COUNT ? format_names[f] : "?";
}

/* ---- records ---- */

static size_t span_cap(sl_span s, size_t max)
{
    return s.p == NULL ? 0 : s.len > max ? max : s.len;
}

/* the next string of a record's block: n bytes of p and a NUL */
static char *put_str(char **at, const char *p, size_t n)
{
    char *d = *at;
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    *at = d + n + 1;
    return d;
}

/* One allocation per record: the strings follow the structure (a record is made and freed per
 * finding; six allocations each were a tenth of the report's cost). */
sl_rec *sl_rec_new(const char *file, const sl_finding *f, size_t avail, uint64_t file_offset)
{
    const char *msg = f->message ? f->message : "";
    size_t n_msg = strlen(msg);
    size_t n_cid = span_cap(f->call_id, 1024), n_cm = span_cap(f->cseq_method, 64),
           n_sl = span_cap(f->start_line, SHOW_MAX);
    /* The line that holds the offending bytes; for a finding about the whole message, its
     * start line. Bounded by what the caller says is readable. */
    const char *base = f->start_line.p, *line = "";
    size_t n_line = 0;
    if (base != NULL && f->start_line.len > 0 && avail > 0) {
        size_t pos = f->offset < avail ? f->offset : avail - 1;
        size_t b = pos, e = pos;
        while (b > 0 && base[b - 1] != '\n')
            b--;
        while (e < avail && base[e] != '\n' && base[e] != '\r')
            e++;
        line = base + b;
        n_line = e - b > SHOW_MAX ? SHOW_MAX : e - b;
    }
    sl_rec *r = g_try_malloc0(sizeof *r + n_msg + n_cid + n_cm + n_sl + n_line + 5);
    if (r == NULL)
        return NULL;
    char *at = (char *)(r + 1);
    r->file = file;
    r->rule = f->rule;
    r->severity = f->severity;
    r->message = put_str(&at, msg, n_msg);
    r->frame = f->frame;
    r->frame_first = f->meta ? f->meta->frame_first : f->frame;
    r->n_related = f->n_related > SL_MAX_RELATED ? SL_MAX_RELATED : f->n_related;
    memcpy(r->related, f->related, r->n_related * sizeof r->related[0]);
    r->offset = f->offset;
    r->length = f->length;
    r->msg_len = f->msg_len;
    r->call_id = put_str(&at, f->call_id.p, n_cid);
    r->cseq = f->cseq;
    r->cseq_method = put_str(&at, f->cseq_method.p, n_cm);
    r->start_line = put_str(&at, f->start_line.p, n_sl);
    if (f->meta) {
        r->has_meta = 1;
        r->meta = *f->meta;
    }
    r->fingerprint = f->fingerprint;
    r->file_offset = file_offset;
    if (file_offset != SL_NO_OFFSET)
        r->file_length = f->msg_len && f->msg_len < avail ? f->msg_len : avail;
    r->line = put_str(&at, line, n_line);
    return r;
}

void sl_rec_free(sl_rec *r)
{
    g_free(r); /* the strings live in the same block */
}

void sl_rec_addr(const sl_rec *r, int src, char *buf, size_t cap)
{
    const sl_meta *m = &r->meta;
    const uint8_t *a = src ? m->src : m->dst;
    unsigned port = src ? m->sport : m->dport;
    if (r->has_meta && m->af == 4 && cap >= 22) {
        /* "%u.%u.%u.%u:%u" without snprintf (two per finding were 6 % of a jsonl run) */
        char *o = buf;
        for (int i = 0; i < 5; i++) {
            unsigned v = i < 4 ? a[i] : port;
            char t[5];
            int n = 0;
            do {
                t[n++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            while (n)
                *o++ = t[--n];
            *o++ = i < 3 ? '.' : i == 3 ? ':' : '\0';
        }
    } else if (r->has_meta && m->af == 4)
        snprintf(buf, cap, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], port);
    else if (r->has_meta && m->af == 6) {
        char h[64];
        size_t o = 0;
        for (int i = 0; i < 16; i += 2)
            o += (size_t)snprintf(h + o, sizeof h - o, "%s%x", i ? ":" : "", (a[i] << 8) | a[i + 1]);
        snprintf(buf, cap, "[%s]:%u", h, port);
    } else if (cap)
        buf[0] = 0;
}

void sl_totals_add(sl_totals *into, const sl_totals *t)
{
    into->files += t->files;
    into->packets += t->packets;
    into->bytes += t->bytes;
    into->sip_messages += t->sip_messages;
    into->findings += t->findings;
    for (int i = 0; i < 4; i++)
        into->by_severity[i] += t->by_severity[i];
    for (int i = 0; i < SL_RULE__COUNT; i++) {
        into->by_rule[i] += t->by_rule[i];
        for (int k = 0; k < 4; k++)
            into->by_rule_sev[i][k] += t->by_rule_sev[i][k];
    }
    into->input_errors += t->input_errors;
    into->suppressed += t->suppressed;
    into->baselined += t->baselined;
}

char *sl_rec_line(const sl_rec *rec)
{
    return g_strdup_printf("%s:%" PRIu64 ": %s: %s [%s, %s]", rec->file, rec->frame,
                           sl_severity_name(rec->severity), rec->message, rec->rule->id,
                           rec->rule->rfc);
}

/* ---- JSON and XML helpers ---- */

void sl_json_string(FILE *out, const char *s, size_t len)
{
    const char *end = s + len;
    fputc('"', out);
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            /* copy a valid UTF-8 sequence as is; escape a stray byte as a code point */
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2) {
                const char *nx = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(nx - s), out);
                s = nx;
                continue;
            }
            fprintf(out, "\\u%04x", c);
            s++;
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\u%04x", c);
            else
                fputc(c, out);
        }
        s++;
    }
    fputc('"', out);
}

void sl_json_key_str(FILE *out, const char *key, const char *s)
{
    fprintf(out, ",\"%s\":", key);
    sl_json_string(out, s, strlen(s));
}

/* XML 1.0 allows neither most control characters nor invalid UTF-8: write those as U+FFFD's
 * neighbour, a visible \xNN, so that every parser accepts the report. */
void sl_xml_text(FILE *out, const char *s)
{
    const char *end = s + strlen(s);
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2 && u != 0xfffe && u != 0xffff) {
                const char *nx = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(nx - s), out);
                s = nx;
                continue;
            }
            fprintf(out, "\\x%02x", c);
            s++;
            continue;
        }
        switch (c) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        case '\n': fputs("&#10;", out); break;
        case '\t': fputs("&#9;", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
        s++;
    }
}

/* ---- text ---- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *sev_color(sl_severity s)
{
    switch (s) {
    case SL_SEV_ERROR: return "\033[1;31m";
    case SL_SEV_WARNING: return "\033[1;33m";
    case SL_SEV_NOTE: return "\033[1;36m";
    default: return "";
    }
}

/* Capture bytes are hostile: a Call-ID must not move the cursor or recolour the terminal.
 * Printable ASCII and valid UTF-8 pass, everything else becomes \xNN. */
static void text_safe(FILE *o, const char *s)
{
    const char *end = s + strlen(s);
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2 && g_unichar_isprint(u)) {
                const char *nx = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(nx - s), o);
                s = nx;
                continue;
            }
            fprintf(o, "\\x%02x", c);
        } else if (c == '\t')
            fputc(' ', o);
        else if (c < 0x20 || c == 0x7f)
            fprintf(o, "\\x%02x", c);
        else
            fputc(c, o);
        s++;
    }
}

static void text_finding(sl_reporter *r, const sl_rec *rec)
{
    FILE *o = r->out;
    int c = r->o.color;
    fprintf(o, "%s", c ? C_BOLD : "");
    text_safe(o, rec->file);
    fprintf(o, ":%" PRIu64 ":%s %s%s:%s ", rec->frame, c ? C_RESET : "", c ? sev_color(rec->severity) : "",
            sl_severity_name(rec->severity), c ? C_RESET : "");
    text_safe(o, rec->message);
    fprintf(o, " %s[%s, %s]%s\n", c ? C_DIM : "", rec->rule->id, rec->rule->rfc, c ? C_RESET : "");
    if (rec->call_id[0] || rec->cseq) {
        fprintf(o, "    %sCall-ID:%s ", c ? C_DIM : "", c ? C_RESET : "");
        text_safe(o, rec->call_id[0] ? rec->call_id : "(none)");
        if (rec->cseq) {
            fprintf(o, "  %sCSeq:%s %" PRIu64 " ", c ? C_DIM : "", c ? C_RESET : "", rec->cseq);
            text_safe(o, rec->cseq_method);
        }
        fputc('\n', o);
    }
    if (rec->line[0]) {
        fprintf(o, "    %s|%s ", c ? C_DIM : "", c ? C_RESET : "");
        text_safe(o, rec->line);
        fputc('\n', o);
    }
}

static void text_summary(sl_reporter *r, const sl_totals *t)
{
    FILE *o = r->out;
    if (t->findings && !r->o.no_table) {
        fprintf(o, "\n%-28s %-8s %8s\n", "rule", "severity", "findings");
        /* One row per rule and the severity its findings really had: a rule may report a
         * milder case at a lower severity than its default (SIP-VIA-BRANCH, MSG-RESP-CONTACT). */
        for (size_t i = 0; i < SL_RULE__COUNT; i++) {
            for (int s = SL_SEV_ERROR; s >= SL_SEV_NOTE; s--) {
                if (!t->by_rule_sev[i][s])
                    continue;
                fprintf(o, "%-28s %s%-8s%s %8" PRIu64 "\n", sl_rule_at(i)->id,
                        r->o.color ? sev_color((sl_severity)s) : "", sl_severity_name((sl_severity)s),
                        r->o.color ? C_RESET : "", t->by_rule_sev[i][s]);
            }
        }
    }
    fprintf(o,
            "%" PRIu64 " finding%s (%" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64
            " note%s) in %" PRIu64 " file%s: %" PRIu64 " packets, %" PRIu64 " SIP messages",
            t->findings, t->findings == 1 ? "" : "s", t->by_severity[SL_SEV_ERROR],
            t->by_severity[SL_SEV_ERROR] == 1 ? "" : "s", t->by_severity[SL_SEV_WARNING],
            t->by_severity[SL_SEV_WARNING] == 1 ? "" : "s", t->by_severity[SL_SEV_NOTE],
            t->by_severity[SL_SEV_NOTE] == 1 ? "" : "s", t->files, t->files == 1 ? "" : "s",
            t->packets, t->sip_messages);
    if (t->suppressed)
        fprintf(o, "; %" PRIu64 " suppressed", t->suppressed);
    if (t->baselined)
        fprintf(o, "; %" PRIu64 " in the baseline", t->baselined);
    if (t->input_errors)
        fprintf(o, "; %" PRIu64 " input error%s", t->input_errors, t->input_errors == 1 ? "" : "s");
    fputc('\n', o);
}

/* ---- JSON Lines ---- */

/* A finding's line is built in one buffer and written with one fwrite: per-character stdio calls
 * (each taking the stream's lock) were a quarter of the run time on a capture with many
 * findings (docs/performance.md). The bytes are those of sl_json_string and the printf formats. */
typedef struct {
    char *p;
    size_t len, cap;
} jbuf;

static void jb_grow(jbuf *b, size_t more)
{
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more)
        cap *= 2;
    b->p = g_realloc(b->p, cap);
    b->cap = cap;
}

static inline void jb_put(jbuf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap)
        jb_grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

#define JB_LIT(b, lit) jb_put((b), (lit), sizeof(lit) - 1)

static void jb_u64(jbuf *b, uint64_t v)
{
    char t[24];
    size_t i = sizeof t;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    jb_put(b, t + i, sizeof t - i);
}

/* 1: a byte that stands for itself inside a JSON string (printable ASCII but " and \\) */
static const unsigned char jplain[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f, '"' = 0x22 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x30-0x3f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x40-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,           /* 0x50-0x5f, '\\' = 0x5c */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,           /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,           /* 0x70-0x7f, DEL = 0x7f */
};

/* sl_json_string into the buffer, runs of plain characters copied at once */
static void jb_str(jbuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + len;
    if (b->len + len + 2 > b->cap)
        jb_grow(b, len + 2);
    b->p[b->len++] = '"';
    while (s < end) {
        const char *run = s;
        /* eight bytes at a time while none can need escaping. Each test sets a byte's high bit
         * for a byte below 0x20, 0x7f and up, '"' (0x22) or '\\' (0x5c); borrows and carries
         * can only add false alarms next to such a byte (the byte loop then decides) */
        while (end - s >= 8) {
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t w;
            memcpy(&w, s, 8);
            uint64_t bad = (w | (w - ones * 0x20) | (w + ones) | ((w ^ (ones * 0x22)) - ones) |
                            ((w ^ (ones * 0x5c)) - ones)) & high;
            if (bad)
                break;
            s += 8;
        }
        while (s < end && jplain[(unsigned char)*s])
            s++;
        if (s > run)
            jb_put(b, run, (size_t)(s - run));
        if (s >= end)
            break;
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2) {
                const char *nx = g_utf8_next_char(s);
                jb_put(b, s, (size_t)(nx - s));
                s = nx;
                continue;
            }
        }
        char e[6];
        size_t n = 2;
        e[0] = '\\';
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
            n = 6;
        }
        jb_put(b, e, n);
        s++;
    }
    jb_put(b, "\"", 1);
}

static void jb_key_str(jbuf *b, const char *key, size_t keylen, const char *s)
{
    jb_put(b, ",\"", 2);
    jb_put(b, key, keylen);
    jb_put(b, "\":", 2);
    jb_str(b, s, strlen(s));
}

#define JB_KEY_STR(b, key, s) jb_key_str((b), (key), sizeof(key) - 1, (s))

static void jsonl_finding(sl_reporter *r, const sl_rec *f)
{
    static jbuf jb; /* reporters run on one thread at a time (the main thread or the writer) */
    jbuf *b = &jb;
    b->len = 0;
    JB_LIT(b, "{\"type\":\"finding\",\"schema\":");
    jb_u64(b, SL_JSONL_SCHEMA);
    JB_KEY_STR(b, "file", f->file);
    JB_LIT(b, ",\"frame\":");
    jb_u64(b, f->frame);
    JB_KEY_STR(b, "rule", f->rule->id);
    JB_KEY_STR(b, "severity", sl_severity_name(f->severity));
    JB_KEY_STR(b, "message", f->message);
    JB_KEY_STR(b, "rfc", f->rule->rfc);
    JB_LIT(b, ",\"related\":[");
    for (unsigned i = 0; i < f->n_related; i++) {
        if (i)
            JB_LIT(b, ",");
        jb_u64(b, f->related[i]);
    }
    JB_LIT(b, "],\"frame_first\":");
    jb_u64(b, f->frame_first);
    JB_LIT(b, ",\"offset\":");
    jb_u64(b, f->offset);
    JB_LIT(b, ",\"length\":");
    jb_u64(b, f->length);
    JB_LIT(b, ",\"msg_len\":");
    jb_u64(b, f->msg_len);
    JB_KEY_STR(b, "call_id", f->call_id);
    JB_LIT(b, ",\"cseq\":");
    jb_u64(b, f->cseq);
    JB_KEY_STR(b, "cseq_method", f->cseq_method);
    JB_KEY_STR(b, "start_line", f->start_line);
    if (f->has_meta) {
        char a[80];
        JB_KEY_STR(b, "transport", sl_transport_name(f->meta.transport));
        sl_rec_addr(f, 1, a, sizeof a);
        JB_KEY_STR(b, "src", a);
        sl_rec_addr(f, 0, a, sizeof a);
        JB_KEY_STR(b, "dst", a);
        JB_LIT(b, ",\"time\":");
        if (f->meta.ts_sec < 0) {
            JB_LIT(b, "-");
            jb_u64(b, (uint64_t)0 - (uint64_t)f->meta.ts_sec);
        } else
            jb_u64(b, (uint64_t)f->meta.ts_sec);
        char ns[10];
        unsigned v = (unsigned)f->meta.ts_nsec;
        ns[0] = '.';
        for (int i = 9; i >= 1; i--, v /= 10)
            ns[i] = (char)('0' + v % 10);
        if (v == 0)
            jb_put(b, ns, sizeof ns);
        else { /* not a valid nanosecond count: as printf would write it */
            char t[24];
            int n = snprintf(t, sizeof t, ".%09u", (unsigned)f->meta.ts_nsec);
            jb_put(b, t, (size_t)n);
        }
    }
    {
        static const char hex[] = "0123456789abcdef";
        char fp[16];
        uint64_t v = f->fingerprint;
        for (int i = 15; i >= 0; i--, v >>= 4)
            fp[i] = hex[v & 15];
        JB_LIT(b, ",\"fingerprint\":\"");
        jb_put(b, fp, sizeof fp);
        JB_LIT(b, "\"");
    }
    /* added in schema 1: where the message lies in the input file, when known */
    if (f->file_offset != SL_NO_OFFSET) {
        JB_LIT(b, ",\"file_offset\":");
        jb_u64(b, f->file_offset);
        JB_LIT(b, ",\"file_length\":");
        jb_u64(b, f->file_length);
    }
    JB_KEY_STR(b, "line", f->line);
    JB_LIT(b, "}\n");
    fwrite(b->p, 1, b->len, r->out);
}

static void jsonl_summary(sl_reporter *r, const sl_totals *t)
{
    FILE *o = r->out;
    fprintf(o,
            "{\"type\":\"summary\",\"schema\":%d,\"version\":\"%s\",\"files\":%" PRIu64
            ",\"packets\":%" PRIu64 ",\"sip_messages\":%" PRIu64 ",\"findings\":%" PRIu64
            ",\"errors\":%" PRIu64 ",\"warnings\":%" PRIu64 ",\"notes\":%" PRIu64
            ",\"input_errors\":%" PRIu64 ",\"by_rule\":{",
            SL_JSONL_SCHEMA, SIPLINT_VERSION, t->files, t->packets, t->sip_messages, t->findings,
            t->by_severity[SL_SEV_ERROR], t->by_severity[SL_SEV_WARNING], t->by_severity[SL_SEV_NOTE],
            t->input_errors);
    int first = 1;
    for (size_t i = 0; i < SL_RULE__COUNT; i++) {
        if (!t->by_rule[i])
            continue;
        fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", sl_rule_at(i)->id, t->by_rule[i]);
        first = 0;
    }
    fprintf(o, "},\"suppressed\":%" PRIu64 ",\"baselined\":%" PRIu64 ",\"fail_on\":\"%s\"}\n",
            t->suppressed, t->baselined, sl_severity_name(r->o.fail_on));
}

/* ---- dispatch ---- */

sl_reporter *sl_reporter_new(sl_format fmt, FILE *out, const sl_report_opts *o)
{
    sl_reporter *r = g_new0(sl_reporter, 1);
    r->fmt = fmt;
    r->out = out;
    if (o)
        r->o = *o;
    if (r->o.fail_on == SL_SEV_NONE)
        r->o.fail_on = SL_SEV_ERROR;
    switch (fmt) {
    case SL_FMT_SARIF: sl_sarif_begin(r); break;
    case SL_FMT_JUNIT: sl_junit_begin(r); break;
    case SL_FMT_CODEQUALITY: sl_cq_begin(r); break;
    case SL_FMT_HTML: sl_html_begin(r); break;
    default: break;
    }
    return r;
}

void sl_reporter_file_begin(sl_reporter *r, const char *file)
{
    switch (r->fmt) {
    case SL_FMT_SARIF: sl_sarif_file_begin(r, file); break;
    case SL_FMT_JUNIT: sl_junit_file_begin(r, file); break;
    case SL_FMT_CODEQUALITY: sl_cq_file_begin(r, file); break;
    case SL_FMT_HTML: sl_html_file_begin(r, file); break;
    default: break;
    }
}

void sl_reporter_finding(sl_reporter *r, const sl_rec *rec)
{
    switch (r->fmt) {
    case SL_FMT_TEXT: text_finding(r, rec); break;
    case SL_FMT_JSONL: jsonl_finding(r, rec); break;
    case SL_FMT_SARIF: sl_sarif_finding(r, rec); break;
    case SL_FMT_JUNIT: sl_junit_finding(r, rec); break;
    case SL_FMT_CODEQUALITY: sl_cq_finding(r, rec); break;
    case SL_FMT_HTML: sl_html_finding(r, rec); break;
    default: break;
    }
}

void sl_reporter_input_error(sl_reporter *r, const char *file, const char *sentence)
{
    switch (r->fmt) {
    case SL_FMT_JSONL:
        fprintf(r->out, "{\"type\":\"input_error\",\"schema\":%d", SL_JSONL_SCHEMA);
        sl_json_key_str(r->out, "file", file);
        sl_json_key_str(r->out, "message", sentence);
        fprintf(r->out, "}\n");
        break;
    case SL_FMT_SARIF: sl_sarif_input_error(r, file, sentence); break;
    case SL_FMT_JUNIT: sl_junit_input_error(r, file, sentence); break;
    case SL_FMT_HTML: sl_html_input_error(r, file, sentence); break;
    default: break; /* text: the sentence went to standard error */
    }
}

void sl_reporter_file_end(sl_reporter *r, const char *file, const sl_totals *ft)
{
    if (r->fmt == SL_FMT_JUNIT)
        sl_junit_file_end(r, file, ft);
    else if (r->fmt == SL_FMT_HTML)
        sl_html_file_end(r, file, ft);
}

void sl_reporter_messages(sl_reporter *r, const sl_msgbook *b)
{
    if (r->fmt == SL_FMT_HTML)
        sl_html_messages(r, b);
}

int sl_reporter_finish(sl_reporter *r, const sl_totals *t)
{
    switch (r->fmt) {
    case SL_FMT_TEXT: text_summary(r, t); break;
    case SL_FMT_JSONL: jsonl_summary(r, t); break;
    case SL_FMT_SARIF: sl_sarif_finish(r, t); break;
    case SL_FMT_JUNIT: sl_junit_finish(r, t); break;
    case SL_FMT_CODEQUALITY: sl_cq_finish(r, t); break;
    case SL_FMT_HTML: sl_html_finish(r, t); break;
    default: break;
    }
    int rc = fflush(r->out) == 0 && !ferror(r->out) ? 0 : -1;
    g_free(r);
    return rc;
}
