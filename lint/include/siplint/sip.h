/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siplint SIP parser: zero-copy index of one SIP message, typed accessors, stream framing. */
#ifndef SIPLINT_SIP_H
#define SIPLINT_SIP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A span of bytes inside the caller's buffer. Never NUL-terminated; never owned. */
typedef struct sl_span {
    const char *p;
    size_t len;
} sl_span;

/* Known header ids. Compact forms fold into their long form (RFC 3261 §7.3.3 and the
 * IANA registry). Anything else is SL_H_OTHER and stays opaque (RFC 4475 wsinv). */
typedef enum sl_hdr_id {
    SL_H_OTHER = 0,
    SL_H_ACCEPT,
    SL_H_ACCEPT_CONTACT,       /* a */
    SL_H_ACCEPT_ENCODING,
    SL_H_ACCEPT_LANGUAGE,
    SL_H_ALLOW,
    SL_H_ALLOW_EVENTS,         /* u */
    SL_H_AUTHORIZATION,
    SL_H_CALL_ID,              /* i */
    SL_H_CONTACT,              /* m */
    SL_H_CONTENT_DISPOSITION,
    SL_H_CONTENT_ENCODING,     /* e */
    SL_H_CONTENT_LENGTH,       /* l */
    SL_H_CONTENT_TRANSFER_ENCODING,
    SL_H_CONTENT_TYPE,         /* c */
    SL_H_CSEQ,
    SL_H_DATE,
    SL_H_EVENT,                /* o */
    SL_H_EXPIRES,
    SL_H_FROM,                 /* f */
    SL_H_IDENTITY,             /* y */
    SL_H_IDENTITY_INFO,        /* n */
    SL_H_MAX_FORWARDS,
    SL_H_MIN_EXPIRES,
    SL_H_PATH,                 /* no compact form (RFC 3327 §7) */
    SL_H_PROXY_AUTHENTICATE,
    SL_H_PROXY_AUTHORIZATION,
    SL_H_PROXY_REQUIRE,
    SL_H_RECORD_ROUTE,
    SL_H_REFER_TO,             /* r */
    SL_H_REFERRED_BY,          /* b */
    SL_H_REJECT_CONTACT,       /* j */
    SL_H_REQUEST_DISPOSITION,  /* d */
    SL_H_REQUIRE,
    SL_H_RETRY_AFTER,
    SL_H_ROUTE,
    SL_H_SERVICE_ROUTE,
    SL_H_SESSION_EXPIRES,      /* x */
    SL_H_SUBJECT,              /* s */
    SL_H_SUPPORTED,            /* k */
    SL_H_TO,                   /* t */
    SL_H_UNSUPPORTED,
    SL_H_USER_AGENT,
    SL_H_VIA,                  /* v */
    SL_H_WARNING,
    SL_H_WWW_AUTHENTICATE,
    SL_H__COUNT
} sl_hdr_id;

/* Canonical (long) name of a header id, e.g. "Content-Length". */
const char *sl_hdr_name(sl_hdr_id id);
/* Header id for a name as written (case-insensitive, compact forms included). */
sl_hdr_id sl_hdr_lookup(const char *name, size_t len);

/* One header row as it appears in the message. */
typedef struct sl_header {
    sl_span name;      /* as written, without trailing whitespace */
    sl_span value;     /* from the first non-blank after ':' to the last non-blank byte of the
                        * row, folded continuation lines included (CRLF SP stays in the span) */
    uint32_t offset;   /* offset of the row's first byte from the start of the message */
    uint32_t row_len;  /* length of the row including continuations, without its line end */
    uint16_t id;       /* sl_hdr_id */
} sl_header;

/* Problems and tolerances the parser met. Each becomes a SIP-PARSE finding (or the finding of
 * the rule named in the comment) at engine level: the parser never repairs silently. */
