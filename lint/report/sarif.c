/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SARIF 2.1.0 renderer, streamed: the rules first, each result as it comes, artifacts last. */
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "report_internal.h"

typedef struct sarif {
    GPtrArray *artifacts;     /* input names, in order; a result's artifact index is its place */
    GArray *lengths;          /* their sizes in bytes (int64), -1 when not a regular file */
    GPtrArray *notifications; /* input error sentences */
    int n_results;
} sarif;

/* A rule's SARIF name: the id in PascalCase (MSG-SIZE -> MsgSize), as SARIF §3.49.7 suggests. */
static void rule_name(FILE *o, const char *id)
{
    char buf[128];
    size_t n = 0;
    int up = 1;
    for (const char *p = id; *p && n + 1 < sizeof buf; p++) {
        if (*p == '-') {
            up = 1;
            continue;
        }
        buf[n++] = up ? g_ascii_toupper(*p) : g_ascii_tolower(*p);
        up = 0;
    }
    buf[n] = 0;
    fprintf(o, "\"%s\"", buf);
}

/* SARIF asks that messages be sentences ending with a period (validator rule SARIF2001). */
static void json_sentence(FILE *o, const char *s)
{
    size_t n = strlen(s);
    if (n && (s[n - 1] == '.' || s[n - 1] == '!' || s[n - 1] == '?')) {
        sl_json_string(o, s, n);
        return;
    }
    char *t = g_strconcat(s, ".", NULL);
    sl_json_string(o, t, strlen(t));
    g_free(t);
}

static const char *level(sl_severity s)
{
    return s == SL_SEV_ERROR ? "error" : s == SL_SEV_WARNING ? "warning" : s == SL_SEV_NOTE ? "note" : "none";
}

/* A relative URI reference for a path as given (RFC 3986: '/' kept, the rest escaped), or a
 * file: URI for an absolute path. */
static char *artifact_uri(const char *file)
{
    char *esc = g_uri_escape_string(file, "/", FALSE);
    if (file[0] == '/') {
        char *u = g_strconcat("file://", esc, NULL);
        g_free(esc);
        return u;
    }
    return esc;
}

static void rule_object(FILE *o, const sl_rule *ru)
{
    fprintf(o, "{\"id\":\"%s\",\"name\":", ru->id);
    rule_name(o, ru->id);
    fprintf(o, ",\"shortDescription\":{\"text\":");
    json_sentence(o, ru->summary);
    char *full = g_strdup_printf("%s (%s)", ru->summary, ru->rfc);
    fprintf(o, "},\"fullDescription\":{\"text\":");
    json_sentence(o, full);
    g_free(full);
    /* The help points at the rule's page in the siplint sources (docs/rules/<ID>.md): the
     * problem, a correct example, the rationale and the exceptions. */
    char *text = g_strdup_printf("%s. Rests on %s. See docs/rules/%s.md in the siplint sources for "
                                 "the problem, a correct example, the rationale and exceptions.",
                                 ru->summary, ru->rfc, ru->id);
    char *md = g_strdup_printf("**%s**: %s.\n\nRests on %s. See [docs/rules/%s.md](docs/rules/%s.md) "
                               "in the siplint sources for the problem, a correct example, the "
                               "rationale and exceptions.",
                               ru->id, ru->summary, ru->rfc, ru->id, ru->id);
    fprintf(o, "},\"help\":{\"text\":");
    sl_json_string(o, text, strlen(text));
    fprintf(o, ",\"markdown\":");
    sl_json_string(o, md, strlen(md));
    g_free(text);
    g_free(md);
    const char *grp = ru->group == SL_GROUP_SEQUENCE ? "sequence"
                      : ru->group == SL_GROUP_MALFORMED ? "malformed" : "protocol";
    fprintf(o, "},\"defaultConfiguration\":{\"level\":\"%s\"},\"properties\":{\"tags\":[\"sip\",\"%s\"]",
            level(ru->severity), grp);
    sl_json_key_str(o, "rfc", ru->rfc);
    fprintf(o, "}}");
}

void sl_sarif_begin(sl_reporter *r)
{
    sarif *s = g_new0(sarif, 1);
    s->artifacts = g_ptr_array_new_with_free_func(g_free);
    s->notifications = g_ptr_array_new_with_free_func(g_free);
    s->lengths = g_array_new(FALSE, TRUE, sizeof(gint64));
    r->state = s;
    FILE *o = r->out;
    fprintf(o, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
               "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"siplint\",\"version\":\"%s\","
               "\"semanticVersion\":\"%s\",\"rules\":[",
            SIPLINT_VERSION, SIPLINT_VERSION);
    for (size_t i = 0; i < sl_rule_count(); i++) {
        fputs(i ? ",\n" : "\n", o);
        rule_object(o, sl_rule_at(i));
    }
    fprintf(o, "]}},\n\"results\":[");
}

static void add_artifact(sarif *s, const char *file)
{
    struct stat sb;
    gint64 len = stat(file, &sb) == 0 && S_ISREG(sb.st_mode) ? (gint64)sb.st_size : -1;
    g_ptr_array_add(s->artifacts, g_strdup(file));
    g_array_append_val(s->lengths, len);
}

void sl_sarif_file_begin(sl_reporter *r, const char *file)
{
    add_artifact(r->state, file);
}

