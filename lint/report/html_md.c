/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTML report's escaping and a small Markdown-to-HTML converter for the embedded rule pages
 * (docs/rules/<ID>.md): headings, paragraphs, lists, tables, fenced code, `code`, **strong**,
 * *emphasis* and links (to another rule: inside the report; anything else: its text only). */
#include <string.h>

#include "html_internal.h"

/* Printable ASCII that needs no escaping, in HTML text and in JSON strings alike. */
static int plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '<' && c != '>' && c != '&' && c != '"' && c != '\'' && c != '\\';
}

void sl_html_text(FILE *o, const char *s, size_t len)
{
    const char *end = s + len;
    while (s < end) {
        const char *run = s;
        while (s < end && plain((unsigned char)*s))
            s++;
        if (s > run)
            fwrite(run, 1, (size_t)(s - run), o);
        if (s == end)
            break;
        unsigned char c = (unsigned char)*s;
        if (c == '\\') {
            fputc(c, o);
            s++;
            continue;
        }
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2 && u != 0xfffe && u != 0xffff &&
                !(u >= 0x80 && u < 0xa0)) {
                const char *nx = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(nx - s), o);
                s = nx;
                continue;
            }
            fprintf(o, "\\x%02x", c);
            s++;
            continue;
        }
        switch (c) {
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '&': fputs("&amp;", o); break;
        case '"': fputs("&quot;", o); break;
        case '\'': fputs("&#39;", o); break;
        case '\n': fputc('\n', o); break;
        case '\t': fputc(' ', o); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(o, "\\x%02x", c);
            else
                fputc(c, o);
        }
        s++;
    }
}

void sl_html_json(FILE *o, const char *s, size_t len)
{
    const char *end = s + len;
    fputc('"', o);
    while (s < end) {
        const char *run = s;
        while (s < end && plain((unsigned char)*s))
            s++;
        if (s > run)
            fwrite(run, 1, (size_t)(s - run), o);
        if (s == end)
            break;
        unsigned char c = (unsigned char)*s;
        if (c == '\'') {
            fputc(c, o);
            s++;
            continue;
        }
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2 && u != 0x2028 && u != 0x2029) {
                const char *nx = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(nx - s), o);
                s = nx;
                continue;
            }
            /* a byte that is not UTF-8: shown as \xNN, as in the text format */
            fprintf(o, "\\\\x%02x", c);
            s++;
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", o); break;
        case '\\': fputs("\\\\", o); break;
        case '\n': fputs("\\n", o); break;
        case '\r': fputs("\\r", o); break;
        case '\t': fputs("\\t", o); break;
        case '<': fputs("\\u003c", o); break;
        case '>': fputs("\\u003e", o); break;
        case '&': fputs("\\u0026", o); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(o, "\\u%04x", c);
            else
                fputc(c, o);
        }
        s++;
    }
    fputc('"', o);
}

void sl_html_json_gs(GString *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + len;
    g_string_append_c(o, '"');
    while (s < end) {
        const char *run = s;
        while (s < end && (plain((unsigned char)*s) || *s == '\''))
            s++;
        if (s > run)
            g_string_append_len(o, run, s - run);
        if (s == end)
            break;
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2 && u != 0x2028 && u != 0x2029) {
                const char *nx = g_utf8_next_char(s);
                g_string_append_len(o, s, nx - s);
                s = nx;
                continue;
            }
            char e[6] = {'\\', '\\', 'x', hex[c >> 4], hex[c & 15], 0};
            g_string_append_len(o, e, 5);
            s++;
            continue;
        }
        switch (c) {
        case '"': g_string_append_len(o, "\\\"", 2); break;
        case '\\': g_string_append_len(o, "\\\\", 2); break;
        case '\n': g_string_append_len(o, "\\n", 2); break;
        case '\r': g_string_append_len(o, "\\r", 2); break;
        case '\t': g_string_append_len(o, "\\t", 2); break;
        default: {
            /* < > & as \u003c...: no "</script>" can appear inside the data */
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            g_string_append_len(o, e, 6);
        }
        }
        s++;
    }
    g_string_append_c(o, '"');
}

