/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture input: pcap (libpcap), pcapng (own block reader), live; frames decoded to payloads. */
#define _GNU_SOURCE /* fopencookie */
#include "capture.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "frag.h"
#include "outq.h"
#include "pcapng.h"
#include "pcapfile.h"
#include "tcp.h"
#include "tunnel.h"

/* Tunnels inside tunnels: at most this many IP layers per frame (outer one included). Every
 * layer consumes header bytes, so the walk ends anyway; the bound keeps it short. */
#define SL_MAX_IP_LAYERS 8

struct sl_capture {
    pcap_t *pcap;      /* pcap files, live capture; NULL when ng reads the file */
    sl_pcapf *pf;      /* pcap files read in blocks (pcapfile.h): records come from here, the
                        * file was opened and its header checked by libpcap */
    sl_pcapng *ng;     /* pcapng files (see pcapng.h for why) */
    FILE *ngfp;        /* ng's stream, ours to close */
    char *name;        /* for messages: the path, or "<stdin>" */
    int dlt;
    sl_link link;      /* libpcap: the one link type (pcapng: per frame) */
    int nsec;          /* libpcap hands out nanoseconds (else microseconds) */
    int sec32;         /* pcap format: seconds are a 32-bit unsigned field */
    uint64_t frame;    /* records read so far; the next one is frame + 1 */
    int live;          /* reading an interface: read timeouts are not the end */
    int damaged;       /* sticky: after a read error every call repeats it */
    int pending_damage;/* damage found; the flush of pending state is handed out first */
    int finished;      /* pending reassembly state was flushed (end or damage) */
    int skip_non_sip;  /* sl_capture_skip_non_sip */
    char damage[SL_CAP_ERRBUF];
    sl_cap_stats st;
    sl_outq q;         /* what the current frame yielded, not yet handed out */
    sl_frag *frag;     /* IP fragment reassembly */
    sl_tcp *tcp;       /* TCP (and WebSocket) stream reassembly: tcp.c */
    sl_sctp *sctp;
    /* Reassembled datagrams of the current frame: items may point into them, so they are
     * freed when the next frame is read. */
    void **scratch;
    size_t nscratch, capscratch;
    /* The frame last read, for sl_capture_file_offset: where its record ends in the file
     * (-1 unknown), its bytes as libpcap handed them out, and how many. */
    long rec_end;
    const uint8_t *rec_data;
    uint32_t rec_caplen;
    int64_t rec_data_off; /* pcapng (own reader): file offset of the packet bytes; -1 unknown */
};
/* Map libpcap's DLT value to the decoder's link kind. libpcap already maps a file's LINKTYPE_
 * value to the local DLT_ value (LINKTYPE_RAW 101 -> DLT_RAW, LINKTYPE_LOOP 108 -> DLT_LOOP). */
static sl_link link_of_dlt(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
        return SL_LINK_ETHERNET;
    case DLT_LINUX_SLL:
        return SL_LINK_SLL;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
        return SL_LINK_SLL2;
#endif
    case DLT_NULL:
    case DLT_LOOP:
        return SL_LINK_NULL;
    case DLT_RAW:
        return SL_LINK_RAW;
#ifdef DLT_IPV4
    case DLT_IPV4:
        return SL_LINK_IPV4;
#endif
#ifdef DLT_IPV6
    case DLT_IPV6:
        return SL_LINK_IPV6;
#endif
    default:
        break;
    }
    /* DLT_RAW is 12 on most systems and 14 on OpenBSD, and files written with the native
     * value keep it (libpcap passes unmapped values below 104 through). Both mean raw IP in
     * files unless this platform uses the number for something else (checked above). */
    if (dlt == 12 || dlt == 14)
        return SL_LINK_RAW;
    if (dlt == 276) /* LINKTYPE_LINUX_SLL2, for headers older than libpcap 1.10 */
        return SL_LINK_SLL2;
    return SL_LINK_UNSUPPORTED;
}

/* LINKTYPE_ values (pcapng IDBs) to link kinds: the registry's numbers, whatever this
 * platform's DLT_ values are. 12 and 14 are DLT_RAW as BSDs write it (see link_of_dlt). */
