/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rule fixture reader: Markdown files whose `sip` blocks are messages and `expect` blocks findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void putc_n(buf *b, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(b, &c, 1);
}

/* One rendering pass with a given pad count and Content-Length value. Sets has_pad and pad_to. */
static int render_once(const char *const *lines, size_t n_lines, int lf, int noeol, size_t pad,
                       size_t cl, buf *out, int *has_pad, size_t *pad_to, char *err, size_t errlen)
{
    out->len = 0;
    *has_pad = 0;
    for (size_t i = 0; i < n_lines; i++) {
        const char *s = lines[i];
        while (*s) {
            if (*s == '@') {
                unsigned long v;
                int used = 0;
                if (strncmp(s, "@CL@", 4) == 0) {
                    char num[32];
                    int k = snprintf(num, sizeof num, "%zu", cl);
                    put(out, num, (size_t)k);
                    s += 4;
                    continue;
                }
                if (strncmp(s, "@NUL@", 5) == 0) {
                    put(out, "", 1);
                    s += 5;
                    continue;
                }
                if (sscanf(s, "@X(%lu)@%n", &v, &used) == 1 && used > 0) {
                    putc_n(out, 'x', v);
                    s += used;
                    continue;
                }
                if (sscanf(s, "@PAD-TO(%lu)@%n", &v, &used) == 1 && used > 0) {
                    if (*has_pad) {
                        snprintf(err, errlen, "@PAD-TO@ used twice");
                        return -1;
                    }
                    *has_pad = 1;
                    *pad_to = v;
                    putc_n(out, 'x', pad);
                    s += used;
                    continue;
                }
            }
            put(out, s, 1);
            s++;
        }
        if (i + 1 < n_lines || !noeol)
            put(out, lf ? "\n" : "\r\n", lf ? 1 : 2);
    }
    return 0;
}

static size_t body_len(const buf *b)
{
    for (size_t i = 0; i + 1 < b->len; i++) {
        if (b->p[i] == '\n' && b->p[i + 1] == '\n')
            return b->len - (i + 2);
        if (i + 3 < b->len && memcmp(b->p + i, "\r\n\r\n", 4) == 0)
            return b->len - (i + 4);
    }
    return 0;
}

int fx_render(const char *const *lines, size_t n_lines, int lf, int noeol, char **out, size_t *out_len,
              char *err, size_t errlen)
{
    buf b = {0};
    size_t pad = 0, cl = 0, pad_to = 0;
    int has_pad = 0;
    for (int iter = 0; iter < 32; iter++) {
        if (render_once(lines, n_lines, lf, noeol, pad, cl, &b, &has_pad, &pad_to, err, errlen) != 0) {
            free(b.p);
            return -1;
        }
        size_t bl = body_len(&b);
        int stable = bl == cl;
        if (has_pad && b.len != pad_to) {
            if (b.len > pad_to && pad < b.len - pad_to) {
                snprintf(err, errlen, "@PAD-TO(%zu)@: the message is already %zu bytes", pad_to,
                         b.len - pad);
                free(b.p);
                return -1;
            }
            pad = pad + pad_to - b.len;
            stable = 0;
        }
        cl = bl;
        if (stable) {
            *out = b.p ? b.p : calloc(1, 1);
            *out_len = b.len;
            return 0;
        }
    }
    snprintf(err, errlen, "placeholders did not converge");
    free(b.p);
    return -1;
}

