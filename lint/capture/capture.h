/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture input (CLI only): pcap/pcapng through libpcap, decoded down to SIP-carrying payloads. */
#ifndef SIPLINT_CAPTURE_H
#define SIPLINT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "siplint/engine.h"

#define SL_CAP_ERRBUF 512

typedef struct sl_capture sl_capture;

/* Open a pcap or pcapng file; path "-" reads standard input. Returns NULL with a sentence in
 * errbuf (naming the file) when the file cannot be opened or is not a capture. */
sl_capture *sl_capture_open(const char *path, char *errbuf);
/* Same, on an already opened stream (the capture takes ownership and closes it, also when the
 * open fails). name is used in messages only. */
sl_capture *sl_capture_open_fp(FILE *fp, const char *name, char *errbuf);
/* Live capture on a network interface (libpcap), with an optional BPF filter (NULL: none).
 * Returns NULL with a sentence in errbuf naming the interface when it cannot be opened. */
sl_capture *sl_capture_open_live(const char *iface, const char *filter, char *errbuf);
/* Make a blocked sl_capture_next on a live capture return SL_CAP_EOF soon (async-signal-safe:
 * may be called from a signal handler). */
void sl_capture_stop(sl_capture *c);
void sl_capture_close(sl_capture *c);

/* A stream that first gives back the n bytes (at most SL_REPLAY_MAX) already read from under to
 * recognise its format, then the rest of under: for readers that must see a stream from its
 * first byte when it cannot seek back (a pipe). Closing it closes under unless keep_under.
 * NULL (with errno) on failure; under is then left open. */
#define SL_REPLAY_MAX 16
FILE *sl_replay_stream(FILE *under, const void *head, size_t n, int keep_under);

#define SL_CAP_EVENT_TEXT 256

typedef enum sl_payload_kind {
    SL_PAYLOAD_MESSAGE = 0, /* bytes that may carry a SIP message: feed them to the engine */
    SL_PAYLOAD_EVENT = 1    /* a capture problem to report (sl_engine_report) */
} sl_payload_kind;

/* One thing the capture yields: a transport payload that may carry SIP, or a capture event. */
typedef struct sl_payload {
    sl_payload_kind kind;
    const char *data;   /* MESSAGE: valid until the next call to sl_capture_next or close */
    size_t len;
    sl_meta meta;       /* frame numbers, time, transport, addresses, flags */
    sl_rule_id rule;    /* EVENT: the rule (CAP-TCP-GAP, CAP-FRAG-INCOMPLETE, ...) */
    const char *text;   /* EVENT: the finding's message; valid as data is */
} sl_payload;

typedef enum sl_cap_rc {
    SL_CAP_PAYLOAD = 1,  /* *out holds a payload */
    SL_CAP_EOF = 0,      /* end of capture */
    SL_CAP_DAMAGED = -1  /* the file is damaged from here on; errbuf names the file and frame.
                          * Everything returned before stays valid: report it, then stop. */
} sl_cap_rc;

/* Next payload. Frames that carry nothing of interest (ARP, ICMP, non-IP) are skipped and
 * counted. At the end of the capture (or at damage), what reassembly still holds is handed
 * out as events (CAP-FRAG-INCOMPLETE, ...) before SL_CAP_EOF (or SL_CAP_DAMAGED). */
sl_cap_rc sl_capture_next(sl_capture *c, sl_payload *out, char *errbuf);

/* on: UDP payloads that cannot hold SIP (sl_may_be_sip: RTP, STUN, ...) are not handed out by
 * sl_capture_next, for a caller that would drop them anyway (the CLI's reader thread). They are
 * not counted as payloads; their frames count as used, as before. Off by default. */
void sl_capture_skip_non_sip(sl_capture *c, int on);

typedef struct sl_cap_stats {
    uint64_t packets;        /* frames read */
    uint64_t bytes;          /* captured bytes read */
    uint64_t payloads;       /* payloads handed out */
    uint64_t unsupported_link; /* frames of a link type we do not decode */
    uint64_t unsupported_first;   /* the first of them (frame number) */
    int unsupported_linktype;     /* and its LINKTYPE_/DLT_ value */
    uint64_t skipped;        /* frames that gave nothing: no UDP payload, no IP fragment, no
                              * TCP or SCTP segment (ARP, ICMP, GTP-U signalling, ...) */
    /* Added by the capture layer (sub-counts, for a summary that says what was not linted): */
    uint64_t fragments;      /* frames that carried an IP fragment (held for reassembly, or
                              * completing a datagram) */
    uint64_t malformed;      /* of skipped: link/IP/UDP/tunnel headers that contradict
                              * themselves, fragments that cannot be reassembled */
    uint64_t truncated;      /* of payloads: handed out with SL_META_TRUNCATED */
    uint64_t tunnelled;      /* tunnel layers decoded (IP-in-IP, GRE, GTP-U, VXLAN), all frames */
    uint64_t too_deep;       /* frames with more nested IP layers than we follow (8) */
    /* IP reassembly (frag.h): */
    uint64_t reassembled;    /* datagrams completed */
    uint64_t frag_duplicates;/* fragments whose bytes had all or partly been received (same data) */
    uint64_t frag_conflicts; /* fragments overlapping earlier ones with different data */
    uint64_t frag_incomplete;/* datagrams reported as CAP-FRAG-INCOMPLETE */
    uint64_t frag_evicted;   /* of those: evicted by the memory limits */
} sl_cap_stats;
const sl_cap_stats *sl_capture_stats(const sl_capture *c);

/* Where a payload's first byte lies in the capture file (added for SARIF regions): 0 with *off
 * set when p points into the frame sl_capture_next last read and that frame came from a
 * seekable pcap or pcapng file; -1 otherwise (live capture, pipe, a payload reassembled from
 * several frames, a pcapng block libpcap does not read as a whole). Call it before the next
 * sl_capture_next; it costs nothing for pcap and two small preads for pcapng. */
int sl_capture_file_offset(const sl_capture *c, const void *p, uint64_t *off);
/* sl_capture_file_offset for a payload p[0..len) (len > 0), with *in_frame set to how many of its
 * bytes lie in the frame (those whose offsets can be told): one call where the reader thread
 * would otherwise ask about its first and last bytes (and search between them). 0 or -1 as
 * sl_capture_file_offset for p. */
int sl_capture_payload_offset(const sl_capture *c, const void *p, size_t len, uint64_t *off,
                              size_t *in_frame);

#endif
