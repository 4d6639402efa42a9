/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rules that need earlier messages (transactions and dialogs), over the tracker's records. */
#include <stdio.h>
#include <string.h>

#include "../engine/engine_internal.h"
#include "../engine/tracker.h"

/* Every rule here reports at the message that made the violation certain, and names the other
 * messages involved as related frames. The tracker's records are as they were before the
 * current message (lint/engine/tracker.h). */

static sl_trk_view *view(sl_ctx *c)
{
    return c->tv && c->tv->ok ? c->tv : NULL;
}

static size_t hdr_off(const sl_msg *m, sl_hdr_id id, size_t *len)
{
    const sl_header *h = sl_msg_hdr(m, id);
    *len = h ? h->row_len : 0;
    return h ? h->offset : 0;
}

static unsigned long long ull(uint64_t v)
{
    return (unsigned long long)v;
}

/* A response that is the first final one of its transaction. */
static int first_final(const sl_ctx *c, const sl_txn *x)
{
    return !c->m->is_request && c->m->status >= 200 && x && !(x->flags & SL_TX_FINAL);
}

/* ---- MSG-ACK ---------------------------------------------------------------------------------- */

/* RFC 3261 §17.1.2.1: non-INVITE transactions do not use ACK; §17.1.1.3/§13.2.2.4: an ACK carries
 * the CSeq number of the INVITE it acknowledges; RFC 3428 §3: MESSAGE creates no dialog. A 2xx-ACK
 * has a new branch, so the CSeq number (with Call-ID and From tag: each side numbers its own
 * requests) is what ties an ACK to its request. */
static void rule_msg_ack(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    if (!v || !c->m->is_request || v->method != SL_TM_ACK)
        return;
    sl_reqrec *r = v->req;
    if (r && (r->flags & SL_RQ_ACK_REPORTED))
        return; /* one finding per MESSAGE, not one per retransmitted ACK */
    size_t len, off;
    if (v->ack_message) {
        uint64_t rel[1] = {v->ack_message->req_frame};
        sl_emit_related(c, SL_R_MSG_ACK, SL_SEV_ERROR, v->via_off, 0, rel, 1,
                        "ACK with the branch and sent-by of the MESSAGE transaction in frame %llu: "
                        "non-INVITE transactions do not use ACK (RFC 3261 §17.1.2.1, §17.2.3) and "
                        "MESSAGE creates no dialog (RFC 3428 §3)", ull(rel[0]));
        if (r)
            r->flags |= SL_RQ_ACK_REPORTED;
        return;
    }
    if (!r || !(r->flags & SL_RQ_MESSAGE) || (r->flags & SL_RQ_INVITE))
        return;
    if (sl_trk_lossy(c->trk, v->now))
        return; /* the INVITE may be among the records the tracker could not keep */
    uint64_t rel[1] = {r->message_frame};
    off = hdr_off(c->m, SL_H_CSEQ, &len);
    int certain = (r->flags & SL_RQ_MESSAGE_OOD) || (v->dlg && (v->dlg->flags & SL_DG_REAL));
    if (certain)
        sl_emit_related(c, SL_R_MSG_ACK, SL_SEV_ERROR, off, len, rel, 1,
                        "ACK with CSeq %llu acknowledges the MESSAGE in frame %llu: no INVITE of this "
                        "Call-ID and From tag used that number (an ACK carries its INVITE's CSeq "
                        "number, RFC 3261 §17.1.1.3, §13.2.2.4); non-INVITE transactions do not use "
                        "ACK (§17.1.2.1) and MESSAGE creates no dialog (RFC 3428 §3)",
                        ull(c->cseq.num), ull(rel[0]));
    else
        sl_emit_related(c, SL_R_MSG_ACK, SL_SEV_WARNING, off, len, rel, 1,
                        "ACK without INVITE: its CSeq %llu matches only the in-dialog MESSAGE in "
                        "frame %llu, and the dialog's INVITE is not in the capture (it may have "
                        "started mid-call); an ACK acknowledges an INVITE, never a MESSAGE "
                        "(RFC 3261 §17.1.2.1)", ull(c->cseq.num), ull(rel[0]));
    r->flags |= SL_RQ_ACK_REPORTED;
}

/* ---- MSG-OVERLAP-OOD -------------------------------------------------------------------------- */