static sl_link link_of_linktype(uint32_t lt)
{
    switch (lt) {
    case 1:
        return SL_LINK_ETHERNET;
    case 113:
        return SL_LINK_SLL;
    case 276:
        return SL_LINK_SLL2;
    case 101:
    case 12:
    case 14:
        return SL_LINK_RAW;
    case 228:
        return SL_LINK_IPV4;
    case 229:
        return SL_LINK_IPV6;
    case 0:
    case 108:
        return SL_LINK_NULL;
    default:
        return SL_LINK_UNSUPPORTED;
    }
}

/* What every reader needs: the output queue and the reassembly state. */
static int init_state(sl_capture *c)
{
    sl_outq_init(&c->q);
    c->rec_end = -1;
    c->rec_data_off = -1;
    c->frag = sl_frag_new(NULL);
    c->tcp = sl_tcp_new();
    c->sctp = sl_sctp_new();
    return c->frag != NULL && c->tcp != NULL && c->sctp != NULL;
}

static void free_state(sl_capture *c)
{
    sl_frag_free(c->frag);
    sl_tcp_free(c->tcp);
    sl_sctp_free(c->sctp);
    for (size_t i = 0; i < c->nscratch; i++)
        free(c->scratch[i]);
    free(c->scratch);
    sl_outq_free(&c->q);
}

/* After libpcap opened a pcap file: read its records ourselves (pcapfile.h) when nothing about
 * the file needs libpcap's record reader: the plain magic of either byte order (micro- or
 * nanoseconds), version 2.4 (older versions may have caplen and len swapped), a link type we
 * decode (libpcap allows a few others longer records and rewrites their pseudo-headers in
 * byte-swapped files; of ours it rewrites only the CAN ID of Linux SLL CAN frames, which carry
 * no IP and are skipped either way), and a stream that can tell its position (a regular file:
 * the offsets of frames stay known; a pipe or a gzip stream stays with libpcap, which reads
 * record by record as the bytes arrive). */
static void use_own_reader(sl_capture *c, const unsigned char *head, size_t n)
{
    static const unsigned char magics[4][4] = {
        {0xd4, 0xc3, 0xb2, 0xa1}, {0x4d, 0x3c, 0xb2, 0xa1}, /* little-endian: us, ns */
        {0xa1, 0xb2, 0xc3, 0xd4}, {0xa1, 0xb2, 0x3c, 0x4d}, /* big-endian: us, ns */
    };
    int kind = -1;
    for (int k = 0; n == 4 && k < 4; k++)
        if (memcmp(head, magics[k], 4) == 0)
            kind = k;
    if (kind < 0 || pcap_major_version(c->pcap) != 2 || pcap_minor_version(c->pcap) != 4 ||
        c->link == SL_LINK_UNSUPPORTED || !c->nsec || pcap_snapshot(c->pcap) <= 0)
        return;
    FILE *fp = pcap_file(c->pcap);
    long start = fp != NULL ? ftell(fp) : -1;
    if (start < 0)
        return;
    /* Out of memory: libpcap goes on reading. */
    c->pf = sl_pcapf_new(fp, (uint64_t)start, kind >= 2, kind & 1, (uint32_t)pcap_snapshot(c->pcap));
}