typedef enum sl_issue_code {
    SL_PI_NONE = 0,
    SL_PI_LF_ONLY,            /* lines end in LF, not CRLF (tolerated, W) */
    SL_PI_BARE_CR,            /* CR not followed by LF in the header section */
    SL_PI_START_LINE,         /* start line malformed */
    SL_PI_REQUEST_URI,        /* Request-URI malformed (<>, LWS, ?headers) */
    SL_PI_STATUS_CODE,        /* status code is not 3 digits */
    SL_PI_HEADER_NO_COLON,    /* header row without a name or colon */
    SL_PI_HEADER_NAME,        /* header name has non-token characters */
    SL_PI_NO_END_OF_HEADERS,  /* header section not terminated by an empty line (tolerated on datagrams, W) */
    SL_PI_CONTENT_LENGTH,     /* Content-Length not a non-negative decimal number */
    SL_PI_HEADER_VALUE,       /* a known header's value does not match its grammar */
    SL_PI__COUNT
} sl_issue_code;

typedef struct sl_issue {
    uint16_t code;      /* sl_issue_code */
    uint16_t hdr;       /* header id concerned, or SL_H_OTHER */
    uint32_t offset;    /* byte offset inside the message */
    uint32_t len;       /* bytes concerned */
    const char *what;   /* static text naming the problem, e.g. "empty Via parameter" */
} sl_issue;

#define SL_MAX_ISSUES 16

/* CSeq (RFC 3261 §20.16), as sl_cseq_parse reads it. */
typedef struct sl_cseq {
    uint64_t num;       /* saturates at UINT64_MAX on overflow */
    int overflow;       /* more digits than fit in 64 bits */
    sl_span method;
} sl_cseq;

/* The index of one parsed message. All spans point into the caller's buffer, which must stay
 * alive and unchanged while the index is used. */
typedef struct sl_msg {
    const char *base;        /* first byte of the start line */
    size_t avail;            /* bytes available from base (buffer length) */
    size_t len;              /* message length: start line .. last body byte (catalogue D3) */
    size_t hdr_end;          /* offset of the first body byte (after the empty line) */
    int is_request;
    sl_span method;          /* requests */
    sl_span ruri;            /* requests */
    sl_span version;         /* "SIP/2.0" as written */
    unsigned status;         /* responses: 100..699, or 0 when malformed */
    sl_span reason;          /* responses */
    sl_header *hdrs;         /* rows in order; owned by the sl_parser */
    size_t n_hdrs;
    uint16_t first[SL_H__COUNT]; /* index+1 of the first row with that id; 0 = absent */
    uint16_t count[SL_H__COUNT]; /* rows with that id (saturates at 65535) */
    int64_t content_length;  /* -1 absent, -2 unparsable */
    int cl_short;            /* Content-Length exceeded the bytes available */
    size_t trailing;         /* datagram bytes after the CL-delimited body (RFC 3261 §18.3) */
    sl_span body;
    int lf_only;             /* header section used bare LF line ends */
    /* The first CSeq row parsed (sl_msg_cseq, which the CLI's reader thread calls, so that the
     * engine's thread need not): cseq_ok and cseq hold sl_cseq_parse's success and result (cseq
     * zero when there is no CSeq row). 0 from sl_parse, which leaves it to the engine. */
    int cseq_done;
    int cseq_ok;
    sl_cseq cseq;
    sl_issue issues[SL_MAX_ISSUES];
    unsigned n_issues;       /* issues recorded (at most SL_MAX_ISSUES)... */
    unsigned n_issues_total; /* ...of this many found */
} sl_msg;

/* Parser state: a reusable header array, so that parsing allocates only when a message has
 * more rows than any before it. */
typedef struct sl_parser {
    sl_header *rows;
    size_t cap;
    int fixed;  /* rows is the caller's array (sl_parser_init_fixed): never grown nor freed */
} sl_parser;

void sl_parser_init(sl_parser *ps);
/* A parser that puts the rows straight into the caller's rows[0..cap), for a caller that keeps
 * them there (the CLI's reader thread fills its batches so). A message with more rows than cap
 * is indexed as far as they go, with the issue the 65535-row limit gives: a caller that must
 * not see that (n_hdrs == cap after the parse) parses again with a growing parser. */
void sl_parser_init_fixed(sl_parser *ps, sl_header *rows, size_t cap);
void sl_parser_free(sl_parser *ps);