/* RFC 3428 §8: no new out-of-dialog MESSAGE to a URI while an earlier one to it is pending. The
 * tracker notes a newer MESSAGE (new branch: retransmissions are not new transactions) on the
 * earlier transaction while that one has no final response and Timer F runs. A missing response
 * proves nothing, so the overlap becomes certain only when the earlier transaction's final
 * response arrives after the newer request: that response is where it is reported. A retry after
 * a final 401/407 comes after that final, so it never overlaps. */
static void rule_overlap(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    sl_txn *x = v ? v->txn : NULL;
    if (!first_final(c, x) || !x->overlap_frame || !(x->flags & SL_TX_OOD_MESSAGE) ||
        (x->reported & SL_TXR_OVERLAP) || x->overlap_t > v->now)
        return;
    x->reported |= SL_TXR_OVERLAP;
    uint64_t rel[2] = {x->overlap_frame, x->req_frame};
    /* both requests and this response on one captured link: E; otherwise the response came by
     * another path and the catalogue asks for W */
    sl_severity sev = sl_trk_addr_h(c->meta, 1) == x->req_addr ? SL_SEV_ERROR : SL_SEV_WARNING;
    sl_emit_related(c, SL_R_MSG_OVERLAP_OOD, sev, 0, 0, rel, 2,
                    "the out-of-dialog MESSAGE in frame %llu was sent while the MESSAGE in frame "
                    "%llu from the same UAC to the same Request-URI was still pending: this %u is "
                    "that earlier MESSAGE's final response; RFC 3428 §8 forbids a new MESSAGE to a "
                    "URI until the previous one is answered", ull(rel[0]), ull(rel[1]),
                    c->m->status);
}

/* ---- SIP-TO-TAG-RESP -------------------------------------------------------------------------- */

/* RFC 3261 §8.2.6.2: the UAS adds a To tag to every response but 100 when the request had none,
 * and uses the same tag for all responses to it. A proxy that answers (407, 483...) acts as a
 * UAS. INVITE responses may carry several tags upstream of a forking proxy, so the "same tag"
 * half applies to non-INVITE transactions; two finals with different tags are SIP-MULTI-FINAL. */
static void rule_to_tag(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    if (!v || m->is_request || m->status <= 100)
        return;
    sl_txn *x = v->txn;
    if (x && (x->reported & SL_TXR_TO_TAG))
        return;
    size_t len, off;
    uint64_t rel[1] = {x ? x->req_frame : 0};
    if (!v->has_to_tag) {
        off = hdr_off(m, SL_H_TO, &len);
        if (x && (x->flags & SL_TX_REQ_SEEN) && (x->flags & SL_TX_REQ_TOTAG))
            sl_emit_related(c, SL_R_SIP_TO_TAG_RESP, SL_SEV_ERROR, off, len, rel, 1,
                            "%u response has no To tag although the request in frame %llu had one "
                            "(RFC 3261 §8.2.6.2)", m->status, ull(rel[0]));
        else
            sl_emit_related(c, SL_R_SIP_TO_TAG_RESP, SL_SEV_ERROR, off, len, rel, 1,
                            "%u response has no To tag; the UAS adds one to every response except "
                            "100 (RFC 3261 §8.2.6.2)", m->status);
        if (x)
            x->reported |= SL_TXR_TO_TAG;
        return;
    }
    if (!x || x->method == SL_TM_INVITE || !(x->flags & SL_TX_RESP_TAG) || (x->flags & SL_TX_REQ_TOTAG))
        return;
    if (m->status >= 200 && (x->flags & SL_TX_FINAL))
        return;
    uint32_t tag = sl_trk_totag_h(v);
    if (tag != x->resp_totag) {
        off = hdr_off(m, SL_H_TO, &len);
        sl_emit_related(c, SL_R_SIP_TO_TAG_RESP, SL_SEV_ERROR, off, len, rel, 1,
                        "%u response's To tag '%s' differs from the tag of an earlier response to "
                        "the same request; the UAS uses one tag for all its responses to a request "
                        "(RFC 3261 §8.2.6.2)", m->status, sl_show(c, v->to_tag, 64));
        x->reported |= SL_TXR_TO_TAG;
    }
}

/* ---- SIP-RESP-ECHO ---------------------------------------------------------------------------- */

