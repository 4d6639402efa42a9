/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 3327 (Path) rules that one message can prove: PATH-NON-REGISTER, PATH-SYNTAX, PATH-LR. */
#include <string.h>

#include "../engine/engine_internal.h"

/* RFC 3327 §4: Path appears only in REGISTER requests and in 2xx responses to REGISTER (its
 * Table 3 marks it "-" for ACK, BYE, CANCEL, INVITE, OPTIONS; §4's applicability text covers
 * MESSAGE and other extension methods). A Route built from a stored Path is legal (§5.4). */
static void rule_non_register(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_PATH);
    if (!h || sl_concerns(c, "REGISTER"))
        return;
    if (m->is_request)
        sl_emit(c, SL_R_PATH_NON_REGISTER, SL_SEV_ERROR, h->offset, h->row_len,
                "Path header in a %s request; RFC 3327 §4 allows Path only in REGISTER requests "
                "and responses to REGISTER", sl_show(c, m->method, 32));
    else if (c->cseq_ok)
        sl_emit(c, SL_R_PATH_NON_REGISTER, SL_SEV_ERROR, h->offset, h->row_len,
                "Path header in a %u response to %s; RFC 3327 §4 allows Path only in REGISTER "
                "requests and responses to REGISTER", m->status, sl_show(c, c->cseq.method, 32));
}

/* path-value = name-addr *( SEMI rr-param ) (RFC 3327 §4), each URI with lr. Checked on every
 * Path row wherever it appears: a misplaced Path that is also malformed has two defects. */
static void check_path_values(sl_ctx *c, int syntax)
{
    const sl_msg *m = c->m;
    for (const sl_header *h = sl_msg_hdr(m, SL_H_PATH); h; h = sl_msg_hdr_next(m, h)) {
        size_t pos = 0;
        sl_span e;
        if (h->value.len == 0 && syntax)
            sl_emit(c, SL_R_PATH_SYNTAX, SL_SEV_ERROR, h->offset, h->row_len,
                    "empty Path header (RFC 3327 §4: path-value = name-addr *( SEMI rr-param ))");
        while (sl_list_next(h->value, &pos, &e)) {
            sl_addr a;
            const char *what = NULL;
            size_t at;
            int bad = e.len == 0 || sl_addr_parse(e, &a, &what, &at) != 0 || !a.name_addr;
            if (bad) {
                if (syntax)
                    sl_emit(c, SL_R_PATH_SYNTAX, SL_SEV_ERROR, h->offset, h->row_len,
                            "Path value \"%s\" is not a name-addr: %s (RFC 3327 §4: path-value = "
                            "name-addr *( SEMI rr-param ))", sl_show(c, e, 80),
                            e.len == 0 ? "empty list element"
                            : what    ? what
                                      : "the URI must be enclosed in <>");
                continue; /* without <> there is no URI parameter to judge: PATH-SYNTAX says it */
            }
            if (syntax)
                continue;
            sl_param lr;
            if (!sl_param_find(a.uri_params, "lr", &lr)) {
                int outside = sl_param_find(a.params, "lr", NULL);
                sl_emit(c, SL_R_PATH_LR, SL_SEV_ERROR, h->offset, h->row_len,
                        "Path URI <%s> has no lr parameter%s (RFC 3327 §4: each Path URI MUST "
                        "carry lr)", sl_show(c, a.uri, 80),
                        outside ? "; the ;lr after '>' is a header parameter and does not count" : "");
            } else if (lr.value.p) {
                /* legacy "lr=on" from pre-RFC 3261 stacks: understood, but not the grammar */
                sl_emit(c, SL_R_PATH_LR, SL_SEV_WARNING, h->offset, h->row_len,
                        "Path URI <%s> carries lr=%s; RFC 3261 defines lr without a value",
                        sl_show(c, a.uri, 80), sl_show(c, lr.value, 16));
            }
        }
    }
}

static void rule_path_syntax(sl_ctx *c)
{
    check_path_values(c, 1);
}

static void rule_path_lr(sl_ctx *c)
{
    check_path_values(c, 0);
}

const sl_rule_impl sl_rules_rfc3327[] = {
    {SL_R_PATH_NON_REGISTER, rule_non_register},
    {SL_R_PATH_SYNTAX, rule_path_syntax},
    {SL_R_PATH_LR, rule_path_lr},
    {SL_RULE__COUNT, NULL},
};
