/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file (GKeyFile): rules, severities, engine facts, suppressions; errors name
 * file, line and key. Shared by the CLI and the Wireshark plugin (policy.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

void sl_policy_init(sl_policy *p)
{
    memset(p, 0, sizeof *p);
    sl_config_default(&p->cfg);
    p->fail_on = SL_SEV_ERROR;
    p->suppressions = g_ptr_array_new();
}

static void suppression_free(sl_suppression *s)
{
    g_free(s->name);
    g_strfreev(s->call_ids);
    g_strfreev(s->files);
    if (s->addrs)
        g_array_free(s->addrs, TRUE);
    if (s->frames)
        g_array_free(s->frames, TRUE);
    g_free(s);
}

void sl_policy_free(sl_policy *p)
{
    for (guint i = 0; p->suppressions && i < p->suppressions->len; i++)
        suppression_free(g_ptr_array_index(p->suppressions, i));
    if (p->suppressions)
        g_ptr_array_free(p->suppressions, TRUE);
    p->suppressions = NULL;
}

void sl_policy_apply_profile(sl_policy *p)
{
    if (!p->profile_interop)
        return;
    for (size_t i = 0; i < SL_RULE__COUNT; i++)
        if (sl_rule_at(i)->severity == SL_SEV_WARNING && p->cfg.severity[i] == SL_SEV_WARNING)
            p->cfg.severity[i] = SL_SEV_NOTE;
}

char *sl_policy_find(void)
{
    char *dir = g_get_current_dir();
    for (;;) {
        char *f = g_build_filename(dir, ".siplint.conf", NULL);
        if (g_file_test(f, G_FILE_TEST_IS_REGULAR)) {
            g_free(dir);
            return f;
        }
        g_free(f);
        char *up = g_path_get_dirname(dir);
        if (strcmp(up, dir) == 0) {
            g_free(up);
            break;
        }
        g_free(dir);
        dir = up;
    }
    g_free(dir);
    char *x = g_build_filename(g_get_user_config_dir(), "siplint", "siplint.conf", NULL);
    if (g_file_test(x, G_FILE_TEST_IS_REGULAR))
        return x;
    g_free(x);
    return NULL;
}

/* ---- where each group and key is, since GKeyFile does not say ---- */

typedef struct where {
    const char *path;
    GHashTable *lines; /* "group\x1fkey" or "group" -> line number */
} where;

static int line_of(const where *w, const char *group, const char *key)
{
    char *k = key ? g_strconcat(group, "\x1f", key, NULL) : g_strdup(group);
    int n = GPOINTER_TO_INT(g_hash_table_lookup(w->lines, k));
    g_free(k);
    return n;
}

static int fail(const where *w, char **err, const char *group, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
static int fail(const where *w, char **err, const char *group, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int line = line_of(w, group, key);
    if (key)
        *err = g_strdup_printf("%s:%d: [%s] %s: %s", w->path, line, group, key, why);
    else
        *err = g_strdup_printf("%s:%d: [%s]: %s", w->path, line, group, why);
    g_free(why);
    return -1;
}

/* Index the file's lines, and refuse what GKeyFile would refuse, with the line. */
static int scan(where *w, const char *text, size_t len, char **err)
{
    char *group = NULL;
    int line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        char *l = g_strndup(p, (size_t)(le - p));
        g_strstrip(l);
        if (l[0] == 0 || l[0] == '#') {
            /* blank or comment */
        } else if (l[0] == '[') {
            size_t n = strlen(l);
            if (l[n - 1] != ']' || n < 3) {
                *err = g_strdup_printf("%s:%d: not a [group] line: %s", w->path, line, l);
                g_free(l);
                g_free(group);
                return -1;
            }
            g_free(group);
            group = g_strndup(l + 1, n - 2);
            if (g_hash_table_contains(w->lines, group)) {
                *err = g_strdup_printf("%s:%d: [%s] appears twice", w->path, line, group);
                g_free(l);
                g_free(group);
                return -1;
            }
            g_hash_table_insert(w->lines, g_strdup(group), GINT_TO_POINTER(line));
        } else {
            char *eq = strchr(l, '=');
            if (eq == NULL || group == NULL) {
                *err = g_strdup_printf("%s:%d: %s: %s", w->path, line, l,
                                       group ? "expected key = value" : "a key before any [group]");
                g_free(l);
                g_free(group);
                return -1;
            }
            *eq = 0;
            g_strstrip(l);
            char *k = g_strconcat(group, "\x1f", l, NULL);
            if (g_hash_table_contains(w->lines, k)) {
                *err = g_strdup_printf("%s:%d: [%s] %s: set twice", w->path, line, group, l);
                g_free(k);
                g_free(l);
                g_free(group);
                return -1;
            }
            g_hash_table_insert(w->lines, k, GINT_TO_POINTER(line));
        }
        g_free(l);
        p = nl ? nl + 1 : end;
    }
    g_free(group);
    return 0;
}

static int get_uint(GKeyFile *kf, const where *w, char **err, const char *g, const char *k,
                    unsigned min, unsigned max, unsigned *out)
{
    char *v = g_key_file_get_value(kf, g, k, NULL);
    char *e = NULL;
    errno = 0;
    unsigned long long n = v ? g_ascii_strtoull(v, &e, 10) : 0;
    int bad = v == NULL || e == v || *e || errno || n < min || n > max || v[0] == '-';
    if (bad) {
        fail(w, err, g, k, "expected a whole number from %u to %u, got '%s'", min, max, v ? v : "");
        g_free(v);
        return -1;
    }
    g_free(v);
    *out = (unsigned)n;
    return 0;
}

static int parse_addr(const char *s, sl_addr_match *a)
{
    char host[128];
    const char *port = NULL;
    memset(a, 0, sizeof *a);
    a->port = -1;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || (size_t)(rb - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(rb - s - 1));
        host[rb - s - 1] = 0;
        if (rb[1] == ':')
            port = rb + 2;
        else if (rb[1])
            return -1;
    } else {
        const char *c = strchr(s, ':');
        if (strlen(s) >= sizeof host)
            return -1;
        strcpy(host, s);
        if (c && strchr(c + 1, ':') == NULL) { /* v4:port; several colons: a bare IPv6 address */
            host[c - s] = 0;
            port = c + 1;
        }
    }
    if (inet_pton(AF_INET, host, a->addr) == 1)
        a->af = 4;
    else if (inet_pton(AF_INET6, host, a->addr) == 1)
        a->af = 6;
    else
        return -1;
    if (port) {
        char *e;
        long pn = strtol(port, &e, 10);
        if (!*port || *e || pn < 0 || pn > 65535)
            return -1;
        a->port = (int)pn;
    }
    return 0;
}

