/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Header names: canonical long forms, compact forms (RFC 3261 §7.3.3, IANA registry), lookup. */
#include <string.h>

#include "siplint/sip.h"
#include "sip_internal.h"

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
static const unsigned char compact[26] = {
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

static int name_ieq(const char *a, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sl_lower((unsigned char)a[i]) != sl_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

/* Open-addressed hash of the long names on (length, first, last letter), built once at load
 * time: a lookup costs one or two probes instead of a scan of the whole table. */
#define SLOTS 256
static unsigned char slots[SLOTS];

static unsigned slot_of(size_t len, unsigned char c0, unsigned char cl)
{
    return ((unsigned)len * 31u + (unsigned)c0 * 7u + (unsigned)cl) & (SLOTS - 1);
}

__attribute__((constructor)) static void build_slots(void)
{
    for (unsigned id = 1; id < SL_H__COUNT; id++) {
        const hname *h = &long_names[id];
        unsigned s = slot_of(h->len, sl_lower((unsigned char)h->name[0]),
                             sl_lower((unsigned char)h->name[h->len - 1]));
        while (slots[s])
            s = (s + 1) & (SLOTS - 1);
        slots[s] = (unsigned char)id;
    }
}

sl_hdr_id sl_hdr_lookup(const char *name, size_t len)
{
    if (len == 0)
        return SL_H_OTHER;
    unsigned char c0 = sl_lower((unsigned char)name[0]);
    if (len == 1)
        return (c0 >= 'a' && c0 <= 'z') ? (sl_hdr_id)compact[c0 - 'a'] : SL_H_OTHER;
    for (unsigned s = slot_of(len, c0, sl_lower((unsigned char)name[len - 1])); slots[s];
         s = (s + 1) & (SLOTS - 1)) {
        const hname *h = &long_names[slots[s]];
        /* as written in the table (the usual case), else case-insensitively */
        if (h->len == len && (memcmp(name, h->name, len) == 0 || name_ieq(name, h->name, len)))
            return (sl_hdr_id)slots[s];
    }
    return SL_H_OTHER;
}