sl_capture *sl_capture_open_fp(FILE *fp, const char *name, char *errbuf)
{
    char perr[PCAP_ERRBUF_SIZE] = "";

    if (fp == NULL) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: no stream to read", name);
        return NULL;
    }
    sl_capture *c = calloc(1, sizeof *c);
    char *nm = strdup(name);
    if (c == NULL || nm == NULL || !init_state(c)) {
        if (c)
            free_state(c);
        free(c);
        free(nm);
        fclose(fp);
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: out of memory", name);
        return NULL;
    }
    c->name = nm;
    /* pcapng is ours (pcapng.h says why); everything else goes to libpcap, which names what it
     * does not recognise. */
    unsigned char head[4];
    size_t n = fread(head, 1, sizeof head, fp);
    if (n == 4 && memcmp(head, "\x0A\x0D\x0D\x0A", 4) == 0) {
        c->ng = sl_pcapng_open(fp);
        c->ngfp = fp;
        if (c->ng == NULL) {
            snprintf(errbuf, SL_CAP_ERRBUF, "%s: out of memory", name);
            sl_capture_close(c);
            return NULL;
        }
        c->nsec = 1;
        return c;
    }
    if (n > 0 && fseek(fp, -(long)n, SEEK_CUR) != 0) {
        /* Not seekable: give libpcap a stream that replays the bytes read. */
        FILE *cf = sl_replay_stream(fp, head, n, 0);
        if (cf == NULL) {
            fclose(fp);
            snprintf(errbuf, SL_CAP_ERRBUF, "%s: %s", name, strerror(errno ? errno : ENOMEM));
            sl_capture_close(c);
            return NULL;
        }
        fp = cf;
    }
    /* Ask for nanoseconds: libpcap scales microsecond files up, so one unit serves both pcap
     * magics. Check what we got all the same. */
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (c->pcap == NULL) {
        /* libpcap leaves the stream open on failure; we own it. */
        fclose(fp);
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: %s", name, perr[0] ? perr : "not a capture file");
        sl_capture_close(c);
        return NULL;
    }
    c->nsec = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    /* pcap files say version 2.4. */
    c->sec32 = pcap_major_version(c->pcap) == PCAP_VERSION_MAJOR;
    c->dlt = pcap_datalink(c->pcap);
    c->link = link_of_dlt(c->dlt);
    use_own_reader(c, head, n);
    return c;
}

sl_capture *sl_capture_open(const char *path, char *errbuf)
{
    FILE *fp;

    if (strcmp(path, "-") == 0) {
        /* Read a duplicate of descriptor 0, so that closing the capture leaves the process's
         * stdin alone. libpcap reads sequentially, so pipes work. */
        int fd = dup(STDIN_FILENO);
        if (fd < 0 || (fp = fdopen(fd, "rb")) == NULL) {
            snprintf(errbuf, SL_CAP_ERRBUF, "<stdin>: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
            return NULL;
        }
        return sl_capture_open_fp(fp, "<stdin>", errbuf);
    }
    fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: %s", path, strerror(errno));
        return NULL;
    }
    return sl_capture_open_fp(fp, path, errbuf);
}

sl_capture *sl_capture_open_live(const char *iface, const char *filter, char *errbuf)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    sl_capture *c = calloc(1, sizeof *c);
    char *nm = malloc(strlen(iface) + 16);
    if (c == NULL || nm == NULL || !init_state(c)) {
        if (c)
            free_state(c);
        free(c);
        free(nm);
        snprintf(errbuf, SL_CAP_ERRBUF, "interface %s: out of memory", iface);
        return NULL;
    }
    snprintf(nm, strlen(iface) + 16, "interface %s", iface);
    pcap_t *p = pcap_create(iface, perr);
    if (p == NULL) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: %s", nm, perr);
        goto fail;
    }
    /* Whole packets (SIP over UDP can be 64 KB after reassembly), no promiscuous mode (we
     * look at what this host sees), and a short timeout so that a stop request is noticed. */
    pcap_set_snaplen(p, 262144);
    pcap_set_promisc(p, 0);
    pcap_set_timeout(p, 200);
    pcap_set_immediate_mode(p, 1);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO); /* best effort */
    int r = pcap_activate(p);
    if (r < 0) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: cannot capture: %s", nm,
                 r == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(r));
        pcap_close(p);
        goto fail;
    }
    if (filter != NULL && filter[0]) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(p, &prog) != 0) {
            snprintf(errbuf, SL_CAP_ERRBUF, "%s: filter \"%s\": %s", nm, filter, pcap_geterr(p));
            pcap_close(p);
            goto fail;
        }
        pcap_freecode(&prog);
    }
    c->pcap = p;
    c->name = nm;
    c->live = 1;
    c->nsec = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    c->dlt = pcap_datalink(p);
    c->link = link_of_dlt(c->dlt);
    return c;
