/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text and JSON Lines renderers. The JSON Lines schema is documented in docs/output.md. */
#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define SL_JSONL_SCHEMA 1

struct sl_reporter {
    sl_format fmt;
    FILE *out;
};

sl_reporter *sl_reporter_new(sl_format fmt, FILE *out)
{
    sl_reporter *r = g_new0(sl_reporter, 1);
    r->fmt = fmt;
    r->out = out;
    return r;
}

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

static void json_str(FILE *out, const char *key, const char *s)
{
    fprintf(out, ",\"%s\":", key);
    sl_json_string(out, s, strlen(s));
}

static void addr_text(const sl_meta *m, int src, char *buf, size_t cap)
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
    } else
        buf[0] = 0;
}

void sl_reporter_finding(sl_reporter *r, const char *file, const sl_finding *f)
{
    FILE *o = r->out;
    if (r->fmt == SL_FMT_TEXT) {
        fprintf(o, "%s:%" PRIu64 ": %s: %s [%s, %s]\n", file, f->frame, sl_severity_name(f->severity),
                f->message, f->rule->id, f->rule->rfc);
        return;
    }
    fprintf(o, "{\"type\":\"finding\",\"schema\":%d", SL_JSONL_SCHEMA);
    json_str(o, "file", file);
    fprintf(o, ",\"frame\":%" PRIu64, f->frame);
    json_str(o, "rule", f->rule->id);
    json_str(o, "severity", sl_severity_name(f->severity));
    json_str(o, "message", f->message);
    json_str(o, "rfc", f->rule->rfc);
    fprintf(o, ",\"related\":[");
    for (unsigned i = 0; i < f->n_related; i++)
        fprintf(o, "%s%" PRIu64, i ? "," : "", f->related[i]);
    fprintf(o, "],\"frame_first\":%" PRIu64, f->meta ? f->meta->frame_first : f->frame);
    fprintf(o, ",\"offset\":%zu,\"length\":%zu,\"msg_len\":%zu", f->offset, f->length, f->msg_len);
    fprintf(o, ",\"call_id\":");
    sl_json_string(o, f->call_id.p, f->call_id.len);
    fprintf(o, ",\"cseq\":%" PRIu64 ",\"cseq_method\":", f->cseq);
    sl_json_string(o, f->cseq_method.p, f->cseq_method.len);
    fprintf(o, ",\"start_line\":");
    sl_json_string(o, f->start_line.p, f->start_line.len > 200 ? 200 : f->start_line.len);
    if (f->meta) {
        char a[80];
        json_str(o, "transport", sl_transport_name(f->meta->transport));
        addr_text(f->meta, 1, a, sizeof a);
        json_str(o, "src", a);
        addr_text(f->meta, 0, a, sizeof a);
        json_str(o, "dst", a);
        fprintf(o, ",\"time\":%" PRId64 ".%09u", f->meta->ts_sec, (unsigned)f->meta->ts_nsec);
    }
    fprintf(o, ",\"fingerprint\":\"%016" PRIx64 "\"}\n", f->fingerprint);
}

void sl_reporter_input_error(sl_reporter *r, const char *file, const char *sentence)
{
    if (r->fmt == SL_FMT_JSONL) {
        fprintf(r->out, "{\"type\":\"input_error\",\"schema\":%d", SL_JSONL_SCHEMA);
        json_str(r->out, "file", file);
        json_str(r->out, "message", sentence);
        fprintf(r->out, "}\n");
    }
}

void sl_reporter_finish(sl_reporter *r, const sl_totals *t)
{
    FILE *o = r->out;
    if (r->fmt == SL_FMT_JSONL) {
        fprintf(o,
                "{\"type\":\"summary\",\"schema\":%d,\"version\":\"%s\",\"files\":%" PRIu64
                ",\"packets\":%" PRIu64 ",\"sip_messages\":%" PRIu64 ",\"findings\":%" PRIu64
                ",\"errors\":%" PRIu64 ",\"warnings\":%" PRIu64 ",\"notes\":%" PRIu64
                ",\"input_errors\":%" PRIu64 ",\"by_rule\":{",
                SL_JSONL_SCHEMA, SIPLINT_VERSION, t->files, t->packets, t->sip_messages, t->findings,
                t->by_severity[SL_SEV_ERROR], t->by_severity[SL_SEV_WARNING],
                t->by_severity[SL_SEV_NOTE], t->input_errors);
        int first = 1;
        for (size_t i = 0; i < SL_RULE__COUNT; i++) {
            if (!t->by_rule[i])
                continue;
            fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", sl_rule_at(i)->id, t->by_rule[i]);
            first = 0;
        }
        fprintf(o, "}}\n");
    } else {
        fprintf(o, "%" PRIu64 " finding%s (%" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64
                   " note%s) in %" PRIu64 " file%s: %" PRIu64 " packets, %" PRIu64 " SIP messages\n",
                t->findings, t->findings == 1 ? "" : "s", t->by_severity[SL_SEV_ERROR],
                t->by_severity[SL_SEV_ERROR] == 1 ? "" : "s", t->by_severity[SL_SEV_WARNING],
                t->by_severity[SL_SEV_WARNING] == 1 ? "" : "s", t->by_severity[SL_SEV_NOTE],
                t->by_severity[SL_SEV_NOTE] == 1 ? "" : "s", t->files, t->files == 1 ? "" : "s",
                t->packets, t->sip_messages);
    }
    fflush(o);
    g_free(r);
}
