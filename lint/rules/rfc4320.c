/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 4320 (non-INVITE transaction fixes): NIT-1XX, NIT-408. RFC 3428 §8 gives MESSAGE the normal
 * non-INVITE treatment, so a response's CSeq method MESSAGE (case-sensitive, RFC 3261 §20.16)
 * makes it a non-INVITE response. */
#include "../engine/engine_internal.h"

/* The status line, for the finding's offset and length. */
static size_t status_line_len(const sl_msg *m)
{
    return (size_t)(m->reason.p + m->reason.len - m->base);
}

/* RFC 4320 §4.1: a non-INVITE transaction gets no provisional response other than 100. */
static void rule_nit_1xx(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status <= 100 || m->status >= 200 || !sl_concerns(c, "MESSAGE"))
        return;
    sl_emit(c, SL_R_NIT_1XX, SL_SEV_ERROR, 0, status_line_len(m),
            "%u \"%s\" response to MESSAGE; RFC 4320 §4.1: the only provisional response allowed "
            "to a non-INVITE request is 100", m->status, sl_show(c, m->reason, 40));
}

/* RFC 4320 §4.2: a transaction-stateful element never sends 408 to a non-INVITE request. */
static void rule_nit_408(sl_ctx *c)
{
    const sl_msg *m = c->m;
    if (m->is_request || m->status != 408 || !sl_concerns(c, "MESSAGE"))
        return;
    sl_emit(c, SL_R_NIT_408, SL_SEV_ERROR, 0, status_line_len(m),
            "408 \"%s\" response to MESSAGE; RFC 4320 §4.2: a transaction-stateful element MUST NOT "
            "send 408 to a non-INVITE request (the client has timed out already and would never "
            "see it)", sl_show(c, m->reason, 40));
}

const sl_rule_def sl_rules_rfc4320[] = {
    {SL_R_NIT_1XX, rule_nit_1xx, SL_ON_MESSAGE_RESPONSE},
    {SL_R_NIT_408, rule_nit_408, SL_ON_MESSAGE_RESPONSE},
    {SL_RULE__COUNT, NULL, SL_ON_ANY},
};