fail:
    free_state(c);
    free(nm);
    free(c);
    return NULL;
}

void sl_capture_stop(sl_capture *c)
{
    if (c != NULL && c->pcap != NULL)
        pcap_breakloop(c->pcap);
}

void sl_capture_close(sl_capture *c)
{
    if (c == NULL)
        return;
    sl_pcapf_free(c->pf);
    if (c->pcap != NULL)
        pcap_close(c->pcap); /* closes the stream */
    sl_pcapng_free(c->ng);
    if (c->ngfp != NULL)
        fclose(c->ngfp);
    free_state(c);
    free(c->name);
    free(c);
}

void sl_capture_skip_non_sip(sl_capture *c, int on)
{
    c->skip_non_sip = on;
}

const sl_cap_stats *sl_capture_stats(const sl_capture *c)
{
    return &c->st;
}

/* Name libpcap's read errors the way a user thinks of them. libpcap has no error codes for
 * these, only sentences; the match is a best effort and the sentence is always kept. */
static void set_damage(sl_capture *c, const char *why)
{
    const char *what = "unreadable record";
    if (strstr(why, "truncated") != NULL)
        what = "truncated record";
    else if (strstr(why, "capture length") != NULL || strstr(why, "block") != NULL)
        what = "damaged record";
    snprintf(c->damage, sizeof c->damage, "%s: frame %llu: %s (%s)", c->name,
             (unsigned long long)(c->frame + 1), what, why);
    c->damaged = 1;
}

/* One frame as a reader hands it over. */
typedef struct frame_in {
    sl_link link;
    int linktype;        /* the file's number for it, for messages */
    int64_t ts_sec;
    uint32_t ts_nsec;
    uint32_t caplen, len;
    const uint8_t *data;
} frame_in;

/* What decoding one frame needs at every layer, and what it found. */
typedef struct fctx {
    sl_capture *c;
    const frame_in *fr;
    uint64_t frame_first; /* lowered when a layer was reassembled from earlier frames */
    int64_t now_ns;       /* capture time, for fragment timeouts */
    int cut;              /* the snap length cut the frame */
    unsigned flags;       /* SL_META_REASSEMBLED once a layer was reassembled */
    int used;             /* the frame gave something: a payload, a fragment, a segment */
    int fragment;         /* it carried an IP fragment */
    int malformed;        /* a header contradicted itself */
} fctx;

static void note_rc(fctx *x, sl_dec_rc rc)
{
    /* A short header is truncation when the capture cut the frame, else a lie. */
    if (rc == SL_DEC_MALFORMED || (rc == SL_DEC_SHORT && !x->cut))
        x->malformed = 1;
}

static void ip_meta(const fctx *x, const sl_ip_pkt *ip, sl_meta *m)
{
    memset(m, 0, sizeof *m);
    m->frame_first = x->frame_first;
    m->frame_last = x->c->frame;
    m->ts_sec = x->fr->ts_sec;
    m->ts_nsec = x->fr->ts_nsec;
    m->af = ip->af;
    /* IPv4: the first 4 bytes, rest zero. Constant sizes: copies, not calls. */
    if (ip->af == 4) {
        memcpy(m->src, ip->src, 4);
        memcpy(m->dst, ip->dst, 4);
    } else {
        memcpy(m->src, ip->src, 16);
        memcpy(m->dst, ip->dst, 16);
    }
    m->flags = x->flags;
}

static int keep_scratch(sl_capture *c, void *mem)
{
    if (c->nscratch == c->capscratch) {
        size_t n = c->capscratch ? c->capscratch * 2 : 4;
        void **s = realloc(c->scratch, n * sizeof *s);
        if (s == NULL)
            return 0;
        c->scratch = s;
        c->capscratch = n;
    }
    c->scratch[c->nscratch++] = mem;
    return 1;
}

static void release_scratch(sl_capture *c)
{
    for (size_t i = 0; i < c->nscratch; i++)
        free(c->scratch[i]);
    c->nscratch = 0;
}

static void decode_ip(fctx *x, const uint8_t *p, size_t len, int depth);