/* ---- Markdown ---- */

static int is_rule_id(const char *p, size_t n)
{
    char id[64];
    if (n == 0 || n >= sizeof id)
        return 0;
    memcpy(id, p, n);
    id[n] = 0;
    return sl_rule_by_id(id) != NULL;
}

/* Inline spans of one block's text. */
static void inline_md(FILE *o, const char *s, size_t n)
{
    int strong = 0, em = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\\' && i + 1 < n && strchr("\\`*_[]()|#-", s[i + 1])) {
            sl_html_text(o, s + i + 1, 1);
            i += 2;
            continue;
        }
        if (c == '`') {
            const char *close = memchr(s + i + 1, '`', n - i - 1);
            if (close) {
                fputs("<code>", o);
                sl_html_text(o, s + i + 1, (size_t)(close - s - i - 1));
                fputs("</code>", o);
                i = (size_t)(close - s) + 1;
                continue;
            }
        }
        if (c == '*' && i + 1 < n && s[i + 1] == '*') {
            fputs(strong ? "</strong>" : "<strong>", o);
            strong = !strong;
            i += 2;
            continue;
        }
        if (c == '*' && (em || (i + 1 < n && s[i + 1] != ' ' && memchr(s + i + 1, '*', n - i - 1)))) {
            fputs(em ? "</em>" : "<em>", o);
            em = !em;
            i++;
            continue;
        }
        if (c == '[') {
            const char *mid = memchr(s + i, ']', n - i);
            if (mid && (size_t)(mid - s) + 1 < n && mid[1] == '(') {
                const char *close = memchr(mid, ')', n - (size_t)(mid - s));
                if (close) {
                    const char *url = mid + 2;
                    size_t ul = (size_t)(close - url);
                    const char *dot = memchr(url, '.', ul);
                    size_t idl = dot ? (size_t)(dot - url) : 0;
                    if (dot && ul >= idl + 3 && memcmp(dot, ".md", 3) == 0 && is_rule_id(url, idl)) {
                        fputs("<a href=\"#rule-", o);
                        sl_html_text(o, url, idl);
                        fputs("\">", o);
                        inline_md(o, s + i + 1, (size_t)(mid - s - i - 1));
                        fputs("</a>", o);
                    } else
                        inline_md(o, s + i + 1, (size_t)(mid - s - i - 1));
                    i = (size_t)(close - s) + 1;
                    continue;
                }
            }
        }
        /* a run of plain text, escaped whole (UTF-8 sequences stay together) */
        size_t e = i + 1;
        while (e < n && !strchr("\\`*[", s[e]))
            e++;
        sl_html_text(o, s + i, e - i);
        i = e;
    }
    if (em)
        fputs("</em>", o);
    if (strong)
        fputs("</strong>", o);
}

typedef enum { B_NONE, B_P, B_UL, B_OL, B_TABLE } block;

static void close_block(FILE *o, block *b, GString *para, int *li_open)
{
    if (para->len) {
        inline_md(o, para->str, para->len);
        g_string_truncate(para, 0);
    }
    if (*li_open) {
        fputs("</li>", o);
        *li_open = 0;
    }
    switch (*b) {
    case B_P: fputs("</p>\n", o); break;
    case B_UL: fputs("</ul>\n", o); break;
    case B_OL: fputs("</ol>\n", o); break;
    case B_TABLE: fputs("</tbody></table>\n", o); break;
    default: break;
    }
    *b = B_NONE;
}