static int parse_frames(const char *s, sl_frame_range *r)
{
    char *e;
    if (!g_ascii_isdigit(s[0]))
        return -1;
    r->lo = g_ascii_strtoull(s, &e, 10);
    r->hi = r->lo;
    if (*e == '-') {
        const char *h = e + 1;
        if (!g_ascii_isdigit(h[0]))
            return -1;
        r->hi = g_ascii_strtoull(h, &e, 10);
    }
    return (*e || r->lo == 0 || r->hi < r->lo) ? -1 : 0;
}

static int load_suppression(sl_policy *p, GKeyFile *kf, const where *w, char **err, const char *g)
{
    sl_suppression *s = g_new0(sl_suppression, 1);
    s->name = g_strdup(g + strlen("suppress"));
    g_strstrip(s->name);
    gsize nk = 0;
    char **keys = g_key_file_get_keys(kf, g, &nk, NULL);
    int have_rule = 0, rc = 0;
    for (gsize i = 0; i < nk && rc == 0; i++) {
        const char *k = keys[i];
        gsize n = 0;
        char **vals = g_key_file_get_string_list(kf, g, k, &n, NULL);
        if (strcmp(k, "rule") == 0 || strcmp(k, "rules") == 0) {
            for (gsize j = 0; j < n && rc == 0; j++) {
                g_strstrip(vals[j]);
                if (strcmp(vals[j], "*") == 0) {
                    memset(s->rule, 1, sizeof s->rule);
                    continue;
                }
                const sl_rule *ru = sl_rule_by_id(vals[j]);
                if (!ru)
                    rc = fail(w, err, g, k, "unknown rule '%s' (see siplint --list-rules)", vals[j]);
                else
                    s->rule[ru->sym] = 1;
            }
            have_rule = n > 0;
        } else if (strcmp(k, "call-id") == 0) {
            for (gsize j = 0; j < n; j++)
                g_strstrip(vals[j]);
            s->call_ids = g_strdupv(vals);
        } else if (strcmp(k, "address") == 0) {
            s->addrs = g_array_new(FALSE, TRUE, sizeof(sl_addr_match));
            for (gsize j = 0; j < n && rc == 0; j++) {
                sl_addr_match a;
                g_strstrip(vals[j]);
                if (parse_addr(vals[j], &a) != 0)
                    rc = fail(w, err, g, k, "'%s' is not an address (1.2.3.4, 1.2.3.4:5060, 2001:db8::1, [2001:db8::1]:5060)",
                              vals[j]);
                else
                    g_array_append_val(s->addrs, a);
            }
        } else if (strcmp(k, "frames") == 0) {
            s->frames = g_array_new(FALSE, TRUE, sizeof(sl_frame_range));
            for (gsize j = 0; j < n && rc == 0; j++) {
                sl_frame_range fr;
                g_strstrip(vals[j]);
                if (parse_frames(vals[j], &fr) != 0)
                    rc = fail(w, err, g, k, "'%s' is not a frame or range (9, 10-20)", vals[j]);
                else
                    g_array_append_val(s->frames, fr);
            }
        } else if (strcmp(k, "file") == 0 || strcmp(k, "files") == 0) {
            for (gsize j = 0; j < n; j++)
                g_strstrip(vals[j]);
            s->files = g_strdupv(vals);
        } else if (strcmp(k, "reason") == 0) {
            /* for people */
        } else
            rc = fail(w, err, g, k, "unknown key (rule, call-id, address, frames, file, reason)");
        g_strfreev(vals);
    }
    g_strfreev(keys);
    if (rc == 0 && !have_rule)
        rc = fail(w, err, g, NULL, "a suppression needs rule = RULE[;RULE...] (or *)");
    if (rc != 0) {
        suppression_free(s);
        return -1;
    }
    g_ptr_array_add(p->suppressions, s);
    return 0;
}

