/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture input: libpcap offline reading (pcap, pcapng, stdin), frame numbering, UDP payloads. */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "outq.h"

struct sl_capture {
    pcap_t *pcap;
    char *name;        /* for messages: the path, or "<stdin>" */
    int dlt;
    sl_link link;
    int nsec;          /* libpcap hands out nanoseconds (else microseconds) */
    int sec32;         /* pcap format: seconds are a 32-bit unsigned field */
    uint64_t frame;    /* records read so far; the next one is frame + 1 */
    int live;          /* reading an interface: read timeouts are not the end */
    int damaged;       /* sticky: after a read error every call repeats it */
    char damage[SL_CAP_ERRBUF];
    sl_cap_stats st;
    sl_outq q;         /* what the current frame yielded, not yet handed out */
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

sl_capture *sl_capture_open_fp(FILE *fp, const char *name, char *errbuf)
{
    char perr[PCAP_ERRBUF_SIZE] = "";

    if (fp == NULL) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: no stream to read", name);
        return NULL;
    }
    sl_capture *c = calloc(1, sizeof *c);
    char *nm = strdup(name);
    if (c == NULL || nm == NULL) {
        free(c);
        free(nm);
        fclose(fp);
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: out of memory", name);
        return NULL;
    }
    /* Ask for nanoseconds: libpcap scales microsecond files up, so one unit serves pcap
     * (either magic) and pcapng (any if_tsresol). Check what we got all the same. */
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (c->pcap == NULL) {
        /* libpcap leaves the stream open on failure; we own it. */
        fclose(fp);
        snprintf(errbuf, SL_CAP_ERRBUF, "%s: %s", name, perr[0] ? perr : "not a capture file");
        free(nm);
        free(c);
        return NULL;
    }
    c->name = nm;
    c->nsec = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    /* pcap files say version 2.4; libpcap reports a pcapng section's version, 1.x. */
    c->sec32 = pcap_major_version(c->pcap) == PCAP_VERSION_MAJOR;
    c->dlt = pcap_datalink(c->pcap);
    c->link = link_of_dlt(c->dlt);
    sl_outq_init(&c->q);
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
    if (c == NULL || nm == NULL) {
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
    sl_outq_init(&c->q);
    return c;
fail:
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
    pcap_close(c->pcap); /* closes the stream */
    sl_outq_free(&c->q);
    free(c->name);
    free(c);
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
    if (strstr(why, "an interface has a") != NULL)
        /* libpcap 1.10 reads a pcapng file only if all its interfaces share one link type and
         * snap length (sf-pcapng.c refuses the first IDB that differs). Not damage as such,
         * but nothing after it can be read either. */
        what = "pcapng interfaces with different link types or snap lengths are not supported";
    snprintf(c->damage, sizeof c->damage, "%s: frame %llu: %s (%s)", c->name,
             (unsigned long long)(c->frame + 1), what, why);
    c->damaged = 1;
}

/* Decode one frame and push what it yields onto c->q. Frames that yield nothing are counted. */
static void decode_frame(sl_capture *c, const struct pcap_pkthdr *h, const uint8_t *data)
{
    const uint8_t *ipb;
    size_t ipl;
    sl_ip_pkt ip;
    sl_udp_dgram udp;
    /* A frame is cut when the capture kept fewer bytes than were on the wire. Only then is a
     * short packet "truncated"; otherwise its lengths lie and it is malformed. */
    int cut = h->caplen < h->len;

    if (c->link == SL_LINK_UNSUPPORTED) {
        c->st.unsupported_link++;
        return;
    }
    sl_dec_rc rc = sl_dec_link(c->link, data, h->caplen, &ipb, &ipl);
    if (rc == SL_DEC_OK)
        rc = sl_dec_ip(ipb, ipl, &ip);
    if (rc == SL_DEC_OK && ip.proto != 17)
        rc = SL_DEC_SKIP; /* TCP (reassembly comes later), ICMP, SCTP, tunnels, ... */
    if (rc == SL_DEC_OK && ip.payload_avail < ip.payload_len && !cut)
        rc = SL_DEC_MALFORMED;
    if (rc == SL_DEC_OK)
        rc = sl_dec_udp(&ip, &udp);
    if (rc != SL_DEC_OK) {
        c->st.skipped++;
        if (rc == SL_DEC_FRAGMENT)
            c->st.fragments++;
        else if (rc == SL_DEC_MALFORMED || (rc == SL_DEC_SHORT && !cut))
            c->st.malformed++;
        return;
    }

    sl_meta meta;
    memset(&meta, 0, sizeof meta);
    sl_meta *m = &meta;
    m->frame_first = m->frame_last = c->frame;
    int64_t sec = (int64_t)h->ts.tv_sec;
    /* The pcap record's seconds are unsigned 32 bits (so they last until 2106), but libpcap
     * 1.10 reads them as signed and hands out times after 2038 as negative: undo that, as
     * Wireshark does, so that both front-ends see the same time. */
    if (c->sec32 && sec < 0 && sec >= INT32_MIN)
        sec += (int64_t)1 << 32;
    uint64_t frac = (uint64_t)(h->ts.tv_usec < 0 ? 0 : h->ts.tv_usec);
    if (!c->nsec)
        frac *= 1000;
    /* A damaged pcap record can hold a fraction of a second or more; carry it over. */
    sec += (int64_t)(frac / 1000000000u);
    m->ts_sec = sec;
    m->ts_nsec = (uint32_t)(frac % 1000000000u);
    m->transport = SL_TP_UDP;
    m->af = ip.af;
    memcpy(m->src, ip.src, ip.af == 4 ? 4 : 16); /* IPv4: the first 4 bytes, rest zero */
    memcpy(m->dst, ip.dst, ip.af == 4 ? 4 : 16);
    m->sport = udp.sport;
    m->dport = udp.dport;
    if (udp.len < udp.wire_len) {
        m->flags |= SL_META_TRUNCATED;
        c->st.truncated++;
    }
    if (sl_outq_message(&c->q, udp.payload, udp.len, m) == 0)
        c->st.payloads++;
}

sl_cap_rc sl_capture_next(sl_capture *c, sl_payload *out, char *errbuf)
{
    if (c->damaged) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s", c->damage);
        return SL_CAP_DAMAGED;
    }
    for (;;) {
        if (sl_outq_pop(&c->q, out))
            return SL_CAP_PAYLOAD;
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(c->pcap, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            return SL_CAP_EOF; /* offline: no more records; live: sl_capture_stop */
        if (r == 0 && c->live)
            continue;          /* live: the read timeout passed without a packet */
        if (r != 1) {
            /* -1: a read error, a record that ends early or claims an impossible length.
             * (0, a live-capture timeout, cannot happen offline; treat it the same.) */
            set_damage(c, r == PCAP_ERROR ? pcap_geterr(c->pcap) : "unexpected read result");
            snprintf(errbuf, SL_CAP_ERRBUF, "%s", c->damage);
            return SL_CAP_DAMAGED;
        }
        c->frame++;
        c->st.packets++;
        c->st.bytes += h->caplen;
        decode_frame(c, h, data);
    }
}