/* RFC 3261 §8.2.6.2: From, Call-ID, CSeq and Via of a response equal the request's. Compared as
 * §20 equality allows (URIs and hosts case-folded; Via by transport, sent-by and branch, so the
 * received/rport the next hop adds do not count). The request at this hop is the one with the
 * same top Via, so a proxy's own Via, already stripped, never differs. */
static void rule_resp_echo(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (m->is_request || !x || !(x->flags & SL_TX_REQ_SEEN) || (x->reported & SL_TXR_ECHO))
        return;
    sl_trk_echo(c, v);
    /* the same From bytes are the same From; other bytes may still be an equal From (§20) */
    int from_diff = v->from_raw != x->from_raw && sl_trk_from_h(v) != x->from_h;
    int callid_diff = v->callid_h != x->callid_h, cseq_diff = c->cseq.num != x->cseq;
    int via_diff = v->via_h != x->via_h || v->n_via != x->n_via;
    if (!from_diff && !callid_diff && !cseq_diff && !via_diff)
        return; /* the usual case */
    char what[64] = "";
    size_t off = 0, len = 0;
    int first = 1;
    struct { int diff; const char *name; sl_hdr_id id; } d[] = {
        {from_diff, "From", SL_H_FROM},
        {callid_diff, "Call-ID", SL_H_CALL_ID},
        {cseq_diff, "CSeq", SL_H_CSEQ},
        {via_diff, "Via", SL_H_VIA},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        if (!d[i].diff)
            continue;
        if (first)
            off = hdr_off(m, d[i].id, &len);
        size_t o = strlen(what);
        snprintf(what + o, sizeof what - o, "%s%s", first ? "" : ", ", d[i].name);
        first = 0;
    }
    x->reported |= SL_TXR_ECHO;
    uint64_t rel[1] = {x->req_frame};
    sl_emit_related(c, SL_R_SIP_RESP_ECHO, SL_SEV_ERROR, off, len, rel, 1,
                    "%u response: %s differ%s from the request in frame %llu; a response copies "
                    "From, Call-ID, CSeq and Via from its request (RFC 3261 §8.2.6.2)", m->status,
                    what, strchr(what, ',') ? "" : "s", ull(rel[0]));
}

/* ---- SIP-MULTI-FINAL -------------------------------------------------------------------------- */

/* RFC 3261 §17.2.2: a non-INVITE server transaction sends one final response; a forking proxy
 * forwards one (RFC 3428 §6). Identical retransmissions are fine; each forked branch downstream
 * has its own branch parameter and so its own transaction. */
static void rule_multi_final(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (m->is_request || m->status < 200 || !x || !(x->flags & SL_TX_FINAL) ||
        x->method == SL_TM_INVITE || (x->reported & SL_TXR_MULTI_FINAL))
        return;
    uint32_t tag = sl_trk_totag_h(v);
    int other_code = m->status != x->final_status;
    if (!other_code && tag == x->final_totag)
        return;
    x->reported |= SL_TXR_MULTI_FINAL;
    uint64_t rel[2] = {x->final_frame, x->req_frame};
    sl_emit_related(c, SL_R_SIP_MULTI_FINAL, SL_SEV_ERROR, 0, 0, rel, 2,
                    "a second final response (%u%s) to one non-INVITE transaction on this hop, after "
                    "the %u in frame %llu; a server transaction sends one final response, others "
                    "MUST be discarded (RFC 3261 §17.2.2)", m->status,
                    other_code ? "" : " with another To tag", x->final_status, ull(rel[0]));
}

/* ---- NIT-100-EARLY ---------------------------------------------------------------------------- */

/* RFC 4320 §4.1: no 100 to a non-INVITE request over an unreliable transport before the client's
 * Timer E would be reset to T2 (catalogue D5: 3.5 s with T1 = 500 ms, T2 = 4 s), counted from the
 * first transmission seen at this hop. */