static int load_engine(sl_policy *p, GKeyFile *kf, const where *w, char **err)
{
    const char *g = "engine";
    gsize nk = 0;
    char **keys = g_key_file_get_keys(kf, g, &nk, NULL);
    int rc = 0;
    for (gsize i = 0; i < nk && rc == 0; i++) {
        const char *k = keys[i];
        sl_config *c = &p->cfg;
        if (strcmp(k, "max-message-size") == 0)
            rc = get_uint(kf, w, err, g, k, 1, 1u << 30, &c->max_message_size);
        else if (strcmp(k, "path-mtu") == 0)
            rc = get_uint(kf, w, err, g, k, 0, 1u << 20, &c->path_mtu);
        else if (strcmp(k, "t1-ms") == 0)
            rc = get_uint(kf, w, err, g, k, 1, 3600000, &c->t1_ms);
        else if (strcmp(k, "t2-ms") == 0)
            rc = get_uint(kf, w, err, g, k, 1, 3600000, &c->t2_ms);
        else if (strcmp(k, "t4-ms") == 0)
            rc = get_uint(kf, w, err, g, k, 1, 3600000, &c->t4_ms);
        else if (strcmp(k, "date-stale-s") == 0)
            rc = get_uint(kf, w, err, g, k, 1, 86400 * 366, &c->date_stale_s);
        else if (strcmp(k, "max-transactions") == 0)
            rc = get_uint(kf, w, err, g, k, 1024, 1u << 24, &c->max_transactions);
        else if (strcmp(k, "assume-congestion-safe") == 0) {
            GError *e = NULL;
            gboolean b = g_key_file_get_boolean(kf, g, k, &e);
            if (e) {
                g_error_free(e);
                rc = fail(w, err, g, k, "expected true or false");
            } else
                c->assume_congestion_safe = b;
        } else
            rc = fail(w, err, g, k,
                      "unknown key (max-message-size, assume-congestion-safe, path-mtu, t1-ms, t2-ms, "
                      "t4-ms, date-stale-s, max-transactions)");
    }
    g_strfreev(keys);
    return rc;
}

