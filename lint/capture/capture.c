/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture input: libpcap offline reading (pcap, pcapng, stdin), frame numbering, UDP payloads. */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"

struct sl_capture {
    pcap_t *pcap;
    char *name;        /* for messages: the path, or "<stdin>" */
    int dlt;
    sl_link link;
    int nsec;          /* libpcap hands out nanoseconds (else microseconds) */
    int sec32;         /* pcap format: seconds are a 32-bit unsigned field */
    uint64_t frame;    /* records read so far; the next one is frame + 1 */
    int damaged;       /* sticky: after a read error every call repeats it */
    char damage[SL_CAP_ERRBUF];
    sl_cap_stats st;
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

void sl_capture_close(sl_capture *c)
{
    if (c == NULL)
        return;
    pcap_close(c->pcap); /* closes the stream */
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

/* Decode one frame down to a UDP payload. Returns 1 with *out filled, 0 when the frame was
 * skipped (and counted). */
static int decode_frame(sl_capture *c, const struct pcap_pkthdr *h, const uint8_t *data,
                        sl_payload *out)
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
        return 0;
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
        return 0;
    }

    memset(out, 0, sizeof *out);
    out->data = (const char *)udp.payload;
    out->len = udp.len;
    sl_meta *m = &out->meta;
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
    c->st.payloads++;
    return 1;
}

sl_cap_rc sl_capture_next(sl_capture *c, sl_payload *out, char *errbuf)
{
    if (c->damaged) {
        snprintf(errbuf, SL_CAP_ERRBUF, "%s", c->damage);
        return SL_CAP_DAMAGED;
    }
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(c->pcap, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            return SL_CAP_EOF; /* offline: no more records */
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
        if (decode_frame(c, h, data, out))
            return SL_CAP_PAYLOAD;
    }
}