static void decode_link(fctx *x, sl_link link, const uint8_t *p, size_t len, int depth)
{
    const uint8_t *ipb;
    size_t ipl;
    sl_dec_rc rc = sl_dec_link(link, p, len, &ipb, &ipl);
    if (rc != SL_DEC_OK) {
        note_rc(x, rc);
        return;
    }
    decode_ip(x, ipb, ipl, depth);
}

/* UDP: GTP-U and VXLAN by their ports, when the bytes are theirs; otherwise one payload per
 * datagram, whatever the port (SIP is found by content). */
static void decode_udp(fctx *x, const sl_ip_pkt *ip, int depth)
{
    sl_capture *c = x->c;
    sl_udp_dgram udp;
    sl_dec_rc rc = sl_dec_udp(ip, &udp);
    if (rc != SL_DEC_OK) {
        note_rc(x, rc);
        return;
    }
    if (depth + 1 < SL_MAX_IP_LAYERS) {
        const uint8_t *in;
        size_t inl;
        if (udp.dport == 2152 || udp.sport == 2152) {
            rc = sl_dec_gtpu(udp.payload, udp.len, &in, &inl);
            if (rc == SL_DEC_OK) {
                c->st.tunnelled++;
                decode_ip(x, in, inl, depth + 1);
                return;
            }
            if (rc == SL_DEC_SKIP)
                return; /* GTP-U signalling */
            if (rc == SL_DEC_SHORT) {
                note_rc(x, rc);
                return;
            }
            /* not GTPv1-U: an ordinary payload */
        }
        if (udp.dport == 4789 && sl_dec_vxlan(udp.payload, udp.len, &in, &inl) == SL_DEC_OK) {
            c->st.tunnelled++;
            decode_link(x, SL_LINK_ETHERNET, in, inl, depth + 1);
            return;
        }
    }
    x->used = 1;
    /* A datagram whose first byte is no token character (RTP, STUN, ...: about half of a capture
     * with media) cannot hold SIP, not even header rows without a start line: the engine would
     * only answer "not SIP". A caller that drops those asked not to get them (the frame still
     * counts as used; a cut one, as truncated). */
    if (c->skip_non_sip && !sl_may_be_sip((const char *)udp.payload, udp.len)) {
        if (udp.len < udp.wire_len)
            c->st.truncated++;
        return;
    }
    sl_meta m;
    ip_meta(x, ip, &m);
    m.transport = SL_TP_UDP;
    m.sport = udp.sport;
    m.dport = udp.dport;
    if (udp.len < udp.wire_len) {
        m.flags |= SL_META_TRUNCATED;
        c->st.truncated++;
    }
    if (sl_outq_message(&c->q, udp.payload, udp.len, &m) == 0)
        c->st.payloads++;
}