static char *dupline(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        abort();
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* "A>B": host letters for 192.0.2.10, .20, ... */
static int host_letter(char ch, uint8_t ip[4])
{
    if (ch < 'A' || ch > 'W')
        return -1;
    ip[0] = 192, ip[1] = 0, ip[2] = 2, ip[3] = (uint8_t)(10 * (ch - 'A' + 1));
    return 0;
}

static int parse_ipport(const char *s, uint8_t ip[4], uint16_t *port)
{
    unsigned a, b, c, d, p = 5060;
    int n = sscanf(s, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &p);
    if (n < 4 || a > 255 || b > 255 || c > 255 || d > 255 || p > 65535)
        return -1;
    ip[0] = (uint8_t)a, ip[1] = (uint8_t)b, ip[2] = (uint8_t)c, ip[3] = (uint8_t)d;
    *port = (uint16_t)p;
    return 0;
}

/* The info string of a sip block (see fixture.h). prev: the case's previous message or NULL. */
static int parse_sip_opts(char *opts, fx_msg *fm, const fx_msg *prev, int *lf, int *noeol,
                          unsigned *path_mtu, char *err, size_t errlen)
{
    *lf = *noeol = 0;
    fm->tp = SL_TP_UDP;
    fm->t_ns = prev ? prev->t_ns + 10000000 : 0;
    host_letter('A', fm->src);
    host_letter('B', fm->dst);
    fm->sport = fm->dport = 5060;
    for (char *tok = strtok(opts, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (strcmp(tok, "lf") == 0) {
            *lf = 1;
        } else if (strcmp(tok, "noeol") == 0) {
            *noeol = 1;
        } else if (strncmp(tok, "transport=", 10) == 0) {
            if (sl_transport_parse(tok + 10, &fm->tp) != 0) {
                snprintf(err, errlen, "unknown transport '%s'", tok + 10);
                return -1;
            }
        } else if (strncmp(tok, "path_mtu=", 9) == 0) {
            char *end;
            unsigned long v = strtoul(tok + 9, &end, 10);
            if (*end || end == tok + 9 || v > 65535) {
                snprintf(err, errlen, "bad '%s'", tok);
                return -1;
            }
            *path_mtu = (unsigned)v;
        } else if (strncmp(tok, "t=", 2) == 0) {
            char *end;
            double t = strtod(tok + 2, &end);
            if (*end || end == tok + 2 || t < 0) {
                snprintf(err, errlen, "bad time '%s' (seconds after the fixture epoch)", tok);
                return -1;
            }
            fm->t_ns = (int64_t)(t * 1e9 + 0.5);
        } else if (strncmp(tok, "src=", 4) == 0 || strncmp(tok, "dst=", 4) == 0) {
            int src = tok[0] == 's';
            if (parse_ipport(tok + 4, src ? fm->src : fm->dst, src ? &fm->sport : &fm->dport) != 0) {
                snprintf(err, errlen, "bad address '%s' (IPv4:port)", tok);
                return -1;
            }
        } else if (strlen(tok) == 3 && tok[1] == '>') {
            if (host_letter(tok[0], fm->src) != 0 || host_letter(tok[2], fm->dst) != 0) {
                snprintf(err, errlen, "bad direction '%s' (host letters A..W)", tok);
                return -1;
            }
            fm->sport = fm->dport = 5060;
        } else {
            snprintf(err, errlen, "unknown sip block option '%s'", tok);
            return -1;
        }
    }
    return 0;
}

/* "@N" or "rel=A,B" after "RULE severity". */
static int parse_expect_extra(const char *s, fx_expect *x)
{
    if (s[0] == '@') {
        char *end;
        unsigned long long v = strtoull(s + 1, &end, 10);
        if (*end || end == s + 1 || v == 0)
            return -1;
        x->frame = v;
        return 0;
    }
    if (strncmp(s, "rel=", 4) == 0) {
        x->check_related = 1;
        const char *p = s + 4;
        while (*p) {
            char *end;
            unsigned long long v = strtoull(p, &end, 10);
            if (end == p || v == 0 || x->n_related >= 4)
                return -1;
            x->related[x->n_related++] = v;
            p = end;
            if (*p == ',')
                p++;
            else if (*p)
                return -1;
        }
        return 0;
    }
    return -1;
}

int fx_load(const char *path, fx_case **cases, size_t *n, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    buf file = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        put(&file, chunk, got);
    fclose(fp);
    if (!file.p)
        put(&file, "", 0);

    fx_case *cs = NULL;
    size_t nc = 0;
    fx_case *cur = NULL;
    enum { OUT, SIP, EXPECT } state = OUT;
    int lf = 0, noeol = 0, lineno = 0, rc = 0;
    char **lines = NULL;
    size_t nl = 0;
    const char *p = file.p, *end = file.p + file.len;
    while (p < end && rc == 0) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t ll = e ? (size_t)(e - p) : (size_t)(end - p);
        lineno++;
        const char *line = p;
        p += ll + (e ? 1 : 0);
        if (state == OUT) {
            if (ll >= 3 && strncmp(line, "## ", 3) == 0) {
                cs = realloc(cs, (nc + 1) * sizeof *cs);
                cur = &cs[nc++];
                memset(cur, 0, sizeof *cur);
                snprintf(cur->name, sizeof cur->name, "%.*s", (int)(ll - 3), line + 3);
                cur->line = lineno;
                cur->tp = SL_TP_UDP;
            } else if (ll >= 6 && strncmp(line, "```sip", 6) == 0 && (ll == 6 || line[6] == ' ')) {
                if (!cur) {
                    snprintf(err, errlen, "%s:%d: sip block outside a case", path, lineno);
                    rc = -1;
                    break;
                }
                char opts[256];
                snprintf(opts, sizeof opts, "%.*s", (int)(ll - 6), line + 6);
                cur->msgs = realloc(cur->msgs, (cur->n_msgs + 1) * sizeof *cur->msgs);
                if (!cur->msgs)
                    abort();
                fx_msg *fm = &cur->msgs[cur->n_msgs++];
                memset(fm, 0, sizeof *fm);
                fm->line = lineno;
                if (parse_sip_opts(opts, fm, cur->n_msgs > 1 ? &cur->msgs[cur->n_msgs - 2] : NULL,
                                   &lf, &noeol, &cur->path_mtu, err, errlen) != 0) {
                    char tmp[256];
                    snprintf(tmp, sizeof tmp, "%s", err);
                    snprintf(err, errlen, "%s:%d: %s", path, lineno, tmp);
                    rc = -1;
                    break;
                }
                state = SIP;
            } else if (ll >= 9 && strncmp(line, "```expect", 9) == 0) {
                if (!cur) {
                    snprintf(err, errlen, "%s:%d: expect block outside a case", path, lineno);
                    rc = -1;
                    break;
                }
                state = EXPECT;
            }
            continue;
        }
        if (ll >= 3 && strncmp(line, "```", 3) == 0) {
            if (state == SIP) {
                fx_msg *fm = &cur->msgs[cur->n_msgs - 1];
                rc = fx_render((const char *const *)lines, nl, lf, noeol, &fm->msg, &fm->len, err, errlen);
                cur->msg = cur->msgs[0].msg;
                cur->len = cur->msgs[0].len;
                cur->tp = cur->msgs[0].tp;
                if (rc != 0) {
                    char tmp[256];
                    snprintf(tmp, sizeof tmp, "%s", err);
                    snprintf(err, errlen, "%s:%d: %s", path, cur->line, tmp);
                }
                for (size_t i = 0; i < nl; i++)
                    free(lines[i]);
                free(lines);
                lines = NULL;
                nl = 0;
            }
            state = OUT;
            continue;
        }
        if (state == SIP) {
            lines = realloc(lines, (nl + 1) * sizeof *lines);
            lines[nl++] = dupline(line, ll);
        } else {
            char rule[64] = {0}, sev[32] = {0}, extra[2][64] = {{0}}, text[256];
            snprintf(text, sizeof text, "%.*s", (int)ll, line);
            int k = sscanf(text, "%63s %31s %63s %63s", rule, sev, extra[0], extra[1]);
            if (k <= 0)
                continue;
            if (k == 1 && strcmp(rule, "none") == 0) {
                cur->none = 1;
                continue;
            }
            fx_expect x;
            memset(&x, 0, sizeof x);
            int bad = k < 2 || !sl_rule_by_id(rule) || sl_severity_parse(sev, &x.sev) != 0;
            for (int j = 0; !bad && j + 2 < k; j++)
                bad = parse_expect_extra(extra[j], &x) != 0;
            if (bad) {
                snprintf(err, errlen, "%s:%d: expected 'RULE-ID severity [@N] [rel=A,B]' or 'none', got '%.*s'", path,
                         lineno, (int)ll, line);
                rc = -1;
                break;
            }
            snprintf(x.rule, sizeof x.rule, "%.31s", rule);
            cur->expect = realloc(cur->expect, (cur->n_expect + 1) * sizeof x);
            cur->expect[cur->n_expect++] = x;
        }
    }
    for (size_t i = 0; i < nl; i++)
        free(lines[i]);
    free(lines);
    free(file.p);
    if (rc == 0) {
        for (size_t i = 0; i < nc; i++) {
            for (size_t j = 0; j < cs[i].n_expect && rc == 0; j++)
                if (cs[i].expect[j].frame > cs[i].n_msgs) {
                    snprintf(err, errlen, "%s:%d: case '%s' expects a finding at message %llu of %zu",
                             path, cs[i].line, cs[i].name, (unsigned long long)cs[i].expect[j].frame,
                             cs[i].n_msgs);
                    rc = -1;
                }
            if (rc != 0)
                break;
            if (!cs[i].msg || (!cs[i].none && cs[i].n_expect == 0)) {
                snprintf(err, errlen, "%s:%d: case '%s' lacks a sip or an expect block", path,
                         cs[i].line, cs[i].name);
                rc = -1;
                break;
            }
        }
    }
    if (rc != 0) {
        fx_free(cs, nc);
        return -1;
    }
    *cases = cs;
    *n = nc;
    return 0;
}

void fx_free(fx_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < cases[i].n_msgs; j++)
            free(cases[i].msgs[j].msg);
        free(cases[i].msgs);
        free(cases[i].expect);
    }
    free(cases);
}