static int load_rules_list(sl_policy *p, GKeyFile *kf, const where *w, char **err, const char *g,
                           const char *k, int enable)
{
    gsize n = 0;
    char **vals = g_key_file_get_string_list(kf, g, k, &n, NULL);
    int rc = 0;
    for (gsize j = 0; j < n && rc == 0; j++) {
        g_strstrip(vals[j]);
        if (!vals[j][0])
            continue;
        const sl_rule *ru = sl_rule_by_id(vals[j]);
        if (!ru)
            rc = fail(w, err, g, k, "unknown rule '%s' (see siplint --list-rules)", vals[j]);
        else if (enable) {
            if (p->cfg.severity[ru->sym] == SL_SEV_NONE)
                p->cfg.severity[ru->sym] = ru->severity ? ru->severity : SL_SEV_WARNING;
        } else
            p->cfg.severity[ru->sym] = SL_SEV_NONE;
    }
    g_strfreev(vals);
    return rc;
}

int sl_policy_load(sl_policy *p, const char *path, char **err)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *ge = NULL;
    if (!g_file_get_contents(path, &text, &len, &ge)) {
        *err = g_strdup_printf("%s: cannot read the configuration: %s", path, ge->message);
        g_error_free(ge);
        return -1;
    }
    where w = {path, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    GKeyFile *kf = g_key_file_new();
    int rc = scan(&w, text, len, err);
    if (rc == 0 && !g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &ge)) {
        *err = g_strdup_printf("%s: %s", path, ge->message);
        g_error_free(ge);
        rc = -1;
    }
    gsize ng = 0;
    char **groups = rc == 0 ? g_key_file_get_groups(kf, &ng) : NULL;
    /* [siplint] first: the profile changes table severities before [severity] sets its own */
    if (rc == 0 && g_key_file_has_group(kf, "siplint")) {
        gsize nk = 0;
        char **keys = g_key_file_get_keys(kf, "siplint", &nk, NULL);
        for (gsize i = 0; i < nk && rc == 0; i++) {
            const char *k = keys[i];
            char *v = g_key_file_get_string(kf, "siplint", k, NULL);
            if (v)
                g_strstrip(v);
            if (strcmp(k, "fail-on") == 0) {
                sl_severity s;
                if (!v || sl_severity_parse(v, &s) != 0 || s == SL_SEV_NONE)
                    rc = fail(&w, err, "siplint", k, "expected error, warning or note, got '%s'", v ? v : "");
                else
                    p->fail_on = s;
            } else if (strcmp(k, "profile") == 0) {
                int interop = v && strcmp(v, "interop") == 0;
                if (!interop && !(v && strcmp(v, "strict") == 0))
                    rc = fail(&w, err, "siplint", k, "expected strict or interop, got '%s'", v ? v : "");
                else if (!p->profile_locked) {
                    p->profile_interop = interop;
                    sl_policy_apply_profile(p);
                }
            } else if (strcmp(k, "enable") == 0 || strcmp(k, "disable") == 0) {
                /* after the loop: enable/disable must follow the profile */
            } else
                rc = fail(&w, err, "siplint", k, "unknown key (fail-on, profile, enable, disable)");
            g_free(v);
        }
        if (rc == 0 && g_key_file_has_key(kf, "siplint", "enable", NULL))
            rc = load_rules_list(p, kf, &w, err, "siplint", "enable", 1);
        if (rc == 0 && g_key_file_has_key(kf, "siplint", "disable", NULL))
            rc = load_rules_list(p, kf, &w, err, "siplint", "disable", 0);
        g_strfreev(keys);
    }
    for (gsize gi = 0; rc == 0 && gi < ng; gi++) {
        const char *g = groups[gi];
        if (strcmp(g, "siplint") == 0)
            continue;
        if (strcmp(g, "engine") == 0)
            rc = load_engine(p, kf, &w, err);
        else if (strcmp(g, "severity") == 0) {
            gsize nk = 0;
            char **keys = g_key_file_get_keys(kf, g, &nk, NULL);
            for (gsize i = 0; i < nk && rc == 0; i++) {
                const sl_rule *ru = sl_rule_by_id(keys[i]);
                char *v = g_key_file_get_string(kf, g, keys[i], NULL);
                sl_severity s;
                if (v)
                    g_strstrip(v);
                if (!ru)
                    rc = fail(&w, err, g, keys[i], "unknown rule (see siplint --list-rules)");
                else if (!v || sl_severity_parse(v, &s) != 0)
                    rc = fail(&w, err, g, keys[i], "expected error, warning, note or off, got '%s'", v ? v : "");
                else
                    p->cfg.severity[ru->sym] = s;
                g_free(v);
            }
            g_strfreev(keys);
        } else if (g_str_has_prefix(g, "suppress") && (g[8] == 0 || g[8] == ' '))
            rc = load_suppression(p, kf, &w, err, g);
        else
            rc = fail(&w, err, g, NULL, "unknown group ([siplint], [severity], [engine], [suppress NAME])");
    }
    g_strfreev(groups);
    g_key_file_free(kf);
    g_hash_table_destroy(w.lines);
    g_free(text);
    return rc;
}

