/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Header names: canonical long forms, compact forms (RFC 3261 §7.3.3, IANA registry), lookup. */
#include <string.h>

#include "siplint/sip.h"
#include "hdrindex.h"

typedef struct hname {
    const char *name;
    unsigned char len;
} hname;

#define N(s) {s, sizeof(s) - 1}
static const hname long_names[SL_H__COUNT] = {
    [SL_H_OTHER] = N(""),
    [SL_H_ACCEPT] = N("Accept"),
    [SL_H_ACCEPT_CONTACT] = N("Accept-Contact"),
    [SL_H_ACCEPT_ENCODING] = N("Accept-Encoding"),
    [SL_H_ACCEPT_LANGUAGE] = N("Accept-Language"),
    [SL_H_ALLOW] = N("Allow"),
    [SL_H_ALLOW_EVENTS] = N("Allow-Events"),
    [SL_H_AUTHORIZATION] = N("Authorization"),
    [SL_H_CALL_ID] = N("Call-ID"),
    [SL_H_CONTACT] = N("Contact"),
    [SL_H_CONTENT_DISPOSITION] = N("Content-Disposition"),
    [SL_H_CONTENT_ENCODING] = N("Content-Encoding"),
    [SL_H_CONTENT_LENGTH] = N("Content-Length"),
    [SL_H_CONTENT_TRANSFER_ENCODING] = N("Content-Transfer-Encoding"),
    [SL_H_CONTENT_TYPE] = N("Content-Type"),
    [SL_H_CSEQ] = N("CSeq"),
    [SL_H_DATE] = N("Date"),
    [SL_H_EVENT] = N("Event"),
    [SL_H_EXPIRES] = N("Expires"),
    [SL_H_FROM] = N("From"),
    [SL_H_IDENTITY] = N("Identity"),
    [SL_H_IDENTITY_INFO] = N("Identity-Info"),
    [SL_H_MAX_FORWARDS] = N("Max-Forwards"),
    [SL_H_MIN_EXPIRES] = N("Min-Expires"),
    [SL_H_PATH] = N("Path"),
    [SL_H_PROXY_AUTHENTICATE] = N("Proxy-Authenticate"),
    [SL_H_PROXY_AUTHORIZATION] = N("Proxy-Authorization"),
    [SL_H_PROXY_REQUIRE] = N("Proxy-Require"),
    [SL_H_RECORD_ROUTE] = N("Record-Route"),
    [SL_H_REFER_TO] = N("Refer-To"),
    [SL_H_REFERRED_BY] = N("Referred-By"),
    [SL_H_REJECT_CONTACT] = N("Reject-Contact"),
    [SL_H_REQUEST_DISPOSITION] = N("Request-Disposition"),
    [SL_H_REQUIRE] = N("Require"),
    [SL_H_RETRY_AFTER] = N("Retry-After"),
    [SL_H_ROUTE] = N("Route"),
    [SL_H_SERVICE_ROUTE] = N("Service-Route"),
    [SL_H_SESSION_EXPIRES] = N("Session-Expires"),
    [SL_H_SUBJECT] = N("Subject"),
    [SL_H_SUPPORTED] = N("Supported"),
    [SL_H_TO] = N("To"),
    [SL_H_UNSUPPORTED] = N("Unsupported"),
    [SL_H_USER_AGENT] = N("User-Agent"),
    [SL_H_VIA] = N("Via"),
    [SL_H_WARNING] = N("Warning"),
    [SL_H_WWW_AUTHENTICATE] = N("WWW-Authenticate"),
};
#undef N

/* Compact forms: RFC 3261 §7.3.3 (i m e l c f s k t v) and the IANA SIP header registry
 * (o u r b x a j d y n). Letters are case-insensitive. */
const unsigned char sl_hdr_compact[26] = {
    ['a' - 'a'] = SL_H_ACCEPT_CONTACT,  ['b' - 'a'] = SL_H_REFERRED_BY,
    ['c' - 'a'] = SL_H_CONTENT_TYPE,    ['d' - 'a'] = SL_H_REQUEST_DISPOSITION,
    ['e' - 'a'] = SL_H_CONTENT_ENCODING, ['f' - 'a'] = SL_H_FROM,
    ['i' - 'a'] = SL_H_CALL_ID,         ['j' - 'a'] = SL_H_REJECT_CONTACT,
    ['k' - 'a'] = SL_H_SUPPORTED,       ['l' - 'a'] = SL_H_CONTENT_LENGTH,
    ['m' - 'a'] = SL_H_CONTACT,         ['n' - 'a'] = SL_H_IDENTITY_INFO,
    ['o' - 'a'] = SL_H_EVENT,           ['r' - 'a'] = SL_H_REFER_TO,
    ['s' - 'a'] = SL_H_SUBJECT,         ['t' - 'a'] = SL_H_TO,
    ['u' - 'a'] = SL_H_ALLOW_EVENTS,    ['v' - 'a'] = SL_H_VIA,
    ['x' - 'a'] = SL_H_SESSION_EXPIRES, ['y' - 'a'] = SL_H_IDENTITY,
};

const char *sl_hdr_name(sl_hdr_id id)
{
    return (unsigned)id < SL_H__COUNT ? long_names[id].name : "";
}

unsigned char sl_hdr_slots[SL_HDR_SLOTS];
sl_hdr_key sl_hdr_keys[SL_H__COUNT];

/* The lookup table (hdrindex.h), built once at load time. */
__attribute__((constructor)) static void build_slots(void)
{
    for (unsigned id = 1; id < SL_H__COUNT; id++) {
        const hname *h = &long_names[id];
        sl_hdr_key *k = &sl_hdr_keys[id];
        for (unsigned i = 0; i < h->len; i++) {
            unsigned char c = (unsigned char)h->name[i];
            k->lower[i] = sl_lower(c);
            k->fold[i] = sl_is_alpha(c) ? 0x20 : 0;
        }
        k->len = h->len;
        unsigned s = sl_hdr_slot(h->len, (unsigned char)h->name[0],
                                 (unsigned char)h->name[h->len - 1]);
        while (sl_hdr_slots[s])
            s = (s + 1) & (SL_HDR_SLOTS - 1);
        sl_hdr_slots[s] = (unsigned char)id;
    }
}

sl_hdr_id sl_hdr_lookup(const char *name, size_t len)
{
    return sl_hdr_find(name, len);
}