/* One IP layer (the outer one, or the inner one of a tunnel: depth counts them). */
static void decode_ip(fctx *x, const uint8_t *p, size_t len, int depth)
{
    sl_capture *c = x->c;
    sl_ip_pkt ip;
    if (depth >= SL_MAX_IP_LAYERS) {
        c->st.too_deep++;
        return;
    }
    sl_dec_rc rc = sl_dec_ip(p, len, &ip);
    if (rc == SL_DEC_FRAGMENT) {
        x->fragment = 1;
        if (ip.payload_avail < ip.payload_len && !x->cut) {
            x->malformed = 1; /* the IP length lies */
            return;
        }
        sl_frag_done d;
        sl_frag_rc fr = sl_frag_feed(c->frag, &ip, x->cut, c->frame, x->now_ns, &c->q, &d);
        if (fr == SL_FRAG_BAD) {
            x->malformed = 1;
            return;
        }
        x->used = 1;
        if (fr != SL_FRAG_DONE)
            return;
        if (!keep_scratch(c, d.mem)) {
            free(d.mem);
            return;
        }
        ip = d.ip;
        if (d.frame_first < x->frame_first)
            x->frame_first = d.frame_first;
        x->flags |= SL_META_REASSEMBLED;
        rc = ip.af == 6 ? sl_dec_ip6_ext(&ip) : SL_DEC_OK;
    }
    if (rc != SL_DEC_OK) {
        note_rc(x, rc);
        return;
    }
    if (ip.payload_avail < ip.payload_len && !x->cut) {
        x->malformed = 1;
        return;
    }
    switch (ip.proto) {
    case 4:  /* IPv4 in IP (RFC 2003) */
    case 41: /* IPv6 in IP (RFC 4213, RFC 2473) */
        c->st.tunnelled++;
        decode_ip(x, ip.payload, ip.payload_avail, depth + 1);
        return;
    case 47: { /* GRE */
        sl_inner kind;
        const uint8_t *in;
        size_t inl;
        rc = sl_dec_gre(ip.payload, ip.payload_avail, &kind, &in, &inl);
        if (rc != SL_DEC_OK) {
            note_rc(x, rc);
            return;
        }
        c->st.tunnelled++;
        if (kind == SL_INNER_IP)
            decode_ip(x, in, inl, depth + 1);
        else
            decode_link(x, SL_LINK_ETHERNET, in, inl, depth + 1);
        return;
    }
    case 17:
        decode_udp(x, &ip, depth);
        return;
    case 6:
    case 132: {
        sl_meta m;
        ip_meta(x, &ip, &m);
        x->used = 1;
        if (ip.proto == 6) {
            sl_tcp_feed(c->tcp, &ip, &m, x->cut, &c->q);
            return;
        }
        sl_sctp_feed(c->sctp, &ip, &m, x->cut, &c->q);
        return;
    }
    default:
        return; /* ICMP, ESP, OSPF, ... */
    }
}

static void sync_frag_stats(sl_capture *c)
{
    const sl_frag_stats *fs = sl_frag_stats_get(c->frag);
    c->st.reassembled = fs->reassembled;
    c->st.frag_duplicates = fs->duplicates;
    c->st.frag_conflicts = fs->conflicts;
    c->st.frag_incomplete = fs->incomplete;
    c->st.frag_evicted = fs->evicted;
}

/* Decode one frame and push what it yields onto c->q. Frames that yield nothing are counted. */
static void decode_frame(sl_capture *c, const frame_in *fr)
{
    fctx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.fr = fr;
    x.frame_first = c->frame;
    /* A frame is cut when the capture kept fewer bytes than were on the wire. Only then is a
     * short packet "truncated"; otherwise its lengths lie and it is malformed. */
    x.cut = fr->caplen < fr->len;
    /* Capture time in nanoseconds, saturated (a damaged time stamp must not wrap). */
    if (fr->ts_sec > INT64_MAX / 1000000000 - 1)
        x.now_ns = INT64_MAX;
    else if (fr->ts_sec < INT64_MIN / 1000000000 + 1)
        x.now_ns = INT64_MIN;
    else
        x.now_ns = fr->ts_sec * 1000000000 + fr->ts_nsec;
    /* Fragments whose time ran out are reported before what this frame brings. */
    int ticked = sl_frag_tick(c->frag, x.now_ns, &c->q);

    if (fr->link == SL_LINK_UNSUPPORTED) {
        if (c->st.unsupported_link++ == 0) {
            c->st.unsupported_first = c->frame;
            c->st.unsupported_linktype = fr->linktype;
        }
        if (ticked)
            sync_frag_stats(c);
        return;
    }
    decode_link(&x, fr->link, fr->data, fr->caplen, 0);
    /* Reassembly's counts change only where it ran: a fragment fed, or datagrams timed out. */
    if (ticked || x.fragment)
        sync_frag_stats(c);
    if (x.fragment)
        c->st.fragments++;
    if (!x.used) {
        c->st.skipped++;
        if (x.malformed)
            c->st.malformed++;
    }
}

/* End of the capture (or damage): what reassembly still holds is reported. */
static void flush(sl_capture *c)
{
    if (c->finished)
        return;
    c->finished = 1;
    sl_frag_finish(c->frag, &c->q);
    sync_frag_stats(c);
    sl_tcp_finish(c->tcp, &c->q);
    sl_sctp_finish(c->sctp, &c->q);
}