static void rule_100_early(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (m->is_request || m->status != 100 || !x || !(x->flags & SL_TX_REQ_SEEN) ||
        x->method == SL_TM_INVITE || (x->flags & SL_TX_RELIABLE) ||
        c->meta->transport != SL_TP_UDP || (x->reported & SL_TXR_100_EARLY))
        return;
    int64_t dt = v->now - x->t_first, limit = sl_trk_e_reset(c->trk);
    if (dt < 0 || dt >= limit)
        return;
    x->reported |= SL_TXR_100_EARLY;
    uint64_t rel[1] = {x->req_frame};
    sl_emit_related(c, SL_R_NIT_100_EARLY, SL_SEV_ERROR, 0, 0, rel, 1,
                    "100 Trying to a non-INVITE request over UDP %lld ms after the request in frame "
                    "%llu; RFC 4320 §4.1 forbids it before Timer E would be reset to T2 (%lld ms)",
                    (long long)(dt / 1000000), ull(rel[0]), (long long)(limit / 1000000));
}

/* ---- SIP-481-OOD ------------------------------------------------------------------------------ */

/* RFC 3261 §12.2.2, §21.4.19: 481 means no matching dialog or transaction; a request without a
 * To tag is in no dialog, so 481 is the wrong answer. CANCEL is the exception: 481 is its answer
 * when the transaction to cancel is unknown (§9.2). */
static void rule_481_ood(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (m->is_request || m->status != 481 || !first_final(c, x) || !(x->flags & SL_TX_REQ_SEEN) ||
        (x->flags & SL_TX_REQ_TOTAG) || x->method == SL_TM_CANCEL)
        return;
    uint64_t rel[1] = {x->req_frame};
    sl_emit_related(c, SL_R_SIP_481_OOD, SL_SEV_WARNING, 0, 0, rel, 1,
                    "481 (Call/Transaction Does Not Exist) to the out-of-dialog %s request in frame "
                    "%llu (no To tag); 481 is for requests that name a dialog (RFC 3261 §12.2.2)",
                    sl_show(c, c->cseq.method, 32), ull(rel[0]));
}

/* ---- MSG-413 (the half that needs the request) -------------------------------------------- */

/* RFC 3261 §21.4.11: 413 Request Entity Too Large is about the entity-body; a message too large
 * as a whole is 513 (§21.5.7). A 413 to a MESSAGE that had no body answers the wrong problem.
 * (The missing-Retry-After note needs only the response: rfc3428.c.) */
static void rule_413_body(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (m->is_request || m->status != 413 || !x || !(x->flags & SL_TX_REQ_SEEN) ||
        x->method != SL_TM_MESSAGE || (x->flags & SL_TX_REQ_BODY))
        return;
    uint64_t rel[1] = {x->req_frame};
    sl_emit_related(c, SL_R_MSG_413, SL_SEV_WARNING, 0, 0, rel, 1,
                    "413 (Request Entity Too Large) to the MESSAGE in frame %llu, which has no body; "
                    "413 concerns the entity-body (RFC 3261 §21.4.11), a message too large as a "
                    "whole is 513 (§21.5.7)", ull(rel[0]));
}

/* ---- SIP-420-UNSUPPORTED and PATH-420 -------------------------------------------------------- */

static int path_register_unsupported(const sl_txn *x)
{
    return x && (x->flags & SL_TX_REQ_SEEN) && x->method == SL_TM_REGISTER &&
           (x->flags & SL_TX_REQ_PATH) && !(x->flags & SL_TX_SUP_PATH);
}

/* RFC 3261 §8.2.2.3, §21.4.15: a 420 lists the option tags it did not understand in Unsupported;
 * they come from the request's Require or Proxy-Require. (RFC 3428 Table 2's "o" for Unsupported
 * in 420 yields to that MUST.) */