static int addr_hit(const sl_addr_match *a, const sl_meta *m, int src)
{
    if (a->af != m->af)
        return 0;
    if (memcmp(a->addr, src ? m->src : m->dst, a->af == 4 ? 4 : 16) != 0)
        return 0;
    return a->port < 0 || a->port == (src ? m->sport : m->dport);
}

int sl_policy_suppresses(const sl_policy *p, const sl_rule *rule, uint64_t frame, const char *call_id,
                         const sl_meta *meta, const char *file)
{
    for (guint i = 0; i < p->suppressions->len; i++) {
        const sl_suppression *s = g_ptr_array_index(p->suppressions, i);
        if (!s->rule[rule->sym])
            continue;
        if (s->call_ids) {
            int hit = 0;
            for (char **c = s->call_ids; *c && !hit; c++)
                hit = strcmp(*c, call_id ? call_id : "") == 0;
            if (!hit)
                continue;
        }
        if (s->addrs) {
            int hit = 0;
            for (guint k = 0; k < s->addrs->len && !hit && meta; k++) {
                const sl_addr_match *a = &g_array_index(s->addrs, sl_addr_match, k);
                hit = addr_hit(a, meta, 1) || addr_hit(a, meta, 0);
            }
            if (!hit)
                continue;
        }
        if (s->frames) {
            int hit = 0;
            for (guint k = 0; k < s->frames->len && !hit; k++) {
                const sl_frame_range *r = &g_array_index(s->frames, sl_frame_range, k);
                hit = frame >= r->lo && frame <= r->hi;
            }
            if (!hit)
                continue;
        }
        if (s->files) {
            int hit = 0;
            if (file) {
                char *base = g_path_get_basename(file);
                for (char **f = s->files; *f && !hit; f++)
                    hit = g_pattern_match_simple(*f, file) || g_pattern_match_simple(*f, base);
                g_free(base);
            }
            if (!hit)
                continue;
        }
        return 1;
    }
    return 0;
}