/* Framing modes for sl_parse. */
typedef enum sl_frame_mode {
    SL_FRAME_DATAGRAM = 0, /* one message per buffer; no CL = body runs to the end; bytes after the
                            * CL body are trailing (RFC 3261 §18.3) */
    SL_FRAME_STREAM = 1    /* CL required; the message ends at CL */
} sl_frame_mode;

/* Parse result. */
typedef enum sl_parse_rc {
    SL_PARSE_OK = 0,        /* msg indexed (it may carry issues) */
    SL_PARSE_NOT_SIP = -1,  /* the bytes do not start like a SIP message */
    SL_PARSE_ERROR = -2,    /* starts like SIP but the header section cannot be indexed; msg->issues
                             * says why and where */
    SL_PARSE_NOMEM = -3
} sl_parse_rc;

/* Parse one message at buf[0..len). Leading CRLFs are not skipped here (the framer does that).
 * On OK and ERROR, *msg is filled as far as the parser got; msg->hdrs points into ps. */
sl_parse_rc sl_parse(sl_parser *ps, const char *buf, size_t len, sl_frame_mode mode, sl_msg *msg);

/* Fill m->cseq_ok and m->cseq from m's first CSeq row, and set m->cseq_done. */
void sl_msg_cseq(sl_msg *m);

/* True if buf looks like the start of a SIP message (request line with SIP/x.y or status line). */
int sl_looks_like_sip(const char *buf, size_t len);
/* 0 when buf cannot hold SIP at all, not even header rows without a start line: its first byte
 * is not a token character (RTP, STUN and the like). A test of one byte, for callers that would
 * otherwise copy such a payload before sl_parse refuses it. */
int sl_may_be_sip(const char *buf, size_t len);

/* Stream framing. Returns the outcome for buf[0..len):
 *   SL_FRAME_COMPLETE: a whole message of *msg_len bytes starts at *start (leading CRLFs skipped)
 *   SL_FRAME_NEED_MORE: more bytes are needed (*start = bytes of leading CRLF that may be dropped)
 *   SL_FRAME_BROKEN:    not SIP here; *start is the offset, *reason says why */
typedef enum sl_frame_rc { SL_FRAME_COMPLETE, SL_FRAME_NEED_MORE, SL_FRAME_BROKEN } sl_frame_rc;
sl_frame_rc sl_frame_stream(const char *buf, size_t len, size_t *start, size_t *msg_len,
                            const char **reason);

/* ---- accessors ------------------------------------------------------------------------------ */

/* The first row with id, or NULL. Inline (C99 inline; parse.c holds the external definition):
 * rules ask for headers many times per message, and with a constant id the checks fold away. */
inline const sl_header *sl_msg_hdr(const sl_msg *m, sl_hdr_id id)
{
    if ((unsigned)id >= SL_H__COUNT || id == SL_H_OTHER || !m->first[id])
        return (const sl_header *)0;
    return &m->hdrs[m->first[id] - 1];
}
/* The next row with the same id after h, or NULL. */
const sl_header *sl_msg_hdr_next(const sl_msg *m, const sl_header *h);

/* A generic parameter (";name=value" or ";name"). */
typedef struct sl_param {
    sl_span name;
    sl_span value;  /* len 0 and p NULL when the parameter has no '=' */
} sl_param;

/* Iterate over comma-separated elements of a list header value: commas inside quoted strings,
 * <...> and (after a name-addr) are not separators. *pos is the cursor (start with 0).
 * Returns 1 and sets *elem (trimmed) while elements remain, 0 at the end. Empty elements are
 * returned as spans of length 0 so that callers can flag them. */
int sl_list_next(sl_span value, size_t *pos, sl_span *elem);

/* Iterate over ";param" items in s starting at *pos (which must point at ';' or whitespace).
 * Returns 1 per parameter, 0 at the end, -1 on a syntax error (empty parameter, bad token);
 * *err_at receives the offset of the problem inside s. */
int sl_param_next(sl_span s, size_t *pos, sl_param *out, size_t *err_at);

/* Find a parameter by name (case-insensitive) in a ";a=b;c" tail. Returns 1 if found. */
int sl_param_find(sl_span params, const char *name, sl_param *out);