static void rule_420(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    if (!v || m->is_request || m->status != 420)
        return;
    sl_txn *x = v->txn;
    const sl_header *u = sl_msg_hdr(m, SL_H_UNSUPPORTED);
    uint64_t rel[1] = {x ? x->req_frame : 0};
    if (!u) {
        /* the Path case is PATH-420's: one finding for one fault */
        if (path_register_unsupported(x) && c->cfg->severity[SL_R_PATH_420] != SL_SEV_NONE)
            return;
        sl_emit_related(c, SL_R_SIP_420_UNSUPPORTED, SL_SEV_ERROR, 0, 0, rel, 1,
                        "420 (Bad Extension) without an Unsupported header naming the option tags "
                        "that were not understood (RFC 3261 §8.2.2.3, §21.4.15)");
        return;
    }
    if (!x || !(x->flags & SL_TX_REQ_SEEN) || x->n_tags == 255)
        return;
    for (; u; u = sl_msg_hdr_next(m, u)) {
        size_t pos = 0;
        sl_span el;
        while (sl_list_next(u->value, &pos, &el)) {
            if (!el.len)
                continue;
            /* RFC 3327 §5.3: a registrar rejects a Path REGISTER from a UA that did not indicate
             * support with 420 "indicating the Path extension", with no Require: path to answer.
             * The Path may have been added by a proxy after the hop this request was seen at
             * (the UA's own copy has none), so `path` in a 420 to any REGISTER is left alone. */
            if (x->method == SL_TM_REGISTER && sl_span_ieq(el, "path"))
                continue;
            uint32_t h = sl_trk_h32(sl_trk_hash_lc(SL_TRK_SEED, el.p, el.len));
            int found = 0;
            for (unsigned i = 0; i < x->n_tags; i++)
                found |= x->tags[i] == h;
            if (!found) {
                sl_emit_related(c, SL_R_SIP_420_UNSUPPORTED, SL_SEV_WARNING,
                                (size_t)(el.p - m->base), el.len, rel, 1,
                                "420 lists '%s' in Unsupported, but the request in frame %llu did not "
                                "require it (Require or Proxy-Require); RFC 3261 §8.2.2.3",
                                sl_show(c, el, 64), ull(rel[0]));
                return;
            }
        }
    }
}

/* RFC 3327 §5.3: a registrar that does not support Path rejects a Path REGISTER from a UA that did
 * not indicate support with 420 (which needs Unsupported, RFC 3261 §21.4.15); accepting it is
 * allowed ("MAY choose to support"), and worth a note. */
static void rule_path_420(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (!first_final(c, x) || !path_register_unsupported(x))
        return;
    uint64_t rel[1] = {x->req_frame};
    if (m->status == 420 && !sl_msg_hdr(m, SL_H_UNSUPPORTED))
        sl_emit_related(c, SL_R_PATH_420, SL_SEV_ERROR, 0, 0, rel, 1,
                        "420 to the REGISTER with Path in frame %llu has no Unsupported header; the "
                        "registrar's 420 indicates the Path extension (RFC 3327 §5.3) and every 420 "
                        "carries Unsupported (RFC 3261 §21.4.15)", ull(rel[0]));
    else if (m->status >= 200 && m->status < 300)
        sl_emit_related(c, SL_R_PATH_420, SL_SEV_NOTE, 0, 0, rel, 1,
                        "the registrar accepted the REGISTER with Path in frame %llu although the UA "
                        "did not indicate support (no Supported: path); RFC 3327 §5.3 recommends "
                        "rejecting it with 420, though the registrar MAY choose to support it",
                        ull(rel[0]));
}

/* ---- PATH-2XX-ECHO and PATH-2XX-UNSOLICITED --------------------------------------------------- */

typedef struct path_list {
    unsigned n;
    uint32_t last[SL_TX_PATHS]; /* the last values, in order */
    sl_span host[8];            /* hosts of the first values (PATH-2XX-UNSOLICITED) */
} path_list;

static void read_paths(const sl_msg *m, path_list *pl)
{
    memset(pl, 0, sizeof *pl);
    for (const sl_header *h = sl_msg_hdr(m, SL_H_PATH); h; h = sl_msg_hdr_next(m, h)) {
        size_t pos = 0;
        sl_span el;
        while (sl_list_next(h->value, &pos, &el)) {
            if (pl->n >= SL_TX_PATHS)
                memmove(pl->last, pl->last + 1, (SL_TX_PATHS - 1) * sizeof pl->last[0]);
            pl->last[pl->n >= SL_TX_PATHS ? SL_TX_PATHS - 1 : pl->n] = sl_trk_path_hash(el);
            if (pl->n < 8) {
                sl_addr a;
                const char *what;
                size_t at;
                if (sl_addr_parse(el, &a, &what, &at) == 0 && !a.star) { /* "*" has no URI */
                    /* host of sip:[user@]host[:port][;params] */
                    const char *p = a.uri.p, *e = a.uri.p + a.uri.len;
                    const char *s = memchr(p, ':', a.uri.len);
                    s = s ? s + 1 : p;
                    for (const char *q = s; q < e && *q != ';'; q++)
                        if (*q == '@')
                            s = q + 1;
                    const char *t = s;
                    if (t < e && *t == '[')
                        while (t < e && *t != ']')
                            t++;
                    while (t < e && *t != ':' && *t != ';' && *t != '?')
                        t++;
                    if (t < e && *t == ']')
                        t++;
                    pl->host[pl->n] = (sl_span){s, (size_t)(t - s)};
                }
            }
            pl->n++;
        }
    }
}

