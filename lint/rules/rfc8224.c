/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RFC 8224 (SIP Identity): ID-NO-DATE. */
#include "../engine/engine_internal.h"

/* RFC 8224 §6.1 step 3: the authentication service adds Date when it is missing, and the
 * signature covers it, so a request with Identity (compact y) carries Date. An Identity-Info
 * header (compact n) marks the obsoleted RFC 4474 form, which signed the Date as part of its
 * digest-string and so needed it too; the finding names the form it saw. */
static void rule_id_no_date(sl_ctx *c)
{
    const sl_msg *m = c->m;
    const sl_header *h = sl_msg_hdr(m, SL_H_IDENTITY);
    if (!m->is_request || !h || m->count[SL_H_DATE])
        return;
    if (m->count[SL_H_IDENTITY_INFO])
        sl_emit(c, SL_R_ID_NO_DATE, SL_SEV_ERROR, h->offset, h->row_len,
                "%s request carries Identity with Identity-Info (the RFC 4474 form) but no Date; "
                "RFC 4474 signs the Date as part of its digest-string, and RFC 8224 §6.1 step 3, "
                "which obsoletes it, requires the authentication service to add a missing Date",
                sl_show(c, m->method, 32));
    else
        sl_emit(c, SL_R_ID_NO_DATE, SL_SEV_ERROR, h->offset, h->row_len,
                "%s request carries Identity but no Date; RFC 8224 §6.1 step 3 requires the "
                "authentication service to add Date when the request has none",
                sl_show(c, m->method, 32));
}

const sl_rule_def sl_rules_rfc8224[] = {
    {SL_R_ID_NO_DATE, rule_id_no_date, SL_ON_REQUEST},
    {SL_RULE__COUNT, NULL, SL_ON_ANY},
};