/* Via (RFC 3261 §20.42). */
typedef struct sl_via {
    sl_span protocol;   /* "SIP/2.0" without inner whitespace is not guaranteed; compare loosely */
    sl_span transport;  /* "UDP", "TCP", ... */
    sl_span host;       /* sent-by host, IPv6 with brackets */
    unsigned port;      /* 0 when absent */
    sl_span params;     /* ";..." tail */
    sl_span branch;     /* len 0 if absent */
    int has_branch;
    int has_rport;
    sl_span received;
} sl_via;
/* Parse one Via element (one item of the comma list). Returns 0, or -1 with *what set. */
int sl_via_parse(sl_span elem, sl_via *v, const char **what, size_t *err_at);

/* CSeq (RFC 3261 §20.16): sl_cseq is defined above sl_msg. */
int sl_cseq_parse(sl_span value, sl_cseq *c, const char **what);

/* name-addr / addr-spec (From, To, Contact, Route, Record-Route, Path, Reply-To...). */
typedef struct sl_addr {
    sl_span display;     /* without quotes; may be empty */
    sl_span uri;         /* inside <> for name-addr */
    int name_addr;       /* 1 if the URI was in <> */
    sl_span uri_params;  /* ";..." part of the URI (inside <>, or for addr-spec: none) */
    sl_span params;      /* header parameters after the URI */
    sl_span tag;         /* From/To tag value, len 0 if absent */
    int has_tag;
    int star;            /* Contact: * */
} sl_addr;
/* Parse one address element. strict_addr_spec: in addr-spec form, ';' ends the URI and starts
 * header parameters (RFC 3261 §20.10). Returns 0 or -1 with *what and *err_at (offset in elem). */
int sl_addr_parse(sl_span elem, sl_addr *a, const char **what, size_t *err_at);

/* Content-Type / media-type (RFC 3261 §20.15). */
typedef struct sl_ctype {
    sl_span type;
    sl_span subtype;
    sl_span params;
} sl_ctype;
int sl_ctype_parse(sl_span value, sl_ctype *ct);
/* Case-insensitive match of type/subtype. */
int sl_ctype_is(const sl_ctype *ct, const char *type, const char *subtype);
/* Value of a media-type parameter, quotes removed (escape backslashes are left in). */
int sl_ctype_param(const sl_ctype *ct, const char *name, sl_span *value);

/* Date (RFC 3261 §20.17: rfc1123-date, GMT only). Returns 0 and the time, or -1 with *what. */
int sl_date_parse(sl_span value, time_t *t, const char **what);

/* A decimal number, leading zeros allowed. Returns 0, -1 if not digits, -2 if > max. */
int sl_uint_parse(sl_span s, uint64_t max, uint64_t *out);

/* Option tags (Supported, Require, Proxy-Require, Unsupported): does any row of id list tag? */
int sl_msg_has_option(const sl_msg *m, sl_hdr_id id, const char *tag);

/* Multipart body (RFC 2046 §5.1): iterate over the parts between boundary delimiters.
 * *pos starts at 0. A part's own headers and body are given as spans. Returns 1 per part,
 * 0 at the close delimiter or end, -1 if the body is not well-formed multipart. */
typedef struct sl_part {
    sl_span headers;  /* the part's header block (without the empty line) */
    sl_span body;
} sl_part;
int sl_multipart_next(sl_span body, sl_span boundary, size_t *pos, sl_part *part);
/* Find a header in a MIME header block (case-insensitive name). */
int sl_mime_header(sl_span headers, const char *name, sl_span *value);

/* Is the body signed (catalogue D2 (a), (b), and (d) one level of multipart/mixed)? Forms that
 * need the CMS content type read (pkcs7-mime without smime-type) are not recognised. */
int sl_msg_signed(const sl_msg *m);

/* Helpers on spans. */
int sl_span_eq(sl_span s, const char *lit);          /* exact, case-sensitive */
int sl_span_ieq(sl_span s, const char *lit);         /* ASCII case-insensitive */
sl_span sl_span_trim(sl_span s);                     /* strip SP, HTAB, CR, LF both ends */

#ifdef __cplusplus
}
#endif
#endif