/* Read the next frame: 1, 0 at the end, -1 on damage (c->damage set). */
static int read_frame(sl_capture *c, frame_in *fr)
{
    if (c->ng != NULL) {
        sl_pcapng_pkt pk;
        char why[256];
        int r = sl_pcapng_next(c->ng, &pk, why, sizeof why);
        if (r == 0)
            return 0;
        if (r < 0) {
            snprintf(c->damage, sizeof c->damage, "%s: frame %llu: %s (%s)", c->name,
                     (unsigned long long)(c->frame + 1),
                     strstr(why, "ends inside") ? "truncated record" : "damaged record", why);
            c->damaged = 1;
            return -1;
        }
        fr->link = link_of_linktype(pk.linktype);
        fr->linktype = (int)pk.linktype;
        fr->ts_sec = pk.ts_sec;
        fr->ts_nsec = pk.ts_nsec;
        fr->caplen = pk.caplen;
        fr->len = pk.len;
        fr->data = pk.data;
        c->rec_data = pk.data;
        c->rec_caplen = pk.caplen;
        c->rec_data_off = (int64_t)pk.data_offset;
        return 1;
    }
    if (c->pf != NULL) {
        sl_pcapf_rec rec;
        char why[PCAP_ERRBUF_SIZE];
        int r = sl_pcapf_next(c->pf, &rec, why, sizeof why);
        if (r == 0)
            return 0;
        if (r < 0) {
            set_damage(c, why);
            return -1;
        }
        fr->link = c->link;
        fr->linktype = c->dlt;
        fr->ts_sec = rec.ts_sec;
        fr->ts_nsec = rec.ts_nsec;
        fr->caplen = rec.caplen;
        fr->len = rec.len;
        fr->data = rec.data;
        c->rec_data = rec.data;
        c->rec_caplen = rec.caplen;
        c->rec_end = rec.end > (uint64_t)LONG_MAX ? -1 : (long)rec.end;
        return 1;
    }
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(c->pcap, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            return 0; /* offline: no more records; live: sl_capture_stop */
        if (r == 0 && c->live)
            continue; /* live: the read timeout passed without a packet */
        if (r != 1) {
            /* -1: a read error, a record that ends early or claims an impossible length.
             * (0, a live-capture timeout, cannot happen offline; treat it the same.) */
            set_damage(c, r == PCAP_ERROR ? pcap_geterr(c->pcap) : "unexpected read result");
            return -1;
        }
        int64_t sec = (int64_t)h->ts.tv_sec;
        /* The pcap record's seconds are unsigned 32 bits (so they last until 2106), but
         * libpcap 1.10 reads them as signed and hands out times after 2038 as negative: undo
         * that, as Wireshark does, so that both front-ends see the same time. */
        if (c->sec32 && sec < 0 && sec >= INT32_MIN)
            sec += (int64_t)1 << 32;
        uint64_t frac = (uint64_t)(h->ts.tv_usec < 0 ? 0 : h->ts.tv_usec);
        if (!c->nsec)
            frac *= 1000;
        /* A damaged pcap record can hold a fraction of a second or more; carry it over. */
        sec += (int64_t)(frac / 1000000000u);
        fr->link = c->link;
        fr->linktype = c->dlt;
        fr->ts_sec = sec;
        fr->ts_nsec = (uint32_t)(frac % 1000000000u);
        fr->caplen = h->caplen;
        fr->len = h->len;
        fr->data = data;
        c->rec_data = data;
        c->rec_caplen = h->caplen;
        c->rec_end = (!c->live && pcap_file(c->pcap) != NULL) ? ftell(pcap_file(c->pcap)) : -1;
        return 1;
    }
}

sl_cap_rc sl_capture_next(sl_capture *c, sl_payload *out, char *errbuf)
{
    for (;;) {
        if (sl_outq_pop(&c->q, out))
            return SL_CAP_PAYLOAD;
        if (c->damaged) {
            snprintf(errbuf, SL_CAP_ERRBUF, "%s", c->damage);
            return SL_CAP_DAMAGED;
        }
        if (c->finished)
            return SL_CAP_EOF;
        /* Everything handed out for the previous frame is now invalid. */
        release_scratch(c);
        frame_in fr;
        int r = read_frame(c, &fr);
        if (r <= 0) {
            /* End or damage: pending reassembly state is reported first (findings made
             * before the damage stay valid), then the end or the damage. */
            c->rec_data = NULL;
            flush(c);
            continue;
        }
        c->frame++;
        c->st.packets++;
        c->st.bytes += fr.caplen;
        decode_frame(c, &fr);
    }
}