static void table_row(FILE *o, const char *s, size_t n, const char *cell)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '|')
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    if (n > i && s[n - 1] == '|' && !(n >= 2 && s[n - 2] == '\\'))
        n--;
    fputs("<tr>", o);
    size_t b = i;
    for (size_t k = i; k <= n; k++) {
        if (k == n || (s[k] == '|' && !(k > 0 && s[k - 1] == '\\'))) {
            size_t cb = b, ce = k;
            while (cb < ce && s[cb] == ' ')
                cb++;
            while (ce > cb && s[ce - 1] == ' ')
                ce--;
            fprintf(o, "<%s>", cell);
            inline_md(o, s + cb, ce - cb);
            fprintf(o, "</%s>", cell);
            b = k + 1;
        }
    }
    fputs("</tr>", o);
}

void sl_html_markdown(FILE *o, const char *md)
{
    GString *para = g_string_new(NULL);
    block b = B_NONE;
    int li_open = 0, in_code = 0;
    const char *p = md;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *next = nl ? nl + 1 : p + n;
        if (n && p[n - 1] == '\r')
            n--;
        if (n >= 3 && memcmp(p, "```", 3) == 0) {
            if (in_code) {
                fputs("</code></pre>\n", o);
                in_code = 0;
            } else {
                close_block(o, &b, para, &li_open);
                fputs("<pre><code>", o);
                in_code = 1;
            }
            p = next;
            continue;
        }
        if (in_code) {
            sl_html_text(o, p, n);
            fputc('\n', o);
            p = next;
            continue;
        }
        size_t ind = 0;
        while (ind < n && p[ind] == ' ')
            ind++;
        if (ind == n) {
            close_block(o, &b, para, &li_open);
            p = next;
            continue;
        }
        const char *t = p + ind;
        size_t tn = n - ind;
        if (ind == 0 && t[0] == '#') {
            close_block(o, &b, para, &li_open);
            size_t lv = 0;
            while (lv < tn && t[lv] == '#')
                lv++;
            size_t hs = lv;
            while (hs < tn && t[hs] == ' ')
                hs++;
            int h = (int)lv + 2 > 6 ? 6 : (int)lv + 2;
            fprintf(o, "<h%d>", h);
            inline_md(o, t + hs, tn - hs);
            fprintf(o, "</h%d>\n", h);
            p = next;
            continue;
        }
        if (t[0] == '|') {
            if (b != B_TABLE) {
                close_block(o, &b, para, &li_open);
                fputs("<table class=\"md\"><thead>", o);
                table_row(o, t, tn, "th");
                fputs("</thead><tbody>", o);
                b = B_TABLE;
            } else if (strspn(t, "|-: ") >= tn)
                ; /* the separator row */
            else
                table_row(o, t, tn, "td");
            p = next;
            continue;
        }
        int bullet = tn >= 2 && (t[0] == '-' || t[0] == '*') && t[1] == ' ';
        size_t digits = strspn(t, "0123456789");
        int numbered = digits > 0 && digits + 1 < tn && t[digits] == '.' && t[digits + 1] == ' ';
        if ((bullet || numbered) && ind < 4) {
            block want = bullet ? B_UL : B_OL;
            if (b != want) {
                close_block(o, &b, para, &li_open);
                fputs(bullet ? "<ul>" : "<ol>", o);
                b = want;
            } else {
                inline_md(o, para->str, para->len);
                g_string_truncate(para, 0);
                if (li_open)
                    fputs("</li>", o);
            }
            fputs("<li>", o);
            li_open = 1;
            size_t skip = bullet ? 2 : digits + 2;
            g_string_append_len(para, t + skip, (gssize)(tn - skip));
            p = next;
            continue;
        }
        if (b == B_NONE || b == B_TABLE) {
            close_block(o, &b, para, &li_open);
            fputs("<p>", o);
            b = B_P;
        }
        if (para->len)
            g_string_append_c(para, ' ');
        g_string_append_len(para, t, (gssize)tn);
        p = next;
    }
    if (in_code)
        fputs("</code></pre>\n", o);
    close_block(o, &b, para, &li_open);
    g_string_free(para, TRUE);
}