static int host_is_source(const sl_meta *meta, sl_span host)
{
    char ip[64];
    if (meta->af == 4)
        snprintf(ip, sizeof ip, "%u.%u.%u.%u", meta->src[0], meta->src[1], meta->src[2], meta->src[3]);
    else if (meta->af == 6)
        return host.len && host.p[0] == '['; /* IPv6 literals: not compared, assume it may be */
    else
        return 0;
    return sl_span_eq(host, ip);
}

/* RFC 3327 §5.3: the registrar copies the request's Path values, in order, into the 2xx. At a hop
 * upstream of a Path-adding proxy the 2xx also holds the values added downstream, in front: so the
 * request's values must be the *end* of the 2xx's list. */
static void rule_path_echo(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (!first_final(c, x) || m->status >= 300 || !(x->flags & SL_TX_REQ_SEEN) ||
        x->method != SL_TM_REGISTER || !(x->flags & SL_TX_REQ_PATH))
        return;
    path_list pl;
    read_paths(m, &pl);
    uint64_t rel[1] = {x->req_frame};
    size_t len, off = hdr_off(m, SL_H_PATH, &len);
    if (pl.n == 0) {
        sl_emit_related(c, SL_R_PATH_2XX_ECHO, SL_SEV_WARNING, 0, 0, rel, 1,
                        "%u to the REGISTER with Path in frame %llu carries no Path; the registrar "
                        "copies the request's Path values into the 2xx (RFC 3327 §5.3)", m->status,
                        ull(rel[0]));
        return;
    }
    unsigned nq = x->n_path, k = nq < SL_TX_PATHS ? nq : SL_TX_PATHS;
    int ok = pl.n >= nq;
    unsigned kr = pl.n < SL_TX_PATHS ? pl.n : SL_TX_PATHS;
    for (unsigned i = 0; ok && i < k; i++)
        ok = pl.last[kr - k + i] == x->path[i];
    if (!ok)
        sl_emit_related(c, SL_R_PATH_2XX_ECHO, SL_SEV_WARNING, off, len, rel, 1,
                        "the Path of this %u (%u value%s) does not end with the %u Path value%s of "
                        "the REGISTER in frame %llu in the same order; the registrar copies them "
                        "(RFC 3327 §5.3)", m->status, pl.n, pl.n == 1 ? "" : "s", nq,
                        nq == 1 ? "" : "s", ull(rel[0]));
}

/* RFC 3327 §5.3: Path in a 2xx to a REGISTER that had none. Upstream of a Path-adding proxy that is
 * normal, and such a proxy adds Path only for a UA that indicated support (§5.2), so a REGISTER with
 * Supported: path stays quiet, as does a 2xx whose Path names the host that sent it. */
static void rule_path_unsolicited(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (!first_final(c, x) || m->status >= 300 || !(x->flags & SL_TX_REQ_SEEN) ||
        x->method != SL_TM_REGISTER || (x->flags & (SL_TX_REQ_PATH | SL_TX_SUP_PATH)) ||
        !sl_msg_hdr(m, SL_H_PATH))
        return;
    path_list pl;
    read_paths(m, &pl);
    for (unsigned i = 0; i < pl.n && i < 8; i++)
        if (host_is_source(c->meta, pl.host[i]))
            return;
    uint64_t rel[1] = {x->req_frame};
    size_t len, off = hdr_off(m, SL_H_PATH, &len);
    sl_emit_related(c, SL_R_PATH_2XX_UNSOLICITED, SL_SEV_WARNING, off, len, rel, 1,
                    "%u carries Path although the REGISTER in frame %llu had none and did not "
                    "indicate support for it (RFC 3327 §5.2, §5.3)", m->status, ull(rel[0]));
}

/* ---- MSG-PSEUDO-DIALOG ------------------------------------------------------------------------ */