/* libpcap reads a record (pcap) or a block (pcapng) whole with fread, so right after
 * pcap_next_ex the stream stands at its end. pcap: the packet bytes end the record. pcapng: the
 * block's last word repeats its length; the packet bytes start 28 bytes into an Enhanced or
 * obsolete Packet Block, 12 into a Simple Packet Block (RFC-draft pcapng §4.3-4.5). */
int sl_capture_file_offset(const sl_capture *c, const void *p, uint64_t *off)
{
    if (c == NULL || c->live || c->rec_data == NULL || p == NULL)
        return -1;
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)c->rec_data;
    if (a < b || a >= b + c->rec_caplen)
        return -1; /* not a slice of the frame: reassembled or copied */
    if (c->ng != NULL) {
        /* pcapng through our own reader: it knows where the packet bytes are. */
        if (c->rec_data_off < 0)
            return -1;
        *off = (uint64_t)c->rec_data_off + (uint64_t)(a - b);
        return 0;
    }
    if (c->rec_end < 0)
        return -1;
    uint64_t end = (uint64_t)c->rec_end, data_off;
    if (end < c->rec_caplen)
        return -1;
    if (c->sec32) {
        data_off = end - c->rec_caplen;
    } else {
        FILE *f = pcap_file(c->pcap);
        int fd = f ? fileno(f) : -1;
        uint32_t len, type;
        if (fd < 0 || end < 12 || pread(fd, &len, 4, (off_t)(end - 4)) != 4)
            return -1;
        if (pcap_is_swapped(c->pcap))
            len = __builtin_bswap32(len);
        if (len < 12 || len > end || pread(fd, &type, 4, (off_t)(end - len)) != 4)
            return -1;
        if (pcap_is_swapped(c->pcap))
            type = __builtin_bswap32(type);
        uint64_t start = end - len;
        if (type == 6 || type == 2)
            data_off = start + 28;
        else if (type == 3)
            data_off = start + 12;
        else
            return -1;
        if (data_off + c->rec_caplen > end)
            return -1;
    }
    *off = data_off + (uint64_t)(a - b);
    return 0;
}

/* The general case of sl_capture_payload_offset, kept out of line so that the usual case below
 * stays a leaf without the register saves that the preads need. */
__attribute__((noinline)) static int payload_offset_slow(const sl_capture *c, const void *p,
                                                         size_t len, uint64_t *off,
                                                         size_t *in_frame)
{
    if (sl_capture_file_offset(c, p, off) != 0)
        return -1;
    /* p lies in the frame (checked there), and whether a byte's offset can be told depends on
     * nothing else but that: the bytes up to the frame's end are the ones in it. */
    size_t left = (size_t)((uintptr_t)c->rec_data + c->rec_caplen - (uintptr_t)p);
    *in_frame = len < left ? len : left;
    return 0;
}

int sl_capture_payload_offset(const sl_capture *c, const void *p, size_t len, uint64_t *off,
                              size_t *in_frame)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)c->rec_data;
    if (c->pf == NULL || c->rec_data == NULL || a < b || a - b >= c->rec_caplen ||
        c->rec_end < 0 || (uint64_t)c->rec_end < c->rec_caplen)
        return payload_offset_slow(c, p, len, off, in_frame);
    /* Our own pcap reader (so a file, and the 32-bit seconds of pcap): the packet bytes end
     * the record, as sl_capture_file_offset finds too. */
    *off = (uint64_t)c->rec_end - c->rec_caplen + (uint64_t)(a - b);
    size_t left = c->rec_caplen - (size_t)(a - b);
    *in_frame = len < left ? len : left;
    return 0;
}