static int artifact_index(sarif *s, const char *file)
{
    /* the current input is the last one begun; look back in case of a stray call */
    for (guint i = s->artifacts->len; i-- > 0;)
        if (strcmp(g_ptr_array_index(s->artifacts, i), file) == 0)
            return (int)i;
    add_artifact(s, file);
    return (int)s->artifacts->len - 1;
}

void sl_sarif_finding(sl_reporter *r, const sl_rec *rec)
{
    sarif *s = r->state;
    FILE *o = r->out;
    int ai = artifact_index(s, rec->file);
    char *uri = artifact_uri(rec->file);
    fprintf(o, "%s\n{\"ruleId\":\"%s\",\"ruleIndex\":%d,\"level\":\"%s\",\"message\":{\"text\":",
            s->n_results++ ? "," : "", rec->rule->id, (int)rec->rule->sym, level(rec->severity));
    json_sentence(o, rec->message);
    fprintf(o, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
    sl_json_string(o, uri, strlen(uri));
    fprintf(o, ",\"index\":%d}", ai);
    gint64 alen = g_array_index(s->lengths, gint64, ai);
    if (rec->file_offset != SL_NO_OFFSET && rec->file_length > 0)
        fprintf(o, ",\"region\":{\"byteOffset\":%" PRIu64 ",\"byteLength\":%" PRIu64 "}",
                rec->file_offset, rec->file_length);
    else if (alen > 0)
        /* no message bytes to point at (a capture event, a reassembled or compressed message):
         * the whole file, with the frame as the logical location */
        fprintf(o, ",\"region\":{\"byteOffset\":0,\"byteLength\":%" G_GINT64_FORMAT "}", alen);
    fprintf(o, "},\"logicalLocations\":[{\"name\":\"frame %" PRIu64 "\",\"kind\":\"object\"}", rec->frame);
    if (rec->call_id[0]) {
        fprintf(o, ",{\"name\":");
        sl_json_string(o, rec->call_id, strlen(rec->call_id));
        fprintf(o, ",\"kind\":\"value\",\"fullyQualifiedName\":");
        char *fq = g_strconcat("Call-ID ", rec->call_id, NULL);
        sl_json_string(o, fq, strlen(fq));
        g_free(fq);
        fputc('}', o);
    }
    /* Stable across runs, frame renumbering and file names: the engine's fingerprint (rule,
     * Call-ID, CSeq, method or status, header concerned). */
    fprintf(o, "]}],\"partialFingerprints\":{\"siplintFingerprint/v1\":\"%016" PRIx64 "\"}", rec->fingerprint);
    fprintf(o, ",\"properties\":{\"frame\":%" PRIu64 ",\"frameFirst\":%" PRIu64, rec->frame, rec->frame_first);
    sl_json_key_str(o, "rfc", rec->rule->rfc);
    if (rec->call_id[0])
        sl_json_key_str(o, "callId", rec->call_id);
    if (rec->cseq) {
        fprintf(o, ",\"cseq\":%" PRIu64, rec->cseq);
        sl_json_key_str(o, "cseqMethod", rec->cseq_method);
    }
    if (rec->has_meta) {
        char a[80];
        sl_rec_addr(rec, 1, a, sizeof a);
        if (a[0])
            sl_json_key_str(o, "src", a);
        sl_rec_addr(rec, 0, a, sizeof a);
        if (a[0])
            sl_json_key_str(o, "dst", a);
        sl_json_key_str(o, "transport", sl_transport_name(rec->meta.transport));
    }
    fputs("}}", o);
    g_free(uri);
}

void sl_sarif_input_error(sl_reporter *r, const char *file, const char *sentence)
{
    sarif *s = r->state;
    (void)artifact_index(s, file);
    g_ptr_array_add(s->notifications, g_strdup(sentence));
}

void sl_sarif_finish(sl_reporter *r, const sl_totals *t)
{
    sarif *s = r->state;
    FILE *o = r->out;
    (void)t;
    fprintf(o, "\n],\n\"artifacts\":[");
    for (guint i = 0; i < s->artifacts->len; i++) {
        const char *f = g_ptr_array_index(s->artifacts, i);
        char *uri = artifact_uri(f);
        fprintf(o, "%s{\"location\":{\"uri\":", i ? "," : "");
        sl_json_string(o, uri, strlen(uri));
        fprintf(o, "}");
        gint64 len = g_array_index(s->lengths, gint64, i);
        if (len >= 0)
            fprintf(o, ",\"length\":%" G_GINT64_FORMAT, len);
        fprintf(o, ",\"roles\":[\"analysisTarget\"]}");
        g_free(uri);
    }
    fprintf(o, "],\n\"invocations\":[{\"executionSuccessful\":%s",
            s->notifications->len ? "false" : "true");
    if (s->notifications->len) {
        fprintf(o, ",\"toolExecutionNotifications\":[");
        for (guint i = 0; i < s->notifications->len; i++) {
            fprintf(o, "%s{\"level\":\"error\",\"message\":{\"text\":", i ? "," : "");
            json_sentence(o, g_ptr_array_index(s->notifications, i));
            fputs("}}", o);
        }
        fputc(']', o);
    }
    fprintf(o, "}],\"columnKind\":\"unicodeCodePoints\"}]}\n");
    g_ptr_array_free(s->artifacts, TRUE);
    g_ptr_array_free(s->notifications, TRUE);
    g_array_free(s->lengths, TRUE);
    g_free(s);
}