/* RFC 3428 §3/§4: MESSAGE creates no dialog; a request whose Call-ID and tags match only an
 * earlier MESSAGE's 2xx is in no dialog (and the UAS answers 481, RFC 3261 §12.2.2). The
 * dialog-creating request might predate the capture, hence a warning. */
static void rule_pseudo_dialog(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    if (!v || !m->is_request || !v->dlg || v->method == SL_TM_ACK || v->method == SL_TM_CANCEL)
        return;
    sl_dlgrec *d = v->dlg;
    if (!(d->flags & SL_DG_MESSAGE) || (d->flags & SL_DG_REAL) || sl_trk_lossy(c->trk, v->now))
        return;
    if (v->txn && (v->txn->flags & SL_TX_REQ_SEEN))
        return; /* a retransmission */
    uint64_t rel[1] = {d->frame};
    size_t len, off = hdr_off(m, SL_H_TO, &len);
    sl_emit_related(c, SL_R_MSG_PSEUDO_DIALOG, SL_SEV_WARNING, off, len, rel, 1,
                    "%s request with a To tag whose Call-ID and tags match only the MESSAGE exchange "
                    "answered in frame %llu: MESSAGE creates no dialog (RFC 3428 §3, §4), so this "
                    "request is in no dialog (the UAS answers 481, RFC 3261 §12.2.2)",
                    sl_show(c, m->method, 32), ull(rel[0]));
}

/* ---- MSG-DATE-STALE --------------------------------------------------------------------------- */

/* RFC 3428 §11.4: a signed MESSAGE dated more than "several minutes" (date_stale_s) from now
 * SHOULD be rejected with 400. Judged at the final response with the capture clock, which may
 * differ from the sender's: a note. Store-and-forward delivery is normal, dropping repeats is
 * allowed (MAY), so only a final response other than 400 is reported. */
static void rule_date_stale(sl_ctx *c)
{
    sl_trk_view *v = view(c);
    const sl_msg *m = c->m;
    sl_txn *x = v ? v->txn : NULL;
    if (!first_final(c, x) || !(x->flags & SL_TX_STALE) || m->status == 400)
        return;
    long long skew = (long long)(x->t_first / 1000000000LL) - (long long)x->t_stale_date;
    uint64_t rel[1] = {x->req_frame};
    sl_emit_related(c, SL_R_MSG_DATE_STALE, SL_SEV_NOTE, 0, 0, rel, 1,
                    "the signed MESSAGE in frame %llu is dated %lld s %s the capture time (more than "
                    "%u s), yet it is answered %u, not 400 \"Incorrect Date or Time\" (RFC 3428 §11.4)",
                    ull(rel[0]), skew < 0 ? -skew : skew, skew < 0 ? "after" : "before",
                    c->cfg->date_stale_s ? c->cfg->date_stale_s : 300, m->status);
}

const sl_rule_def sl_rules_stateful[] = {
    {SL_R_MSG_ACK, rule_msg_ack, SL_ON_REQUEST},
    {SL_R_MSG_OVERLAP_OOD, rule_overlap, SL_ON_RESPONSE},
    {SL_R_MSG_DATE_STALE, rule_date_stale, SL_ON_RESPONSE},
    {SL_R_MSG_PSEUDO_DIALOG, rule_pseudo_dialog, SL_ON_REQUEST},
    {SL_R_SIP_TO_TAG_RESP, rule_to_tag, SL_ON_RESPONSE},
    {SL_R_SIP_RESP_ECHO, rule_resp_echo, SL_ON_RESPONSE},
    {SL_R_SIP_MULTI_FINAL, rule_multi_final, SL_ON_RESPONSE},
    {SL_R_SIP_420_UNSUPPORTED, rule_420, SL_ON_RESPONSE},
    {SL_R_MSG_413, rule_413_body, SL_ON_RESPONSE},
    {SL_R_SIP_481_OOD, rule_481_ood, SL_ON_RESPONSE},
    {SL_R_NIT_100_EARLY, rule_100_early, SL_ON_RESPONSE},
    {SL_R_PATH_420, rule_path_420, SL_ON_RESPONSE},
    {SL_R_PATH_2XX_ECHO, rule_path_echo, SL_ON_RESPONSE},
    {SL_R_PATH_2XX_UNSOLICITED, rule_path_unsolicited, SL_ON_RESPONSE},
    {SL_RULE__COUNT, NULL, SL_ON_ANY},
};
