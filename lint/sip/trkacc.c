/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Accessors the transaction tracker needs: is a message's body signed (catalogue D2)? */
#include <string.h>

#include "sip_internal.h"

/* D2 (a) multipart/signed with a pkcs7-signature protocol, (b) pkcs7-mime with
 * smime-type=signed-data. */
static int ctype_signed(const sl_ctype *ct)
{
    sl_span v;
    if (sl_ctype_is(ct, "multipart", "signed") && sl_ctype_param(ct, "protocol", &v))
        return sl_span_ieq(v, "application/pkcs7-signature") ||
               sl_span_ieq(v, "application/x-pkcs7-signature");
    if ((sl_ctype_is(ct, "application", "pkcs7-mime") ||
         sl_ctype_is(ct, "application", "x-pkcs7-mime")) &&
        sl_ctype_param(ct, "smime-type", &v))
        return sl_span_ieq(v, "signed-data");
    return 0;
}

int sl_msg_signed(const sl_msg *m)
{
    const sl_header *h = sl_msg_hdr(m, SL_H_CONTENT_TYPE);
    sl_ctype ct;
    if (!h || m->body.len == 0 || sl_ctype_parse(h->value, &ct) != 0)
        return 0;
    if (ctype_signed(&ct))
        return 1;
    /* (d) one level of multipart/mixed */
    sl_span b;
    if (!sl_ctype_is(&ct, "multipart", "mixed") || !sl_ctype_param(&ct, "boundary", &b))
        return 0;
    size_t pos = 0;
    sl_part part;
    while (sl_multipart_next(m->body, b, &pos, &part) == 1) {
        sl_span pv;
        sl_ctype pct;
        if (sl_mime_header(part.headers, "Content-Type", &pv) && sl_ctype_parse(pv, &pct) == 0 &&
            ctype_signed(&pct))
            return 1;
    }
    return 0;
}
